"""Tier 1: cohorts and leaving care from SSDA903 episodes (STATUTORY.md section 11): only REC E11, E12, E41 and
E43-E48 make a child previously looked after; other endings and the 18th birthday end the cohort."""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtual_school.domain import cohorts
from virtual_school.domain.cohorts import (
	PREVIOUSLY_LOOKED_AFTER_REASONS,
	Cohort,
	care_cohort_on,
	eighteenth_birthday,
	left_care_on,
)
from virtual_school.domain.ssda903 import ChildRecord, Episode, load_codes

DOB = date(2010, 6, 15)  # 18 on 15 June 2028


def episode(start, end=None, reason=None):
	return Episode(
		start=start,
		reason_new="S",
		legal_status="C2",
		category_of_need="N1",
		placement_type="U1",
		placement_provider="PR1",
		end=end,
		reason_ceased=reason,
		reason_place_change=None,
		home_postcode=None,
		placement_postcode=None,
		urn=None,
	)


ADOPTED = [
	episode(date(2020, 3, 1), date(2023, 3, 10), "X1"),
	episode(date(2023, 3, 10), date(2024, 9, 5), "E11"),
]


@pytest.mark.parametrize(
	("on_date", "cohort"),
	[
		(date(2020, 2, 29), None),  # before care
		(date(2020, 3, 1), Cohort.LOOKED_AFTER),
		(date(2023, 3, 10), Cohort.LOOKED_AFTER),  # X1: a new episode the same day
		(date(2024, 9, 4), Cohort.LOOKED_AFTER),
		(date(2024, 9, 5), Cohort.PREVIOUSLY_LOOKED_AFTER),  # the adoption order's day
		(date(2028, 6, 14), Cohort.PREVIOUSLY_LOOKED_AFTER),
		(date(2028, 6, 15), None),  # 18
	],
)
def test_adopted_child(on_date, cohort):
	assert care_cohort_on(on_date, ADOPTED, DOB) is cohort


@pytest.mark.parametrize("reason", ["E12", "E41", "E43", "E44", "E45", "E46", "E47", "E48"])
def test_other_endings_that_make_a_child_previously_looked_after(reason):
	episodes = [episode(date(2021, 1, 4), date(2022, 5, 9), reason)]
	assert care_cohort_on(date(2022, 5, 9), episodes, DOB) is Cohort.PREVIOUSLY_LOOKED_AFTER


@pytest.mark.parametrize("reason", ["E4A", "E4B", "E3", "E13", "E9", "E5", "E8", "E17", "E2"])
def test_endings_that_end_the_cohort(reason):
	episodes = [episode(date(2021, 1, 4), date(2022, 5, 9), reason)]
	assert care_cohort_on(date(2022, 5, 8), episodes, DOB) is Cohort.LOOKED_AFTER
	assert care_cohort_on(date(2022, 5, 9), episodes, DOB) is None
	assert left_care_on(episodes, DOB) == date(2022, 5, 9)


def test_the_latest_ending_decides_after_a_second_period_of_care():
	episodes = [
		episode(date(2015, 1, 5), date(2016, 2, 1), "E45"),  # SGO, which broke down
		episode(date(2019, 4, 1), date(2021, 7, 1), "E4A"),  # back in care, then home
	]
	assert care_cohort_on(date(2018, 1, 1), episodes, DOB) is Cohort.PREVIOUSLY_LOOKED_AFTER
	assert care_cohort_on(date(2020, 1, 1), episodes, DOB) is Cohort.LOOKED_AFTER
	assert care_cohort_on(date(2021, 7, 1), episodes, DOB) is None


def test_an_open_episode_ends_at_18():
	episodes = [episode(date(2024, 1, 8))]
	assert care_cohort_on(date(2028, 6, 14), episodes, DOB) is Cohort.LOOKED_AFTER
	assert care_cohort_on(date(2028, 6, 15), episodes, DOB) is None
	assert left_care_on(episodes, DOB) == date(2028, 6, 15)


