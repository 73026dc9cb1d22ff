"""The school portal: what a school's staff see, scoped server-side to their school on every request.

A website user is a portal user for the schools where an active School Contact links them. They see the
looked-after children on roll at those schools, with only what a school needs: name, year group, PEP status
and PP+ remaining. Never carer or placement details, legal status or social-care notes.
"""

from decimal import Decimal

import frappe
from frappe import _
from frappe.query_builder.functions import Sum

from virtual_school.domain import pp_plus_budget
from virtual_school.setup.roles import SCHOOL_PORTAL_USER

PORTAL_COHORTS = ("Looked After",)


def schools_for(user: str) -> list[str]:
	return frappe.get_all(
		"School Contact", filters={"user": user, "is_active": 1}, pluck="school", distinct=True
	)


def require_portal_user() -> list[str]:
	"""The schools the signed-in portal user may see; refuses anyone else."""
	user = frappe.session.user
	if user == "Guest":
		frappe.throw(_("Please sign in to use the school portal."), frappe.PermissionError)
	if SCHOOL_PORTAL_USER not in frappe.get_roles(user):
		frappe.throw(_("The school portal is for school staff."), frappe.PermissionError)
	schools = schools_for(user)
	if not schools:
		frappe.throw(
			_("Your account is not linked to a school yet. Ask the virtual school."), frappe.PermissionError
		)
	return schools


def my_pupils() -> list[dict]:
	"""Looked-after children on roll at the user's schools, with the few fields a school needs."""
	schools = require_portal_user()
	children = frappe.get_all(
		"Child",
		filters={"current_school": ["in", schools], "status": "Active", "cohort": ["in", PORTAL_COHORTS]},
		fields=["name", "first_name", "last_name", "preferred_name", "year_group", "current_school_name"],
		order_by="last_name asc, first_name asc",
	)
	if not children:
		return []
	names = [child.name for child in children]
	peps = {}
	for pep in frappe.get_all(
		"Personal Education Plan",
		filters={"child": ["in", names]},
		fields=["child", "due_date", "workflow_state"],
		order_by="due_date asc",
	):
		peps[pep.child] = pep  # the latest due
	funding_year = frappe.db.get_single_value("Virtual School Settings", "current_funding_year")
	allocation = Decimal(
		str(frappe.db.get_value("PP Plus Funding Year", funding_year, "per_child_allocation") or 0)
	)
	claim = frappe.qb.DocType("PP Plus Claim")
	committed = dict(
		frappe.qb.from_(claim)
		.select(claim.child, Sum(claim.amount))
		.where(
			claim.child.isin(names)
			& (claim.funding_year == (funding_year or ""))
			& claim.workflow_state.isin(("Approved", "Paid"))
		)
		.groupby(claim.child)
		.run()
	)
	return [
		{
			"reference": child.name,
			"name": f"{child.preferred_name or child.first_name} {child.last_name}",
			"year_group": child.year_group,
			"school": child.current_school_name,
			"pep_due": peps[child.name].due_date if child.name in peps else None,
			"pep_status": peps[child.name].workflow_state if child.name in peps else None,
			"pp_plus_remaining": pp_plus_budget.format_money(
				max(Decimal(0), allocation - Decimal(str(committed.get(child.name) or 0)))
			)
			if funding_year
			else None,
		}
		for child in children
	]
