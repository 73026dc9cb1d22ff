"""Exclusions on the site: suspension totals, the governors' reinstatement clock and the checks flagged for
the team. The statutory checks are flagged, not enforced: the school, not the virtual school, takes these
steps (SI 2012/1033 regs 6, 15 and 24, as amended by SI 2022/788; the limits are
``virtual_school.domain.exclusion_rules``). The Exclusion controller calls ``validate`` only.
"""

import frappe
from frappe import _
from frappe.query_builder.functions import Coalesce, Sum
from frappe.utils import formatdate, getdate

from virtual_school.calendar import clocks
from virtual_school.children.vocabulary import LOOKED_AFTER
from virtual_school.domain import pep_due_dates, school_days
from virtual_school.domain.exclusion_rules import (
	CONSIDER_WITHIN_SCHOOL_DAYS,
	REPRESENTATIONS_ONLY_MAX_SCHOOL_DAYS,
	REPRESENTATIONS_WITHIN_SCHOOL_DAYS,
	TERM_THRESHOLD_SCHOOL_DAYS,
	YEAR_LIMIT_SCHOOL_DAYS,
)
from virtual_school.domain.school_days import DayKind
from virtual_school.exclusions.vocabulary import PERMANENT, SUSPENSION


def validate(doc) -> None:
	"""Everything an Exclusion's save derives: its length, the term and year totals, the clock, the flags."""
	validate_length(doc)
	set_term_total(doc)
	set_governors_clock(doc)
	set_flags(doc)


def validate_length(doc) -> None:
	if doc.exclusion_type == SUSPENSION and (doc.school_days or 0) < 1:
		frappe.throw(_("Enter the length of the suspension in School Days."), title=_("Length Needed"))
	if doc.exclusion_type == PERMANENT:
		doc.school_days = 0


def suspended_days_between(doc, start, end) -> int:
	"""The child's school days of suspension starting from ``start`` to ``end``, this one included."""
	exclusion = frappe.qb.DocType("Exclusion")
	total = (
		frappe.qb.from_(exclusion)
		.select(Coalesce(Sum(exclusion.school_days), 0))
		.where(
			(exclusion.child == doc.child)
			& (exclusion.exclusion_type == SUSPENSION)
			& (exclusion.name != (doc.name or ""))
			& exclusion.start_date.between(start, end)
		)
		.run()[0][0]
	)
	return int(total) + (doc.school_days or 0 if doc.exclusion_type == SUSPENSION else 0)


def set_term_total(doc) -> None:
	start = getdate(doc.start_date)
	terms = pep_due_dates.merge_half_terms(clocks.get_school_calendar()).terms
	term = next(((first, last) for first, last in terms if first <= start <= last), (start, start))
	doc.term_total_school_days = suspended_days_between(doc, *term)
	year_start, year_end = school_days.academic_year_bounds(school_days.academic_year_of(start))
	doc.year_total_school_days = suspended_days_between(doc, year_start, year_end)


def set_governors_clock(doc) -> None:
	"""Governors consider reinstatement within 15 school days of notice for a permanent exclusion or more
	than 15 school days of suspension in a term; otherwise, on the parents' representations, within 50."""
	doc.governors_must_consider = int(
		doc.exclusion_type == PERMANENT or doc.term_total_school_days > TERM_THRESHOLD_SCHOOL_DAYS
	)
	notice = getdate(doc.notice_date or doc.start_date)
	days = CONSIDER_WITHIN_SCHOOL_DAYS if doc.governors_must_consider else REPRESENTATIONS_WITHIN_SCHOOL_DAYS
	try:
		doc.consideration_due = clocks.add_days(notice, days, DayKind.SCHOOL)
	except ValueError:
		doc.consideration_due = None


def set_flags(doc) -> None:
	flags = []
	looked_after = frappe.db.get_value("Child", doc.child, "cohort") == LOOKED_AFTER
	if looked_after and not doc.vsh_told_on:
		flags.append(_("The Virtual School Head must be told without delay (since September 2022)."))
	if not doc.social_worker_told_on and frappe.db.get_value("Child", doc.child, "social_worker_name"):
		flags.append(_("The social worker must be told without delay."))
	if doc.governors_must_consider and not doc.governors_meeting_date:
		flags.append(
			_("Governors must consider reinstatement by {0}.").format(formatdate(doc.consideration_due))
			if doc.consideration_due
			else _("Governors must consider reinstatement within {0} school days.").format(
				CONSIDER_WITHIN_SCHOOL_DAYS
			)
		)
	elif REPRESENTATIONS_ONLY_MAX_SCHOOL_DAYS < doc.term_total_school_days <= TERM_THRESHOLD_SCHOOL_DAYS:
		flags.append(
			_("{0} to {1} school days this term: governors consider reinstatement if parents ask.").format(
				REPRESENTATIONS_ONLY_MAX_SCHOOL_DAYS + 1, TERM_THRESHOLD_SCHOOL_DAYS
			)
		)
	if doc.year_total_school_days > YEAR_LIMIT_SCHOOL_DAYS:
		flags.append(
			_("{0} school days of suspension this school year: the limit is {1}.").format(
				doc.year_total_school_days, YEAR_LIMIT_SCHOOL_DAYS
			)
		)
	doc.rule_checks = "\n".join(flags)
