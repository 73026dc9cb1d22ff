"""Personal Education Plan words, spelled once: the workflow's state sets (workflows/personal_education_plan.json)."""

from frappe.query_builder.functions import Coalesce
from pypika import CustomFunction

from virtual_school.domain import pep_voice

APPROVED = "Approved"
# a PEP whose meeting has been held and quality-assured: it meets the statutory obligation
DONE_STATES = (APPROVED,)
# states in which the school may still edit its part in the portal
SCHOOL_EDITABLE_STATES = ("Draft", "Returned")


def held_on_time(pep_table):
	"""qb criterion: the PEP's meeting was held on or before its due date, whatever its state: the statutory
	test (``domain.pep_obligation.pep_held_on_time``: QA and approval may follow). The headline "on time" of
	PEP Compliance, PEPs Due and the annual report."""
	return pep_table.meeting_date.notnull() & (pep_table.meeting_date <= pep_table.due_date)


def is_held_on_time(meeting_date, due_date) -> bool:
	"""The same rule as ``held_on_time`` for one PEP's values (dates or None)."""
	return None not in (meeting_date, due_date) and meeting_date <= due_date


def completed_on_time(pep_table):
	"""qb criterion: the PEP (``frappe.qb.DocType("Personal Education Plan")`` or an alias) is done and was
	completed (approved after QA) on or before its due date: shown beside ``held_on_time`` in PEP Compliance
	and PEPs Due as "approved on time"."""
	return pep_table.workflow_state.isin(DONE_STATES) & (pep_table.completed_on <= pep_table.due_date)


def is_completed_on_time(workflow_state: str | None, completed_on, due_date) -> bool:
	"""The same rule as ``completed_on_time`` for one PEP's values (dates or None)."""
	return workflow_state in DONE_STATES and None not in (completed_on, due_date) and completed_on <= due_date


def has_voice(pep_table):
	"""qb criterion: the PEP records the child's views in their own words (``domain.pep_voice.has_voice``: at
	least ``MIN_VIEWS_CHARACTERS`` characters once white space is removed), for the annual report's count."""
	without_space = CustomFunction("regexp_replace", ["text", "pattern", "replacement"])(
		Coalesce(pep_table.child_views, ""), "[[:space:]]", ""
	)
	return CustomFunction("char_length", ["text"])(without_space) >= pep_voice.MIN_VIEWS_CHARACTERS
