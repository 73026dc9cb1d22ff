"""Tier 1: who may be directed and who admits (SSFA 1998 ss97A-C; CWSA 2026 s63 as data; CFA 2014 ss39, 43;
STATUTORY.md sections 3 and 11)."""

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtual_school.domain import gias_mapping
from virtual_school.domain.admission_route import (
	COUNCIL_DIRECTION_ROUTES,
	AdmissionAuthorityKind,
	AdmissionRoute,
	DirectionPowers,
	admission_authority_for,
	admission_route,
	may_be_directed,
)
from virtual_school.domain.cohorts import Cohort

COUNCIL = "330"
OPENED = date(2026, 9, 14)
SAMPLE = Path(__file__).resolve().parent.parent / "virtual_school/tests/fixtures/gias_sample.csv"


def route(
	establishment_type, type_group="Local authority maintained schools", school_la=COUNCIL, **overrides
):
	arguments = {
		"cohort": Cohort.LOOKED_AFTER,
		"looked_after_by_la_code": COUNCIL,
		"has_ehc_plan": False,
		"establishment_type": establishment_type,
		"type_group": type_group,
		"school_la_code": school_la,
		"council_la_code": COUNCIL,
		"request_opened_on": OPENED,
	}
	arguments.update(overrides)
	return admission_route(**arguments)


def test_own_community_school_the_council_admits_with_no_direction():
	for kind in ("Community school", "Voluntary controlled school"):
		decision = route(kind)
		assert decision.route is AdmissionRoute.COUNCIL_ADMITS
		assert decision.admission_authority.kind is AdmissionAuthorityKind.THIS_COUNCIL
		assert decision.admission_authority.la_code == COUNCIL
		assert not decision.direction_possible and decision.letter_addressee == "The headteacher"


def test_another_councils_community_school_consult_and_direct_that_council():
	decision = route("Community school", school_la="341")
	assert decision.route is AdmissionRoute.DIRECT_OTHER_COUNCIL
	assert decision.admission_authority.kind is AdmissionAuthorityKind.OTHER_COUNCIL
	assert decision.admission_authority.la_code == "341"
	assert decision.direction_possible and "341" in decision.letter_addressee
	assert route("Voluntary controlled school", school_la="933").admission_authority.la_code == "933"


@pytest.mark.parametrize("kind", ["Voluntary aided school", "Foundation school"])
def test_voluntary_aided_and_foundation_schools_direct_the_governing_body(kind):
	for school_la in (COUNCIL, "886"):
		decision = route(kind, school_la=school_la)
		assert decision.route is AdmissionRoute.DIRECT_GOVERNING_BODY
		assert decision.admission_authority.kind is AdmissionAuthorityKind.GOVERNING_BODY
		assert decision.direction_possible and "governing body" in decision.letter_addressee


@pytest.mark.parametrize(
	("kind", "group"),
	[
		("Academy converter", "Academies"),
		("Academy sponsor led", "Academies"),
		("Free schools", "Free Schools"),
		("University technical college", "Free Schools"),
		("Studio schools", "Free Schools"),
		("City technology college", "Independent schools"),
	],
)
def test_academies_ask_the_secretary_of_state_until_the_recorded_commencement(kind, group):
	assert route(kind, group).route is AdmissionRoute.ASK_SECRETARY_OF_STATE  # nothing recorded
	powers = DirectionPowers(academy_direction_commenced_on=date(2026, 9, 1))
	before = route(kind, group, request_opened_on=date(2026, 8, 31), powers=powers)
	assert before.route is AdmissionRoute.ASK_SECRETARY_OF_STATE and not before.direction_possible
	assert "Secretary of State" in before.letter_addressee
	on_the_day = route(kind, group, request_opened_on=date(2026, 9, 1), powers=powers)
	assert on_the_day.route is AdmissionRoute.DIRECT_ACADEMY_TRUST and on_the_day.direction_possible
	assert on_the_day.admission_authority.kind is AdmissionAuthorityKind.ACADEMY_TRUST
	assert "01 September 2026" in on_the_day.reason


