"""Tier 1: the s97A-C direction sequence in calendar days: consult, 7 days for representations (s97B(1)),
notice, 7 days to refer to the Schools Adjudicator, direct (STATUTORY.md sections 3 and 11)."""

from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from virtual_school.domain.direction_timeline import (
	AdjudicatorOutcome,
	DirectionDates,
	DirectionStep,
	check_step,
	direct_from,
	notice_from,
	referral_window_ends,
	representations_due,
)

CONSULTED = date(2026, 3, 2)  # Monday
NOTICE = date(2026, 3, 10)


def test_representations_are_due_7_days_after_consultation_and_notice_follows():
	assert representations_due(CONSULTED) == date(2026, 3, 9)
	assert notice_from(DirectionDates(consulted_on=CONSULTED)) == date(2026, 3, 10)
	# Representations received early: notice may follow the same day.
	early = DirectionDates(consulted_on=CONSULTED, representations_received_on=date(2026, 3, 4))
	assert notice_from(early) == date(2026, 3, 4)
	# Over the end of February 2026 (28 days) and of the year.
	assert representations_due(date(2026, 2, 26)) == date(2026, 3, 5)
	assert referral_window_ends(date(2025, 12, 28)) == date(2026, 1, 4)
	assert notice_from(DirectionDates()) is None


def test_serve_notice_only_after_the_representations_period():
	dates = DirectionDates(consulted_on=CONSULTED)
	refused = check_step(DirectionStep.SERVE_NOTICE, dates, date(2026, 3, 9))
	assert not refused.allowed and refused.earliest_on == date(2026, 3, 10)
	assert "09 March 2026" in refused.reason and "10 March 2026" in refused.reason
	assert check_step("Serve Notice of Intention to Direct", dates, date(2026, 3, 10)).allowed
	received = DirectionDates(consulted_on=CONSULTED, representations_received_on=date(2026, 3, 4))
	assert check_step(DirectionStep.SERVE_NOTICE, received, date(2026, 3, 4)).allowed
	# The notice's own recorded date is what counts, not the day it is entered.
	early_notice = DirectionDates(consulted_on=CONSULTED, notice_served_on=date(2026, 3, 6))
	check = check_step(DirectionStep.SERVE_NOTICE, early_notice, date(2026, 3, 12))
	assert not check.allowed and check.earliest_on == date(2026, 3, 10)


def test_serve_notice_needs_a_consultation():
	check = check_step(DirectionStep.SERVE_NOTICE, DirectionDates(), date(2026, 3, 9))
	assert not check.allowed and check.earliest_on is None and "consult" in check.reason


def test_direct_after_the_referral_window_with_no_referral():
	dates = DirectionDates(consulted_on=CONSULTED, notice_served_on=NOTICE)
	assert referral_window_ends(NOTICE) == date(2026, 3, 17)
	assert direct_from(dates) == date(2026, 3, 18)
	refused = check_step(DirectionStep.DIRECT, dates, date(2026, 3, 17))
	assert not refused.allowed and refused.earliest_on == date(2026, 3, 18)
	assert "17 March 2026" in refused.reason
	allowed = check_step(DirectionStep.DIRECT, dates, date(2026, 3, 18))
	assert allowed.allowed and allowed.earliest_on is None


def test_a_referral_holds_the_direction_until_the_adjudicator_decides():
	referred = DirectionDates(
		consulted_on=CONSULTED, notice_served_on=NOTICE, referred_to_adjudicator_on=date(2026, 3, 16)
	)
	waiting = check_step(DirectionStep.DIRECT, referred, date(2026, 4, 30))
	assert not waiting.allowed and waiting.earliest_on is None and "Adjudicator" in waiting.reason
	assert direct_from(referred) is None
	decided = DirectionDates(
		consulted_on=CONSULTED,
		notice_served_on=NOTICE,
		referred_to_adjudicator_on=date(2026, 3, 16),
		adjudicator_outcome="The school named in the notice",
		adjudicator_decided_on=date(2026, 3, 25),
	)
	before = check_step(DirectionStep.DIRECT, decided, date(2026, 3, 24))
	assert not before.allowed and before.earliest_on == date(2026, 3, 25)
	assert check_step(DirectionStep.DIRECT, decided, date(2026, 3, 25)).allowed
	other = DirectionDates(
		consulted_on=CONSULTED,
		notice_served_on=NOTICE,
		referred_to_adjudicator_on=date(2026, 3, 12),
		adjudicator_outcome=AdjudicatorOutcome.ANOTHER_SCHOOL,
		adjudicator_decided_on=date(2026, 3, 13),
	)
	# A decision inside the window ends the wait: the direction follows it, to the school it determined.
	check = check_step(DirectionStep.DIRECT, other, date(2026, 3, 13))
	assert check.allowed and "school it determined" in check.reason


