"""Who decides a looked-after child's school place, and so how the virtual school gets a refused child in.

The law (STATUTORY.md sections 3 and 11):

- **Who may be directed.** SSFA 1998 s97A lets a local authority direct the admission of a child **it looks
  after**, to a school for which it is **not** the admission authority, and not to a school the child is
  permanently excluded from. A previously looked-after child, a child with a social worker or a kinship
  child cannot be directed: their route is an in-year application and, failing that, the Fair Access
  Protocol. A child looked after by another council can be directed only by that council.
- **Children with an EHC plan** change school through the plan, not s97A: the council consults the school
  (Children and Families Act 2014 s39; response within 15 days, SEND Code of Practice 2015 para 9.83, see
  ``ehc_plan_consultation``) and a school named in the plan must admit (s43).
- **The admission authority decides the route.** Community and voluntary controlled schools: the council
  whose area they are in. In the council's own area it simply admits (an internal decision: no direction,
  no s97B consultation); in another area consultation and direction go to that council. Voluntary aided and
  foundation (including trust) schools: the governing body (direction route). Pupil referral units and
  nursery schools have no admission authority, and maintained special schools fill places through EHC
  plans, so none of them has a direction route. Independent schools, colleges and the rest: no route.
- **Academies** (free schools, UTCs, studio schools and city technology colleges too): until the
  Children's Wellbeing and Schools Act 2026 s63 commences, the council asks the Secretary of State (DfE)
  to direct under the funding agreement; from commencement the council directs the academy trust on the
  same consult, representations, notice and adjudicator sequence (``direction_timeline``). Nothing had
  commenced s63 by mid-2026, so the date is data the council records (``DirectionPowers``), never code;
  special academies have their own date because s62 (the general power) leaves them out and s63's text
  was not read (STATUTORY.md section 11, medium confidence). A request keeps the route it had on the day
  it was opened. Alternative provision academies, like PRUs, take commissioned placements: no route.

Establishment types and groups are the GIAS names (``gias_mapping``), compared case-insensitively. This
module imports nothing from Frappe.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from virtual_school.domain.cohorts import Cohort
from virtual_school.domain.gias_mapping import _key
from virtual_school.domain.school_days import _as_date

__all__ = [
	"AdmissionAuthority",
	"AdmissionAuthorityKind",
	"AdmissionRoute",
	"ChildEligibility",
	"DirectionPowers",
	"RouteDecision",
	"admission_authority_for",
	"admission_route",
	"may_be_directed",
]


class AdmissionAuthorityKind(str, Enum):
	"""Who admits to a school (SSFA 1998 s88)."""

	THIS_COUNCIL = "This council"
	OTHER_COUNCIL = "Another council"
	GOVERNING_BODY = "Governing body"
	ACADEMY_TRUST = "Academy trust"
	NO_ADMISSION_AUTHORITY = "No admission authority"
	UNKNOWN = "Unknown"

	def __str__(self) -> str:
		return self.value


class AdmissionRoute(str, Enum):
	"""How the virtual school gets a refused child into a school. Values are what a Data field stores."""

	COUNCIL_ADMITS = "The council admits"
	DIRECT_OTHER_COUNCIL = "Consult and direct the other council"
	DIRECT_GOVERNING_BODY = "Consult and direct the governing body"
	DIRECT_ACADEMY_TRUST = "Consult and direct the academy trust"
	ASK_SECRETARY_OF_STATE = "Ask the Secretary of State (DfE)"
	EHC_PLAN = "Through the EHC plan"
	RESPONSIBLE_COUNCIL_DIRECTS = "The council that looks after the child directs"
	IN_YEAR_APPLICATION = "In-year application / Fair Access Protocol"
	NO_DIRECTION_ROUTE = "No direction route"

	def __str__(self) -> str:
		return self.value


# The routes on which this council gives a direction after s97B consultation.
COUNCIL_DIRECTION_ROUTES = frozenset(
	{
		AdmissionRoute.DIRECT_OTHER_COUNCIL,
		AdmissionRoute.DIRECT_GOVERNING_BODY,
		AdmissionRoute.DIRECT_ACADEMY_TRUST,
	}
)


@dataclass(frozen=True)
class AdmissionAuthority:
	"""The admission authority of a school: its kind, a description for letters, and the LA code of a
	council admission authority (this council's or another's)."""

	kind: AdmissionAuthorityKind
	description: str
	la_code: str | None = None


@dataclass(frozen=True)
class DirectionPowers:
	"""Commencement dates a council records (Virtual School Settings), None until commenced.

	``academy_direction_commenced_on``: "LA power to direct academies commenced on" (CWSA 2026 s63).
	``special_academy_direction_commenced_on``: the same for special academies and special free schools,
	recorded separately until the commencement regulations say whether they are included.
	"""

	academy_direction_commenced_on: date | None = None
	special_academy_direction_commenced_on: date | None = None


@dataclass(frozen=True)
class ChildEligibility:
	"""Whether this council may direct a school to admit the child (s97A), with the route if not."""

	may_be_directed: bool
	route: AdmissionRoute | None
	reason: str
	looked_after_by_la_code: str | None = None


@dataclass(frozen=True)
class RouteDecision:
	"""The route for one child and one school on the day the request was opened.

	``direction_possible``: this council may give a direction (after s97B consultation).
	``letter_addressee``: who the virtual school writes to (the consultation and notice for a direction, the
	request to the Secretary of State, the EHC plan consultation), None when there is no letter to send.
	``notice_also_to``: who else receives the notice of intention to direct (s97B, as councils summarise it).
	"""

	route: AdmissionRoute
	admission_authority: AdmissionAuthority
	direction_possible: bool
	letter_addressee: str | None
	reason: str
	notice_also_to: tuple[str, ...] = ()


# GIAS "TypeOfEstablishment (name)" values, keyed as ``gias_mapping._key`` makes them.
_COUNCIL_ADMITS_TYPES = frozenset({"community school", "voluntary controlled school"})
_GOVERNING_BODY_TYPES = frozenset({"voluntary aided school", "foundation school"})
_NO_ADMISSION_AUTHORITY_TYPES = frozenset(
	{"pupil referral unit", "la nursery school", "local authority nursery school"}
)
_MAINTAINED_SPECIAL_TYPES = frozenset({"community special school", "foundation special school"})
_OTHER_ACADEMY_TYPES = frozenset(
	{"university technical college", "studio schools", "studio school", "city technology college"}
)
_NO_ROUTE_GROUPS = frozenset(
	{"independent schools", "colleges", "universities", "other types", "welsh schools", "online provider"}
)
_ACADEMY_GROUPS = frozenset({"academies", "free schools"})
_MAINTAINED_GROUP = "local authority maintained schools"


def _is_academy_type(kind: str) -> bool:
	return kind.startswith(("academy", "free school")) or kind in _OTHER_ACADEMY_TYPES


def _is_special_academy(kind: str) -> bool:
	return _is_academy_type(kind) and "special" in kind


def _is_alternative_provision_academy(kind: str) -> bool:
	return _is_academy_type(kind) and "alternative provision" in kind


def _check_la_code(value: str | None, name: str) -> str | None:
	if value is None:
		return None
	code = str(value).strip()
	if not (len(code) == 3 and code.isascii() and code.isdigit()):
		raise ValueError(f"{name} must be a three-digit DfE LA code, got {value!r}")
	return code


def admission_authority_for(
	establishment_type: str | None,
	type_group: str | None,
	school_la_code: str | None,
	council_la_code: str,
) -> AdmissionAuthority:
	"""The admission authority of a school from its GIAS type and group and its LA code.

	Community and voluntary controlled schools: the council of the school's area, this council when
	``school_la_code`` is ``council_la_code``. Voluntary aided and foundation schools: the governing body.
	Academies (any type starting "Academy" or "Free school", UTCs, studio schools, CTCs): the academy trust.
	PRUs, nursery schools: none. Maintained special schools: none for s97A (places through EHC plans).
	Independent schools, colleges and the rest: none. A type GIAS adds later falls back on its group where
	the group settles it (Academies, Free Schools; the no-route groups); otherwise it is UNKNOWN and must be
	checked by hand. Raises ValueError for an LA code that is not three digits.
	"""
	council = _check_la_code(council_la_code, "council_la_code")
	if council is None:
		raise ValueError("council_la_code is required: the council's own DfE LA code")
	school_la = _check_la_code(school_la_code, "school_la_code")
	kind = _key(establishment_type)
	group = _key(type_group)
	if kind in _COUNCIL_ADMITS_TYPES:
		if school_la is None:
			return AdmissionAuthority(
				AdmissionAuthorityKind.UNKNOWN,
				"The council of the school's area (the school's LA code is missing)",
			)
		if school_la == council:
			return AdmissionAuthority(AdmissionAuthorityKind.THIS_COUNCIL, "This council", council)
		return AdmissionAuthority(
			AdmissionAuthorityKind.OTHER_COUNCIL, f"The local authority with LA code {school_la}", school_la
		)
	if kind in _GOVERNING_BODY_TYPES:
		return AdmissionAuthority(AdmissionAuthorityKind.GOVERNING_BODY, "The school's governing body")
	if kind in _NO_ADMISSION_AUTHORITY_TYPES:
		return AdmissionAuthority(
			AdmissionAuthorityKind.NO_ADMISSION_AUTHORITY,
			"None: pupil referral units and nursery schools have no admission authority",
		)
	if kind in _MAINTAINED_SPECIAL_TYPES:
		return AdmissionAuthority(
			AdmissionAuthorityKind.NO_ADMISSION_AUTHORITY,
			"None: a maintained special school's places are named in EHC plans",
		)
	if _is_academy_type(kind):
		return AdmissionAuthority(AdmissionAuthorityKind.ACADEMY_TRUST, "The academy trust")
	if group in _NO_ROUTE_GROUPS or kind in {"other independent school", "non-maintained special school"}:
		return AdmissionAuthority(
			AdmissionAuthorityKind.NO_ADMISSION_AUTHORITY,
			"None that a council can direct: an independent school, college or other establishment",
		)
	if group in _ACADEMY_GROUPS:
		return AdmissionAuthority(AdmissionAuthorityKind.ACADEMY_TRUST, "The academy trust")
	return AdmissionAuthority(
		AdmissionAuthorityKind.UNKNOWN,
		f"Not known for establishment type {establishment_type!r} ({type_group or 'no group'}): check by hand",
	)


def may_be_directed(
	cohort: Cohort | str, looked_after_by_la_code: str | None, council_la_code: str
) -> ChildEligibility:
	"""Whether s97A lets this council direct a school to admit the child.

	Only a child **looked after by this council**: the Looked After cohort with the Child's responsible LA
	blank (the app's looked-after cohort is the council's own children) or equal to ``council_la_code``.
	A child looked after by another council: that council directs. Previously looked-after, social worker and
	kinship children: in-year application and the Fair Access Protocol.
	"""
	cohort = Cohort(cohort)
	council = _check_la_code(council_la_code, "council_la_code")
	responsible = _check_la_code(looked_after_by_la_code, "looked_after_by_la_code")
	if cohort is not Cohort.LOOKED_AFTER:
		return ChildEligibility(
			False,
			AdmissionRoute.IN_YEAR_APPLICATION,
			f"s97A covers only a child looked after by the council; a child in the {cohort.value} cohort "
			"is admitted through an in-year application and, if refused, the Fair Access Protocol",
		)
	if responsible is not None and responsible != council:
		return ChildEligibility(
			False,
			AdmissionRoute.RESPONSIBLE_COUNCIL_DIRECTS,
			f"the child is looked after by the local authority with LA code {responsible}: only that "
			"authority may direct a school to admit (s97A)",
			responsible,
		)
	return ChildEligibility(True, None, "a child looked after by this council (s97A)", council)


def admission_route(
	*,
	cohort: Cohort | str,
	looked_after_by_la_code: str | None,
	has_ehc_plan: bool,
	establishment_type: str | None,
	type_group: str | None,
	school_la_code: str | None,
	council_la_code: str,
	request_opened_on: date,
	powers: DirectionPowers = DirectionPowers(),
	permanently_excluded_from_school: bool = False,
) -> RouteDecision:
	"""The route for this child and this school, as on ``request_opened_on`` (STATUTORY.md section 11).

	In order: a child with an EHC plan goes through the plan (any school); a child this council may not
	direct (``may_be_directed``) takes the in-year / Fair Access route or the responsible council's; then the
	school's admission authority (``admission_authority_for``) decides: this council admits, or it consults
	and directs the other council, the governing body or (from the recorded commencement date) the academy
	trust, or asks the Secretary of State. Academies use ``powers``' dates against ``request_opened_on``, so
	a request opened before commencement keeps the Secretary of State route. A school the child is
	permanently excluded from cannot be directed (s97A), nor asked of the Secretary of State.
	"""
	opened = _as_date(request_opened_on)
	authority = admission_authority_for(establishment_type, type_group, school_la_code, council_la_code)
	if has_ehc_plan:
		return RouteDecision(
			AdmissionRoute.EHC_PLAN,
			authority,
			False,
			"The school's governing body, proprietor or principal (EHC plan consultation)",
			"a child with an EHC plan changes school through the plan: the council consults the school "
			"(CFA 2014 s39, a response within 15 days) and a school named in the plan must admit (s43)",
		)
	eligibility = may_be_directed(cohort, looked_after_by_la_code, council_la_code)
	if not eligibility.may_be_directed:
		addressee = (
			"The school's admission authority (in-year application)"
			if eligibility.route is AdmissionRoute.IN_YEAR_APPLICATION
			else f"The virtual school of the local authority with LA code {eligibility.looked_after_by_la_code}"
		)
		return RouteDecision(eligibility.route, authority, False, addressee, eligibility.reason)

	kind = _key(establishment_type)
	decision = _route_for_authority(authority, kind, opened, powers)
	if permanently_excluded_from_school and decision.route not in (
		AdmissionRoute.NO_DIRECTION_ROUTE,
		AdmissionRoute.COUNCIL_ADMITS,
	):
		return RouteDecision(
			AdmissionRoute.NO_DIRECTION_ROUTE,
			authority,
			False,
			None,
			"the child is permanently excluded from this school: no direction may be given to admit them "
			"there (s97A)",
		)
	return decision


def _route_for_authority(
	authority: AdmissionAuthority, kind: str, opened: date, powers: DirectionPowers
) -> RouteDecision:
	headteacher = "The headteacher"
	if authority.kind is AdmissionAuthorityKind.THIS_COUNCIL:
		return RouteDecision(
			AdmissionRoute.COUNCIL_ADMITS,
			authority,
			False,
			headteacher,
			"the council is the admission authority of its own community and voluntary controlled schools: "
			"it records an admission decision and tells the school (no direction, no s97B consultation)",
		)
	if authority.kind is AdmissionAuthorityKind.OTHER_COUNCIL:
		return RouteDecision(
			AdmissionRoute.DIRECT_OTHER_COUNCIL,
			authority,
			True,
			f"The admissions team of the local authority with LA code {authority.la_code} (the admission "
			"authority)",
			"a community or voluntary controlled school in another council's area: that council is the "
			"admission authority, so it is consulted and directed (s97A-C)",
			(headteacher, "The governing body"),
		)
	if authority.kind is AdmissionAuthorityKind.GOVERNING_BODY:
		return RouteDecision(
			AdmissionRoute.DIRECT_GOVERNING_BODY,
			authority,
			True,
			"The chair of the governing body (the admission authority)",
			"a voluntary aided or foundation school: its governing body is the admission authority and is "
			"consulted and directed (s97A-C)",
			(headteacher, "The local authority that maintains the school, if not this council"),
		)
	if authority.kind is AdmissionAuthorityKind.ACADEMY_TRUST:
		if _is_alternative_provision_academy(kind):
			return RouteDecision(
				AdmissionRoute.NO_DIRECTION_ROUTE,
				authority,
				False,
				None,
				"an alternative provision academy takes commissioned placements, like a pupil referral unit: "
				"no direction route",
			)
		commenced = (
			powers.special_academy_direction_commenced_on
			if _is_special_academy(kind)
			else powers.academy_direction_commenced_on
		)
		if commenced is not None and opened >= _as_date(commenced):
			return RouteDecision(
				AdmissionRoute.DIRECT_ACADEMY_TRUST,
				authority,
				True,
				"The academy trust (the admission authority)",
				f"an academy, and the council's power to direct academies commenced on {commenced:%d %B %Y}: "
				"the trust is consulted and directed on the s97A-C sequence (CWSA 2026 s63)",
				(headteacher,),
			)
		return RouteDecision(
			AdmissionRoute.ASK_SECRETARY_OF_STATE,
			authority,
			False,
			"The Secretary of State for Education (Department for Education)",
			"an academy, and the council's power to direct academies had not commenced when the request was "
			"opened: the council asks the Secretary of State to direct under the funding agreement",
		)
	if authority.kind is AdmissionAuthorityKind.UNKNOWN:
		return RouteDecision(
			AdmissionRoute.NO_DIRECTION_ROUTE,
			authority,
			False,
			None,
			f"the admission authority is not known ({authority.description}): record it before any direction",
		)
	return RouteDecision(AdmissionRoute.NO_DIRECTION_ROUTE, authority, False, None, authority.description)
