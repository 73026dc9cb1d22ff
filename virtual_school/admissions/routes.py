"""The route a looked-after child's school place takes, and the direction sequence, on the site.

The rules are pure (``domain.admission_route``, ``domain.direction_timeline``, ``domain.ehc_plan_consultation``,
STATUTORY.md section 11); this module feeds them the site's data and turns their answers into fields and
refusals:

- **who may be directed** (s97A): the Child's cohort and responsible LA against the council's LA code
  (Virtual School Settings ``la``);
- **who the admission authority is**: the School's GIAS establishment type, type group and LA code;
- **academies as data**: the CWSA 2026 s63 commencement dates in Settings, compared with the day the request
  was opened (``opened_on``, set once), so a request opened before commencement keeps its route;
- **the direction sequence** (s97B(1), s97C): consult, representations (7 days), notice, the adjudicator
  window (7 days), and only then the direction; every step's date is checked on save, whether it comes
  through the workflow or a plain save or the REST API, and a refusal gives the day the step becomes possible;
- **EHC plans**: the consultation's response is due 15 calendar days after it (SEND Code para 9.83).

The workflow (``workflows/school_place_request.json``) hides the actions a route does not allow; the checks
here refuse them on the server too, because a workflow condition is not a guard against a direct save.
"""

from __future__ import annotations

from datetime import date

import frappe
from frappe import _
from frappe.utils import formatdate, getdate, today

from virtual_school.admissions.vocabulary import (
	DIRECTED,
	DIRECTION_CONSULTED,
	NOTICE_SERVED,
	REFERRED_TO_SECRETARY_OF_STATE,
)
from virtual_school.children.vocabulary import LOOKED_AFTER, child_looked_after_on
from virtual_school.domain import direction_timeline, ehc_plan_consultation, gias_mapping
from virtual_school.domain.admission_route import (
	AdmissionRoute,
	DirectionPowers,
	RouteDecision,
	admission_authority_for,
	admission_route,
)
from virtual_school.domain.direction_timeline import DirectionDates, DirectionStep
from virtual_school.shared import settings

EHC_PLAN = "EHC plan"  # Child.sen_provision
# The School Place Request date fields that belong to a direction (s97A-C): recorded only on a direction route.
DIRECTION_DATE_FIELDS = (
	"direction_consulted_on",
	"representations_received_on",
	"direction_notice_on",
	"referred_to_adjudicator_on",
	"adjudicator_decided_on",
	"directed_on",
)


# DirectionDates field -> School Place Request field, longest name first (no name is replaced inside another)
DATES_FIELDS = {
	"representations_received_on": "representations_received_on",
	"referred_to_adjudicator_on": "referred_to_adjudicator_on",
	"adjudicator_decided_on": "adjudicator_decided_on",
	"adjudicator_outcome": "adjudicator_outcome",
	"notice_served_on": "direction_notice_on",
	"consulted_on": "direction_consulted_on",
	"directed_on": "directed_on",
}


def direction_powers() -> DirectionPowers:
	"""The commencement dates the council recorded in Settings (None until commenced)."""
	values = settings.get()
	return DirectionPowers(
		academy_direction_commenced_on=values.academy_direction_commenced_on,
		special_academy_direction_commenced_on=values.special_academy_direction_commenced_on,
	)


def council_la_code() -> str | None:
	return settings.get().la or None


# --- School ---------------------------------------------------------------------------------------------


def school_route(establishment_type, type_group, school_la, on_date: date | None = None) -> tuple[str, str]:
	"""(admission authority, route) of a school for a child this council looks after, without an EHC plan,
	for a request opened on ``on_date`` (today): what the School form and list show. Empty strings when the
	council's LA code is not set, or the school's LA code is not a DfE code."""
	council = council_la_code()
	if not council:
		return "", ""
	try:
		decision = admission_route(
			cohort=LOOKED_AFTER,
			looked_after_by_la_code=None,
			has_ehc_plan=False,
			establishment_type=establishment_type,
			type_group=type_group,
			school_la_code=school_la or None,
			council_la_code=council,
			request_opened_on=getdate(on_date or today()),
			powers=direction_powers(),
		)
	except ValueError:
		return "", ""
	return decision.admission_authority.description, decision.route.value


