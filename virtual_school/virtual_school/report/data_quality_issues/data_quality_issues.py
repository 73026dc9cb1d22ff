# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""Data Quality Issues by rule, by child or by file (issue #19): what the SSDA903 import could not write.

Caseworkers see their caseload's issues only (``reports.caseload``), Head and Managers every child's.
"""

import frappe
from frappe import _
from frappe.query_builder import Case
from frappe.query_builder.functions import Count, Max, Min, Sum

from virtual_school.reports.caseload import scope_child_link

GROUPS = ("Rule", "Child", "File")
STATUSES = ("Open", "Resolved")
SEVERITIES = ("Error", "Warning")


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	group_by = filters.get("view") or "Child"
	if group_by not in GROUPS:
		frappe.throw(_("View must be Rule, Child or File."), title=_("Invalid Filters"))
	return get_columns(group_by), get_data(filters, group_by)


def get_columns(group_by: str) -> list[dict]:
	counts = [
		{"label": _("Issues"), "fieldname": "issues", "fieldtype": "Int", "width": 90},
		{"label": _("Not Written"), "fieldname": "errors", "fieldtype": "Int", "width": 100},
		{"label": _("Children"), "fieldname": "children", "fieldtype": "Int", "width": 90},
	]
	if group_by == "Rule":
		return [
			{"label": _("Rule"), "fieldname": "rule_code", "fieldtype": "Data", "width": 200},
			{"label": _("Example"), "fieldname": "example", "fieldtype": "Data", "width": 420},
			*counts,
		]
	if group_by == "Child":
		return [
			{
				"label": _("Child"),
				"fieldname": "child",
				"fieldtype": "Link",
				"options": "Child",
				"width": 120,
			},
			{"label": _("Child Name"), "fieldname": "child_name", "fieldtype": "Data", "width": 180},
			{"label": _("Social Care ID"), "fieldname": "social_care_id", "fieldtype": "Data", "width": 120},
			*counts[:2],
			{"label": _("Last Seen On"), "fieldname": "last_seen_on", "fieldtype": "Datetime", "width": 160},
		]
	return [
		{"label": _("File"), "fieldname": "source_file", "fieldtype": "Data", "width": 220},
		{
			"label": _("First Seen In"),
			"fieldname": "import_log",
			"fieldtype": "Link",
			"options": "Import Log",
			"width": 140,
		},
		*counts,
	]


def get_data(filters: frappe._dict, group_by: str) -> list[dict]:
	issue = frappe.qb.DocType("Data Quality Issue")
	errors = Sum(Case().when(issue.severity == "Error", 1).else_(0)).as_("errors")
	query = frappe.qb.from_(issue).select(Count(issue.name).as_("issues"), errors)
	if filters.get("status") in STATUSES:
		query = query.where(issue.status == filters.status)
	if filters.get("severity") in SEVERITIES:
		query = query.where(issue.severity == filters.severity)
	if filters.get("import_log"):
		query = query.where(
			(issue.first_import_log == filters.import_log) | (issue.last_import_log == filters.import_log)
		)
	caseload = scope_child_link(issue.child)
	if caseload is not None:
		query = query.where(caseload)
	children = Count(issue.child).distinct().as_("children")
	if group_by == "Rule":
		query = (
			query.select(issue.rule_code, Min(issue.rule).as_("example"), children)
			.groupby(issue.rule_code)
			.orderby(Count(issue.name), order=frappe.qb.desc)
		)
	elif group_by == "Child":
		query = (
			query.select(
				issue.child,
				Max(issue.child_name).as_("child_name"),
				Max(issue.social_care_id).as_("social_care_id"),
			)
			.select(Max(issue.last_seen_on).as_("last_seen_on"))
			.groupby(issue.child)
			.orderby(Count(issue.name), order=frappe.qb.desc)
		)
	else:
		query = (
			query.select(issue.source_file, Min(issue.first_import_log).as_("import_log"), children)
			.groupby(issue.source_file)
			.orderby(Min(issue.first_import_log), order=frappe.qb.desc)
		)
	return query.run(as_dict=True)
