"""A looked-after child's PEP obligation on a date: the next PEP due that can still be met, and those missed.

Built on ``pep_due_dates`` (its clocks and citations, STATUTORY.md sections 2 and 11):

- **Initial PEP**: part of the care plan, so started before the child becomes looked after or, after an
  emergency placement, within **10 working days** (CPPCR 2010, SI 2010/959, reg 4), and ready for the
  first review **20 working days** after entering care (reg 33).
- **Termly review**: by the last school day of each term (DfE 2018, as practice).
- **School move**: a new PEP within N school days of a change of school (local rule, default 20).
- **Statutory reviews**: the PEP is reviewed for each statutory review of the care plan (DfE 2018). The
  reviews are CPPCR reg 33's: the first within 20 working days of entering care (the initial PEP's ready-by
  date), the second within **3 months** of the first, each later one within **6 months** of the previous
  (``next_statutory_review``, from the reviews held, SSDA903 REVIEW). Where the next review comes before the
  term's last school day, the PEP is due by the review.
- **Leaving care**: no PEP obligation from the day the child stops being looked after
  (``cohorts.left_care_on``).

An obligation is met by a PEP **meeting held** on or before its due date (``pep_held_on_time``): QA and
approval may follow. So the dates passed in are meeting dates. An obligation whose due date has passed
without a meeting is reported as **missed**; the **next due** is the earliest obligation still open on or
after the day. Obligations are the ones ``pep_due_dates.next_pep_due`` knows, taken together:

1. the initial PEP's dates while no PEP meeting is dated on or after entering care;
2. the school-move PEP while the last move (on or after entering care) is later than the last meeting;
3. a termly review for every term after the last meeting's term (a meeting in a holiday counts for the
   term after it; one before the calendar's first term counts for none). While the initial PEP is
   outstanding and not yet late, reviews start the term after its ready-by date (that PEP is the term's
   PEP); once the ready-by date has passed, the term it fell in is owed a review as well, so a child
   with no PEP at all always has a next due date in the current term.
4. the next statutory review (``next_statutory_review``) while no meeting is dated after the last review held.

Pass the calendar whose terms are the review terms (``pep_due_dates.merge_half_terms`` for three a year).
Dates the calendar cannot reach are left out, never guessed. This module imports nothing from Frappe.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from virtual_school.domain.pep_due_dates import (
	DueDate,
	PepRules,
	_term_index,
	_termly_due,
	initial_pep_due,
	school_move_due,
)
from virtual_school.domain.school_days import DayKind, SchoolCalendar, _as_date

__all__ = [
	"FIRST_TO_SECOND_REVIEW_MONTHS",
	"LATER_REVIEW_MONTHS",
	"PepObligation",
	"due_for_new_pep",
	"next_statutory_review",
	"pep_held_on_time",
	"pep_obligation",
]


DEFAULT_RULES = PepRules()
# CPPCR 2010 reg 33(2): the second review within 3 months of the first, each later one within 6 months.
FIRST_TO_SECOND_REVIEW_MONTHS = 3
LATER_REVIEW_MONTHS = 6


@dataclass(frozen=True)
class PepObligation:
	"""The obligation on ``on_date``: ``next_due`` (None when none can be dated or the child is not looked
	after) and ``missed``, the obligations past their due date with no meeting, earliest first."""

	on_date: date
	looked_after: bool
	next_due: DueDate | None
	missed: tuple[DueDate, ...]


def pep_held_on_time(due: DueDate, meeting_date: date | None) -> bool:
	"""A PEP is on time when its meeting was held on or before the due date (QA may follow)."""
	return meeting_date is not None and _as_date(meeting_date) <= due.due


def _add_months(day: date, months: int) -> date:
	"""The same day ``months`` later, or the month's last day when it has no such day (31 Aug + 6: 28/29 Feb)."""
	month_index = day.month - 1 + months
	year, month = day.year + month_index // 12, month_index % 12 + 1
	for last_day in (day.day, 30, 29, 28):
		try:
			return date(year, month, min(day.day, last_day))
		except ValueError:
			continue
	raise AssertionError("unreachable: every month has 28 days")


def next_statutory_review(date_entered_care: date | None, review_dates) -> DueDate | None:
	"""The next statutory review of the care plan by CPPCR reg 33, from the reviews held (any order).

	Only reviews on or after entering care count (an earlier period of care had its own). None when no
	review is known yet: the first review (20 working days after entering care) is the initial PEP's
	ready-by date, which ``pep_obligation`` already counts. After one review the next is due within 3 months,
	after two or more within 6 months of the last.
	"""
	entered = _as_date(date_entered_care) if date_entered_care is not None else None
	held = sorted(
		{
			_as_date(day)
			for day in review_dates or ()
			if day is not None and (entered is None or _as_date(day) >= entered)
		}
	)
	if not held:
		return None
	months = FIRST_TO_SECOND_REVIEW_MONTHS if len(held) == 1 else LATER_REVIEW_MONTHS
	due = _add_months(held[-1], months)
	return DueDate(
		due,
		f"PEP reviewed for the next statutory review ({months} months after the review of {held[-1].isoformat()})",
		DayKind.CALENDAR,
	)


