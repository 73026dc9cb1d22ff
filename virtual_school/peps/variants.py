"""PEP variants on the site (issue #23 item 3): set ``pep_variant`` on PEP rows the controller never saw.

The controller sets the variant on every save (``domain.pep_variants.variant_for``). PEPs saved before the
variants existed, and rows written in bulk (the demo's PEP history, imports), have none: ``fill_variants`` sets
it in one statement that mirrors ``school_days.year_group`` (the age on the 31 August before the academic year
of the due date, else the meeting date, else the day the PEP was made) and ``variant_for``'s thresholds. The
tier-2 test compares it with the domain function for children either side of every boundary.
"""

import frappe

from virtual_school.domain.pep_variants import (
	ALL_TARGET_AREAS,
	EARLY_LEARNING_GOALS,
	FIRST_POST_16_YEAR,
	FIRST_SCHOOL_AGE_YEAR,
	TARGET_AREAS,
	PepVariant,
)


def fill_variants(only_empty: bool = True) -> int:
	"""Set the variant of every PEP (only those without one, by default) from its child's date of birth.
	Returns the number of rows changed."""
	on = "coalesce(pep.due_date, pep.meeting_date, date(pep.creation))"
	start_year = f"(year({on}) - (month({on}) < 9))"
	group = f"({start_year} - year(child.date_of_birth) - (date_format(child.date_of_birth, '%%m-%%d') > '08-31') - 4)"
	frappe.db.sql(
		f"""
		update `tabPersonal Education Plan` pep
		join `tabChild` child on child.name = pep.child
		set pep.pep_variant = case
			when {group} < %(school_age)s then %(early_years)s
			when {group} < %(post_16)s then %(school)s
			else %(post16)s
		end
		where child.date_of_birth is not null {"and coalesce(pep.pep_variant, '') = ''" if only_empty else ""}
		""",
		{
			"school_age": FIRST_SCHOOL_AGE_YEAR,
			"post_16": FIRST_POST_16_YEAR,
			"early_years": PepVariant.EARLY_YEARS.value,
			"school": PepVariant.SCHOOL_AGE.value,
			"post16": PepVariant.POST_16.value,
		},
	)
	return frappe.db.sql("select row_count()")[0][0]


@frappe.whitelist()
def early_learning_goals() -> dict[str, list[str]]:
	"""The EYFS areas of learning and their goals, for the form to offer only the row's area's goals (the
	framework's published list, no personal data)."""
	return {area: list(goals) for area, goals in EARLY_LEARNING_GOALS.items()}


@frappe.whitelist()
def target_areas() -> dict[str, list[str]]:
	"""The target areas of each PEP variant, and every area under "" (a PEP without a variant yet)."""
	return {
		"": list(ALL_TARGET_AREAS),
		**{variant.value: list(areas) for variant, areas in TARGET_AREAS.items()},
	}
