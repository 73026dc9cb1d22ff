"""Tier 1: reading SSDA903 (CLA return) header and episodes files (STATUTORY.md, "SSDA903 (CLA return)")."""

import codecs
import csv
import io
import json
import random
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtual_school.domain import gias_mapping, ssda903
from virtual_school.domain.ssda903 import (
	ChildRecord,
	Episode,
	MalformedFile,
	QualityIssue,
	RejectedRow,
	Review,
)
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


def read(header: bytes = HEADER, episodes: bytes = EPISODES, reviews: bytes | None = None, **kwargs):
	return ssda903.read_ssda903(header, episodes, reviews, **kwargs)


def by_id(children: list[ChildRecord]) -> dict[str, ChildRecord]:
	return {child.social_care_id: child for child in children}


def rejected_for(rejected: list[RejectedRow], child: str) -> list[RejectedRow]:
	return [row for row in rejected if row.child == child]


def one_child(header_row: list[str], episode_rows: list[list[str]], reviews: bytes | None = None):
	header = [*rows_of(HEADER)[:1], header_row]
	episodes = rows_of(EPISODES)[:1] + episode_rows
	return read(csv_bytes(header), csv_bytes(episodes), reviews)


def issues_for(result, child: str) -> list[QualityIssue]:
	return [issue for issue in result.issues if issue.child == child]


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


def test_fixture_keeps_every_identifiable_child_sorted_by_id():
	result = read()
	assert [child.social_care_id for child in result.children] == ["1001", "1002", "1003", "1004", "1006"]
	# 1005 has episodes but no header row: it cannot be identified, so its rows are rejected and listed
	assert {row.child for row in result.rejected} == {"1005"}
	assert all(isinstance(row, gias_mapping.RejectedRow) for row in result.rejected)
	assert all(isinstance(issue, QualityIssue) for issue in result.issues)


def test_continuous_care_with_placement_moves():
	child = by_id(read().children)["1001"]
	assert child.sex == "M" and child.date_of_birth == date(2012, 5, 14) and child.upn == "B373210516045"
	assert [episode.placement_type for episode in child.episodes] == ["U6", "U6", "U6", "U4", "U4"]
	assert child.date_entered_care == date(2021, 3, 15)
	assert child.date_left_care is None
	assert child.legal_status == "C2"
	assert child.placement_postcode == "S12 4QZ"
	assert child.episodes[2].reason_place_change == "CREQB"
	assert child.is_looked_after_on(date(2021, 3, 15)) and child.is_looked_after_on(date(2025, 1, 1))
	assert not child.is_looked_after_on(date(2021, 3, 14))
	assert not child.uncertain and child.invalid_fields == frozenset()
	assert issues_for(read(), "1001") == []


def test_adopted_child_left_care_on_the_adoption_date():
	child = by_id(read().children)["1002"]
	assert child.episodes[-1].reason_ceased == "E11" and child.episodes[-1].placement_type == "A6"
	assert child.date_entered_care == date(2019, 10, 3)
	assert child.date_left_care == date(2021, 6, 22)
	assert child.is_looked_after_on(date(2021, 6, 21))
	assert not child.is_looked_after_on(date(2021, 6, 22))


def test_emergency_protection_then_care_order_is_one_period_and_unknown_upn_is_none():
	child = by_id(read().children)["1003"]
	assert [episode.legal_status for episode in child.episodes] == ["L2", "C1", "C2"]
	assert child.date_entered_care == date(2023, 1, 9)
	assert child.legal_status == "C2"
	assert child.upn is None
	assert issues_for(read(), "1003") == []  # UN1 is a valid "no UPN yet"


def test_a_bad_legal_status_is_one_issue_and_the_child_is_kept():
	result = read()
	child = by_id(result.children)["1004"]
	(issue,) = issues_for(result, "1004")
	assert (issue.file, issue.row_number, issue.column, issue.value) == ("episodes", 14, "LS", "C3")
	assert "'C3'" in issue.rule and "legal status" in issue.rule and issue.severity == ssda903.ERROR
	assert issue.check == "code:legal_status"
	assert len(child.episodes) == 2 and child.episodes[-1].legal_status is None
	assert child.legal_status is None and not child.uncertain  # the episode itself is usable


def test_episode_for_a_child_missing_from_the_header_is_rejected():
	(row,) = rejected_for(read().rejected, "1005")
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


