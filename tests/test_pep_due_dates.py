"""Tier 1: PEP due dates in working and school days (STATUTORY.md section 2 and "Other clocks")."""

import ast
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtual_school.domain import pep_due_dates
from virtual_school.domain.pep_due_dates import (
	DueDate,
	PepRules,
	initial_pep_due,
	is_overdue,
	merge_half_terms,
	next_pep_due,
	school_move_due,
	termly_review_due,
)
from virtual_school.domain.school_days import (
	DayKind,
	SchoolCalendar,
	count_days,
	is_school_day,
	is_working_day,
)

# Summer 2026: Summer 1 and Summer 2 with the May half-term between them (25-29 May, Spring bank holiday on
# the Monday). The Early May bank holiday (Monday 4 May) falls in term. Wednesday 22 July, the last day of
# Summer 2, is an INSET closure.
SUMMER_1 = (date(2026, 4, 13), date(2026, 5, 22))
SUMMER_2 = (date(2026, 6, 1), date(2026, 7, 22))
INSET = date(2026, 7, 22)
BANK_HOLIDAYS = frozenset(
	{date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25), date(2026, 8, 31)}
)
CAL = SchoolCalendar(terms=(SUMMER_1, SUMMER_2), closures=frozenset({INSET}), bank_holidays=BANK_HOLIDAYS)

INITIAL_RULE = "Initial PEP ready for the first review (20 working days after entering care)"
START_RULE = "PEP started with the care plan (10 working days after an emergency placement)"
TERMLY_RULE = "Termly PEP review (by the last school day of the term)"
MOVE_RULE = "New PEP after a school move (20 school days after the move)"


def nxt(**overrides):
	arguments = {
		"date_entered_care": None,
		"emergency": False,
		"last_pep_date": None,
		"last_school_move": None,
		"calendar": CAL,
		"on_date": date(2026, 5, 1),
	}
	arguments.update(overrides)
	return next_pep_due(**arguments)


def test_emergency_placement_on_friday_before_bank_holiday_monday():
	# Friday 1 May 2026; Monday 4 May is the Early May bank holiday, so day 1 is Tuesday 5 May.
	start, ready = initial_pep_due(date(2026, 5, 1), True, CAL)
	assert start == DueDate(date(2026, 5, 18), START_RULE, DayKind.WORKING)
	assert ready.kind is DayKind.WORKING
	assert ready.rule == INITIAL_RULE
	assert count_days(date(2026, 5, 1), start.due, DayKind.WORKING, CAL) == 10


def test_first_review_is_20_working_days_through_the_half_term():
	# Working days ignore the half-term holiday but skip the Spring bank holiday (25 May).
	(ready,) = initial_pep_due(date(2026, 5, 1), False, CAL)
	assert ready == DueDate(date(2026, 6, 2), INITIAL_RULE, DayKind.WORKING)
	assert count_days(date(2026, 5, 1), ready.due, DayKind.WORKING, CAL) == 20


def test_planned_entry_has_only_the_ready_by_date():
	dues = initial_pep_due(date(2026, 4, 20), False, CAL)
	assert [due.rule for due in dues] == [INITIAL_RULE]
	assert dues[0].due == date(2026, 5, 19)  # 4 May is a bank holiday


def test_initial_dates_use_the_rules_setting():
	rules = PepRules(emergency_start_working_days=5, first_review_working_days=15)
	start, ready = initial_pep_due(date(2026, 5, 1), True, CAL, rules)
	assert start.due == date(2026, 5, 11)
	assert ready.due == date(2026, 5, 26)
	assert "5 working days" in start.rule and "15 working days" in ready.rule


def test_termly_due_is_the_last_day_of_the_term():
	assert termly_review_due(date(2026, 4, 13), CAL) == DueDate(
		date(2026, 5, 22), TERMLY_RULE, DayKind.SCHOOL
	)
	assert termly_review_due(date(2026, 5, 22), CAL).due == date(2026, 5, 22)


def test_termly_due_when_the_last_day_is_a_closure_is_the_school_day_before():
	due = termly_review_due(date(2026, 6, 15), CAL)
	assert due.due == date(2026, 7, 21)
	assert is_school_day(due.due, CAL) and not is_school_day(INSET, CAL)


def test_termly_due_in_a_holiday_is_the_next_terms():
	assert termly_review_due(date(2026, 5, 27), CAL).due == date(2026, 7, 21)  # half-term
	assert termly_review_due(date(2026, 4, 1), CAL).due == date(2026, 5, 22)  # Easter, before Summer 1


def test_termly_due_beyond_the_calendar_is_none():
	assert termly_review_due(date(2026, 7, 23), CAL) is None
	assert termly_review_due(date(2026, 5, 1), SchoolCalendar()) is None