def set_school_route(school) -> None:
	"""Fill the School's derived route fields (read-only: the system_owned guard refuses them over REST)."""
	school.admissions_route = gias_mapping.admissions_route_for(school.type_group, school.establishment_type)
	school.admission_authority, school.direction_route = school_route(
		school.establishment_type, school.type_group, school.la
	)


def refresh_school_routes(on_date: date | None = None) -> int:
	"""Recompute every School's route fields, one UPDATE per distinct (type, group, LA) that changed.

	Run when Settings' LA code or a commencement date changes and after a GIAS import (which writes rows
	with one statement, past the School controller). Returns the number of (type, group, LA) kinds.
	"""
	school = frappe.qb.DocType("School")
	combos = (
		frappe.qb.from_(school)
		.select(school.establishment_type, school.type_group, school.la)
		.distinct()
		.run(as_dict=True)
	)
	for combo in combos:
		authority, route = school_route(combo.establishment_type, combo.type_group, combo.la, on_date)
		legacy = gias_mapping.admissions_route_for(combo.type_group, combo.establishment_type)
		query = (
			frappe.qb.update(school)
			.set(school.admission_authority, authority)
			.set(school.direction_route, route)
			.set(school.admissions_route, legacy)
			.where(_same(school.establishment_type, combo.establishment_type))
			.where(_same(school.type_group, combo.type_group))
			.where(_same(school.la, combo.la))
			.where(
				(school.admission_authority.isnull())
				| (school.admission_authority != authority)
				| (school.direction_route.isnull())
				| (school.direction_route != route)
				| (school.admissions_route.isnull())
				| (school.admissions_route != legacy)
			)
		)
		query.run()
	return len(combos)


def refresh_school_routes_when_commenced(on_date: date | str | None = None) -> int:
	"""Daily (hooks ``scheduler_events``): once a commencement date in Settings ("LA power to direct
	academies commenced on", or the special academies' date) has arrived, recompute the Schools' stored
	route, so the School list shows "Consult and direct the academy trust" from that morning, not from the
	next time someone saves Settings or a School. The School's route is "a request opened today"; requests
	keep the route of the day they were opened (``set_route``), and this touches only School rows.

	Returns the number of (type, group, LA) kinds checked; 0 when no date has arrived. Idempotent: only rows
	whose route differs are written, so the days after commencement change nothing.
	"""
	on_date = getdate(on_date or today())
	powers = direction_powers()
	commenced = [
		getdate(day)
		for day in (powers.academy_direction_commenced_on, powers.special_academy_direction_commenced_on)
		if day
	]
	if not any(day <= on_date for day in commenced):
		return 0
	return refresh_school_routes(on_date)


def _same(column, value):
	return column.isnull() if value is None else column == value


# --- School Place Request: the route ---------------------------------------------------------------------


def route_school(request) -> str | None:
	"""The school the route is for: the school to direct or refer, else (EHC plan) the school consulted,
	else the latest school asked."""
	if request.refusing_school:
		return request.refusing_school
	if request.get("ehcp_school"):
		return request.ehcp_school
	return request.approaches[-1].school if request.approaches else None


def decide_route(request) -> RouteDecision | None:
	"""The route for the request's child and school as on the day it was opened; None when the school,
	the child or the council's LA code is missing."""
	school_name = route_school(request)
	council = council_la_code()
	if not (school_name and council and request.child):
		return None
	school = frappe.db.get_value(
		"School", school_name, ["establishment_type", "type_group", "la"], as_dict=True
	)
	child = frappe.db.get_value(
		"Child",
		request.child,
		["cohort", "responsible_la", "sen_provision", "date_of_birth", "date_entered_care", "date_left_care"],
		as_dict=True,
	)
	if not (school and child and child.cohort):
		return None
	try:
		if child.cohort == LOOKED_AFTER and not _looked_after_today(child):
			return _left_care_route(school, council)
		return admission_route(
			cohort=child.cohort,
			looked_after_by_la_code=child.responsible_la or None,
			has_ehc_plan=child.sen_provision == EHC_PLAN,
			establishment_type=school.establishment_type,
			type_group=school.type_group,
			school_la_code=school.la or None,
			council_la_code=council,
			request_opened_on=getdate(request.opened_on),
			powers=direction_powers(),
		)
	except ValueError:
		return None