def test_an_overlapping_episode_is_kept_out_and_the_child_is_uncertain():
	result = read()
	child = by_id(result.children)["1006"]
	assert child.uncertain and len(child.episodes) == 1
	(issue,) = issues_for(result, "1006")
	assert (issue.file, issue.row_number, issue.check) == ("episodes", 17, "episode:overlap")
	assert "overlaps the episode in row 16" in issue.rule and "kept out" in issue.rule


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


def test_bom_windows_1252_lower_case_column_names_and_extra_columns_are_read():
	rows = rows_of(EPISODES)
	rows = [
		[*row, "LA" if number == 0 else "373", "NOTE" if number == 0 else "Café"]
		for number, row in enumerate(rows)
	]
	rows[0] = [name.lower() for name in rows[0]]
	result = read(codecs.BOM_UTF8 + HEADER, csv_bytes(rows, encoding="cp1252", line_end="\n"))
	baseline = read()
	assert [ssda903.record_fingerprint(c) for c in result.children] == [
		ssda903.record_fingerprint(c) for c in baseline.children
	]
	assert result.issues == baseline.issues and len(result.rejected) == 1


def test_iso_dates_lower_case_codes_m_f_sex_and_blank_lines_are_accepted():
	result = one_child(
		["2001", "F", "2011-09-01", "wbri", "un2", "", ""],
		[
			episode_row(start="2022-04-01", rne="s", ls="c1", end="2022-05-01", rec="x1"),
			["", "", "", "", "", "", "", "", "", "", "", "", ""],
			episode_row(start="01/05/2022", rne="L", ls="C2", HOME_POST="s57au"),
		],
	)
	assert result.rejected == [] and result.issues == []
	(child,) = result.children
	assert child.sex == "F" and child.ethnicity == "WBRI" and child.upn is None
	assert child.episodes[0].reason_ceased == "X1" and child.episodes[1].home_postcode == "S5 7AU"


@pytest.mark.parametrize(
	("change", "column", "words", "kept_out"),
	[
		({"DECOM": "31/02/2022"}, "DECOM", "not a date", True),
		({"DECOM": ""}, "DECOM", "is missing", True),
		({"DEC": "01/03/2022", "REC": "E4A"}, "DEC", "before it commenced", True),
		({"DEC": "32/05/2022", "REC": "E4A"}, "DEC", "not a date", True),
		({"DECOM": "01/04/2009"}, "DECOM", "before the child's date of birth", True),
		({"DEC": "01/05/2022"}, "REC", "no reason episode ceased", False),
		({"REC": "E11"}, "REC", "no date ceased", False),
		({"PLACE": "Q1"}, "PLACE", "placement type", False),
		({"LS": ""}, "LS", "legal status is missing", False),
		({"REASON_PLACE_CHANGE": "MOVED"}, "REASON_PLACE_CHANGE", "reason for placement change", False),
		({"PL_POST": "not a postcode"}, "PL_POST", "postcode", False),
		({"URN": "SC-41"}, "URN", "URN", False),
	],
)
def test_a_bad_episode_value_is_one_issue_and_never_loses_the_child(change, column, words, kept_out):
	result = one_child(GOOD_HEADER, [episode_row(**change)])
	assert result.rejected == []
	(child,) = result.children
	(issue,) = [i for i in result.issues if i.file == "episodes"]
	others = [i for i in result.issues if i is not issue]
	assert issue.column == column and words in issue.rule and issue.row_number == 2
	# an only episode kept out leaves the child with none it can use: said once more, on the child
	assert [other.check for other in others] == (["no_usable_episodes"] if kept_out else [])
	assert child.uncertain is kept_out and len(child.episodes) == (0 if kept_out else 1)
	if not kept_out:
		(episode,) = child.episodes
		field = {
			"PLACE": "placement_type",
			"LS": "legal_status",
			"URN": "urn",
			"PL_POST": "placement_postcode",
		}
		if column in field:
			assert getattr(episode, field[column]) is None


def test_an_open_episode_with_a_reason_ceased_is_read_as_open():
	result = one_child(GOOD_HEADER, [episode_row(rec="E11")])
	(child,) = result.children
	assert child.episodes[0].reason_ceased is None and child.date_left_care is None
	assert child.is_looked_after_on(date(2030, 1, 1))
	assert result.issues[0].check == "episode:open_with_rec"


