"""Issue #21, "wrong figures and dead ends": each workflow state says what to do next (``shared/next_step.py``),
the place is pre-filled from the school's offer, a new PEP is due at the next obligation it can still meet, and
the payment form's *Add All Approved Claims* works before any save. Browser: ``tests/web/test_next_step.py``."""

import json
from datetime import date

import frappe
from frappe.model.workflow import apply_workflow
from frappe.tests.utils import change_settings

from virtual_school.pp_plus import payments
from virtual_school.shared import next_step
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	finance,
	head,
	make_child,
	make_placement,
	make_school,
	make_school_calendar,
	manager,
)
from virtual_school.virtual_school.doctype.pp_plus_claim.test_pp_plus_claim import PPPlusTestCase

TERMS = [
	{"term_name": "Autumn 1", "start_date": date(2033, 9, 1), "end_date": date(2033, 10, 21)},
	{"term_name": "Autumn 2", "start_date": date(2033, 10, 31), "end_date": date(2033, 12, 16)},
	{"term_name": "Spring 1", "start_date": date(2034, 1, 4), "end_date": date(2034, 2, 10)},
]
COUNCIL_SETTINGS = {
	"la": "886",
	"academy_direction_commenced_on": None,
	"special_academy_direction_commenced_on": None,
}


def app_workflows() -> list:
	"""Every active workflow on a doctype of the app, read from the site (new ones are covered unedited)."""
	doctypes = frappe.get_all("DocType", filters={"module": "Virtual School"}, pluck="name")
	return [
		frappe.get_doc("Workflow", name)
		for name in frappe.get_all(
			"Workflow", filters={"document_type": ["in", doctypes], "is_active": 1}, pluck="name"
		)
	]


class TestWorkflowConditionsAreExplained(VirtualSchoolTestCase):
	def test_every_condition_names_fields_the_doctype_has(self):
		"""A condition's reason is the label of each field it reads: every one must exist, so none is silent."""
		workflows = app_workflows()
		self.assertTrue(workflows)
		used = set()
		for workflow in workflows:
			meta = frappe.get_meta(workflow.document_type)
			for transition in workflow.transitions:
				if not transition.condition:
					continue
				for term in next_step.condition_terms(transition.condition):
					for field in next_step.doc_fields(term):
						used.add((workflow.document_type, field))
						with self.subTest(doctype=workflow.document_type, condition=transition.condition):
							self.assertTrue(meta.has_field(field), field)
		self.assertLessEqual(set(next_step.NEEDS), used, "a NEEDS phrase for a field no condition reads")


