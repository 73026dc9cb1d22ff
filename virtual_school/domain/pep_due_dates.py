"""Personal Education Plan (PEP) due dates, each naming the kind of day it counts (STATUTORY.md section 2).

- **Start**: the PEP is part of the care plan, so it is started before the child becomes looked after or,
  after an emergency placement, within **10 working days** (Care Planning, Placement and Case Review
  (England) Regulations 2010, SI 2010/959, reg 4; DfE "Promoting the education of looked-after
  children and previously looked-after children", February 2018).
- **Ready**: the PEP must be ready for the first statutory LAC review, **20 working days** after the child
  enters care (SI 2010/959 reg 33). Gateshead: "this is 20 working days, not school/college days".
- **Termly review**: the PEP "should be reviewed each school term" (DfE 2018 as quoted by Stockton VS). The
  date is a local rule: by the last school day of the term.
- **School move**: a local rule (a setting, default **20 school days**): a new or updated PEP within N
  school days of a change of school.

Working days are Mon-Fri less bank holidays; school terms play no part. School days come from the
calendar's terms, closures and bank holidays (``school_days``). Counting follows ``school_days``: "within N
days of X" is the N-th day of that kind after X.

A ``SchoolCalendar`` stored with half-terms (as ``school_days.standard_term_pattern`` makes them) gives six
"terms" a year; pass ``merge_half_terms(calendar)`` to review once per term (three a year). This module
imports nothing from Frappe.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, timedelta

from virtual_school.domain.school_days import (
	DayKind,
	SchoolCalendar,
	_as_date,
	add_days,
	count_days,
)

__all__ = [
	"DueDate",
	"PepRules",
	"initial_pep_due",
	"is_overdue",
	"merge_half_terms",
	"next_pep_due",
	"school_move_due",
	"termly_review_due",
]


@dataclass(frozen=True)
class PepRules:
	"""How many days each PEP clock allows.

	``emergency_start_working_days`` (10) and ``first_review_working_days`` (20) are statutory (SI 2010/959
	regs 4 and 33); ``school_move_school_days`` (20) is a local rule kept as a setting. Each must be a whole
	number of at least 1, so that every due date is a day of its kind after the event.
	"""

	emergency_start_working_days: int = 10
	first_review_working_days: int = 20
	school_move_school_days: int = 20

	def __post_init__(self) -> None:
		for name in ("emergency_start_working_days", "first_review_working_days", "school_move_school_days"):
			value = getattr(self, name)
			if isinstance(value, bool) or not isinstance(value, int):
				raise TypeError(f"PepRules.{name} must be an int, got {type(value).__name__}")
			if value < 1:
				raise ValueError(f"PepRules.{name} must be at least 1, got {value}")


@dataclass(frozen=True)
class DueDate:
	"""A PEP obligation: the date it is due by (on time if done on that day), why, and the kind of day counted."""

	due: date
	rule: str
	kind: DayKind


def _check_calendar(calendar: SchoolCalendar) -> SchoolCalendar:
	if not isinstance(calendar, SchoolCalendar):
		raise TypeError(f"calendar must be a SchoolCalendar, got {type(calendar).__name__}")
	return calendar


def initial_pep_due(
	date_entered_care: date, emergency: bool, calendar: SchoolCalendar, rules: PepRules = PepRules()
) -> list[DueDate]:
	"""The first PEP's due dates, earliest first, both in working days (bank holidays from ``calendar``).

	For an emergency placement: started within 10 working days (with the care plan, SI 2010/959 reg 4).
	Always: ready for the first LAC review, 20 working days after entering care (reg 33). A planned entry
	has no start-by date here: its PEP is started before the child becomes looked after.
	"""
	entered = _as_date(date_entered_care)
	_check_calendar(calendar)
	dues = []
	if emergency:
		days = rules.emergency_start_working_days
		dues.append(
			DueDate(
				add_days(entered, days, DayKind.WORKING, calendar),
				f"PEP started with the care plan ({days} working days after an emergency placement)",
				DayKind.WORKING,
			)
		)
	days = rules.first_review_working_days
	dues.append(
		DueDate(
			add_days(entered, days, DayKind.WORKING, calendar),
			f"Initial PEP ready for the first review ({days} working days after entering care)",
			DayKind.WORKING,
		)
	)
	return dues


def _term_index(on_date: date, calendar: SchoolCalendar) -> int | None:
	"""Index of the term containing ``on_date``, or of the next term if it falls in a holiday; else None.

	So each term "owns" the holiday before it: the period (end of the previous term, end of this term].
	"""
	ends = [end for _, end in calendar.terms]
	index = bisect.bisect_left(ends, on_date)
	return index if index < len(ends) else None


def _last_school_day_from(index: int | None, calendar: SchoolCalendar) -> date | None:
	"""The last school day of term ``index``, or of the first later term that has a school day; else None."""
	while index is not None and index < len(calendar.terms):
		last = calendar.last_school_days[index]
		if last is not None:
			return last
		index += 1
	return None


def _termly_due(index: int | None, calendar: SchoolCalendar) -> DueDate | None:
	due = _last_school_day_from(index, calendar)
	if due is None:
		return None
	return DueDate(due, "Termly PEP review (by the last school day of the term)", DayKind.SCHOOL)


def termly_review_due(on_date: date, calendar: SchoolCalendar) -> DueDate | None:
	"""The termly review's due date: the last school day of the term containing ``on_date``.

	In a holiday (or before the first term) it is the next term's. If the term's last day is a closure or
	bank holiday, the due date is the school day before; a term with no school days passes to the next
	term. None when the calendar has no such term (add the next year's terms). Local rule; DfE 2018.
	"""
	calendar = _check_calendar(calendar)
	return _termly_due(_term_index(_as_date(on_date), calendar), calendar)


def school_move_due(move_date: date, calendar: SchoolCalendar, rules: PepRules = PepRules()) -> DueDate:
	"""A new or updated PEP within N school days of a school move (local rule, default 20 school days).

	Day 1 is the first school day after ``move_date``, so the count skips holidays and runs on into the
	next term. Raises ValueError ("calendar does not cover ...") when the calendar's terms end too soon.
	"""
	days = rules.school_move_school_days
	return DueDate(
		add_days(_as_date(move_date), days, DayKind.SCHOOL, _check_calendar(calendar)),
		f"New PEP after a school move ({days} school days after the move)",
		DayKind.SCHOOL,
	)


def next_pep_due(
	*,
	date_entered_care: date | None,
	emergency: bool,
	last_pep_date: date | None,
	last_school_move: date | None,
	calendar: SchoolCalendar,
	on_date: date,
	rules: PepRules = PepRules(),
) -> DueDate | None:
	"""The earliest PEP obligation not yet met on ``on_date``, or None if the calendar does not reach it.

	1. The initial PEP (``initial_pep_due``) while no PEP is dated on or after ``date_entered_care``.
	2. A school-move PEP (``school_move_due``) while the last move, on or after entering care, is later than
	   the last PEP.
	   If either is outstanding, the earlier of them is returned (termly reviews wait for it).
	3. Otherwise the termly review for the term of ``on_date`` (``termly_review_due``), or for the next term
	   if a PEP was already completed in that term (or the holiday before it; a PEP before the calendar's
	   first term counts for no term).

	``last_pep_date`` is the date the latest PEP was completed (any PEP: initial, move or termly). Never
	raises for a calendar that ends too soon: a school-move date it cannot count is left out, and None
	is returned when nothing outstanding can be dated.
	"""
	calendar = _check_calendar(calendar)
	on_date = _as_date(on_date)
	entered = _as_date(date_entered_care) if date_entered_care is not None else None
	last_pep = _as_date(last_pep_date) if last_pep_date is not None else None
	move = _as_date(last_school_move) if last_school_move is not None else None

	outstanding: list[DueDate] = []
	initial_outstanding = entered is not None and (last_pep is None or last_pep < entered)
	if initial_outstanding:
		outstanding.extend(initial_pep_due(entered, emergency, calendar, rules))
	move_outstanding = (
		move is not None and (entered is None or move >= entered) and (last_pep is None or move > last_pep)
	)
	if move_outstanding:
		try:
			outstanding.append(school_move_due(move, calendar, rules))
		except ValueError:
			pass  # beyond the calendar's last term, so later than anything it can date
	if initial_outstanding or move_outstanding:
		return min(outstanding, key=lambda due: due.due) if outstanding else None

	index = _term_index(on_date, calendar)
	if index is not None and last_pep is not None and last_pep >= calendar.terms[0][0]:
		# A PEP before the calendar's first term is older than any term it knows, so it counts for none.
		pep_term = _term_index(last_pep, calendar)
		if pep_term is None:
			return None  # a PEP dated after the calendar's last term: the next review is beyond it
		index = max(index, pep_term + 1)
	return _termly_due(index, calendar)


def is_overdue(due: DueDate | None, completed_on: date | None, on_date: date) -> bool:
	"""True when, on ``on_date``, the due date has passed and the PEP had not been completed.

	A PEP completed on its due date is on time; one completed late is no longer overdue once completed
	(compare ``completed_on`` with ``due.due`` to find late ones). No due date (None) is never overdue.
	"""
	if due is None:
		return False
	on_date = _as_date(on_date)
	if on_date <= due.due:
		return False
	return completed_on is None or _as_date(completed_on) > on_date


def merge_half_terms(calendar: SchoolCalendar, max_gap_days: int = 12) -> SchoolCalendar:
	"""The same school days, with half-terms joined into whole terms for termly PEP reviews.

	Two terms are joined when the next starts at most ``max_gap_days`` calendar days after the previous
	ends (a one-week half-term: Friday to the Monday 10 days later). Christmas, Easter and summer holidays
	are longer and still separate terms. The weekdays of a joined gap become closures, so ``is_school_day``
	and every school-day count are unchanged.
	"""
	calendar = _check_calendar(calendar)
	terms: list[tuple[date, date]] = []
	closures = set(calendar.closures)
	for start, end in calendar.terms:
		if terms and (start - terms[-1][1]).days <= max_gap_days:
			previous_start, previous_end = terms[-1]
			day = previous_end + timedelta(days=1)
			while day < start:
				if day.weekday() < 5:
					closures.add(day)
				day += timedelta(days=1)
			terms[-1] = (previous_start, end)
		else:
			terms.append((start, end))
	return SchoolCalendar(
		terms=tuple(terms), closures=frozenset(closures), bank_holidays=calendar.bank_holidays
	)