def _termly_dues_from(index: int | None, on_date: date, calendar: SchoolCalendar) -> list[DueDate]:
	"""Termly reviews for term ``index`` on, up to and including the first due on or after ``on_date``."""
	dues: list[DueDate] = []
	while index is not None and index < len(calendar.terms):
		due = _termly_due(index, calendar)
		if due is None:
			break
		if not dues or due.due > dues[-1].due:  # a term with no school days gives the next term's date
			dues.append(due)
		if due.due >= on_date:
			break
		index += 1
	return dues


def pep_obligation(
	*,
	on_date: date,
	date_entered_care: date | None,
	emergency: bool,
	last_pep_meeting_date: date | None,
	last_school_move: date | None,
	calendar: SchoolCalendar,
	left_care_on: date | None = None,
	review_dates=(),
	rules: PepRules = DEFAULT_RULES,
) -> PepObligation:
	"""The PEP obligation of a child on ``on_date`` (see the module docstring for the rules).

	``last_pep_meeting_date`` is the meeting date of the latest PEP held (any kind). ``left_care_on`` is
	the first day the child was no longer looked after (None while looked after): from that day, and before
	``date_entered_care``, there is no obligation; obligations falling due on or after it are dropped.
	``review_dates`` are the statutory reviews held (SSDA903 REVIEW): the next one is due while no meeting
	is dated after the last of them, and comes first when it is earlier than the termly date.
	"""
	on_date = _as_date(on_date)
	entered = _as_date(date_entered_care) if date_entered_care is not None else None
	last_meeting = _as_date(last_pep_meeting_date) if last_pep_meeting_date is not None else None
	move = _as_date(last_school_move) if last_school_move is not None else None
	left = _as_date(left_care_on) if left_care_on is not None else None
	if (left is not None and on_date >= left) or (entered is not None and on_date < entered):
		return PepObligation(on_date, False, None, ())

	obligations: list[DueDate] = []
	initial_outstanding = entered is not None and (last_meeting is None or last_meeting < entered)
	if initial_outstanding:
		initial = initial_pep_due(entered, emergency, calendar, rules)
		obligations.extend(initial)
		ready_by = initial[-1].due
		first_termly = _term_index(ready_by, calendar)
		if first_termly is not None and on_date <= ready_by:
			first_termly += 1  # the initial PEP, if held in time, is its term's PEP
	elif last_meeting is not None and calendar.terms and last_meeting >= calendar.terms[0][0]:
		meeting_term = _term_index(last_meeting, calendar)
		first_termly = None if meeting_term is None else meeting_term + 1
	elif last_meeting is not None and calendar.terms:
		first_termly = 0  # the last meeting was before every term the calendar knows
	else:
		first_termly = _term_index(on_date, calendar)  # nothing known before: this term's review
	if (
		move is not None
		and (entered is None or move >= entered)
		and (last_meeting is None or move > last_meeting)
	):
		try:
			obligations.append(school_move_due(move, calendar, rules))
		except ValueError:
			pass  # beyond the calendar's last term
	obligations.extend(_termly_dues_from(first_termly, on_date, calendar))
	review = next_statutory_review(entered, review_dates)
	if review is not None:
		last_review = max(
			_as_date(day)
			for day in review_dates
			if day is not None and (entered is None or _as_date(day) >= entered)
		)
		if (last_meeting is None or last_meeting <= last_review) and review.due not in {
			due.due for due in obligations
		}:
			obligations.append(review)
	if entered is not None:
		obligations = [due for due in obligations if due.due > entered]
	if left is not None:
		obligations = [due for due in obligations if due.due < left]

	obligations.sort(key=lambda due: due.due)
	missed = tuple(due for due in obligations if due.due < on_date)
	still_open = [due for due in obligations if due.due >= on_date]
	return PepObligation(on_date, True, still_open[0] if still_open else None, missed)


def due_for_new_pep(obligation: PepObligation) -> DueDate | None:
	"""The due date a PEP opened on the obligation's day is given: the next obligation that can still be met.

	Never a missed one: those stay missed (reported as such; the missing-PEP escalation is keyed by the first
	of them). Giving a new PEP the earliest missed date made it overdue the day it was opened ("due 10-10-2022"
	for a child in care since 2022, issue #21)."""
	return obligation.next_due
