# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""A suspension or permanent exclusion. The statutory checks are flagged for the team, not enforced:
the school, not the virtual school, takes these steps (SI 2012/1033 as amended by SI 2022/788)."""

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.query_builder.functions import Coalesce, Sum
from frappe.utils import formatdate, getdate

from virtual_school.calendar import clocks
from virtual_school.domain import pep_due_dates, school_days
from virtual_school.domain.school_days import DayKind

# SI 2012/1033 regs 6, 15, 24: governors consider reinstatement within 15 school days of notice for a
# permanent exclusion or suspensions over 15 school days in a term; for 6-15 days only on representations,
# within 50 school days. At most 45 school days of suspension in a school year.
CONSIDER_WITHIN_SCHOOL_DAYS = 15
REPRESENTATIONS_WITHIN_SCHOOL_DAYS = 50
TERM_THRESHOLD_SCHOOL_DAYS = 15
YEAR_LIMIT_SCHOOL_DAYS = 45
PERMANENT = "Permanent exclusion"


class Exclusion(Document):
	def validate(self):
		self.validate_length()
		self.set_term_total()
		self.set_governors_clock()
		self.set_flags()

	def validate_length(self):
		if self.exclusion_type == "Suspension" and (self.school_days or 0) < 1:
			frappe.throw(_("Enter the length of the suspension in School Days."), title=_("Length Needed"))
		if self.exclusion_type == PERMANENT:
			self.school_days = 0

	def suspended_days_between(self, start, end) -> int:
		exclusion = frappe.qb.DocType("Exclusion")
		total = (
			frappe.qb.from_(exclusion)
			.select(Coalesce(Sum(exclusion.school_days), 0))
			.where(
				(exclusion.child == self.child)
				& (exclusion.exclusion_type == "Suspension")
				& (exclusion.name != (self.name or ""))
				& exclusion.start_date.between(start, end)
			)
			.run()[0][0]
		)
		return int(total) + (self.school_days or 0 if self.exclusion_type == "Suspension" else 0)

	def set_term_total(self):
		start = getdate(self.start_date)
		terms = pep_due_dates.merge_half_terms(clocks.get_school_calendar()).terms
		term = next(((first, last) for first, last in terms if first <= start <= last), (start, start))
		self.term_total_school_days = self.suspended_days_between(*term)
		year_start, year_end = school_days.academic_year_bounds(school_days.academic_year_of(start))
		self.year_total_school_days = self.suspended_days_between(year_start, year_end)

	def set_governors_clock(self):
		self.governors_must_consider = int(
			self.exclusion_type == PERMANENT or self.term_total_school_days > TERM_THRESHOLD_SCHOOL_DAYS
		)
		notice = getdate(self.notice_date or self.start_date)
		days = (
			CONSIDER_WITHIN_SCHOOL_DAYS
			if self.governors_must_consider
			else REPRESENTATIONS_WITHIN_SCHOOL_DAYS
		)
		try:
			self.consideration_due = clocks.add_days(notice, days, DayKind.SCHOOL)
		except ValueError:
			self.consideration_due = None

	def set_flags(self):
		flags = []
		looked_after = frappe.db.get_value("Child", self.child, "cohort") == "Looked After"
		if looked_after and not self.vsh_told_on:
			flags.append(_("The Virtual School Head must be told without delay (since September 2022)."))
		if not self.social_worker_told_on and frappe.db.get_value("Child", self.child, "social_worker_name"):
			flags.append(_("The social worker must be told without delay."))
		if self.governors_must_consider and not self.governors_meeting_date:
			flags.append(
				_("Governors must consider reinstatement by {0}.").format(formatdate(self.consideration_due))
				if self.consideration_due
				else _("Governors must consider reinstatement within 15 school days.")
			)
		elif 5 < self.term_total_school_days <= TERM_THRESHOLD_SCHOOL_DAYS:
			flags.append(_("6 to 15 school days this term: governors consider reinstatement if parents ask."))
		if self.year_total_school_days > YEAR_LIMIT_SCHOOL_DAYS:
			flags.append(
				_("{0} school days of suspension this school year: the limit is 45.").format(
					self.year_total_school_days
				)
			)
		self.rule_checks = "\n".join(flags)
