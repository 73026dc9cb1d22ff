# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from datetime import date
from functools import partial

import frappe
from frappe.model.workflow import WorkflowTransitionError, apply_workflow
from frappe.tests.utils import change_settings

from virtual_school.domain import pp_plus_budget
from virtual_school.tests.concurrency import run_meeting_at
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	finance,
	head,
	make_child,
	make_placement,
	make_school,
	make_user,
	manager,
)
from virtual_school.virtual_school.doctype.pp_plus_claim.pp_plus_claim import (
	ApprovalLimitError,
	OverAllocationError,
	SelfApprovalError,
)
from virtual_school.virtual_school.doctype.pp_plus_payment.pp_plus_payment import PPPlusPayment

YEAR = "2027-28"


def funding_year(**values):
	if not frappe.db.exists("PP Plus Funding Year", YEAR):
		frappe.get_doc(
			{
				"doctype": "PP Plus Funding Year",
				"label": YEAR,
				"rate_per_child": 2630,
				"top_slice_percent": 20,
				**values,
			}
		).insert()
	return YEAR


class PPPlusTestCase(VirtualSchoolTestCase):
	def setUp(self):
		self.year = funding_year()
		self.enterContext(change_settings("Virtual School Settings", {"manager_approval_limit": 1000}))
		self.school = make_school("990801", "Oak PP Primary")
		self.other_school = make_school("990802", "Elm PP Primary")
		self.worker = caseworker(1)
		self.child = make_child("Pip", caseworker=self.worker, date_of_birth=date(2018, 5, 1))
		make_placement(self.child.name, self.school, date(2027, 1, 4))

	def claim(self, amount=500, user=None, **values):
		frappe.set_user(user or self.worker)
		try:
			return frappe.get_doc(
				{
					"doctype": "PP Plus Claim",
					"child": self.child.name,
					"school": self.school,
					"funding_year": self.year,
					"claim_date": date(2027, 10, 1),
					"amount": amount,
					"category": "Tuition",
					"description": "Maths tuition, 10 sessions",
					**values,
				}
			).insert()
		finally:
			frappe.set_user("Administrator")

	def act(self, doc, action, user):
		frappe.set_user(user)
		try:
			return apply_workflow(frappe.get_doc("PP Plus Claim", doc.name), action)
		finally:
			frappe.set_user("Administrator")

	def to_review(self, doc):
		doc = self.act(doc, "Submit Claim", self.worker)
		return self.act(doc, "Start Review", manager())


