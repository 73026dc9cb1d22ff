"""Tier 1: suspension totals per school and the governors' duty to consider reinstatement (SI 2012/1033 regs
6, 15, 24; STATUTORY.md sections 5 and 11). Expected dates are counted by hand on the calendar below."""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtual_school.domain import exclusion_rules
from virtual_school.domain.exclusion_rules import (
	ConsiderationDuty,
	ConsiderationTrigger,
	ExclusionKind,
	Suspension,
	governors_consideration,
	suspended_school_days,
	suspension_totals,
	totals_for_suspension,
)
from virtual_school.domain.school_days import DayKind, SchoolCalendar, count_days, is_school_day

# Summer 2 2025, then the 2025-26 half-terms. Joined half-terms give three terms: Autumn 3 Sep-19 Dec 2025,
# Spring 5 Jan-27 Mar 2026, Summer 13 Apr-22 Jul 2026. Monday 3 November 2025 is an INSET day.
CAL = SchoolCalendar(
	terms=(
		(date(2025, 6, 2), date(2025, 7, 22)),
		(date(2025, 9, 3), date(2025, 10, 24)),
		(date(2025, 11, 3), date(2025, 12, 19)),
		(date(2026, 1, 5), date(2026, 2, 13)),
		(date(2026, 2, 23), date(2026, 3, 27)),
		(date(2026, 4, 13), date(2026, 5, 22)),
		(date(2026, 6, 1), date(2026, 7, 22)),
	),
	closures=frozenset({date(2025, 11, 3)}),
	bank_holidays=frozenset(
		{
			date(2025, 12, 25),
			date(2025, 12, 26),
			date(2026, 1, 1),
			date(2026, 4, 3),
			date(2026, 4, 6),
			date(2026, 5, 4),
			date(2026, 5, 25),
		}
	),
)
AUTUMN = (date(2025, 9, 3), date(2025, 12, 19))
SPRING = (date(2026, 1, 5), date(2026, 3, 27))
SUMMER = (date(2026, 4, 13), date(2026, 7, 22))
YEAR_2025_26 = (date(2025, 9, 3), date(2026, 7, 22))
OLD_SCHOOL, NEW_SCHOOL = "100001", "100002"


def test_a_previous_schools_suspensions_never_count_at_the_new_one():
	# 10 days at the old school (6-17 October), then 8 at the new one (17-26 November).
	history = [Suspension(OLD_SCHOOL, date(2025, 10, 6), 10)]
	new = Suspension(NEW_SCHOOL, date(2025, 11, 17), 8)
	totals = totals_for_suspension(new, history, CAL)
	assert (totals.school, totals.term, totals.term_school_days) == (NEW_SCHOOL, AUTUMN, 8)
	assert (totals.school_year, totals.year_school_days) == (YEAR_2025_26, 8)
	assert not totals.more_than_15_in_term  # 18 for the child, but 8 at this school
	old = suspension_totals([*history, new], OLD_SCHOOL, date(2025, 11, 17), CAL)
	assert old.term_school_days == 10
	duty = governors_consideration(
		kind="Suspension",
		term_school_days=totals.term_school_days,
		misses_public_examination=False,
		representations_made=True,
		notice_received_on=date(2025, 11, 17),
		calendar=CAL,
	)
	assert duty.duty is ConsiderationDuty.WITHIN_50_SCHOOL_DAYS


def test_half_term_and_inset_day_are_not_suspended_days():
	# Thursday 23 October, 5 days: 23, 24 Oct; half-term; 3 Nov INSET; 4, 5, 6 Nov. All in the Autumn term.
	suspension = Suspension(OLD_SCHOOL, date(2025, 10, 23), 5)
	assert suspended_school_days([suspension], OLD_SCHOOL, date(2025, 11, 3), date(2025, 11, 5), CAL) == 2
	assert suspended_school_days([suspension], OLD_SCHOOL, *AUTUMN, CAL) == 5


