# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""PEP timeliness and quality by school or caseworker for an academic year (permission-aware)."""

from collections import defaultdict

import frappe
from frappe import _
from frappe.utils import getdate, today

from virtual_school.domain import school_days
from virtual_school.virtual_school.report.filters import academic_year_bounds

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
	peps = frappe.get_list(
		"Personal Education Plan",
		filters={"due_date": ["between", [start, end]]},
		fields=[
			"school",
			"school_name",
			"caseworker",
			"due_date",
			"completed_on",
			"workflow_state",
			"qa_rating",
		],
		limit_page_length=0,
	)
	groups: dict = defaultdict(
		lambda: {"due": 0, "on_time": 0, "overdue": 0, "green": 0, "amber": 0, "red": 0}
	)
	names = {}
	for pep in peps:
		key = pep.get(group_field) or ""
		names[key] = pep.school_name if group_field == "school" else key
		row = groups[key]
		row["due"] += 1
		if (
			pep.workflow_state == "Approved"
			and pep.completed_on
			and getdate(pep.completed_on) <= getdate(pep.due_date)
		):
			row["on_time"] += 1
		if pep.workflow_state != "Approved" and getdate(pep.due_date) < on_date:
			row["overdue"] += 1
		if pep.qa_rating in QA_RATINGS:
			row[pep.qa_rating.lower()] += 1
	rows = []
	for key, row in groups.items():
		row.update(group=key or None, group_name=names.get(key) or _("Not set"))
		row["on_time_percent"] = round(100 * row["on_time"] / row["due"], 1) if row["due"] else 0
		rows.append(frappe._dict(row))
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
