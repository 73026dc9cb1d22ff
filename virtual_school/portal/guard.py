"""Closes a gap in Frappe v15's generic API that would show a school user (or anyone) more than they may see.

``frappe.client.get_count`` counts with ``frappe.db.count``, which applies no permissions: any signed-in
user, a school's portal user included, could count every Child or PP+ claim on the site. The override
(``override_whitelisted_methods`` in hooks.py) counts through ``frappe.get_list``, so role permissions
and the app's permission query conditions (caseload scoping) apply, as they do to the desk list count.
"""

import frappe
from frappe.client import get_safe_filters


@frappe.whitelist()
def get_count(doctype: str, filters=None, debug: bool = False, cache: bool = False) -> int:
	if not frappe.has_permission(doctype, "read") and not frappe.has_permission(doctype, "select"):
		frappe.throw(frappe._("Not permitted"), frappe.PermissionError)
	rows = frappe.get_list(
		doctype, filters=get_safe_filters(filters), fields=["count(*) as total"], limit_page_length=0
	)
	return int(rows[0].total if rows else 0)
