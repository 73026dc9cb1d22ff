"""Suspension totals and the governors' duty to consider reinstatement (STATUTORY.md sections 5 and 11).

The School Discipline (Pupil Exclusions and Reviews) (England) Regulations 2012, SI 2012/1033, regs 6
(maintained schools), 15 (pupil referral units) and 24 (academies), amended by SI 2022/788:

- The governing board (management committee, proprietor) **must consider reinstatement within 15 school
  days** of receiving notice of an exclusion that is **permanent**, or a suspension that would bring the
  pupil's total to **more than 15 school days in a term**, or one that would make the pupil **miss a
  public examination or national curriculum test** (then, so far as reasonably practicable, before the
  date of the examination or test, as the DfE guidance puts it).
- For a total of **more than 5 but not more than 15** school days in a term it must consider reinstatement
  only if the parents make representations, then **within 50 school days** of the notice.
- For a total of **5 or fewer** it must consider any representations the parents make but cannot direct
  reinstatement, and no time limit is set; without representations it has no duty at all.
- A pupil may be suspended for at most **45 school days in a school year** (DfE guidance "Suspension and
  permanent exclusion", 2023, updated 2024).

These duties are the board's **of one school**, so every total is per school: suspensions at a previous
school never count at the new one. A "term" is a whole term (half-terms are joined with
``pep_due_dates.merge_half_terms``), and the "school year" runs from the first term beginning after July to
the first such term a year later (SI 1999/3181 reg 2): a term belongs to the school year its start date
falls in, from 1 August to 31 July.

A suspension of N school days covers the N school days from its start date (the start date itself when it
is a school day), so one that runs over a term's end counts in each term for the days that fall in it.
"Within N school days of X" is the N-th school day after X (``school_days``). This module imports nothing
from Frappe; the Exclusion controller (``virtual_school.virtual_school.doctype.exclusion``) can call it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from virtual_school.domain.pep_due_dates import _term_index, merge_half_terms
from virtual_school.domain.school_days import DayKind, SchoolCalendar, _as_date, add_days, count_days

__all__ = [
	"CONSIDER_WITHIN_SCHOOL_DAYS",
	"REPRESENTATIONS_ONLY_MAX_SCHOOL_DAYS",
	"REPRESENTATIONS_WITHIN_SCHOOL_DAYS",
	"TERM_THRESHOLD_SCHOOL_DAYS",
	"YEAR_LIMIT_SCHOOL_DAYS",
	"ConsiderationDuty",
	"ConsiderationTrigger",
	"ExclusionKind",
	"GovernorsConsideration",
	"Suspension",
	"SuspensionTotals",
	"governors_consideration",
	"suspended_school_days",
	"suspension_totals",
	"totals_for_suspension",
]

CONSIDER_WITHIN_SCHOOL_DAYS = 15
REPRESENTATIONS_WITHIN_SCHOOL_DAYS = 50
REPRESENTATIONS_ONLY_MAX_SCHOOL_DAYS = 5
TERM_THRESHOLD_SCHOOL_DAYS = 15
YEAR_LIMIT_SCHOOL_DAYS = 45


class ExclusionKind(str, Enum):
	"""The Exclusion record's ``exclusion_type`` options."""

	SUSPENSION = "Suspension"
	PERMANENT_EXCLUSION = "Permanent exclusion"

	def __str__(self) -> str:
		return self.value


class ConsiderationDuty(str, Enum):
	"""What the governing board must do about reinstatement."""

	WITHIN_15_SCHOOL_DAYS = "Must consider reinstatement within 15 school days"
	WITHIN_50_SCHOOL_DAYS = "Must consider reinstatement within 50 school days (parents' representations)"
	REPRESENTATIONS_ONLY = "Must consider the parents' representations; cannot direct reinstatement"
	NONE = "No duty to consider reinstatement"

	def __str__(self) -> str:
		return self.value


class ConsiderationTrigger(str, Enum):
	"""Why a duty arises (SI 2012/1033 reg 6(1)(a)-(c) and 6(2); regs 15 and 24 alike)."""

	PERMANENT_EXCLUSION = "Permanent exclusion"
	MORE_THAN_15_IN_TERM = "More than 15 school days of suspension in a term"
	MISSES_PUBLIC_EXAMINATION = "Would miss a public examination or national curriculum test"
	REPRESENTATIONS_6_TO_15_IN_TERM = "6 to 15 school days in a term, and the parents made representations"
	REPRESENTATIONS_UP_TO_5_IN_TERM = "5 or fewer school days in a term, and the parents made representations"

	def __str__(self) -> str:
		return self.value


