# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from virtual_school import attendance


class AttendanceRecord(Document):
	"""One child's sessions at one school in one week; the measures live in domain/attendance.py."""

	def autoname(self):
		self.name = attendance.record_name(self.child, self.school, self.week_starting)

	def validate(self):
		problems = attendance.validate_record(self)
		if problems:
			frappe.throw("<br>".join(problems), title=_("Attendance Cannot Be Saved"))
