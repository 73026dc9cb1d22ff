"""Exclusions on the site: suspension totals, the governors' reinstatement clock and the checks flagged for
the team. The statutory checks are flagged, not enforced: the school, not the virtual school, takes these
steps (SI 2012/1033 regs 6, 15 and 24, as amended by SI 2022/788; the rules are
``virtual_school.domain.exclusion_rules``). The Exclusion controller calls ``validate`` only.

Every total is **per school** (STATUTORY.md section 11): the governing board's duties are those of one school,
so a child's suspensions at a previous school never count towards the term or year total at the new one.
"""

import frappe
from frappe import _
from frappe.utils import formatdate, getdate

from virtual_school.calendar import clocks
from virtual_school.children.vocabulary import LOOKED_AFTER_FIELDS, child_looked_after_on
from virtual_school.domain.exclusion_rules import (
	REPRESENTATIONS_ONLY_MAX_SCHOOL_DAYS,
	TERM_THRESHOLD_SCHOOL_DAYS,
	YEAR_LIMIT_SCHOOL_DAYS,
	ConsiderationDuty,
	Suspension,
	governors_consideration,
	suspension_totals,
	totals_for_suspension,
)
from virtual_school.exclusions.vocabulary import PERMANENT, SUSPENSION

# the duties that come with a time limit: the only ones that store a Consideration Due By date
TIMED_DUTIES = (ConsiderationDuty.WITHIN_15_SCHOOL_DAYS, ConsiderationDuty.WITHIN_50_SCHOOL_DAYS)


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
	if not doc.misses_public_examination:
		doc.examination_date = None


def other_suspensions(doc) -> list[Suspension]:
	"""The child's other suspensions at the same school (the rule ignores other schools' anyway: reading
	only this school's keeps the query small and says so)."""
	rows = frappe.get_all(
		"Exclusion",
		filters={
			"child": doc.child,
			"school": doc.school,
			"exclusion_type": SUSPENSION,
			"name": ["!=", doc.name or ""],
		},
		fields=["start_date", "school_days"],
		order_by="start_date",
	)
	return [
		Suspension(doc.school, getdate(row.start_date), int(row.school_days))
		for row in rows
		if row.start_date and (row.school_days or 0) >= 1
	]


def set_term_total(doc) -> None:
	"""Totals at this school for the term (half-terms joined) and school year of the start date. A
	permanent exclusion adds no days; a calendar without the term leaves this record's own days, flagged."""
	doc.flags.calendar_missing = False
	own_days = doc.school_days if doc.exclusion_type == SUSPENSION else 0
	others = other_suspensions(doc)
	calendar = clocks.get_school_calendar()
	start = getdate(doc.start_date)
	try:
		if own_days:
			totals = totals_for_suspension(Suspension(doc.school, start, own_days), others, calendar)
		else:
			totals = suspension_totals(others, doc.school, start, calendar)
	except ValueError:
		doc.flags.calendar_missing = True
		doc.term_total_school_days = own_days
		doc.year_total_school_days = own_days
		return
	doc.term_total_school_days = totals.term_school_days
	doc.year_total_school_days = totals.year_school_days


def set_governors_clock(doc) -> None:
	"""The board's duty from the rule: 15 school days (permanent, more than 15 days in a term at this school,
	a missed public examination or test), 50 (6 to 15 days with the parents' representations), or no time
	limit, in which case no due date is stored (SI 2012/1033 reg 6)."""
	consideration = governors_consideration(
		kind=doc.exclusion_type,
		term_school_days=int(doc.term_total_school_days or 0),
		misses_public_examination=bool(doc.misses_public_examination),
		representations_made=bool(doc.representations_made),
		notice_received_on=getdate(doc.notice_date or doc.start_date),
		calendar=clocks.get_school_calendar(),
		examination_date=getdate(doc.examination_date) if doc.examination_date else None,
	)
	doc.governors_must_consider = int(consideration.duty in TIMED_DUTIES)
	doc.consideration_school_days = consideration.school_days
	doc.consideration_due = consideration.due
	doc.consideration_rule = f"{_(consideration.duty.value)}: {consideration.rule}"
	doc.flags.consideration = consideration


def set_flags(doc) -> None:
	flags = []
	# looked after on the day the exclusion began (not the stored cohort: a child who left care keeps it)
	child = frappe.db.get_value(
		"Child",
		doc.child,
		LOOKED_AFTER_FIELDS,
		as_dict=True,
	)
	looked_after = bool(child) and child_looked_after_on(child, doc.start_date)
	if looked_after and not doc.vsh_told_on:
		flags.append(_("The Virtual School Head must be told without delay (since September 2022)."))
	if not doc.social_worker_told_on and frappe.db.get_value("Child", doc.child, "social_worker_name"):
		flags.append(_("The social worker must be told without delay."))
	if doc.flags.calendar_missing:
		flags.append(
			_(
				"The school calendar has no term for {0}: add the school year's terms to count the totals."
			).format(formatdate(doc.start_date))
		)
	if doc.governors_must_consider and not doc.governors_meeting_date:
		flags.append(
			_("Governors must consider reinstatement by {0} ({1} school days after notice).").format(
				formatdate(doc.consideration_due), doc.consideration_school_days
			)
			if doc.consideration_due
			else _("Governors must consider reinstatement within {0} school days.").format(
				doc.consideration_school_days
			)
		)
	elif (
		not doc.representations_made
		and REPRESENTATIONS_ONLY_MAX_SCHOOL_DAYS < doc.term_total_school_days <= TERM_THRESHOLD_SCHOOL_DAYS
	):
		flags.append(
			_("{0} to {1} school days this term: governors consider reinstatement if parents ask.").format(
				REPRESENTATIONS_ONLY_MAX_SCHOOL_DAYS + 1, TERM_THRESHOLD_SCHOOL_DAYS
			)
		)
	if doc.year_total_school_days > YEAR_LIMIT_SCHOOL_DAYS:
		flags.append(
			_("{0} school days of suspension at this school this school year: the limit is {1}.").format(
				doc.year_total_school_days, YEAR_LIMIT_SCHOOL_DAYS
			)
		)
	doc.rule_checks = "\n".join(flags)