@dataclass(frozen=True)
class Suspension:
	"""One suspension: the school that suspended (its URN or School record name), the first day, and the
	number of school days."""

	school: str
	start_date: date
	school_days: int

	def __post_init__(self) -> None:
		if not isinstance(self.school, str) or not self.school.strip():
			raise ValueError("a suspension needs the school that suspended the pupil")
		object.__setattr__(self, "start_date", _as_date(self.start_date))
		if isinstance(self.school_days, bool) or not isinstance(self.school_days, int):
			raise TypeError(f"school_days must be an int, got {type(self.school_days).__name__}")
		if self.school_days < 1:
			raise ValueError(f"a suspension is at least 1 school day, got {self.school_days}")


@dataclass(frozen=True)
class SuspensionTotals:
	"""School days of suspension at one school in a term and in its school year (each an inclusive
	(first day, last day) of term time)."""

	school: str
	term: tuple[date, date]
	term_school_days: int
	school_year: tuple[date, date]
	year_school_days: int

	@property
	def more_than_15_in_term(self) -> bool:
		return self.term_school_days > TERM_THRESHOLD_SCHOOL_DAYS

	@property
	def more_than_45_in_year(self) -> bool:
		return self.year_school_days > YEAR_LIMIT_SCHOOL_DAYS


@dataclass(frozen=True)
class GovernorsConsideration:
	"""The board's duty, the triggers that gave it, and for a time limit its length and due date.

	``school_days`` is 15 or 50 (the rule that produced ``due``), None when no time limit applies. ``due``
	is None when there is no time limit, or the school calendar does not reach it yet (``rule`` says
	which). ``consider_before`` is the examination or test date when that trigger applies and it is known.
	"""

	duty: ConsiderationDuty
	triggers: tuple[ConsiderationTrigger, ...]
	school_days: int | None
	due: date | None
	rule: str
	consider_before: date | None = None


def _school_day_counter(reference: date, calendar: SchoolCalendar):
	"""School days in (reference, day]: a prefix count, so (a, b] has counter(b) - counter(a) of them."""
	return lambda day: count_days(reference, day, DayKind.SCHOOL, calendar)


def suspended_school_days(
	suspensions: Iterable[Suspension],
	school: str,
	period_start: date,
	period_end: date,
	calendar: SchoolCalendar,
) -> int:
	"""School days of suspension at ``school`` that fall on [period_start, period_end] (inclusive).

	Suspensions at any other school are not counted. School days beyond the calendar's last term fall in
	no period it knows, so they count nowhere (add next year's terms to count them).
	"""
	period_start, period_end = _as_date(period_start), _as_date(period_end)
	at_school = [suspension for suspension in suspensions if suspension.school == school]
	if not at_school or period_end < period_start:
		return 0
	reference = min(period_start, *(suspension.start_date for suspension in at_school)) - timedelta(days=1)
	counter = _school_day_counter(reference, calendar)
	period_low = counter(period_start - timedelta(days=1))
	period_high = counter(period_end)
	total = 0
	for suspension in at_school:
		before = counter(suspension.start_date - timedelta(days=1))
		total += max(0, min(before + suspension.school_days, period_high) - max(before, period_low))
	return total


def _school_year_label(term_start: date) -> int:
	"""The year a school year starts in: terms starting 1 August to 31 July belong to one school year."""
	return term_start.year if term_start.month >= 8 else term_start.year - 1


def _term_and_year(on_date: date, merged: SchoolCalendar) -> tuple[tuple[date, date], tuple[date, date]]:
	index = _term_index(on_date, merged)
	if index is None:
		raise ValueError(
			f"the school calendar has no term on or after {on_date}: add the school year's terms"
		)
	term = merged.terms[index]
	label = _school_year_label(term[0])
	same_year = [each for each in merged.terms if _school_year_label(each[0]) == label]
	return term, (same_year[0][0], same_year[-1][1])


def suspension_totals(
	suspensions: Iterable[Suspension], school: str, on_date: date, calendar: SchoolCalendar
) -> SuspensionTotals:
	"""Totals at ``school`` for the term containing ``on_date`` (the next term, in a holiday) and its
	school year. Raises ValueError when the calendar has no such term."""
	suspensions = list(suspensions)
	merged = merge_half_terms(calendar)
	term, year = _term_and_year(_as_date(on_date), merged)
	return SuspensionTotals(
		school=school,
		term=term,
		term_school_days=suspended_school_days(suspensions, school, *term, calendar),
		school_year=year,
		year_school_days=suspended_school_days(suspensions, school, *year, calendar),
	)


