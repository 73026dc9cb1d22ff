# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""Each caseworker's caseload at a glance (issue #23 item 6): active children, PEPs due within the next ten
school days or overdue, children without a school place and open escalations on their children.

Children are grouped by ``Child.caseworker``. "Without a school place" is the one definition the workspace
card and *Children Without a School Place* count (``admissions.without_a_place``:
``children.vocabulary.looked_after_without_a_school_place``). A PEP counts until approved (``DONE_STATES``).
A caseworker sees only their own row: the caseload criterion (``reports.caseload``) narrowed to the children
they hold, since a child shared with them is counted on its own caseworker's row, which is not theirs."""

import frappe
from frappe import _
from frappe.query_builder import Case, DocType
from frappe.query_builder.functions import Coalesce, Count, Max, Sum

from virtual_school.calendar import clocks
from virtual_school.children.vocabulary import ACTIVE, looked_after_without_a_school_place
from virtual_school.domain.school_days import DayKind
from virtual_school.escalations.vocabulary import OPEN
from virtual_school.peps.vocabulary import DONE_STATES
from virtual_school.reports import caseload
from virtual_school.reports.filters import on_date

DUE_WITHIN_SCHOOL_DAYS = 10
COUNTS = ("children", "without_place", "peps_due_soon", "peps_overdue", "escalations", "escalated_above_1")


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	data = get_data(on_date(filters))
	return get_columns(), data, None, get_chart(data)


def get_columns() -> list[dict]:
	return [
		{
			"label": _("Caseworker"),
			"fieldname": "caseworker",
			"fieldtype": "Link",
			"options": "User",
			"width": 200,
		},
		{"label": _("Name"), "fieldname": "caseworker_name", "fieldtype": "Data", "width": 170},
		{"label": _("Active Children"), "fieldname": "children", "fieldtype": "Int", "width": 110},
		{
			"label": _("Without a School Place"),
			"fieldname": "without_place",
			"fieldtype": "Int",
			"width": 150,
		},
		{
			"label": _("PEPs Due in {0} School Days").format(DUE_WITHIN_SCHOOL_DAYS),
			"fieldname": "peps_due_soon",
			"fieldtype": "Int",
			"width": 170,
		},
		{"label": _("PEPs Overdue"), "fieldname": "peps_overdue", "fieldtype": "Int", "width": 110},
		{"label": _("Open Escalations"), "fieldname": "escalations", "fieldtype": "Int", "width": 120},
		{
			"label": _("Escalated Above Level 1"),
			"fieldname": "escalated_above_1",
			"fieldtype": "Int",
			"width": 160,
		},
	]


def counted(criterion):
	"""qb term: 1 where the criterion holds, else 0 (to sum)."""
	return Case().when(criterion, 1).else_(0)


def children_criterion(child):
	"""The active children whose rows the user may see (a caseworker: the children they hold)."""
	criterion = child.status == ACTIVE
	in_caseload = caseload.scope(child)
	if in_caseload is not None:
		criterion = criterion & in_caseload & (child.caseworker == frappe.session.user)
	return criterion


def due_horizon(day):
	"""The last day of the next ten school days (working days where the school calendar ends sooner)."""
	try:
		return clocks.add_days(day, DUE_WITHIN_SCHOOL_DAYS, DayKind.SCHOOL)
	except ValueError:
		return clocks.add_days(day, DUE_WITHIN_SCHOOL_DAYS, DayKind.WORKING)


def get_data(day) -> list[dict]:
	"""Three grouped queries (children, open PEPs, open escalations), each by the child's caseworker."""
	child = DocType("Child")
	pep = DocType("Personal Education Plan")
	escalation = DocType("Escalation")
	criterion = children_criterion(child)
	horizon = due_horizon(day)
	found = (
		frappe.qb.from_(child)
		.select(
			child.caseworker,
			Max(child.caseworker_name).as_("caseworker_name"),
			Count(child.name).as_("children"),
			Sum(counted(looked_after_without_a_school_place(child, day))).as_("without_place"),
		)
		.where(criterion)
		.groupby(child.caseworker)
		.run(as_dict=True)
	)
	found += (
		frappe.qb.from_(pep)
		.join(child)
		.on(child.name == pep.child)
		.select(
			child.caseworker,
			Sum(counted(pep.due_date >= day)).as_("peps_due_soon"),
			Sum(counted(pep.due_date < day)).as_("peps_overdue"),
		)
		.where(criterion & (pep.due_date <= horizon) & Coalesce(pep.workflow_state, "").notin(DONE_STATES))
		.groupby(child.caseworker)
		.run(as_dict=True)
	)
	found += (
		frappe.qb.from_(escalation)
		.join(child)
		.on(child.name == escalation.child)
		.select(
			child.caseworker,
			Count(escalation.name).as_("escalations"),
			Sum(counted(escalation.level > 1)).as_("escalated_above_1"),
		)
		.where(criterion & (escalation.status == OPEN))
		.groupby(child.caseworker)
		.run(as_dict=True)
	)
	rows: dict = {}
	for part in found:  # no caseworker (null) and an empty one are one row
		key = part.caseworker or ""
		row = rows.setdefault(key, frappe._dict({field: 0 for field in COUNTS}, caseworker=part.caseworker))
		for field in COUNTS:
			row[field] += int(part.get(field) or 0)
		row.caseworker_name = row.get("caseworker_name") or part.get("caseworker_name")
	for row in rows.values():
		row.caseworker = row.caseworker or None
		row.caseworker_name = row.caseworker_name or row.caseworker or _("Not set")
	return sorted(
		rows.values(), key=lambda row: (-(row.peps_overdue + row.without_place), row.caseworker_name)
	)


def get_chart(data: list[dict]) -> dict | None:
	top = data[:15]
	if not top:
		return None
	return {
		"data": {
			"labels": [row.caseworker_name for row in top],
			"datasets": [{"name": _("Active children"), "values": [row.children for row in top]}],
		},
		"type": "bar",
		"colors": ["#2563eb"],
	}
