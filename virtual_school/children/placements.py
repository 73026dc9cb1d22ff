"""Derived fields on Child, kept in step with placements and the date, in set-based SQL.

- current school, attendance basis and placement: the placement on roll today (a full-time one first,
  then the latest start), refreshed when a placement changes and daily (placements start and end);
- year group: National Curriculum year from the age on 31 August (virtual_school.domain.school_days),
  refreshed daily because it changes every 1 September.
"""

from datetime import date

import frappe
from frappe.utils import add_days, getdate, today
from pypika import Table
from pypika.terms import Parameter

from virtual_school.children.vocabulary import EARLY_YEARS, FULL_TIME, POST_18, on_roll_on, to_sql
from virtual_school.domain import school_days

# a placement (alias p) on roll on the query's %(on_date)s, for the window query below
_ON_ROLL_ON_DATE = to_sql(on_roll_on(Table("tabEducation Placement", alias="p"), Parameter("%(on_date)s")))


def refresh_current_school(children: list[str] | None = None, on_date: date | str | None = None) -> None:
	"""Set each child's current school from the placement on roll ``on_date`` (default today)."""
	if children is not None and not children:
		return
	params = {
		"on_date": getdate(on_date or today()),
		"children": tuple(children or ()),
		"full_time": FULL_TIME,
	}
	only_these = "and p.child in %(children)s" if children else ""
	only_these_children = "and c.name in %(children)s" if children else ""
	# Read the children whose derived fields differ (a plain, non-locking read), then write only those:
	# one multi-table UPDATE over every child locks every row it joins and took ~25 s at national scale
	# (482,000 children, 1.2 M placements) even when nothing changed; this takes ~3 s (docs/benchmarks.md).
	changed = frappe.db.sql(
		f"""
		select c.name, current.school, s.school_name, current.attendance_basis, current.name
		from `tabChild` c
		left join (
			select child, school, attendance_basis, name
			from (
				select p.child, p.school, p.attendance_basis, p.name,
					row_number() over (
						partition by p.child
						order by p.attendance_basis = %(full_time)s desc, p.start_date desc, p.creation desc
					) as position
				from `tabEducation Placement` p
				where {_ON_ROLL_ON_DATE}
					{only_these}
			) ranked
			where position = 1
		) current on current.child = c.name
		left join `tabSchool` s on s.name = current.school
		where not (c.current_school <=> current.school and c.current_school_name <=> s.school_name
			and c.current_attendance_basis <=> current.attendance_basis and c.current_placement <=> current.name)
		{only_these_children}
		""",
		params,
	)
	for name, school, school_name, basis, placement in changed:
		frappe.db.sql(
			"""update `tabChild` set current_school = %s, current_school_name = %s,
				current_attendance_basis = %s, current_placement = %s where name = %s""",
			(school, school_name, basis, placement, name),
		)


YEAR_GROUP_UPDATES_BY_NAME = 1000  # more changes than this (1 September): one set-based update


def refresh_year_groups(on_date: date | str | None = None) -> int:
	"""Recompute every child's year group and key stage for the academic year containing ``on_date``;
	returns how many changed.

	The SQL mirrors ``school_days.year_group``: the age on the 31 August before the academic year. A plain
	read finds the children whose values differ (none on most days, every child on the first day of the
	academic year), so the daily job does not lock every child's row (~0.5 s instead of ~1.7 s at national
	scale); many changes are written by one set-based update, a few by name.
	"""
	on_date = getdate(on_date or today())
	start_year = school_days.academic_year_bounds(school_days.academic_year_of(on_date))[0].year
	group = "(%(start_year)s - year(date_of_birth) - (date_format(date_of_birth, '%%m-%%d') > '08-31') - 4)"

	def by_group(name_of) -> str:
		cases = " ".join(f"when {number} then {frappe.db.escape(name_of(number))}" for number in range(14))
		outside = f"if({group} < 0, {frappe.db.escape(EARLY_YEARS)}, {frappe.db.escape(POST_18)})"
		return f"case {group} {cases} else {outside} end"

	year_group, key_stage = by_group(school_days.year_group_name), by_group(school_days.key_stage)
	differs = f"not (year_group <=> {year_group}) or not (key_stage <=> {key_stage})"
	values = {"start_year": start_year}
	changed = frappe.db.sql(f"select name, {year_group}, {key_stage} from `tabChild` where {differs}", values)
	if len(changed) > YEAR_GROUP_UPDATES_BY_NAME:
		frappe.db.sql(
			f"update `tabChild` set year_group = {year_group}, key_stage = {key_stage} where {differs}",
			values,
		)
	else:
		for name, new_year_group, new_key_stage in changed:
			frappe.db.sql(
				"update `tabChild` set year_group = %s, key_stage = %s where name = %s",
				(new_year_group, new_key_stage, name),
			)
	return len(changed)


# How far back the daily job looks for placements that started or ended (covers a scheduler that missed days).
DATE_CHANGE_WINDOW_DAYS = 7


def children_with_date_changes(on_date: date | str | None = None) -> list[str]:
	"""Children with a placement that started, or ended, within the window before ``on_date``.

	Saving a placement refreshes its child at once (EducationPlacement.on_update); what is left for the daily
	job is the passing of dates: a placement starting today, or one that ended yesterday.
	"""
	on_date = getdate(on_date or today())
	since = add_days(on_date, -DATE_CHANGE_WINDOW_DAYS)
	return frappe.db.sql(
		"""select child from `tabEducation Placement` where start_date between %(since)s and %(on_date)s
		union select child from `tabEducation Placement`
		where end_date between %(before_since)s and %(on_date)s""",
		{"since": since, "before_since": add_days(since, -1), "on_date": on_date},
		pluck=True,
	)


def refresh_derived_fields() -> None:
	"""Daily job: current schools where dates moved a placement on or off roll (every child on Sundays, to
	catch anything written around the controllers), and year groups for every child.

	The full refresh reads a window over every placement: ~5 s at national scale (docs/benchmarks.md); the
	daily one reads the few placements that started or ended this week through their date indexes.
	"""
	if getdate(today()).weekday() == 6:
		refresh_current_school()
	else:
		refresh_current_school(children_with_date_changes())
	refresh_year_groups()