def totals_for_suspension(
	suspension: Suspension, others: Iterable[Suspension], calendar: SchoolCalendar
) -> SuspensionTotals:
	"""The totals a new ``suspension`` brings its school to, counting it with ``others`` (any schools').

	When the suspension runs over a term's end, the term (and school year) with the larger total is given,
	since the duties turn on whether *a* term passes 15 days. Raises ValueError when the calendar has no term
	on or after the start date.
	"""
	everything = [*others, suspension]
	first = suspension_totals(everything, suspension.school, suspension.start_date, calendar)
	before_start = suspension.start_date - timedelta(days=1)
	try:
		last_day = add_days(before_start, suspension.school_days, DayKind.SCHOOL, calendar)
	except ValueError:
		last_day = calendar.last_term_end
	if last_day is None or last_day <= first.term[1]:
		return first
	last = suspension_totals(everything, suspension.school, last_day, calendar)
	term_source = last if last.term_school_days > first.term_school_days else first
	year_source = last if last.year_school_days > first.year_school_days else first
	return SuspensionTotals(
		school=suspension.school,
		term=term_source.term,
		term_school_days=term_source.term_school_days,
		school_year=year_source.school_year,
		year_school_days=year_source.year_school_days,
	)


def governors_consideration(
	*,
	kind: ExclusionKind | str,
	term_school_days: int,
	misses_public_examination: bool,
	representations_made: bool,
	notice_received_on: date,
	calendar: SchoolCalendar,
	examination_date: date | None = None,
) -> GovernorsConsideration:
	"""The governing board's duty for one exclusion (SI 2012/1033 regs 6, 15, 24).

	``term_school_days`` is the pupil's total at this school in the term *including* this suspension
	(``totals_for_suspension``); it is ignored for a permanent exclusion. The 15-school-day duty (permanent,
	more than 15 days in a term, a missed examination or test) comes first; otherwise 6 to 15 days with
	representations gives 50 school days; 5 or fewer with representations gives a duty without a time limit;
	anything else, none. Both clocks run from ``notice_received_on``.
	"""
	kind = ExclusionKind(kind)
	notice = _as_date(notice_received_on)
	if isinstance(term_school_days, bool) or not isinstance(term_school_days, int) or term_school_days < 0:
		raise ValueError(f"term_school_days must be a whole number of days, got {term_school_days!r}")

	triggers: list[ConsiderationTrigger] = []
	if kind is ExclusionKind.PERMANENT_EXCLUSION:
		triggers.append(ConsiderationTrigger.PERMANENT_EXCLUSION)
	elif term_school_days > TERM_THRESHOLD_SCHOOL_DAYS:
		triggers.append(ConsiderationTrigger.MORE_THAN_15_IN_TERM)
	if misses_public_examination:
		triggers.append(ConsiderationTrigger.MISSES_PUBLIC_EXAMINATION)
	consider_before = (
		_as_date(examination_date) if misses_public_examination and examination_date is not None else None
	)
	if triggers:
		return _with_clock(
			ConsiderationDuty.WITHIN_15_SCHOOL_DAYS,
			tuple(triggers),
			CONSIDER_WITHIN_SCHOOL_DAYS,
			notice,
			calendar,
			consider_before,
		)
	if representations_made and term_school_days > REPRESENTATIONS_ONLY_MAX_SCHOOL_DAYS:
		return _with_clock(
			ConsiderationDuty.WITHIN_50_SCHOOL_DAYS,
			(ConsiderationTrigger.REPRESENTATIONS_6_TO_15_IN_TERM,),
			REPRESENTATIONS_WITHIN_SCHOOL_DAYS,
			notice,
			calendar,
			None,
		)
	if representations_made:
		return GovernorsConsideration(
			ConsiderationDuty.REPRESENTATIONS_ONLY,
			(ConsiderationTrigger.REPRESENTATIONS_UP_TO_5_IN_TERM,),
			None,
			None,
			"5 or fewer school days in the term: the board considers the parents' representations but "
			"cannot direct reinstatement; no time limit",
		)
	if term_school_days > REPRESENTATIONS_ONLY_MAX_SCHOOL_DAYS:
		rule = (
			f"{term_school_days} school days in the term: the board must consider reinstatement only if the "
			f"parents make representations, then within {REPRESENTATIONS_WITHIN_SCHOOL_DAYS} school days of "
			"the notice"
		)
	else:
		rule = f"{term_school_days} school days in the term: no duty to consider reinstatement"
	return GovernorsConsideration(ConsiderationDuty.NONE, (), None, None, rule)


def _with_clock(
	duty: ConsiderationDuty,
	triggers: tuple[ConsiderationTrigger, ...],
	school_days: int,
	notice: date,
	calendar: SchoolCalendar,
	consider_before: date | None,
) -> GovernorsConsideration:
	because = "; ".join(trigger.value for trigger in triggers)
	try:
		due = add_days(notice, school_days, DayKind.SCHOOL, calendar)
	except ValueError:
		due = None
		rule = (
			f"within {school_days} school days of the notice ({because}); the school calendar does not "
			"reach that far yet: add the next terms"
		)
	else:
		rule = f"within {school_days} school days of the notice ({because})"
	if consider_before is not None:
		rule += f"; so far as practicable before the examination or test on {consider_before:%d %B %Y}"
	return GovernorsConsideration(duty, triggers, school_days, due, rule, consider_before)