def _looked_after_today(child) -> bool:
	return child_looked_after_on(child, today())


def _left_care_route(school, council: str) -> RouteDecision:
	"""The route of a child of the Looked After cohort who is not looked after today (returned home, another
	leaving reason, 18): the cohort stays on the record with the leaving date, but s97A covers only a child
	the council looks after (STATUTORY.md section 11), so an in-year application and the Fair Access
	Protocol, as for the other cohorts (issue #18 item 1)."""
	return RouteDecision(
		AdmissionRoute.IN_YEAR_APPLICATION,
		admission_authority_for(school.establishment_type, school.type_group, school.la or None, council),
		False,
		"The school's admission authority (in-year application)",
		"the child is no longer looked after by the council: s97A covers only a looked-after child, so an "
		"in-year application and, if refused, the Fair Access Protocol",
	)


def set_route(request) -> RouteDecision | None:
	"""Store the route on the request (read-only fields) and return it."""
	if not request.opened_on:
		request.opened_on = getdate(request.creation) if request.creation else getdate(today())
	decision = decide_route(request)
	request.admission_route = decision.route.value if decision else None
	request.admission_authority = decision.admission_authority.description if decision else None
	request.route_reason = decision.reason if decision else None
	request.direction_possible = int(bool(decision and decision.direction_possible))
	request.route_addressee = (decision.letter_addressee or "") if decision else None
	return decision


# --- School Place Request: the clocks --------------------------------------------------------------------


def direction_dates(request) -> DirectionDates:
	"""The direction's recorded dates; an impossible order (a notice before the consultation, a decision
	with no referral) is refused here."""
	try:
		return DirectionDates(
			**{name: _as_value(name, request.get(fieldname)) for name, fieldname in DATES_FIELDS.items()}
		)
	except ValueError as error:
		# the rule names its own fields: give the user the form's labels
		message = str(error)
		for name, fieldname in DATES_FIELDS.items():
			message = message.replace(name, _(request.meta.get_label(fieldname)))
		frappe.throw(
			_("The direction's dates are not in order: {0}.").format(message), title=_("Invalid Dates")
		)


def _as_value(name: str, value):
	"""A date field as a date (a request sends strings), the outcome as it is; empty as None."""
	if not value:
		return None
	return value if name == "adjudicator_outcome" else getdate(value)


def set_clocks(request) -> None:
	"""The dates the law derives: representations due (s97B(1)), first day of notice, end of the
	adjudicator window, first day of direction (s97C), EHC plan response due (para 9.83)."""
	dates = direction_dates(request)
	request.representations_due = (
		direction_timeline.representations_due(dates.consulted_on) if dates.consulted_on else None
	)
	request.notice_from = direction_timeline.notice_from(dates)
	request.referral_window_ends = (
		direction_timeline.referral_window_ends(dates.notice_served_on) if dates.notice_served_on else None
	)
	# The first day the direction may be given: notice + 8 with no referral (the window's 7 days must have
	# passed), or the adjudicator's decision.
	request.direction_effective_on = direction_timeline.direct_from(dates)
	request.ehcp_response_due = (
		ehc_plan_consultation.consultation_response_due(getdate(request.ehcp_consulted_on))
		if request.ehcp_consulted_on
		else None
	)


# --- School Place Request: the guards --------------------------------------------------------------------


