# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""Who Viewed This Child (issue #22): every recorded read of one child's record and of its PEPs, exclusions and
PP+ claims (and the files attached to them): desk form, REST read, print, portal page, subject access export.

Head and Managers only (the report's roles, checked again here); the log itself stays readable only by a
System Manager (``governance.access_log``).
"""

import frappe
from frappe import _
from frappe.utils import getdate

from virtual_school.governance import access_log
from virtual_school.governance.sar import ROLES
from virtual_school.permissions import require_roles


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	require_roles(*ROLES)
	if not filters.child:
		frappe.throw(_("Choose a child."), title=_("Invalid Filters"))
	frappe.has_permission(access_log.CHILD, "read", filters.child, throw=True)
	return get_columns(), get_data(filters)


def get_columns() -> list[dict]:
	return [
		{"label": _("When"), "fieldname": "viewed_at", "fieldtype": "Datetime", "width": 170},
		{"label": _("User"), "fieldname": "user", "fieldtype": "Link", "options": "User", "width": 220},
		{"label": _("Name"), "fieldname": "full_name", "fieldtype": "Data", "width": 160},
		{"label": _("Record Type"), "fieldname": "reference_doctype", "fieldtype": "Data", "width": 170},
		{
			"label": _("Record"),
			"fieldname": "reference_name",
			"fieldtype": "Dynamic Link",
			"options": "reference_doctype",
			"width": 170,
		},
		{"label": _("How"), "fieldname": "method", "fieldtype": "Data", "width": 160},
		{"label": _("Route"), "fieldname": "route", "fieldtype": "Data", "width": 320},
	]


def get_data(filters) -> list[dict]:
	rows = access_log.accesses_of(access_log.child_records(filters.child))
	if filters.from_date:
		rows = [row for row in rows if getdate(row.viewed_at) >= getdate(filters.from_date)]
	if filters.to_date:
		rows = [row for row in rows if getdate(row.viewed_at) <= getdate(filters.to_date)]
	names = dict(
		frappe.get_all(
			"User",
			filters={"name": ["in", list({row.user for row in rows if row.user}) or [""]]},
			fields=["name", "full_name"],
			as_list=True,
		)
	)
	for row in rows:
		row.full_name = names.get(row.user) or ""
		row.method = _(row.method or "")
	return rows
