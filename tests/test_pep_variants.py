"""Tier 1: the PEP variant by age, its scales and what each variant needs to be submitted
(domain.pep_variants; issue #23 item 3)."""

import json
from datetime import date
from pathlib import Path

import pytest

from virtual_school.domain.pep_variants import (
	ALL_TARGET_AREAS,
	COMMON_TARGET_AREAS,
	EARLY_LEARNING_GOALS,
	EYFS_JUDGEMENTS,
	EYFS_SCALE,
	PRIMARY_SCALE,
	REQUIRED,
	SECONDARY_SCALE,
	TARGET_AREAS,
	PepVariant,
	attainment_scale,
	goal_problems,
	offered_target_areas,
	submission_problems,
	variant_for,
)

EY, SCHOOL, POST16 = PepVariant.EARLY_YEARS, PepVariant.SCHOOL_AGE, PepVariant.POST_16


@pytest.mark.parametrize(
	("born", "due", "expected"),
	[
		# under 2 and age 2-3: before Reception
		(date(2026, 1, 10), date(2026, 11, 1), EY),
		(date(2023, 10, 1), date(2026, 11, 1), EY),
		# Reception (4 on 31 August) is the last EYFS year; its last day, 31 August, still early years
		(date(2021, 9, 1), date(2026, 11, 1), EY),
		(date(2021, 9, 1), date(2027, 8, 31), EY),
		# ... and Year 1 starts on 1 September
		(date(2021, 9, 1), date(2027, 9, 1), SCHOOL),
		# 31 August and 1 September birthdays: 31 August is the oldest of the younger year group's cut-off
		(date(2021, 8, 31), date(2026, 11, 1), SCHOOL),  # 5 on 31 Aug 2026: Year 1
		(date(2021, 9, 1), date(2026, 11, 1), EY),  # 4 on 31 Aug 2026: Reception
		# Year 11 to Year 12
		(date(2010, 9, 1), date(2026, 11, 1), SCHOOL),  # 15 on 31 Aug 2026: Year 11
		(date(2010, 9, 1), date(2027, 8, 31), SCHOOL),  # last day of Year 11
		(date(2010, 9, 1), date(2027, 9, 1), POST16),  # first day of Year 12
		(date(2010, 8, 31), date(2026, 11, 1), POST16),  # 16 on 31 Aug 2026: Year 12
		# Year 13, its end, and after it (still post-16: the variant refuses no PEP the obligation asks for)
		(date(2008, 9, 1), date(2026, 11, 1), POST16),  # 17 on 31 Aug 2026: Year 13
		(date(2008, 9, 1), date(2027, 8, 31), POST16),  # last day of Year 13
		(date(2008, 9, 1), date(2027, 9, 1), POST16),  # past Year 13
	],
)
def test_variant_by_school_year(born, due, expected):
	assert variant_for(born, due) is expected


def test_every_year_group_has_exactly_one_variant():
	due = date(2026, 11, 1)
	seen = {}
	for age_on_31_august in range(0, 20):
		born = date(2026 - age_on_31_august, 8, 31)
		seen.setdefault(variant_for(born, due), []).append(age_on_31_august)
	assert seen[EY] == [0, 1, 2, 3, 4]
	assert seen[SCHOOL] == list(range(5, 16))  # Year 1 (5) to Year 11 (15)
	assert seen[POST16] == [16, 17, 18, 19]


def test_attainment_scales():
	assert attainment_scale(EY, None) == EYFS_SCALE
	assert attainment_scale(EY, "EYFS") == EYFS_SCALE
	assert attainment_scale(SCHOOL, "KS1") == PRIMARY_SCALE
	assert attainment_scale(SCHOOL, "KS2") == PRIMARY_SCALE
	assert attainment_scale(SCHOOL, "KS4") == SECONDARY_SCALE
	assert attainment_scale(POST16, "KS5") == SECONDARY_SCALE


def test_the_framework_has_seven_areas_and_seventeen_goals():
	assert len(EARLY_LEARNING_GOALS) == 7
	assert sum(len(goals) for goals in EARLY_LEARNING_GOALS.values()) == 17
	assert EYFS_JUDGEMENTS == ("Emerging", "Expected")


def test_a_goal_must_belong_to_its_area():
	assert goal_problems([{"area": "Literacy", "goal": "Writing", "judgement": "Expected"}]) == []
	[problem] = goal_problems([{"area": "Literacy", "goal": "Number", "judgement": "Expected"}])
	assert "not an early learning goal of Literacy" in problem.text()
	[problem] = goal_problems([{"area": "Science", "goal": "Number"}])
	assert "not an EYFS area" in problem.text()
	[problem] = goal_problems([{"area": "Mathematics", "goal": "Number", "judgement": "Exceeding"}])
	assert "Emerging or Expected" in problem.text()


COMMON = {"meeting_date": date(2026, 11, 1), "targets": [{"area": "Attendance", "target": "Every day"}]}
COMPLETE = {
	EY: {
		**COMMON,
		"ey_setting_type": "Nursery",
		"early_learning_goals": [{"area": "Literacy", "goal": "Comprehension", "judgement": "Emerging"}],
	},
	SCHOOL: COMMON,
	POST16: {
		**COMMON,
		"post16_course": "A levels",
		"post16_provider": "Riverside Sixth Form College",
		"attendance_percent": 0.0,  # zero is a figure, not a blank
		"qualification_aims": [
			{"qualification": "A level Biology", "predicted_grade": "C", "target_grade": "B"}
		],
		"bursary_status": "Awarded and being paid",
		"neet_risk": "Low",
		"next_step_plans": "University application in Year 13",
	},
}


