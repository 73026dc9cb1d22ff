"""The Child form as a case summary (issue #21 item 1): what a caseworker opens the child to find out.

One call (``case_summary``) gathers, for a child the user may read: the PEP (the one being worked on or the
latest, and the obligation: next due, or "No PEP — due by …", and how many were missed), PP+ remaining this
funding year, the open escalations with their level and age, the days without a school place, and the
placement history. Each part is read with the user's own permissions (``frappe.get_list``) and left out when
their role cannot read that record type (Finance reads no escalation), so the summary shows nothing the
user's lists would not. The rules are the features' own: ``peps.services.obligation_for``,
``pp_plus.budget.get_child_budget``, the *Children Without a School Place* report's count.
"""

import frappe
from frappe import _
from frappe.utils import date_diff, getdate, today

from virtual_school.children.vocabulary import LOOKED_AFTER_FIELDS, child_looked_after_on
from virtual_school.escalations.vocabulary import CLOSED
from virtual_school.peps.services import obligation_for
from virtual_school.peps.vocabulary import DONE_STATES
from virtual_school.pp_plus import vocabulary as pp_plus
from virtual_school.pp_plus.budget import get_child_budget
from virtual_school.virtual_school.report.children_without_a_school_place import (
	children_without_a_school_place as without_a_place_report,
)


@frappe.whitelist()
def case_summary(child: str) -> dict:
	frappe.has_permission("Child", "read", child, throw=True)
	values = frappe.db.get_value(
		"Child",
		child,
		[*LOOKED_AFTER_FIELDS, "key_stage", "status"],
		as_dict=True,
	)
	day = getdate(today())
	looked_after = child_looked_after_on(values, day)
	summary = {"looked_after": looked_after}
	if frappe.has_permission("Personal Education Plan", "read"):
		summary["pep"] = _pep(child, day)
	if looked_after and pp_plus.has_allocation(values.key_stage):
		year = pp_plus.current_funding_year(day)
		if year and frappe.db.exists(pp_plus.FUNDING_YEAR, year):
			summary["pp_plus"] = {"funding_year": year, **get_child_budget(child, year)}
	if frappe.has_permission("Escalation", "read"):
		summary["escalations"] = [
			{**row, "age_days": date_diff(day, row.opened_on or row.creation)}
			for row in frappe.get_list(
				"Escalation",
				filters={"child": child, "status": ["!=", CLOSED]},
				fields=["name", "level", "reference_doctype", "reference_name", "opened_on", "creation"],
				order_by="level desc, opened_on asc",
			)
		]
	if frappe.has_permission("Education Placement", "read"):
		summary["placements"] = frappe.get_list(
			"Education Placement",
			filters={"child": child},
			fields=["name", "school", "school_name", "start_date", "end_date", "attendance_basis"],
			order_by="start_date desc",
		)
	without = [
		row for row in without_a_place_report.get_data(frappe._dict(child=child)) if row.get("child") == child
	]
	if without:
		summary["without_place"] = {"since": without[0].since, "school_days": without[0].days_without_place}
	return summary


def _pep(child: str, day) -> dict:
	"""The PEP being worked on (earliest due), else the latest; and the child's obligation on ``day``."""
	peps = frappe.get_list(
		"Personal Education Plan",
		filters={"child": child},
		fields=["name", "workflow_state", "due_date", "meeting_date"],
		order_by="due_date desc",
	)
	open_peps = sorted(
		(row for row in peps if row.workflow_state not in DONE_STATES), key=lambda row: str(row.due_date)
	)
	current = open_peps[0] if open_peps else (peps[0] if peps else None)
	obligation = obligation_for(child, day)
	return {
		"current": current,
		"next_due": obligation.next_due.due if obligation and obligation.next_due else None,
		"next_due_rule": _(obligation.next_due.rule) if obligation and obligation.next_due else None,
		"missed": len(obligation.missed) if obligation else 0,
		"first_missed": obligation.missed[0].due if obligation and obligation.missed else None,
	}