def check_request(request, decision: RouteDecision | None, on_date: date | None = None) -> None:
	"""Refuse what the route does not allow and a direction step taken too early (STATUTORY.md section 11).

	Called from the controller's ``validate``, which Frappe runs before its own workflow check, so a direct
	save of ``workflow_state`` or of a date meets the same refusal as the workflow action.
	"""
	on_date = getdate(on_date or today())
	entering = _entering_state(request)
	route = decision.route if decision else None
	# A step is checked when it is taken (a state entered, a date recorded or changed), not on every later
	# save: a request referred before a commencement date the council records afterwards stays editable.
	direction_recorded = [field for field in DIRECTION_DATE_FIELDS if _recorded(request, field)]
	if entering in (DIRECTION_CONSULTED, NOTICE_SERVED, DIRECTED) or direction_recorded:
		if not (decision and decision.direction_possible):
			frappe.throw(_route_refusal(request, decision), title=_("Direction Not Possible"))
	if entering == REFERRED_TO_SECRETARY_OF_STATE or _recorded(request, "secretary_of_state_referred_on"):
		if route is not AdmissionRoute.ASK_SECRETARY_OF_STATE:
			frappe.throw(
				_(
					"The Secretary of State (DfE) is asked to direct only an academy, and only while the "
					"council's power to direct academies had not commenced when the request was opened. This "
					"request's route is: {0}."
				).format(_route_label(decision)),
				title=_("Referral Not Possible"),
			)
	if _recorded(request, "council_admission_decided_on") and route is not AdmissionRoute.COUNCIL_ADMITS:
		frappe.throw(
			_(
				"The council records its own admission decision only for its own community and voluntary "
				"controlled schools, where it is the admission authority. This request's route is: {0}."
			).format(_route_label(decision)),
			title=_("Not the Admission Authority"),
		)
	if entering == NOTICE_SERVED and not request.direction_notice_on:
		request.direction_notice_on = on_date
	if entering == DIRECTED and not request.directed_on:
		request.directed_on = on_date
	set_clocks(request)  # again: the step's own date may just have been set
	dates = direction_dates(request)
	if not (direction_recorded or entering in (DIRECTION_CONSULTED, NOTICE_SERVED, DIRECTED)):
		return
	if entering == DIRECTION_CONSULTED and not dates.consulted_on:
		frappe.throw(_("Enter the date you consulted the admission authority first."))
	if dates.consulted_on and dates.consulted_on > on_date:
		frappe.throw(
			_("Consulted on Direction On ({0}) is in the future: record a step once it is taken.").format(
				formatdate(dates.consulted_on)
			),
			title=_("Date in the Future"),
		)
	if dates.notice_served_on or entering == NOTICE_SERVED:
		_check_step(DirectionStep.SERVE_NOTICE, dates, on_date)
	if dates.directed_on or entering == DIRECTED:
		_check_step(DirectionStep.DIRECT, dates, on_date)


def _recorded(request, fieldname: str) -> bool:
	"""The field holds a date that is new on this save."""
	return bool(request.get(fieldname)) and (request.is_new() or request.has_value_changed(fieldname))


def _entering_state(request) -> str | None:
	if request.is_new() or not request.has_value_changed("workflow_state"):
		return None
	return request.workflow_state


def _check_step(step: DirectionStep, dates: DirectionDates, on_date: date) -> None:
	check = direction_timeline.check_step(step, dates, on_date)
	if check.allowed:
		return
	frappe.throw(_step_refusal(step, dates, check), title=_("Too Early to {0}").format(_(step.value)))


def _step_refusal(step: DirectionStep, dates: DirectionDates, check) -> str:
	"""The refusal in the user's words, with the first day the step becomes possible."""
	own_date = dates.notice_served_on if step is DirectionStep.SERVE_NOTICE else dates.directed_on
	if own_date and check.earliest_on == own_date:
		return _("{0} ({1}) is in the future: record a step once it is taken.").format(
			_(step.value), formatdate(own_date)
		)
	if step is DirectionStep.SERVE_NOTICE:
		if not dates.consulted_on:
			return _("Consult the admission authority first (SSFA 1998 s97B(1)).")
		due = direction_timeline.representations_due(dates.consulted_on)
		if dates.representations_received_on:
			return _("Representations were received on {0}: notice may be served from {1}.").format(
				formatdate(dates.representations_received_on), formatdate(check.earliest_on)
			)
		return _(
			"The admission authority has until {0} to make representations ({1} days from the consultation on "
			"{2}, SSFA 1998 s97B(1)): notice of intention to direct may be served from {3}, or from the day "
			"representations are received."
		).format(
			formatdate(due),
			direction_timeline.REPRESENTATIONS_DAYS,
			formatdate(dates.consulted_on),
			formatdate(check.earliest_on),
		)
	if not dates.notice_served_on:
		return _("Serve notice of the intention to direct first.")
	earliest_notice = direction_timeline.notice_from(dates)
	if earliest_notice and dates.notice_served_on < earliest_notice:
		return _(
			"The notice was served on {0}, before the representations period allowed ({1}): serve it again."
		).format(formatdate(dates.notice_served_on), formatdate(earliest_notice))
	if dates.referred_to_adjudicator_on and not dates.adjudicator_decided_on:
		return _(
			"Referred to the Schools Adjudicator on {0}: the direction may be given only after the "
			"adjudicator's decision. Record its outcome and date."
		).format(formatdate(dates.referred_to_adjudicator_on))
	if dates.referred_to_adjudicator_on:
		return _("The adjudicator decided on {0}: the direction may be given from that day.").format(
			formatdate(check.earliest_on)
		)
	return _(
		"The admission authority may refer the matter to the Schools Adjudicator until {0} ({1} days from the "
		"notice served on {2}, SSFA 1998 s97C): the direction may be given from {3}."
	).format(
		formatdate(direction_timeline.referral_window_ends(dates.notice_served_on)),
		direction_timeline.REFERRAL_DAYS,
		formatdate(dates.notice_served_on),
		formatdate(check.earliest_on),
	)


