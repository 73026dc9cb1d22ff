"""Tier 1: when a record's retention period ends (CPPCR 2010 reg 50 for looked-after children's case records,
the council's schedule for the rest). Expected dates are worked out by hand from the regulation's words."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from virtual_school.domain.cohorts import Cohort
from virtual_school.domain.retention import (
	DEFAULT_RULES,
	LOCAL_NOTE,
	Authority,
	Basis,
	RecordKind,
	RetentionRule,
	anniversary,
	is_past_retention,
	latest_anchor_past_retention,
	retention_cohort,
	retention_end,
	rule_problems,
)

RULES = {(rule.record_kind, rule.cohort): rule for rule in DEFAULT_RULES}
LAC = RULES[RecordKind.CHILD_CASE_RECORD, Cohort.LOOKED_AFTER]
PLAC = RULES[RecordKind.CHILD_CASE_RECORD, Cohort.PREVIOUSLY_LOOKED_AFTER]
CONTACT = RULES[RecordKind.SCHOOL_CONTACT, None]
IMPORT_FILE = RULES[RecordKind.IMPORT_SOURCE_FILE, None]
ACCESS_LOG = RULES[RecordKind.ACCESS_LOG, None]


def test_every_kind_and_cohort_has_one_default_rule():
	kinds = {(rule.record_kind, rule.cohort) for rule in DEFAULT_RULES}
	assert len(kinds) == len(DEFAULT_RULES)
	assert {(RecordKind.CHILD_CASE_RECORD, cohort) for cohort in Cohort} <= kinds
	assert {kind for kind, _cohort in kinds} == set(RecordKind)
	assert all(rule_problems(rule) == [] for rule in DEFAULT_RULES)


def test_only_the_looked_after_rule_is_statutory_and_the_local_ones_say_so():
	assert LAC.authority == Authority.STATUTORY and "reg 50" in LAC.source and "2010/959" in LAC.source
	for rule in DEFAULT_RULES:
		if rule is not LAC:
			assert rule.authority == Authority.LOCAL and rule.notes == LOCAL_NOTE


@pytest.mark.parametrize(
	("rule", "dates", "end"),
	[
		# reg 50(a): kept until the 75th anniversary of the date of birth (kept on that day)
		(LAC, {"date_of_birth": date(2010, 6, 15)}, date(2085, 6, 15)),
		# a 29 February birthday in a year that is not a leap year: 1 March (the later day)
		(LAC, {"date_of_birth": date(2008, 2, 29)}, date(2083, 3, 1)),
		# reg 50(b): died before 18 -> 15 years beginning with the date of death: its last day
		(LAC, {"date_of_birth": date(2010, 6, 15), "date_of_death": date(2020, 3, 10)}, date(2035, 3, 9)),
		# died on the 18th birthday: "before attaining 18" is false, the 75th birthday applies
		(LAC, {"date_of_birth": date(2010, 6, 15), "date_of_death": date(2028, 6, 15)}, date(2085, 6, 15)),
		# died the day before: the death rule
		(LAC, {"date_of_birth": date(2010, 6, 15), "date_of_death": date(2028, 6, 14)}, date(2043, 6, 13)),
		# local default: 18th birthday + 7 years
		(PLAC, {"date_of_birth": date(2010, 6, 15)}, date(2035, 6, 15)),
		# no death rule on the local default: a death changes nothing
		(PLAC, {"date_of_birth": date(2010, 6, 15), "date_of_death": date(2015, 1, 1)}, date(2035, 6, 15)),
		# active + 1 year; 90 days; 2 years
		(CONTACT, {"last_activity": date(2025, 9, 1)}, date(2026, 9, 1)),
		(IMPORT_FILE, {"last_activity": date(2026, 1, 1)}, date(2026, 4, 1)),
		(ACCESS_LOG, {"last_activity": date(2024, 2, 29)}, date(2026, 3, 1)),
		# no anchor: no end (kept)
		(LAC, {}, None),
		(CONTACT, {"date_of_birth": date(2000, 1, 1)}, None),
	],
)
def test_retention_end(rule, dates, end):
	assert retention_end(rule, **dates) == end


def test_past_retention_from_the_day_after_the_end():
	dob = {"date_of_birth": date(2010, 6, 15)}
	assert not is_past_retention(LAC, date(2085, 6, 15), **dob)
	assert is_past_retention(LAC, date(2085, 6, 16), **dob)
	assert not is_past_retention(LAC, date(2200, 1, 1))  # no date of birth: never past


@pytest.mark.parametrize(
	("cohort", "ever_looked_after", "expected"),
	[
		("Looked After", False, Cohort.LOOKED_AFTER),
		("Previously Looked After", True, Cohort.LOOKED_AFTER),  # adopted from this council's care
		("Previously Looked After", False, Cohort.PREVIOUSLY_LOOKED_AFTER),
		("Kinship Care", False, Cohort.KINSHIP_CARE),
		(None, False, None),
		("", True, Cohort.LOOKED_AFTER),
	],
)
def test_retention_cohort(cohort, ever_looked_after, expected):
	assert retention_cohort(cohort, ever_looked_after) == expected


@pytest.mark.parametrize(
	("rule", "on_date", "latest"),
	[
		(LAC, date(2085, 6, 16), date(2010, 6, 15)),
		(LAC, date(2085, 6, 15), date(2010, 6, 14)),
		(LAC, date(2083, 3, 2), date(2008, 3, 1)),  # born 29 February or 1 March: both 75 on 1 March 2083
		(LAC, date(2083, 3, 1), date(2008, 2, 28)),
		(CONTACT, date(2026, 9, 2), date(2025, 9, 1)),
		(IMPORT_FILE, date(2026, 4, 2), date(2026, 1, 1)),
	],
)
def test_latest_anchor_past_retention(rule, on_date, latest):
	assert latest_anchor_past_retention(rule, on_date) == latest


days = st.dates(min_value=date(1930, 1, 1), max_value=date(2090, 12, 31))
rules = st.builds(
	RetentionRule,
	record_kind=st.just(RecordKind.CHILD_CASE_RECORD),
	basis=st.sampled_from(Basis),
	age_years=st.integers(0, 80),
	period_years=st.integers(0, 10),
	period_days=st.integers(0, 400),
)


@given(rules, days, days)
def test_the_query_bound_agrees_with_the_rule(rule, on_date, anchor):
	"""``anchor <= latest_anchor_past_retention`` (what the set-based query selects) is exactly "past"."""
	latest = latest_anchor_past_retention(rule, on_date)
	kwargs = {"date_of_birth": anchor} if rule.basis == Basis.AGE else {"last_activity": anchor}
	assert (anchor <= latest) == is_past_retention(rule, on_date, **kwargs)
	assert is_past_retention(rule, on_date, **{next(iter(kwargs)): latest})
	assert not is_past_retention(rule, on_date, **{next(iter(kwargs)): latest + timedelta(days=1)})


@given(days, st.integers(0, 90))
def test_anniversary_is_the_same_day_or_1_march(day, years):
	result = anniversary(day, years)
	assert result.year == day.year + years
	assert (result.month, result.day) == (day.month, day.day) or (day.month, day.day, result.month) == (
		2,
		29,
		3,
	)


@pytest.mark.parametrize(
	("change", "problem"),
	[
		(
			{
				"basis": Basis.LAST_ACTIVITY,
				"age_years": 0,
				"years_after_death": 0,
				"died_before_age": 0,
				"period_years": 1,
			},
			"counts from the Age basis",
		),
		({"cohort": None}, "needs a cohort"),
		({"age_years": -1}, "cannot be negative"),
		({"died_before_age": 0}, "needs both"),
	],
)
def test_rule_problems(change, problem):
	assert any(problem in message for message in rule_problems(replace(LAC, **change)))


def test_rule_problems_for_activity_rules():
	assert any("needs a period" in p for p in rule_problems(replace(CONTACT, period_years=0)))
	assert any("has a cohort" in p for p in rule_problems(replace(CONTACT, cohort=Cohort.KINSHIP_CARE)))
	assert any("Age basis only" in p for p in rule_problems(replace(CONTACT, age_years=18)))
