"""Personal Education Plan words, spelled once: the workflow's state sets (workflows/personal_education_plan.json)."""

APPROVED = "Approved"
# a PEP whose meeting has been held and quality-assured: it meets the statutory obligation
DONE_STATES = (APPROVED,)
# states in which the school may still edit its part in the portal
SCHOOL_EDITABLE_STATES = ("Draft", "Returned")


def completed_on_time(pep_table):
	"""qb criterion: the PEP (``frappe.qb.DocType("Personal Education Plan")`` or an alias) is done and was
	completed on or before its due date: what the PEP Compliance report and the annual report count as on
	time. (``domain.pep_obligation.pep_held_on_time`` counts the meeting date instead: see the report.)"""
	return pep_table.workflow_state.isin(DONE_STATES) & (pep_table.completed_on <= pep_table.due_date)


def is_completed_on_time(workflow_state: str | None, completed_on, due_date) -> bool:
	"""The same rule as ``completed_on_time`` for one PEP's values (dates or None)."""
	return workflow_state in DONE_STATES and None not in (completed_on, due_date) and completed_on <= due_date