def _route_label(decision: RouteDecision | None) -> str:
	return _(decision.route.value) if decision else _("not known")


def _route_refusal(request, decision: RouteDecision | None) -> str:
	"""Why this council may not direct for this request, in the user's words, from the route."""
	child = request.child_name or request.child
	school = route_school(request)
	school_name = (school and frappe.db.get_value("School", school, "school_name")) or school
	if decision is None:
		if not council_la_code():
			return _(
				"Set the council's Local Authority in Virtual School Settings: the route (and whether the "
				"council may direct) depends on who the admission authority is."
			)
		return _(
			"The route is not known: set the School to Direct or Refer, and check the child's cohort and "
			"the school's establishment type and LA code."
		)
	route = decision.route
	if route is AdmissionRoute.IN_YEAR_APPLICATION:
		cohort = frappe.db.get_value("Child", request.child, "cohort")
		if cohort == LOOKED_AFTER:  # the cohort stays when a child leaves care: they are not looked after now
			return _(
				"{0} cannot be directed: they are no longer looked after by this council, and only a looked-after "
				"child can be (SSFA 1998 s97A). The place is sought through an in-year application and, if "
				"refused, the Fair Access Protocol."
			).format(child)
		return _(
			"{0} cannot be directed: only a child looked after by this council can be (SSFA 1998 s97A). A "
			"child in the {1} cohort is admitted through an in-year application and, if refused, the Fair "
			"Access Protocol."
		).format(child, _(cohort))
	if route is AdmissionRoute.RESPONSIBLE_COUNCIL_DIRECTS:
		return _(
			"{0} is looked after by the local authority with LA code {1}: only that authority may direct a "
			"school to admit them (SSFA 1998 s97A). Ask its virtual school."
		).format(child, frappe.db.get_value("Child", request.child, "responsible_la"))
	if route is AdmissionRoute.COUNCIL_ADMITS:
		return _(
			"This council is the admission authority of {0} (its own community or voluntary controlled "
			"school): it admits the child itself. Record the admission decision; there is no direction and "
			"no s97B consultation."
		).format(school_name)
	if route is AdmissionRoute.EHC_PLAN:
		return _(
			"{0} has an EHC plan: the school changes through the plan, not by a direction. Consult the school "
			"(Children and Families Act 2014 s39; a response within {1} days); a school named in the plan "
			"must admit (s43)."
		).format(child, ehc_plan_consultation.RESPONSE_CALENDAR_DAYS)
	if route is AdmissionRoute.ASK_SECRETARY_OF_STATE:
		return _(
			"{0} is an academy and the council's power to direct academies had not commenced when this request "
			"was opened ({1}): ask the Secretary of State (DfE) to direct instead."
		).format(school_name, formatdate(request.opened_on))
	# No direction route: a PRU, nursery or maintained special school, an AP academy, an independent
	# school or college, an unknown admission authority, or a school the child is excluded from.
	return _("{0} cannot be directed to admit: {1}.").format(school_name, decision.reason)


__all__ = [
	"check_request",
	"decide_route",
	"direction_powers",
	"refresh_school_routes",
	"refresh_school_routes_when_commenced",
	"school_route",
	"set_clocks",
	"set_route",
	"set_school_route",
]