def test_a_suspension_over_christmas_counts_in_each_term_for_its_days():
	# Wednesday 17 December, 6 days: 17, 18, 19 Dec (Autumn) and 5, 6, 7 Jan (Spring).
	spanning = Suspension(OLD_SCHOOL, date(2025, 12, 17), 6)
	assert suspended_school_days([spanning], OLD_SCHOOL, *AUTUMN, CAL) == 3
	assert suspended_school_days([spanning], OLD_SCHOOL, *SPRING, CAL) == 3
	# With 13 days earlier in the Autumn term, Autumn reaches 16.
	autumn_13 = Suspension(OLD_SCHOOL, date(2025, 9, 15), 13)
	totals = totals_for_suspension(spanning, [autumn_13], CAL)
	assert (totals.term, totals.term_school_days, totals.more_than_15_in_term) == (AUTUMN, 16, True)
	# With 13 days later in the Spring term (12-28 January) instead, Spring reaches 16 and is the one given.
	spring_13 = Suspension(OLD_SCHOOL, date(2026, 1, 12), 13)
	totals = totals_for_suspension(spanning, [spring_13], CAL)
	assert (totals.term, totals.term_school_days) == (SPRING, 16)
	assert totals.year_school_days == 19


def test_more_than_45_days_in_the_school_year():
	suspensions = [
		Suspension(OLD_SCHOOL, date(2025, 9, 15), 15),  # Autumn: 15-19, 22-26 Sep, 29 Sep-3 Oct
		Suspension(OLD_SCHOOL, date(2026, 1, 12), 15),  # Spring: 12 Jan-30 Jan
		# Summer: 13-17, 20-24 Apr, 27 Apr-1 May, (4 May bank holiday), 5 May = 16 days
		Suspension(OLD_SCHOOL, date(2026, 4, 13), 16),
	]
	totals = suspension_totals(suspensions, OLD_SCHOOL, date(2026, 5, 5), CAL)
	assert (totals.term, totals.term_school_days) == (SUMMER, 16)
	assert (totals.school_year, totals.year_school_days) == (YEAR_2025_26, 46)
	assert totals.more_than_45_in_year and totals.more_than_15_in_term
	assert not suspension_totals(suspensions[:2], OLD_SCHOOL, date(2026, 1, 12), CAL).more_than_45_in_year


def test_last_school_years_suspensions_do_not_count():
	last_july = Suspension(OLD_SCHOOL, date(2025, 7, 14), 7)  # 14-18, 21, 22 July 2025
	this_year = Suspension(OLD_SCHOOL, date(2025, 9, 15), 5)
	totals = suspension_totals([last_july, this_year], OLD_SCHOOL, date(2025, 9, 15), CAL)
	assert totals.year_school_days == 5
	previous = suspension_totals([last_july, this_year], OLD_SCHOOL, date(2025, 7, 14), CAL)
	assert previous.school_year == (date(2025, 6, 2), date(2025, 7, 22))
	assert previous.year_school_days == 7


def test_a_term_starting_in_august_opens_the_new_school_year():
	# SI 1999/3181 reg 2: the school year starts with the first term beginning after July.
	calendar = SchoolCalendar(
		terms=((date(2025, 6, 2), date(2025, 7, 18)), (date(2025, 8, 28), date(2025, 12, 19)))
	)
	totals = suspension_totals(
		[Suspension(OLD_SCHOOL, date(2025, 9, 1), 2)], OLD_SCHOOL, date(2025, 9, 1), calendar
	)
	assert totals.school_year == (date(2025, 8, 28), date(2025, 12, 19))


def test_a_day_in_the_holidays_takes_the_next_term_and_a_calendar_without_terms_fails():
	totals = suspension_totals([], OLD_SCHOOL, date(2025, 12, 30), CAL)
	assert totals.term == SPRING and totals.term_school_days == 0
	with pytest.raises(ValueError, match="no term on or after"):
		suspension_totals([], OLD_SCHOOL, date(2026, 8, 1), CAL)