class TestPPPlusClaim(PPPlusTestCase):
	def test_allocation_is_rate_less_top_slice(self):
		self.assertEqual(frappe.db.get_value("PP Plus Funding Year", self.year, "per_child_allocation"), 2104)

	def test_manager_approves_within_the_limit(self):
		doc = self.to_review(self.claim(500))
		doc = self.act(doc, "Approve", make_user("vs.manager2@example.test", "Virtual School Manager"))
		self.assertEqual(doc.workflow_state, "Approved")
		self.assertEqual(doc.approver, "vs.manager2@example.test")
		self.assertEqual(doc.term, "Autumn")
		letters = frappe.get_all("File", filters={"attached_to_name": doc.name}, pluck="file_name")
		self.assertTrue(any("decision" in name for name in letters))

	def test_above_the_limit_only_the_head_approves(self):
		doc = self.to_review(self.claim(1500))
		with self.assertRaises(ApprovalLimitError):
			self.act(doc, "Approve", make_user("vs.manager2@example.test", "Virtual School Manager"))
		doc = self.act(doc, "Approve", head())
		self.assertEqual(doc.workflow_state, "Approved")

	def test_nobody_approves_a_claim_they_raised(self):
		doc = self.claim(300, user=manager())
		doc = self.act(doc, "Submit Claim", manager())
		doc = self.act(doc, "Start Review", head())
		with self.assertRaisesRegex(frappe.ValidationError, "Self approval"):  # Frappe's own check
			self.act(doc, "Approve", manager())

	def test_nobody_approves_a_claim_they_submitted(self):
		doc = self.claim(300)
		doc = self.act(doc, "Submit Claim", manager())  # a manager submits the caseworker's draft
		doc = self.act(doc, "Start Review", head())
		with self.assertRaises(SelfApprovalError):
			self.act(doc, "Approve", manager())
		self.assertEqual(self.act(doc, "Approve", head()).workflow_state, "Approved")

	def test_finance_cannot_approve(self):
		doc = self.to_review(self.claim(200))
		# Finance reads approved and paid claims only: one under review is not even theirs to open
		with self.assertRaises(frappe.PermissionError):
			self.act(doc, "Approve", finance())
		self.assertEqual(frappe.db.get_value("PP Plus Claim", doc.name, "workflow_state"), "Under Review")

	def test_over_allocation_is_refused(self):
		first = self.to_review(self.claim(1000))
		self.act(first, "Approve", head())
		second = self.to_review(self.claim(1200))
		with self.assertRaises(OverAllocationError):
			self.act(second, "Approve", head())
		self.assertEqual(frappe.db.get_value("PP Plus Claim", second.name, "workflow_state"), "Under Review")

	def test_termly_cap(self):
		frappe.db.set_value("PP Plus Funding Year", self.year, "autumn_cap", 600)
		frappe.clear_document_cache("PP Plus Funding Year", self.year)
		first = self.to_review(self.claim(400))
		self.act(first, "Approve", head())
		second = self.to_review(self.claim(300))
		with self.assertRaisesRegex(OverAllocationError, "termly cap"):
			self.act(second, "Approve", head())

	def test_rejection_needs_a_reason(self):
		doc = self.to_review(self.claim(200))
		with self.assertRaises(WorkflowTransitionError):
			self.act(doc, "Reject", head())
		doc.decision_reason = "Already funded by the school"
		doc.save()
		doc = self.act(doc, "Reject", head())
		self.assertEqual(doc.workflow_state, "Rejected")

	def test_bad_input(self):
		with self.assertRaises(frappe.ValidationError):
			self.claim(0)
		with self.assertRaises(frappe.ValidationError):
			self.claim(-5)
		with self.assertRaisesRegex(frappe.ValidationError, "not on roll"):
			self.claim(100, school=self.other_school)
		with self.assertRaisesRegex(frappe.ValidationError, "outside funding year"):
			self.claim(100, claim_date=date(2028, 4, 2))
		plac = make_child("Plac", "Budget", cohort="Previously Looked After", date_of_birth=date(2018, 5, 2))
		with self.assertRaisesRegex(frappe.ValidationError, "looked-after"):
			self.claim(100, child=plac.name, user="Administrator")

	def test_return_for_information_and_resubmit(self):
		doc = self.to_review(self.claim(200))
		doc.decision_reason = "Which PEP target does this serve?"
		doc.save()
		doc = self.act(doc, "Return for Information", manager())
		self.assertEqual(doc.workflow_state, "Returned")
		doc.pep_target = "Reading age up by a year"
		doc.save()
		doc = self.act(doc, "Resubmit", self.worker)
		self.assertEqual(doc.workflow_state, "Submitted")

	def test_the_pep_must_be_the_childs(self):
		other = make_child("Other", date_of_birth=date(2018, 6, 1))
		pep = frappe.get_doc(
			{"doctype": "Personal Education Plan", "child": other.name, "due_date": date(2027, 10, 1)}
		).insert()
		with self.assertRaisesRegex(frappe.ValidationError, "is not"):
			self.claim(100, personal_education_plan=pep.name)

	def test_approved_amount_cannot_change(self):
		doc = self.to_review(self.claim(200))
		doc = self.act(doc, "Approve", head())
		doc.amount = 900
		with self.assertRaisesRegex(frappe.ValidationError, "cannot change"):
			doc.save()

	def test_finance_sees_only_approved_claims(self):
		draft = self.claim(100)
		approved = self.to_review(self.claim(150))
		self.act(approved, "Approve", head())
		frappe.set_user(finance())
		visible = set(frappe.get_list("PP Plus Claim", pluck="name"))
		self.assertIn(approved.name, visible)
		self.assertNotIn(draft.name, visible)


