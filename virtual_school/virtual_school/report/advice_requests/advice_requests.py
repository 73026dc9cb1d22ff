# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""Advice Requests (the virtual school's advice duty for previously looked-after children, children with a
social worker and kinship care) by topic and month of the request, with a column per cohort (issue #23
item 6). A caseworker sees what the Advice Request list shows them (``permissions.advice_request_*``):
advice about no particular child, and advice about a child on their caseload (``reports.caseload``)."""

from datetime import date

import frappe
from frappe import _
from frappe.query_builder import Case, DocType
from frappe.query_builder.functions import Count, Extract, Sum
from frappe.utils import formatdate
from pypika.enums import DatePart

from virtual_school.children.vocabulary import COHORTS
from virtual_school.reports import caseload
from virtual_school.reports.filters import date_range

OPEN = "Open"  # Advice Request.status options (advice_request.json): Open, Advised, Closed
COHORT_FIELDS = {cohort: frappe.scrub(cohort) for cohort in COHORTS}
COUNTS = (*COHORT_FIELDS.values(), "requests", "still_open")


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	start, end = date_range(filters)
	data = get_data(start, end)
	return get_columns(), data, None, get_chart(data)


def get_columns() -> list[dict]:
	return [
		{"label": _("Topic"), "fieldname": "topic", "fieldtype": "Data", "width": 180},
		{"label": _("Month"), "fieldname": "month", "fieldtype": "Data", "width": 100},
		*(
			{"label": _(cohort), "fieldname": fieldname, "fieldtype": "Int", "width": 150}
			for cohort, fieldname in COHORT_FIELDS.items()
		),
		{"label": _("Requests"), "fieldname": "requests", "fieldtype": "Int", "width": 90},
		{"label": _("Still Open"), "fieldname": "still_open", "fieldtype": "Int", "width": 90},
	]


def counted(criterion):
	"""qb term: 1 where the criterion holds, else 0 (to sum)."""
	return Case().when(criterion, 1).else_(0)


def get_data(start, end) -> list[dict]:
	"""One grouped query by topic, year and month of ``requested_on``."""
	advice = DocType("Advice Request")
	criterion = advice.requested_on[start:end]
	about_caseload = caseload.scope_child_link(advice.child)
	if about_caseload is not None:
		criterion = criterion & (advice.child.isnull() | (advice.child == "") | about_caseload)
	year = Extract(DatePart.year, advice.requested_on)
	month = Extract(DatePart.month, advice.requested_on)
	rows = (
		frappe.qb.from_(advice)
		.select(
			advice.topic,
			year.as_("year"),
			month.as_("month_number"),
			*(Sum(counted(advice.cohort == cohort)).as_(field) for cohort, field in COHORT_FIELDS.items()),
			Count(advice.name).as_("requests"),
			Sum(counted(advice.status == OPEN)).as_("still_open"),
		)
		.where(criterion)
		.groupby(advice.topic, year, month)
		.run(as_dict=True)
	)
	for row in rows:
		row.update({field: int(row.get(field) or 0) for field in COUNTS})
		row.month_start = date(int(row.year), int(row.month_number), 1)
		row.month = formatdate(row.month_start, "MMM yyyy")
		row.topic = row.topic or _("Not recorded")
	rows.sort(key=lambda row: (row.month_start, row.topic))
	for row in rows:
		del row["year"], row["month_number"], row["month_start"]
	return rows


def get_chart(data: list[dict]) -> dict | None:
	"""Requests per month, stacked by cohort."""
	if not data:
		return None
	months: dict[str, dict] = {}
	for row in data:  # data are in month order
		totals = months.setdefault(row.month, dict.fromkeys(COHORT_FIELDS.values(), 0))
		for field in COHORT_FIELDS.values():
			totals[field] += row[field]
	return {
		"data": {
			"labels": list(months),
			"datasets": [
				{"name": _(cohort), "values": [totals[field] for totals in months.values()]}
				for cohort, field in COHORT_FIELDS.items()
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
	}
