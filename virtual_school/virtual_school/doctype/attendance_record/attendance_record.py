# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from virtual_school.attendance import services as attendance


class AttendanceRecord(Document):
	"""One child's sessions at one school in one week; the measures live in domain/attendance.py."""

	def autoname(self):
		self.name = attendance.record_name(self.child, self.school, self.week_starting)

	def validate(self):
		problems = attendance.validate_record(self)
		if problems:
			frappe.throw("<br>".join(problems), title=_("Attendance Cannot Be Saved"))

	def on_update(self):
		"""Keep the attendance totals current: this child's terms and this school's week, and the old ones
		when the save moved the record (another week, school or child)."""
		if self.flags.skip_attendance_totals:
			return  # the caller updates the totals once for all its records (attendance.apply_plan)
		attendance.refresh_totals(added=(self,), removed=(self.get_doc_before_save(),))

	def after_delete(self):
		attendance.refresh_totals(removed=(self,))
