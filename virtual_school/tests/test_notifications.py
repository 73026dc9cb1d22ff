"""Issue #21: the notifications that need action arrive, by e-mail and in the bell, and each can be turned off.

The app ships standard Notification records (``virtual_school/virtual_school/notification/``). Each case below
makes its event happen the way the app makes it (the escalation ladder, a workflow action, the school's answer
in the portal, a new record) and reads Frappe's Email Queue for the e-mail. A user who turned e-mail
notifications off in Frappe's Notification Settings gets none (``shared/notifications.py``). Every standard
Notification of the module must have a case here: one added next year without a test fails
``test_every_shipped_notification_is_tested``.
"""

from datetime import date
from unittest.mock import patch

import frappe
from frappe.model.workflow import apply_workflow
from frappe.utils import add_days, today

from virtual_school.escalations.services import run_daily_sweep
from virtual_school.portal import actions as portal_actions
from virtual_school.setup import roles
from virtual_school.tests.test_late_answers_reg10_letters import PlaceRequestCase
from virtual_school.tests.test_portal_actions import ensure_open_funding_year
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	head,
	make_child,
	make_placement,
	make_school,
	make_school_contact,
	make_user,
	manager,
)

SCHOOL_USER = "notify.school@school.test"


def keep_test_uncommitted(case) -> None:
	"""With an outgoing account, Frappe e-mails a bell entry (an assignment) at once in tests, and marks the
	Email Queue row sent with ``frappe.db.commit``: that would commit the test's records and the account.
	The commit is a no-op for the test, so its rollback still undoes everything."""
	commit = patch.object(frappe.db, "commit")
	commit.start()
	case.addCleanup(commit.stop)


