"""Derived fields on Child, kept in step with placements and the date, in set-based SQL.

- current school, attendance basis and placement: the placement on roll today (a full-time one first,
  then the latest start), refreshed when a placement changes and daily (placements start and end);
- year group: National Curriculum year from the age on 31 August (virtual_school.domain.school_days),
  refreshed daily because it changes every 1 September.
"""

from datetime import date

import frappe
from frappe.utils import getdate, today

from virtual_school.domain import school_days


def refresh_current_school(children: list[str] | None = None, on_date: date | str | None = None) -> None:
	"""Set each child's current school from the placement on roll ``on_date`` (default today)."""
	if children is not None and not children:
		return
	params = {"on_date": getdate(on_date or today()), "children": tuple(children or ())}
	only_these = "and p.child in %(children)s" if children else ""
	only_these_children = "where c.name in %(children)s" if children else ""
	frappe.db.sql(
		f"""
		update `tabChild` c
		left join (
			select child, school, attendance_basis, name
			from (
				select p.child, p.school, p.attendance_basis, p.name,
					row_number() over (
						partition by p.child
						order by p.attendance_basis = 'Full time' desc, p.start_date desc, p.creation desc
					) as position
				from `tabEducation Placement` p
				where p.start_date <= %(on_date)s
					and (p.end_date is null or p.end_date >= %(on_date)s)
					{only_these}
			) ranked
			where position = 1
		) current on current.child = c.name
		left join `tabSchool` s on s.name = current.school
		set c.current_school = current.school,
			c.current_school_name = s.school_name,
			c.current_attendance_basis = current.attendance_basis,
			c.current_placement = current.name
		{only_these_children}
		""",
		params,
	)


def refresh_year_groups(on_date: date | str | None = None) -> None:
	"""Recompute every child's year group and key stage for the academic year containing ``on_date``.

	The SQL mirrors ``school_days.year_group``: the age on the 31 August before the academic year.
	"""
	on_date = getdate(on_date or today())
	start_year = school_days.academic_year_bounds(school_days.academic_year_of(on_date))[0].year
	group = "(%(start_year)s - year(date_of_birth) - (date_format(date_of_birth, '%%m-%%d') > '08-31') - 4)"
	year_groups = " ".join(
		f"when {number} then {frappe.db.escape(school_days.year_group_name(number))}" for number in range(14)
	)
	key_stages = " ".join(
		f"when {number} then {frappe.db.escape(school_days.key_stage(number))}" for number in range(14)
	)
	frappe.db.sql(
		f"""
		update `tabChild`
		set year_group = case {group} {year_groups}
				else if({group} < 0, 'Early years', 'Post-18') end,
			key_stage = case {group} {key_stages}
				else if({group} < 0, 'Early years', 'Post-18') end
		""",
		{"start_year": start_year},
	)


def refresh_derived_fields() -> None:
	"""Daily job: current schools and year groups for every child."""
	refresh_current_school()
	refresh_year_groups()
