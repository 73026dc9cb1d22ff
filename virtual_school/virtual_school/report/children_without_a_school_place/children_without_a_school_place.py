# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""Children in the cohort with no school place today, longest wait first, in school days.

Permission-aware: every read goes through ``frappe.get_list``, so a caseworker sees their caseload only.
"""

from datetime import date, timedelta

import frappe
from frappe import _
from frappe.utils import getdate, today

from virtual_school.clocks import get_school_calendar
from virtual_school.domain import school_days
from virtual_school.domain.school_days import DayKind

CLOSED_REQUEST_STATES = ("Placed", "Withdrawn")
NOT_OF_SCHOOL_AGE = ("Early years", "Post-18")
BUCKETS = ((5, "0-5"), (10, "6-10"), (20, "11-20"), (40, "21-40"), (None, "over 40"))


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	data = get_data(filters)
	return get_columns(), data, None, get_chart(data)


def get_columns() -> list[dict]:
	return [
		{"label": _("Child"), "fieldname": "child", "fieldtype": "Link", "options": "Child", "width": 110},
		{"label": _("Name"), "fieldname": "child_name", "fieldtype": "Data", "width": 160},
		{"label": _("Cohort"), "fieldname": "cohort", "fieldtype": "Data", "width": 130},
		{"label": _("Year Group"), "fieldname": "year_group", "fieldtype": "Data", "width": 100},
		{
			"label": _("Caseworker"),
			"fieldname": "caseworker",
			"fieldtype": "Link",
			"options": "User",
			"width": 170,
		},
		{"label": _("Out of Authority"), "fieldname": "out_of_authority", "fieldtype": "Check", "width": 80},
		{"label": _("Without a Place Since"), "fieldname": "since", "fieldtype": "Date", "width": 110},
		{
			"label": _("School Days Without a Place"),
			"fieldname": "days_without_place",
			"fieldtype": "Int",
			"width": 120,
		},
		{
			"label": _("Last School"),
			"fieldname": "last_school",
			"fieldtype": "Link",
			"options": "School",
			"width": 170,
		},
		{
			"label": _("Place Request"),
			"fieldname": "place_request",
			"fieldtype": "Link",
			"options": "School Place Request",
			"width": 110,
		},
		{"label": _("Request State"), "fieldname": "request_state", "fieldtype": "Data", "width": 150},
		{"label": _("Escalation Level"), "fieldname": "escalation_level", "fieldtype": "Int", "width": 90},
	]


def get_data(filters: frappe._dict) -> list[dict]:
	on_date = getdate(filters.get("on_date") or today())
	# Below Reception age or past 18 a child is not expected to have a school place.
	child_filters = {
		"status": "Active",
		"current_school": ["is", "not set"],
		"key_stage": ["not in", NOT_OF_SCHOOL_AGE],
	}
	for key in ("cohort", "caseworker"):
		if filters.get(key):
			child_filters[key] = filters[key]
	if filters.get("out_of_authority"):
		child_filters["out_of_authority"] = 1
	children = frappe.get_list(
		"Child",
		filters=child_filters,
		fields=[
			"name",
			"full_name",
			"cohort",
			"year_group",
			"caseworker",
			"out_of_authority",
			"date_entered_care",
			"creation",
		],
		limit_page_length=0,
	)
	if not children:
		return []
	names = [child.name for child in children]
	last_placements = latest_placements(names)
	open_requests = latest_open_requests(names)
	calendar = get_school_calendar()

	rows = []
	for child in children:
		placement = last_placements.get(child.name)
		request = open_requests.get(child.name)
		since = gap_start(child, placement, request)
		days = (
			school_days.count_days(since - timedelta(days=1), on_date, DayKind.SCHOOL, calendar)
			if since <= on_date
			else 0
		)
		if filters.get("min_days") and days < int(filters.min_days):
			continue
		rows.append(
			{
				"child": child.name,
				"child_name": child.full_name,
				"cohort": child.cohort,
				"year_group": child.year_group,
				"caseworker": child.caseworker,
				"out_of_authority": child.out_of_authority,
				"since": since,
				"days_without_place": days,
				"last_school": placement.school if placement else None,
				"place_request": request.name if request else None,
				"request_state": request.workflow_state if request else None,
				"escalation_level": request.escalation_level if request else 0,
			}
		)
	rows.sort(key=lambda row: (-row["days_without_place"], row["child_name"]))
	return rows


def latest_placements(children: list[str]) -> dict:
	"""Each child's most recently ended placement (permission-aware, one query)."""
	placements = frappe.get_list(
		"Education Placement",
		filters={"child": ["in", children], "end_date": ["is", "set"]},
		fields=["child", "school", "end_date"],
		order_by="end_date desc",
		limit_page_length=0,
	)
	latest = {}
	for placement in placements:
		latest.setdefault(placement.child, placement)
	return latest


def latest_open_requests(children: list[str]) -> dict:
	requests = frappe.get_list(
		"School Place Request",
		filters={"child": ["in", children], "workflow_state": ["not in", CLOSED_REQUEST_STATES]},
		fields=["name", "child", "workflow_state", "escalation_level", "date_needed"],
		order_by="creation desc",
		limit_page_length=0,
	)
	latest = {}
	for request in requests:
		latest.setdefault(request.child, request)
	return latest


def gap_start(child, placement, request) -> date:
	"""The first day without a place: after the last placement ended, else when the need began."""
	if placement:
		return getdate(placement.end_date) + timedelta(days=1)
	candidates = [
		getdate(value) for value in (request and request.date_needed, child.date_entered_care) if value
	]
	return min(candidates) if candidates else getdate(child.creation)


def get_chart(data: list[dict]) -> dict | None:
	if not data:
		return None
	counts = dict.fromkeys((label for _limit, label in BUCKETS), 0)
	for row in data:
		for limit, label in BUCKETS:
			if limit is None or row["days_without_place"] <= limit:
				counts[label] += 1
				break
	return {
		"data": {
			"labels": [_("{0} school days").format(label) for label in counts],
			"datasets": [{"name": _("Children"), "values": list(counts.values())}],
		},
		"type": "bar",
		"colors": ["#dc2626"],
	}
