# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""Records past their retention period today, with the rule applied (governance/retention.py).

Virtual School Head and Managers only: it lists every caseload's children. Children on legal hold are never
listed. The Head disposes of them through a Disposal Batch; nothing here deletes anything.
"""

import frappe
from frappe import _
from frappe.utils import today

from virtual_school.governance import retention
from virtual_school.permissions import require_roles
from virtual_school.setup.roles import VIRTUAL_SCHOOL_HEAD, VIRTUAL_SCHOOL_MANAGER


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	require_roles(VIRTUAL_SCHOOL_HEAD, VIRTUAL_SCHOOL_MANAGER, "System Manager")
	return get_columns(), get_data(filters)


def get_columns() -> list[dict]:
	return [
		{"label": _("Record Kind"), "fieldname": "record_kind", "fieldtype": "Data", "width": 150},
		{
			"label": _("Document Type"),
			"fieldname": "reference_doctype",
			"fieldtype": "Link",
			"options": "DocType",
			"width": 130,
		},
		{
			"label": _("Record"),
			"fieldname": "reference_name",
			"fieldtype": "Dynamic Link",
			"options": "reference_doctype",
			"width": 130,
		},
		{"label": _("Description"), "fieldname": "description", "fieldtype": "Data", "width": 240},
		{"label": _("Cohort"), "fieldname": "cohort", "fieldtype": "Data", "width": 160},
		{
			"label": _("Retention Rule"),
			"fieldname": "retention_rule",
			"fieldtype": "Link",
			"options": "Retention Rule",
			"width": 220,
		},
		{"label": _("Retention Ended"), "fieldname": "retention_end", "fieldtype": "Date", "width": 110},
		{"label": _("Records"), "fieldname": "records", "fieldtype": "Int", "width": 80},
	]


def get_data(filters: frappe._dict) -> list[dict]:
	kinds = (filters.record_kind,) if filters.record_kind else None
	return retention.as_rows(retention.due_records(filters.get("on_date") or today(), kinds=kinds))
