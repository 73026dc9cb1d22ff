"""Tier 1: reading SSDA903 (CLA return) header and episodes files (STATUTORY.md, "SSDA903 (CLA return)")."""

import codecs
import csv
import io
import json
import random
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtual_school.domain import gias_mapping, ssda903
from virtual_school.domain.ssda903 import ChildRecord, Episode, MalformedFile, RejectedRow
from virtual_school.domain.upn import check_letter

FIXTURES = Path(__file__).resolve().parents[1] / "virtual_school" / "tests" / "fixtures" / "ssda903"
HEADER = (FIXTURES / "header.csv").read_bytes()
EPISODES = (FIXTURES / "episodes.csv").read_bytes()
CODES = ssda903.load_codes()


def rows_of(content: bytes) -> list[list[str]]:
	return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", line_end: str = "\r\n") -> bytes:
	buffer = io.StringIO(newline="")
	csv.writer(buffer, lineterminator=line_end).writerows(rows)
	return buffer.getvalue().encode(encoding)


def read(header: bytes = HEADER, episodes: bytes = EPISODES, **kwargs):
	return ssda903.read_ssda903(header, episodes, **kwargs)


def by_id(children: list[ChildRecord]) -> dict[str, ChildRecord]:
	return {child.social_care_id: child for child in children}


def rejected_for(rejected: list[RejectedRow], child: str) -> list[RejectedRow]:
	return [row for row in rejected if row.child == child]


def one_child(header_row: list[str], episode_rows: list[list[str]]):
	header = [*rows_of(HEADER)[:1], header_row]
	episodes = rows_of(EPISODES)[:1] + episode_rows
	return read(csv_bytes(header), csv_bytes(episodes))


GOOD_HEADER = ["2001", "2", "01/09/2011", "WBRI", "B373210516045", "0", ""]


def episode_row(child="2001", start="01/04/2022", rne="S", ls="C2", end="", rec="", place="U6", **extra):
	row = {
		"CHILD": child,
		"DECOM": start,
		"RNE": rne,
		"LS": ls,
		"CIN": "N1",
		"PLACE": place,
		"PLACE_PROVIDER": "PR1",
		"DEC": end,
		"REC": rec,
		"REASON_PLACE_CHANGE": "",
		"HOME_POST": "S5 7AU",
		"PL_POST": "S6 2LP",
		"URN": "SC412731",
	}
	row.update(extra)
	return [row[column] for column in ssda903.EPISODES_COLUMNS]


def episode(start, end=None, rne="P", rec=None, ls="C2", place="U6", postcode="S6 2LP") -> Episode:
	return Episode(
		start=start,
		reason_new=rne,
		legal_status=ls,
		category_of_need="N1",
		placement_type=place,
		placement_provider="PR1",
		end=end,
		reason_ceased=rec,
		reason_place_change=None,
		home_postcode="S5 7AU",
		placement_postcode=postcode,
		urn=None,
	)


def child_with(*episodes: Episode) -> ChildRecord:
	return ChildRecord("3001", "M", date(2010, 1, 1), "WBRI", None, list(episodes))


# --- code lists ----------------------------------------------------------------------------------------


BRIEF_CODES = {
	"legal_status": "C1 C2 D1 E1 J1 J2 J3 L1 L2 L3 V2 V3 V4",
	"reason_new_episode": "S P L T B U",
	"category_of_need": "N1 N2 N3 N4 N5 N6 N7 N8",
	"placement_type": "A3 A4 A5 A6 H5 K1 K2 P1 P2 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6 Z1",
	"reason_episode_ceased": "E11 E12 E13 E14 E15 E16 E17 E2 E3 E41 E45 E46 E47 E48 E4A E4B E5 E6 E7 E8 E9 X1",
	"reason_place_change": "CARPL CLOSE ALLEG STAND APPRR CREQB CREQO CHILD LAREQ PLACE CUSTOD OTHER",
}


@pytest.mark.parametrize("name", sorted(BRIEF_CODES))
def test_code_lists_hold_the_dfe_codes_with_labels(name):
	assert set(BRIEF_CODES[name].split()) <= set(CODES[name])
	assert all(label.strip() for label in CODES[name].values())


def test_code_file_names_its_guidance_year_and_asks_for_a_yearly_check():
	source = json.loads(ssda903.CODES_PATH.read_text(encoding="utf-8"))["source"]
	assert "2024" in source["collection_year"] and "SSDA903" in source["guidance"]
	assert "each" in source["check_each_year"] and "year" in source["check_each_year"]
	assert "source" not in CODES and set(ssda903.CODE_LISTS) <= set(CODES)


