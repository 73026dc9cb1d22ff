"""The role workspaces' Custom Number Cards (issue #21): one whitelisted method per card.

A Document Type Number Card counts with ``frappe.get_list``, so its filters cannot say "children on my
caseload" (a child shared with a caseworker is not ``caseworker = me``) nor "the year's PEPs held on time".
Each card here counts with the same rules the reports use: the caseload criterion of ``reports/caseload.py``
(a caseworker's card counts only their children; a manager's or the Head's, every child), the one "without
a school place" of ``children.vocabulary`` and the annual report's own figures (``reports/annual_report.py``)
for the Head's KPIs, so the workspace, the reports and the annual report cannot disagree.

Frappe calls a Custom card's method from the browser with ``filters``; each returns ``value``, ``fieldtype``
and the list or report a click opens (``route``, ``route_options``), like ``admissions.without_a_place``.
"""

from decimal import ROUND_HALF_UP, Decimal
from statistics import median

import frappe
from frappe import _
from frappe.query_builder.functions import Count, Sum
from frappe.utils import flt, getdate, today

from virtual_school.admissions.vocabulary import PLACED
from virtual_school.calendar import clocks
from virtual_school.children.vocabulary import (
	ACTIVE,
	LOOKED_AFTER,
	looked_after_on,
	looked_after_without_a_school_place,
)
from virtual_school.domain import pp_plus_budget, school_days
from virtual_school.domain.school_days import DayKind
from virtual_school.escalations.vocabulary import OPEN
from virtual_school.peps.vocabulary import DONE_STATES as PEP_DONE_STATES
from virtual_school.permissions import require_roles
from virtual_school.pp_plus import vocabulary as pp_plus
from virtual_school.reports import annual_report
from virtual_school.reports.caseload import scope, scope_child_link
from virtual_school.setup import roles

# "needing action today": a PEP due within this many school days, or overdue (issue #21)
PEP_DUE_WITHIN_SCHOOL_DAYS = 10
# PEP workflow states in which the plan is still being written (workflows/personal_education_plan.json)
PEP_EDITABLE_STATES = ("Draft", "Returned")
# PEP workflow states in which a manager (or the Head) acts: quality assurance (workflows/personal_education_plan.json)
PEP_AWAITING_QA = ("Submitted", "QA Review")
# escalation levels each approving role holds (domain.escalation_ladder.LEVELS: 2 manager, 3 Head, 4 above the Head)
LEVELS_BY_ROLE = {roles.VIRTUAL_SCHOOL_MANAGER: (2,), roles.VIRTUAL_SCHOOL_HEAD: (3, 4)}
HEAD_ROLES = ("System Manager", roles.VIRTUAL_SCHOOL_HEAD, roles.VIRTUAL_SCHOOL_MANAGER)
# who pays claims, and who oversees them: a caseworker's read of claims is their caseload only
FINANCE_ROLES = (*HEAD_ROLES, roles.VIRTUAL_SCHOOL_FINANCE)


def _require_read(doctype: str) -> None:
	"""A Custom card answers only a user who may read the records it counts (as a Document Type card would)."""
	if not frappe.has_permission(doctype, "read"):
		frappe.throw(_("Not permitted to read {0}.").format(_(doctype)), frappe.PermissionError)


def _card(value, route: list, route_options: dict | None = None, fieldtype: str = "Int") -> dict:
	return {"value": value, "fieldtype": fieldtype, "route": route, "route_options": route_options or {}}


def _where(criterion, caseload):
	return criterion if caseload is None else criterion & caseload


def _count(query) -> int:
	return query.run()[0][0] or 0


def pep_due_horizon(on_date=None):
	"""The last day of "due soon": ``PEP_DUE_WITHIN_SCHOOL_DAYS`` school days after the day (working days where
	the school calendar does not reach that far, as the escalation clocks do)."""
	on_date = getdate(on_date or today())
	try:
		return clocks.add_days(on_date, PEP_DUE_WITHIN_SCHOOL_DAYS, DayKind.SCHOOL)
	except ValueError:
		return clocks.add_days(on_date, PEP_DUE_WITHIN_SCHOOL_DAYS, DayKind.WORKING)


