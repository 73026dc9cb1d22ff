# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from datetime import date
from unittest.mock import patch

import frappe
from frappe.model.workflow import apply_workflow

from virtual_school.pp_plus.impact import run_daily
from virtual_school.virtual_school.doctype.pp_plus_claim.test_pp_plus_claim import PPPlusTestCase
from virtual_school.virtual_school.report.pp_plus_impact_overdue.pp_plus_impact_overdue import execute


class TestPPPlusImpactReport(PPPlusTestCase):
	def setUp(self):
		super().setUp()
		frappe.get_doc(
			{
				"doctype": "School Contact",
				"school": self.school,
				"full_name": "Dee Teacher",
				"email": "dt.oak@example.test",
			}
		).insert()
		self.funded = self.act(self.to_review(self.claim(300)), "Approve", "Administrator")
		self.claim(100)  # a draft is not reported on

	def report_for_autumn(self):
		return frappe.get_value(
			"PP Plus Impact Report",
			{"school": self.school, "funding_year": self.year, "term": "Autumn"},
			"name",
		)

	def test_requested_after_the_term_once(self):
		self.assertEqual(run_daily(date(2027, 12, 15))["requested"], [])  # the term has not ended
		first = run_daily(date(2028, 1, 3))
		self.assertEqual(len(first["requested"]), 1)
		self.assertEqual(run_daily(date(2028, 1, 3))["requested"], [])
		report = frappe.get_doc("PP Plus Impact Report", first["requested"][0])
		self.assertEqual([row.claim for row in report.rows], [self.funded.name])
		self.assertGreater(report.due_date, date(2027, 12, 31))

	def test_reminds_once_then_escalates_when_overdue(self):
		run_daily(date(2028, 1, 3))
		name = self.report_for_autumn()
		due = frappe.db.get_value("PP Plus Impact Report", name, "due_date")
		with patch("frappe.sendmail") as sendmail:
			self.assertEqual(run_daily(due)["reminded"], [name])
			self.assertEqual(run_daily(due)["reminded"], [])
		sendmail.assert_called_once()
		self.assertEqual(sendmail.call_args.kwargs["recipients"], ["dt.oak@example.test"])
		late = frappe.utils.add_days(due, 3)
		escalated = run_daily(late)["escalated"]
		self.assertEqual(len(escalated), 1)
		self.assertEqual(run_daily(late)["escalated"], [])
		_columns, rows = execute({"on_date": late})
		# The one overdue report: Oak's for the autumn term, for the £300 approved claim (the £100 draft
		# is not on it), reminded on its due date, escalated once (level 1) three days after it.
		ours = [row for row in rows if row.school == self.school]
		self.assertEqual(
			[(row.report, row.funding_year, row.term, row.due_date, row.claims, row.funding) for row in ours],
			[(name, self.year, "Autumn", due, 1, 300)],
		)
		self.assertEqual((ours[0].reminded_on, ours[0].escalation_level), (due, 1))
		self.assertGreaterEqual(ours[0].days_overdue, 1)

	def test_submission_needs_every_row_completed(self):
		run_daily(date(2028, 1, 3))
		report = frappe.get_doc("PP Plus Impact Report", self.report_for_autumn())
		with self.assertRaisesRegex(frappe.ValidationError, "what was done"):
			apply_workflow(report, "Submit Report")
		report.reload()
		report.rows[0].what_was_done = "Twelve tuition sessions"
		report.rows[0].impact = "Now at the expected standard in fractions"
		report.rows[0].target_met = "Met"
		report.save()
		report = apply_workflow(report, "Submit Report")
		self.assertEqual(report.workflow_state, "Submitted")
		self.assertEqual(execute({"on_date": date(2029, 1, 1)})[1], [])

	def test_a_claim_from_another_school_is_refused(self):
		run_daily(date(2028, 1, 3))
		report = frappe.get_doc("PP Plus Impact Report", self.report_for_autumn())
		report.school = self.other_school
		with self.assertRaisesRegex(frappe.ValidationError, "not a Autumn term"):
			report.save()
