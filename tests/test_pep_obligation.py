"""Tier 1: a looked-after child's PEP obligation on a date, the next due that can still be met and those missed
(CPPCR 2010 regs 4 and 33; DfE 2018 termly review; STATUTORY.md sections 2 and 11). Expected dates are counted
by hand on the 2025-26 calendar of test_exclusion_rules."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from test_exclusion_rules import CAL as HALF_TERMS

from virtual_school.domain.pep_due_dates import DueDate, PepRules, merge_half_terms, next_pep_due
from virtual_school.domain.pep_obligation import (
	PepObligation,
	next_statutory_review,
	pep_held_on_time,
	pep_obligation,
)
from virtual_school.domain.school_days import DayKind

# The 2025-26 half-terms (and Summer 2 2025) of the exclusion tests, joined into review terms: Summer 2025
# 2 Jun-22 Jul, Autumn 3 Sep-19 Dec, Spring 5 Jan-27 Mar, Summer 13 Apr-22 Jul. Bank holidays as in England.
CAL = merge_half_terms(HALF_TERMS)
START = DueDate(
	date(2026, 1, 19),
	"PEP started with the care plan (10 working days after an emergency placement)",
	DayKind.WORKING,
)
READY = DueDate(
	date(2026, 2, 2),
	"Initial PEP ready for the first review (20 working days after entering care)",
	DayKind.WORKING,
)
TERMLY = "Termly PEP review (by the last school day of the term)"
SPRING_REVIEW = DueDate(date(2026, 3, 27), TERMLY, DayKind.SCHOOL)
SUMMER_REVIEW = DueDate(date(2026, 7, 22), TERMLY, DayKind.SCHOOL)
MOVE = DueDate(
	date(2026, 4, 13), "New PEP after a school move (20 school days after the move)", DayKind.SCHOOL
)


def obligation(on_date, **overrides):
	arguments = {
		"on_date": on_date,
		"date_entered_care": date(2026, 1, 5),
		"emergency": True,
		"last_pep_meeting_date": None,
		"last_school_move": None,
		"calendar": CAL,
	}
	arguments.update(overrides)
	return pep_obligation(**arguments)


def test_emergency_entry_start_by_then_ready_by_then_missed():
	# Entered care in an emergency on Monday 5 January: 10 working days is Monday 19 January, 20 is Monday
	# 2 February.
	assert obligation(date(2026, 1, 10)) == PepObligation(date(2026, 1, 10), True, START, ())
	assert obligation(date(2026, 1, 19)).next_due == START  # due today: still in time
	assert obligation(date(2026, 1, 20)) == PepObligation(date(2026, 1, 20), True, READY, (START,))


def test_a_child_with_no_pep_at_all_is_owed_this_terms_review_and_then_each_term():
	late = obligation(date(2026, 2, 3))
	assert late.missed == (START, READY) and late.next_due == SPRING_REVIEW
	summer = obligation(date(2026, 4, 14))
	assert summer.missed == (START, READY, SPRING_REVIEW) and summer.next_due == SUMMER_REVIEW


def test_a_pep_meeting_meets_the_initial_pep_and_its_terms_review():
	result = obligation(date(2026, 2, 1), last_pep_meeting_date=date(2026, 1, 30))
	assert result.next_due == SUMMER_REVIEW and result.missed == ()


def test_a_school_move_pep_within_20_school_days_over_easter():
	# Moved Monday 2 March: 3-6 Mar (4), 9-13 (9), 16-20 (14), 23-27 (19); Easter; Monday 13 April (20).
	meeting = {"last_pep_meeting_date": date(2026, 1, 30), "last_school_move": date(2026, 3, 2)}
	assert obligation(date(2026, 3, 3), **meeting) == PepObligation(date(2026, 3, 3), True, MOVE, ())
	assert obligation(date(2026, 4, 14), **meeting) == PepObligation(
		date(2026, 4, 14), True, SUMMER_REVIEW, (MOVE,)
	)


def test_termly_reviews_missed_since_the_last_meeting():
	result = obligation(
		date(2026, 4, 14), date_entered_care=date(2024, 1, 8), last_pep_meeting_date=date(2025, 10, 15)
	)
	assert result.missed == (SPRING_REVIEW,) and result.next_due == SUMMER_REVIEW
	# A last meeting before the calendar's first term: every term it knows was missed.
	result = obligation(
		date(2026, 4, 14), date_entered_care=date(2024, 1, 8), last_pep_meeting_date=date(2025, 5, 1)
	)
	assert [due.due for due in result.missed] == [date(2025, 7, 22), date(2025, 12, 19), date(2026, 3, 27)]
	# Nothing known: this term's review only.
	result = obligation(date(2026, 4, 14), date_entered_care=None, emergency=False)
	assert result == PepObligation(date(2026, 4, 14), True, SUMMER_REVIEW, ())


def test_no_obligation_before_entering_care_or_from_leaving_it():
	assert obligation(date(2026, 1, 2)) == PepObligation(date(2026, 1, 2), False, None, ())
	left = {"last_pep_meeting_date": date(2026, 1, 30), "left_care_on": date(2026, 3, 1)}
	assert obligation(date(2026, 3, 1), **left) == PepObligation(date(2026, 3, 1), False, None, ())
	# Still looked after on 20 February, but the Summer review falls after the child leaves care.
	assert obligation(date(2026, 2, 20), **left) == PepObligation(date(2026, 2, 20), True, None, ())


def test_local_rules_apply():
	rules = PepRules(emergency_start_working_days=5)  # Monday 12 January
	assert obligation(date(2026, 1, 6), rules=rules).next_due.due == date(2026, 1, 12)


def test_on_time_means_the_meeting_was_held_by_the_due_date():
	assert pep_held_on_time(READY, date(2026, 2, 2))
	assert not pep_held_on_time(READY, date(2026, 2, 3))
	assert not pep_held_on_time(READY, None)


def test_the_next_statutory_review_3_months_after_the_first_then_6_months():
	# CPPCR reg 33: first review Monday 2 February 2026; the second by 2 May, later ones 6 months apart.
	second = next_statutory_review(date(2026, 1, 5), [date(2026, 2, 2)])
	assert second.due == date(2026, 5, 2) and second.kind == DayKind.CALENDAR
	third = next_statutory_review(date(2026, 1, 5), [date(2026, 4, 30), date(2026, 2, 2)])
	assert third.due == date(2026, 10, 30)
	# 6 months after 31 August is the last day of February (2027 is not a leap year, 2028 is).
	assert next_statutory_review(None, [date(2026, 3, 1), date(2026, 8, 31)]).due == date(2027, 2, 28)
	assert next_statutory_review(None, [date(2027, 3, 1), date(2027, 8, 31)]).due == date(2028, 2, 29)
	# Reviews of an earlier period of care do not count; none known: the initial PEP's ready-by date rules.
	assert next_statutory_review(date(2026, 1, 5), [date(2025, 6, 1)]) is None
	assert next_statutory_review(date(2026, 1, 5), []) is None


def test_the_next_statutory_review_comes_first_when_earlier_than_the_term():
	review = next_statutory_review(date(2026, 1, 5), [date(2026, 2, 2)])
	held = {"last_pep_meeting_date": date(2026, 1, 30), "review_dates": [date(2026, 2, 2)]}
	# 14 April: the Summer term's review is due 22 July, the statutory review on 2 May comes first.
	assert obligation(date(2026, 4, 14), **held) == PepObligation(date(2026, 4, 14), True, review, ())
	# Passed with no meeting since the review: missed, and the term's review is next.
	assert obligation(date(2026, 5, 4), **held) == PepObligation(
		date(2026, 5, 4), True, SUMMER_REVIEW, (review,)
	)
	# A meeting held after the last review is the PEP for the next one (and the Summer term's: the next
	# termly review is in the Autumn, beyond this calendar).
	after = {**held, "last_pep_meeting_date": date(2026, 4, 20)}
	assert obligation(date(2026, 4, 21), **after) == PepObligation(date(2026, 4, 21), True, None, ())
	# A review later than the term's date: the term's date comes first.
	later = {**held, "review_dates": [date(2026, 2, 2), date(2026, 4, 1)]}
	assert obligation(date(2026, 4, 14), **later).next_due == SUMMER_REVIEW


# --- properties -----------------------------------------------------------------------------------------

days = st.dates(min_value=date(2025, 9, 1), max_value=date(2026, 7, 31))
maybe_days = st.one_of(st.none(), days)


@settings(max_examples=300, deadline=None)
@given(maybe_days, st.booleans(), maybe_days, maybe_days, days, maybe_days)
def test_missed_are_past_next_is_not_and_the_existing_clock_agrees(
	entered, emergency, meeting, move, on_date, left
):
	# Events recorded by ``on_date`` are on or before it.
	entered, meeting, move = (
		None if each is not None and each > on_date else each for each in (entered, meeting, move)
	)
	result = pep_obligation(
		on_date=on_date,
		date_entered_care=entered,
		emergency=emergency,
		last_pep_meeting_date=meeting,
		last_school_move=move,
		calendar=CAL,
		left_care_on=left,
	)
	if left is not None and on_date >= left:
		assert result == PepObligation(on_date, False, None, ())
		return
	assert all(due.due < on_date for due in result.missed)
	assert list(result.missed) == sorted(result.missed, key=lambda due: due.due)
	if result.next_due is not None:
		assert result.next_due.due >= on_date
		assert left is None or result.next_due.due < left
	if left is not None:
		return
	existing = next_pep_due(
		date_entered_care=entered,
		emergency=emergency,
		last_pep_date=meeting,
		last_school_move=move,
		calendar=CAL,
		on_date=on_date,
	)
	if existing is None:
		return
	if existing.due < on_date:
		assert existing in result.missed  # what the existing clock calls overdue is reported missed
	elif not result.missed:
		assert result.next_due is not None and result.next_due.due <= existing.due


@settings(max_examples=200, deadline=None)
@given(days, maybe_days, st.lists(days, max_size=3), days)
def test_statutory_reviews_only_bring_the_next_due_forward(entered, meeting, reviews, on_date):
	# Events recorded by ``on_date`` are on or before it; reviews are those held in the period of care.
	if entered > on_date:
		entered = on_date
	meeting = None if meeting is not None and (meeting > on_date) else meeting
	reviews = [day for day in reviews if entered <= day <= on_date]
	common = {
		"on_date": on_date,
		"date_entered_care": entered,
		"emergency": False,
		"last_pep_meeting_date": meeting,
		"last_school_move": None,
		"calendar": CAL,
	}
	without = pep_obligation(**common)
	with_reviews = pep_obligation(**common, review_dates=reviews)
	assert set(without.missed) <= set(with_reviews.missed)
	assert all(due.due < on_date for due in with_reviews.missed)
	if with_reviews.next_due is not None:
		assert with_reviews.next_due.due >= on_date
		assert without.next_due is None or with_reviews.next_due.due <= without.next_due.due
	else:
		assert without.next_due is None
