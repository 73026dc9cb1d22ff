"""School portal writes: each one scoped to the user's school, through the desk's controllers and workflows."""

import frappe
from frappe.model.workflow import apply_workflow
from frappe.tests.utils import change_settings
from frappe.utils import add_days, getdate, today

from virtual_school.domain import pp_plus_budget
from virtual_school.portal import actions as portal_actions
from virtual_school.portal import pages as portal
from virtual_school.setup.roles import SCHOOL_PORTAL_USER
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	finance,
	make_child,
	make_placement,
	make_school,
	make_school_contact,
	make_user,
	manager,
)

OWN, OTHER = "pa.own@school.test", "pa.other@school.test"


def ensure_open_funding_year() -> str:
	"""A PP+ funding year covering today (the rates file may not reach this far yet)."""
	label = pp_plus_budget.financial_year_of(getdate(today()))
	if not frappe.db.exists("PP Plus Funding Year", label):
		frappe.get_doc(
			{
				"doctype": "PP Plus Funding Year",
				"label": label,
				"rate_per_child": 2630,
				"top_slice_percent": 0,
			}
		).insert(ignore_permissions=True)
	return label


class TestPortalActions(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		for email in (OWN, OTHER):
			make_user(email, SCHOOL_PORTAL_USER, website_user=True)

	def setUp(self):
		super().setUp()
		self.own_school = make_school("991301", "Actions Own Primary")
		self.other_school = make_school("991302", "Actions Other Primary")
		for user, school in ((OWN, self.own_school), (OTHER, self.other_school)):
			make_school_contact(user, school)
		self.ours = make_child("Ours", carer_name="Secret Carer")
		self.theirs = make_child("Theirs")
		make_placement(self.ours.name, self.own_school, add_days(today(), -60))
		make_placement(self.theirs.name, self.other_school, add_days(today(), -60))
		self.year = ensure_open_funding_year()

	# Helpers --------------------------------------------------------------------------------
	def place_request(self, *schools: str):
		child = make_child("Needs")
		doc = frappe.get_doc(
			{
				"doctype": "School Place Request",
				"child": child.name,
				"date_needed": today(),
				"reason": "Entered care",
				"approaches": [
					{"school": school, "date_asked": today(), "response": "Awaiting"} for school in schools
				],
			}
		).insert()
		return apply_workflow(doc, "Request Place")

	def pep(self, child: str, school: str, state: str = "Draft"):
		doc = frappe.get_doc(
			{
				"doctype": "Personal Education Plan",
				"child": child,
				"school": school,
				"due_date": add_days(today(), 10),
				"social_worker": "Private Social Worker",
				"targets": [{"area": "Maths", "target": "Times tables to 12 by Easter"}],
			}
		).insert()
		if state != "Draft":
			doc.db_set("workflow_state", state)
		return doc

	def claim_row(self, pep) -> str:
		return pep.targets[0].name

	# Reads ----------------------------------------------------------------------------------
	def test_lists_are_scoped_to_the_users_school(self):
		own = self.place_request(self.own_school)
		theirs = self.place_request(self.other_school)
		own_pep = self.pep(self.ours.name, self.own_school)
		their_pep = self.pep(self.theirs.name, self.other_school)
		frappe.set_user(OWN)
		self.assertEqual([row.request for row in portal.place_requests()], [own.name])
		self.assertNotIn(theirs.name, frappe.as_json(portal.place_requests()))
		self.assertEqual([row.name for row in portal.peps()], [own_pep.name])
		self.assertNotIn(their_pep.name, frappe.as_json(portal.claimable_targets()))
		view = frappe.as_json(portal.pep_for_school(own_pep.name))
		self.assertNotIn("Private Social Worker", view)
		self.assertNotIn("Secret Carer", view)
		with self.assertRaises(frappe.DoesNotExistError):
			portal.pep_for_school(their_pep.name)

	# Place requests -------------------------------------------------------------------------
	def test_school_offers_a_place_through_the_workflow(self):
		request = self.place_request(self.own_school)
		frappe.set_user(OWN)
		result = portal_actions.answer_place_request(request.name, request.approaches[0].name, "Offered")
		self.assertEqual(result["status"], "Offered")
		frappe.set_user("Administrator")
		doc = frappe.get_doc("School Place Request", request.name)
		self.assertEqual((doc.approaches[0].response, doc.workflow_state), ("Offered", "Offered"))
		self.assertTrue(
			frappe.db.exists(
				"Comment", {"reference_name": request.name, "comment_email": OWN, "comment_type": "Info"}
			)
		)

	def test_an_offer_carries_the_start_date_the_request_then_uses(self):
		"""Issue #21: the school's offer says when the child may start; *Place Child* is pre-filled with it."""
		request = self.place_request(self.own_school)
		approach = request.approaches[0].name
		frappe.set_user(OWN)
		with self.assertRaisesRegex(frappe.ValidationError, "past"):
			portal_actions.answer_place_request(request.name, approach, "Offered", start_date="2001-09-03")
		start = frappe.utils.add_days(today(), 7)
		portal_actions.answer_place_request(request.name, approach, "Offered", start_date=start)
		frappe.set_user("Administrator")
		doc = frappe.get_doc("School Place Request", request.name)
		self.assertEqual(str(doc.approaches[0].offered_start_date), str(start))
		self.assertEqual((doc.admitting_school, str(doc.start_date)), (self.own_school, str(start)))
		frappe.set_user(OWN)
		shown = next(row for row in portal.place_requests() if row.request == request.name)
		self.assertEqual(str(shown.offered_start_date), str(start))

	def test_what_needs_the_schools_answer_comes_first(self):
		"""Issue #21: "needs your action" first on each page; newest first within each group."""
		also_waiting = self.place_request(self.own_school)
		offered = self.place_request(self.own_school)
		frappe.set_user(OWN)
		portal_actions.answer_place_request(offered.name, offered.approaches[0].name, "Offered")
		frappe.set_user("Administrator")
		still_waiting = self.place_request(self.own_school)
		frappe.set_user(OWN)
		order = [row.request for row in portal.place_requests()]
		self.assertLess(order.index(still_waiting.name), order.index(offered.name))
		self.assertLess(order.index(also_waiting.name), order.index(offered.name))

	def test_refusal_needs_a_reason_and_moves_the_request_to_refused(self):
		request = self.place_request(self.own_school)
		frappe.set_user(OWN)
		with self.assertRaises(frappe.ValidationError):
			portal_actions.answer_place_request(request.name, request.approaches[0].name, "Refused", " ")
		result = portal_actions.answer_place_request(
			request.name, request.approaches[0].name, "Refused", "Year 4 is full"
		)
		self.assertEqual(result["status"], "Refused")
		frappe.set_user("Administrator")
		self.assertEqual(
			frappe.db.get_value("School Place Approach", request.approaches[0].name, "refusal_reason"),
			"Year 4 is full",
		)
		frappe.set_user(OWN)
		with self.assertRaises(frappe.ValidationError):  # answered once only
			portal_actions.answer_place_request(request.name, request.approaches[0].name, "Offered")

	def test_cannot_answer_for_another_school(self):
		request = self.place_request(self.own_school, self.other_school)
		theirs = next(row for row in request.approaches if row.school == self.other_school)
		only_theirs = self.place_request(self.other_school)
		frappe.set_user(OWN)
		with self.assertRaises(frappe.DoesNotExistError):  # tampered approach: the other school's row
			portal_actions.answer_place_request(request.name, theirs.name, "Refused", "No")
		with self.assertRaises(frappe.DoesNotExistError):
			portal_actions.answer_place_request(only_theirs.name, only_theirs.approaches[0].name, "Offered")
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("School Place Approach", theirs.name, "response"), "Awaiting")

	# PEPs -----------------------------------------------------------------------------------
	def test_school_completes_its_part_and_submits_for_qa(self):
		pep = self.pep(self.ours.name, self.own_school)
		frappe.set_user(OWN)
		data = {
			"designated_teacher": "Ms Teacher",
			"meeting_date": today(),
			"attendance_percent": "94.5",
			"child_views": "Likes science",
			"qa_rating": "Green",  # not the school's: ignored
			"social_worker": "Someone Else",
			"targets": [{"area": "Maths", "target": "Read a clock", "pp_plus_funded": 1}],
			"attainment": [{"subject": "Maths", "current": "Working towards", "target": "Expected standard"}],
		}
		self.assertEqual(portal_actions.save_pep(pep.name, frappe.as_json(data))["status"], "Draft")
		result = portal_actions.save_pep(pep.name, frappe.as_json(data), submit=1)
		self.assertEqual(result["status"], "Submitted")
		frappe.set_user("Administrator")
		doc = frappe.get_doc("Personal Education Plan", pep.name)
		self.assertEqual((doc.designated_teacher, doc.attendance_percent), ("Ms Teacher", 94.5))
		self.assertEqual((doc.qa_rating or "", doc.social_worker), ("", "Private Social Worker"))
		self.assertEqual([row.target for row in doc.targets], ["Read a clock"])
		frappe.set_user(OWN)
		with self.assertRaises(frappe.ValidationError):  # with the virtual school now
			portal_actions.save_pep(pep.name, frappe.as_json(data))

	def test_returned_pep_shows_comments_and_can_be_resubmitted(self):
		pep = self.pep(self.ours.name, self.own_school, state="Returned")
		pep.db_set("qa_comments", "Targets are not SMART")
		frappe.set_user(OWN)
		self.assertEqual(portal.pep_for_school(pep.name)["qa_comments"], "Targets are not SMART")
		data = {"meeting_date": today(), "targets": [{"area": "Maths", "target": "Count to 100 by July"}]}
		with self.assertRaisesRegex(frappe.ValidationError, "own words"):  # the child's voice (issue #23)
			portal_actions.save_pep(pep.name, data, submit=1)
		with self.assertRaises(frappe.ValidationError):  # a reason the form does not offer
			portal_actions.save_pep(pep.name, {**data, "no_views_reason": "Busy"}, submit=1)
		data["no_views_reason"] = "Too young to give views"  # the school says why there are none
		self.assertEqual(portal_actions.save_pep(pep.name, data, submit=1)["status"], "Submitted")
		frappe.set_user("Administrator")
		self.assertEqual(
			frappe.db.get_value("Personal Education Plan", pep.name, "no_views_reason"),
			"Too young to give views",
		)

	def test_submit_needs_meeting_date_and_targets(self):
		pep = self.pep(self.ours.name, self.own_school)
		frappe.set_user(OWN)
		with self.assertRaises(frappe.ValidationError):
			portal_actions.save_pep(pep.name, {"targets": []}, submit=1)

	def test_cannot_write_another_schools_pep(self):
		theirs = self.pep(self.theirs.name, self.other_school)
		frappe.set_user(OWN)
		with self.assertRaises(frappe.DoesNotExistError):
			portal_actions.save_pep(theirs.name, {"designated_teacher": "Intruder"})
		frappe.set_user("Administrator")
		self.assertFalse(frappe.db.get_value("Personal Education Plan", theirs.name, "designated_teacher"))

	# PP+ ------------------------------------------------------------------------------------
	def test_school_requests_pp_plus_against_a_pep_target(self):
		pep = self.pep(self.ours.name, self.own_school, state="Submitted")
		frappe.set_user(OWN)
		self.assertEqual([row.target_row for row in portal.claimable_targets()], [self.claim_row(pep)])
		result = portal_actions.request_pp_plus(
			self.claim_row(pep), "250", "Tuition", "Maths tutor, 10 hours"
		)
		self.assertEqual(result["status"], "Submitted")
		frappe.set_user("Administrator")
		claim = frappe.get_doc("PP Plus Claim", result["name"])
		self.assertEqual((claim.child, claim.school, claim.amount), (self.ours.name, self.own_school, 250))
		self.assertEqual((claim.requester, claim.submitted_by), (OWN, OWN))
		self.assertEqual(claim.personal_education_plan, pep.name)
		frappe.set_user(OWN)
		self.assertEqual([row.name for row in portal.pp_plus_claims()], [claim.name])

	def test_pp_plus_request_within_the_allocation_only(self):
		pep = self.pep(self.ours.name, self.own_school, state="Submitted")
		frappe.set_user(OWN)
		with self.assertRaises(frappe.ValidationError):
			portal_actions.request_pp_plus(self.claim_row(pep), "999999", "Tuition", "Too much")
		with self.assertRaises(frappe.ValidationError):
			portal_actions.request_pp_plus(self.claim_row(pep), "-5", "Tuition", "Negative")

	def test_cannot_request_pp_plus_for_another_schools_pupil(self):
		theirs = self.pep(self.theirs.name, self.other_school, state="Submitted")
		frappe.set_user(OWN)
		with self.assertRaises(frappe.DoesNotExistError):
			portal_actions.request_pp_plus(self.claim_row(theirs), "100", "Tuition", "Not ours")
		self.assertFalse(frappe.db.exists("PP Plus Claim", {"child": self.theirs.name}))

	# Impact reports -------------------------------------------------------------------------
	def impact_report(self, child: str, school: str):
		claim = frappe.get_doc(
			{
				"doctype": "PP Plus Claim",
				"child": child,
				"school": school,
				"funding_year": self.year,
				"claim_date": today(),
				"amount": 100,
				"category": "Tuition",
				"description": "Tutor",
			}
		).insert()
		claim.db_set("workflow_state", "Approved")
		return frappe.get_doc(
			{
				"doctype": "PP Plus Impact Report",
				"school": school,
				"funding_year": self.year,
				"term": claim.term,
				"due_date": add_days(today(), 20),
				"rows": [{"claim": claim.name}],
			}
		).insert()

	def test_school_fills_in_and_submits_the_impact_report(self):
		report = self.impact_report(self.ours.name, self.own_school)
		frappe.set_user(OWN)
		row = report.rows[0].name
		with self.assertRaises(frappe.ValidationError):  # incomplete
			portal_actions.save_impact_report(report.name, [{"name": row}], submit=1)
		answer = [{"name": row, "what_was_done": "Weekly tutor", "impact": "Up a grade", "target_met": "Met"}]
		file = {"file_name": "impact.txt", "content": "aW1wYWN0"}
		result = portal_actions.save_impact_report(report.name, frappe.as_json(answer), submit=1, file=file)
		self.assertEqual(result["status"], "Submitted")
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("PP Plus Impact Row", row, "target_met"), "Met")
		self.assertTrue(
			frappe.db.exists(
				"File", {"attached_to_name": report.name, "is_private": 1, "file_name": "impact.txt"}
			)
		)

	def test_cannot_touch_another_schools_impact_report(self):
		report = self.impact_report(self.theirs.name, self.other_school)
		own = self.impact_report(self.ours.name, self.own_school)
		frappe.set_user(OWN)
		with self.assertRaises(frappe.DoesNotExistError):
			portal.impact_report_for_school(report.name)
		with self.assertRaises(frappe.DoesNotExistError):
			portal_actions.save_impact_report(report.name, [], submit=1)
		with self.assertRaises(frappe.ValidationError):  # a row of another report smuggled in
			portal_actions.save_impact_report(own.name, [{"name": report.rows[0].name, "impact": "x"}])

	def test_desk_users_are_refused(self):
		frappe.set_user(make_user("vs.manager@example.test", "Virtual School Manager"))
		with self.assertRaises(frappe.PermissionError):
			portal_actions.save_pep("PEP-00001", {})


