"""School attendance: weekly returns per pupil, attendance %, persistent and severe absence.

Sources: DfE "Working together to improve school attendance" (statutory guidance, August 2024) and the
School Attendance (Pupil Registration) (England) Regulations 2024 for the session codes (shipped as data
in ``data/attendance_codes.json``); DfE "Pupil absence in schools in England" for the measures:

- a school day has two sessions (morning and afternoon), so a week has at most 10 possible sessions;
- attendance % = sessions attended / possible sessions; attending an approved educational activity away
  from school (codes K, V, P, W, B) counts as attending;
- a pupil is **persistently absent** when they miss 10% or more of their possible sessions and **severely
  absent** when they miss 50% or more (a severely absent pupil is also persistently absent);
- suspension (code E) is authorised absence, also counted on its own.

A weekly return is one row per pupil per week: the UPN, the Monday the week starts, and either the
session codes or the four counts (possible, attended, authorised, unauthorised, optionally suspended).
Each row stands alone: a bad row is reported with its row number, column and reason and the rest import.
This module imports nothing from Frappe.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from virtual_school.domain import gias_mapping
from virtual_school.domain.csv_text import decode_csv_text
from virtual_school.domain.school_days import academic_year_bounds, academic_year_of
from virtual_school.domain.upn import InvalidUPN, validate_upn

__all__ = [
	"CODES_PATH",
	"MAX_SESSIONS_PER_WEEK",
	"PERSISTENT_ABSENCE_PERCENT",
	"SEVERE_ABSENCE_PERCENT",
	"AttendanceSummary",
	"MalformedFile",
	"RejectedRow",
	"SessionCounts",
	"WeekReturn",
	"absence_band",
	"attendance_percent",
	"counts_from_codes",
	"load_codes",
	"read_attendance_csv",
	"summarise",
	"term_for_week",
	"week_academic_year",
]

CODES_PATH = Path(__file__).resolve().parent.parent / "data" / "attendance_codes.json"
MAX_SESSIONS_PER_WEEK = 10
PERSISTENT = "Persistent absence"
SEVERE = "Severe absence"
# DfE: a pupil missing 10% or more of possible sessions is persistently absent, 50% or more severely absent.
PERSISTENT_ABSENCE_PERCENT = 10
SEVERE_ABSENCE_PERCENT = 50
TERMS = ("Autumn", "Spring", "Summer")

_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y")
_SPACES = re.compile(r"[\s_]+")
_SEPARATORS = re.compile(r"[\s,;|]+")
_NO_SESSION = {"-", "."}  # no session that half-day (weekend, not yet recorded)

# Column names as they appear in a file (upper-cased, spaces and underscores as one space) -> field.
_COLUMNS = {
	"UPN": "upn",
	"WEEK STARTING": "week_starting",
	"WEEK COMMENCING": "week_starting",
	"WEEK": "week_starting",
	"POSSIBLE SESSIONS": "possible",
	"POSSIBLE": "possible",
	"SESSIONS ATTENDED": "attended",
	"ATTENDED": "attended",
	"AUTHORISED ABSENCE": "authorised",
	"AUTHORISED": "authorised",
	"UNAUTHORISED ABSENCE": "unauthorised",
	"UNAUTHORISED": "unauthorised",
	"SUSPENSION SESSIONS": "suspended",
	"SUSPENDED": "suspended",
	"SESSION CODES": "codes",
	"CODES": "codes",
	"MARKS": "codes",
	"URN": "urn",
}
_COUNT_FIELDS = ("possible", "attended", "authorised", "unauthorised")
_FIELD_LABELS = {
	"upn": "UPN",
	"week_starting": "Week Starting",
	"possible": "Possible Sessions",
	"attended": "Sessions Attended",
	"authorised": "Authorised Absence",
	"unauthorised": "Unauthorised Absence",
	"suspended": "Suspension Sessions",
	"codes": "Session Codes",
	"urn": "URN",
}


class RejectedRow(gias_mapping.RejectedRow):
	"""An attendance row that was not imported. Rows count the header as 1."""

	def __init__(self, row_number: int | None, column: str | None, reason: str, upn: str | None = None):
		super().__init__(row_number, column, reason)
		self.upn = upn

	def as_dict(self) -> dict:
		return {"upn": self.upn, **super().as_dict()}


class MalformedFile(gias_mapping.MalformedFile):
	"""The file as a whole cannot be read as an attendance return."""


def load_codes(path: str | Path | None = None) -> dict[str, dict[str, str]]:
	"""The DfE attendance codes by category (present, attending_elsewhere, authorised_absence, ...)."""
	with open(path or CODES_PATH, encoding="utf-8") as handle:
		data = json.load(handle)
	return {category: codes for category, codes in data.items() if not category.startswith("_")}


_CODES = load_codes()
_CATEGORY_OF = {code: category for category, codes in _CODES.items() for code in codes}
_LONGEST_CODE = max(len(code) for code in _CATEGORY_OF)


@dataclass(frozen=True)
class SessionCounts:
	"""Sessions in a period. ``attended + authorised + unauthorised == possible``; suspended ⊆ authorised."""

	possible: int = 0
	attended: int = 0
	authorised: int = 0
	unauthorised: int = 0
	suspended: int = 0

	@property
	def absent(self) -> int:
		return self.authorised + self.unauthorised

	def __add__(self, other: SessionCounts) -> SessionCounts:
		return SessionCounts(
			self.possible + other.possible,
			self.attended + other.attended,
			self.authorised + other.authorised,
			self.unauthorised + other.unauthorised,
			self.suspended + other.suspended,
		)

	def problems(self) -> list[tuple[str, str]]:
		"""(field, reason) for every way these counts are impossible; empty when they are consistent."""
		found = []
		for field in ("possible", "attended", "authorised", "unauthorised", "suspended"):
			if getattr(self, field) < 0:
				found.append((field, f"{_FIELD_LABELS[field]} cannot be negative"))
		if found:
			return found
		if self.attended > self.possible:
			found.append(
				(
					"attended",
					f"sessions attended ({self.attended}) is more than the possible sessions ({self.possible})",
				)
			)
		elif self.attended + self.absent != self.possible:
			found.append(
				(
					"possible",
					f"attended ({self.attended}) + authorised ({self.authorised}) + unauthorised"
					f" ({self.unauthorised}) = {self.attended + self.absent}, not the {self.possible} possible sessions",
				)
			)
		if self.suspended > self.authorised:
			found.append(
				(
					"suspended",
					f"suspension sessions ({self.suspended}) are authorised absence, so cannot exceed"
					f" the authorised absence ({self.authorised})",
				)
			)
		return found


def attendance_percent(possible: int, attended: int) -> float | None:
	"""Attended as a percentage of possible sessions, to one decimal place; None with no possible sessions."""
	if possible <= 0:
		return None
	return round(100.0 * attended / possible, 1)


def absence_band(possible: int, attended: int) -> str | None:
	"""``SEVERE`` when 50% or more of possible sessions were missed, ``PERSISTENT`` at 10% or more, else None.

	Exact integer comparisons, so a pupil who missed exactly 10% (or 50%) is in the band.
	"""
	if possible <= 0:
		return None
	missed = possible - attended
	if missed * 100 >= SEVERE_ABSENCE_PERCENT * possible:
		return SEVERE
	if missed * 100 >= PERSISTENT_ABSENCE_PERCENT * possible:
		return PERSISTENT
	return None


@dataclass(frozen=True)
class AttendanceSummary:
	counts: SessionCounts
	percent: float | None
	band: str | None
	weeks: int

	@classmethod
	def of(cls, counts: SessionCounts, weeks: int) -> AttendanceSummary:
		return cls(
			counts,
			attendance_percent(counts.possible, counts.attended),
			absence_band(counts.possible, counts.attended),
			weeks,
		)

	@property
	def persistent(self) -> bool:
		return self.band in (PERSISTENT, SEVERE)

	@property
	def severe(self) -> bool:
		return self.band == SEVERE


def summarise(weeks: Iterable[SessionCounts]) -> AttendanceSummary:
	"""Attendance over a set of weekly counts (a term, a year)."""
	total, count = SessionCounts(), 0
	for week in weeks:
		total += week
		count += 1
	return AttendanceSummary.of(total, count)


def counts_from_codes(codes: str) -> SessionCounts:
	"""Session counts from a week's register marks, e.g. ``"/\\/\\ I I /\\ N /\\"``.

	Marks may be separated by spaces or commas or run together; two-character codes (C1, C2, J1, Y1-Y7)
	are read first. "-" and "." are no session. Raises ValueError naming the first unknown mark.
	"""
	marks = _split_marks(codes)
	categories = [_CATEGORY_OF[mark] for mark in marks]
	attended = sum(category in ("present", "attending_elsewhere") for category in categories)
	authorised = categories.count("authorised_absence")
	unauthorised = categories.count("unauthorised_absence")
	return SessionCounts(
		possible=attended + authorised + unauthorised,
		attended=attended,
		authorised=authorised,
		unauthorised=unauthorised,
		suspended=marks.count("E"),
	)


def _split_marks(codes: str) -> list[str]:
	marks = []
	for chunk in _SEPARATORS.split(codes.strip()):
		position = 0
		text = chunk.upper()
		while position < len(text):
			for length in range(min(_LONGEST_CODE, len(text) - position), 0, -1):
				mark = text[position : position + length]
				if mark in _CATEGORY_OF or (length == 1 and mark in _NO_SESSION):
					break
			else:
				raise ValueError(f"{chunk[position]!r} is not a DfE attendance code")
			if mark not in _NO_SESSION:
				marks.append(mark)
			position += length
	return marks


def week_academic_year(week_starting: date) -> str:
	"""The academic year a school week belongs to: the year of its Friday (1 Sept may be mid-week)."""
	return academic_year_of(week_starting + timedelta(days=4))


def term_for_week(week_starting: date, half_terms: Sequence[tuple[str, date, date]] = ()) -> str:
	"""Autumn, Spring or Summer for a week: the term of the calendar's half-term it falls in (its name's
	first word, e.g. "Spring 2" -> "Spring"); a holiday week belongs to the half-term before it. Without a
	matching half-term, by month of the week's Friday: Sept-Dec Autumn, Jan-Mar Spring, Apr-Aug Summer.
	"""
	friday = week_starting + timedelta(days=4)
	academic_year = week_academic_year(week_starting)
	first_day, _ = academic_year_bounds(academic_year)
	season = None
	for name, start, _end in sorted(half_terms, key=lambda term: term[1]):
		if first_day <= start <= friday:
			word = (name or "").split(" ")[0].title()
			season = word if word in TERMS else season
	if season:
		return season
	return "Autumn" if friday.month >= 9 else "Spring" if friday.month <= 3 else "Summer"


@dataclass(frozen=True)
class WeekReturn:
	"""One valid row of an attendance file."""

	row_number: int
	upn: str
	week_starting: date
	counts: SessionCounts
	codes: str | None = None
	urn: str | None = None

	@property
	def academic_year(self) -> str:
		return week_academic_year(self.week_starting)


def _decode(content: bytes) -> str:
	try:
		return decode_csv_text(content)
	except ValueError as error:
		raise MalformedFile(f"the file is {error}") from error


def _column_key(name: str | None) -> str:
	return _SPACES.sub(" ", (name or "").lstrip("\ufeff").strip().upper())


def _parse_date(value: str) -> date | None:
	for date_format in _DATE_FORMATS:
		try:
			return datetime.strptime(value, date_format).date()
		except ValueError:
			continue
	return None


def _count(value: str | None, field: str) -> int | None:
	if value is None:
		return None
	try:
		number = float(value)
	except ValueError:
		raise ValueError(f"{_FIELD_LABELS[field]} {value!r} is not a whole number") from None
	if number != int(number):
		raise ValueError(f"{_FIELD_LABELS[field]} {value!r} is not a whole number")
	return int(number)


def read_attendance_csv(
	content: bytes,
	academic_year: str,
	today: date,
	known_la_codes: Collection[str] | None = None,
) -> tuple[list[WeekReturn], list[RejectedRow]]:
	"""Read a weekly attendance file for ``academic_year`` ("2026-27").

	Required columns: UPN and Week Starting, then either Session Codes or Possible Sessions, Sessions
	Attended, Authorised Absence and Unauthorised Absence (Suspension Sessions optional). Column names
	are matched without regard to case, spaces or underscores. Raises MalformedFile for a file that
	cannot be read at all; returns the valid rows and the rejected ones (with row, column and reason).
	"""
	if not isinstance(content, (bytes, bytearray, memoryview)):
		raise TypeError(f"read_attendance_csv takes the file as bytes, not {type(content).__name__}")
	academic_year_bounds(academic_year)  # a bad label is the caller's mistake: ValueError
	text = _decode(bytes(content)).replace("\x00", "\ufffd")
	try:
		reader = csv.reader(io.StringIO(text, newline=""))
		header = next(reader, None)
		if not header or not any(cell.strip() for cell in header):
			raise MalformedFile("the file is empty: there is no header row")
		fields = [_COLUMNS.get(_column_key(name)) for name in header]
		rows = list(enumerate(reader, start=2))
	except csv.Error as error:
		raise MalformedFile(f"the file is not readable CSV: {error}") from error
	present = {field for field in fields if field}
	missing = [_FIELD_LABELS[field] for field in ("upn", "week_starting") if field not in present]
	if "codes" not in present:
		missing += [_FIELD_LABELS[field] for field in _COUNT_FIELDS if field not in present]
	if missing:
		raise MalformedFile(
			"the file lacks the column(s) " + ", ".join(missing) + " (give Session Codes or the four counts)",
			missing,
		)
	valid, rejected, seen = [], [], {}
	for row_number, cells in rows:
		if not any(cell.strip() for cell in cells):
			continue
		try:
			week = _read_row(row_number, header, fields, cells, academic_year, today, known_la_codes)
		except RejectedRow as error:
			rejected.append(error)
			continue
		key = (week.upn, week.week_starting, week.urn)
		if key in seen:
			rejected.append(
				RejectedRow(
					row_number,
					"Week Starting",
					f"this pupil's week starting {week.week_starting:%d/%m/%Y} is already in row {seen[key]}",
					week.upn,
				)
			)
			continue
		seen[key] = row_number
		valid.append(week)
	return valid, rejected


def _read_row(
	row_number: int,
	header: list[str],
	fields: list[str | None],
	cells: list[str],
	academic_year: str,
	today: date,
	known_la_codes: Collection[str] | None,
) -> WeekReturn:
	if len(cells) != len(header):
		raise RejectedRow(
			row_number, None, f"the row has {len(cells)} values but the header has {len(header)}"
		)
	values = {}
	for field, cell in zip(fields, cells, strict=True):
		if field and field not in values:
			values[field] = _SPACES.sub(" ", cell).strip() or None
	raw_upn = values.get("upn")

	def reject(field: str | None, reason: str) -> RejectedRow:
		return RejectedRow(row_number, _FIELD_LABELS.get(field) if field else None, reason, raw_upn)

	if not raw_upn:
		raise reject("upn", "the UPN is missing")
	try:
		upn = validate_upn(raw_upn, known_la_codes)
	except InvalidUPN as error:
		raise reject("upn", str(error)) from None

	raw_week = values.get("week_starting")
	if not raw_week:
		raise reject("week_starting", "the week starting date is missing")
	week_starting = _parse_date(raw_week)
	if week_starting is None:
		raise reject("week_starting", f"{raw_week!r} is not a date in the form dd/mm/yyyy")
	if week_starting.weekday() != 0:
		raise reject(
			"week_starting",
			f"{week_starting:%d/%m/%Y} is a {week_starting:%A}: give the Monday the week starts on",
		)
	if week_academic_year(week_starting) != academic_year:
		raise reject(
			"week_starting",
			f"the week starting {week_starting:%d/%m/%Y} is outside the academic year {academic_year}",
		)
	if week_starting > today:
		raise reject("week_starting", f"the week starting {week_starting:%d/%m/%Y} has not begun yet")

	counts = None
	codes = values.get("codes")
	if codes:
		try:
			counts = counts_from_codes(codes)
		except ValueError as error:
			raise reject("codes", str(error)) from None
	given = {}
	for field in (*_COUNT_FIELDS, "suspended"):
		try:
			number = _count(values.get(field), field)
		except ValueError as error:
			raise reject(field, str(error)) from None
		if number is not None:
			given[field] = number
	if counts is None:
		absent = [field for field in _COUNT_FIELDS if field not in given]
		if absent:
			raise reject(absent[0], f"{_FIELD_LABELS[absent[0]]} is missing")
		counts = SessionCounts(**{"suspended": 0, **given})
	else:
		for field, number in given.items():
			if getattr(counts, field) != number:
				raise reject(
					field,
					f"{_FIELD_LABELS[field]} is {number} but the session codes give {getattr(counts, field)}",
				)
	for field, reason in counts.problems():
		raise reject(field, reason)
	if counts.possible > MAX_SESSIONS_PER_WEEK:
		raise reject(
			"possible",
			f"{counts.possible} possible sessions in one week: a week has at most {MAX_SESSIONS_PER_WEEK}"
			" (five days, morning and afternoon)",
		)
	return WeekReturn(row_number, upn, week_starting, counts, codes, values.get("urn"))
