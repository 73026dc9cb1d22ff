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
		["cohort", "status", "current_school", "key_stage", "sen_provision"],
		"cohort_status_current_school_stage_index",
		"active children of a cohort with no school place today (Children Without a School Place, "
		"`current_school is null`): an index range (ref_or_null) of the few thousand children concerned "
		"instead of a full scan of every child; and every child's cohort, status, school, key stage and SEN "
		"provision read from the index alone (Cohort Overview: ~0.5 s instead of a ~1.7-2.7 s table scan)",
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
	(
		"Attendance Record",
		["child", "school", "week_starting"],
		"child_school_week_starting_index",
		"the last week a school sent for a child (the daily missing-attendance flag and Children Missing "
		"Education Risk: one index dive per child) and a child's weeks (the Child form's attendance panel)",
	),
	(
		"Attendance Record",
		["school", "week_starting"],
		"school_week_starting_index",
		"does a school send returns this academic year (one index dive); a school's weeks",
	),
	(
		"Attendance Record",
		["academic_year", "term", "child", "possible_sessions", "sessions_attended"],
		"year_term_child_sessions_index",
		"a term's sessions per child read from the index alone, in child order (the daily absence flag: "
		"no temporary table over the term's records)",
	),
	(
		"Attendance Record",
		[
			"academic_year",
			"child",
			"school",
			"term",
			"week_starting",
			"possible_sessions",
			"sessions_attended",
			"unauthorised_absence",
			"suspension_sessions",
		],
		"academic_year_child_sessions_index",
		"a year's sessions per child (per child and school) read from the index alone, in child order "
		"(Attendance Overview, Cohort Overview's attendance) and per week (the overview's chart): with the "
		"term index MariaDB grouped a year in a temporary table on disk (~25 s at national scale)",
	),
)
# Indexes an earlier version created that a wider one above now covers: dropped on migrate.
RETIRED = (
	("Child", "cohort_status_current_school_index"),
	("Attendance Record", "child_week_starting_index"),
	("Attendance Record", "academic_year_term_child_index"),
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
	for doctype, name in RETIRED:
		if frappe.db.table_exists(doctype) and frappe.db.has_index(f"tab{doctype}", name):
			frappe.db.sql_ddl(f"alter table `tab{doctype}` drop index `{name}`")
	return created
