"""Tier 1: the EHC plan consultation, a response within 15 calendar days (SEND Code of Practice 2015 para
9.83; CFA 2014 ss39, 43; STATUTORY.md section 11)."""

from datetime import date

import pytest

from virtual_school.domain.ehc_plan_consultation import consultation_response_due, response_overdue


@pytest.mark.parametrize(
	("consulted_on", "due"),
	[
		(date(2026, 3, 3), date(2026, 3, 18)),
		(date(2026, 2, 20), date(2026, 3, 7)),  # February 2026 has 28 days; a Saturday still counts
		(date(2025, 12, 24), date(2026, 1, 8)),  # over Christmas and the year end: calendar days
	],
)
def test_response_due_15_calendar_days_after_consultation(consulted_on, due):
	assert consultation_response_due(consulted_on) == due


@pytest.mark.parametrize(
	("responded_on", "on_date", "overdue"),
	[
		(None, date(2026, 3, 18), False),  # due today
		(None, date(2026, 3, 19), True),
		(date(2026, 3, 18), date(2026, 4, 1), False),  # on time
		(date(2026, 3, 25), date(2026, 4, 1), False),  # late, but answered
		(date(2026, 3, 25), date(2026, 3, 20), True),  # not yet answered on 20 March
	],
)
def test_response_overdue(responded_on, on_date, overdue):
	assert response_overdue(date(2026, 3, 3), responded_on, on_date) is overdue
