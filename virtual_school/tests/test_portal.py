"""The school portal's pupil list is scoped to the user's school and carries no sensitive fields."""

from decimal import Decimal

import frappe
from frappe.tests.utils import change_settings
from frappe.utils import add_days, getdate, today

from virtual_school.domain import pp_plus_budget
from virtual_school.portal.pages import my_pupils
from virtual_school.setup.roles import SCHOOL_PORTAL_USER
from virtual_school.tests.test_portal_actions import ensure_open_funding_year
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	make_child,
	make_placement,
	make_school,
	make_school_contact,
	make_user,
)


class TestPortalPupils(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		# Users first: make_user commits, so it must not run after a test has written data.
		for email in ("dt.own@school.test", "dt.other@school.test", "dt.nobody@school.test"):
			make_user(email, SCHOOL_PORTAL_USER, website_user=True)

	def setUp(self):
		self.own_school = make_school("991201", "Portal Own Primary")
		self.other_school = make_school("991202", "Portal Other Primary")
		self.user = make_user("dt.own@school.test", SCHOOL_PORTAL_USER, website_user=True)
		self.outsider = make_user("dt.other@school.test", SCHOOL_PORTAL_USER, website_user=True)
		for user, school in ((self.user, self.own_school), (self.outsider, self.other_school)):
			make_school_contact(user, school)
		self.ours = make_child(
			"Ours",
			carer_name="Secret Carer",
			placement_address="1 Hidden Road",
			legal_status="C2 - Full care order",
			legal_status_notes="Secret legal note",
			social_worker_name="Secret Social Worker",
		)
		self.theirs = make_child("Theirs")
		self.cwsw = make_child("Social", cohort="Child with a Social Worker")
		make_placement(self.ours.name, self.own_school, add_days(today(), -30))
		make_placement(self.theirs.name, self.other_school, add_days(today(), -30))
		make_placement(self.cwsw.name, self.own_school, add_days(today(), -30))

	def test_sees_only_looked_after_pupils_of_their_school(self):
		frappe.set_user(self.user)
		pupils = my_pupils()
		self.assertEqual([pupil["reference"] for pupil in pupils], [self.ours.name])
		flat = frappe.as_json(pupils)
		# each of these is on the child's record (setUp): none may reach the school
		for secret in (
			"Secret Carer",
			"Hidden Road",
			"Full care order",
			"Secret legal note",
			"Secret Social",
		):
			self.assertNotIn(secret, flat)

	def test_other_school_and_desk_users_are_refused(self):
		frappe.set_user(self.outsider)
		self.assertEqual([pupil["reference"] for pupil in my_pupils()], [self.theirs.name])
		frappe.set_user(make_user("vs.manager@example.test", "Virtual School Manager"))
		with self.assertRaises(frappe.PermissionError):
			my_pupils()

	def test_an_unlinked_portal_user_sees_nothing(self):
		frappe.set_user(make_user("dt.nobody@school.test", SCHOOL_PORTAL_USER, website_user=True))
		with self.assertRaises(frappe.PermissionError):
			my_pupils()

	def test_latest_pep_and_pp_plus_remaining_this_funding_year(self):
		year = ensure_open_funding_year()
		allocation = Decimal(str(frappe.db.get_value("PP Plus Funding Year", year, "per_child_allocation")))
		for days, state in ((10, "Draft"), (100, "Returned")):  # the latest due is the one shown
			pep = frappe.get_doc(
				{
					"doctype": "Personal Education Plan",
					"child": self.ours.name,
					"school": self.own_school,
					"due_date": add_days(today(), days),
					"social_worker": "Private Social Worker",
				}
			).insert()
			pep.db_set("workflow_state", state)
		for amount, state in ((100, "Approved"), (50, "Paid"), (900, "Requested")):  # committed: 150
			claim = frappe.get_doc(
				{
					"doctype": "PP Plus Claim",
					"child": self.ours.name,
					"school": self.own_school,
					"funding_year": year,
					"claim_date": today(),
					"amount": amount,
					"category": "Tuition",
					"description": "Tutor",
				}
			).insert()
			claim.db_set("workflow_state", state)
		expected = {
			"pep_due": getdate(add_days(today(), 100)),
			"pep_status": "Returned",
			"pp_plus_remaining": pp_plus_budget.format_money(allocation - 150),
		}
		for current_year in (year, None):  # named in the settings, or the year open today
			with (
				change_settings("Virtual School Settings", {"current_funding_year": current_year}),
				self.set_user(self.user),
			):
				(pupil,) = my_pupils()
				self.assertEqual({key: pupil[key] for key in expected}, expected, current_year)

	def test_pep_columns_when_there_is_no_pep_or_no_due_date(self):
		"""The latest PEP comes as a (due date, state) pair: none yet; one without a due date; a dated one
		before one without a due date; a state with quotes."""
		frappe.set_user(self.user)
		(pupil,) = my_pupils()
		self.assertEqual((pupil["pep_due"], pupil["pep_status"]), (None, None))

		frappe.set_user("Administrator")
		undated = frappe.get_doc(
			{"doctype": "Personal Education Plan", "child": self.ours.name, "school": self.own_school}
		).insert()
		undated.db_set({"due_date": None, "workflow_state": 'Say "hi"'})
		frappe.set_user(self.user)
		(pupil,) = my_pupils()
		self.assertEqual((pupil["pep_due"], pupil["pep_status"]), (None, 'Say "hi"'))

		frappe.set_user("Administrator")
		dated = frappe.get_doc(
			{
				"doctype": "Personal Education Plan",
				"child": self.ours.name,
				"school": self.own_school,
				"due_date": add_days(today(), 20),
			}
		).insert()
		dated.db_set("workflow_state", "Draft")
		frappe.set_user(self.user)
		(pupil,) = my_pupils()
		self.assertEqual((pupil["pep_due"], pupil["pep_status"]), (getdate(add_days(today(), 20)), "Draft"))
		self.assertIs(type(pupil["pep_due"]), type(getdate(today())))
