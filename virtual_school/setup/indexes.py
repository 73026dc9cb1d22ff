"""Composite indexes the workload needs (Frappe's ``search_index`` makes single-column ones only).

Created on every ``bench migrate`` (``after_migrate``) and install (``after_sync``) with
``frappe.db.add_index``, which does nothing when the index exists. Each one is justified with EXPLAIN
before/after at national scale (482,000 children, 1.2 M placements) in docs/benchmarks.md.
"""

import frappe

# (doctype, columns, index name, what needs it)
INDEXES = (
	(
		"Child",
		["caseworker", "modified"],
		"caseworker_modified_index",
		"a caseworker's Child list and REST list (`caseworker = user`, newest first, 20 rows): the caseload's "
		"entries in `modified` order, no filesort (with virtual_school.permissions.child_query_conditions)",
	),
	(
		"Child",
		["cohort", "status", "current_school"],
		"cohort_status_current_school_index",
		"active children of a cohort with no school place today (Children Without a School Place, "
		"`current_school is null`): an index range (ref_or_null) of the few thousand children concerned "
		"instead of a full scan of every child",
	),
	(
		"Education Placement",
		["start_date"],
		"start_date_index",
		"the daily refresh: placements that started this week (placements.children_with_date_changes)",
	),
	(
		"Education Placement",
		["end_date"],
		"end_date_index",
		"the daily refresh: placements that ended this week (placements.children_with_date_changes)",
	),
)


def ensure_indexes() -> list[str]:
	"""Create any missing composite index; returns the ones created."""
	created = []
	for doctype, columns, name, _why in INDEXES:
		table = f"tab{doctype}"
		if not frappe.db.table_exists(doctype) or frappe.db.has_index(table, name):
			continue
		frappe.db.add_index(doctype, columns, name)
		created.append(f"{table}.{name}")
	return created
