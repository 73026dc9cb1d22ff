# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.desk.form import assign_to
from frappe.model.document import Document
from frappe.utils import getdate, now_datetime, today

from virtual_school.calendar import clocks
from virtual_school.domain import escalation_ladder
from virtual_school.domain.school_days import DayKind
from virtual_school.escalations.services import holder_for
from virtual_school.escalations.vocabulary import ESCALATABLE, OPEN, STATUS_BY_STATE
from virtual_school.shared import settings


class Escalation(Document):
	"""A problem on a record, moving up the ladder until someone resolves it."""

	def validate(self):
		self.validate_reference()
		self.set_child_name()
		self.sync_level_and_status()

	def on_update(self):
		self.assign_holder()
		self.update_reference_level()

	def validate_reference(self):
		if self.reference_doctype not in ESCALATABLE:
			frappe.throw(
				_("Escalations can be opened on {0}, not on {1}.").format(
					", ".join(_(doctype) for doctype in ESCALATABLE), _(self.reference_doctype)
				),
				title=_("Cannot Escalate This Record"),
			)
		if not frappe.db.exists(self.reference_doctype, self.reference_name):
			frappe.throw(
				_("{0} {1} does not exist.").format(
					_(self.reference_doctype), frappe.bold(self.reference_name)
				),
				title=_("Record Not Found"),
			)
		if self.is_new() and not frappe.has_permission(self.reference_doctype, "read", self.reference_name):
			frappe.throw(
				_("You cannot escalate {0} {1}.").format(_(self.reference_doctype), self.reference_name),
				exc=frappe.PermissionError,
			)
		child_field = ESCALATABLE[self.reference_doctype]
		self.child = (
			frappe.db.get_value(self.reference_doctype, self.reference_name, child_field)
			if child_field
			else None
		)

	def set_child_name(self):
		"""Copy the child's name here, after ``child`` is derived from the record: Frappe applies
		``fetch_from`` (``child.full_name``) in ``_validate_links``, before ``validate`` sets ``child``, so
		an escalation inserted with only its reference kept an empty name and lists showed "ESC-00001"."""
		self.child_name = frappe.db.get_value("Child", self.child, "full_name") if self.child else None

	def sync_level_and_status(self):
		"""Level and status follow the workflow state; a level change logs, re-dates and re-assigns."""
		on_date = getdate(self.flags.on_date or today())
		if not self.workflow_state:
			self.workflow_state = escalation_ladder.level(1).state
		level = escalation_ladder.LEVEL_BY_STATE.get(self.workflow_state)
		self.status = STATUS_BY_STATE.get(self.workflow_state, OPEN)
		if not level:
			return
		before = self.get_doc_before_save()
		previous_level = before.level if before and before.status == OPEN else 0
		if self.is_new():
			self.opened_on = on_date
		if level.number == previous_level and not self.is_new():
			return
		self.level = level.number
		days = settings.get().escalation_level_school_days
		try:
			self.due_date = clocks.add_days(on_date, days, DayKind.SCHOOL)
		except ValueError:  # the school calendar does not reach that far: fall back to working days
			self.due_date = clocks.add_days(on_date, days, DayKind.WORKING)
		if previous_level and level.number > previous_level:
			self.last_raised_on = on_date
		self.escalation_owner = holder_for(level.number, self.child)
		self.append(
			"log",
			{
				"changed_on": now_datetime(),
				"from_level": previous_level,
				"to_level": level.number,
				"changed_by": frappe.session.user,
				"assigned_to": self.escalation_owner,
				"note": self.flags.note or (self.reason if self.is_new() else None),
			},
		)

	def assign_holder(self):
		before = self.get_doc_before_save()
		previous = before.escalation_owner if before else None
		if previous and previous != self.escalation_owner:
			assign_to.remove(self.doctype, self.name, previous, ignore_permissions=True)
		if self.status == OPEN and self.escalation_owner and previous != self.escalation_owner:
			assign_to.add(
				{
					"assign_to": [self.escalation_owner],
					"doctype": self.doctype,
					"name": self.name,
					"description": _("Escalation at level {0}: {1}").format(self.level, self.reason),
					"date": self.due_date,
				},
				ignore_permissions=True,
			)
		if self.status != OPEN and self.escalation_owner:
			assign_to.close_all_assignments(self.doctype, self.name, ignore_permissions=True)

	def update_reference_level(self):
		if frappe.get_meta(self.reference_doctype).has_field("escalation_level"):
			level = self.level if self.status == OPEN else 0
			frappe.db.set_value(
				self.reference_doctype, self.reference_name, "escalation_level", level, update_modified=False
			)