def test_suspension_must_name_its_school_and_last_a_school_day():
	with pytest.raises(ValueError):
		Suspension("  ", date(2025, 10, 6), 1)
	with pytest.raises(ValueError):
		Suspension(OLD_SCHOOL, date(2025, 10, 6), 0)
	with pytest.raises(TypeError):
		Suspension(OLD_SCHOOL, date(2025, 10, 6), 1.5)


def consider(**overrides):
	arguments = {
		"kind": ExclusionKind.SUSPENSION,
		"term_school_days": 3,
		"misses_public_examination": False,
		"representations_made": False,
		"notice_received_on": date(2025, 10, 6),
		"calendar": CAL,
	}
	arguments.update(overrides)
	return governors_consideration(**arguments)


def test_permanent_exclusion_15_school_days_over_half_term_and_inset():
	# Notice Monday 6 October: 7-10 Oct (4), 13-17 (9), 20-24 (14); half-term; 3 Nov INSET; 4 Nov is the 15th.
	result = consider(kind="Permanent exclusion", term_school_days=0)
	assert result.duty is ConsiderationDuty.WITHIN_15_SCHOOL_DAYS
	assert result.triggers == (ConsiderationTrigger.PERMANENT_EXCLUSION,)
	assert (result.school_days, result.due) == (15, date(2025, 11, 4))
	assert "15 school days" in result.rule and "Permanent exclusion" in result.rule


def test_representations_on_6_to_15_days_give_50_school_days_across_christmas():
	# Notice Monday 17 November: 18-21 Nov (4), 24-28 (9), 1-5 Dec (14), 8-12 (19), 15-19 (24); Spring:
	# 5-9 Jan (29), 12-16 (34), 19-23 (39), 26-30 (44), 2-6 Feb (49), Monday 9 February is the 50th.
	result = consider(term_school_days=8, representations_made=True, notice_received_on=date(2025, 11, 17))
	assert result.duty is ConsiderationDuty.WITHIN_50_SCHOOL_DAYS
	assert result.triggers == (ConsiderationTrigger.REPRESENTATIONS_6_TO_15_IN_TERM,)
	assert (result.school_days, result.due) == (50, date(2026, 2, 9))


@pytest.mark.parametrize(
	("days", "representations", "duty", "school_days"),
	[
		(5, False, ConsiderationDuty.NONE, None),
		(5, True, ConsiderationDuty.REPRESENTATIONS_ONLY, None),
		(6, False, ConsiderationDuty.NONE, None),
		(6, True, ConsiderationDuty.WITHIN_50_SCHOOL_DAYS, 50),
		(15, False, ConsiderationDuty.NONE, None),
		(15, True, ConsiderationDuty.WITHIN_50_SCHOOL_DAYS, 50),
		(16, False, ConsiderationDuty.WITHIN_15_SCHOOL_DAYS, 15),
		(16, True, ConsiderationDuty.WITHIN_15_SCHOOL_DAYS, 15),
	],
)
def test_thresholds_of_the_term_total(days, representations, duty, school_days):
	result = consider(term_school_days=days, representations_made=representations)
	assert (result.duty, result.school_days) == (duty, school_days)
	assert (result.due is None) == (school_days is None)


def test_no_duty_without_representations_has_no_clock_but_says_what_would_start_one():
	result = consider(term_school_days=10)
	assert result.due is None and result.triggers == ()
	assert "only if the parents make representations" in result.rule and "50 school days" in result.rule


def test_a_missed_examination_starts_the_15_day_clock_for_a_short_suspension():
	result = consider(term_school_days=2, misses_public_examination=True, examination_date=date(2025, 10, 20))
	assert result.duty is ConsiderationDuty.WITHIN_15_SCHOOL_DAYS
	assert result.triggers == (ConsiderationTrigger.MISSES_PUBLIC_EXAMINATION,)
	assert result.due == date(2025, 11, 4) and result.consider_before == date(2025, 10, 20)
	both = consider(term_school_days=17, misses_public_examination=True)
	assert both.triggers == (
		ConsiderationTrigger.MORE_THAN_15_IN_TERM,
		ConsiderationTrigger.MISSES_PUBLIC_EXAMINATION,
	)
	assert both.consider_before is None


