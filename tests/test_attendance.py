"""Attendance measures, register codes and the weekly attendance file (virtual_school.domain.attendance)."""

import csv
import io
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtual_school.domain import attendance
from virtual_school.domain.attendance import (
	PERSISTENT,
	SEVERE,
	MalformedFile,
	SessionCounts,
	absence_band,
	attendance_percent,
	counts_from_codes,
	read_attendance_csv,
	summarise,
	term_for_week,
)
from virtual_school.domain.upn import check_letter

TODAY = date(2026, 11, 23)
YEAR = "2026-27"


def upn(body: str) -> str:
	"""A valid UPN: the right check letter before ``body`` (UPN characters 2 to 13)."""
	return check_letter(body) + body


UPN_A = upn("938202600011")
UPN_B = upn("938202600022")


def csv_bytes(*rows: str) -> bytes:
	return ("\r\n".join(rows) + "\r\n").encode()


HEADER = "UPN,Week Starting,Possible Sessions,Sessions Attended,Authorised Absence,Unauthorised Absence"


# --- the measures ------------------------------------------------------------------------------------


def test_persistent_absence_starts_at_exactly_ten_percent_missed():
	assert absence_band(100, 91) is None  # 9% missed
	assert absence_band(100, 90) == PERSISTENT  # 10% missed
	assert absence_band(10, 9) == PERSISTENT  # one session in ten
	assert absence_band(11, 10) is None  # 9.09%


def test_severe_absence_starts_at_exactly_fifty_percent_missed():
	assert absence_band(100, 51) == PERSISTENT
	assert absence_band(100, 50) == SEVERE
	assert absence_band(10, 0) == SEVERE
	assert absence_band(3, 2) == PERSISTENT  # 33%
	assert absence_band(3, 1) == SEVERE  # 66%


def test_no_possible_sessions_has_no_percentage_or_band():
	assert attendance_percent(0, 0) is None
	assert absence_band(0, 0) is None


def test_attendance_percent_rounds_to_one_place():
	assert attendance_percent(190, 171) == 90.0
	assert attendance_percent(3, 2) == 66.7


@given(st.integers(min_value=1, max_value=2000), st.data())
def test_band_agrees_with_the_percentage_definition(possible, data):
	attended = data.draw(st.integers(min_value=0, max_value=possible))
	missed_fraction = (possible - attended) / possible
	band = absence_band(possible, attended)
	if missed_fraction >= 0.5:
		assert band == SEVERE
	elif missed_fraction >= 0.1:
		assert band == PERSISTENT
	else:
		assert band is None


def test_summary_adds_weeks_and_counts_suspension_separately():
	weeks = [SessionCounts(10, 10, 0, 0), SessionCounts(10, 6, 4, 0, suspended=4), SessionCounts(8, 7, 0, 1)]
	summary = summarise(weeks)
	assert summary.counts == SessionCounts(28, 23, 4, 1, 4)
	assert summary.percent == 82.1
	assert summary.band == PERSISTENT and summary.persistent and not summary.severe
	assert summary.weeks == 3
	assert summarise([]).percent is None


# --- register codes ----------------------------------------------------------------------------------


def test_codes_count_present_elsewhere_authorised_unauthorised_and_skip_not_possible():
	counts = counts_from_codes("/\\ /\\ I I /\\ NO # #")
	assert counts == SessionCounts(possible=10, attended=6, authorised=2, unauthorised=2)
	assert counts_from_codes("/\\/\\/\\/\\/\\").attended == 10


def test_two_character_codes_and_suspension():
	counts = counts_from_codes("C1 C2 J1 Y1 Y7 E E K V /")
	assert counts.authorised == 5 and counts.suspended == 2
	assert counts.attended == 3
	assert counts.possible == 8  # Y1 and Y7 are not possible sessions


def test_codes_run_together_and_no_session_dashes():
	assert counts_from_codes("/\\--/\\..") == SessionCounts(4, 4, 0, 0)
	assert counts_from_codes("ee") == SessionCounts(2, 0, 2, 0, 2)  # lower case accepted


def test_unknown_code_is_named():
	with pytest.raises(ValueError, match="'H' is not a DfE attendance code"):
		counts_from_codes("/\\ H")


def test_code_list_is_the_2024_set():
	codes = attendance.load_codes()
	assert set(codes) == {
		"present",
		"attending_elsewhere",
		"authorised_absence",
		"unauthorised_absence",
		"not_possible",
	}
	assert "E" in codes["authorised_absence"] and "N" in codes["unauthorised_absence"]
	assert "#" in codes["not_possible"] and "K" in codes["attending_elsewhere"]


# --- terms and academic years ------------------------------------------------------------------------


def test_week_academic_year_is_that_of_its_friday():
	assert attendance.week_academic_year(date(2026, 8, 31)) == "2026-27"  # Friday 4 September
	assert attendance.week_academic_year(date(2026, 8, 24)) == "2025-26"