def test_left_care_on():
	assert left_care_on(ADOPTED, DOB) == date(2024, 9, 5)
	assert left_care_on([], DOB) is None
	assert left_care_on([episode(date(2024, 1, 8), date(2024, 2, 1), "X1")], DOB) is None
	assert left_care_on([episode(date(2027, 1, 4), date(2029, 1, 1), "E17")], DOB) == date(2028, 6, 15)


def test_an_x1_ending_with_no_next_episode_is_not_counted():
	assert care_cohort_on(date(2024, 3, 1), [episode(date(2024, 1, 8), date(2024, 2, 1), "X1")], DOB) is None


def test_eighteenth_birthday():
	assert eighteenth_birthday(DOB) == date(2028, 6, 15)
	assert eighteenth_birthday(date(2008, 2, 29)) == date(2026, 3, 1)  # 2026 is not a leap year
	assert eighteenth_birthday(date(2008, 12, 31)) == date(2026, 12, 31)


def test_a_day_before_birth_is_an_error():
	with pytest.raises(ValueError):
		care_cohort_on(date(2010, 6, 14), ADOPTED, DOB)


def test_cohorts_are_the_child_records_options():
	doctype = Path(cohorts.__file__).resolve().parent.parent / "virtual_school/doctype/child/child.json"
	fields = {field["fieldname"]: field for field in json.loads(doctype.read_text())["fields"]}
	assert fields["cohort"]["options"].split("\n") == [cohort.value for cohort in Cohort]


def test_previously_looked_after_codes_match_the_ssda903_labels():
	# Table-driven from the code list: adoption, special guardianship and residence / child arrangements
	# orders, and nothing else; E43 and E44 are the SGO codes used before E45-E48.
	reasons = load_codes()["reason_episode_ceased"]
	for code, label in reasons.items():
		permanence = label.startswith(("Adopted", "Special guardianship order", "Residence order"))
		assert (code in PREVIOUSLY_LOOKED_AFTER_REASONS) == permanence, (code, label)
	assert PREVIOUSLY_LOOKED_AFTER_REASONS - set(reasons) == {"E43", "E44"}


# --- properties -----------------------------------------------------------------------------------------

REASONS = [*sorted(load_codes()["reason_episode_ceased"]), "E43", "E44"]


@st.composite
def histories(draw):
	"""Non-overlapping episodes in date order, the last possibly open."""
	start = draw(st.dates(min_value=DOB, max_value=date(2027, 1, 1)))
	episodes = []
	for _ in range(draw(st.integers(min_value=1, max_value=4))):
		length = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=900)))
		if length is None:
			episodes.append(episode(start))
			break
		end = start + timedelta(days=length)
		reason = draw(st.sampled_from(REASONS))
		episodes.append(episode(start, end, reason))
		start = end if reason == "X1" else end + timedelta(days=draw(st.integers(min_value=0, max_value=400)))
	return episodes


@settings(max_examples=300, deadline=None)
@given(histories(), st.dates(min_value=DOB, max_value=date(2029, 1, 1)))
def test_looked_after_agrees_with_the_ssda903_child_record_before_18(episodes, on_date):
	record = ChildRecord("C1", "M", DOB, "WBRI", None, episodes)
	cohort = care_cohort_on(on_date, episodes, DOB)
	if on_date >= eighteenth_birthday(DOB):
		assert cohort is None
	else:
		assert (cohort is Cohort.LOOKED_AFTER) == record.is_looked_after_on(on_date)
	left = left_care_on(episodes, DOB)
	if left is not None and on_date >= left:
		assert cohort is not Cohort.LOOKED_AFTER
	if cohort is Cohort.PREVIOUSLY_LOOKED_AFTER:
		ended = [each for each in episodes if each.end is not None and each.end <= on_date]
		assert (
			ended and max(ended, key=lambda each: each.end).reason_ceased in PREVIOUSLY_LOOKED_AFTER_REASONS
		)