def test_a_calendar_that_ends_too_soon_gives_no_due_date_but_keeps_the_duty():
	result = consider(kind="Permanent exclusion", notice_received_on=date(2026, 7, 20))
	assert result.duty is ConsiderationDuty.WITHIN_15_SCHOOL_DAYS
	assert result.due is None and "does not reach" in result.rule


def test_term_total_must_be_a_whole_number():
	with pytest.raises(ValueError):
		consider(term_school_days=-1)
	with pytest.raises(ValueError):
		consider(term_school_days=True)


def test_kinds_are_the_exclusion_records_options():
	doctype = (
		Path(exclusion_rules.__file__).resolve().parent.parent
		/ "virtual_school/doctype/exclusion/exclusion.json"
	)
	fields = {field["fieldname"]: field for field in json.loads(doctype.read_text())["fields"]}
	assert fields["exclusion_type"]["options"].split("\n") == [kind.value for kind in ExclusionKind]


# --- properties -----------------------------------------------------------------------------------------

term_days = st.dates(min_value=date(2025, 9, 1), max_value=date(2026, 7, 22))
suspensions = st.builds(
	Suspension, st.sampled_from([OLD_SCHOOL, NEW_SCHOOL]), term_days, st.integers(min_value=1, max_value=20)
)


@settings(max_examples=200, deadline=None)
@given(st.lists(suspensions, max_size=6), term_days)
def test_totals_are_per_school_and_terms_add_up_to_the_year(history, on_date):
	totals = {school: suspension_totals(history, school, on_date, CAL) for school in (OLD_SCHOOL, NEW_SCHOOL)}
	# Adding another school's suspensions changes nothing.
	only_old = [each for each in history if each.school == OLD_SCHOOL]
	assert suspension_totals(only_old, OLD_SCHOOL, on_date, CAL) == totals[OLD_SCHOOL]
	# The three terms of 2025-26 split the year's days between them.
	for school in (OLD_SCHOOL, NEW_SCHOOL):
		by_term = sum(suspended_school_days(history, school, *term, CAL) for term in (AUTUMN, SPRING, SUMMER))
		assert by_term == totals[school].year_school_days
		assert totals[school].term_school_days <= totals[school].year_school_days


@settings(max_examples=200, deadline=None)
@given(suspensions)
def test_a_suspension_inside_the_calendar_counts_all_its_days_once(suspension):
	whole = suspended_school_days([suspension], suspension.school, date(2025, 6, 1), date(2026, 7, 31), CAL)
	available = count_days(suspension.start_date - timedelta(days=1), CAL.last_term_end, DayKind.SCHOOL, CAL)
	assert whole == min(suspension.school_days, available)


@settings(max_examples=300, deadline=None)
@given(
	st.sampled_from(list(ExclusionKind)),
	st.integers(min_value=0, max_value=60),
	st.booleans(),
	st.booleans(),
	st.dates(min_value=date(2025, 9, 1), max_value=date(2026, 6, 30)),
)
def test_every_clock_is_a_school_day_of_the_rule_it_names(kind, days, exam, representations, notice):
	result = governors_consideration(
		kind=kind,
		term_school_days=days,
		misses_public_examination=exam,
		representations_made=representations,
		notice_received_on=notice,
		calendar=CAL,
	)
	fifteen = kind is ExclusionKind.PERMANENT_EXCLUSION or days > 15 or exam
	assert (result.duty is ConsiderationDuty.WITHIN_15_SCHOOL_DAYS) == fifteen
	if result.school_days is None:
		assert result.due is None
		assert result.duty in (ConsiderationDuty.NONE, ConsiderationDuty.REPRESENTATIONS_ONLY)
		return
	assert result.triggers
	if result.due is not None:
		assert is_school_day(result.due, CAL)
		assert count_days(notice, result.due, DayKind.SCHOOL, CAL) == result.school_days