def test_term_with_no_school_days_passes_to_the_next_term():
	closed = SchoolCalendar(
		terms=((date(2026, 5, 30), date(2026, 5, 31)), SUMMER_2), bank_holidays=BANK_HOLIDAYS
	)  # a weekend-only "term"
	assert termly_review_due(date(2026, 5, 30), closed).due == date(2026, 7, 22)


def test_school_move_in_last_week_of_term_runs_into_next_term():
	# Monday 18 May: 4 school days left in Summer 1, then the half-term is skipped.
	due = school_move_due(date(2026, 5, 18), CAL)
	assert due == DueDate(date(2026, 6, 22), MOVE_RULE, DayKind.SCHOOL)
	assert count_days(date(2026, 5, 18), due.due, DayKind.SCHOOL, CAL) == 20


def test_school_move_setting_and_calendar_too_short():
	assert school_move_due(date(2026, 5, 18), CAL, PepRules(school_move_school_days=5)).due == date(
		2026, 6, 1
	)
	with pytest.raises(ValueError, match="calendar does not cover"):
		school_move_due(date(2026, 7, 10), CAL)


def test_rules_must_be_positive_whole_numbers():
	with pytest.raises(ValueError):
		PepRules(school_move_school_days=0)
	with pytest.raises(TypeError):
		PepRules(first_review_working_days=20.0)


def test_next_due_is_initial_pep_while_none_since_entering_care():
	due = nxt(date_entered_care=date(2026, 5, 1), last_pep_date=date(2026, 3, 1))
	assert due.rule == INITIAL_RULE and due.due == date(2026, 6, 2)


def test_next_due_picks_the_earliest_outstanding_obligation():
	# Emergency entry 1 May and a school move 4 May, no PEP yet: start-by (18 May) before move PEP and ready-by.
	due = nxt(date_entered_care=date(2026, 5, 1), emergency=True, last_school_move=date(2026, 5, 5))
	assert due.rule == START_RULE and due.due == date(2026, 5, 18)
	# Planned entry 13 April, PEP done 20 April, move 21 April: the move PEP is due before the termly review.
	due = nxt(
		date_entered_care=date(2026, 4, 13),
		last_pep_date=date(2026, 4, 20),
		last_school_move=date(2026, 4, 21),
		on_date=date(2026, 4, 22),
	)
	assert due.rule == MOVE_RULE and due.due == date(2026, 5, 20)
	# School days are a subset of working days, so only a shorter local move rule can come first.
	due = nxt(date_entered_care=date(2026, 4, 13), last_school_move=date(2026, 4, 14))
	assert due.rule == INITIAL_RULE and due.due == date(2026, 5, 12)
	rules = PepRules(school_move_school_days=5)
	due = nxt(date_entered_care=date(2026, 4, 13), last_school_move=date(2026, 4, 14), rules=rules)
	assert due.rule == "New PEP after a school move (5 school days after the move)"
	assert due.due == date(2026, 4, 21)


def test_next_due_is_termly_when_nothing_else_outstanding():
	base = {"date_entered_care": date(2025, 1, 6), "last_school_move": date(2025, 9, 1)}
	assert nxt(**base, last_pep_date=date(2026, 3, 20), on_date=date(2026, 5, 1)).due == date(2026, 5, 22)
	# A PEP before the calendar's first term counts for no term.
	assert nxt(**base, last_pep_date=date(2025, 12, 1), on_date=date(2026, 4, 1)).due == date(2026, 5, 22)
	# A PEP already done this term: next term's review.
	due = nxt(**base, last_pep_date=date(2026, 4, 30), on_date=date(2026, 5, 1))
	assert due.rule == TERMLY_RULE and due.due == date(2026, 7, 21)
	# A PEP in the half-term holiday counts for Summer 2, the term that follows it.
	assert nxt(**base, last_pep_date=date(2026, 5, 20), on_date=date(2026, 6, 3)).due == date(2026, 7, 21)
	assert nxt(**base, last_pep_date=date(2026, 5, 27), on_date=date(2026, 6, 3)) is None
	# A PEP done in Summer 2: the next review is beyond the calendar.
	assert nxt(**base, last_pep_date=date(2026, 6, 10), on_date=date(2026, 6, 11)) is None


def test_next_due_move_before_care_or_before_last_pep_does_not_count():
	due = nxt(
		date_entered_care=date(2026, 4, 20),
		last_pep_date=date(2026, 4, 28),
		last_school_move=date(2026, 4, 14),
	)
	assert due.rule == TERMLY_RULE
	due = nxt(last_pep_date=date(2026, 4, 28), last_school_move=date(2026, 4, 28))
	assert due.rule == TERMLY_RULE


def test_next_due_never_crashes_when_the_calendar_ends():
	assert (
		nxt(last_pep_date=date(2026, 6, 1), last_school_move=date(2026, 7, 10), on_date=date(2026, 7, 13))
		is None
	)
	assert nxt(on_date=date(2026, 9, 1)) is None
	assert nxt(calendar=SchoolCalendar(), last_school_move=date(2026, 5, 1)) is None


