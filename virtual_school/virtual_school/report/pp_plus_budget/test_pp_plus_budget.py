# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from datetime import date
from decimal import Decimal

import frappe
from frappe.tests.utils import change_settings
from frappe.utils import getdate, today

from virtual_school.domain import school_days
from virtual_school.tests.utils import make_child, make_placement
from virtual_school.virtual_school.doctype.pp_plus_claim.test_pp_plus_claim import PPPlusTestCase
from virtual_school.virtual_school.report.pp_plus_budget.pp_plus_budget import execute


def born_in(year_group: int) -> date:
	"""A birth date putting a child in ``year_group`` (0 Reception ... 13) today."""
	start = school_days.academic_year_bounds(school_days.academic_year_of(getdate(today())))[0]
	return date(start.year - year_group - 4, 1, 15)


class TestPPPlusBudgetReport(PPPlusTestCase):
	def setUp(self):
		super().setUp()
		approved = self.to_review(self.claim(400))
		self.act(approved, "Approve", "Administrator")
		paid = self.to_review(self.claim(250))
		self.act(paid, "Approve", "Administrator")
		frappe.db.set_value("PP Plus Claim", paid.name, "workflow_state", "Paid")
		self.claim(999)  # a draft: not committed

	def other_children(self) -> str:
		"""Looked after in Year 3 at Elm (allocated, no claims); and three with no allocation and no claims:
		a looked-after child in Year 12, a closed case, a child with a social worker. Returns the first."""
		allocated = make_child("Una", "Budget", caseworker=self.worker, date_of_birth=born_in(3))
		make_placement(allocated.name, self.other_school, date(2026, 9, 1))
		make_child("Vic", "Budget", date_of_birth=born_in(12))
		closed = make_child("Wyn", "Budget", date_of_birth=born_in(4))
		frappe.db.set_value("Child", closed.name, {"status": "Closed", "workflow_state": "Closed"})
		make_child("Xan", "Budget", cohort="Child with a Social Worker", date_of_birth=born_in(4))
		return allocated.name

	def test_child_rows_worked_out_by_hand(self):
		allocated = self.other_children()
		_columns, data, _message, chart = execute({"funding_year": self.year})
		ours = [
			(row.child, row.allocation, row.approved, row.paid, row.remaining)
			for row in data
			if row.child_name.endswith(("Budget", self.child.last_name))
		]
		# 2027-28: £2,630 a child less a 20% top-slice = £2,104 each for looked-after children in
		# Reception to Year 11. Pip: £400 approved, £250 paid (the £999 draft is not committed), £1,454
		# left. Una: nothing claimed. The others have no allocation and no claims: no row. Most committed
		# first.
		self.assertEqual(
			ours,
			[
				(self.child.name, Decimal(2104), Decimal(400), Decimal(250), Decimal(1454)),
				(allocated, Decimal(2104), Decimal(0), Decimal(0), Decimal(2104)),
			],
		)
		self.assertTrue(chart)

	def test_school_rows_worked_out_by_hand(self):
		self.other_children()
		make_placement(self.child.name, self.school, date(2026, 9, 1), date(2027, 1, 3))  # Oak until then too
		_columns, data, _message, _chart = execute({"funding_year": self.year, "group_by": "School"})
		ours = [
			(row.school, row.children, row.allocation, row.approved, row.paid, row.remaining)
			for row in data
			if row.school in (self.school, self.other_school)
		]
		self.assertEqual(
			ours,
			[
				(self.school, 1, Decimal(2104), Decimal(400), Decimal(250), Decimal(1454)),  # Pip
				(self.other_school, 1, Decimal(2104), Decimal(0), Decimal(0), Decimal(2104)),  # Una
			],
		)

	@change_settings("Virtual School Settings", {"current_funding_year": None})
	def test_needs_a_funding_year(self):
		"""No year in the filters or the settings: the year open today (pp_plus.vocabulary), else none."""
		with self.freeze_time(date(2027, 10, 1)):  # inside the fixture's funding year
			self.assertEqual(execute({})[1], execute({"funding_year": self.year})[1])
		with self.freeze_time(date(2099, 10, 1)), self.assertRaises(frappe.ValidationError):
			execute({})
