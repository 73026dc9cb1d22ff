# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""PP+ impact reports schools have not sent: how late (in school days), how much funding, escalation level."""

from datetime import date

import frappe
from frappe import _
from frappe.query_builder.functions import Count, Sum
from frappe.utils import getdate, today

from virtual_school.calendar.clocks import get_school_calendar
from virtual_school.domain import school_days
from virtual_school.domain.school_days import DayKind
from virtual_school.pp_plus.vocabulary import IMPACT_DONE_STATES


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	data = get_data(filters, getdate(filters.get("on_date") or today()))
	return get_columns(), data


def get_columns() -> list[dict]:
	return [
		{
			"label": _("Impact Report"),
			"fieldname": "report",
			"fieldtype": "Link",
			"options": "PP Plus Impact Report",
			"width": 120,
		},
		{"label": _("School"), "fieldname": "school", "fieldtype": "Link", "options": "School", "width": 100},
		{"label": _("School Name"), "fieldname": "school_name", "fieldtype": "Data", "width": 220},
		{"label": _("Funding Year"), "fieldname": "funding_year", "fieldtype": "Data", "width": 100},
		{"label": _("Term"), "fieldname": "term", "fieldtype": "Data", "width": 90},
		{"label": _("Due"), "fieldname": "due_date", "fieldtype": "Date", "width": 100},
		{"label": _("School Days Overdue"), "fieldname": "days_overdue", "fieldtype": "Int", "width": 110},
		{"label": _("Claims"), "fieldname": "claims", "fieldtype": "Int", "width": 80},
		{
			"label": _("Funding"),
			"fieldname": "funding",
			"fieldtype": "Currency",
			"options": "GBP",
			"width": 110,
		},
		{"label": _("Reminded On"), "fieldname": "reminded_on", "fieldtype": "Date", "width": 100},
		{"label": _("Escalation Level"), "fieldname": "escalation_level", "fieldtype": "Int", "width": 90},
	]


def get_data(filters: frappe._dict, on_date: date) -> list[dict]:
	report = frappe.qb.DocType("PP Plus Impact Report")
	row = frappe.qb.DocType("PP Plus Impact Row")
	query = (
		frappe.qb.from_(report)
		.left_join(row)
		.on((row.parent == report.name) & (row.parenttype == "PP Plus Impact Report"))
		.select(
			report.name.as_("report"),
			report.school,
			report.school_name,
			report.funding_year,
			report.term,
			report.due_date,
			report.reminded_on,
			report.escalation_level,
			Count(row.name).as_("claims"),
			Sum(row.amount).as_("funding"),
		)
		.where(report.workflow_state.notin(IMPACT_DONE_STATES) & (report.due_date < on_date))
		.groupby(report.name)
	)
	if filters.get("funding_year"):
		query = query.where(report.funding_year == filters.funding_year)
	rows = query.run(as_dict=True)
	calendar = get_school_calendar()
	for entry in rows:
		entry.days_overdue = school_days.count_days(
			getdate(entry.due_date), on_date, DayKind.SCHOOL, calendar
		)
	rows.sort(key=lambda entry: (-entry.days_overdue, entry.school_name))
	return rows
