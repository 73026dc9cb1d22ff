"""Issue #18 item 1 and #21's "without a school place": the pure rules.

- Letters follow the child's cohort on the letter's date: only a child looked after that day is "looked after"
  (with the council as corporate parent and a direction threatened on refusal); the other cohorts are named as
  they are, and the direction letters refuse a child who is not looked after.
- The first day a day without a school place counts: 1 September of the child's Reception year.
"""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from test_letters import AUTHORITY, PUPIL, SCHOOL, admission, everything

from virtual_school.domain import cohorts, letters, pp_plus_letters, school_days
from virtual_school.domain.cohorts import Cohort

# cohort, looked after on the letter's date -> the words the letter uses for the child, and its footer
CASES = [
	(Cohort.LOOKED_AFTER, True, "a child looked after by Kent County Council", "a looked-after child"),
	(
		Cohort.PREVIOUSLY_LOOKED_AFTER,
		False,
		"a previously looked-after child",
		"a previously looked-after child",
	),
	(
		Cohort.CHILD_WITH_A_SOCIAL_WORKER,
		False,
		"a child with a social worker",
		"a child with a social worker",
	),
	(Cohort.KINSHIP_CARE, False, "a child in kinship care", "a child in kinship care"),
	# returned home (E4A) or turned 18: the Looked After cohort stays on the record, with a leaving date
	(
		Cohort.LOOKED_AFTER,
		False,
		"a child who has left the care of Kent County Council",
		"a child who has left care",
	),
	# a child adopted today has a leaving date after the letter: still looked after on the letter's date
	(
		Cohort.PREVIOUSLY_LOOKED_AFTER,
		True,
		"a child looked after by Kent County Council",
		"a looked-after child",
	),
]


def pupil_in(cohort: Cohort, looked_after: bool) -> letters.PupilDetails:
	return dataclasses.replace(PUPIL, cohort=cohort.value, looked_after=looked_after)


@pytest.mark.parametrize(("cohort", "looked_after", "described", "footer"), CASES)
def test_the_admission_request_names_the_childs_cohort(cohort, looked_after, described, footer):
	text = everything(admission(pupil_in(cohort, looked_after)))
	assert f"{PUPIL.initials}, {described}, as an in-year admission" in text
	assert f"OFFICIAL-SENSITIVE: contains information about {footer}" in text
	if looked_after:
		assert "corporate parent" in text
		assert "section 97A" in text
		assert "designated teacher for looked-after children" in text
	else:
		# no word of the letter calls the child looked after, nor threatens a direction
		assert "looked after by" not in text
		assert "a looked-after child" not in text
		assert "Looked-after children must be given" not in text
		assert "corporate parent" not in text
		assert "97A" not in text
		assert "Fair Access Protocol" in text


@pytest.mark.parametrize(
	("cohort", "looked_after", "priority"),
	[
		(Cohort.LOOKED_AFTER, True, True),
		(Cohort.PREVIOUSLY_LOOKED_AFTER, False, True),
		(Cohort.CHILD_WITH_A_SOCIAL_WORKER, False, False),
		(Cohort.KINSHIP_CARE, False, False),
		(Cohort.LOOKED_AFTER, False, False),
	],
)
def test_only_looked_after_and_previously_looked_after_children_have_the_highest_priority(
	cohort, looked_after, priority
):
	assert cohorts.has_admission_priority(cohort, looked_after=looked_after) is priority
	text = everything(admission(pupil_in(cohort, looked_after)))
	assert ("highest priority" in text) is priority
	assert ("School Admissions Code 2021, paragraph 1.7" in text) is priority


@pytest.mark.parametrize(("cohort", "looked_after", "described", "footer"), CASES)
def test_the_pp_plus_decision_names_the_childs_cohort(cohort, looked_after, described, footer):
	text = everything(
		pp_plus_letters.decision_letter(
			AUTHORITY,
			SCHOOL,
			pupil_in(cohort, looked_after),
			letter_date=date(2026, 3, 2),
			claim_reference="PPC-00001",
			amount=Decimal("250.00"),
			category="Tuition",
			description="Maths tuition",
			decision="Approved",
			funding_year="2025-26",
		)
	)
	assert f"made for {PUPIL.initials}, {described}." in text
	assert f"contains information about {footer}" in text
	if not looked_after:
		assert "looked after by" not in text


def _direction_letters(pupil):
	yield lambda: letters.direction_notice_letter(
		AUTHORITY,
		SCHOOL,
		pupil,
		letter_date=date(2026, 3, 30),
		refused_on=date(2026, 3, 20),
		representations_due=date(2026, 4, 6),
	)
	yield lambda: letters.decision_to_direct_letter(
		AUTHORITY,
		SCHOOL,
		pupil,
		letter_date=date(2026, 4, 7),
		consulted_on=date(2026, 3, 30),
		referral_window_ends=date(2026, 4, 14),
		direct_from=date(2026, 4, 15),
	)
	yield lambda: letters.direction_letter(
		AUTHORITY, SCHOOL, pupil, letter_date=date(2026, 4, 15), notice_served_on=date(2026, 4, 7)
	)
	yield lambda: letters.secretary_of_state_request_letter(
		AUTHORITY, SCHOOL, pupil, letter_date=date(2026, 3, 30), refused_on=date(2026, 3, 20)
	)


@pytest.mark.parametrize(("cohort", "looked_after", "described", "footer"), CASES)
def test_direction_letters_are_written_only_for_a_child_looked_after_that_day(
	cohort, looked_after, described, footer
):
	for write in _direction_letters(pupil_in(cohort, looked_after)):
		if looked_after:
			assert "looked after by Kent County Council" in everything(write())
		else:
			with pytest.raises(ValueError, match="only for a child looked after by the council"):
				write()


def test_an_unknown_cohort_is_refused_not_described():
	with pytest.raises(ValueError):
		cohorts.child_description("Adopted", looked_after=False)


@pytest.mark.parametrize(
	("date_of_birth", "expected"),
	[
		(date(2020, 8, 31), date(2024, 9, 1)),  # 4 on 31 August 2024: Reception in 2024-25
		(date(2020, 9, 1), date(2025, 9, 1)),  # 3 on 31 August 2024, the youngest of the next year
		(date(2020, 2, 29), date(2024, 9, 1)),
		(date(2020, 1, 1), date(2024, 9, 1)),
		(date(2020, 12, 31), date(2025, 9, 1)),
	],
)
def test_a_school_place_is_expected_from_the_reception_year(date_of_birth, expected):
	found = cohorts.school_place_expected_from(date_of_birth)
	assert found == expected
	# the same day the app's year groups say Reception begins, and the day before is still early years
	assert school_days.year_group(date_of_birth, found) == 0
	assert school_days.year_group_label(date_of_birth, date(found.year, 8, 31)) == "Early years"
