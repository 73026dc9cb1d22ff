# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""Looked-after children placed out of authority, by the authority they live in (issue #23 item 6).

A child counts when looked after on the report date (``children.vocabulary.looked_after_on``) and placed out
of authority (``Child.out_of_authority``, derived on save from ``resident_la``, or a last placement outside
England); the host authority is ``Child.resident_la``. "Without a school place" is the one definition
(``children.vocabulary.without_a_school_place``, as *Children Without a School Place* counts it); "with a
school place" is a current school recorded. PEPs are those due in the academic year for these children, and
on time is the statutory test (``peps.vocabulary.held_on_time``), the headline of *PEP Compliance*. A
caseworker sees their caseload (``reports.caseload``)."""

import frappe
from frappe import _
from frappe.query_builder import Case, DocType
from frappe.query_builder.functions import Coalesce, Count, Max, Sum

from virtual_school.children.vocabulary import looked_after_on, without_a_school_place
from virtual_school.peps.vocabulary import held_on_time
from virtual_school.reports import caseload
from virtual_school.reports.filters import academic_year_bounds, on_date


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	start, end = academic_year_bounds(filters)
	data = get_data(start, end, on_date(filters))
	return get_columns(), data, None, get_chart(data)


def get_columns() -> list[dict]:
	return [
		{
			"label": _("Host Authority"),
			"fieldname": "host_authority",
			"fieldtype": "Link",
			"options": "Local Authority",
			"width": 110,
		},
		{"label": _("Authority Name"), "fieldname": "host_authority_name", "fieldtype": "Data", "width": 200},
		{"label": _("Children"), "fieldname": "children", "fieldtype": "Int", "width": 80},
		{"label": _("With a School Place"), "fieldname": "with_place", "fieldtype": "Int", "width": 130},
		{
			"label": _("Without a School Place"),
			"fieldname": "without_place",
			"fieldtype": "Int",
			"width": 150,
		},
		{"label": _("PEPs Due"), "fieldname": "peps_due", "fieldtype": "Int", "width": 90},
		{"label": _("Meeting on Time"), "fieldname": "held_on_time", "fieldtype": "Int", "width": 110},
		{"label": _("On Time %"), "fieldname": "on_time_percent", "fieldtype": "Percent", "width": 90},
	]


def counted(criterion):
	"""qb term: 1 where the criterion holds, else 0 (to sum)."""
	return Case().when(criterion, 1).else_(0)


def get_data(start, end, day) -> list[dict]:
	"""One grouped query: the children by host authority, each joined to their PEPs due in the year
	(counted per child in a derived table, so a child with three PEPs is still one child)."""
	child = DocType("Child")
	pep = DocType("Personal Education Plan")
	authority = DocType("Local Authority")
	peps = (
		frappe.qb.from_(pep)
		.select(pep.child, Count("*").as_("due"), Sum(counted(held_on_time(pep))).as_("held_on_time"))
		.where(pep.due_date[start:end])
		.groupby(pep.child)
	).as_("peps")
	criterion = (child.out_of_authority == 1) & looked_after_on(child, day)
	in_caseload = caseload.scope(child)
	if in_caseload is not None:
		criterion = criterion & in_caseload
	rows = (
		frappe.qb.from_(child)
		.left_join(authority)
		.on(authority.name == child.resident_la)
		.left_join(peps)
		.on(peps.child == child.name)
		.select(
			child.resident_la.as_("host_authority"),
			Max(authority.la_name).as_("host_authority_name"),
			Count(child.name).as_("children"),
			Sum(counted(Coalesce(child.current_school, "") != "")).as_("with_place"),
			Sum(counted(without_a_school_place(child))).as_("without_place"),
			Sum(Coalesce(peps.due, 0)).as_("peps_due"),
			Sum(Coalesce(peps.held_on_time, 0)).as_("held_on_time"),
		)
		.where(criterion)
		.groupby(child.resident_la)
		.run(as_dict=True)
	)
	for row in rows:
		for field in ("children", "with_place", "without_place", "peps_due", "held_on_time"):
			row[field] = int(row[field] or 0)
		row.host_authority = row.host_authority or None
		row.host_authority_name = row.host_authority_name or row.host_authority or _("Not recorded")
		row.on_time_percent = round(100 * row.held_on_time / row.peps_due, 1) if row.peps_due else 0
	rows.sort(key=lambda row: (-row.children, row.host_authority_name))
	return rows


def get_chart(data: list[dict]) -> dict | None:
	top = data[:10]
	if not top:
		return None
	return {
		"data": {
			"labels": [row.host_authority_name for row in top],
			"datasets": [
				{"name": _("With a school place"), "values": [row.with_place for row in top]},
				{"name": _("Without a school place"), "values": [row.without_place for row in top]},
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
		"colors": ["#2563eb", "#dc2626"],
	}
