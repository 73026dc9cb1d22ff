# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""Every child looked after on the report date, with their PEP obligation: the next PEP due, those missed, and
the current PEP and its state, or "No PEP" (issue #18). The obligation is the child's, computed by
``domain.pep_obligation`` through ``peps.services.obligations``, so a child nobody created a PEP for is listed
too. A caseworker sees their caseload (``reports.caseload``)."""

import frappe
from frappe import _
from frappe.utils import getdate

from virtual_school.peps import services
from virtual_school.peps.vocabulary import DONE_STATES, is_completed_on_time, is_held_on_time
from virtual_school.reports import caseload
from virtual_school.reports.filters import on_date

NO_PEP = "No PEP"


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	return get_columns(), get_data(on_date(filters))


def get_columns() -> list[dict]:
	return [
		{"label": _("Child"), "fieldname": "child", "fieldtype": "Link", "options": "Child", "width": 110},
		{"label": _("Name"), "fieldname": "child_name", "fieldtype": "Data", "width": 170},
		{
			"label": _("Caseworker"),
			"fieldname": "caseworker",
			"fieldtype": "Link",
			"options": "User",
			"width": 150,
		},
		{"label": _("School"), "fieldname": "school", "fieldtype": "Link", "options": "School", "width": 90},
		{"label": _("School Name"), "fieldname": "school_name", "fieldtype": "Data", "width": 170},
		{"label": _("Entered Care"), "fieldname": "date_entered_care", "fieldtype": "Date", "width": 100},
		{"label": _("Emergency"), "fieldname": "emergency_placement", "fieldtype": "Check", "width": 80},
		{"label": _("Next PEP Due"), "fieldname": "next_due", "fieldtype": "Date", "width": 110},
		{"label": _("Why"), "fieldname": "next_due_rule", "fieldtype": "Data", "width": 260},
		{"label": _("Missed"), "fieldname": "missed", "fieldtype": "Int", "width": 70},
		{"label": _("First Missed"), "fieldname": "first_missed", "fieldtype": "Date", "width": 100},
		{
			"label": _("Current PEP"),
			"fieldname": "pep",
			"fieldtype": "Link",
			"options": "Personal Education Plan",
			"width": 130,
		},
		{"label": _("PEP State"), "fieldname": "pep_state", "fieldtype": "Data", "width": 100},
		{"label": _("PEP Due"), "fieldname": "pep_due_date", "fieldtype": "Date", "width": 100},
		{"label": _("Meeting"), "fieldname": "meeting_date", "fieldtype": "Date", "width": 100},
		{"label": _("Meeting on Time"), "fieldname": "meeting_on_time", "fieldtype": "Check", "width": 90},
		{"label": _("Approved on Time"), "fieldname": "approved_on_time", "fieldtype": "Check", "width": 90},
	]


def current_peps(names: list[str]) -> dict[str, dict]:
	"""Per child, the PEP being worked on (not yet approved, earliest due first), else the latest approved."""
	pep = frappe.qb.DocType("Personal Education Plan")
	found: dict[str, dict] = {}
	for start in range(0, len(names), services.CHUNK):
		rows = (
			frappe.qb.from_(pep)
			.select(pep.name, pep.child, pep.workflow_state, pep.due_date, pep.meeting_date, pep.completed_on)
			.where(pep.child.isin(names[start : start + services.CHUNK]))
			.run(as_dict=True)
		)
		for row in rows:
			row.open = row.workflow_state not in DONE_STATES
			due = getdate(row.due_date) if row.due_date else None
			# open first, earliest due; then approved, latest due (dates ordered as ordinals)
			row.rank = (
				(0, due.toordinal() if due else 0) if row.open else (1, -(due.toordinal() if due else 0))
			)
			if row.child not in found or row.rank < found[row.child].rank:
				found[row.child] = row
	return found


def get_data(day) -> list[dict]:
	children = services.looked_after_children(day, scope=caseload.scope)
	found = services.obligations(children, day)
	peps = current_peps([row.name for row in children])
	rows = []
	for child in children:
		obligation = found[child.name]
		pep = peps.get(child.name)
		due = getdate(pep.due_date) if pep and pep.due_date else None
		meeting = getdate(pep.meeting_date) if pep and pep.meeting_date else None
		completed = getdate(pep.completed_on) if pep and pep.completed_on else None
		rows.append(
			{
				"child": child.name,
				"child_name": child.full_name,
				"caseworker": child.caseworker,
				"school": child.current_school,
				"school_name": child.current_school_name,
				"date_entered_care": child.date_entered_care,
				"emergency_placement": child.emergency_placement,
				"next_due": obligation.next_due.due if obligation.next_due else None,
				"next_due_rule": _(obligation.next_due.rule) if obligation.next_due else None,
				"missed": len(obligation.missed),
				"first_missed": obligation.missed[0].due if obligation.missed else None,
				"pep": pep.name if pep else None,
				"pep_state": _(pep.workflow_state or "") if pep else _(NO_PEP),
				"pep_due_date": due,
				"meeting_date": meeting,
				"meeting_on_time": int(is_held_on_time(meeting, due)),
				"approved_on_time": int(
					is_completed_on_time(pep.workflow_state if pep else None, completed, due)
				),
			}
		)
	rows.sort(
		key=lambda row: (-row["missed"], row["next_due"] or getdate("9999-12-31"), row["child_name"] or "")
	)
	return rows
