# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from decimal import Decimal

import frappe

from virtual_school.virtual_school.doctype.pp_plus_claim.test_pp_plus_claim import PPPlusTestCase
from virtual_school.virtual_school.report.pp_plus_budget.pp_plus_budget import execute


class TestPPPlusBudgetReport(PPPlusTestCase):
	def setUp(self):
		super().setUp()
		approved = self.to_review(self.claim(400))
		self.act(approved, "Approve", "Administrator")
		paid = self.to_review(self.claim(250))
		self.act(paid, "Approve", "Administrator")
		frappe.db.set_value("PP Plus Claim", paid.name, "workflow_state", "Paid")
		self.claim(999)  # a draft: not committed

	def test_child_row_and_totals_match_raw_sql(self):
		_columns, data, _message, chart = execute({"funding_year": self.year})
		row = next(row for row in data if row.child == self.child.name)
		self.assertEqual((row.approved, row.paid), (Decimal(400), Decimal(250)))
		self.assertEqual(row.remaining, Decimal("2104") - 650)
		raw = frappe.db.sql(
			"""select workflow_state, sum(amount) from `tabPP Plus Claim`
			where funding_year=%s group by workflow_state""",
			self.year,
		)
		by_state = {state: Decimal(str(total)) for state, total in raw}
		self.assertEqual(sum(row.approved for row in data), by_state.get("Approved", 0))
		self.assertEqual(sum(row.paid for row in data), by_state.get("Paid", 0))
		self.assertTrue(chart)

	def test_by_school(self):
		_columns, data, _message, _chart = execute({"funding_year": self.year, "group_by": "School"})
		self.assertTrue(any(row.paid == 250 for row in data))

	def test_needs_a_funding_year(self):
		frappe.db.set_single_value("Virtual School Settings", "current_funding_year", None)
		with self.assertRaises(frappe.ValidationError):
			execute({})