class TestNextStep(VirtualSchoolTestCase):
	def setUp(self):
		super().setUp()
		make_school_calendar("2033-34", TERMS)
		self.enterContext(change_settings("Virtual School Settings", COUNCIL_SETTINGS))
		self.worker = caseworker(1)
		self.school = make_school("990951", "Next Step Primary")
		self.child = make_child(
			"Nell", caseworker=self.worker, date_of_birth=date(2024, 5, 1), date_entered_care=date(2033, 8, 1)
		)

	def request_values(self, **values) -> dict:
		return {
			"doctype": "School Place Request",
			"child": self.child.name,
			"date_needed": date(2033, 9, 5),
			"reason": "Entered care",
			**values,
		}

	def ask(self, values: dict, user: str | None = None) -> dict:
		frappe.set_user(user or self.worker)
		try:
			return next_step.next_step(json.dumps(values, default=str))
		finally:
			frappe.set_user("Administrator")

	def test_a_new_request_says_to_add_the_school_to_approach(self):
		found = self.ask(self.request_values(__islocal=1))
		self.assertEqual(found["state"], "Draft")
		self.assertEqual(found["ready"], [])
		self.assertEqual(list(found["blocked"]), ["Request Place"])
		self.assertIn("the schools to approach", found["message"])
		ready = self.ask(
			self.request_values(__islocal=1, approaches=[{"school": self.school, "date_asked": "2033-09-05"}])
		)
		self.assertEqual((ready["ready"], ready["blocked"]), (["Request Place"], {}))
		self.assertIn("save, then Request Place", ready["message"])

	def test_each_state_of_a_request_says_what_comes_next(self):
		frappe.set_user(self.worker)
		doc = frappe.get_doc(
			self.request_values(approaches=[{"school": self.school, "date_asked": date(2033, 9, 5)}])
		).insert()
		doc = apply_workflow(doc, "Request Place")
		frappe.set_user("Administrator")
		found = self.ask(doc.as_dict())
		self.assertEqual(found["state"], "Requested")
		self.assertEqual(set(found["blocked"]), {"Record Offer", "Record Refusal"})
		self.assertIn("Offered in Schools Approached", found["message"])
		# a manager also may withdraw: ready, beside what the others need
		self.assertIn("Withdraw", self.ask(doc.as_dict(), manager())["ready"])

		doc.approaches[0].response = "Offered"
		doc.approaches[0].response_date = date(2033, 9, 8)
		doc.save()
		# the offer fills the place: the admitting school and the first school day after the offer
		self.assertEqual((doc.admitting_school, str(doc.start_date)), (self.school, "2033-09-09"))
		frappe.set_user(self.worker)
		doc = apply_workflow(doc, "Record Offer")
		frappe.set_user("Administrator")
		self.assertEqual(self.ask(doc.as_dict())["ready"], ["Place Child"])
		# the form's values, not yet saved, are what the step follows; the state is the stored one
		cleared = {**doc.as_dict(), "start_date": None, "workflow_state": "Draft", "__unsaved": 1}
		found = self.ask(cleared)
		self.assertEqual((found["state"], found["blocked"]), ("Offered", {"Place Child": ["Start Date"]}))

	def test_an_offer_never_overwrites_what_the_caseworker_typed(self):
		other = make_school("990952", "Chosen Primary")
		frappe.set_user(self.worker)
		doc = frappe.get_doc(
			self.request_values(
				approaches=[
					{"school": self.school, "date_asked": date(2033, 9, 5), "response": "Offered"},
				],
				admitting_school=other,
			)
		).insert()
		self.assertEqual((doc.admitting_school, doc.start_date), (other, None))

	def test_a_step_for_another_role_says_whose_it_is(self):
		frappe.set_user("Administrator")
		make_placement(self.child.name, self.school, date(2033, 9, 1))
		frappe.set_user(self.worker)
		pep = frappe.get_doc(
			{
				"doctype": "Personal Education Plan",
				"child": self.child.name,
				"meeting_date": date(2033, 9, 20),
				"child_views": "I like reading with my carer.",
				"targets": [{"area": "Reading and writing", "target": "Read daily"}],
			}
		).insert()
		pep = apply_workflow(pep, "Submit PEP")
		found = self.ask(pep.as_dict())
		self.assertEqual(found["ready"], [])
		self.assertEqual(set(found["waiting"]), {"Start QA"})
		self.assertIn(
			"Waiting for Virtual School Manager or Virtual School Head to Start QA", found["message"]
		)
		frappe.set_user(manager())
		pep = apply_workflow(frappe.get_doc("Personal Education Plan", pep.name), "Start QA")
		found = self.ask(pep.as_dict(), manager())
		self.assertEqual(found["blocked"], {"Approve": ["QA Rating"], "Return for Changes": ["QA Comments"]})

	def test_only_records_the_user_may_read(self):
		theirs = make_child(
			"Other",
			caseworker=caseworker(2),
			date_of_birth=date(2024, 6, 1),
			date_entered_care=date(2033, 8, 1),
		)
		frappe.set_user(caseworker(2))
		doc = frappe.get_doc(
			{
				**self.request_values(child=theirs.name),
				"approaches": [{"school": self.school, "date_asked": date(2033, 9, 5)}],
			}
		).insert()
		frappe.set_user("Administrator")
		with self.assertRaises(frappe.PermissionError):
			self.ask(doc.as_dict())
		# a new PEP's due date and missed obligations are the child's record: not for another caseload
		with self.assertRaises(frappe.PermissionError):
			self.ask({"doctype": "Personal Education Plan", "__islocal": 1, "child": theirs.name})
		with self.assertRaises(frappe.PermissionError):
			self.ask(self.request_values(__islocal=1), finance())  # finance creates no request


class TestNewPepDue(VirtualSchoolTestCase):
	"""A child in care since long before the calendar, with no PEP: the initial PEP (20 working days after
	entering care) was missed years ago. A PEP opened now is due this term, the missed one shown as missed."""

	def setUp(self):
		super().setUp()
		make_school_calendar("2033-34", TERMS)
		self.worker = caseworker(1)
		self.child = make_child(
			"Pia",
			caseworker=self.worker,
			date_of_birth=date(2024, 3, 1),
			date_entered_care=date(2029, 9, 3),
		)
		self.enterContext(self.freeze_time("2033-11-10"))

	def test_a_new_pep_is_due_by_the_next_obligation_it_can_meet(self):
		frappe.set_user(self.worker)
		pep = frappe.get_doc({"doctype": "Personal Education Plan", "child": self.child.name}).insert()
		# Autumn 1 and 2 joined: reviewed by the last school day of the autumn term
		self.assertEqual(str(pep.due_date), "2033-12-16")
		self.assertIn("Termly", pep.due_rule)

	def test_the_form_says_when_it_will_be_due_and_what_was_missed(self):
		frappe.set_user(self.worker)
		found = next_step.next_step(
			{"doctype": "Personal Education Plan", "__islocal": 1, "child": self.child.name}
		)
		self.assertIn("This PEP will be due by 16-12-2033", found["message"])
		self.assertIn("Missed: the PEP due by 01-10-2029", found["message"])  # 3 Sep 2029 + 20 working days


class TestPayableClaims(PPPlusTestCase):
	def test_add_all_approved_claims_before_any_save(self):
		approved = self.act(self.to_review(self.claim(300)), "Approve", head())
		draft = self.claim(100)
		frappe.set_user(finance())
		found = payments.payable_claims(self.school, self.year)
		self.assertEqual(found, {"funding_year": self.year, "claims": [approved.name]})
		self.assertNotIn(draft.name, found["claims"])
		self.assertEqual(payments.payable_claims(self.other_school, self.year)["claims"], [])
		frappe.set_user(self.worker)
		with self.assertRaises(frappe.PermissionError):
			payments.payable_claims(self.school, self.year)
