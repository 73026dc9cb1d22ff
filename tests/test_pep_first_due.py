"""Tier 1: the due date a new PEP gets is the next obligation that can still be met, never a missed one (issue
#21: a new PEP for a child in care since 2022 with no PEP was "due 10-10-2022"). Calendar and dates as in
test_pep_obligation (2025-26, counted by hand there)."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from test_pep_obligation import READY, SPRING_REVIEW, obligation

from virtual_school.domain.pep_obligation import due_for_new_pep


def test_a_child_whose_initial_pep_was_missed_gets_this_terms_review():
	# entered care 5 Jan 2026 (emergency), no PEP meeting: on 2 March both initial dates are missed
	found = obligation(date(2026, 3, 2))
	assert READY in found.missed
	assert due_for_new_pep(found) == SPRING_REVIEW


def test_before_anything_is_missed_the_new_pep_is_due_by_the_first_obligation():
	found = obligation(date(2026, 1, 10))
	assert found.missed == ()
	assert due_for_new_pep(found) == found.next_due


@given(st.dates(date(2025, 6, 2), date(2026, 7, 22)), st.dates(date(2020, 1, 1), date(2026, 7, 22)))
def test_never_due_before_the_day_it_is_opened(on_date, entered):
	found = obligation(on_date, date_entered_care=entered)
	due = due_for_new_pep(found)
	assert due is None or due.due >= on_date
	assert all(missed.due < on_date for missed in found.missed)
