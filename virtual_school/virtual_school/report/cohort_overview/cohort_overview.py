# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""Strategic overview by cohort (children with a social worker and kinship children above all): counts,
school places by admissions route, children without a place, attendance, suspensions and exclusions
in the academic year (the Academic Year filter; empty: this year). The counts of children and places are
today's, by the cohort on that day (``children.vocabulary.cohort_on``): "Looked After" is looked after today,
so a child who left care or turned 18 is counted under "Left care"; "School Age Without a Place" is the one
``without_a_school_place`` the workspace card and the annual report count.
Aggregates only: no individual casework view of these cohorts."""

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, Sum
from frappe.utils import getdate, today

from virtual_school.children.vocabulary import ACTIVE, cohort_on, without_a_school_place
from virtual_school.domain import attendance as rules
from virtual_school.domain import school_days
from virtual_school.exclusions.vocabulary import PERMANENT, SUSPENSION
from virtual_school.reports.annual_report import attendance_by_cohort
from virtual_school.reports.filters import academic_year_bounds


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	start, end = academic_year_bounds(filters)
	data = get_data(start, end, filters.academic_year)
	return get_columns(), data, None, get_chart(data)


def get_columns() -> list[dict]:
	return [
		{"label": _("Cohort"), "fieldname": "cohort", "fieldtype": "Data", "width": 190},
		{"label": _("Children"), "fieldname": "children", "fieldtype": "Int", "width": 90},
		{"label": _("Maintained School"), "fieldname": "maintained", "fieldtype": "Int", "width": 120},
		{"label": _("Academy or Free School"), "fieldname": "academy", "fieldtype": "Int", "width": 140},
		{"label": _("Independent / Other"), "fieldname": "independent", "fieldtype": "Int", "width": 130},
		{
			"label": _("School Age Without a Place"),
			"fieldname": "without_place",
			"fieldtype": "Int",
			"width": 150,
		},
		{"label": _("With an EHC Plan"), "fieldname": "ehc_plans", "fieldtype": "Int", "width": 110},
		{
			"label": _("Attendance in the Year"),
			"fieldname": "attendance_percent",
			"fieldtype": "Percent",
			"width": 130,
		},
		{"label": _("Persistently Absent"), "fieldname": "persistent", "fieldtype": "Int", "width": 130},
		{"label": _("Severely Absent"), "fieldname": "severe", "fieldtype": "Int", "width": 120},
		{"label": _("Suspensions in the Year"), "fieldname": "suspensions", "fieldtype": "Int", "width": 130},
		{
			"label": _("Permanent Exclusions in the Year"),
			"fieldname": "permanent",
			"fieldtype": "Int",
			"width": 150,
		},
	]


def get_data(start, end, academic_year: str | None = None) -> list[dict]:
	child = frappe.qb.DocType("Child")
	school = frappe.qb.DocType("School")
	day = getdate(today())
	cohort = cohort_on(child, day)

	def count_when(condition):
		return Sum(Case().when(condition, 1).else_(0))

	rows = (
		frappe.qb.from_(child)
		.left_join(school)
		.on(school.name == child.current_school)
		.select(
			cohort.as_("cohort"),
			Count(child.name).as_("children"),
			count_when(school.admissions_route == "LA may direct").as_("maintained"),
			count_when(school.admissions_route == "Ask the Secretary of State").as_("academy"),
			count_when(school.admissions_route == "Independent / other").as_("independent"),
			count_when(without_a_school_place(child)).as_("without_place"),
			count_when(child.sen_provision == "EHC plan").as_("ehc_plans"),
		)
		.where(child.status == ACTIVE)
		.groupby(cohort)
		.run(as_dict=True)
	)
	exclusion = frappe.qb.DocType("Exclusion")
	exclusions = {
		row.cohort: row
		for row in frappe.qb.from_(exclusion)
		.select(
			exclusion.cohort,
			count_when(exclusion.exclusion_type == SUSPENSION).as_("suspensions"),
			count_when(exclusion.exclusion_type == PERMANENT).as_("permanent"),
		)
		.where(exclusion.start_date.between(start, end))
		.groupby(exclusion.cohort)
		.run(as_dict=True)
	}
	attendance = attendance_by_cohort(academic_year or school_days.academic_year_of(start), day)
	for row in rows:
		figures = attendance.get(row.cohort)
		row.attendance_percent = (
			rules.attendance_percent(figures["possible"], figures["attended"]) if figures else None
		)
		row.persistent = figures["persistent"] if figures else 0
		row.severe = figures["severe"] if figures else 0
		found = exclusions.get(row.cohort)
		row.suspensions = int(found.suspensions) if found else 0
		row.permanent = int(found.permanent) if found else 0
	return rows


def get_chart(data: list[dict]) -> dict | None:
	if not data:
		return None
	return {
		"data": {
			"labels": [_(row.cohort) for row in data],
			"datasets": [{"name": _("Children"), "values": [row.children for row in data]}],
		},
		"type": "bar",
	}
