"""Calendar, working and school days: the three kinds of day that statutory clocks count in.

Every clock names its kind of day (STATUTORY.md), for example:

- **School days**: in-year admission outcome within 15 school days (School Admissions Code 2021);
  reinstatement considered within 15 school days, at most 45 school days of suspension a school year
  (SI 2012/1033 regs 6, 15, 24). A "school day" is a day on which the school holds a session, so INSET
  days and other closures are not school days.
- **Working days**: first LAC review within 20 working days, care plan within 10, placement plan within 5
  (SI 2010/959 regs 4, 9 and 33). Mon-Fri except bank holidays; school terms play no part.
- **Calendar days**: s97A directions, 7 days to make representations, 7 days to refer to the Schools
  Adjudicator (SSFA 1998 ss97A-97C; OSA: "actual days - not working days").

Counting follows the usual statutory reading of "within N days of X": day 1 is the day after X. So
``add_days(x, n, kind, ...)`` is the n-th day of ``kind`` after ``x`` and ``count_days(a, b, kind, ...)``
counts days of ``kind`` in the half-open interval (a, b], giving ``count_days(x, add_days(x, n)) == n``.

Counting is arithmetic on day ordinals (weekdays by formula, minus sorted holidays and closures found by
bisection), so one count costs O(log(terms + holidays)) once a calendar's index is built.

Academic years run 1 September to 31 August (the DfE data convention, labelled "2025-26"); the legal
"school year" of SI 1999/3181 reg 2 starts with the first term after July, which this approximates.
This module imports nothing from Frappe: ``virtual_school.calendar.clocks`` feeds it the site's data.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from functools import cached_property, lru_cache

__all__ = [
	"DayKind",
	"SchoolCalendar",
	"academic_year_bounds",
	"academic_year_of",
	"add_calendar_days",
	"add_days",
	"add_school_days",
	"add_working_days",
	"count_calendar_days",
	"count_days",
	"count_school_days",
	"count_working_days",
	"easter_sunday",
	"england_bank_holidays",
	"is_school_day",
	"is_working_day",
	"key_stage",
	"standard_term_pattern",
	"year_group",
]


class DayKind(str, Enum):
	"""The kind of day a statutory clock counts. Values are what DocType Select fields store."""

	CALENDAR = "Calendar"
	WORKING = "Working"
	SCHOOL = "School"

	def __str__(self) -> str:
		return self.value


# --- day arithmetic on ordinals -------------------------------------------------------------------------
# date(1, 1, 1) has ordinal 1 and is a Monday, so an ordinal's weekday is (ordinal - 1) % 7 (0 = Monday).


def _weekdays_upto(ordinal: int) -> int:
	"""Number of Mon-Fri days with ordinal 1..``ordinal`` (inclusive); 0 for ordinal <= 0."""
	if ordinal <= 0:
		return 0
	weeks, rest = divmod(ordinal, 7)
	return 5 * weeks + min(rest, 5)


def _is_weekday_ordinal(ordinal: int) -> bool:
	return (ordinal - 1) % 7 < 5


def _as_date(value: date) -> date:
	"""A plain ``date`` (a ``datetime`` is cut to its date so set membership works)."""
	if isinstance(value, datetime):
		return value.date()
	if isinstance(value, date):
		return value
	raise TypeError(f"expected a date, got {type(value).__name__}: {value!r}")


class _WorkingIndex:
	"""Prefix count of working days: Mon-Fri days up to an ordinal, minus weekday bank holidays."""

	__slots__ = ("holidays",)

	def __init__(self, bank_holidays: Iterable[date]):
		self.holidays = sorted({_as_date(d).toordinal() for d in bank_holidays if _as_date(d).weekday() < 5})

	def prefix(self, ordinal: int) -> int:
		return _weekdays_upto(ordinal) - bisect.bisect_right(self.holidays, ordinal)

	def is_day(self, ordinal: int) -> bool:
		if not _is_weekday_ordinal(ordinal):
			return False
		i = bisect.bisect_left(self.holidays, ordinal)
		return not (i < len(self.holidays) and self.holidays[i] == ordinal)


@lru_cache(maxsize=64)
def _working_index_for(bank_holidays: frozenset[date]) -> _WorkingIndex:
	return _WorkingIndex(bank_holidays)


class _SchoolIndex:
	"""Prefix count of school days: weekdays inside terms, minus closures and bank holidays in terms."""

	__slots__ = ("blocked", "ends", "starts", "weekdays_before")

	def __init__(self, calendar: SchoolCalendar):
		self.starts = [start.toordinal() for start, _ in calendar.terms]
		self.ends = [end.toordinal() for _, end in calendar.terms]
		# weekdays_before[i]: Mon-Fri days in terms 0..i-1
		self.weekdays_before = [0]
		for start, end in zip(self.starts, self.ends, strict=True):
			self.weekdays_before.append(
				self.weekdays_before[-1] + _weekdays_upto(end) - _weekdays_upto(start - 1)
			)
		blocked = set()
		for day in calendar.closures | calendar.bank_holidays:
			ordinal = day.toordinal()
			if _is_weekday_ordinal(ordinal) and self._term_of(ordinal) is not None:
				blocked.add(ordinal)
		self.blocked = sorted(blocked)

	def _term_of(self, ordinal: int) -> int | None:
		i = bisect.bisect_right(self.starts, ordinal) - 1
		if i >= 0 and ordinal <= self.ends[i]:
			return i
		return None

	def prefix(self, ordinal: int) -> int:
		i = bisect.bisect_right(self.starts, ordinal) - 1
		if i < 0:
			return 0
		upto = min(ordinal, self.ends[i])
		weekdays = self.weekdays_before[i] + _weekdays_upto(upto) - _weekdays_upto(self.starts[i] - 1)
		return weekdays - bisect.bisect_right(self.blocked, ordinal)

	def is_day(self, ordinal: int) -> bool:
		if not _is_weekday_ordinal(ordinal) or self._term_of(ordinal) is None:
			return False
		i = bisect.bisect_left(self.blocked, ordinal)
		return not (i < len(self.blocked) and self.blocked[i] == ordinal)


# --- the calendar ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolCalendar:
	"""Terms, closures and bank holidays: everything needed to tell a school day from any other day.

	``terms`` are inclusive (start, end) pairs in date order and must not overlap. ``closures`` are INSET
	days and other days a school is shut during term. A school day is Mon-Fri, inside a term, and neither
	a closure nor a bank holiday (a day on which the school holds a session). Lists and sets
	are accepted and stored as a tuple of tuples and frozensets, so the calendar is hashable.
	"""

	terms: tuple[tuple[date, date], ...] = ()
	closures: frozenset[date] = frozenset()
	bank_holidays: frozenset[date] = frozenset()

	def __post_init__(self) -> None:
		terms = tuple((_as_date(start), _as_date(end)) for start, end in self.terms)
		for number, (start, end) in enumerate(terms, start=1):
			if end < start:
				raise ValueError(f"term {number} ends ({end}) before it starts ({start})")
			if number > 1:
				previous_start, previous_end = terms[number - 2]
				if start < previous_start:
					raise ValueError(
						f"terms must be in date order: term {number} starts {start}, "
						f"before term {number - 1} ({previous_start})"
					)
				if start <= previous_end:
					raise ValueError(
						f"term {number} ({start} to {end}) overlaps term {number - 1} "
						f"({previous_start} to {previous_end})"
					)
		object.__setattr__(self, "terms", terms)
		object.__setattr__(self, "closures", frozenset(_as_date(d) for d in self.closures))
		object.__setattr__(self, "bank_holidays", frozenset(_as_date(d) for d in self.bank_holidays))

	@property
	def first_term_start(self) -> date | None:
		"""First day of the first term, or None when there are no terms."""
		return self.terms[0][0] if self.terms else None

	@property
	def last_term_end(self) -> date | None:
		"""Last day of the last term: school-day clocks cannot run past it."""
		return self.terms[-1][1] if self.terms else None

	# Indexes are built on first use. cached_property writes straight to the instance __dict__, which a
	# frozen dataclass allows; they take no part in equality, hashing or repr.
	@cached_property
	def _school_index(self) -> _SchoolIndex:
		return _SchoolIndex(self)

	@cached_property
	def _working_index(self) -> _WorkingIndex:
		return _working_index_for(self.bank_holidays)

	@cached_property
	def last_school_days(self) -> tuple[date | None, ...]:
		"""Each term's last school day (None for a term with no school day), found once per calendar: the
		termly PEP review of every looked-after child falls on one of these, so a report over thousands of
		children reads them instead of counting each term again per child."""
		index = self._school_index
		found = []
		for start, end in self.terms:
			ordinal, first = end.toordinal(), start.toordinal()
			while ordinal >= first and not index.is_day(ordinal):
				ordinal -= 1
			found.append(date.fromordinal(ordinal) if ordinal >= first else None)
		return tuple(found)


HolidaysOrCalendar = SchoolCalendar | Collection[date] | None


def _bank_holidays_of(source: HolidaysOrCalendar, kind: DayKind) -> _WorkingIndex:
	if source is None:
		raise ValueError(
			f"{kind.value.lower()} days need the bank holidays (a SchoolCalendar or a set of dates); "
			"pass an empty set to mean none"
		)
	if isinstance(source, SchoolCalendar):
		return source._working_index
	if isinstance(source, frozenset):
		return _working_index_for(source)
	return _working_index_for(frozenset(_as_date(d) for d in source))


def _school_calendar_of(source: HolidaysOrCalendar) -> SchoolCalendar:
	if not isinstance(source, SchoolCalendar):
		raise ValueError(f"school days need a SchoolCalendar, got {type(source).__name__}")
	return source


def is_school_day(d: date, cal: SchoolCalendar) -> bool:
	"""Mon-Fri, inside a term, not a closure (INSET etc.) and not a bank holiday."""
	return _school_calendar_of(cal)._school_index.is_day(_as_date(d).toordinal())


def is_working_day(d: date, bank_holidays: HolidaysOrCalendar) -> bool:
	"""Mon-Fri and not a bank holiday in England; school terms do not matter."""
	return _bank_holidays_of(bank_holidays, DayKind.WORKING).is_day(_as_date(d).toordinal())


def _prefix_function(kind: DayKind, source: HolidaysOrCalendar) -> Callable[[int], int]:
	if kind is DayKind.CALENDAR:
		return lambda ordinal: ordinal
	if kind is DayKind.WORKING:
		return _bank_holidays_of(source, kind).prefix
	return _school_calendar_of(source)._school_index.prefix


def count_days(
	start: date, end: date, kind: DayKind | str, cal_or_holidays: HolidaysOrCalendar = None
) -> int:
	"""Days of ``kind`` after ``start`` up to and including ``end``: the half-open interval (start, end].

	Returns 0 when ``end <= start`` (never negative). ``cal_or_holidays`` is ignored for calendar days,
	may be a SchoolCalendar or a collection of bank holidays for working days, and must be a
	SchoolCalendar for school days. Days outside every term are not school days, so a range running past
	the calendar's last term simply counts none there (check ``last_term_end`` if that matters).
	"""
	kind = DayKind(kind)
	start_ordinal, end_ordinal = _as_date(start).toordinal(), _as_date(end).toordinal()
	prefix = _prefix_function(kind, cal_or_holidays)
	if end_ordinal <= start_ordinal:
		return 0
	return prefix(end_ordinal) - prefix(start_ordinal)


def add_days(start: date, n: int, kind: DayKind | str, cal_or_holidays: HolidaysOrCalendar = None) -> date:
	"""The n-th day of ``kind`` after ``start`` ("within n school days of X"); ``n == 0`` gives ``start``.

	Day 1 is the first day of ``kind`` after ``start``, so for n >= 1 the result is always a day of that
	kind. Raises ValueError for n < 0, and for school days when the calendar's terms end too soon
	("calendar does not cover ...") so that a missing calendar year is reported, not guessed.
	"""
	kind = DayKind(kind)
	start = _as_date(start)
	if isinstance(n, bool) or not isinstance(n, int):
		raise TypeError(f"n must be an int, got {type(n).__name__}")
	if n < 0:
		raise ValueError(f"n must be 0 or more, got {n}")
	if kind is DayKind.CALENDAR:
		return start + timedelta(days=n)
	prefix = _prefix_function(kind, cal_or_holidays)
	if n == 0:
		return start
	start_ordinal = start.toordinal()
	target = prefix(start_ordinal) + n
	if kind is DayKind.SCHOOL:
		cal = _school_calendar_of(cal_or_holidays)
		if not cal.terms:
			raise ValueError(f"calendar does not cover {n} school days after {start}: it has no terms")
		high = cal.last_term_end.toordinal()
		if high <= start_ordinal or prefix(high) < target:
			available = count_days(start, cal.last_term_end, kind, cal)
			raise ValueError(
				f"calendar does not cover {n} school days after {start}: its last term ends "
				f"{cal.last_term_end}, {available} school days after {start}. Add the next year's terms."
			)
	else:
		# Working days: at least 5 in every 7 calendar days, less at most one per bank holiday.
		step = max(7, 2 * n)
		high = start_ordinal + step
		while prefix(high) < target:
			step *= 2
			high = start_ordinal + step
			if high > date.max.toordinal():
				raise OverflowError(f"{n} working days after {start} is beyond {date.max}")
	low = start_ordinal + 1
	# Smallest ordinal in [low, high] whose prefix count reaches the target.
	while low < high:
		middle = (low + high) // 2
		if prefix(middle) >= target:
			high = middle
		else:
			low = middle + 1
	return date.fromordinal(low)


def add_calendar_days(start: date, n: int) -> date:
	"""``start`` plus n actual days (e.g. s97A's 7 days: "actual days - not working days")."""
	return add_days(start, n, DayKind.CALENDAR)


def add_working_days(start: date, n: int, bank_holidays: HolidaysOrCalendar) -> date:
	"""The n-th working day after ``start`` (e.g. first LAC review within 20 working days, reg 33)."""
	return add_days(start, n, DayKind.WORKING, bank_holidays)


def add_school_days(start: date, n: int, cal: SchoolCalendar) -> date:
	"""The n-th school day after ``start`` (e.g. in-year admission outcome within 15 school days)."""
	return add_days(start, n, DayKind.SCHOOL, cal)


def count_calendar_days(start: date, end: date) -> int:
	"""Actual days in (start, end]; 0 when end <= start."""
	return count_days(start, end, DayKind.CALENDAR)


def count_working_days(start: date, end: date, bank_holidays: HolidaysOrCalendar) -> int:
	"""Working days in (start, end]; 0 when end <= start."""
	return count_days(start, end, DayKind.WORKING, bank_holidays)


def count_school_days(start: date, end: date, cal: SchoolCalendar) -> int:
	"""School days in (start, end]; 0 when end <= start (e.g. suspension totals, SI 2012/1033)."""
	return count_days(start, end, DayKind.SCHOOL, cal)


# --- academic years, year groups and key stages ---------------------------------------------------------

_ACADEMIC_YEAR_LABEL = re.compile(r"^(\d{4})-(\d{2})$")


def academic_year_of(d: date) -> str:
	"""The academic year (1 September to 31 August, DfE data convention) containing ``d``, e.g. "2025-26"."""
	d = _as_date(d)
	start_year = d.year if d.month >= 9 else d.year - 1
	return f"{start_year}-{(start_year + 1) % 100:02d}"


def academic_year_bounds(label: str) -> tuple[date, date]:
	"""First and last day (1 Sept, 31 Aug) of an academic year labelled "YYYY-YY" with consecutive years."""
	match = _ACADEMIC_YEAR_LABEL.match(label or "") if isinstance(label, str) else None
	if not match:
		raise ValueError(f"academic year must look like 2025-26, got {label!r}")
	start_year, end_suffix = int(match.group(1)), int(match.group(2))
	if (start_year + 1) % 100 != end_suffix:
		raise ValueError(f"academic year {label!r} must name two consecutive years, e.g. 2025-26")
	return date(start_year, 9, 1), date(start_year + 1, 8, 31)


def _age_on(date_of_birth: date, on_date: date) -> int:
	return (
		on_date.year
		- date_of_birth.year
		- ((on_date.month, on_date.day) < (date_of_birth.month, date_of_birth.day))
	)


def year_group(date_of_birth: date, on_date: date) -> int | None:
	"""National Curriculum year group in England on ``on_date``: 0 = Reception, 1-13 = Year 1 to Year 13.

	Set by the child's age on the 31 August before the academic year containing ``on_date`` (aged 4 ->
	Reception, 5 -> Year 1 ... 15 -> Year 11, 17 -> Year 13). None when younger than 4 on that day (nursery
	or earlier, also a birth date after ``on_date``) or 18 and over. Children taught out of their
	chronological year group are a school's decision, not modelled here.
	"""
	date_of_birth, on_date = _as_date(date_of_birth), _as_date(on_date)
	start_year = on_date.year if on_date.month >= 9 else on_date.year - 1
	age = _age_on(date_of_birth, date(start_year, 8, 31))
	if 4 <= age <= 17:
		return age - 4
	return None


def year_group_name(year_group: int) -> str:
	"""The name schools use: 0 "Reception", 1-13 "Year 1" to "Year 13"."""
	if not 0 <= year_group <= 13:
		raise ValueError(f"year group must be 0 (Reception) to 13, got {year_group}")
	return "Reception" if year_group == 0 else f"Year {year_group}"


def year_group_label(date_of_birth: date, on_date: date) -> str:
	"""Year group name on ``on_date``, or "Early years" (under 4 on 31 August) or "Post-18"."""
	group = year_group(date_of_birth, on_date)
	if group is not None:
		return year_group_name(group)
	date_of_birth, on_date = _as_date(date_of_birth), _as_date(on_date)
	start_year = on_date.year if on_date.month >= 9 else on_date.year - 1
	return "Early years" if _age_on(date_of_birth, date(start_year, 8, 31)) < 4 else "Post-18"


_KEY_STAGES = (
	(0, 0, "EYFS"),
	(1, 2, "KS1"),
	(3, 6, "KS2"),
	(7, 9, "KS3"),
	(10, 11, "KS4"),
	(12, 13, "KS5"),
)


def key_stage(year_group: int | None) -> str | None:
	"""Key stage of a year group: 0 (Reception) "EYFS", 1-2 "KS1", 3-6 "KS2", 7-9 "KS3", 10-11 "KS4"
	(CPPCR 2010 reg 10 protects this one), 12-13 "KS5". None gives None (nursery age or 18+, which
	``year_group`` cannot tell apart); any other number raises ValueError.
	"""
	if year_group is None:
		return None
	for low, high, name in _KEY_STAGES:
		if low <= year_group <= high:
			return name
	raise ValueError(f"year group must be 0 (Reception) to 13, got {year_group}")


def key_stage_label(date_of_birth: date, on_date: date) -> str:
	"""Key stage on ``on_date`` ("EYFS", "KS1" ... "KS5"), or "Early years" / "Post-18" outside them."""
	group = year_group(date_of_birth, on_date)
	if group is not None:
		return key_stage(group)
	return year_group_label(date_of_birth, on_date)


# --- default data: bank holidays and a standard term pattern ----------------------------------------------


def england_bank_holidays(years: Iterable[int]) -> dict[date, str]:
	"""England's bank holidays for ``years`` (with substitute days), from the ``holidays`` package.

	Only the default source: the app stores bank holidays as editable records, so a one-off holiday
	announced late can be added by hand. Weekend dates (e.g. Boxing Day on a Saturday) are included as
	the package gives them; they change no count.
	"""
	import holidays  # late import: only needed when seeding data

	calendar = holidays.country_holidays("GB", subdiv="ENG", years=sorted(set(years)))
	return {day: name for day, name in sorted(calendar.items())}


def easter_sunday(year: int) -> date:
	"""Easter Sunday (Gregorian; the anonymous "Meeus/Jones/Butcher" algorithm)."""
	a, b, c = year % 19, year // 100, year % 100
	d, e = divmod(b, 4)
	f = (b + 8) // 25
	g = (b - f + 1) // 3
	h = (19 * a + b - d - g + 15) % 30
	i, k = divmod(c, 4)
	weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
	m = (a + 11 * h + 22 * weekday_shift) // 451
	month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
	return date(year, month, day + 1)


def _monday_of_week(d: date) -> date:
	return d - timedelta(days=d.weekday())


def _on_or_after(d: date, weekday: int) -> date:
	return d + timedelta(days=(weekday - d.weekday()) % 7)


def _on_or_before(d: date, weekday: int) -> date:
	return d - timedelta(days=(d.weekday() - weekday) % 7)


_MON, _FRI = 0, 4


# The STPCD's 195-day teacher year: 190 teaching days (SI 1999/3181 reg 3: 380 sessions) and 5 INSET days.
STANDARD_TERM_DAYS = 195


def standard_term_pattern(academic_year_label: str) -> list[dict]:
	"""England's usual six half-terms for an academic year, as DEFAULT data a council then edits.

	Term dates are set locally (by the LA for community and VC schools, by academies and others for
	themselves), so this is only a rule-of-thumb pattern that gives the system a calendar from day one.
	Terms span the teachers' year: INSET days are inside them and are entered as closures.

	Rules (a half-term is one Mon-Fri week):

	1. Autumn 1 starts on the first weekday on or after 1 September.
	2. October half-term is the week containing 28 October (the week before, if 28 October is a weekend).
	3. Autumn 2 ends on the Friday on or before 22 December.
	4. Spring 1 starts on the first Monday on or after 2 January; on the Tuesday when 1 January is a
	weekend, because that Monday is the New Year substitute bank holiday.
	5. February half-term is the week starting on the first Monday on or after 12 February.
	6. Easter holidays are two weeks, from the Monday before Easter Sunday to the Friday after Easter
	Monday, so Good Friday and Easter Monday fall in them; Spring 2 ends the Friday before.
	7. May half-term is the week of the Spring bank holiday (the last Monday of May).
	8. Summer 2 ends on the weekday that gives the year ``STANDARD_TERM_DAYS`` (195, the STPCD teacher
	year) weekdays of term besides the Early May bank holiday, the only regular bank holiday these rules
	put in term. In practice that is 19-22 July. Five INSET closures then leave 190 school days.

	Returns dicts with ``term_name``, ``start_date`` and ``end_date`` (dates), in date order.
	"""
	start, _ = academic_year_bounds(academic_year_label)
	autumn_year, spring_year = start.year, start.year + 1

	first_of_september = date(autumn_year, 9, 1)
	autumn_1_start = (
		first_of_september if first_of_september.weekday() <= _FRI else _on_or_after(first_of_september, _MON)
	)
	october_half_term = _monday_of_week(date(autumn_year, 10, 28))
	autumn_2_end = _on_or_before(date(autumn_year, 12, 22), _FRI)
	spring_1_start = _on_or_after(date(spring_year, 1, 2), _MON)
	if date(spring_year, 1, 1).weekday() > _FRI:  # that Monday is the New Year substitute day
		spring_1_start += timedelta(days=1)
	february_half_term = _on_or_after(date(spring_year, 2, 12), _MON)
	easter = easter_sunday(spring_year)
	easter_holiday_start = easter - timedelta(days=6)  # Monday of Holy Week
	summer_1_start = easter + timedelta(days=8)  # Monday after Easter week
	may_half_term = _on_or_before(date(spring_year, 5, 31), _MON)  # Spring bank holiday

	weekend = timedelta(days=3)
	one_week = timedelta(days=7)
	rows = [
		("Autumn 1", autumn_1_start, october_half_term - weekend),
		("Autumn 2", october_half_term + one_week, autumn_2_end),
		("Spring 1", spring_1_start, february_half_term - weekend),
		("Spring 2", february_half_term + one_week, easter_holiday_start - weekend),
		("Summer 1", summer_1_start, may_half_term - weekend),
	]
	summer_2_start = may_half_term + one_week
	weekdays_so_far = sum(
		_weekdays_upto(last.toordinal()) - _weekdays_upto(first.toordinal() - 1) for _, first, last in rows
	)
	early_may_bank_holiday = 1
	remaining = STANDARD_TERM_DAYS + early_may_bank_holiday - weekdays_so_far
	summer_2_end = add_days(summer_2_start - timedelta(days=1), remaining, DayKind.WORKING, frozenset())
	rows.append(("Summer 2", summer_2_start, summer_2_end))
	return [{"term_name": name, "start_date": first, "end_date": last} for name, first, last in rows]
