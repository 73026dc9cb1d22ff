"""A child with an EHC plan changes school through the plan, not by an s97A direction (STATUTORY.md section 11).

- The council consults the school it proposes to name (Children and Families Act 2014 s39(2) for a draft
  plan; the same on a review or amendment), which "should respond within 15 days" (SEND Code of Practice
  2015 para 9.83). Calendar days: the Code counts in days and weeks, not school days.
- A school named in the plan must admit the child (CFA 2014 s43, for the schools it lists: maintained
  schools and nursery schools, academies, further education institutions, non-maintained special schools
  and independent schools approved under s41).

So the virtual school's record of an EHC plan route holds the consultation date and the school's response,
and chases a response not given by the due date. ``admission_route`` picks this route for any child with a
plan. Days count as ``school_days`` does: day 1 is the day after the consultation. This module imports
nothing from Frappe.
"""

from __future__ import annotations

from datetime import date

from virtual_school.domain.school_days import _as_date, add_calendar_days

__all__ = [
	"RESPONSE_CALENDAR_DAYS",
	"consultation_response_due",
	"response_overdue",
]

RESPONSE_CALENDAR_DAYS = 15


def consultation_response_due(consulted_on: date) -> date:
	"""The day the school's response is due: 15 calendar days after it was consulted (para 9.83)."""
	return add_calendar_days(_as_date(consulted_on), RESPONSE_CALENDAR_DAYS)


def response_overdue(consulted_on: date, responded_on: date | None, on_date: date) -> bool:
	"""True when, on ``on_date``, the response due date has passed without a response by then.

	A response on the due date is on time; one given late stops being overdue from the day it was given.
	"""
	due = consultation_response_due(consulted_on)
	on_date = _as_date(on_date)
	if on_date <= due:
		return False
	return responded_on is None or _as_date(responded_on) > on_date
