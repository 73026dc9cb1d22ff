# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""PEP timeliness and quality by school or caseworker for an academic year (a caseworker: their caseload).

On time is shown two ways (issue #18): the meeting held by the due date, the statutory test and the headline
"On Time %" (``peps.vocabulary.held_on_time``, QA may follow), and approved by the due date
(``completed_on_time``). A child looked after on the report date with no PEP due in the year is counted too
("No PEP"; "No PEP, Missed" when their obligation has a missed date, ``peps.services.obligations``): each owes
a PEP, so the headline On Time % is over the PEPs due and these children. The other columns count PEP
records (the benchmark's floor query times them)."""

import frappe
from frappe import _
from frappe.query_builder import DocType
from pypika import Table
from pypika.terms import ExistsCriterion

from virtual_school.children.vocabulary import to_sql
from virtual_school.peps import services
from virtual_school.peps.vocabulary import DONE_STATES, completed_on_time, held_on_time
from virtual_school.reports import caseload
from virtual_school.reports.filters import academic_year_bounds, on_date

QA_COLOURS = {"Green": "#16a34a", "Amber": "#d97706", "Red": "#dc2626"}
QA_RATINGS = tuple(QA_COLOURS)
PEP = Table("tabPersonal Education Plan").as_("pep")  # a plain table: DocType() needs a site at import time


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	start, end = academic_year_bounds(filters)
	group_field = "caseworker" if filters.get("group_by") == "Caseworker" else "school"
	data = get_data(start, end, group_field, on_date(filters))
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
		{"label": _("Meeting on Time"), "fieldname": "held_on_time", "fieldtype": "Int", "width": 110},
		{"label": _("On Time %"), "fieldname": "on_time_percent", "fieldtype": "Percent", "width": 90},
		{"label": _("Approved on Time"), "fieldname": "on_time", "fieldtype": "Int", "width": 110},
		{
			"label": _("Approved on Time %"),
			"fieldname": "approved_percent",
			"fieldtype": "Percent",
			"width": 90,
		},
		{"label": _("Overdue"), "fieldname": "overdue", "fieldtype": "Int", "width": 80},
		{"label": _("No PEP"), "fieldname": "no_pep", "fieldtype": "Int", "width": 80},
		{"label": _("No PEP, Missed"), "fieldname": "no_pep_missed", "fieldtype": "Int", "width": 110},
		{"label": _("QA Green"), "fieldname": "green", "fieldtype": "Int", "width": 80},
		{"label": _("QA Amber"), "fieldname": "amber", "fieldtype": "Int", "width": 80},
		{"label": _("QA Red"), "fieldname": "red", "fieldtype": "Int", "width": 80},
	]


def get_data(start, end, group_field: str, day) -> list[dict]:
	"""One grouped query, on a caseworker's caseload only (``reports.caseload``). Loading the year's PEPs
	to count them in Python took ~1.2 s at national scale (141,000 PEPs, docs/benchmarks.md)."""
	values = {"start": start, "end": end, "on_date": day, "done": DONE_STATES}
	conditions = ["pep.due_date between %(start)s and %(end)s"]
	in_caseload = caseload.scope_child_link(PEP.child)
	if in_caseload is not None:
		sql, parameters = caseload.as_sql(in_caseload)
		conditions.append(sql)
		values.update(parameters)
	ratings = ", ".join(
		f"sum(pep.qa_rating = {frappe.db.escape(rating)}) as {rating.lower()}" for rating in QA_RATINGS
	)
	# the school's name from the School (a PEP's copied name may be missing or out of date: issue #21)
	name = "max(coalesce(school.school_name, pep.school_name))" if group_field == "school" else "null"
	found = frappe.db.sql(
		f"""select pep.{group_field} as `group`, {name} as group_name, count(*) as due,
			sum({to_sql(completed_on_time(PEP))}) as on_time,
			sum({to_sql(held_on_time(PEP))}) as held_on_time,
			sum(coalesce(pep.workflow_state, '') not in %(done)s and pep.due_date < %(on_date)s) as overdue,
			{ratings}
		from `tabPersonal Education Plan` pep left join `tabSchool` school on school.name = pep.school
		where {" and ".join(conditions)}
		group by pep.{group_field} order by null""",
		values,
		as_dict=True,
	)
	found += children_without_pep(start, end, group_field, day)
	counts = ("due", "on_time", "held_on_time", "no_pep", "no_pep_missed", "overdue", "green", "amber", "red")
	groups: dict = {}
	for row in found:  # no school (null) and an empty one are one group
		key = row.group or ""
		if key not in groups:
			groups[key] = row.update({field: int(row.get(field) or 0) for field in counts})
			continue
		for field in counts:
			groups[key][field] += int(row.get(field) or 0)
		groups[key].group_name = groups[key].group_name or row.group_name
	rows = list(groups.values())
	for row in rows:
		row.group = row.group or None
		# the PEPs and children with no school (or no caseworker) are one row, named for what is missing
		missing = _("No school") if group_field == "school" else _("No caseworker")
		row.group_name = (row.group_name if group_field == "school" else row.group) or missing
		owed = row.due + row.no_pep
		row.on_time_percent = round(100 * row.held_on_time / owed, 1) if owed else 0
		row.approved_percent = round(100 * row.on_time / owed, 1) if owed else 0
	rows.sort(key=lambda row: (-(row.overdue + row.no_pep_missed), row.group_name))
	return rows


def children_without_pep(start, end, group_field: str, day) -> list[frappe._dict]:
	"""One row per child looked after on ``day`` (on the caseload) with no PEP due in the year (missed if
	the child's obligation has a missed date), grouped by their current school or caseworker as PEPs are.
	The children are found in SQL (``not exists`` a PEP due in the year); the pure obligation rule then runs
	only for them, on the calendar's term ends found once (``SchoolCalendar.last_school_days``)."""

	def without_pep_in_year(child):
		pep = frappe.qb.DocType("Personal Education Plan")
		due_in_year = (
			frappe.qb.from_(pep).select(pep.name).where((pep.child == child.name) & pep.due_date[start:end])
		)
		criterion = ~ExistsCriterion(due_in_year)
		in_caseload = caseload.scope(child)
		return criterion if in_caseload is None else criterion & in_caseload

	without = services.looked_after_children(day, scope=without_pep_in_year)
	found = services.obligations(without, day)
	return [
		frappe._dict(
			group=row.current_school if group_field == "school" else row.caseworker,
			group_name=row.current_school_name if group_field == "school" else None,
			no_pep=1,
			no_pep_missed=int(bool(found[row.name].missed)),
		)
		for row in without
	]


def get_chart(data: list[dict]) -> dict | None:
	"""QA ratings as three bars, each in its own colour: frappe-charts colours a bar chart per dataset, so
	one dataset per rating, stacked, each with a value only in its own column (issue #21: a single dataset
	drew red and amber green)."""
	if not data:
		return None
	totals = [sum(row[rating.lower()] for row in data) for rating in QA_RATINGS]
	return {
		"data": {
			"labels": [_(rating) for rating in QA_RATINGS],
			"datasets": [
				{
					"name": _(rating),
					"values": [total if column == index else 0 for column, total in enumerate(totals)],
				}
				for index, rating in enumerate(QA_RATINGS)
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
		"colors": list(QA_COLOURS.values()),
	}
