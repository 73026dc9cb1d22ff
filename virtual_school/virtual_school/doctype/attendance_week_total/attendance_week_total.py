# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from frappe.model.document import Document


class AttendanceWeekTotal(Document):
	"""A school's sessions in one week, summed from its Attendance Records (every child there that week).

	Written only by ``virtual_school.attendance.services`` (refresh_totals / rebuild_attendance_totals), set-based,
	whenever attendance is written; never entered or edited (the doctype is read-only, no one may create it).
	Only roles that see every child may read it (``permissions.all_children_query_conditions``).
	"""
