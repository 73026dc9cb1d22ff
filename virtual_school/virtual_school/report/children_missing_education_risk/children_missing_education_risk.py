# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""Looked-after children on roll at a school that sends attendance, with none received for them for the
set number of school days: children who may be missing education. The same rule as the daily job that
escalates them (``virtual_school.attendance.services.children_without_recent_attendance``). A caseworker sees
their caseload (``reports.caseload``).

Also (issue #23 item 5), after them: children whose attendance returns this academic year record suspension
sessions that no Exclusion accounts for (``attendance.services.unmatched_suspensions``): a suspension the
school did not notify, or an informal exclusion. The Concern column says which of the two each row is."""

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.utils import cint, getdate, today
from pypika import Table

from virtual_school.attendance.services import (
	children_without_recent_attendance,
	missing_attendance_threshold,
	unmatched_suspensions,
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
		{
			"label": _("Suspension Sessions Without an Exclusion"),
			"fieldname": "suspension_sessions",
			"fieldtype": "Int",
			"width": 140,
		},
		{"label": _("Concern"), "fieldname": "concern", "fieldtype": "Data", "width": 360},
	]


def get_data(threshold: int, school: str | None = None) -> list[dict]:
	on_date = getdate(today())
	missing = children_without_recent_attendance(on_date, threshold)
	if school:
		missing = [row for row in missing if row.school == school]
	suspended = unmatched_suspensions(on_date, school)
	if not (missing or suspended):
		return []
	in_caseload = caseload.scope(CHILD)
	if in_caseload is not None:
		visible = set(
			frappe.qb.from_(CHILD)
			.select(CHILD.name)
			.where(CHILD.name.isin([row.child for row in (*missing, *suspended)]) & in_caseload)
			.run(pluck=True)
		)
		missing = [row for row in missing if row.child in visible]
		suspended = [row for row in suspended if row.child in visible]
	escalations = {
		row.reference_name: row.name
		for row in frappe.get_all(
			"Escalation",
			filters={
				"reference_doctype": "Child",
				"reference_name": ["in", [row.child for row in missing] or [""]],
				"trigger_key": ["like", "missing:%"],
				"status": ["!=", "Closed"],
			},
			fields=["name", "reference_name"],
		)
	}
	for row in missing:
		row.escalation = escalations.get(row.child)
		row.concern = _("No attendance received for {0} school days").format(row.school_days_without)
		row.pop("last_week", None)
		row.pop("placement_start", None)
	for row in suspended:
		row.suspension_sessions = int(row.suspension_sessions)
		row.concern = _unmatched_concern(row)
	return [*sorted(missing, key=lambda row: -row.school_days_without), *suspended]


def _unmatched_concern(row) -> str:
	"""The flag's text: the sessions and weeks, and what to do."""
	weeks = (
		frappe.utils.formatdate(row.first_week)
		if row.first_week == row.last_week
		else _("{0} to {1}").format(
			frappe.utils.formatdate(row.first_week), frappe.utils.formatdate(row.last_week)
		)
	)
	return _(
		"{0} suspension sessions in attendance returns (weeks of {1}) with no Exclusion recorded: ask the school to notify it."
	).format(int(row.suspension_sessions), weeks)