def test_upn_problems_are_issues_and_unknown_codes_mean_no_upn_yet():
	bad = [*GOOD_HEADER[:4], "C373210516045", *GOOD_HEADER[5:]]
	result = one_child(bad, [episode_row()])
	(child,) = result.children
	assert child.upn is None and child.invalid_fields == {"UPN"}
	(issue,) = result.issues
	assert (
		issue.column == "UPN" and issue.value == "C373210516045" and "check letter should be B" in issue.rule
	)
	for code in ("UN1", "UN5", "UN10"):
		result = one_child([*GOOD_HEADER[:4], code, *GOOD_HEADER[5:]], [episode_row()])
		assert result.rejected == [] and result.issues == [] and result.children[0].upn is None
	result = one_child([*GOOD_HEADER[:4], "", *GOOD_HEADER[5:]], [episode_row()])
	assert result.children[0].upn is None and [i.severity for i in result.issues] == [ssda903.WARNING]
	header = csv_bytes([*rows_of(HEADER)[:1], GOOD_HEADER])
	episodes = csv_bytes([*rows_of(EPISODES)[:1], episode_row()])
	result = read(header, episodes, known_la_codes={"373"})
	assert result.issues == [] and result.children[0].upn == "B373210516045"
	result = read(header, episodes, known_la_codes={"201"})
	assert result.children[0].upn is None and "not a recognised local authority" in result.issues[0].rule


def test_bad_sex_and_ethnicity_are_left_out_and_flagged():
	result = one_child(["2001", "X", "01/09/2011", "ZZZZ", "B373210516045", "7", ""], [episode_row()])
	(child,) = result.children
	assert child.sex is None and child.ethnicity is None and child.invalid_fields == {"SEX", "ETHNIC"}
	assert [(i.column, i.severity) for i in result.issues] == [
		("ETHNIC", ssda903.ERROR),
		("MOTHER", ssda903.WARNING),
		("SEX", ssda903.ERROR),
	]


@pytest.mark.parametrize(
	("dob", "words"),
	[
		("", "is missing"),
		("31/02/2011", "not a date"),
		("01/01/1850", "before 1900"),
		("01/01/2031", "future"),
	],
)
def test_no_or_an_impossible_date_of_birth_rejects_the_child_and_lists_its_rows(dob, words):
	result = read(
		csv_bytes([*rows_of(HEADER)[:1], [*GOOD_HEADER[:2], dob, *GOOD_HEADER[3:]]]),
		csv_bytes([*rows_of(EPISODES)[:1], episode_row()]),
		on_date=date(2026, 12, 3),
	)
	assert result.children == []
	assert [(row.file, row.row_number) for row in result.rejected] == [("header", 2), ("episodes", 2)]
	assert words in result.rejected[0].reason and result.rejected[0].column == "DOB"
	assert "cannot be identified" in result.rejected[1].reason


def test_children_without_episodes_are_kept_and_duplicate_headers_are_read_once_when_they_agree():
	result = one_child(GOOD_HEADER, [])
	assert [c.social_care_id for c in result.children] == ["2001"] and result.children[0].episodes == []
	assert result.issues[0].check == "no_episodes"
	header = csv_bytes([*rows_of(HEADER)[:1], GOOD_HEADER, GOOD_HEADER])
	result = read(header, csv_bytes([*rows_of(EPISODES)[:1], episode_row()]))
	assert len(result.children) == 1 and result.issues[0].check == "duplicate"
	other = [*GOOD_HEADER[:2], "02/09/2011", *GOOD_HEADER[3:]]
	header = csv_bytes([*rows_of(HEADER)[:1], GOOD_HEADER, other])
	result = read(header, csv_bytes([*rows_of(EPISODES)[:1], episode_row()]))
	assert result.children == []
	assert [(row.file, row.row_number) for row in result.rejected] == [
		("header", 2),
		("header", 3),
		("episodes", 2),
	]
	assert "different dates of birth" in result.rejected[0].reason


def test_nul_byte_in_a_cell_is_an_issue_for_that_child_only():
	rows = rows_of(EPISODES)
	rows[9][3] = "C\x002"  # 1003's first episode, LS
	result = read(HEADER, csv_bytes(rows))
	assert "1003" in by_id(result.children)
	assert [(i.child, i.column) for i in result.issues if i.child == "1003"] == [("1003", "LS")]


def test_rows_that_do_not_line_up_with_their_header():
	result = one_child(GOOD_HEADER, [episode_row()[:-2]])
	(child,) = result.children
	assert child.uncertain and child.episodes == []
	assert "cut short" in next(i for i in result.issues if i.file == "episodes").rule
	result = one_child([*GOOD_HEADER, "extra"], [episode_row()])
	assert result.children == [] and "8 values but the header has 7" in result.rejected[0].reason


