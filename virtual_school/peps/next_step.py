"""The PEP form's own lines in "what to do next" (``shared/next_step.py``, through the ``next_step_extras``
hook): the due date a new PEP will get and the obligations missed before it (issue #21)."""

import frappe
from frappe import _
from frappe.utils import escape_html, formatdate, getdate

from virtual_school.peps.services import obligation_for
from virtual_school.peps.vocabulary import DONE_STATES


def pep_due(values: dict, is_new: bool) -> list[str]:
	"""A PEP not yet done: the due date it will get, and the obligations missed before it (issue #21)."""
	if not values.get("child") or values.get("workflow_state") in DONE_STATES:
		return []
	if not frappe.has_permission("Child", "read", values["child"]):
		raise frappe.PermissionError  # the form's child, not trusted: its obligations are the child's record
	found = obligation_for(values["child"], values.get("meeting_date") or None)
	if not found:
		return []
	lines = []
	if is_new and not values.get("due_date") and found.next_due:
		lines.append(
			_("This PEP will be due by {0}: {1}.").format(
				formatdate(found.next_due.due), _(found.next_due.rule)
			)
		)
	due = getdate(values["due_date"]) if values.get("due_date") else None
	missed = [obligation for obligation in found.missed if due is None or obligation.due < due]
	if missed:
		lines.append(
			_("Missed: the PEP due by {0} ({1}){2}.").format(
				formatdate(missed[0].due),
				_(missed[0].rule),
				_(", and {0} more").format(len(missed) - 1) if len(missed) > 1 else "",
			)
		)
	return [escape_html(line) for line in lines]