class TestPortalInviteAndSignIn(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user("pa.existing@school.test", website_user=True)

	def contact(self, email: str) -> str:
		return (
			frappe.get_doc(
				{
					"doctype": "School Contact",
					"school": make_school("991303", "Invite Primary"),
					"full_name": "Dana Teacher",
					"contact_role": "Designated Teacher",
					"email": email,
				}
			)
			.insert()
			.name
		)

	def invite(self, name: str) -> dict:
		return frappe.get_doc("School Contact", name).invite_to_portal()

	def test_invite_creates_a_website_user_and_sends_the_welcome_once(self):
		from unittest.mock import patch

		from frappe.core.doctype.user.user import User

		name = self.contact("pa.new@school.test")
		frappe.set_user(manager())
		with patch.object(User, "send_welcome_mail_to_user") as welcome:
			first = self.invite(name)
		welcome.assert_called_once()
		self.assertEqual((first["created"], first["email_sent"]), (True, True))
		frappe.set_user("Administrator")
		user = frappe.get_doc("User", "pa.new@school.test")
		self.assertEqual(user.user_type, "Website User")
		self.assertIn(SCHOOL_PORTAL_USER, [row.role for row in user.roles])
		self.assertEqual(frappe.db.get_value("School Contact", name, "user"), user.name)
		frappe.db.set_value("User", user.name, "last_login", frappe.utils.now())
		frappe.set_user(manager())
		with patch.object(User, "send_welcome_mail_to_user") as welcome:
			again = self.invite(name)  # idempotent: no second account, no second email after first sign-in
		welcome.assert_not_called()
		self.assertEqual((again["created"], again["email_sent"]), (False, False))
		self.assertEqual(frappe.db.count("User", {"name": "pa.new@school.test"}), 1)

	def test_invite_links_an_existing_website_user_and_refuses_desk_users(self):
		name = self.contact("pa.existing@school.test")
		frappe.set_user(manager())
		self.assertFalse(self.invite(name)["created"])
		frappe.set_user("Administrator")
		self.assertIn(SCHOOL_PORTAL_USER, frappe.get_roles("pa.existing@school.test"))
		desk = self.contact(caseworker(2))
		frappe.set_user(manager())
		with self.assertRaises(frappe.ValidationError):
			self.invite(desk)

	def test_only_a_head_or_manager_may_give_portal_access(self):
		name = self.contact("pa.new2@school.test")
		for user in (finance(), caseworker(1)):
			frappe.set_user(user)
			with self.subTest(user=user), self.assertRaises(frappe.PermissionError):
				self.invite(name)
		# Nor may a caseworker link a website user to a school by editing the contact (permlevel 1).
		frappe.set_user(caseworker(1))
		contact = frappe.get_doc("School Contact", name)
		contact.user = "pa.existing@school.test"
		contact.save()
		frappe.set_user("Administrator")
		self.assertFalse(frappe.db.get_value("School Contact", name, "user"))

	def test_two_factor_is_on_for_school_staff(self):
		from frappe.twofactor import two_factor_is_enabled

		from virtual_school.setup.security import ensure_security_defaults

		ensure_security_defaults(force=True)
		self.assertEqual(frappe.db.get_single_value("System Settings", "two_factor_method"), "OTP App")
		self.assertTrue(frappe.db.get_value("Role", SCHOOL_PORTAL_USER, "two_factor_auth"))
		self.assertFalse(frappe.db.get_single_value("System Settings", "login_with_email_link"))
		self.assertTrue(two_factor_is_enabled(OWN))
		self.assertFalse(two_factor_is_enabled("Administrator"))
		# applied once: an administrator's later choice is kept on the next migrate
		with change_settings("System Settings", {"session_expiry": "04:00"}):
			self.assertFalse(ensure_security_defaults())
			self.assertEqual(frappe.db.get_single_value("System Settings", "session_expiry"), "04:00")

	def test_saving_system_settings_keeps_two_factor_per_role(self):
		"""Frappe turns two-factor on for the role "All" on every save of System Settings; the app keeps
		it per role, so desk users are not suddenly asked for a code (or an email the site cannot send)."""
		from frappe.twofactor import two_factor_is_enabled

		from virtual_school.setup.security import ensure_security_defaults

		ensure_security_defaults(force=True)
		frappe.db.set_value("Role", "All", "two_factor_auth", 0)
		with change_settings("System Settings", {"session_expiry": "06:00"}):  # a save of System Settings
			self.assertEqual(frappe.db.get_value("Role", "All", "two_factor_auth"), 0)
			self.assertFalse(two_factor_is_enabled(manager()))
			self.assertTrue(two_factor_is_enabled(OWN))

	def test_get_count_applies_permissions(self):
		from virtual_school.portal.guard import get_count

		make_child("Counted")
		frappe.set_user(OWN)
		with self.assertRaises(frappe.PermissionError):
			get_count("Child")
		frappe.set_user(make_user("vs.manager@example.test", "Virtual School Manager"))
		self.assertEqual(get_count("Child"), frappe.db.count("Child"))
		self.assertEqual(get_count("Child", {"first_name": "Counted"}), 1)
