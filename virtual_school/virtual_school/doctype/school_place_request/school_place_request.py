# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from datetime import timedelta

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import formatdate, getdate, today

from virtual_school.admissions import place_requests
from virtual_school.admissions.vocabulary import PLACED
from virtual_school.calendar import clocks
from virtual_school.children.vocabulary import FULL_TIME, on_roll_on
from virtual_school.domain.in_year_outcome import OUTCOME_SCHOOL_DAYS
from virtual_school.domain.school_days import DayKind
from virtual_school.shared import settings

# SSFA 1998 s97A: 7 days to make representations after consultation; s97B: 7 days to refer a direction
# to the Schools Adjudicator after the notice. Calendar days (STATUTORY.md §3).
DIRECTION_REPRESENTATION_DAYS = 7
DIRECTION_REFERRAL_DAYS = 7
LA_MAY_DIRECT = "LA may direct"
ASK_SECRETARY_OF_STATE = "Ask the Secretary of State"


class SchoolPlaceRequest(Document):
	"""An in-year admission case for a child without a school place."""

	def validate(self):
		self.validate_child_needs_a_place()
		self.validate_approaches()
		self.set_reg10_flags()
		self.set_clocks()
		self.validate_direction_route()
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

	def set_reg10_flags(self):
		"""CPPCR 2010 reg 10: a care placement move disrupting a KS4 pupil's education needs approval first."""
		self.reg10_required = int(self.reason == "Care placement move" and self.key_stage == "KS4")
		approved = bool(
			self.nominated_officer
			and self.reg10_approved_on
			and self.designated_teacher_consulted
			and self.iro_consulted
		)
		self.reg10_satisfied = int(not self.reg10_required or approved)

	def set_clocks(self):
		target = settings.get().place_target_school_days
		self.target_date = safe_add_days(self.date_needed, target, DayKind.SCHOOL)
		self.days_without_place = place_requests.days_without_place(
			self.date_needed, self.start_date, getdate(today()), clocks.get_school_calendar()
		)
		self.days_beyond_target = max(0, self.days_without_place - target)
		self.representations_due = (
			getdate(self.direction_consulted_on) + timedelta(days=DIRECTION_REPRESENTATION_DAYS)
			if self.direction_consulted_on
			else None
		)
		self.direction_effective_on = (
			getdate(self.direction_notice_on) + timedelta(days=DIRECTION_REFERRAL_DAYS)
			if self.direction_notice_on
			else None
		)

	def validate_direction_route(self):
		route = self.refusing_school and frappe.db.get_value(
			"School", self.refusing_school, "admissions_route"
		)
		if self.direction_consulted_on and route != LA_MAY_DIRECT:
			frappe.throw(
				_(
					"The local authority cannot direct {0} to admit: its admissions route is {1}. "
					"For an academy or free school, refer the case to the Secretary of State instead."
				).format(frappe.bold(self.refusing_school), route or _("unknown")),
				title=_("Direction Not Possible"),
			)
		if self.secretary_of_state_referred_on and route != ASK_SECRETARY_OF_STATE:
			frappe.throw(
				_(
					"{0} is not an academy or free school: the local authority directs it itself (s97A) "
					"rather than referring to the Secretary of State."
				).format(frappe.bold(self.refusing_school)),
				title=_("Referral Not Needed"),
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
