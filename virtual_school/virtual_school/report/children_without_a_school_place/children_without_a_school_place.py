# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""Children in the cohort with no school place today, longest wait first, in school days.

"Without a school place" is the one definition the workspace card and the annual report count too
(``children.vocabulary.without_a_school_place``, issue #21); the cohort filter "Looked After" means looked
after on the report's date (``children.vocabulary.in_cohort_on``), so a child who left care or turned 18 is
not listed. Days are counted from the child's Reception year at the earliest
(``admissions.without_a_place.school_days_without_a_place``).

Caseload-aware: a caseworker sees their caseload only (``reports.caseload``); placements and requests are
read for those children alone. Rows past the place target (Virtual School Settings) are flagged for the
report's formatter, so the threshold is read in one place.
"""

import frappe
from frappe import _
from frappe.query_builder import DocType
from pypika import Table

from virtual_school.admissions.vocabulary import CLOSED_STATES
from virtual_school.admissions.without_a_place import (
	first_day_without_a_place,
	school_days_without_a_place,
)
from virtual_school.calendar.clocks import get_school_calendar
from virtual_school.children.vocabulary import COHORTS, in_cohort_on, to_sql, without_a_school_place
from virtual_school.reports import caseload
from virtual_school.reports.filters import on_date
from virtual_school.shared import settings

CHILD = Table("tabChild").as_("c")  # a plain table: DocType() needs a site at import time
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
		{
			# CPPCR 2010 reg 10 not shown on the child's care placement move: a warning, never a block
			"label": _("Reg 10 Warning"),
			"fieldname": "reg10_warning",
			"fieldtype": "Check",
			"width": 90,
		},
	]


def get_data(filters: frappe._dict) -> list[dict]:
	day = on_date(filters)
	rows = children_without_a_place(filters)
	if not rows:
		return []
	calendar = get_school_calendar()
	min_days = int(filters.get("min_days") or 0)
	target = settings.get().place_target_school_days
	counted = []
	for row in rows:
		date_of_birth = row.pop("date_of_birth")
		row.days_without_place = school_days_without_a_place(row.since, date_of_birth, day, calendar)
		row.since = first_day_without_a_place(row.since, date_of_birth)
		# the formatter highlights these: the target is read here, not retyped in the report's JavaScript
		row.over_place_target = row.days_without_place > target
		if row.days_without_place >= min_days:
			counted.append(row)
	counted.sort(key=lambda row: (-row.days_without_place, row.child_name))
	return counted


def children_without_a_place(filters: frappe._dict) -> list[dict]:
	"""Children ``without_a_school_place`` (in the cohort on the report's date), each with their most recently ended
	placement, their latest open place request and the first day without a place: one query, under the
	user's caseload (``reports.caseload``), in the report's row shape.

	The first day without a place is the day after the last placement ended; with no ended placement, when
	the need began: the earlier of the open request's "needed from" and the date the child entered care,
	else the day the record was made.

	Placements and requests are read for those children only. Written as SQL rather than three ``get_list``
	calls because ``get_list`` turns "is not set" into ``ifnull(current_school, '') = ''``, which no index
	can seek (a full scan of every child at national scale), and fetching every ended placement to keep the latest in Python moved ~16,000 rows:
	the report took 4x its SQL floor (docs/benchmarks.md). The first day is worked out here too, so only
	the columns the report shows are read back (decoding rows was most of the report's own time).
	"""
	values = {"closed": CLOSED_STATES}
	# the one definition (constants only in the text); below Reception age or past 18 no place is expected
	conditions = [to_sql(without_a_school_place(CHILD))]
	in_caseload = caseload.scope(CHILD)
	if in_caseload is not None:
		sql, parameters = caseload.as_sql(in_caseload)
		conditions.append(sql)
		values.update(parameters)
	if filters.get("cohort"):
		if filters.cohort not in COHORTS:
			frappe.throw(
				_("Cohort must be one of {0}.").format(", ".join(COHORTS)), title=_("Invalid Filters")
			)
		# checked above, and the date is the code's: safe to write into the text
		conditions.append(to_sql(in_cohort_on(CHILD, filters.cohort, on_date(filters))))
	if filters.get("caseworker"):
		conditions.append("c.caseworker = %(caseworker)s")
		values["caseworker"] = filters.caseworker
	if filters.get("child"):  # one child: the Child form's case summary (children.summary)
		conditions.append("c.name = %(child)s")
		values["child"] = filters.child
	if filters.get("out_of_authority"):
		conditions.append("c.out_of_authority = 1")
	return frappe.db.sql(
		f"""with children as (
			select c.name, c.full_name, c.cohort, c.year_group, c.caseworker, c.out_of_authority,
				c.date_entered_care, c.date_of_birth, date(c.creation) as creation
			from `tabChild` c
			where {" and ".join(conditions)}
		)
		select children.name as child, children.full_name as child_name, children.cohort,
			children.date_of_birth, children.year_group, children.caseworker, children.out_of_authority,
			coalesce(
				date_add(placement.end_date, interval 1 day),
				least(
					coalesce(request.date_needed, children.date_entered_care),
					coalesce(children.date_entered_care, request.date_needed)
				),
				children.creation
			) as since,
			placement.school as last_school, request.name as place_request,
			request.workflow_state as request_state, coalesce(request.escalation_level, 0) as escalation_level,
			coalesce(request.reg10_satisfied, 1) = 0 as reg10_warning
		from children
		left join (
			select p.child, p.school, p.end_date,
				row_number() over (partition by p.child order by p.end_date desc, p.creation desc) as position
			from `tabEducation Placement` p join children on children.name = p.child
			where p.end_date is not null
		) placement on placement.child = children.name and placement.position = 1
		left join (
			select q.child, q.name, q.workflow_state, q.escalation_level, q.date_needed, q.reg10_satisfied,
				row_number() over (partition by q.child order by q.creation desc, q.name desc) as position
			from `tabSchool Place Request` q join children on children.name = q.child
			where q.workflow_state not in %(closed)s
		) request on request.child = children.name and request.position = 1""",
		values,
		as_dict=True,
	)


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
