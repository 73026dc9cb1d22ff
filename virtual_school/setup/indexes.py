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
		"Personal Education Plan",
		["child", "due_date", "workflow_state"],
		"child_due_date_state_index",
		"a child's latest PEP and its state (the portal's My Pupils, every page view): one backward index dive "
		"per pupil, read from the index alone, instead of sorting each child's PEPs",
	),
	(
		"Attendance Record",
		["child", "school", "week_starting", "term", "possible_sessions", "sessions_attended"],
		"child_school_week_sessions_index",
		"the last week a school sent for a child (the daily missing-attendance flag and Children Missing "
		"Education Risk: one index dive per child), a child's weeks (the Child form's attendance panel), and "
		"the weekly sessions of some children read from the index alone (Attendance Overview's chart for a "
		"cohort or a caseload)",
	),
	(
		"Attendance Record",
		["school", "week_starting"],
		"school_week_starting_index",
		"does a school send returns this academic year (one index dive); a school's weeks",
	),
	(
		"Attendance Record",
		[
			"academic_year",
			"week_starting",
			"term",
			"school",
			"child",
			"possible_sessions",
			"sessions_attended",
		],
		"academic_year_week_sessions_index",
		"the year's sessions per week read from the index alone, in week order (Attendance Overview's chart: "
		"no temporary table), with the term, school and child for the report's filters",
	),
	(
		"Attendance Term Total",
		[
			"academic_year",
			"child",
			"school",
			"term",
			"possible_sessions",
			"sessions_attended",
			"unauthorised_absence",
			"suspension_sessions",
		],
		"academic_year_child_totals_index",
		"a year's (or a term's) sessions per child (per child and school) read from the index alone, in child "
		"order (Attendance Overview, Cohort Overview's attendance, the daily absence flag); the rewrite of a "
		"child's year by every attendance write",
	),
	(
		"Attendance Week Total",
		["academic_year", "week_starting", "school", "term", "possible_sessions", "sessions_attended"],
		"academic_year_week_school_totals_index",
		"a year's (or a term's) sessions per week read from the index alone, in week order (Attendance "
		"Overview's chart for everyone's records: no temporary table); a year's rows (the rebuild)",
	),
	(
		"Attendance Week Total",
		["school", "week_starting"],
		"school_week_starting_index",
		"a school's weeks (Attendance Overview's chart filtered to a school)",
	),
	(
		"Access Log",
		["reference_document", "export_from"],
		"reference_document_export_from_index",
		"who read one child's records (Who Viewed This Child, the subject access export, disposal): index "
		"dives per record instead of a scan of every logged read (governance/access_log.py)",
	),
)
# Indexes an earlier version created that a wider one above now covers: dropped on migrate.
RETIRED = (
	# widened into child_school_week_sessions_index
	("Attendance Record", "child_school_week_starting_index"),
	("Child", "cohort_status_current_school_index"),
	("Attendance Record", "child_week_starting_index"),
	("Attendance Record", "academic_year_term_child_index"),
	# per-child sums now come from Attendance Term Total (attendance.refresh_totals)
	("Attendance Record", "year_term_child_sessions_index"),
	("Attendance Record", "academic_year_child_sessions_index"),
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
