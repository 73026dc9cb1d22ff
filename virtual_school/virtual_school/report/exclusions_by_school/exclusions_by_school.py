# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""Suspensions and permanent exclusions by school and cohort: part of the school inclusion profile."""

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, Sum

from virtual_school.exclusions.vocabulary import PERMANENT, SUSPENSION
from virtual_school.reports.filters import academic_year_bounds


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	start, end = academic_year_bounds(filters)
	data = get_data(start, end)
	return get_columns(), data, None, get_chart(data)


def get_columns() -> list[dict]:
	return [
		{"label": _("School"), "fieldname": "school", "fieldtype": "Link", "options": "School", "width": 90},
		{"label": _("School Name"), "fieldname": "school_name", "fieldtype": "Data", "width": 220},
		{"label": _("Cohort"), "fieldname": "cohort", "fieldtype": "Data", "width": 170},
		{"label": _("Children"), "fieldname": "children", "fieldtype": "Int", "width": 80},
		{"label": _("Suspensions"), "fieldname": "suspensions", "fieldtype": "Int", "width": 100},
		{
			"label": _("School Days Suspended"),
			"fieldname": "suspension_days",
			"fieldtype": "Int",
			"width": 120,
		},
		{"label": _("Permanent Exclusions"), "fieldname": "permanent", "fieldtype": "Int", "width": 110},
	]


def get_data(start, end) -> list[dict]:
	exclusion = frappe.qb.DocType("Exclusion")
	suspension = exclusion.exclusion_type == SUSPENSION
	rows = (
		frappe.qb.from_(exclusion)
		.select(
			exclusion.school,
			exclusion.school_name,
			exclusion.cohort,
			Count(exclusion.child).distinct().as_("children"),
			Sum(Case().when(suspension, 1).else_(0)).as_("suspensions"),
			Sum(Case().when(suspension, exclusion.school_days).else_(0)).as_("suspension_days"),
			Sum(Case().when(exclusion.exclusion_type == PERMANENT, 1).else_(0)).as_("permanent"),
		)
		.where(exclusion.start_date.between(start, end))
		.groupby(exclusion.school, exclusion.school_name, exclusion.cohort)
		.run(as_dict=True)
	)
	rows.sort(key=lambda row: (-(row.permanent or 0), -(row.suspension_days or 0), row.school_name or ""))
	return rows


def get_chart(data: list[dict]) -> dict | None:
	top = data[:10]
	if not top:
		return None
	return {
		"data": {
			"labels": [row.school_name for row in top],
			"datasets": [
				{"name": _("School days suspended"), "values": [row.suspension_days or 0 for row in top]}
			],
		},
		"type": "bar",
		"colors": ["#d97706"],
	}