def test_load_codes_refuses_a_file_without_a_list(tmp_path):
	data = json.loads(ssda903.CODES_PATH.read_text(encoding="utf-8"))
	del data["legal_status"]
	path = tmp_path / "codes.json"
	path.write_text(json.dumps(data), encoding="utf-8")
	with pytest.raises(ValueError, match="legal_status"):
		ssda903.load_codes(path)


# --- the fixture pair ------------------------------------------------------------------------------------


def test_fixture_fixtures_upns_have_right_check_letters():
	for row in rows_of(HEADER)[1:]:
		upn = row[4]
		if not upn.startswith("UN"):
			assert upn[0] == check_letter(upn[1:])


def test_fixture_imports_the_three_good_children_sorted_by_id():
	children, rejected = read()
	assert [child.social_care_id for child in children] == ["1001", "1002", "1003"]
	assert {row.child for row in rejected} == {"1004", "1005", "1006"}
	assert all(isinstance(row, gias_mapping.RejectedRow) for row in rejected)


def test_continuous_care_with_placement_moves():
	child = by_id(read()[0])["1001"]
	assert child.sex == "M" and child.date_of_birth == date(2012, 5, 14) and child.upn == "B373210516045"
	assert [episode.placement_type for episode in child.episodes] == ["U6", "U6", "U6", "U4", "U4"]
	assert child.date_entered_care == date(2021, 3, 15)
	assert child.date_left_care is None
	assert child.legal_status == "C2"
	assert child.placement_postcode == "S12 4QZ"
	assert child.episodes[2].reason_place_change == "CREQB"
	assert child.is_looked_after_on(date(2021, 3, 15)) and child.is_looked_after_on(date(2025, 1, 1))
	assert not child.is_looked_after_on(date(2021, 3, 14))


def test_adopted_child_left_care_on_the_adoption_date():
	child = by_id(read()[0])["1002"]
	assert child.episodes[-1].reason_ceased == "E11" and child.episodes[-1].placement_type == "A6"
	assert child.date_entered_care == date(2019, 10, 3)
	assert child.date_left_care == date(2021, 6, 22)
	assert child.is_looked_after_on(date(2021, 6, 21))
	assert not child.is_looked_after_on(date(2021, 6, 22))


def test_emergency_protection_then_care_order_is_one_period_and_unknown_upn_is_none():
	child = by_id(read()[0])["1003"]
	assert [episode.legal_status for episode in child.episodes] == ["L2", "C1", "C2"]
	assert child.date_entered_care == date(2023, 1, 9)
	assert child.legal_status == "C2"
	assert child.upn is None


def test_bad_legal_status_rejects_every_row_of_the_child():
	rejected = rejected_for(read()[1], "1004")
	assert [(row.file, row.row_number) for row in rejected] == [
		("header", 5),
		("episodes", 13),
		("episodes", 14),
	]
	real = rejected[2]
	assert real.column == "LS" and "'C3'" in real.reason and "legal status" in real.reason
	for row in rejected[:2]:
		assert row.reason == "child 1004 rejected because episodes row 14 failed"


def test_episode_for_a_child_missing_from_the_header_is_rejected():
	(row,) = rejected_for(read()[1], "1005")
	assert (row.file, row.row_number, row.column) == ("episodes", 15, "CHILD")
	assert "not in the header file" in row.reason
	assert row.as_dict() == {
		"file": "episodes",
		"child": "1005",
		"row": 15,
		"column": "CHILD",
		"reason": row.reason,
	}
	assert str(row).startswith("Episodes file: Row 15, CHILD:")


def test_overlapping_episodes_reject_the_child():
	rejected = rejected_for(read()[1], "1006")
	reasons = {(row.file, row.row_number): row.reason for row in rejected}
	assert "overlaps the episode in row 16" in reasons[("episodes", 17)]
	assert (
		reasons[("header", 6)]
		== reasons[("episodes", 16)]
		== "child 1006 rejected because episodes row 17 failed"
	)


# --- files as a whole ------------------------------------------------------------------------------------


def test_missing_columns_in_both_files_are_named():
	header_rows = [row[:1] + row[2:] for row in rows_of(HEADER)]  # drop SEX
	episode_rows = [row[:3] + row[4:] for row in rows_of(EPISODES)]  # drop LS
	with pytest.raises(MalformedFile) as error:
		read(csv_bytes(header_rows), csv_bytes(episode_rows))
	assert error.value.missing_by_file == {"header": ["SEX"], "episodes": ["LS"]}
	assert error.value.file is None
	assert "header file is missing column(s): SEX" in str(error.value)
	assert "episodes file is missing column(s): LS" in str(error.value)
	assert isinstance(error.value, gias_mapping.MalformedFile)
	with pytest.raises(MalformedFile) as error:
		read(HEADER, csv_bytes(episode_rows))
	assert error.value.file == "episodes" and error.value.missing_columns == ["LS"]


