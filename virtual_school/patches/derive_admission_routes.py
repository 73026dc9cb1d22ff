"""Issue #18: every School gets its admission authority and route (admissions.routes), and the GIAS family
of PRUs, nursery and maintained special schools becomes "Independent / other" (no direction route,
STATUTORY.md section 11). Existing place requests get the day they were opened (their creation date), the
day their route is decided on."""

import frappe

from virtual_school.admissions.routes import refresh_school_routes


def execute():
	refresh_school_routes()
	frappe.db.sql("update `tabSchool Place Request` set opened_on = date(creation) where opened_on is null")
