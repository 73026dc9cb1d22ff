"""The in-year admission outcome clock: the parents (for a looked-after child, the council) must be told the
outcome of an in-year application in writing within **15 school days**, and the admission authority should
aim for **10** (School Admissions Code 2021, in-year applications; STATUTORY.md sections 3 and 11).

The clock starts when the school (its admission authority) is approached: the School Place Approach row's
"date asked". School days come from the school calendar (``school_days``): day 1 is the first school day
after the approach, so the outcome is due on the 15th. A due date the calendar does not reach yet is None
(the clock waits for next year's terms; it is not guessed). An outcome given on its due day is on time.
This module imports nothing from Frappe.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from virtual_school.domain.school_days import DayKind, SchoolCalendar, _as_date, add_days

__all__ = [
	"AIM_SCHOOL_DAYS",
	"OUTCOME_SCHOOL_DAYS",
	"InYearOutcomeClock",
	"OutcomeStatus",
	"in_year_outcome_clock",
	"is_late",
	"outcome_status",
]

OUTCOME_SCHOOL_DAYS = 15
AIM_SCHOOL_DAYS = 10


class OutcomeStatus(str, Enum):
	"""Where an approach stands against the clock on a day."""

	AWAITING = "Awaiting, within the 10-day aim"
	AWAITING_PAST_AIM = "Awaiting, past the 10-day aim"
	AWAITING_LATE = "Awaiting, past the 15-day limit"
	GIVEN_WITHIN_AIM = "Given within 10 school days"
	GIVEN_WITHIN_LIMIT = "Given within 15 school days"
	GIVEN_LATE = "Given after 15 school days"

	def __str__(self) -> str:
		return self.value


@dataclass(frozen=True)
class InYearOutcomeClock:
	"""The approach date, the 10-school-day aim and the 15-school-day limit (None beyond the calendar)."""

	approached_on: date
	aim_by: date | None
	outcome_due: date | None


def _school_days_after(start: date, days: int, calendar: SchoolCalendar) -> date | None:
	try:
		return add_days(start, days, DayKind.SCHOOL, calendar)
	except ValueError:
		return None


def in_year_outcome_clock(approached_on: date, calendar: SchoolCalendar) -> InYearOutcomeClock:
	"""The aim (10th school day) and limit (15th school day) after ``approached_on``."""
	approached_on = _as_date(approached_on)
	return InYearOutcomeClock(
		approached_on,
		_school_days_after(approached_on, AIM_SCHOOL_DAYS, calendar),
		_school_days_after(approached_on, OUTCOME_SCHOOL_DAYS, calendar),
	)


def outcome_status(clock: InYearOutcomeClock, outcome_given_on: date | None, on_date: date) -> OutcomeStatus:
	"""The status on ``on_date``: an outcome given after ``on_date`` is treated as not yet given, so a past
	day's status can be replayed. With a due date the calendar cannot give, the clock reads "awaiting"."""
	on_date = _as_date(on_date)
	given = _as_date(outcome_given_on) if outcome_given_on is not None else None
	if given is not None and given <= on_date:
		if clock.aim_by is not None and given <= clock.aim_by:
			return OutcomeStatus.GIVEN_WITHIN_AIM
		if clock.outcome_due is None or given <= clock.outcome_due:
			return OutcomeStatus.GIVEN_WITHIN_LIMIT
		return OutcomeStatus.GIVEN_LATE
	if clock.outcome_due is not None and on_date > clock.outcome_due:
		return OutcomeStatus.AWAITING_LATE
	if clock.aim_by is not None and on_date > clock.aim_by:
		return OutcomeStatus.AWAITING_PAST_AIM
	return OutcomeStatus.AWAITING


def is_late(clock: InYearOutcomeClock, outcome_given_on: date | None, on_date: date) -> bool:
	"""True when on ``on_date`` the 15-school-day limit has been missed: still awaited after the due day,
	or given after it."""
	return outcome_status(clock, outcome_given_on, on_date) in (
		OutcomeStatus.AWAITING_LATE,
		OutcomeStatus.GIVEN_LATE,
	)
