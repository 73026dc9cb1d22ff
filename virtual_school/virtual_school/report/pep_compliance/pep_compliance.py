# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""PEP timeliness and quality by school or caseworker for an academic year (permission-aware)."""

import frappe
from frappe import _
from frappe.utils import getdate, today

from virtual_school.reports.filters import academic_year_bounds

QA_RATINGS = ("Green", "Amber", "Red")


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	start, end = academic_year_bounds(filters)
	group_field = "caseworker" if filters.get("group_by") == "Caseworker" else "school"
	data = get_data(start, end, group_field, getdate(filters.get("on_date") or today()))
	return get_columns(group_field), data, None, get_chart(data)


def get_columns(group_field: str) -> list[dict]:
	group = (
		{"label": _("Caseworker"), "fieldname": "group", "fieldtype": "Link", "options": "User", "width": 200}
		if group_field == "caseworker"
		else {
			"label": _("School"),
			"fieldname": "group",
			"fieldtype": "Link",
			"options": "School",
			"width": 90,
		}
	)
	return [
		group,
		{"label": _("Name"), "fieldname": "group_name", "fieldtype": "Data", "width": 200},
		{"label": _("PEPs Due"), "fieldname": "due", "fieldtype": "Int", "width": 90},
		{"label": _("Approved on Time"), "fieldname": "on_time", "fieldtype": "Int", "width": 110},
		{"label": _("On Time %"), "fieldname": "on_time_percent", "fieldtype": "Percent", "width": 90},
		{"label": _("Overdue"), "fieldname": "overdue", "fieldtype": "Int", "width": 80},
		{"label": _("QA Green"), "fieldname": "green", "fieldtype": "Int", "width": 80},
		{"label": _("QA Amber"), "fieldname": "amber", "fieldtype": "Int", "width": 80},
		{"label": _("QA Red"), "fieldname": "red", "fieldtype": "Int", "width": 80},
	]


def get_data(start, end, group_field: str, on_date) -> list[dict]:
	"""One grouped query under the user's permission conditions (those ``frappe.get_list`` adds, from
	Frappe's ``DatabaseQuery.build_match_conditions``: the caseload for a caseworker). Loading the year's
	PEPs to count them in Python took ~1.2 s at national scale (141,000 PEPs, docs/benchmarks.md)."""
	from frappe.model.db_query import DatabaseQuery

	permitted = DatabaseQuery("Personal Education Plan").build_match_conditions() or "1 = 1"
	name = "max(school_name)" if group_field == "school" else "null"
	found = frappe.db.sql(
		f"""select {group_field} as `group`, {name} as group_name, count(*) as due,
			sum(workflow_state = 'Approved' and completed_on <= due_date) as on_time,
			sum(not workflow_state <=> 'Approved' and due_date < %(on_date)s) as overdue,
			sum(qa_rating = 'Green') as green, sum(qa_rating = 'Amber') as amber, sum(qa_rating = 'Red') as red
		from `tabPersonal Education Plan`
		where due_date between %(start)s and %(end)s and ({permitted})
		group by {group_field} order by null""",
		{"start": start, "end": end, "on_date": on_date},
		as_dict=True,
	)
	groups: dict = {}
	for row in found:  # no school (null) and an empty one are one group
		key = row.group or ""
		if key not in groups:
			groups[key] = row.update(
				{
					field: int(row[field] or 0)
					for field in ("due", "on_time", "overdue", "green", "amber", "red")
				}
			)
			continue
		for field in ("due", "on_time", "overdue", "green", "amber", "red"):
			groups[key][field] += int(row[field] or 0)
	rows = list(groups.values())
	for row in rows:
		row.group = row.group or None
		row.group_name = (row.group_name if group_field == "school" else row.group) or _("Not set")
		row.on_time_percent = round(100 * row.on_time / row.due, 1) if row.due else 0
	rows.sort(key=lambda row: (-row.overdue, row.group_name))
	return rows


def get_chart(data: list[dict]) -> dict | None:
	if not data:
		return None
	return {
		"data": {
			"labels": [_(rating) for rating in QA_RATINGS],
			"datasets": [
				{
					"name": _("PEPs"),
					"values": [sum(row[rating.lower()] for row in data) for rating in QA_RATINGS],
				}
			],
		},
		"type": "bar",
		"colors": ["#16a34a"],
	}