# My Caseload (caseworkers; a manager or the Head sees the same cards over every child)
# ------------------------------------------------------------------------------------


@frappe.whitelist()
def peps_due_soon(filters=None) -> dict:
	"""PEPs of my children not yet approved whose due date is within 10 school days, or has passed."""
	_require_read("Personal Education Plan")
	pep = frappe.qb.DocType("Personal Education Plan")
	horizon = pep_due_horizon()
	criterion = pep.workflow_state.notin(PEP_DONE_STATES) & (pep.due_date <= horizon)
	value = _count(
		frappe.qb.from_(pep).select(Count(pep.name)).where(_where(criterion, scope_child_link(pep.child)))
	)
	return _card(
		value,
		["List", "Personal Education Plan"],
		{"workflow_state": ["not in", list(PEP_DONE_STATES)], "due_date": ["<=", str(horizon)]},
	)


@frappe.whitelist()
def my_children_without_a_place(filters=None) -> dict:
	"""My looked-after children of school age with no current school: the one definition
	(``children.vocabulary.looked_after_without_a_school_place``) the report and annual report use."""
	_require_read("Child")
	child = frappe.qb.DocType("Child")
	value = _count(
		frappe.qb.from_(child)
		.select(Count(child.name))
		.where(_where(looked_after_without_a_school_place(child, getdate(today())), scope(child)))
	)
	return _card(value, ["query-report", "Children Without a School Place"], {"cohort": LOOKED_AFTER})


@frappe.whitelist()
def escalations_i_hold(filters=None) -> dict:
	"""Open escalations whose holder (``Escalation.escalation_owner``) is me, whatever their level."""
	_require_read("Escalation")
	escalation = frappe.qb.DocType("Escalation")
	user = frappe.session.user
	value = _count(
		frappe.qb.from_(escalation)
		.select(Count(escalation.name))
		.where((escalation.status == OPEN) & (escalation.escalation_owner == user))
	)
	return _card(value, ["List", "Escalation"], {"status": OPEN, "escalation_owner": user})


@frappe.whitelist()
def claims_returned_to_me(filters=None) -> dict:
	"""PP+ claims a manager returned for information, on my children, that I raised or am caseworker for."""
	_require_read("PP Plus Claim")
	claim = frappe.qb.DocType("PP Plus Claim")
	user = frappe.session.user
	criterion = (claim.workflow_state == pp_plus.RETURNED) & (
		(claim.caseworker == user) | (claim.requester == user)
	)
	value = _count(
		frappe.qb.from_(claim)
		.select(Count(claim.name))
		.where(_where(criterion, scope_child_link(claim.child)))
	)
	return _card(value, ["List", "PP Plus Claim"], {"workflow_state": pp_plus.RETURNED})


# My Children (social workers, issue #23: their children by Child.social_worker_user, through the same scope)
# ------------------------------------------------------------------------------------------------------


@frappe.whitelist()
def peps_awaiting_social_care(filters=None) -> dict:
	"""PEPs of my children in progress (Draft or Returned: the social worker may still write) whose
	social-care part (the care plan context) is still empty."""
	_require_read("Personal Education Plan")
	pep = frappe.qb.DocType("Personal Education Plan")
	criterion = pep.workflow_state.isin(PEP_EDITABLE_STATES) & (
		pep.care_plan_context.isnull() | (pep.care_plan_context == "")
	)
	value = _count(
		frappe.qb.from_(pep).select(Count(pep.name)).where(_where(criterion, scope_child_link(pep.child)))
	)
	return _card(
		value,
		["List", "Personal Education Plan"],
		{"workflow_state": ["in", list(PEP_EDITABLE_STATES)], "care_plan_context": ["is", "not set"]},
	)