def test_episodes_are_put_in_date_order_whatever_the_file_order():
	rows = [
		episode_row(start="01/06/2022", rne="P", place="U4"),
		episode_row(start="01/04/2022", end="01/06/2022", rec="X1"),
	]
	result = one_child(GOOD_HEADER, rows)
	assert result.rejected == [] and result.issues == []
	(child,) = result.children
	assert [episode.start for episode in child.episodes] == [date(2022, 4, 1), date(2022, 6, 1)]
	assert child.episodes[-1].placement_type == "U4"


def test_issue_keys_ignore_the_row_so_a_moved_row_is_the_same_issue():
	bad = episode_row(LS="C3")
	first = one_child(GOOD_HEADER, [bad]).issues[0]
	moved = one_child(GOOD_HEADER, [["", *[""] * 12], bad]).issues[0]
	assert first.row_number != moved.row_number and first.key == moved.key
	other = one_child(GOOD_HEADER, [episode_row(LS="C4")]).issues[0]
	assert other.key != first.key


# --- reviews ----------------------------------------------------------------------------------------------


def reviews_file(*rows: list[str]) -> bytes:
	return csv_bytes([list(ssda903.REVIEWS_COLUMNS), *rows])


def test_reviews_are_read_in_date_order_with_their_participation_code():
	result = one_child(
		GOOD_HEADER,
		[episode_row()],
		reviews=reviews_file(
			["2001", "01/09/2011", "15/10/2022", "PN1"],
			["2001", "01/09/2011", "2022-05-01", "pn0"],
			["2001", "01/09/2011", "31/13/2022", "PN1"],
			["2001", "02/09/2011", "01/04/2023", "PN9"],
			["9999", "01/01/2010", "01/04/2023", "PN1"],
		),
	)
	(child,) = result.children
	assert child.reviews == [
		Review(date(2022, 5, 1), "PN0"),
		Review(date(2022, 10, 15), "PN1"),
		Review(date(2023, 4, 1), None),
	]
	assert sorted((i.column, i.check) for i in result.issues) == [
		("DOB", "review:dob"),
		("REVIEW", "review:date"),
		("REVIEW_CODE", "code:review_participation"),
	]
	assert [(row.file, row.child) for row in result.rejected] == [("reviews", "9999")]


# --- XML -------------------------------------------------------------------------------------------------


def xml_of(header_rows: list[list[str]], episode_rows: list[list[str]], review_rows=()) -> bytes:
	"""The XML export for the same data as CSV rows (CHILDID for CHILD, PL for PLACE)."""
	header_columns, episode_columns = header_rows[0], episode_rows[0]
	parts = ["<?xml version='1.0' encoding='utf-8'?>", "<EXPSSDA903>"]
	for header in header_rows[1:]:
		values = dict(zip(header_columns, header, strict=False))
		parts.append("<CHILD><HEADER>")
		for column, value in values.items():
			tag = "CHILDID" if column == "CHILD" else column
			parts.append(f"<{tag}>{value}</{tag}>" if value else f"<{tag}/>")
		for review in review_rows:
			if review[0] == values["CHILD"]:
				parts.append(
					f"<AREVIEW><REVIEW>{review[2]}</REVIEW><REVIEW_CODE>{review[3]}</REVIEW_CODE></AREVIEW>"
				)
		parts.append("</HEADER>")
		for episode_values in episode_rows[1:]:
			row = dict(zip(episode_columns, episode_values, strict=False))
			if row["CHILD"] != values["CHILD"]:
				continue
			parts.append("<EPISODE>")
			for column, value in row.items():
				if column == "CHILD":
					continue
				tag = "PL" if column == "PLACE" else column
				parts.append(f"<{tag}>{value}</{tag}>" if value else f"<{tag}/>")
			parts.append("</EPISODE>")
		parts.append("</CHILD>")
	parts.append("</EXPSSDA903>")
	return "".join(parts).encode("utf-8")


def test_the_xml_export_gives_the_same_children_and_issues_as_the_csv_files():
	csv_result = read()
	xml_result = ssda903.read_ssda903_xml(xml_of(rows_of(HEADER), rows_of(EPISODES)))
	assert {c.social_care_id: ssda903.record_fingerprint(c) for c in xml_result.children} == {
		c.social_care_id: ssda903.record_fingerprint(c) for c in csv_result.children
	}
	assert {(i.child, i.column, i.check, i.value) for i in xml_result.issues} == {
		(i.child, i.column, i.check, i.value) for i in csv_result.issues
	}
	# 1005 has episodes but no CHILD element in XML, so it simply is not there (nothing to list)
	assert xml_result.rejected == []
	assert (
		ssda903.read_files({"xml": xml_of(rows_of(HEADER), rows_of(EPISODES))}).children
		== xml_result.children
	)


