# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.query_builder import Criterion
from frappe.utils import formatdate, getdate

from virtual_school.children.placements import refresh_current_school
from virtual_school.children.vocabulary import FULL_TIME


class OverlappingPlacementError(frappe.ValidationError):
	pass


class EducationPlacement(Document):
	"""A child on a school's roll between two dates. The child's current school is derived from these."""

	def validate(self):
		self.validate_dates()
		self.validate_no_overlapping_full_time_placement()

	def on_update(self):
		refresh_current_school([self.child])
		before = self.get_doc_before_save()
		if before and before.child != self.child:
			refresh_current_school([before.child])

	def after_delete(self):
		# Placements are closed with an end date; only a System Manager can delete one.
		refresh_current_school([self.child])

	def validate_dates(self):
		date_of_birth = frappe.db.get_value("Child", self.child, "date_of_birth")
		if date_of_birth and getdate(self.start_date) < getdate(date_of_birth):
			frappe.throw(
				_("Start Date {0} is before the child's Date of Birth.").format(formatdate(self.start_date)),
				title=_("Invalid Placement Dates"),
			)
		if self.end_date and getdate(self.end_date) < getdate(self.start_date):
			frappe.throw(
				_("End Date {0} is before Start Date {1}.").format(
					formatdate(self.end_date), formatdate(self.start_date)
				),
				title=_("Invalid Placement Dates"),
			)
		if not self.end_date:
			self.reason_for_leaving = None

	def validate_no_overlapping_full_time_placement(self):
		if self.attendance_basis != FULL_TIME:
			return
		placement = frappe.qb.DocType("Education Placement")
		conditions = [
			placement.child == self.child,
			placement.attendance_basis == FULL_TIME,
			placement.name != (self.name or ""),
			(placement.end_date.isnull()) | (placement.end_date >= self.start_date),
		]
		if self.end_date:
			conditions.append(placement.start_date <= self.end_date)
		clash = (
			frappe.qb.from_(placement)
			.select(placement.name, placement.school_name, placement.start_date, placement.end_date)
			.where(Criterion.all(conditions))
			.limit(1)
			.run(as_dict=True)
		)
		if clash:
			other = clash[0]
			frappe.throw(
				_(
					"This full-time placement overlaps full-time placement {0} at {1} ({2} to {3}). "
					"End that placement first."
				).format(
					frappe.bold(other.name),
					other.school_name,
					formatdate(other.start_date),
					formatdate(other.end_date) if other.end_date else _("no end date"),
				),
				exc=OverlappingPlacementError,
				title=_("Overlapping Placements"),
			)