def test_is_overdue():
	due = DueDate(date(2026, 5, 22), TERMLY_RULE, DayKind.SCHOOL)
	assert not is_overdue(due, None, date(2026, 5, 22))  # due today: not yet overdue
	assert is_overdue(due, None, date(2026, 5, 23))
	assert not is_overdue(due, date(2026, 5, 22), date(2026, 6, 30))  # on time
	assert not is_overdue(due, date(2026, 6, 3), date(2026, 6, 30))  # late, but done
	assert is_overdue(due, date(2026, 6, 3), date(2026, 6, 1))  # not yet done on 1 June
	assert not is_overdue(None, None, date(2026, 6, 1))


def test_merge_half_terms_keeps_school_days():
	merged = merge_half_terms(CAL)
	assert merged.terms == ((date(2026, 4, 13), date(2026, 7, 22)),)
	day = date(2026, 4, 1)
	while day <= date(2026, 8, 31):
		assert is_school_day(day, merged) == is_school_day(day, CAL), day
		day += timedelta(days=1)
	assert termly_review_due(date(2026, 5, 1), merged).due == date(2026, 7, 21)
	# Christmas (17 days) stays a break between terms.
	winter = SchoolCalendar(
		terms=((date(2025, 11, 3), date(2025, 12, 19)), (date(2026, 1, 5), date(2026, 2, 13)))
	)
	assert merge_half_terms(winter).terms == winter.terms


def test_module_imports_no_frappe():
	source = Path(pep_due_dates.__file__).read_text()
	for node in ast.walk(ast.parse(source)):
		if isinstance(node, ast.Import):
			assert not any(alias.name.split(".")[0] == "frappe" for alias in node.names)
		elif isinstance(node, ast.ImportFrom) and node.module:
			assert node.module.split(".")[0] != "frappe"


# --- properties -----------------------------------------------------------------------------------------

dates = st.dates(min_value=date(2026, 3, 1), max_value=date(2026, 9, 30))
rule_sets = st.builds(
	PepRules,
	emergency_start_working_days=st.integers(1, 30),
	first_review_working_days=st.integers(1, 60),
	school_move_school_days=st.integers(1, 40),
)


def _is_of_kind(due: DueDate) -> bool:
	if due.kind is DayKind.SCHOOL:
		return is_school_day(due.due, CAL)
	return is_working_day(due.due, CAL)


@settings(max_examples=200, deadline=None)
@given(dates, st.booleans(), rule_sets)
def test_initial_and_move_dues_are_after_the_event_and_of_their_kind(event, emergency, rules):
	dues = initial_pep_due(event, emergency, CAL, rules)
	assert len(dues) == (2 if emergency else 1)  # the start-by date for an emergency, then the review
	for due in dues:
		assert due.due > event and due.kind is DayKind.WORKING and _is_of_kind(due)
	try:
		due = school_move_due(event, CAL, rules)
	except ValueError:
		assert count_days(event, CAL.last_term_end, DayKind.SCHOOL, CAL) < rules.school_move_school_days
		return
	assert due.due > event and due.kind is DayKind.SCHOOL and _is_of_kind(due)


@settings(max_examples=200, deadline=None)
@given(dates)
def test_termly_due_is_a_school_day_not_before_the_event(on_date):
	due = termly_review_due(on_date, CAL)
	if due is None:
		assert on_date > CAL.last_term_end
		return
	assert due.kind is DayKind.SCHOOL and _is_of_kind(due)
	# Never before on_date, unless on_date is after the term's last school day (then that day has passed).
	assert due.due >= on_date or count_days(due.due, on_date, DayKind.SCHOOL, CAL) == 0


@settings(max_examples=300, deadline=None)
@given(
	st.one_of(st.none(), dates),
	st.booleans(),
	st.one_of(st.none(), dates),
	st.one_of(st.none(), dates),
	dates,
	rule_sets,
)
def test_next_due_is_of_its_kind_and_never_before_what_triggered_it(
	entered, emergency, last_pep, move, on, rules
):
	due = next_pep_due(
		date_entered_care=entered,
		emergency=emergency,
		last_pep_date=last_pep,
		last_school_move=move,
		calendar=CAL,
		on_date=on,
		rules=rules,
	)
	if due is None:
		return
	assert _is_of_kind(due)
	if due.kind is DayKind.WORKING:
		assert entered is not None and due.due > entered
	elif due.rule.startswith("New PEP after a school move"):
		assert move is not None and due.due > move
	else:
		assert last_pep is None or due.due > last_pep
	if entered is not None and (last_pep is None or last_pep < entered):
		# The initial PEP is outstanding: nothing later than its earliest date is returned.
		assert due.due <= initial_pep_due(entered, emergency, CAL, rules)[0].due
