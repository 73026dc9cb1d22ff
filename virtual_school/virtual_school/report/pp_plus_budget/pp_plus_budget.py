# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""PP+ budget for a funding year: allocation, approved, paid and remaining, by child or by school.

Every looked-after child of statutory school age (Reception to Year 11) has the year's per-child
allocation; claims are summed in one grouped query and joined to the children in SQL.
"""

from decimal import Decimal

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Coalesce, Count, Sum

ALLOCATED_KEY_STAGES = ("EYFS", "KS1", "KS2", "KS3", "KS4")


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	validate_filters(filters)
	by_school = filters.get("group_by") == "School"
	data = get_data(filters, by_school)
	return get_columns(by_school), data, None, get_chart(data)


def validate_filters(filters: frappe._dict) -> None:
	filters.funding_year = filters.get("funding_year") or frappe.db.get_single_value(
		"Virtual School Settings", "current_funding_year"
	)
	if not filters.funding_year or not frappe.db.exists("PP Plus Funding Year", filters.funding_year):
		frappe.throw(_("Choose a PP+ Funding Year."), title=_("Funding Year Needed"))


def get_columns(by_school: bool) -> list[dict]:
	money = {"fieldtype": "Currency", "options": "currency", "width": 120}
	first = (
		[
			{
				"label": _("School"),
				"fieldname": "school",
				"fieldtype": "Link",
				"options": "School",
				"width": 100,
			},
			{"label": _("School Name"), "fieldname": "school_name", "fieldtype": "Data", "width": 220},
			{"label": _("Children"), "fieldname": "children", "fieldtype": "Int", "width": 90},
		]
		if by_school
		else [
			{
				"label": _("Child"),
				"fieldname": "child",
				"fieldtype": "Link",
				"options": "Child",
				"width": 110,
			},
			{"label": _("Name"), "fieldname": "child_name", "fieldtype": "Data", "width": 170},
			{
				"label": _("School"),
				"fieldname": "school",
				"fieldtype": "Link",
				"options": "School",
				"width": 100,
			},
			{"label": _("School Name"), "fieldname": "school_name", "fieldtype": "Data", "width": 200},
		]
	)
	return [
		*first,
		{"label": _("Allocation"), "fieldname": "allocation", **money},
		{"label": _("Approved (unpaid)"), "fieldname": "approved", **money},
		{"label": _("Paid"), "fieldname": "paid", **money},
		{"label": _("Remaining"), "fieldname": "remaining", **money},
		{"label": _("Currency"), "fieldname": "currency", "fieldtype": "Data", "hidden": 1},
	]


def get_data(filters: frappe._dict, by_school: bool) -> list[dict]:
	allocation = Decimal(
		str(frappe.db.get_value("PP Plus Funding Year", filters.funding_year, "per_child_allocation"))
	)
	claim = frappe.qb.DocType("PP Plus Claim")
	child = frappe.qb.DocType("Child")

	def total_in(state: str):
		return Sum(Case().when(claim.workflow_state == state, claim.amount).else_(0))

	claims = (
		frappe.qb.from_(claim)
		.select(claim.child, total_in("Approved").as_("approved"), total_in("Paid").as_("paid"))
		.where((claim.funding_year == filters.funding_year) & claim.workflow_state.isin(("Approved", "Paid")))
		.groupby(claim.child)
	)
	allocated = (
		(child.cohort == "Looked After")
		& (child.status == "Active")
		& child.key_stage.isin(ALLOCATED_KEY_STAGES)
	)
	query = (
		frappe.qb.from_(child)
		.left_join(claims)
		.on(claims.child == child.name)
		.where(allocated | claims.child.isnotnull())
	)
	if filters.get("school"):
		query = query.where(child.current_school == filters.school)
	approved = Coalesce(claims.approved, 0)
	paid = Coalesce(claims.paid, 0)
	if by_school:
		query = query.select(
			child.current_school.as_("school"),
			child.current_school_name.as_("school_name"),
			Count(child.name).as_("children"),
			Sum(approved).as_("approved"),
			Sum(paid).as_("paid"),
		).groupby(child.current_school, child.current_school_name)
	else:
		query = query.select(
			child.name.as_("child"),
			child.full_name.as_("child_name"),
			child.current_school.as_("school"),
			child.current_school_name.as_("school_name"),
			approved.as_("approved"),
			paid.as_("paid"),
		)
	rows = query.run(as_dict=True)
	for row in rows:
		row.allocation = allocation * (row.children if by_school else 1)
		row.approved, row.paid = Decimal(str(row.approved or 0)), Decimal(str(row.paid or 0))
		row.remaining = (
			max(Decimal(0), row.allocation - row.approved - row.paid)
			if not by_school
			else (row.allocation - row.approved - row.paid)
		)
		row.currency = "GBP"
	rows.sort(
		key=lambda row: (-(row.approved + row.paid), row.get("child_name") or row.get("school_name") or "")
	)
	return rows


def get_chart(data: list[dict]) -> dict | None:
	if not data:
		return None
	approved = sum(row.approved for row in data)
	paid = sum(row.paid for row in data)
	remaining = sum(row.remaining for row in data)
	return {
		"data": {
			"labels": [_("Paid"), _("Approved (unpaid)"), _("Remaining")],
			"datasets": [{"name": _("PP+"), "values": [float(paid), float(approved), float(remaining)]}],
		},
		"type": "donut",
		"colors": ["#16a34a", "#2563eb", "#d1d5db"],
	}
