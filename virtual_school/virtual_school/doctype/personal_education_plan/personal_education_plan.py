# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, today

from virtual_school.attendance.services import attendance_for_pep
from virtual_school.domain import school_days
from virtual_school.peps.services import next_due_for
from virtual_school.peps.vocabulary import DONE_STATES

PRIMARY_SCALE = "Working towards / Expected standard / Greater depth"
SECONDARY_SCALE = "GCSE grade 9-1"
SECONDARY_STAGES = ("KS3", "KS4", "KS5")
RAG = ("", "Red", "Amber", "Green")


class PersonalEducationPlan(Document):
	"""A child's PEP for one term: contributors, the child's views, SMART targets, attainment, QA."""

	def validate(self):
		self.set_defaults()
		self.set_attainment_scales()
		self.validate_attendance()
		before = self.get_doc_before_save()
		if self.workflow_state in DONE_STATES and (not before or before.workflow_state not in DONE_STATES):
			self.completed_on = today()

	def set_defaults(self):
		if not self.school:
			self.school = frappe.db.get_value("Child", self.child, "current_school")
		reference = getdate(self.meeting_date or self.due_date or today())
		if not self.academic_year:
			self.academic_year = school_days.academic_year_of(reference)
		if not self.term:
			self.term = "Autumn" if reference.month >= 9 else "Spring" if reference.month <= 3 else "Summer"
		if not self.due_date and self.is_new():
			# the obligation this PEP's meeting meets: the earliest missed, else the next (peps.services)
			due = next_due_for(self.child, self.meeting_date or today())
			if due:
				self.due_date, self.due_rule = due.due, due.rule
		if self.is_new() and not self.attendance_percent and self.child:
			self.attendance_percent = attendance_for_pep(self.child, self.academic_year, self.term)

	def set_attainment_scales(self):
		scale = SECONDARY_SCALE if self.key_stage in SECONDARY_STAGES else PRIMARY_SCALE
		for row in self.attainment:
			row.scale = scale

	def validate_attendance(self):
		if self.attendance_percent is not None and not 0 <= self.attendance_percent <= 100:
			frappe.throw(_("Attendance must be between 0 and 100%."), title=_("Invalid Attendance"))


def on_doctype_update():
	frappe.db.add_index("Personal Education Plan", ["child", "workflow_state"])