@frappe.whitelist()
def exclusions_this_year(filters=None) -> dict:
	"""Suspensions and permanent exclusions of my children that began in this academic year."""
	_require_read("Exclusion")
	exclusion = frappe.qb.DocType("Exclusion")
	start, end = school_days.academic_year_bounds(school_days.academic_year_of(getdate(today())))
	criterion = (exclusion.start_date >= start) & (exclusion.start_date <= end)
	value = _count(
		frappe.qb.from_(exclusion)
		.select(Count(exclusion.name))
		.where(_where(criterion, scope_child_link(exclusion.child)))
	)
	return _card(value, ["List", "Exclusion"], {"start_date": ["between", [str(start), str(end)]]})


# Approvals (managers and the Head)
# ---------------------------------


@frappe.whitelist()
def peps_awaiting_qa(filters=None) -> dict:
	"""PEPs submitted or in QA review: a manager's (or the Head's) decision to make."""
	require_roles(*HEAD_ROLES)
	pep = frappe.qb.DocType("Personal Education Plan")
	value = _count(
		frappe.qb.from_(pep).select(Count(pep.name)).where(pep.workflow_state.isin(PEP_AWAITING_QA))
	)
	return _card(
		value, ["List", "Personal Education Plan"], {"workflow_state": ["in", list(PEP_AWAITING_QA)]}
	)


@frappe.whitelist()
def escalations_at_my_level(filters=None) -> dict:
	"""Open escalations at the levels my role holds (2: manager; 3 and 4: the Head), or held by me."""
	require_roles(*HEAD_ROLES)
	user_roles = set(frappe.get_roles())
	levels = sorted({level for role, held in LEVELS_BY_ROLE.items() if role in user_roles for level in held})
	escalation = frappe.qb.DocType("Escalation")
	at_level = escalation.level.isin(levels) if levels else None
	mine = escalation.escalation_owner == frappe.session.user
	value = _count(
		frappe.qb.from_(escalation)
		.select(Count(escalation.name))
		.where((escalation.status == OPEN) & ((at_level | mine) if at_level is not None else mine))
	)
	route_options = {"status": OPEN}
	if levels:
		route_options["level"] = ["in", levels]
	return _card(value, ["List", "Escalation"], route_options)


# Virtual School Head: KPIs of the current academic year, the annual report's own figures
# --------------------------------------------------------------------------------------


def _this_year():
	academic_year = school_days.academic_year_of(getdate(today()))
	start, end = school_days.academic_year_bounds(academic_year)
	return academic_year, start, end


def _percent(part, whole) -> float:
	"""One decimal, rounded half up, as the annual report's ``domain.annual_report.percent``; 0 of nothing: 0."""
	if not flt(whole):
		return 0.0
	exact = Decimal(str(flt(part))) * 100 / Decimal(str(flt(whole)))
	return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@frappe.whitelist()
def peps_on_time_percent(filters=None) -> dict:
	"""% of this academic year's PEPs held on time: the annual report's PEPs due (records due in the year
	plus looked-after children owed one and with none) and its "on time" (meeting by the due date)."""
	require_roles(*HEAD_ROLES)
	_year, start, end = _this_year()
	on_date = min(end, getdate(today()))
	pep = frappe.qb.DocType("Personal Education Plan")
	due = _count(frappe.qb.from_(pep).select(Count(pep.name)).where(pep.due_date[start:end]))
	due += annual_report._children_without_pep(start, end, on_date)
	return _card(
		_percent(annual_report._peps_on_time(start, end), due),
		["query-report", "PEP Compliance"],
		fieldtype="Percent",
	)


@frappe.whitelist()
def median_school_days_to_place(filters=None) -> dict:
	"""Median school days without a place of the requests placed this academic year (the annual report's)."""
	require_roles(*HEAD_ROLES)
	_year, start, end = _this_year()
	request = frappe.qb.DocType("School Place Request")
	days = (
		frappe.qb.from_(request)
		.select(request.days_without_place)
		.where((request.workflow_state == PLACED) & request.date_needed[start:end])
		.run(pluck=True)
	)
	days = [d for d in days if d is not None]
	return _card(
		float(median(days)) if days else 0,
		["List", "School Place Request"],
		{"workflow_state": PLACED},
		fieldtype="Float",
	)