@pytest.mark.parametrize("variant", list(PepVariant))
def test_a_complete_pep_of_each_variant_may_be_submitted(variant):
	assert submission_problems(variant, COMPLETE[variant]) == []


@pytest.mark.parametrize(
	("variant", "fieldname"),
	[
		(variant, fieldname)
		for variant in PepVariant
		for fieldname in ("meeting_date", "targets", *REQUIRED[variant])
	],
)
def test_each_required_field_is_named_when_missing(variant, fieldname):
	values = {**COMPLETE[variant], fieldname: [] if isinstance(COMPLETE[variant][fieldname], list) else None}
	[problem] = submission_problems(variant, values)
	label = {**REQUIRED[variant], "meeting_date": "Meeting Date", "targets": "Targets"}[fieldname]
	assert label in problem.text()
	assert variant.value in problem.text()


def test_conditional_fields():
	claimed = {**COMPLETE[EY], "eypp_claimed": 1}
	[problem] = submission_problems(EY, claimed)
	assert "EYPP Amount" in problem.text() and "How the EYPP Is Used" in problem.text()
	assert (
		submission_problems(EY, {**claimed, "eypp_amount": 570, "eypp_use": "Speech and language sessions"})
		== []
	)
	[problem] = submission_problems(EY, {**claimed, "eypp_amount": -1, "eypp_use": "x"})
	assert "more than zero" in problem.text()
	high = {**COMPLETE[POST16], "neet_risk": "High"}
	[problem] = submission_problems(POST16, high)
	assert "NEET Risk Detail" in problem.text()
	assert submission_problems(POST16, {**high, "neet_risk_detail": "Missed 3 weeks of college"}) == []


def test_incomplete_rows_are_named():
	aims = [{"qualification": "BTEC Level 3 Sport", "predicted_grade": "Merit"}]
	[problem] = submission_problems(POST16, {**COMPLETE[POST16], "qualification_aims": aims})
	assert "Qualification Aims: complete row 1" in problem.text()
	goals = [*COMPLETE[EY]["early_learning_goals"], {"area": "Mathematics", "goal": "Number"}]
	[problem] = submission_problems(EY, {**COMPLETE[EY], "early_learning_goals": goals})
	assert "complete row 2" in problem.text()


def test_other_variants_fields_are_not_asked_for():
	# a school-age PEP is not refused for lacking a course, nor an early years one for lacking a bursary
	assert submission_problems(SCHOOL, COMMON) == []
	assert submission_problems(EY, {**COMPLETE[EY], "neet_risk": "High"}) == []


def test_each_variant_sets_targets_in_its_own_areas():
	"""Early years by the EYFS areas of learning, post-16 by the study programme; attendance, wellbeing and
	Other on every PEP; PEP Target.area offers them all, school age first."""
	assert TARGET_AREAS[EY][: len(EARLY_LEARNING_GOALS)] == tuple(EARLY_LEARNING_GOALS)
	for variant in PepVariant:
		assert set(COMMON_TARGET_AREAS) <= set(TARGET_AREAS[variant])
	assert "Maths" not in TARGET_AREAS[EY] and "Mathematics" not in TARGET_AREAS[SCHOOL]
	assert "English and maths" in TARGET_AREAS[POST16]
	assert ALL_TARGET_AREAS[: len(TARGET_AREAS[SCHOOL])] == TARGET_AREAS[SCHOOL]
	assert set(ALL_TARGET_AREAS) == {area for areas in TARGET_AREAS.values() for area in areas}
	doctype = (
		Path(__file__).resolve().parents[1]
		/ "virtual_school/virtual_school/doctype/pep_target/pep_target.json"
	)
	(area,) = [field for field in json.loads(doctype.read_text())["fields"] if field["fieldname"] == "area"]
	assert tuple(area["options"].split("\n")) == ALL_TARGET_AREAS


@pytest.mark.parametrize(
	("variant", "area"), [(EY, "Maths"), (SCHOOL, "Literacy"), (POST16, "Reading and writing")]
)
def test_a_target_in_another_variants_area_stops_submission(variant, area):
	values = {**COMPLETE[variant], "targets": [*COMMON["targets"], {"area": area, "target": "Something"}]}
	(problem,) = submission_problems(variant, values)
	text = problem.text()
	assert text.startswith("Targets: row 2 is set in " + area) and variant.value in text
	assert TARGET_AREAS[variant][0] in text  # the areas to choose from are named


def test_a_saved_target_keeps_its_area_on_offer():
	assert offered_target_areas(EY) == list(TARGET_AREAS[EY])
	assert offered_target_areas(EY, ["Maths", "Literacy", None, "Maths"]) == [*TARGET_AREAS[EY], "Maths"]
	assert offered_target_areas(None) == list(ALL_TARGET_AREAS)
	assert offered_target_areas("<b>not a variant</b>") == list(ALL_TARGET_AREAS)
