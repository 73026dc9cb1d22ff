# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from frappe.model.document import Document


class AttendanceTermTotal(Document):
	"""A child's sessions at one school over one term, summed from their Attendance Records.

	Written only by ``virtual_school.attendance.services`` (refresh_totals / rebuild_attendance_totals), set-based,
	whenever attendance is written; never entered or edited (the doctype is read-only, no one may create it).
	"""
