# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""Attendance by cohort, school, year group or caseworker: attendance %, persistent and severe absence
(children missing 10% / 50% or more of their possible sessions over the period), unauthorised absence and
suspension sessions, with the week-by-week trend as a chart. Set-based: sessions are summed per child
first (the measures are per pupil), then per group. Caseworkers see their own caseload."""

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, Max, Sum

from virtual_school.domain import attendance as rules
from virtual_school.permissions import is_caseload_restricted
from virtual_school.virtual_school.report.filters import academic_year_bounds

GROUPS = {"Cohort": "cohort", "School": "school", "Year Group": "year_group", "Caseworker": "caseworker"}


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	academic_year_bounds(filters)
	filters.group_by = filters.get("group_by") or "Cohort"
	if filters.group_by not in GROUPS:
		frappe.throw(_("Group By must be one of {0}.").format(", ".join(GROUPS)), title=_("Invalid Filters"))
	data = get_data(filters)
	return get_columns(filters), data, None, get_chart(filters)


def get_columns(filters) -> list[dict]:
	group = {
		"Cohort": {"fieldtype": "Data"},
		"School": {"fieldtype": "Link", "options": "School"},
		"Year Group": {"fieldtype": "Data"},
		"Caseworker": {"fieldtype": "Link", "options": "User"},
	}[filters.group_by]
	columns = [{"label": _(filters.group_by), "fieldname": "group_key", "width": 170, **group}]
	if filters.group_by == "School":
		columns.append(
			{"label": _("School Name"), "fieldname": "group_name", "fieldtype": "Data", "width": 220}
		)
	return [
		*columns,
		{"label": _("Children"), "fieldname": "children", "fieldtype": "Int", "width": 90},
		{"label": _("Possible Sessions"), "fieldname": "possible", "fieldtype": "Int", "width": 120},
		{"label": _("Attendance %"), "fieldname": "attendance_percent", "fieldtype": "Percent", "width": 110},
		{"label": _("Persistently Absent"), "fieldname": "persistent", "fieldtype": "Int", "width": 130},
		{"label": _("Persistent %"), "fieldname": "persistent_percent", "fieldtype": "Percent", "width": 110},
		{"label": _("Severely Absent"), "fieldname": "severe", "fieldtype": "Int", "width": 120},
		{"label": _("Severe %"), "fieldname": "severe_percent", "fieldtype": "Percent", "width": 100},
		{
			"label": _("Unauthorised %"),
			"fieldname": "unauthorised_percent",
			"fieldtype": "Percent",
			"width": 120,
		},
		{"label": _("Suspension Sessions"), "fieldname": "suspended", "fieldtype": "Int", "width": 130},
	]


def _records(filters):
	"""Attendance Record joined to Child, narrowed by the filters and the caseload."""
	record = frappe.qb.DocType("Attendance Record")
	child = frappe.qb.DocType("Child")
	query = (
		frappe.qb.from_(record)
		.join(child)
		.on(child.name == record.child)
		.where(record.academic_year == filters.academic_year)
	)
	if filters.get("term"):
		query = query.where(record.term == filters.term)
	if filters.get("cohort"):
		query = query.where(child.cohort == filters.cohort)
	if filters.get("school"):
		query = query.where(record.school == filters.school)
	if is_caseload_restricted():
		share = frappe.qb.DocType("DocShare")
		shared = (
			frappe.qb.from_(share)
			.select(share.share_name)
			.where((share.share_doctype == "Child") & (share.user == frappe.session.user) & (share.read == 1))
		)
		query = query.where((child.caseworker == frappe.session.user) | child.name.isin(shared))
	return query, record, child


def get_data(filters) -> list[dict]:
	query, record, child = _records(filters)
	group_field = GROUPS[filters.group_by]
	group_column = record.school if group_field == "school" else child[group_field]
	per_child = (
		query.select(
			group_column.as_("group_key"),
			Max(record.school_name).as_("group_name"),
			record.child,
			Sum(record.possible_sessions).as_("possible"),
			Sum(record.sessions_attended).as_("attended"),
			Sum(record.unauthorised_absence).as_("unauthorised"),
			Sum(record.suspension_sessions).as_("suspended"),
		)
		.groupby(group_column, record.child)
		.as_("per_child")
	)
	missed = per_child.possible - per_child.attended

	def children_where(condition):
		return Sum(Case().when((per_child.possible > 0) & condition, 1).else_(0))

	rows = (
		frappe.qb.from_(per_child)
		.select(
			per_child.group_key,
			Max(per_child.group_name).as_("group_name"),
			Count(per_child.child).as_("children"),
			Sum(per_child.possible).as_("possible"),
			Sum(per_child.attended).as_("attended"),
			children_where(missed * 10 >= per_child.possible).as_("persistent"),
			children_where(missed * 2 >= per_child.possible).as_("severe"),
			Sum(per_child.unauthorised).as_("unauthorised"),
			Sum(per_child.suspended).as_("suspended"),
		)
		.groupby(per_child.group_key)
		.orderby(per_child.group_key)
		.run(as_dict=True)
	)
	for row in rows:
		possible, children = int(row.possible or 0), int(row.children or 0)
		row.attended, row.possible = int(row.attended or 0), possible
		row.persistent, row.severe = int(row.persistent or 0), int(row.severe or 0)
		row.unauthorised, row.suspended = int(row.unauthorised or 0), int(row.suspended or 0)
		row.attendance_percent = rules.attendance_percent(possible, row.attended)
		row.unauthorised_percent = rules.attendance_percent(possible, row.unauthorised)
		row.persistent_percent = round(100.0 * row.persistent / children, 1) if children else None
		row.severe_percent = round(100.0 * row.severe / children, 1) if children else None
		if group_field != "school":
			row.pop("group_name", None)
			row.group_key = row.group_key or _("Not set")
	return rows


def get_chart(filters) -> dict | None:
	"""Attendance % week by week over the filtered records."""
	query, record, _child = _records(filters)
	weeks = (
		query.select(
			record.week_starting,
			Sum(record.possible_sessions).as_("possible"),
			Sum(record.sessions_attended).as_("attended"),
		)
		.groupby(record.week_starting)
		.orderby(record.week_starting)
		.run(as_dict=True)
	)
	if not weeks:
		return None
	return {
		"data": {
			"labels": [frappe.utils.formatdate(week.week_starting, "dd MMM") for week in weeks],
			"datasets": [
				{
					"name": _("Attendance %"),
					"values": [
						rules.attendance_percent(int(week.possible or 0), int(week.attended or 0)) or 0
						for week in weeks
					],
				}
			],
		},
		"type": "line",
		"colors": ["#2490ef"],
		"axisOptions": {"xIsSeries": 1},
	}
