"""Tier 1: the in-year admission outcome clock, 15 school days with an aim of 10 (School Admissions Code 2021;
STATUTORY.md sections 3 and 11). Expected dates are counted by hand on the 2025-26 calendar of test_exclusion_rules."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_exclusion_rules import CAL

from virtual_school.domain.in_year_outcome import (
	InYearOutcomeClock,
	OutcomeStatus,
	in_year_outcome_clock,
	is_late,
	outcome_status,
)
from virtual_school.domain.school_days import DayKind, count_days, is_school_day

# The 2025-26 calendar of the exclusion tests: half-term 27-31 October, Monday 3 November an INSET day,
# Christmas to 4 January; the last term ends Wednesday 22 July 2026.


def test_clock_over_half_term_and_an_inset_day():
	# Approached Monday 6 October: 7-10 Oct (4), 13-17 (9), 20 Oct is the 10th; 21-24 Oct (14); half-term;
	# 3 November INSET; Tuesday 4 November is the 15th.
	clock = in_year_outcome_clock(date(2025, 10, 6), CAL)
	assert clock == InYearOutcomeClock(date(2025, 10, 6), date(2025, 10, 20), date(2025, 11, 4))


def test_clock_over_christmas():
	# Approached Friday 12 December: 15-19 Dec (5); Christmas; 5-9 Jan (10); 12-16 Jan (15).
	clock = in_year_outcome_clock(date(2025, 12, 12), CAL)
	assert (clock.aim_by, clock.outcome_due) == (date(2026, 1, 9), date(2026, 1, 16))


@pytest.mark.parametrize(
	("given_on", "on_date", "status"),
	[
		(None, date(2025, 10, 20), OutcomeStatus.AWAITING),
		(None, date(2025, 10, 21), OutcomeStatus.AWAITING_PAST_AIM),
		(None, date(2025, 11, 4), OutcomeStatus.AWAITING_PAST_AIM),
		(None, date(2025, 11, 5), OutcomeStatus.AWAITING_LATE),
		(date(2025, 10, 20), date(2025, 12, 1), OutcomeStatus.GIVEN_WITHIN_AIM),
		(date(2025, 10, 21), date(2025, 12, 1), OutcomeStatus.GIVEN_WITHIN_LIMIT),
		(date(2025, 11, 4), date(2025, 12, 1), OutcomeStatus.GIVEN_WITHIN_LIMIT),
		(date(2025, 11, 5), date(2025, 12, 1), OutcomeStatus.GIVEN_LATE),
		# Replaying a past day: an outcome given later was still awaited then.
		(date(2025, 11, 10), date(2025, 11, 5), OutcomeStatus.AWAITING_LATE),
	],
)
def test_status_and_lateness(given_on, on_date, status):
	clock = in_year_outcome_clock(date(2025, 10, 6), CAL)
	assert outcome_status(clock, given_on, on_date) is status
	assert is_late(clock, given_on, on_date) == (
		status in (OutcomeStatus.AWAITING_LATE, OutcomeStatus.GIVEN_LATE)
	)


def test_beyond_the_calendar_the_clock_waits():
	clock = in_year_outcome_clock(date(2026, 7, 20), CAL)  # 2 school days left: 21, 22 July
	assert clock.aim_by is None and clock.outcome_due is None
	assert outcome_status(clock, None, date(2026, 9, 30)) is OutcomeStatus.AWAITING
	assert not is_late(clock, None, date(2026, 9, 30))
	partial = in_year_outcome_clock(date(2026, 7, 8), CAL)  # 10 school days left: 9, 10, 13-17, 20-22 July
	assert (partial.aim_by, partial.outcome_due) == (date(2026, 7, 22), None)


@settings(max_examples=200, deadline=None)
@given(
	st.dates(min_value=date(2025, 9, 1), max_value=date(2026, 1, 20)),
	st.one_of(st.none(), st.dates(min_value=date(2025, 9, 1), max_value=date(2026, 3, 1))),
	st.dates(min_value=date(2025, 9, 1), max_value=date(2026, 3, 1)),
)
def test_clock_dates_are_school_days_and_lateness_is_monotonic(approached, given_on, on_date):
	clock = in_year_outcome_clock(approached, CAL)
	assert is_school_day(clock.aim_by, CAL) and is_school_day(clock.outcome_due, CAL)
	assert count_days(approached, clock.aim_by, DayKind.SCHOOL, CAL) == 10
	assert count_days(approached, clock.outcome_due, DayKind.SCHOOL, CAL) == 15
	if given_on is not None and given_on < approached:
		return
	if is_late(clock, given_on, on_date):
		later = date.fromordinal(on_date.toordinal() + 30)
		assert is_late(clock, given_on, later)  # once late, always late
	else:
		assert on_date <= clock.outcome_due or (given_on is not None and given_on <= clock.outcome_due)
