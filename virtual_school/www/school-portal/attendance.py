import frappe
from frappe import _

from virtual_school.attendance.services import current_period
from virtual_school.portal.pages import page_context

no_cache = 1


def get_context(context):
	schools = page_context(context, _("Attendance"), "school-portal/attendance")
	context.schools = frappe.get_all(
		"School", filters={"name": ["in", schools]}, fields=["name", "school_name"], order_by="school_name"
	)
	context.academic_year = current_period()[0]