def test_special_academies_have_their_own_commencement_date():
	academies_only = DirectionPowers(academy_direction_commenced_on=date(2026, 9, 1))
	for kind in ("Academy special converter", "Free schools special"):
		assert (
			route(kind, "Special schools", powers=academies_only).route
			is AdmissionRoute.ASK_SECRETARY_OF_STATE
		)
		both = DirectionPowers(date(2026, 9, 1), date(2026, 9, 1))
		assert route(kind, "Special schools", powers=both).route is AdmissionRoute.DIRECT_ACADEMY_TRUST


@pytest.mark.parametrize(
	("kind", "group"),
	[
		("Pupil referral unit", "Local authority maintained schools"),
		("Local authority nursery school", "Local authority maintained schools"),
		("Community special school", "Special schools"),
		("Foundation special school", "Special schools"),
		("Academy alternative provision sponsor led", "Academies"),
		("Free schools alternative provision", "Free Schools"),
		("Other independent school", "Independent schools"),
		("Non-maintained special school", "Special schools"),
		("Further education", "Colleges"),
		("Secure units", "Other types"),
	],
)
def test_no_direction_route(kind, group):
	powers = DirectionPowers(date(2026, 1, 1), date(2026, 1, 1))
	decision = route(kind, group, powers=powers)
	assert decision.route is AdmissionRoute.NO_DIRECTION_ROUTE
	assert not decision.direction_possible and decision.letter_addressee is None


def test_an_unknown_type_must_be_checked_by_hand():
	decision = route("Maintained school of a new kind")
	assert decision.route is AdmissionRoute.NO_DIRECTION_ROUTE
	assert decision.admission_authority.kind is AdmissionAuthorityKind.UNKNOWN
	assert "check by hand" in decision.reason
	assert (
		route("Community school", school_la=None).admission_authority.kind is AdmissionAuthorityKind.UNKNOWN
	)


@pytest.mark.parametrize(
	"cohort", [Cohort.PREVIOUSLY_LOOKED_AFTER, Cohort.CHILD_WITH_A_SOCIAL_WORKER, "Kinship Care"]
)
def test_only_a_looked_after_child_may_be_directed(cohort):
	for kind, school_la in (("Voluntary aided school", COUNCIL), ("Community school", COUNCIL)):
		decision = route(kind, school_la=school_la, cohort=cohort)
		assert decision.route is AdmissionRoute.IN_YEAR_APPLICATION and not decision.direction_possible
		assert "Fair Access" in decision.reason


def test_a_child_looked_after_by_another_council_is_theirs_to_direct():
	eligibility = may_be_directed(Cohort.LOOKED_AFTER, "341", COUNCIL)
	assert not eligibility.may_be_directed and eligibility.route is AdmissionRoute.RESPONSIBLE_COUNCIL_DIRECTS
	decision = route("Voluntary aided school", looked_after_by_la_code="341")
	assert decision.route is AdmissionRoute.RESPONSIBLE_COUNCIL_DIRECTS and "341" in decision.letter_addressee
	# A blank responsible LA is the council's own looked-after child.
	assert may_be_directed(Cohort.LOOKED_AFTER, None, COUNCIL).may_be_directed


def test_a_child_with_an_ehc_plan_goes_through_the_plan():
	for cohort in (Cohort.LOOKED_AFTER, Cohort.PREVIOUSLY_LOOKED_AFTER):
		decision = route("Academy converter", "Academies", cohort=cohort, has_ehc_plan=True)
		assert decision.route is AdmissionRoute.EHC_PLAN and not decision.direction_possible
		assert "s43" in decision.reason