def test_swapped_or_empty_files_are_malformed():
	with pytest.raises(MalformedFile):
		read(EPISODES, HEADER)
	with pytest.raises(MalformedFile, match="empty"):
		read(b"", EPISODES)
	with pytest.raises(MalformedFile, match="neither UTF-8 nor Windows-1252"):
		read(HEADER, EPISODES + b"\x81")


def test_bom_and_windows_1252_and_extra_columns_are_read():
	rows = rows_of(EPISODES)
	rows = [
		[*row, "LA" if number == 0 else "373", "NOTE" if number == 0 else "Café"]
		for number, row in enumerate(rows)
	]
	children, rejected = read(codecs.BOM_UTF8 + HEADER, csv_bytes(rows, encoding="cp1252", line_end="\n"))
	baseline, _ = read()
	assert [ssda903.record_fingerprint(c) for c in children] == [
		ssda903.record_fingerprint(c) for c in baseline
	]
	assert len(rejected) == 7


def test_iso_dates_lower_case_codes_m_f_sex_and_blank_lines_are_accepted():
	children, rejected = one_child(
		["2001", "F", "2011-09-01", "wbri", "un2", "", ""],
		[
			episode_row(start="2022-04-01", rne="s", ls="c1", end="2022-05-01", rec="x1"),
			["", "", "", "", "", "", "", "", "", "", "", "", ""],
			episode_row(start="01/05/2022", rne="L", ls="C2", HOME_POST="s57au"),
		],
	)
	assert rejected == []
	(child,) = children
	assert child.sex == "F" and child.ethnicity == "WBRI" and child.upn is None
	assert child.episodes[0].reason_ceased == "X1" and child.episodes[1].home_postcode == "S5 7AU"


@pytest.mark.parametrize(
	("change", "column", "words"),
	[
		({"DECOM": "31/02/2022"}, "DECOM", "not a date"),
		({"DEC": "01/03/2022", "REC": "E4A"}, "DEC", "before it commenced"),
		({"DEC": "01/05/2022"}, "REC", "no reason episode ceased"),
		({"REC": "E11"}, "DEC", "no date ceased"),
		({"PLACE": "Q1"}, "PLACE", "placement type"),
		({"REASON_PLACE_CHANGE": "MOVED"}, "REASON_PLACE_CHANGE", "reason for placement change"),
		({"PL_POST": "not a postcode"}, "PL_POST", "postcode"),
		({"URN": "SC-41"}, "URN", "URN"),
		({"DECOM": "01/04/2009"}, "DECOM", "before the child's date of birth"),
	],
)
def test_bad_episode_values_reject_the_child(change, column, words):
	row = episode_row(**change)
	children, rejected = one_child(GOOD_HEADER, [row])
	assert children == []
	real = next(item for item in rejected if item.file == "episodes")
	assert real.column == column and words in real.reason
	assert [item.file for item in rejected] == ["header", "episodes"]


def test_upn_is_checked_and_unknown_codes_give_none():
	bad = [*GOOD_HEADER[:4], "C373210516045", *GOOD_HEADER[5:]]
	children, rejected = one_child(bad, [episode_row()])
	assert children == [] and rejected[0].column == "UPN" and "check letter should be B" in rejected[0].reason
	for code in ("UN1", "UN5", "UN10", ""):
		children, rejected = one_child([*GOOD_HEADER[:4], code, *GOOD_HEADER[5:]], [episode_row()])
		assert rejected == [] and children[0].upn is None
	header = csv_bytes([*rows_of(HEADER)[:1], GOOD_HEADER])
	episodes = csv_bytes([*rows_of(EPISODES)[:1], episode_row()])
	children, rejected = read(header, episodes, known_la_codes={"373"})
	assert rejected == [] and children[0].upn == "B373210516045"
	children, rejected = read(header, episodes, known_la_codes={"201"})
	assert (
		children == []
		and rejected[0].column == "UPN"
		and "not a recognised local authority" in rejected[0].reason
	)


def test_duplicate_header_rows_and_children_without_episodes_are_rejected():
	children, rejected = one_child(GOOD_HEADER, [])
	assert children == [] and "has no episodes" in rejected[0].reason
	header = csv_bytes([*rows_of(HEADER)[:1], GOOD_HEADER, GOOD_HEADER])
	children, rejected = read(header, csv_bytes([*rows_of(EPISODES)[:1], episode_row()]))
	assert children == []
	assert [(row.file, row.row_number) for row in rejected] == [("header", 2), ("header", 3), ("episodes", 2)]
	assert "more than one row (2, 3)" in rejected[0].reason