class TestPPPlusPayment(PPPlusTestCase):
	def approved(self, amount):
		doc = self.to_review(self.claim(amount))
		return self.act(doc, "Approve", head())

	def payment(self, *claims, reference="BACS-001"):
		frappe.set_user(finance())
		try:
			return frappe.get_doc(
				{
					"doctype": "PP Plus Payment",
					"school": self.school,
					"funding_year": self.year,
					"payment_date": date(2027, 11, 1),
					"payment_reference": reference,
					"claims": [{"claim": claim.name} for claim in claims],
				}
			).insert()
		finally:
			frappe.set_user("Administrator")

	def test_pay_cancel_and_pay_again(self):
		first, second = self.approved(300), self.approved(200)
		payment = self.payment(first, second)
		self.assertEqual(payment.total, 500)
		frappe.set_user(finance())
		payment.submit()
		self.assertEqual(frappe.db.get_value("PP Plus Claim", first.name, "workflow_state"), "Paid")
		self.assertTrue(frappe.get_all("File", filters={"attached_to_name": payment.name}))
		payment.cancel()
		self.assertEqual(
			frappe.db.get_value("PP Plus Claim", first.name, ["workflow_state", "payment"]),
			("Approved", None),
		)
		again = self.payment(first, reference="BACS-002")
		frappe.set_user(finance())
		again.submit()
		self.assertEqual(frappe.db.get_value("PP Plus Claim", first.name, "payment"), again.name)

	def test_a_claim_is_never_paid_twice(self):
		claim = self.approved(300)
		first = self.payment(claim)
		frappe.set_user(finance())
		first.submit()
		with self.assertRaises(frappe.ValidationError):
			self.payment(claim, reference="BACS-003")

	def test_only_approved_claims_can_be_paid(self):
		draft = self.claim(100)
		with self.assertRaisesRegex(frappe.ValidationError, "only approved"):
			self.payment(draft)

	def test_paid_claims_still_count_against_the_allocation(self):
		claim = self.approved(2000)
		payment = self.payment(claim)
		frappe.set_user(finance())
		payment.submit()
		frappe.set_user("Administrator")
		late = self.to_review(self.claim(200))
		with self.assertRaises(OverAllocationError):
			self.act(late, "Approve", head())