def test_xml_reviews_and_malformed_xml():
	header = [rows_of(HEADER)[0], GOOD_HEADER]
	episodes = [rows_of(EPISODES)[0], episode_row()]
	result = ssda903.read_ssda903_xml(xml_of(header, episodes, [["2001", "", "15/10/2022", "PN1"]]))
	assert result.children[0].reviews == [Review(date(2022, 10, 15), "PN1")]
	with pytest.raises(MalformedFile, match="not well-formed"):
		ssda903.read_ssda903_xml(b"<EXPSSDA903><CHILD>")
	with pytest.raises(MalformedFile, match="EXPSSDA903"):
		ssda903.read_ssda903_xml(b"<OTHER/>")
	with pytest.raises(MalformedFile, match="DOCTYPE"):
		ssda903.read_ssda903_xml(b'<!DOCTYPE x [<!ENTITY a "b">]><EXPSSDA903/>')


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
	child = by_id(read().children)["1001"]
	rows = rows_of(EPISODES)
	rows[5][11] = "S12 4QY"  # 1001's open episode, PL_POST
	changed = by_id(read(HEADER, csv_bytes(rows)).children)["1001"]
	assert ssda903.record_fingerprint(changed) != ssda903.record_fingerprint(child)
	assert len(ssda903.record_fingerprint(child)) == 64


BASELINE_RESULT = read()
BASELINE = {child.social_care_id: ssda903.record_fingerprint(child) for child in BASELINE_RESULT.children}
BASELINE_ISSUES = {child: [i for i in BASELINE_RESULT.issues if i.child == child] for child in BASELINE}
HEADER_ROWS = rows_of(HEADER)
EPISODE_ROWS = rows_of(EPISODES)


def _identifiable(header_rows: list[list[str]], episode_rows: list[list[str]]) -> set[str]:
	"""The oracle: children whose header row has a CHILD id and a possible date of birth, once."""
	columns = header_rows[0]
	seen: dict[str, set] = {}
	for row in header_rows[1:]:
		values = dict(zip(columns, row, strict=False))
		child = (values.get("CHILD") or "").strip()
		if child:
			seen.setdefault(child, set()).add((values.get("DOB") or "").strip())
	kept = set()
	for child, births in seen.items():
		if len(births) != 1 or not child.isalnum() or not child.isascii() or len(child) > 10:
			continue
		(birth,) = births
		for date_format in ("%d/%m/%Y", "%Y-%m-%d"):
			try:
				if datetime.strptime(birth, date_format).year >= 1900:
					kept.add(child)
			except ValueError:
				continue
	return kept


def _check_result(result, header_rows=None, episode_rows=None):
	children, rejected = result.children, result.rejected
	assert [child.social_care_id for child in children] == sorted(child.social_care_id for child in children)
	accepted = {child.social_care_id for child in children}
	assert not accepted & {row.child for row in rejected if row.child}
	for row in rejected:
		assert isinstance(row, RejectedRow) and row.file in ("header", "episodes", "reviews") and row.reason
		assert isinstance(row.row_number, int) and row.row_number >= 2
	for issue in result.issues:
		assert issue.child in accepted and issue.rule and issue.severity in (ssda903.ERROR, ssda903.WARNING)
	assert len({issue.key for issue in result.issues}) == len({(i.key, i.row_number) for i in result.issues})
	for child in children:
		ssda903.record_fingerprint(child)
		child.date_entered_care, child.date_left_care, child.legal_status, child.placement_postcode
	if header_rows is not None:
		assert accepted == _identifiable(header_rows, episode_rows)


cells = st.sampled_from(["header", "episodes"]).flatmap(
	lambda file: st.tuples(
		st.just(file),
		st.integers(0, len(HEADER_ROWS if file == "header" else EPISODE_ROWS) - 1),
		st.integers(0, len(HEADER_ROWS[0] if file == "header" else EPISODE_ROWS[0]) - 1),
	)
)