def test_term_from_the_calendar_half_terms_then_by_month():
	half_terms = [
		("Autumn 1", date(2026, 9, 1), date(2026, 10, 23)),
		("Autumn 2", date(2026, 11, 2), date(2026, 12, 18)),
		("Spring 1", date(2027, 1, 4), date(2027, 2, 12)),
		("Spring 2", date(2027, 2, 22), date(2027, 4, 1)),
		("Summer 1", date(2027, 4, 19), date(2027, 5, 28)),
	]
	assert term_for_week(date(2026, 10, 26), half_terms) == "Autumn"  # half-term week
	assert term_for_week(date(2027, 3, 29), half_terms) == "Spring"  # Spring 2 runs into April
	assert term_for_week(date(2027, 4, 5), half_terms) == "Spring"  # Easter holiday follows Spring 2
	assert term_for_week(date(2027, 4, 19), half_terms) == "Summer"
	assert term_for_week(date(2027, 4, 12)) == "Summer"  # no calendar: by month
	assert term_for_week(date(2027, 1, 4)) == "Spring"


# --- the file ----------------------------------------------------------------------------------------


def read(content: bytes, **kwargs):
	return read_attendance_csv(
		content, kwargs.pop("academic_year", YEAR), kwargs.pop("today", TODAY), **kwargs
	)


def test_counts_file_reads_valid_rows():
	valid, rejected = read(csv_bytes(HEADER, f"{UPN_A},02/11/2026,10,9,1,0", f"{UPN_B},2026-11-02,10,4,0,6"))
	assert rejected == []
	assert [(w.upn, w.week_starting, w.counts.attended) for w in valid] == [
		(UPN_A, date(2026, 11, 2), 9),
		(UPN_B, date(2026, 11, 2), 4),
	]
	assert valid[0].academic_year == YEAR and valid[0].row_number == 2


def test_codes_file_with_lowercase_underscored_headers():
	valid, rejected = read(csv_bytes("upn,week_starting,session_codes", f"{UPN_A},09/11/2026,/\\/\\/\\IIEE"))
	assert rejected == []
	assert valid[0].counts == SessionCounts(10, 6, 4, 0, 2)
	assert valid[0].codes == "/\\/\\/\\IIEE"


def test_counts_must_agree_with_codes_when_both_are_given():
	valid, rejected = read(
		csv_bytes("UPN,Week Starting,Session Codes,Sessions Attended", f"{UPN_A},09/11/2026,/\\/\\II,3")
	)
	assert valid == []
	assert rejected[0].column == "Sessions Attended"
	assert "codes give 4" in rejected[0].reason


@pytest.mark.parametrize(
	("row", "column", "reason"),
	[
		("{a},02/11/2026,10,11,0,0", "Sessions Attended", "more than the possible"),
		("{a},02/11/2026,10,8,1,0", "Possible Sessions", "not the 10 possible"),
		("{a},02/11/2026,12,12,0,0", "Possible Sessions", "at most 10"),
		("{a},02/11/2026,10,-1,11,0", "Sessions Attended", "negative"),
		("{a},02/11/2026,10,9.5,0.5,0", "Sessions Attended", "whole number"),
		("{a},03/11/2026,10,10,0,0", "Week Starting", "is a Tuesday"),
		("{a},17/08/2026,10,10,0,0", "Week Starting", "outside the academic year"),
		("{a},31/08/2026,10,10,0,0", None, None),  # its Friday is 4 September 2026
		("{a},07/09/2026,10,10,0,0", None, None),
		("{a},30/11/2026,10,10,0,0", "Week Starting", "has not begun"),
		("{a},2/31/2026,10,10,0,0", "Week Starting", "not a date"),
		(",02/11/2026,10,10,0,0", "UPN", "missing"),
		("{bad},02/11/2026,10,10,0,0", "UPN", "check letter"),
		("{a},02/11/2026,10,10,0", None, "header has 6"),
	],
)
def test_bad_rows_are_rejected_with_row_column_and_reason(row, column, reason):
	bad_upn = ("A" if UPN_A[0] != "A" else "B") + UPN_A[1:]
	content = csv_bytes(HEADER, f"{UPN_B},02/11/2026,10,10,0,0", row.format(a=UPN_A, bad=bad_upn))
	valid, rejected = read(content)
	if reason is None:
		assert len(valid) == 2 and rejected == []
		return
	assert [w.upn for w in valid] == [UPN_B]  # the good row still reads
	assert len(rejected) == 1
	assert rejected[0].row_number == 3
	assert rejected[0].column == column
	assert reason in rejected[0].reason


def test_week_before_the_academic_year_is_outside_it():
	valid, rejected = read(csv_bytes(HEADER, f"{UPN_A},24/08/2026,10,10,0,0"))
	assert valid == [] and "outside the academic year 2026-27" in rejected[0].reason


def test_suspension_cannot_exceed_authorised_absence():
	content = csv_bytes(HEADER + ",Suspension Sessions", f"{UPN_A},02/11/2026,10,8,2,0,3")
	_, rejected = read(content)
	assert rejected[0].column == "Suspension Sessions"


