# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""Attendance by cohort, school, year group or caseworker: attendance %, persistent and severe absence
(children missing 10% / 50% or more of their possible sessions over the period), unauthorised absence and
suspension sessions, with the week-by-week trend as a chart. Set-based: sessions are summed per child
first (the measures are per pupil), then per group, from the maintained per-term totals (Attendance Term
Total); the chart sums the maintained per-week totals (Attendance Week Total), or the weekly records of
the children the report is narrowed to. Caseworkers see their own caseload.

The cohort (filter and grouping) is the child's cohort on the report's day, the academic year's last day or
today if earlier (``children.vocabulary.in_cohort_on`` / ``cohort_on``): "Looked After" means looked after
that day, not the stored cohort a child keeps after leaving care or turning 18 (issue #18)."""

from datetime import timedelta

import frappe
from frappe import _
from frappe.query_builder import DocType, Table
from frappe.utils import getdate, today

from virtual_school.attendance.services import TOTALS, WEEK_TOTALS
from virtual_school.attendance.vocabulary import persistently_absent, severely_absent
from virtual_school.children.vocabulary import COHORTS, cohort_on, in_cohort_on, to_sql
from virtual_school.domain import attendance as rules
from virtual_school.reports import caseload
from virtual_school.reports.filters import academic_year_bounds

GROUPS = {"Cohort": "cohort", "School": "school", "Year Group": "year_group", "Caseworker": "caseworker"}
CHILD = Table("tabChild").as_("c")  # a plain table: DocType() needs a site at import time
PER_CHILD = Table("per_child").as_("per_child")  # the derived table of each child's sessions (get_data)
PERSISTENT_SQL = to_sql(persistently_absent(PER_CHILD.possible, PER_CHILD.attended))
SEVERE_SQL = to_sql(severely_absent(PER_CHILD.possible, PER_CHILD.attended))


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	academic_year_bounds(filters)
	filters.group_by = filters.get("group_by") or "Cohort"
	if filters.group_by not in GROUPS:
		frappe.throw(_("Group By must be one of {0}.").format(", ".join(GROUPS)), title=_("Invalid Filters"))
	data = get_data(filters)
	return get_columns(filters), data, None, get_chart(filters)


def get_columns(filters) -> list[dict]:
	group = {
		"Cohort": {"fieldtype": "Data"},
		"School": {"fieldtype": "Link", "options": "School"},
		"Year Group": {"fieldtype": "Data"},
		"Caseworker": {"fieldtype": "Link", "options": "User"},
	}[filters.group_by]
	columns = [{"label": _(filters.group_by), "fieldname": "group_key", "width": 170, **group}]
	if filters.group_by == "School":
		columns.append(
			{"label": _("School Name"), "fieldname": "group_name", "fieldtype": "Data", "width": 220}
		)
	return [
		*columns,
		{"label": _("Children"), "fieldname": "children", "fieldtype": "Int", "width": 90},
		{"label": _("Possible Sessions"), "fieldname": "possible", "fieldtype": "Int", "width": 120},
		{"label": _("Attendance %"), "fieldname": "attendance_percent", "fieldtype": "Percent", "width": 110},
		{"label": _("Persistently Absent"), "fieldname": "persistent", "fieldtype": "Int", "width": 130},
		{"label": _("Persistent %"), "fieldname": "persistent_percent", "fieldtype": "Percent", "width": 110},
		{"label": _("Severely Absent"), "fieldname": "severe", "fieldtype": "Int", "width": 120},
		{"label": _("Severe %"), "fieldname": "severe_percent", "fieldtype": "Percent", "width": 100},
		{
			"label": _("Unauthorised %"),
			"fieldname": "unauthorised_percent",
			"fieldtype": "Percent",
			"width": 120,
		},
		{"label": _("Suspension Sessions"), "fieldname": "suspended", "fieldtype": "Int", "width": 130},
	]


def _scope(filters) -> tuple[str, dict]:
	"""Conditions on Attendance Record or Attendance Term Total ``a`` (or Attendance Week Total, when not
	narrowed to some children): the period, the school, and the children the user may see.

	The cohort and the caseload are written as ``a.child in (children ...)`` rather than a join, so without
	them the rows are summed per child (or week) from an index alone and only the sums meet the children.
	"""
	conditions = ["a.academic_year = %(academic_year)s"]
	values = {"academic_year": filters.academic_year}
	_add_term_and_school(filters, conditions, values)
	children = _children_conditions(filters)
	if children:
		conditions.append(f"a.child in (select c.name from `tabChild` c where {' and '.join(children[0])})")
		values.update(children[1])
	return " and ".join(conditions), values


def _add_term_and_school(filters, conditions: list[str], values: dict) -> None:
	"""The term and school filters, on ``a`` (Attendance Record, Term Total or Week Total)."""
	if filters.get("term"):
		conditions.append("a.term = %(term)s")
		values["term"] = filters.term
	if filters.get("school"):
		conditions.append("a.school = %(school)s")
		values["school"] = filters.school


def cohort_day(filters):
	"""The day a child's cohort is read on: the academic year's last day, or today if earlier."""
	return min(academic_year_bounds(filters)[1], getdate(today()))


def _children_conditions(filters) -> tuple[list[str], dict] | None:
	"""Conditions on Child ``c`` narrowing the report to some children (a cohort, the user's caseload)."""
	conditions, values = [], {}
	if filters.get("cohort"):
		if filters.cohort not in COHORTS:
			frappe.throw(
				_("Cohort must be one of {0}.").format(", ".join(COHORTS)), title=_("Invalid Filters")
			)
		# checked above; the day is the code's: safe to write into the text
		conditions.append(to_sql(in_cohort_on(CHILD, filters.cohort, cohort_day(filters))))
	in_caseload = caseload.scope(CHILD)
	if in_caseload is not None:
		sql, parameters = caseload.as_sql(in_caseload)
		conditions.append(sql)
		values.update(parameters)
	return (conditions, values) if conditions else None


def get_data(filters) -> list[dict]:
	"""Sessions summed per child (per child and school when grouped by school) from the maintained totals
	(``attendance.refresh_totals``: one row per term, child and school) through their covering index
	``academic_year_child_totals_index`` in child order (no temporary table), then per group.

	Summing per child before joining the children is what makes this fast: grouping by the child's cohort
	and the child in one step made MariaDB read every child and look up their weeks one by one (~25 s at
	national scale, 1.7 M weeks; docs/benchmarks.md). The totals are ~160,000 rows a term instead of the
	~1.66 M weekly records.
	"""
	where, values = _scope(filters)
	group_field = GROUPS[filters.group_by]
	by_school = group_field == "school"
	group_key = f"c.{group_field}"
	if group_field == "cohort":
		group_key = to_sql(cohort_on(CHILD, cohort_day(filters)))
	rows = frappe.db.sql(
		f"""select {"per_child.school" if by_school else group_key} as group_key,
			{"max(s.school_name)" if by_school else "null"} as group_name,
			count(*) as children, sum(per_child.possible) as possible, sum(per_child.attended) as attended,
			sum({PERSISTENT_SQL}) as persistent, sum({SEVERE_SQL}) as severe,
			sum(per_child.unauthorised) as unauthorised, sum(per_child.suspended) as suspended
		from (
			select a.child, {"a.school" if by_school else "null"} as school,
				sum(a.possible_sessions) as possible, sum(a.sessions_attended) as attended,
				sum(a.unauthorised_absence) as unauthorised, sum(a.suspension_sessions) as suspended
			from `tab{TOTALS}` a
			where {where}
			group by a.child{", a.school" if by_school else ""}
		) per_child
		join `tabChild` c on c.name = per_child.child
		{"left join `tabSchool` s on s.name = per_child.school" if by_school else ""}
		group by group_key order by group_key""",
		values,
		as_dict=True,
	)
	for row in rows:
		possible, children = int(row.possible or 0), int(row.children or 0)
		row.attended, row.possible = int(row.attended or 0), possible
		row.persistent, row.severe = int(row.persistent or 0), int(row.severe or 0)
		row.unauthorised, row.suspended = int(row.unauthorised or 0), int(row.suspended or 0)
		row.attendance_percent = rules.attendance_percent(possible, row.attended)
		row.unauthorised_percent = rules.attendance_percent(possible, row.unauthorised)
		row.persistent_percent = round(100.0 * row.persistent / children, 1) if children else None
		row.severe_percent = round(100.0 * row.severe / children, 1) if children else None
		if not by_school:
			row.pop("group_name", None)
			row.group_key = row.group_key or _("Not set")
	return rows


def get_chart(filters) -> dict | None:
	"""Attendance % week by week over the filtered records.

	For everyone's records it sums the maintained week totals (Attendance Week Total: one row per week and
	school, ``attendance.refresh_totals``) through their covering index
	``academic_year_week_school_totals_index`` in week order: ~270,000 rows for a term at national scale
	instead of ~1.66 M weekly records. When the report is narrowed to some children (a cohort, a caseload)
	it starts from those children instead and reads each one's weeks from the covering index
	``child_school_week_sessions_index``, with the academic year as its range of weeks: looking up the child
	of every week of the year was ~7.7 s for the looked-after cohort at national scale. (A caseworker never
	reads the week totals: they sum children outside the caseload.)
	"""
	children = _children_conditions(filters)
	if not children:
		where, values = _scope(filters)
		weeks = frappe.db.sql(
			f"""select a.week_starting, sum(a.possible_sessions) as possible,
				sum(a.sessions_attended) as attended
			from `tab{WEEK_TOTALS}` a
			where {where} group by a.week_starting order by a.week_starting""",
			values,
			as_dict=True,
		)
	else:
		conditions, values = children
		first_day, last_day = academic_year_bounds(filters)
		# a week belongs to the academic year of its Friday (domain/attendance.week_academic_year)
		values.update(first_monday=first_day - timedelta(days=4), last_monday=last_day - timedelta(days=4))
		weeks_of = ["a.week_starting between %(first_monday)s and %(last_monday)s"]
		_add_term_and_school(filters, weeks_of, values)
		weeks = frappe.db.sql(
			f"""select straight_join a.week_starting, sum(a.possible_sessions) as possible,
				sum(a.sessions_attended) as attended
			from `tabChild` c join `tabAttendance Record` a on a.child = c.name
			where {" and ".join(conditions)} and {" and ".join(weeks_of)}
			group by a.week_starting order by a.week_starting""",
			values,
			as_dict=True,
		)
	if not weeks:
		return None
	return {
		"data": {
			"labels": [frappe.utils.formatdate(week.week_starting, "dd MMM") for week in weeks],
			"datasets": [
				{
					"name": _("Attendance %"),
					"values": [
						rules.attendance_percent(int(week.possible or 0), int(week.attended or 0)) or 0
						for week in weeks
					],
				}
			],
		},
		"type": "line",
		"colors": ["#2490ef"],
		"axisOptions": {"xIsSeries": 1},
	}
