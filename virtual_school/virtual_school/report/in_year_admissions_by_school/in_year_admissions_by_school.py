# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""The school inclusion profile: in-year requests, offers, refusals, answers within the 10-school-day aim and
late ones (over 15 school days), time to place, directions per school.

Two grouped queries (approaches by school; placed requests by school) and Python only for the median.
"""

from collections import defaultdict
from datetime import timedelta
from statistics import median

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, Sum
from frappe.utils import getdate

from virtual_school.admissions.vocabulary import AWAITING, PLACED, WITHDRAWN
from virtual_school.calendar.clocks import get_school_calendar
from virtual_school.domain import school_days
from virtual_school.domain.in_year_outcome import (
	AIM_SCHOOL_DAYS,
	OUTCOME_SCHOOL_DAYS,
	OutcomeStatus,
	in_year_outcome_clock,
	is_late,
	outcome_status,
)
from virtual_school.domain.school_days import DayKind
from virtual_school.reports.filters import date_range


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	validate_filters(filters)
	data = get_data(filters)
	return get_columns(), data, None, get_chart(data)


def validate_filters(filters: frappe._dict) -> None:
	date_range(filters)


def get_columns() -> list[dict]:
	return [
		{"label": _("School"), "fieldname": "school", "fieldtype": "Link", "options": "School", "width": 90},
		{"label": _("School Name"), "fieldname": "school_name", "fieldtype": "Data", "width": 220},
		{"label": _("Admissions Route"), "fieldname": "admissions_route", "fieldtype": "Data", "width": 160},
		{"label": _("Requests"), "fieldname": "requests", "fieldtype": "Int", "width": 90},
		{"label": _("Offers"), "fieldname": "offers", "fieldtype": "Int", "width": 80},
		{"label": _("Refusals"), "fieldname": "refusals", "fieldtype": "Int", "width": 80},
		{"label": _("Refusal Rate %"), "fieldname": "refusal_rate", "fieldtype": "Percent", "width": 100},
		{"label": _("Awaiting"), "fieldname": "awaiting", "fieldtype": "Int", "width": 80},
		{
			"label": _("Answered Within the {0}-School-Day Aim").format(AIM_SCHOOL_DAYS),
			"fieldname": "within_aim",
			"fieldtype": "Int",
			"width": 120,
		},
		{
			"label": _("Late (over {0} School Days)").format(OUTCOME_SCHOOL_DAYS),
			"fieldname": "late_answers",
			"fieldtype": "Int",
			"width": 110,
		},
		{"label": _("Placed"), "fieldname": "placed", "fieldtype": "Int", "width": 80},
		{
			"label": _("Median School Days to Place"),
			"fieldname": "median_days_to_place",
			"fieldtype": "Float",
			"precision": 1,
			"width": 120,
		},
		{"label": _("Directions"), "fieldname": "directions", "fieldtype": "Int", "width": 90},
		{
			"label": _("Referred to Secretary of State"),
			"fieldname": "referrals",
			"fieldtype": "Int",
			"width": 110,
		},
	]


def get_data(filters: frappe._dict) -> list[dict]:
	approach = frappe.qb.DocType("School Place Approach")
	request = frappe.qb.DocType("School Place Request")
	school = frappe.qb.DocType("School")

	def responses(value: str):
		return Sum(Case().when(approach.response == value, 1).else_(0))

	query = (
		frappe.qb.from_(approach)
		.join(request)
		.on((approach.parent == request.name) & (approach.parenttype == "School Place Request"))
		.join(school)
		.on(school.name == approach.school)
		.select(
			approach.school,
			school.school_name,
			school.admissions_route,
			Count(approach.name).as_("requests"),
			responses("Offered").as_("offers"),
			responses("Refused").as_("refusals"),
			responses("Awaiting").as_("awaiting"),
		)
		.where(
			(approach.date_asked >= filters.from_date)
			& (approach.date_asked <= filters.to_date)
			& (request.workflow_state != WITHDRAWN)
		)
		.groupby(approach.school, school.school_name, school.admissions_route)
	)
	if filters.get("admissions_route"):
		query = query.where(school.admissions_route == filters.admissions_route)
	if filters.get("la"):
		query = query.where(school.la == filters.la)
	rows = query.run(as_dict=True)

	outcomes = placement_outcomes(filters)
	timeliness = answer_timeliness(filters)
	for row in rows:
		outcome = outcomes.get(row.school, {})
		row.within_aim, row.late_answers = timeliness.get(row.school, (0, 0))
		row.refusal_rate = round(100 * row.refusals / row.requests, 1) if row.requests else 0
		row.placed = len(outcome.get("days", []))
		row.median_days_to_place = median(outcome["days"]) if outcome.get("days") else None
		row.directions = outcome.get("directions", 0)
		row.referrals = outcome.get("referrals", 0)
	rows.sort(key=lambda row: (-row.refusals, -row.requests, row.school_name))
	return rows


def answer_timeliness(filters: frappe._dict) -> dict:
	"""Per school: answers given within the 10-school-day aim, and late ones (given after the 15th school
	day, or still awaited past it today), by ``domain.in_year_outcome`` (School Admissions Code 2021)."""
	approach = frappe.qb.DocType("School Place Approach")
	request = frappe.qb.DocType("School Place Request")
	rows = (
		frappe.qb.from_(approach)
		.join(request)
		.on((approach.parent == request.name) & (approach.parenttype == "School Place Request"))
		.select(approach.school, approach.date_asked, approach.response, approach.response_date)
		.where(
			(approach.date_asked >= filters.from_date)
			& (approach.date_asked <= filters.to_date)
			& (request.workflow_state != WITHDRAWN)
		)
		.run(as_dict=True)
	)
	calendar = get_school_calendar()
	on_date = getdate()
	counts: dict = defaultdict(lambda: [0, 0])
	for row in rows:
		clock = in_year_outcome_clock(getdate(row.date_asked), calendar)
		given = getdate(row.response_date) if row.response != AWAITING and row.response_date else None
		status = outcome_status(clock, given, on_date)
		counts[row.school][0] += status is OutcomeStatus.GIVEN_WITHIN_AIM
		counts[row.school][1] += is_late(clock, given, on_date)
	return {school: tuple(pair) for school, pair in counts.items()}


def placement_outcomes(filters: frappe._dict) -> dict:
	"""Per school: school days from asking to start for placed children, directions and referrals."""
	request = frappe.qb.DocType("School Place Request")
	approach = frappe.qb.DocType("School Place Approach")
	placed = (
		frappe.qb.from_(request)
		.join(approach)
		.on((approach.parent == request.name) & (approach.school == request.admitting_school))
		.select(request.admitting_school, approach.date_asked, request.start_date)
		.where(
			(request.workflow_state == PLACED)
			& (approach.date_asked >= filters.from_date)
			& (approach.date_asked <= filters.to_date)
		)
		.run(as_dict=True)
	)
	in_period = (filters.from_date, filters.to_date)
	escalated = (
		frappe.qb.from_(request)
		.select(
			request.refusing_school,
			Sum(Case().when(request.direction_notice_on.between(*in_period), 1).else_(0)).as_("directions"),
			Sum(Case().when(request.secretary_of_state_referred_on.between(*in_period), 1).else_(0)).as_(
				"referrals"
			),
		)
		.where(request.refusing_school.isnotnull())
		.groupby(request.refusing_school)
		.run(as_dict=True)
	)
	calendar = get_school_calendar()
	outcomes: dict = defaultdict(lambda: {"days": [], "directions": 0, "referrals": 0})
	for row in placed:
		start = getdate(row.start_date)
		asked = getdate(row.date_asked)
		days = (
			school_days.count_days(asked, start - timedelta(days=1), DayKind.SCHOOL, calendar)
			if start > asked
			else 0
		)
		outcomes[row.admitting_school]["days"].append(days)
	for row in escalated:
		outcomes[row.refusing_school]["directions"] += int(row.directions or 0)
		outcomes[row.refusing_school]["referrals"] += int(row.referrals or 0)
	return outcomes


def get_chart(data: list[dict]) -> dict | None:
	top = [row for row in data if row.refusals][:10]
	if not top:
		return None
	return {
		"data": {
			"labels": [row.school_name for row in top],
			"datasets": [
				{"name": _("Refusals"), "values": [row.refusals for row in top]},
				{"name": _("Offers"), "values": [row.offers for row in top]},
			],
		},
		"type": "bar",
		"colors": ["#dc2626", "#16a34a"],
	}