@frappe.whitelist()
def child_voice_percent(filters=None) -> dict:
	"""% of this academic year's approved PEPs recording the child's views in their own words
	(``peps.vocabulary.has_voice``), over the same PEPs as the annual report's QA table."""
	require_roles(*HEAD_ROLES)
	_year, start, end = _this_year()
	pep = frappe.qb.DocType("Personal Education Plan")
	done = _count(
		frappe.qb.from_(pep)
		.select(Count(pep.name))
		.where(pep.due_date[start:end] & pep.workflow_state.isin(PEP_DONE_STATES))
	)
	return _card(
		_percent(annual_report._peps_with_voice(start, end), done),
		["List", "Personal Education Plan"],
		{"workflow_state": ["in", list(PEP_DONE_STATES)]},
		fieldtype="Percent",
	)


@frappe.whitelist()
def pp_plus_spent_percent(filters=None) -> dict:
	"""% of this funding year's PP+ allocation committed (approved or paid claims), the allocation being the
	per-child rate times the looked-after children of Reception to Year 11, as in the annual report."""
	require_roles(*HEAD_ROLES)
	funding_year = pp_plus.current_funding_year() or pp_plus_budget.financial_year_of(getdate(today()))
	rate = frappe.db.get_value(pp_plus.FUNDING_YEAR, funding_year, "per_child_allocation") or 0
	child = frappe.qb.DocType("Child")
	children = _count(
		frappe.qb.from_(child)
		.select(Count(child.name))
		.where(looked_after_on(child, getdate(today())) & (child.status == ACTIVE) & pp_plus.allocated(child))
	)
	claim = frappe.qb.DocType("PP Plus Claim")
	committed = (
		frappe.qb.from_(claim)
		.select(Sum(claim.amount))
		.where((claim.funding_year == funding_year) & pp_plus.committed(claim))
		.run()[0][0]
	)
	return _card(
		_percent(committed, flt(rate) * children),
		["query-report", "PP Plus Budget"],
		{"funding_year": funding_year},
		fieldtype="Percent",
	)


@frappe.whitelist()
def persistent_absence_percent(filters=None) -> dict:
	"""% of looked-after children with attendance returns this academic year who are persistently absent
	(the annual report's ``attendance_by_cohort``)."""
	require_roles(*HEAD_ROLES)
	academic_year, _start, _end = _this_year()
	looked_after = annual_report.attendance_by_cohort(academic_year).get(LOOKED_AFTER) or {}
	return _card(
		_percent(looked_after.get("persistent", 0), looked_after.get("children", 0)),
		["query-report", "Attendance Overview"],
		fieldtype="Percent",
	)


# Finance
# -------


@frappe.whitelist()
def claims_awaiting_payment(filters=None) -> dict:
	"""Approved PP+ claims not yet on a payment: what the next payment run pays."""
	require_roles(*FINANCE_ROLES)
	claim = frappe.qb.DocType("PP Plus Claim")
	value = _count(frappe.qb.from_(claim).select(Count(claim.name)).where(pp_plus.awaiting_payment(claim)))
	return _card(value, ["List", "PP Plus Claim"], {"workflow_state": pp_plus.APPROVED})


@frappe.whitelist()
def amount_awaiting_payment(filters=None) -> dict:
	"""The sum of the approved PP+ claims not yet on a payment."""
	require_roles(*FINANCE_ROLES)
	claim = frappe.qb.DocType("PP Plus Claim")
	value = (
		frappe.qb.from_(claim).select(Sum(claim.amount)).where(pp_plus.awaiting_payment(claim)).run()[0][0]
	)
	return _card(
		flt(value), ["List", "PP Plus Claim"], {"workflow_state": pp_plus.APPROVED}, fieldtype="Currency"
	)