def test_nul_byte_in_a_cell_rejects_that_child_only():
	rows = rows_of(EPISODES)
	rows[9][3] = "C\x002"  # 1003's first episode, LS
	children, rejected = read(HEADER, csv_bytes(rows))
	assert [child.social_care_id for child in children] == ["1001", "1002"]
	assert any(row.child == "1003" and row.column == "LS" for row in rejected)


def test_short_and_long_rows_are_rejected():
	children, rejected = one_child(GOOD_HEADER, [episode_row()[:-2]])
	assert children == [] and "cut short" in rejected[1].reason
	children, rejected = one_child([*GOOD_HEADER, "extra"], [episode_row()])
	assert children == [] and "8 values but the header has 7" in rejected[0].reason


def test_episodes_are_put_in_date_order_whatever_the_file_order():
	rows = [
		episode_row(start="01/06/2022", rne="P", place="U4"),
		episode_row(start="01/04/2022", end="01/06/2022", rec="X1"),
	]
	(child,), rejected = one_child(GOOD_HEADER, rows)
	assert rejected == []
	assert [episode.start for episode in child.episodes] == [date(2022, 4, 1), date(2022, 6, 1)]
	assert child.episodes[-1].placement_type == "U4"


# --- derived properties -----------------------------------------------------------------------------------


def test_date_entered_care_is_the_start_of_the_latest_period():
	child = child_with(
		episode(date(2015, 1, 5), date(2016, 2, 1), rne="S", rec="X1"),
		episode(date(2016, 2, 1), date(2017, 3, 1), rne="P", rec="E4A"),
		episode(date(2018, 9, 10), date(2019, 1, 1), rne="S", rec="X1"),
		episode(date(2019, 1, 1), rne="L"),
	)
	assert child.date_entered_care == date(2018, 9, 10)
	assert child.date_left_care is None
	assert not child.is_looked_after_on(date(2017, 6, 1))


def test_period_continues_across_a_gap_only_for_a_within_period_change():
	with_change = child_with(
		episode(date(2020, 1, 1), date(2020, 2, 1), rne="S", rec="X1"), episode(date(2020, 2, 3), rne="P")
	)
	assert with_change.date_entered_care == date(2020, 1, 1)
	restarted = child_with(
		episode(date(2020, 1, 1), date(2020, 2, 1), rne="S", rec="X1"), episode(date(2020, 2, 1), rne="S")
	)
	assert restarted.date_entered_care == date(2020, 2, 1)


def test_date_left_care_needs_a_leaving_reason_and_empty_child_has_none():
	assert child_with(episode(date(2020, 1, 1), date(2020, 5, 1), rne="S", rec="X1")).date_left_care is None
	assert child_with(episode(date(2020, 1, 1), date(2020, 5, 1), rne="S")).date_left_care is None
	empty = child_with()
	assert empty.date_entered_care is None and empty.legal_status is None and empty.placement_postcode is None


# --- fingerprints and robustness ---------------------------------------------------------------------------


def test_fingerprint_changes_when_a_stored_field_changes():
	child = by_id(read()[0])["1001"]
	rows = rows_of(EPISODES)
	rows[5][11] = "S12 4QY"  # 1001's open episode, PL_POST
	changed = by_id(read(HEADER, csv_bytes(rows))[0])["1001"]
	assert ssda903.record_fingerprint(changed) != ssda903.record_fingerprint(child)
	assert len(ssda903.record_fingerprint(child)) == 64


BASELINE_CHILDREN, BASELINE_REJECTED = read()
BASELINE = {child.social_care_id: ssda903.record_fingerprint(child) for child in BASELINE_CHILDREN}
BASELINE_REJECTED_IDS = {row.child for row in BASELINE_REJECTED}
HEADER_ROWS = rows_of(HEADER)
EPISODE_ROWS = rows_of(EPISODES)


def _check_result(children, rejected):
	assert [child.social_care_id for child in children] == sorted(child.social_care_id for child in children)
	accepted = {child.social_care_id for child in children}
	assert not accepted & {row.child for row in rejected if row.child}
	for row in rejected:
		assert isinstance(row, RejectedRow) and row.file in ("header", "episodes") and row.reason
		assert isinstance(row.row_number, int) and row.row_number >= 2
	for child in children:
		ssda903.record_fingerprint(child)
		child.date_entered_care, child.date_left_care, child.legal_status, child.placement_postcode


