# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""PP+ budget for a funding year: allocation, approved, paid and remaining, by child or by school.

Every child looked after today (``children.vocabulary.looked_after_on``: not a child who left care or turned
18, who keeps the stored cohort) of statutory school age (Reception to Year 11) has the year's per-child
allocation; claims are summed in one grouped query and joined to the children in SQL.
"""

from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import getdate, today
from pypika import Table

from virtual_school.children.vocabulary import ACTIVE, looked_after_on, to_sql
from virtual_school.pp_plus.vocabulary import (
	ALLOCATED_KEY_STAGES,
	APPROVED,
	COMMITTED_STATES,
	FUNDING_YEAR,
	PAID,
	current_funding_year,
)


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	validate_filters(filters)
	by_school = filters.get("group_by") == "School"
	data = get_data(filters, by_school)
	return get_columns(by_school), data, None, get_chart(data)


def validate_filters(filters: frappe._dict) -> None:
	filters.funding_year = filters.get("funding_year") or current_funding_year()
	if not filters.funding_year or not frappe.db.exists(FUNDING_YEAR, filters.funding_year):
		frappe.throw(_("Choose a PP+ Funding Year."), title=_("Funding Year Needed"))


def budget_query(by_school: bool, one_school: bool) -> str:
	"""Children with an allocation, and any other child with claims this year, with their approved and paid totals.

	Two branches joined by ``union all`` rather than one ``allocated or has claims`` condition: the ``or``
	over a left-joined, grouped subquery made MariaDB read every child and look each one up (~8 s at
	national scale); each branch here uses an index (0.6 s, docs/benchmarks.md).
	"""
	# looked after today (the date is the code's, written into the text: no user input)
	looked_after = to_sql(looked_after_on(Table("tabChild").as_("c"), getdate(today())))
	allocated = f"{looked_after} and c.status = %(active)s and c.key_stage in %(allocated_key_stages)s"
	claims = "p.child = c.name and p.funding_year = %(funding_year)s and p.workflow_state in %(committed)s"
	school = " and c.current_school = %(school)s" if one_school else ""
	totals = """c.name as child, c.full_name as child_name, c.current_school as school,
		c.current_school_name as school_name,
		coalesce(sum(case when p.workflow_state = %(approved)s then p.amount end), 0) as approved,
		coalesce(sum(case when p.workflow_state = %(paid)s then p.amount end), 0) as paid"""
	per_child = f"""select {totals} from `tabChild` c left join `tabPP Plus Claim` p on {claims}
		where {allocated}{school} group by c.name
		union all
		select {totals} from `tabPP Plus Claim` p join `tabChild` c on {claims}
		where not coalesce({allocated}, false){school} group by c.name"""
	if not by_school:
		return per_child
	return f"""select school, school_name, count(*) as children, sum(approved) as approved, sum(paid) as paid
		from ({per_child}) per_child group by school, school_name"""


def budget_values(filters: frappe._dict) -> dict:
	return {
		"funding_year": filters.funding_year,
		"school": filters.get("school"),
		"allocated_key_stages": ALLOCATED_KEY_STAGES,
		"active": ACTIVE,
		"committed": COMMITTED_STATES,
		"approved": APPROVED,
		"paid": PAID,
	}


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
	"""The budget rows with allocation, remaining and the order worked out in SQL: doing them in Python
	(Decimals, ``remaining`` and a sort over 65,000 children at national scale) took longer than the query
	itself (docs/benchmarks.md)."""
	allocation = frappe.db.get_value(FUNDING_YEAR, filters.funding_year, "per_child_allocation")
	rows = frappe.db.sql(
		budget_rows_query(by_school, bool(filters.get("school"))),
		{**budget_values(filters), "allocation": Decimal(str(allocation or 0))},
		as_dict=True,
	)
	return rows


def budget_rows_query(by_school: bool, one_school: bool) -> str:
	"""``budget_query`` with each row's allocation and remaining (never below zero for a child; a school's
	can be, when its children's claims exceed their allocations), most committed first."""
	allocation = "%(allocation)s * budget.children" if by_school else "%(allocation)s"
	remaining = (
		f"{allocation} - budget.approved - budget.paid"
		if by_school
		else "greatest(%(allocation)s - budget.approved - budget.paid, 0)"
	)
	name = "budget.school_name" if by_school else "coalesce(budget.child_name, budget.school_name)"
	return f"""select budget.*, {allocation} as allocation, {remaining} as remaining, 'GBP' as currency
		from ({budget_query(by_school, one_school)}) budget
		order by budget.approved + budget.paid desc, coalesce({name}, ''), budget.{"school" if by_school else "child"}"""


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
