"""Issue #21 item 2: Finance pays every school in one action (``pp_plus/payments.py``): one payment per school
for all its approved claims not yet on a payment, submitted when asked, as the Finance user."""

from datetime import date

import frappe

from virtual_school.pp_plus import payments
from virtual_school.tests.utils import caseworker, finance, head, make_child, make_placement
from virtual_school.virtual_school.doctype.pp_plus_claim.test_pp_plus_claim import PPPlusTestCase


class TestPaymentRun(PPPlusTestCase):
	def setUp(self):
		super().setUp()
		self.other_worker = caseworker(2)
		self.other_child = make_child("Wren", caseworker=self.other_worker, date_of_birth=date(2017, 2, 1))
		make_placement(self.other_child.name, self.other_school, date(2027, 1, 4))

	def approved(self, amount, **values):
		return self.act(self.to_review(self.claim(amount, **values)), "Approve", head())

	def approved_elsewhere(self, amount):
		claim = self.claim(
			amount, user=self.other_worker, child=self.other_child.name, school=self.other_school
		)
		claim = self.act(claim, "Submit Claim", self.other_worker)
		return self.act(self.act(claim, "Start Review", head()), "Approve", head())

	def run_as_finance(self, **values):
		frappe.set_user(finance())
		try:
			return payments.payment_run(
				**{
					"payment_date": "2027-11-02",
					"payment_reference": "BACS-2027-11",
					"funding_year": self.year,
				}
				| values
			)
		finally:
			frappe.set_user("Administrator")

	def claims_of(self, payment: str) -> set[str]:
		return set(frappe.get_all("PP Plus Payment Claim", {"parent": payment}, pluck="claim"))

	def test_one_payment_per_school_with_all_its_approved_claims(self):
		first, second = self.approved(300), self.approved(200)
		elsewhere = self.approved_elsewhere(150)
		draft = self.claim(100)  # not approved: never paid
		done = self.run_as_finance()
		self.assertEqual(len(done["payments"]), 2)
		self.assertEqual((done["claims"], done["total"]), (3, 650))
		by_school = {
			frappe.db.get_value("PP Plus Payment", name, "school"): name for name in done["payments"]
		}
		self.assertEqual(self.claims_of(by_school[self.school]), {first.name, second.name})
		self.assertEqual(self.claims_of(by_school[self.other_school]), {elsewhere.name})
		payment = frappe.get_doc("PP Plus Payment", by_school[self.school])
		self.assertEqual(
			(payment.docstatus, payment.total, payment.payment_reference, payment.owner),
			(0, 500, f"BACS-2027-11/{self.school}", finance()),
		)
		self.assertNotIn(draft.name, {claim for name in done["payments"] for claim in self.claims_of(name)})
		# drafts until Finance submits them: the claims stay Approved
		self.assertEqual(frappe.db.get_value("PP Plus Claim", first.name, "workflow_state"), "Approved")

	def test_a_second_run_leaves_out_claims_already_on_a_draft_payment(self):
		self.approved(300)
		first = self.run_as_finance()
		later = self.approved(50)
		frappe.set_user(finance())
		found = payments.payment_run_preview(self.year)
		frappe.set_user("Administrator")
		self.assertEqual([entry["claims"] for entry in found["schools"]], [[later.name]])
		self.assertEqual(found["on_drafts"], first["payments"])
		second = self.run_as_finance(payment_reference="BACS-2027-12")
		self.assertEqual(self.claims_of(second["payments"][0]), {later.name})
		with self.assertRaisesRegex(frappe.ValidationError, "No approved claims are waiting"):
			self.run_as_finance(payment_reference="BACS-2027-13")

	def test_submitted_at_once_the_claims_are_paid_with_a_remittance_advice(self):
		claim = self.approved(300)
		done = self.run_as_finance(submit=1)
		(name,) = done["payments"]
		self.assertEqual(frappe.db.get_value("PP Plus Payment", name, "docstatus"), 1)
		self.assertEqual(
			frappe.db.get_value("PP Plus Claim", claim.name, ["workflow_state", "payment"]), ("Paid", name)
		)
		self.assertTrue(frappe.get_all("File", filters={"attached_to_name": name}))

	def test_only_who_may_make_payments_runs_it(self):
		self.approved(300)
		for user in (self.worker, head()):  # the head reads payments but does not make them
			frappe.set_user(user)
			with self.assertRaises(frappe.PermissionError):
				payments.payment_run("2027-11-02", "BACS-X", self.year)
			with self.assertRaises(frappe.PermissionError):
				payments.payment_run_preview(self.year)
		frappe.set_user("Administrator")
		self.assertFalse(frappe.get_all("PP Plus Payment", {"funding_year": self.year}))

	def test_the_reference_is_required(self):
		self.approved(300)
		with self.assertRaisesRegex(frappe.ValidationError, "reference"):
			self.run_as_finance(payment_reference="  ")
