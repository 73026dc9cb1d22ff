"""The dates of a direction to admit a looked-after child: consult, representations, notice, adjudicator.

SSFA 1998 ss97A-97C (STATUTORY.md sections 3 and 11), and from its commencement the same sequence for an
academy trust (Children's Wellbeing and Schools Act 2026 s63):

1. **Consult** the admission authority on day C. It may make representations within **7 days**
   (s97B(1)): they are due by C + 7.
2. **Notice.** The council may decide, and serve written notice of its intention to direct, only once it has
   the representations or the 7 days have passed: from the day representations are received, or from
   C + 8 at the latest.
3. **Adjudicator window.** Within **7 days** of the notice (served on N) the admission authority (or the
   governing body) may refer the matter to the Schools Adjudicator: the window runs to N + 7.
4. **Directed** only after that: from N + 8 if nobody referred, or, after a referral, from the day the
   adjudicator decided (who may determine that the child go to the school named in the notice or another
   school; the direction follows the decision).

Days are actual days, not working days ("these timescales are actual days - not working days", OSA), and
day 1 is the day after the event, as ``school_days`` counts. A period "has passed" on the day after its
last day. ``check_step`` tells a workflow whether a step may be taken on a day and, if not, the first day
it may (for the refusal message). This module imports nothing from Frappe.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, timedelta
from enum import Enum

from virtual_school.domain.school_days import _as_date, add_calendar_days

__all__ = [
	"REFERRAL_DAYS",
	"REPRESENTATIONS_DAYS",
	"AdjudicatorOutcome",
	"DirectionDates",
	"DirectionStep",
	"StepCheck",
	"check_step",
	"direct_from",
	"notice_from",
	"referral_window_ends",
	"representations_due",
]

REPRESENTATIONS_DAYS = 7  # s97B(1)
REFERRAL_DAYS = 7  # s97C: referral to the Schools Adjudicator after the notice


class DirectionStep(str, Enum):
	"""The steps of a direction, as a workflow's actions name them."""

	CONSULT = "Consult on Direction"
	SERVE_NOTICE = "Serve Notice of Intention to Direct"
	DIRECT = "Direct Admission"

	def __str__(self) -> str:
		return self.value


class AdjudicatorOutcome(str, Enum):
	"""What the Schools Adjudicator determined on a referral (s97C)."""

	SCHOOL_IN_NOTICE = "The school named in the notice"
	ANOTHER_SCHOOL = "Another school"

	def __str__(self) -> str:
		return self.value


@dataclass(frozen=True)
class DirectionDates:
	"""The dates recorded on a direction so far; None where the step has not happened.

	``directed_on`` is the date the direction is given (None while it is being decided). Raises ValueError
	when a date is before the step it follows, or the adjudicator's decision is recorded without a referral,
	its date or its outcome.
	"""

	consulted_on: date | None = None
	representations_received_on: date | None = None
	notice_served_on: date | None = None
	referred_to_adjudicator_on: date | None = None
	adjudicator_outcome: AdjudicatorOutcome | None = None
	adjudicator_decided_on: date | None = None
	directed_on: date | None = None

	def __post_init__(self) -> None:
		for field in fields(self):
			value = getattr(self, field.name)
			if field.name == "adjudicator_outcome":
				if value is not None:
					object.__setattr__(self, field.name, AdjudicatorOutcome(value))
			elif value is not None:
				object.__setattr__(self, field.name, _as_date(value))
		order = (
			("representations_received_on", "consulted_on"),
			("notice_served_on", "consulted_on"),
			("referred_to_adjudicator_on", "notice_served_on"),
			("adjudicator_decided_on", "referred_to_adjudicator_on"),
			("directed_on", "notice_served_on"),
		)
		for later, earlier in order:
			later_date, earlier_date = getattr(self, later), getattr(self, earlier)
			if later_date is None:
				continue
			if earlier_date is None:
				raise ValueError(f"{later} is recorded but {earlier} is not")
			if later_date < earlier_date:
				raise ValueError(f"{later} ({later_date}) is before {earlier} ({earlier_date})")
		if (self.adjudicator_outcome is None) != (self.adjudicator_decided_on is None):
			raise ValueError("record the adjudicator's outcome and the date of the decision together")


@dataclass(frozen=True)
class StepCheck:
	"""Whether ``step`` may be taken on a day: if not, why, and the first day it may (None when that waits
	on something not yet recorded, such as the consultation or the adjudicator's decision)."""

	step: DirectionStep
	allowed: bool
	earliest_on: date | None
	reason: str


def representations_due(consulted_on: date) -> date:
	"""The last day for representations: 7 days after consultation (s97B(1))."""
	return add_calendar_days(_as_date(consulted_on), REPRESENTATIONS_DAYS)


def referral_window_ends(notice_served_on: date) -> date:
	"""The last day to refer to the Schools Adjudicator: 7 days after the notice."""
	return add_calendar_days(_as_date(notice_served_on), REFERRAL_DAYS)