@settings(max_examples=300, deadline=None)
@given(cell=cells, value=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20))
def test_corrupting_a_cell_keeps_every_identifiable_child_and_touches_no_other(cell, value):
	file, row, column = cell
	header_rows = [list(r) for r in HEADER_ROWS]
	episode_rows = [list(r) for r in EPISODE_ROWS]
	target = header_rows if file == "header" else episode_rows
	touched_child = target[row][0] if row else None
	target[row][column] = value
	try:
		result = read(csv_bytes(header_rows), csv_bytes(episode_rows))
	except MalformedFile:
		assert row == 0  # only a damaged column name can spoil the whole file
		return
	if "\n" in value or "\r" in value or '"' in value:
		_check_result(result)  # a line break inside a cell may shift rows: no oracle for the child set
		return
	_check_result(result, header_rows, episode_rows)
	if row and column != 0:
		fingerprints = {child.social_care_id: ssda903.record_fingerprint(child) for child in result.children}
		for child, fingerprint in BASELINE.items():
			if child != touched_child:
				assert fingerprints[child] == fingerprint
				assert [i for i in result.issues if i.child == child] == BASELINE_ISSUES[child]


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
		result = read(header, episodes)
	except MalformedFile:
		return
	_check_result(result)


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
	result = read(
		csv_bytes(HEADER_ROWS[:1] + headers, encoding, line_end),
		csv_bytes(EPISODE_ROWS[:1] + body, encoding, line_end),
	)
	assert {child.social_care_id: ssda903.record_fingerprint(child) for child in result.children} == BASELINE
	assert {issue.key for issue in result.issues} == {issue.key for issue in BASELINE_RESULT.issues}
	assert {row.child for row in result.rejected} == {"1005"}


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
	result = read(*pl_la_files("373", "886"), known_la_codes={"373", "886"})
	assert result.rejected == [] and result.issues == []
	assert result.children[0].placement_la == "886"
	assert [e.placement_la for e in result.children[0].episodes] == ["373", "886"]
	assert read(*pl_la_files("373", "wal"), known_la_codes={"373"}).children[0].placement_la == "WAL"


@pytest.mark.parametrize("value", ["999", "12", "ENG", "3734"])
def test_an_unknown_placement_la_is_an_issue_and_left_out(value):
	result = read(*pl_la_files(value), known_la_codes={"373", "886"})
	(child,) = result.children
	assert child.placement_la is None
	assert [(issue.column, issue.file, issue.value) for issue in result.issues] == [
		("PL_LA", "episodes", value)
	]


def test_placement_la_is_optional():
	result = read()
	assert all(child.placement_la is None for child in result.children)
	assert not any(issue.column == "PL_LA" for issue in result.issues)


def _ended(start, end, reason):
	return ssda903.Episode(
		start=start,
		reason_new="S",
		legal_status="C2",
		category_of_need="N1",
		placement_type="U1",
		placement_provider="PR1",
		end=end,
		reason_ceased=reason,
		reason_place_change=None,
		home_postcode=None,
		placement_postcode=None,
		urn=None,
	)


def test_date_of_death_is_the_dec_of_a_latest_episode_ceased_e2():
	died = _ended(date(2024, 1, 8), date(2025, 10, 20), "E2")
	assert ssda903.date_of_death([died]) == date(2025, 10, 20)
	assert ssda903.date_of_death([_ended(date(2024, 1, 8), date(2025, 10, 20), "E4A")]) is None
	assert ssda903.date_of_death([]) is None
	# an E2 followed by a later episode is a data error, not a death: the latest episode decides
	later = _ended(date(2025, 11, 1), None, None)
	assert ssda903.date_of_death([died, later]) is None


def test_each_row_is_let_go_once_its_child_is_read(monkeypatch):
	"""Issue #19 item 8: the rows of a large file and the records read from them are never both whole in
	memory: when the children are read, the tables hold no rows any more (each child's rows are held by
	that child's group alone, and let go when it is read)."""
	tables, rows_held = [], []
	read_tables, read_child = ssda903._read_tables, ssda903._read_child

	def keep_tables(given, *args):
		tables.extend(given)
		return read_tables(given, *args)

	def spy(child, rows, *args):
		rows_held.append(sum(len(table.rows) for table in tables))
		return read_child(child, rows, *args)

	monkeypatch.setattr(ssda903, "_read_tables", keep_tables)
	monkeypatch.setattr(ssda903, "_read_child", spy)
	result = read()
	assert result.children and len(rows_held) == len(result.children) + len(
		{row.child for row in result.rejected}
	)
	assert set(rows_held) == {0}
