# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import formatdate, getdate

from virtual_school.calendar.clocks import clear_calendar_cache, get_bank_holidays
from virtual_school.domain import school_days


class SchoolCalendar(Document):
	"""Terms and closure days of one academic year: the source of every school-day clock."""

	def validate(self):
		self.validate_academic_year()
		self.validate_terms()
		self.validate_closures()
		self.set_school_days()

	def on_update(self):
		clear_calendar_cache()

	def on_trash(self):
		clear_calendar_cache()

	def validate_academic_year(self):
		try:
			self.year_start, self.year_end = school_days.academic_year_bounds(self.academic_year)
		except ValueError:
			frappe.throw(
				_("Academic Year {0} must look like 2025-26 (two consecutive years).").format(
					frappe.bold(self.academic_year)
				),
				title=_("Invalid Academic Year"),
			)

	def validate_terms(self):
		if not self.terms:
			frappe.throw(_("Add at least one term."), title=_("Missing Terms"))
		self.terms.sort(key=lambda term: getdate(term.start_date))
		previous = None
		for index, term in enumerate(self.terms, start=1):
			term.idx = index
			start, end = getdate(term.start_date), getdate(term.end_date)
			if end < start:
				frappe.throw(
					_("Term {0} (row {1}): End Date {2} is before Start Date {3}.").format(
						frappe.bold(term.term_name), index, formatdate(end), formatdate(start)
					),
					title=_("Invalid Term Dates"),
				)
			if start < self.year_start or end > self.year_end:
				frappe.throw(
					_("Term {0} (row {1}) must fall within academic year {2} ({3} to {4}).").format(
						frappe.bold(term.term_name),
						index,
						self.academic_year,
						formatdate(self.year_start),
						formatdate(self.year_end),
					),
					title=_("Term Outside Academic Year"),
				)
			if previous and start <= getdate(previous.end_date):
				frappe.throw(
					_("Term {0} (row {1}) overlaps term {2}.").format(
						frappe.bold(term.term_name), index, frappe.bold(previous.term_name)
					),
					title=_("Overlapping Terms"),
				)
			previous = term

	def validate_closures(self):
		seen = set()
		for row in self.closures:
			day = getdate(row.closure_date)
			if day in seen:
				frappe.throw(
					_("Closure Day {0} (row {1}) is listed twice.").format(formatdate(day), row.idx),
					title=_("Duplicate Closure Day"),
				)
			seen.add(day)
			if not any(getdate(t.start_date) <= day <= getdate(t.end_date) for t in self.terms):
				frappe.throw(
					_("Closure Day {0} (row {1}) is not inside any term of {2}.").format(
						formatdate(day), row.idx, self.academic_year
					),
					title=_("Closure Day Outside Terms"),
				)

	def set_school_days(self):
		calendar = school_days.SchoolCalendar(
			terms=tuple((getdate(t.start_date), getdate(t.end_date)) for t in self.terms),
			closures=frozenset(getdate(row.closure_date) for row in self.closures),
			bank_holidays=get_bank_holidays(),
		)
		for term in self.terms:
			start = getdate(term.start_date)
			term.school_days = school_days.count_days(
				frappe.utils.add_days(start, -1), getdate(term.end_date), school_days.DayKind.SCHOOL, calendar
			)
		self.total_school_days = sum(term.school_days for term in self.terms)