def notice_from(dates: DirectionDates) -> date | None:
	"""The first day notice may be served: the day representations were received, or the day after they
	were due, whichever is first. None before the consultation is recorded."""
	if dates.consulted_on is None:
		return None
	after_the_period = representations_due(dates.consulted_on) + timedelta(days=1)
	if dates.representations_received_on is not None:
		return min(dates.representations_received_on, after_the_period)
	return after_the_period


def direct_from(dates: DirectionDates) -> date | None:
	"""The first day the direction may be given: the day after the referral window if nobody referred, or
	the adjudicator's decision date. None while there is no (valid) notice or a referral awaits decision."""
	if dates.notice_served_on is None or not _notice_in_time(dates):
		return None
	if dates.referred_to_adjudicator_on is not None:
		return dates.adjudicator_decided_on
	return referral_window_ends(dates.notice_served_on) + timedelta(days=1)


def _notice_in_time(dates: DirectionDates) -> bool:
	earliest = notice_from(dates)
	return earliest is not None and dates.notice_served_on >= earliest


def _refuse(step: DirectionStep, earliest: date | None, reason: str) -> StepCheck:
	return StepCheck(step, False, earliest, reason)


def check_step(step: DirectionStep | str, dates: DirectionDates, on_date: date) -> StepCheck:
	"""Whether ``step`` may be recorded on ``on_date`` given ``dates``.

	The step's own date (``consulted_on``, ``notice_served_on``, ``directed_on``) is used when recorded,
	else ``on_date``; it may not be later than ``on_date`` (a step is recorded once taken).

	- CONSULT: always possible (the route decides whether there is a direction to consult on).
	- SERVE_NOTICE: needs the consultation; from ``notice_from``.
	- DIRECT: needs a notice served in time; from ``direct_from``; after a referral, only once the
	  adjudicator's decision is recorded (the direction then names the school the adjudicator determined).
	"""
	step = DirectionStep(step)
	on_date = _as_date(on_date)
	own_date = {
		DirectionStep.CONSULT: dates.consulted_on,
		DirectionStep.SERVE_NOTICE: dates.notice_served_on,
		DirectionStep.DIRECT: dates.directed_on,
	}[step]
	acted_on = own_date or on_date
	if acted_on > on_date:
		return _refuse(step, acted_on, f"the date recorded ({acted_on:%d %B %Y}) is in the future")

	if step is DirectionStep.CONSULT:
		return StepCheck(step, True, None, "the admission authority is consulted (s97B(1))")

	if step is DirectionStep.SERVE_NOTICE:
		earliest = notice_from(dates)
		if earliest is None:
			return _refuse(step, None, "consult the admission authority first (s97B(1))")
		if acted_on < earliest:
			if dates.representations_received_on is not None:
				reason = (
					f"representations were received on {dates.representations_received_on:%d %B %Y}: notice "
					f"may be served from {earliest:%d %B %Y}"
				)
			else:
				reason = (
					f"the admission authority has until {representations_due(dates.consulted_on):%d %B %Y} "
					f"to make representations (7 days from consultation, s97B(1)): notice may be served from "
					f"{earliest:%d %B %Y}, or once they are received"
				)
			return _refuse(step, earliest, reason)
		return StepCheck(step, True, None, "representations received or the 7 days have passed")

	if dates.notice_served_on is None:
		return _refuse(step, None, "serve notice of the intention to direct first")
	if not _notice_in_time(dates):
		return _refuse(
			step,
			None,
			f"the notice was served on {dates.notice_served_on:%d %B %Y}, before the representations period "
			f"ended ({notice_from(dates):%d %B %Y}): serve it again",
		)
	if dates.referred_to_adjudicator_on is not None and dates.adjudicator_decided_on is None:
		return _refuse(
			step,
			None,
			f"referred to the Schools Adjudicator on {dates.referred_to_adjudicator_on:%d %B %Y}: direct "
			"only after the adjudicator's decision",
		)
	earliest = direct_from(dates)
	if acted_on < earliest:
		if dates.referred_to_adjudicator_on is not None:
			reason = f"the adjudicator decided on {earliest:%d %B %Y}"
		else:
			window_end = referral_window_ends(dates.notice_served_on)
			reason = (
				f"the school may refer the direction to the Schools Adjudicator until {window_end:%d %B %Y} "
				f"(7 days from the notice): direct from {earliest:%d %B %Y}"
			)
		return _refuse(step, earliest, reason)
	if dates.adjudicator_outcome is AdjudicatorOutcome.ANOTHER_SCHOOL:
		return StepCheck(
			step, True, None, "after the adjudicator's decision: direct the school it determined"
		)
	if dates.referred_to_adjudicator_on is not None:
		return StepCheck(step, True, None, "the adjudicator determined the school named in the notice")
	return StepCheck(step, True, None, "the 7-day referral window has passed with no referral")