def test_direct_refused_without_a_notice_or_after_a_notice_served_too_early():
	assert not check_step(
		DirectionStep.DIRECT, DirectionDates(consulted_on=CONSULTED), date(2026, 5, 1)
	).allowed
	too_early = DirectionDates(consulted_on=CONSULTED, notice_served_on=date(2026, 3, 6))
	check = check_step(DirectionStep.DIRECT, too_early, date(2026, 5, 1))
	assert not check.allowed and check.earliest_on is None and "serve it again" in check.reason
	assert direct_from(too_early) is None


def test_a_step_dated_in_the_future_is_refused():
	dates = DirectionDates(consulted_on=date(2026, 3, 20))
	check = check_step(DirectionStep.CONSULT, dates, date(2026, 3, 19))
	assert not check.allowed and check.earliest_on == date(2026, 3, 20)
	assert check_step(DirectionStep.CONSULT, dates, date(2026, 3, 20)).allowed


@pytest.mark.parametrize(
	"dates",
	[
		{"representations_received_on": date(2026, 3, 1), "consulted_on": CONSULTED},
		{"notice_served_on": NOTICE},
		{
			"consulted_on": CONSULTED,
			"notice_served_on": NOTICE,
			"referred_to_adjudicator_on": date(2026, 3, 9),
		},
		{"consulted_on": CONSULTED, "notice_served_on": NOTICE, "adjudicator_decided_on": date(2026, 3, 20)},
		{
			"consulted_on": CONSULTED,
			"notice_served_on": NOTICE,
			"referred_to_adjudicator_on": date(2026, 3, 12),
			"adjudicator_decided_on": date(2026, 3, 20),
		},
		{"consulted_on": CONSULTED, "directed_on": date(2026, 3, 20)},
	],
)
def test_dates_out_of_order_or_incomplete_are_rejected(dates):
	with pytest.raises(ValueError):
		DirectionDates(**dates)


# --- properties -----------------------------------------------------------------------------------------

days = st.dates(min_value=date(2025, 12, 1), max_value=date(2026, 6, 30))
offsets = st.one_of(st.none(), st.integers(min_value=0, max_value=20))


def _after(start, offset):
	return None if offset is None else start + timedelta(days=offset)


@st.composite
def direction_dates(draw):
	consulted = draw(st.one_of(st.none(), days))
	if consulted is None:
		return DirectionDates()
	received = _after(consulted, draw(offsets))
	notice = _after(consulted, draw(offsets))
	referred = _after(notice, draw(offsets)) if notice else None
	decided = _after(referred, draw(offsets)) if referred else None
	outcome = draw(st.sampled_from(list(AdjudicatorOutcome))) if decided else None
	return DirectionDates(consulted, received, notice, referred, outcome, decided)


@settings(max_examples=200, deadline=None)
@given(direction_dates(), st.sampled_from(list(DirectionStep)), days)
def test_the_earliest_day_given_is_the_first_day_the_step_is_allowed(dates, step, on_date):
	check = check_step(step, dates, on_date)
	assume(not check.allowed and check.earliest_on is not None)
	own = {"Consult on Direction": "consulted_on", "Serve Notice of Intention to Direct": "notice_served_on"}
	if step.value in own and getattr(dates, own[step.value]) is not None:
		return  # a recorded date is what is refused: the day it is checked on does not move it
	assert check_step(step, dates, check.earliest_on).allowed
	assert not check_step(step, dates, check.earliest_on - timedelta(days=1)).allowed


@settings(max_examples=200, deadline=None)
@given(direction_dates(), days)
def test_never_directed_within_7_days_of_consultation_plus_7_of_notice(dates, on_date):
	if not check_step(DirectionStep.DIRECT, dates, on_date).allowed:
		return
	assert dates.notice_served_on is not None and dates.consulted_on is not None
	representations_over = dates.notice_served_on > representations_due(dates.consulted_on)
	assert representations_over or dates.representations_received_on is not None
	if dates.referred_to_adjudicator_on is None:
		assert on_date > referral_window_ends(dates.notice_served_on)
	else:
		assert dates.adjudicator_decided_on is not None and on_date >= dates.adjudicator_decided_on