class TestConcurrentApproval(PPPlusTestCase):
	"""Two managers approve two claims for one child at the same moment, from two connections.

	The connections meet after reading the child's budget and before writing the approval
	(``run_meeting_at`` the budget check): without the child's row lock both read before either writes
	(and their locking reads deadlock); without the locking read the second, let through after the
	first commits, reads its old snapshot and over-commits.
	"""

	def setUp(self):
		super().setUp()
		self.first = self.to_review(self.claim(1000))
		self.second = self.to_review(self.claim(900))
		self.third = self.to_review(self.claim(800))
		frappe.db.commit()  # the other connections must see these

	def tearDown(self):
		frappe.set_user("Administrator")
		for name in (self.first.name, self.second.name, self.third.name):
			frappe.db.delete("File", {"attached_to_name": name})
			frappe.db.delete("PP Plus Claim", {"name": name})
		frappe.db.delete("Education Placement", {"child": self.child.name})
		frappe.db.delete("Child", {"name": self.child.name})
		frappe.db.commit()
		super().tearDown()

	def approve_concurrently(self, *claim_names) -> dict:
		"""Approve each claim from its own connection, as a different Virtual School Head, at once; the
		connections meet at the budget check."""
		approvers = [
			make_user(f"vs.head{number}@example.test", "Virtual School Head")
			for number in range(len(claim_names))
		]

		def approve(claim_name, user):
			frappe.set_user(user)
			apply_workflow(frappe.get_doc("PP Plus Claim", claim_name), "Approve")
			return "Approved"

		results = run_meeting_at(
			pp_plus_budget,
			"check_claim",
			*(partial(approve, name, user) for name, user in zip(claim_names, approvers, strict=True)),
		)
		return {
			name: result if isinstance(result, str) else type(result).__name__
			for name, result in zip(claim_names, results, strict=True)
		}

	def committed(self):
		return frappe.db.sql(
			"select coalesce(sum(amount), 0) from `tabPP Plus Claim` where child=%s and workflow_state in ('Approved','Paid')",
			self.child.name,
		)[0][0]

	def test_two_approvals_that_fit_both_go_through(self):
		outcomes = self.approve_concurrently(self.second.name, self.third.name)  # 900 + 800 <= 2,104
		self.assertEqual(sorted(outcomes.values()), ["Approved", "Approved"], outcomes)
		self.assertEqual(self.committed(), 1700)

	def test_a_later_approval_sees_concurrent_approvals(self):
		outcomes = self.approve_concurrently(
			self.first.name, self.second.name
		)  # 1,000 + 900, then 800 more is over 2,104
		self.assertEqual(sorted(outcomes.values()), ["Approved", "Approved"], outcomes)
		outcomes = self.approve_concurrently(self.third.name)
		self.assertEqual(list(outcomes.values()), ["OverAllocationError"], outcomes)
		self.assertLessEqual(self.committed(), 2104)

	def test_simultaneous_over_commit_is_impossible(self):
		frappe.db.set_value("PP Plus Claim", self.second.name, "amount", 1200)  # 1,000 + 1,200 > 2,104
		frappe.db.commit()
		outcomes = self.approve_concurrently(self.first.name, self.second.name)
		self.assertEqual(sorted(outcomes.values()), ["Approved", "OverAllocationError"], outcomes)
		self.assertLessEqual(self.committed(), 2104)


class TestConcurrentPayment(PPPlusTestCase):
	"""Two finance officers submit two payments of the same approved claim at the same moment.

	The connections meet after checking the claims and before marking them paid (``run_meeting_at``
	``set_claims_state``): without the lock on the claim rows both find the claim unpaid, every run.
	"""

	approved = TestPPPlusPayment.approved
	payment = TestPPPlusPayment.payment

	def setUp(self):
		super().setUp()
		self.approved_claim = self.approved(500)
		self.payments = [
			self.payment(self.approved_claim, reference=f"BACS-RACE-{number}") for number in (1, 2)
		]
		frappe.db.commit()  # the other connections must see these

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		for payment in self.payments:
			frappe.db.delete("File", {"attached_to_name": payment.name})
			frappe.db.delete("PP Plus Payment Claim", {"parent": payment.name})
			frappe.db.delete("PP Plus Payment", {"name": payment.name})
		frappe.db.delete("File", {"attached_to_name": self.approved_claim.name})
		frappe.db.delete("PP Plus Claim", {"name": self.approved_claim.name})
		frappe.db.delete("Education Placement", {"child": self.child.name})
		frappe.db.delete("Child", {"name": self.child.name})
		frappe.db.commit()
		super().tearDown()

	def test_a_claim_submitted_in_two_payments_at_once_is_paid_once(self):
		def submit(name):
			frappe.set_user(finance())
			frappe.get_doc("PP Plus Payment", name).submit()
			return "Submitted"

		results = run_meeting_at(
			PPPlusPayment, "set_claims_state", *(partial(submit, payment.name) for payment in self.payments)
		)
		outcomes = [r if isinstance(r, str) else type(r).__name__ for r in results]
		self.assertEqual(sorted(outcomes), ["DoublePaymentError", "Submitted"], outcomes)
		paid_by = frappe.db.get_value("PP Plus Claim", self.approved_claim.name, "payment")
		submitted = frappe.get_all(
			"PP Plus Payment",
			filters={"name": ["in", [p.name for p in self.payments]], "docstatus": 1},
			pluck="name",
		)
		self.assertEqual([paid_by], submitted)