def test_no_direction_to_a_school_the_child_is_permanently_excluded_from():
	decision = route("Voluntary aided school", permanently_excluded_from_school=True)
	assert decision.route is AdmissionRoute.NO_DIRECTION_ROUTE and "permanently excluded" in decision.reason
	assert route("Academy converter", "Academies", permanently_excluded_from_school=True).route is (
		AdmissionRoute.NO_DIRECTION_ROUTE
	)
	# The council is itself the admission authority of its community schools: it decides.
	assert (
		route("Community school", permanently_excluded_from_school=True).route
		is AdmissionRoute.COUNCIL_ADMITS
	)


@pytest.mark.parametrize("bad", ["33", "3300", "ABC", ""])
def test_la_codes_must_be_three_digits(bad):
	with pytest.raises(ValueError):
		admission_authority_for("Community school", None, bad, COUNCIL)
	with pytest.raises(ValueError):
		admission_authority_for("Community school", None, COUNCIL, bad)


def test_every_school_in_the_gias_sample_gets_a_route_that_fits_its_stored_one():
	# Table-driven from the GIAS fixture: the s97A route refines gias_mapping's three-way route.
	records, _ = gias_mapping.read_gias_csv(SAMPLE)
	assert records
	for record in records:
		decision = route(record["establishment_type"], record["type_group"], school_la=record["la_code"])
		legacy = record["admissions_route"]
		kind = decision.admission_authority.kind
		if legacy == gias_mapping.ASK_SECRETARY_OF_STATE:
			assert kind is AdmissionAuthorityKind.ACADEMY_TRUST, record["urn"]
		elif legacy == gias_mapping.INDEPENDENT_OR_OTHER:
			assert kind is AdmissionAuthorityKind.NO_ADMISSION_AUTHORITY, record["urn"]
		if decision.route in COUNCIL_DIRECTION_ROUTES | {AdmissionRoute.COUNCIL_ADMITS}:
			assert legacy == gias_mapping.LA_MAY_DIRECT or kind is AdmissionAuthorityKind.ACADEMY_TRUST


# --- properties -----------------------------------------------------------------------------------------

KINDS = [
	("Community school", "Local authority maintained schools"),
	("Voluntary controlled school", "Local authority maintained schools"),
	("Voluntary aided school", "Local authority maintained schools"),
	("Foundation school", "Local authority maintained schools"),
	("Pupil referral unit", "Local authority maintained schools"),
	("Academy converter", "Academies"),
	("Academy special sponsor led", "Special schools"),
	("Free schools", "Free Schools"),
	("Other independent school", "Independent schools"),
	("Further education", "Colleges"),
	(None, None),
]
maybe_day = st.one_of(st.none(), st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)))


@settings(max_examples=300, deadline=None)
@given(
	st.sampled_from(KINDS),
	st.sampled_from(["330", "341", None]),
	st.sampled_from(list(Cohort)),
	st.sampled_from(["330", "341", None]),
	st.booleans(),
	st.booleans(),
	st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
	maybe_day,
	maybe_day,
)
def test_route_invariants(school, school_la, cohort, responsible, ehcp, excluded, opened, academies, special):
	kind, group = school
	powers = DirectionPowers(academies, special)
	decision = route(
		kind,
		group,
		school_la=school_la,
		cohort=cohort,
		looked_after_by_la_code=responsible,
		has_ehc_plan=ehcp,
		permanently_excluded_from_school=excluded,
		request_opened_on=opened,
		powers=powers,
	)
	assert decision.direction_possible == (decision.route in COUNCIL_DIRECTION_ROUTES)
	if decision.direction_possible:
		assert cohort is Cohort.LOOKED_AFTER and responsible in (COUNCIL, None)
		assert not ehcp and not excluded
		assert decision.admission_authority.kind is not AdmissionAuthorityKind.THIS_COUNCIL
		assert decision.letter_addressee
	if decision.route is AdmissionRoute.DIRECT_ACADEMY_TRUST:
		# Later requests keep the power once it has commenced.
		later = route(kind, group, school_la=school_la, request_opened_on=date(2029, 1, 1), powers=powers)
		assert later.route is AdmissionRoute.DIRECT_ACADEMY_TRUST