class TestNotifications(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(SCHOOL_USER, roles.SCHOOL_PORTAL_USER, website_user=True)

	def setUp(self):
		super().setUp()
		keep_test_uncommitted(self)
		# an outgoing account, so Frappe queues the mail (rolled back with the test)
		frappe.db.set_value(
			"Email Account",
			"Notifications",
			{"enable_outgoing": 1, "default_outgoing": 1, "smtp_server": "localhost", "smtp_port": 25},
		)
		frappe.local.outgoing_email_account = {}
		frappe.clear_cache(doctype="Notification")
		self.worker = caseworker(1)
		self.school = make_school("990771", "Notify Primary")
		make_school_contact(SCHOOL_USER, self.school)
		self.child = make_child("Nell", caseworker=self.worker)
		make_placement(self.child.name, self.school, add_days(today(), -60))

	def tearDown(self):
		frappe.local.outgoing_email_account = {}
		super().tearDown()

	# the events ------------------------------------------------------------------------------
	def escalation_assigned(self):
		doc = frappe.get_doc(
			{
				"doctype": "Escalation",
				"reference_doctype": "Child",
				"reference_name": self.child.name,
				"reason": "No school place offered",
			}
		).insert()
		return doc, self.worker  # level 1: the child's caseworker holds it

	def claim_to_decide(self):
		year = ensure_open_funding_year()
		doc = frappe.get_doc(
			{
				"doctype": "PP Plus Claim",
				"child": self.child.name,
				"school": self.school,
				"funding_year": year,
				"claim_date": today(),
				"amount": 120,
				"category": "Tuition",
				"description": "Reading tuition",
			}
		).insert()
		frappe.set_user(self.worker)
		doc = apply_workflow(frappe.get_doc("PP Plus Claim", doc.name), "Submit Claim")
		frappe.set_user("Administrator")
		return doc, manager()

	def pep_returned(self):
		doc = frappe.get_doc(
			{
				"doctype": "Personal Education Plan",
				"child": self.child.name,
				"school": self.school,
				"due_date": add_days(today(), 10),
			}
		).insert()
		doc.db_set({"workflow_state": "QA Review", "qa_comments": "Targets need dates."})
		frappe.set_user(manager())
		doc = apply_workflow(frappe.get_doc("Personal Education Plan", doc.name), "Return for Changes")
		frappe.set_user("Administrator")
		return doc, self.worker

	def school_answered(self):
		doc = frappe.get_doc(
			{
				"doctype": "School Place Request",
				"child": make_child("Nia", caseworker=self.worker).name,
				"date_needed": today(),
				"reason": "Entered care",
				"approaches": [{"school": self.school, "date_asked": today(), "response": "Awaiting"}],
			}
		).insert()
		doc = apply_workflow(doc, "Request Place")
		frappe.set_user(SCHOOL_USER)
		portal_actions.answer_place_request(doc.name, doc.approaches[0].name, "Offered")
		frappe.set_user("Administrator")
		return doc, self.worker

	def exclusion_notified(self):
		doc = frappe.get_doc(
			{
				"doctype": "Exclusion",
				"child": self.child.name,
				"school": self.school,
				"exclusion_type": "Suspension",
				"start_date": add_days(today(), -1),
				"school_days": 1,
				"reason": "Bullying",
			}
		).insert()
		return doc, self.worker

	CASES = {
		"Escalation Assigned": "escalation_assigned",
		"PP Plus Claim to Decide": "claim_to_decide",
		"PEP Returned": "pep_returned",
		"School Answered Place Request": "school_answered",
		"Exclusion Notified": "exclusion_notified",
	}

	# reading the queue -----------------------------------------------------------------------
	def emailed(self, doc) -> set[str]:
		"""Who was e-mailed about the record (Email Queue rows Frappe wrote for it)."""
		queue = frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": doc.doctype, "reference_name": doc.name},
			pluck="name",
		)
		return set(
			frappe.get_all(
				"Email Queue Recipient", filters={"parent": ("in", queue or [""])}, pluck="recipient"
			)
		)

	def opt_out(self, user: str) -> None:
		"""What the user does in their Notification Settings: untick *Enable Email Notifications*."""
		frappe.set_user(user)
		settings = frappe.get_doc("Notification Settings", user)
		settings.enable_email_notifications = 0
		settings.save()
		frappe.set_user("Administrator")

	# the tests -------------------------------------------------------------------------------
	def test_every_shipped_notification_is_tested(self):
		shipped = frappe.get_all(
			"Notification", filters={"module": "Virtual School", "is_standard": 1}, pluck="name"
		)
		self.assertEqual(set(shipped), set(self.CASES), "each standard Notification needs a case here")
		for name in shipped:
			self.assertTrue(frappe.db.get_value("Notification", name, "enabled"), name)

	def test_each_notification_reaches_its_recipient(self):
		for notification, event in self.CASES.items():
			with self.subTest(notification=notification):
				doc, recipient = getattr(self, event)()
				self.assertIn(recipient, self.emailed(doc), notification)

	def test_a_user_who_opted_out_gets_no_email(self):
		for notification, event in self.CASES.items():
			with self.subTest(notification=notification):
				recipient = self.worker if notification != "PP Plus Claim to Decide" else manager()
				self.opt_out(recipient)
				try:
					doc, expected = getattr(self, event)()
					self.assertEqual(expected, recipient)
					self.assertNotIn(recipient, self.emailed(doc), notification)
				finally:
					frappe.db.set_value("Notification Settings", recipient, "enable_email_notifications", 1)

	def test_exclusion_also_goes_to_the_virtual_school_head(self):
		doc, _worker = self.exclusion_notified()
		self.assertIn(head(), self.emailed(doc))

	def test_claim_to_decide_is_in_the_managers_bell(self):
		doc, deciding = self.claim_to_decide()
		self.assertTrue(
			frappe.db.exists(
				"Notification Log",
				{"for_user": deciding, "document_type": doc.doctype, "document_name": doc.name},
			)
		)

	def test_an_assignment_is_in_the_holders_bell(self):
		"""Escalations are assigned with Frappe's assign_to.add, whose Notification Log is the bell entry."""
		doc, holder = self.escalation_assigned()
		self.assertTrue(
			frappe.db.exists(
				"Notification Log",
				{
					"for_user": holder,
					"type": "Assignment",
					"document_type": doc.doctype,
					"document_name": doc.name,
				},
			)
		)

	def test_no_email_when_nothing_changed(self):
		"""A second save of the returned PEP, or of an escalation with the same holder, mails nobody again."""
		pep, worker = self.pep_returned()
		escalation, _holder = self.escalation_assigned()
		self.assertIn(worker, self.emailed(pep))

		def queued():
			return [
				frappe.db.count("Email Queue", {"reference_doctype": doc.doctype, "reference_name": doc.name})
				for doc in (pep, escalation)
			]

		before = queued()
		self.assertEqual(before, [1, 1])
		frappe.get_doc("Personal Education Plan", pep.name).save()
		doc = frappe.get_doc("Escalation", escalation.name)
		doc.reason = "Still no place"
		doc.save()
		self.assertEqual(queued(), before)


class TestLateAnswerReachesTheBell(PlaceRequestCase):
	"""The daily sweep's ToDo for a school's late answer is written directly, not by ``assign_to.add``: it
	must still reach the caseworker's bell (``escalations.services.flag_late_answers``)."""

	def test_the_late_answer_todo_is_in_the_caseworkers_bell(self):
		keep_test_uncommitted(self)
		doc = self.request()
		frappe.set_user("Administrator")
		self.assertEqual(run_daily_sweep(date(2030, 9, 24))["late_answers"], [doc.approaches[0].name])
		self.assertTrue(
			frappe.db.exists(
				"Notification Log",
				{
					"for_user": self.worker,
					"type": "Assignment",
					"document_type": "School Place Request",
					"document_name": doc.name,
				},
			)
		)
