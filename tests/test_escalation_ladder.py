from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from virtual_school.domain import escalation_ladder as ladder


def test_four_levels_from_caseworker_to_director():
	assert [level.number for level in ladder.LEVELS] == [1, 2, 3, 4]
	assert ladder.level(1).holder == "Caseworker"
	assert ladder.level(4).holder.startswith("Director")


def test_next_level_stops_at_the_top():
	assert ladder.next_level(1).number == 2
	assert ladder.next_level(3).number == 4
	assert ladder.next_level(4) is None


@pytest.mark.parametrize("number", [0, 5, -1])
def test_levels_outside_the_ladder_are_refused(number):
	with pytest.raises(ValueError):
		ladder.level(number)


def test_states_map_back_to_levels():
	for level in ladder.LEVELS:
		assert ladder.LEVEL_BY_STATE[level.state] is level


def test_due_on_the_day_is_not_overdue():
	assert not ladder.is_overdue(date(2026, 3, 2), date(2026, 3, 2))
	assert ladder.is_overdue(date(2026, 3, 2), date(2026, 3, 3))
	assert not ladder.is_overdue(None, date(2026, 3, 3))


def test_raise_once_a_day_and_never_past_the_top():
	today = date(2026, 3, 10)
	assert ladder.should_raise(1, date(2026, 3, 9), None, today)
	assert not ladder.should_raise(1, date(2026, 3, 9), today, today), "already raised today"
	assert ladder.should_raise(2, date(2026, 3, 9), date(2026, 3, 9), today)
	assert not ladder.should_raise(4, date(2026, 3, 1), None, today)
	assert not ladder.should_raise(1, date(2026, 3, 10), None, today)


@given(
	st.integers(min_value=1, max_value=4),
	st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
	st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
)
def test_a_raised_escalation_is_never_raised_again_the_same_day(current, due, today):
	assert not ladder.should_raise(current, due, today, today)
