# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""Looked-after children on roll at a school that sends attendance, with none received for them for the
set number of school days: children who may be missing education. The same rule as the daily job that
escalates them (``virtual_school.attendance.services.children_without_recent_attendance``). A caseworker sees
their caseload (``reports.caseload``)."""

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import cint, getdate, today
from pypika import Table

from virtual_school.attendance.services import (
	children_without_recent_attendance,
	missing_attendance_threshold,
)
from virtual_school.reports import caseload

CHILD = Table("tabChild")  # a plain table: DocType() needs a site at import time


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	threshold = cint(filters.school_days) if filters.get("school_days") else missing_attendance_threshold()
	if threshold <= 0:
		frappe.throw(_("No Attendance For must be at least one school day."), title=_("Invalid Filters"))
	return get_columns(), get_data(threshold, filters.get("school"))


def get_columns() -> list[dict]:
	return [
		{"label": _("Child"), "fieldname": "child", "fieldtype": "Link", "options": "Child", "width": 110},
		{"label": _("Name"), "fieldname": "full_name", "fieldtype": "Data", "width": 180},
		{"label": _("School"), "fieldname": "school", "fieldtype": "Link", "options": "School", "width": 90},
		{"label": _("School Name"), "fieldname": "school_name", "fieldtype": "Data", "width": 220},
		{
			"label": _("Caseworker"),
			"fieldname": "caseworker",
			"fieldtype": "Link",
			"options": "User",
			"width": 160,
		},
		{"label": _("Attendance Received To"), "fieldname": "covered_to", "fieldtype": "Date", "width": 150},
		{
			"label": _("School Days Without"),
			"fieldname": "school_days_without",
			"fieldtype": "Int",
			"width": 130,
		},
		{
			"label": _("Escalation"),
			"fieldname": "escalation",
			"fieldtype": "Link",
			"options": "Escalation",
			"width": 130,
		},
	]


def get_data(threshold: int, school: str | None = None) -> list[dict]:
	rows = children_without_recent_attendance(getdate(today()), threshold)
	if school:
		rows = [row for row in rows if row.school == school]
	if not rows:
		return []
	in_caseload = caseload.scope(CHILD)
	if in_caseload is not None:
		visible = set(
			frappe.qb.from_(CHILD)
			.select(CHILD.name)
			.where(CHILD.name.isin([row.child for row in rows]) & in_caseload)
			.run(pluck=True)
		)
		rows = [row for row in rows if row.child in visible]
	escalations = {
		row.reference_name: row.name
		for row in frappe.get_all(
			"Escalation",
			filters={
				"reference_doctype": "Child",
				"reference_name": ["in", [row.child for row in rows] or [""]],
				"trigger_key": ["like", "missing:%"],
				"status": ["!=", "Closed"],
			},
			fields=["name", "reference_name"],
		)
	}
	for row in rows:
		row.escalation = escalations.get(row.child)
		row.pop("last_week", None)
		row.pop("placement_start", None)
	return sorted(rows, key=lambda row: -row.school_days_without)