def test_the_same_pupil_week_twice_is_rejected_the_second_time():
	content = csv_bytes(HEADER, f"{UPN_A},02/11/2026,10,10,0,0", f"{UPN_A},02/11/2026,10,9,1,0")
	valid, rejected = read(content)
	assert len(valid) == 1
	assert rejected[0].row_number == 3 and "already in row 2" in rejected[0].reason


def test_unknown_la_code_in_upn_rejected_when_codes_are_given():
	valid, rejected = read(csv_bytes(HEADER, f"{UPN_A},02/11/2026,10,10,0,0"), known_la_codes={"201"})
	assert valid == [] and rejected[0].column == "UPN"


def test_missing_columns_make_the_file_malformed():
	with pytest.raises(MalformedFile, match="Sessions Attended") as raised:
		read(csv_bytes("UPN,Week Starting,Possible Sessions", f"{UPN_A},02/11/2026,10"))
	assert "Sessions Attended" in raised.value.missing_columns
	with pytest.raises(MalformedFile, match="empty"):
		read(b"")
	with pytest.raises(MalformedFile, match="UPN"):
		read(csv_bytes("Pupil,Week Starting,Session Codes", "x,02/11/2026,/\\"))


def test_blank_lines_are_skipped_and_windows_1252_is_read():
	content = (HEADER + "\r\n\r\n" + f"{UPN_A},02/11/2026,10,10,0,0\r\n").encode("cp1252")
	valid, rejected = read(b"\xef\xbb\xbf" + content)
	assert len(valid) == 1 and rejected == []


def test_a_bad_academic_year_label_is_a_caller_error():
	with pytest.raises(ValueError):
		read(csv_bytes(HEADER), academic_year="2026")


@given(st.binary(max_size=400))
def test_random_bytes_never_crash(content):
	"""Random bytes almost never make a readable header, so this only shows that nothing crashes; what
	happens to the rows is the next test's, under a valid header."""
	try:
		read(content)
	except MalformedFile:
		return


UPN_C = upn("938202600033")  # only ever in the one good row, so no random row can be its duplicate
MONDAYS = [date(2026, 8, 31) + timedelta(weeks=n) for n in range(13)]  # 31 Aug to 23 Nov 2026 (TODAY)
random_cell = st.one_of(
	st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
	st.sampled_from([UPN_A, UPN_B, "02/11/2026", "2026-11-09", "03/11/2026", "10", "9", "1", "0", "-1", " "]),
)


@st.composite
def good_row(draw) -> tuple[list[str], tuple]:
	"""A row that must be read: a Monday of the year that has begun, counts that add up."""
	monday = draw(st.sampled_from(MONDAYS))
	possible = draw(st.integers(0, 10))
	attended = draw(st.integers(0, possible))
	authorised = draw(st.integers(0, possible - attended))
	unauthorised = possible - attended - authorised
	cells = [
		UPN_C,
		draw(st.sampled_from([f"{monday:%d/%m/%Y}", monday.isoformat()])),
		*map(str, (possible, attended, authorised, unauthorised)),
	]
	return cells, (UPN_C, monday, SessionCounts(possible, attended, authorised, unauthorised))


@settings(max_examples=300, deadline=None)
@given(
	st.lists(st.lists(random_cell, min_size=5, max_size=7), max_size=8),
	good_row(),
	st.integers(0, 8),
)
def test_random_cells_under_a_valid_header_are_each_read_or_rejected(random_rows, good, position):
	good_cells, expected = good
	position = min(position, len(random_rows))
	rows = [*random_rows[:position], good_cells, *random_rows[position:]]
	out = io.StringIO()
	csv.writer(out).writerows([HEADER.split(","), *rows])
	valid, rejected = read(out.getvalue().encode())
	# every row that is not blank comes back exactly once, read or rejected (row 1 is the header)
	not_blank = [number for number, cells in enumerate(rows, start=2) if any(cell.strip() for cell in cells)]
	assert sorted([week.row_number for week in valid] + [row.row_number for row in rejected]) == not_blank
	assert all(isinstance(row, attendance.RejectedRow) and row.reason for row in rejected)
	for week in valid:
		assert week.counts.problems() == []
		assert week.counts.possible <= attendance.MAX_SESSIONS_PER_WEEK
		assert MONDAYS[0] <= week.week_starting <= TODAY and week.week_starting.weekday() == 0
	# the good row is read as written, whatever the rows around it hold
	(found,) = [week for week in valid if week.row_number == position + 2]
	assert (found.upn, found.week_starting, found.counts) == expected


@given(st.lists(st.sampled_from(["/", "\\", "L", "I", "E", "N", "#", "Y1", "C2", "K", "-"]), max_size=10))
def test_counts_from_any_codes_are_consistent(marks):
	counts = counts_from_codes(" ".join(marks))
	assert counts.problems() == []
	assert counts.possible == sum(mark not in ("#", "Y1", "-") for mark in marks)