cells = st.sampled_from(["header", "episodes"]).flatmap(
	lambda file: st.tuples(
		st.just(file),
		st.integers(0, len(HEADER_ROWS if file == "header" else EPISODE_ROWS) - 1),
		st.integers(0, len(HEADER_ROWS[0] if file == "header" else EPISODE_ROWS[0]) - 1),
	)
)


@settings(max_examples=300, deadline=None)
@given(cell=cells, value=st.text(max_size=20))
def test_corrupting_a_cell_gives_rejections_or_malformed_file_never_a_crash(cell, value):
	file, row, column = cell
	header_rows = [list(r) for r in HEADER_ROWS]
	episode_rows = [list(r) for r in EPISODE_ROWS]
	target = header_rows if file == "header" else episode_rows
	touched_child = target[row][0] if row else None
	target[row][column] = value
	try:
		children, rejected = read(csv_bytes(header_rows), csv_bytes(episode_rows))
	except MalformedFile:
		assert row == 0  # only a damaged column name can spoil the whole file
		return
	_check_result(children, rejected)
	if row and column != 0:
		fingerprints = {child.social_care_id: ssda903.record_fingerprint(child) for child in children}
		for child, fingerprint in BASELINE.items():
			if child != touched_child:
				assert fingerprints[child] == fingerprint
		for child in BASELINE_REJECTED_IDS - {touched_child}:
			assert child not in fingerprints


@settings(max_examples=200, deadline=None)
@given(
	which=st.sampled_from(["header", "episodes"]), position=st.integers(0, 10_000), junk=st.binary(max_size=8)
)
def test_corrupting_raw_bytes_never_crashes(which, position, junk):
	content = bytearray(HEADER if which == "header" else EPISODES)
	position %= len(content)
	content[position : position + len(junk)] = junk
	header, episodes = (bytes(content), EPISODES) if which == "header" else (HEADER, bytes(content))
	try:
		children, rejected = read(header, episodes)
	except MalformedFile:
		return
	_check_result(children, rejected)


@settings(max_examples=100, deadline=None)
@given(
	seed=st.integers(0, 2**32 - 1),
	encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
	line_end=st.sampled_from(["\r\n", "\n"]),
)
def test_fingerprints_are_stable_across_re_reads_reorderings_and_encodings(seed, encoding, line_end):
	body = EPISODE_ROWS[1:]
	random.Random(seed).shuffle(body)
	headers = HEADER_ROWS[1:]
	random.Random(seed + 1).shuffle(headers)
	children, rejected = read(
		csv_bytes(HEADER_ROWS[:1] + headers, encoding, line_end),
		csv_bytes(EPISODE_ROWS[:1] + body, encoding, line_end),
	)
	assert {child.social_care_id: ssda903.record_fingerprint(child) for child in children} == BASELINE
	assert {row.child for row in rejected} == BASELINE_REJECTED_IDS


def pl_la_files(*values: str) -> tuple[bytes, bytes]:
	header = [*rows_of(HEADER)[:1], GOOD_HEADER]
	episodes = [[*ssda903.EPISODES_COLUMNS, "PL_LA"]]
	start = date(2022, 4, 1)
	for number, value in enumerate(values):
		last = number == len(values) - 1
		end = "" if last else f"{date(2022, 5 + number, 1):%d/%m/%Y}"
		row = episode_row(
			start=f"{start:%d/%m/%Y}", rne="S" if number == 0 else "P", end=end, rec="" if last else "X1"
		)
		episodes.append([*row, value])
		start = date(2022, 5 + number, 1)
	return csv_bytes(header), csv_bytes(episodes)


def test_placement_la_of_the_latest_episode_says_where_the_child_lives():
	children, rejected = read(*pl_la_files("373", "886"), known_la_codes={"373", "886"})
	assert rejected == []
	assert children[0].placement_la == "886"
	assert [e.placement_la for e in children[0].episodes] == ["373", "886"]
	children, _ = read(*pl_la_files("373", "wal"), known_la_codes={"373"})
	assert children[0].placement_la == "WAL"


@pytest.mark.parametrize("value", ["999", "12", "ENG", "3734"])
def test_an_unknown_placement_la_rejects_the_child(value):
	children, rejected = read(*pl_la_files(value), known_la_codes={"373", "886"})
	assert children == []
	assert [(row.column, row.file) for row in rejected if row.column] == [("PL_LA", "episodes")]


def test_placement_la_is_optional():
	children, rejected = read()
	assert rejected and all(child.placement_la is None for child in children)
