# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from datetime import timedelta

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import formatdate, getdate, today

from virtual_school.admissions import place_requests, reg10, routes
from virtual_school.admissions.vocabulary import PLACED
from virtual_school.calendar import clocks
from virtual_school.children.vocabulary import FULL_TIME, on_roll_on
from virtual_school.domain.in_year_outcome import OUTCOME_SCHOOL_DAYS
from virtual_school.domain.school_days import DayKind
from virtual_school.shared import settings


class SchoolPlaceRequest(Document):
	"""An in-year admission case for a child without a school place."""

	def validate(self):
		self.validate_child_needs_a_place()
		self.validate_approaches()
		self.prefill_outcome_from_offer()
		self.set_reg10_flags()
		self.set_clocks()
		self.validate_direction_route()
		self.validate_ehcp_consultation()
		self.validate_outcome()

	def on_update(self):
		if self.workflow_state == PLACED and not self.education_placement:
			self.create_education_placement()

	def validate_child_needs_a_place(self):
		if not (self.is_new() or self.has_value_changed("date_needed") or self.has_value_changed("child")):
			return
		placement = frappe.qb.DocType("Education Placement")
		current = (
			frappe.qb.from_(placement)
			.select(placement.name, placement.school_name, placement.start_date)
			.where(
				(placement.child == self.child)
				& (placement.attendance_basis == FULL_TIME)
				& on_roll_on(placement, self.date_needed)
			)
			.limit(1)
			.run(as_dict=True)
		)
		if current:
			frappe.throw(
				_(
					"{0} has a full-time place at {1} on {2} (placement {3}). End that placement first, "
					"or change the Date Needed."
				).format(
					self.child_name or self.child,
					current[0].school_name,
					formatdate(self.date_needed),
					current[0].name,
				),
				title=_("Child Already Has a School Place"),
			)

	def validate_approaches(self):
		for row in self.approaches:
			if row.response_date and getdate(row.response_date) < getdate(row.date_asked):
				frappe.throw(
					_("Schools Approached row {0} ({1}): Response Date {2} is before Date Asked {3}.").format(
						row.idx,
						row.school_name or row.school,
						formatdate(row.response_date),
						formatdate(row.date_asked),
					),
					title=_("Invalid Response Date"),
				)
			if row.response != "Awaiting" and not row.response_date:
				row.response_date = today()
			if row.response == "Refused" and not (row.refusal_reason or "").strip():
				frappe.throw(
					_("Schools Approached row {0} ({1}): give the reason the school refused.").format(
						row.idx, row.school_name or row.school
					),
					title=_("Refusal Reason Needed"),
				)
			row.outcome_due = safe_add_days(row.date_asked, OUTCOME_SCHOOL_DAYS, DayKind.SCHOOL)
		self.has_offer = int(any(row.response == "Offered" for row in self.approaches))
		self.has_refusal = int(any(row.response == "Refused" for row in self.approaches))
		if not self.refusing_school:
			refused = [row.school for row in self.approaches if row.response == "Refused"]
			self.refusing_school = refused[-1] if refused else None

	def prefill_outcome_from_offer(self):
		"""Issue #21: "Place Child" needs the admitting school and start date, which the caseworker had to
		retype after a school offered. Both come from the offer (the latest school that answered Offered):
		its school, and the first school day after the offer, not before the date needed. Never overwrites."""
		offers = [row for row in self.approaches if row.response == "Offered"]
		if not offers:
			return
		offer = offers[-1]
		if not self.admitting_school:
			self.admitting_school = offer.school
			self.admitting_school_name = offer.school_name or frappe.db.get_value(
				"School", offer.school, "school_name"
			)
		if not self.start_date and self.admitting_school == offer.school and offer.offered_start_date:
			self.start_date = offer.offered_start_date  # the day the school offered (the portal asks it)
		elif not self.start_date and self.admitting_school == offer.school:
			answered = getdate(offer.response_date or today())
			needed = getdate(self.date_needed) if self.date_needed else answered
			self.start_date = safe_add_days(max(answered, needed - timedelta(days=1)), 1, DayKind.SCHOOL)

	def set_reg10_flags(self):
		"""CPPCR 2010 reg 10: a warning and a flag from the child's Care Placement Move, never a block."""
		reg10.set_request_flags(self)

	def set_clocks(self):
		target = settings.get().place_target_school_days
		self.target_date = safe_add_days(self.date_needed, target, DayKind.SCHOOL)
		self.days_without_place = place_requests.days_without_place(
			self.date_needed, self.start_date, getdate(today()), clocks.get_school_calendar()
		)
		self.days_beyond_target = max(0, self.days_without_place - target)
		# s97B(1) representations, notice, s97C adjudicator window, EHC plan response (admissions.routes)
		routes.set_clocks(self)

	def validate_direction_route(self):
		"""The route (who may be directed, who the admission authority is, academies from the Settings date)
		and the direction sequence's dates: refused here, because the workflow's conditions only hide actions."""
		decision = routes.set_route(self)
		routes.check_request(self, decision)

	def validate_ehcp_consultation(self):
		if (
			self.ehcp_response_on
			and self.ehcp_consulted_on
			and getdate(self.ehcp_response_on) < getdate(self.ehcp_consulted_on)
		):
			frappe.throw(
				_("The school's response ({0}) is before the EHC plan consultation ({1}).").format(
					formatdate(self.ehcp_response_on), formatdate(self.ehcp_consulted_on)
				),
				title=_("Invalid Response Date"),
			)

	def validate_outcome(self):
		if self.start_date and getdate(self.start_date) < getdate(self.date_needed) - timedelta(days=366):
			frappe.throw(
				_("Start Date is more than a year before the Date Needed."), title=_("Invalid Start Date")
			)

	def create_education_placement(self):
		placement = frappe.get_doc(
			{
				"doctype": "Education Placement",
				"child": self.child,
				"school": self.admitting_school,
				"start_date": self.start_date,
				"attendance_basis": FULL_TIME,
				"notes": _("Created when school place request {0} was placed.").format(self.name),
			}
		).insert(ignore_permissions=True)
		self.db_set("education_placement", placement.name)


def safe_add_days(start, days: int, kind: DayKind):
	"""The due date, or None when the school calendar does not reach that far yet."""
	if not start:
		return None
	try:
		return clocks.add_days(start, days, kind)
	except ValueError:
		return None
