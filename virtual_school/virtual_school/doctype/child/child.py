# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.model.workflow import get_workflow_name
from frappe.utils import formatdate, getdate, now_datetime, today

from virtual_school.children.leaving_care import history_row
from virtual_school.domain import school_days, ssda903, upn
from virtual_school.permissions import is_caseload_restricted


class DuplicateChildError(frappe.DuplicateEntryError):
	pass


class Child(Document):
	"""A child in the Virtual School's cohort. Current school and year group are derived, never typed."""

	def before_insert(self):
		if not self.caseworker and is_caseload_restricted():
			# A caseworker who adds a child holds the case, or they could not see it afterwards.
			self.caseworker = frappe.session.user

	def validate(self):
		self.set_derived()
		self.validate_upn()
		self.validate_not_duplicate()

	def set_derived(self):
		"""Everything validate checks and derives from the record alone (no query of other children): the
		SSDA903 import's set-based path for new children runs this and does the per-record queries of
		``validate_upn`` and ``validate_not_duplicate`` per batch (``imports.ssda903._create_children``)."""
		self.full_name = " ".join(
			filter(None, [(self.first_name or "").strip(), (self.last_name or "").strip()])
		)
		self.validate_dates()
		self.out_of_authority = int(self.lives_out_of_authority())
		self.set_year_group()
		self.record_status_change()
		self.record_care_change()

	def lives_out_of_authority(self) -> bool:
		"""Living in another authority's area than the responsible one, or (SSDA903 PL_LA) outside England."""
		if self.responsible_la and self.resident_la and self.responsible_la != self.resident_la:
			return True
		episodes = sorted(self.get("care_episodes") or [], key=lambda episode: str(episode.start_date))
		return bool(episodes) and episodes[-1].placement_la in ssda903.OUTSIDE_ENGLAND

	def validate_dates(self):
		date_of_birth = getdate(self.date_of_birth)
		if date_of_birth > getdate(today()):
			frappe.throw(
				_("Date of Birth {0} is in the future.").format(formatdate(date_of_birth)),
				title=_("Invalid Date of Birth"),
			)
		if self.date_entered_care and getdate(self.date_entered_care) < date_of_birth:
			frappe.throw(
				_("Date Entered Care {0} is before the Date of Birth {1}.").format(
					formatdate(self.date_entered_care), formatdate(date_of_birth)
				),
				title=_("Invalid Care Dates"),
			)
		if self.date_left_care:
			if not self.date_entered_care:
				frappe.throw(
					_("Enter the Date Entered Care before the Date Left Care."), title=_("Invalid Care Dates")
				)
			if getdate(self.date_left_care) < getdate(self.date_entered_care):
				frappe.throw(
					_("Date Left Care {0} is before Date Entered Care {1}.").format(
						formatdate(self.date_left_care), formatdate(self.date_entered_care)
					),
					title=_("Invalid Care Dates"),
				)

	def validate_upn(self):
		if not self.upn:
			self.upn = None
			return
		known_la_codes = set(frappe.get_all("Local Authority", pluck="name"))
		try:
			self.upn = upn.validate_upn(self.upn, known_la_codes=known_la_codes or None)
		except upn.InvalidUPN as error:
			frappe.throw(
				_("UPN {0}: {1}").format(frappe.bold(self.upn), _(str(error))), title=_("Invalid UPN")
			)

	def validate_not_duplicate(self):
		"""One record per child: the same UPN, or the same name and date of birth, is a duplicate.

		The message names no other child: the user may not be allowed to see that record.
		"""
		others = {"name": ["!=", self.name or ""]}
		if self.upn and frappe.db.exists("Child", {**others, "upn": self.upn}):
			frappe.throw(
				_(
					"UPN {0} is already recorded for another child. Ask a manager to check for a duplicate."
				).format(frappe.bold(self.upn)),
				exc=DuplicateChildError,
				title=_("Duplicate Child"),
			)
		if not (self.first_name and self.last_name and self.date_of_birth):
			return  # Frappe's mandatory-field check (after validate) refuses the record
		same_person = {
			**others,
			"first_name": self.first_name.strip(),
			"last_name": self.last_name.strip(),
			"date_of_birth": self.date_of_birth,
		}
		if frappe.db.exists("Child", same_person):
			frappe.throw(
				_(
					"A child named {0} born on {1} is already recorded. Ask a manager to check for a duplicate."
				).format(frappe.bold(self.full_name), formatdate(self.date_of_birth)),
				exc=DuplicateChildError,
				title=_("Duplicate Child"),
			)

	def set_year_group(self):
		date_of_birth, on_date = getdate(self.date_of_birth), getdate(today())
		self.year_group = school_days.year_group_label(date_of_birth, on_date)
		self.key_stage = school_days.key_stage_label(date_of_birth, on_date)

	def record_status_change(self):
		if not self.workflow_state and self.is_new():
			# Frappe sets the first state after validate(); set it here so the history starts with it.
			self.workflow_state = initial_workflow_state(self.doctype)
		before = self.get_doc_before_save()
		previous_state = before.workflow_state if before else None
		if self.workflow_state and self.workflow_state != previous_state:
			self.append(
				"status_history",
				{
					"state": self.workflow_state,
					"changed_on": now_datetime(),
					"changed_by": frappe.session.user,
				},
			)

	def record_care_change(self):
		"""A change of cohort or of the date the child left care goes in the status history (issue #18)."""
		row = history_row(self, self.get_doc_before_save())
		if row:
			self.append("status_history", row)


def initial_workflow_state(doctype: str) -> str | None:
	workflow_name = get_workflow_name(doctype)
	if not workflow_name:
		return None
	states = frappe.get_cached_doc("Workflow", workflow_name).states
	return states[0].state if states else None
