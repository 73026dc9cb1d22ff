"""Schools notify exclusions through the portal (issue #23 item 5), as a real school portal user.

The notification creates the Exclusion through the desk's controller (the same statutory clocks as a desk-entered
one), tells the caseworker, the Virtual School Head and the social worker at once (Notification Log rows, the
caseworker's email), is refused for another school's pupil and for hostile or impossible input, and is listed on
the portal page. Suspension sessions in attendance returns with no Exclusion to account for them are flagged
for the caseworker (Children Missing Education Risk) until the exclusion is recorded.
"""

import random
from datetime import timedelta

import frappe
from frappe.desk.query_report import run as run_report
from frappe.utils import add_days, getdate, today
from frappe.website.path_resolver import PathResolver

from virtual_school.attendance import services as attendance
from virtual_school.devtools import demo_exclusions
from virtual_school.portal import actions
from virtual_school.portal.renderer import SHELLS
from virtual_school.setup.roles import SCHOOL_PORTAL_USER
from virtual_school.tests.test_notifications import keep_test_uncommitted
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	head,
	make_child,
	make_placement,
	make_school,
	make_school_contact,
	make_user,
	mid_autumn,
	social_worker,
)

OWN, OTHER = "px.own@school.test", "px.other@school.test"
REASON = "Persistent or general disruptive behaviour"
REPORT = "Children Missing Education Risk"


class TestPortalExclusions(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		for email in (OWN, OTHER):
			make_user(email, SCHOOL_PORTAL_USER, website_user=True)

	def setUp(self):
		super().setUp()
		# term time: the suspension and the attendance week lie a few days before "today"
		self.enterContext(self.freeze_time(mid_autumn(), tick=True))
		SHELLS.clear()
		# an outgoing account, as a live site has: Frappe sends a Notification's bell copy only after its email
		# (one try block), so without one nobody is told (rolled back with the test, as test_notifications)
		keep_test_uncommitted(self)
		frappe.db.set_value(
			"Email Account",
			"Notifications",
			{"enable_outgoing": 1, "default_outgoing": 1, "smtp_server": "localhost", "smtp_port": 25},
		)
		frappe.local.outgoing_email_account = {}
		frappe.clear_cache(doctype="Notification")
		self.own_school = make_school("991901", "Exclusions Own Primary")
		self.other_school = make_school("991902", "Exclusions Other Primary")
		for user, school in ((OWN, self.own_school), (OTHER, self.other_school)):
			make_school_contact(user, school)
		self.ours = make_child(
			"Ours",
			caseworker=caseworker(1),
			social_worker_user=social_worker(1),
			social_worker_name="Sam Worker",
			carer_name="Secret Carer",
		)
		self.theirs = make_child("Theirs", caseworker=caseworker(2))
		make_placement(self.ours.name, self.own_school, add_days(today(), -60))
		make_placement(self.theirs.name, self.other_school, add_days(today(), -60))
		# the Monday of last week: a school week before today in the same term
		day = getdate(today())
		self.monday = day - timedelta(days=day.weekday() + 7)

	def tearDown(self):
		SHELLS.clear()
		frappe.local.form_dict = frappe._dict()
		frappe.local.outgoing_email_account = {}
		super().tearDown()

	# helpers ---------------------------------------------------------------------------------------
	def notify(self, user: str = OWN, **values) -> dict:
		args = {
			"child": self.ours.name,
			"exclusion_type": "Suspension",
			"start_date": str(self.monday + timedelta(days=1)),
			"school_days": "3",
			"reason": REASON,
			"description": "Threw a chair in maths.",
			**values,
		}
		frappe.set_user(user)
		try:
			return actions.notify_exclusion(**args)
		finally:
			frappe.set_user("Administrator")

	def exclusions(self, child=None) -> list[str]:
		return frappe.get_all("Exclusion", filters={"child": (child or self.ours).name}, pluck="name")

	def notified(self, user: str, name: str) -> list[str]:
		return frappe.get_all(
			"Notification Log",
			filters={"for_user": user, "document_type": "Exclusion", "document_name": name},
			pluck="name",
		)

	def emailed(self, name: str) -> set[str]:
		queue = frappe.get_all(
			"Email Queue",
			filters={"reference_doctype": "Exclusion", "reference_name": name},
			pluck="name",
		)
		return set(
			frappe.get_all(
				"Email Queue Recipient", filters={"parent": ("in", queue or [""])}, pluck="recipient"
			)
		)

	def render(self, user: str = OWN, **query) -> str:
		frappe.set_user(user)
		frappe.local.form_dict = frappe._dict(query)
		try:
			_endpoint, renderer = PathResolver("school-portal/exclusions").resolve()
			return renderer.get_html()
		finally:
			frappe.set_user("Administrator")

	def suspended_week(self, child=None, school=None, sessions: int = 2) -> str:
		"""An attendance return with suspension sessions (code E: authorised absence)."""
		return (
			frappe.get_doc(
				{
					"doctype": "Attendance Record",
					"child": (child or self.ours).name,
					"school": school or self.own_school,
					"source": "Desk entry",
					"week_starting": self.monday,
					"possible_sessions": 10,
					"sessions_attended": 10 - sessions,
					"authorised_absence": sessions,
					"unauthorised_absence": 0,
					"suspension_sessions": sessions,
				}
			)
			.insert()
			.name
		)

	def unmatched(self) -> dict:
		return {row.child: row for row in attendance.unmatched_suspensions(today())}

	# notifying -------------------------------------------------------------------------------------
	def test_notifying_creates_the_exclusion_with_the_desks_clocks(self):
		for kind, days in (("Permanent exclusion", None), ("Suspension", "16")):
			with self.subTest(kind=kind):
				start = self.monday + timedelta(days=2 if days else 3)
				result = self.notify(
					exclusion_type=kind, school_days=days, start_date=str(start), notice_date=str(start)
				)
				doc = frappe.get_doc("Exclusion", result["name"])
				self.assertEqual(
					(doc.child, doc.school, doc.exclusion_type), (self.ours.name, self.own_school, kind)
				)
				self.assertEqual(doc.owner, OWN)
				self.assertEqual(doc.description, "Threw a chair in maths.")
				# the statutory notification itself: the VSH and the social worker are told today
				self.assertEqual(getdate(doc.vsh_told_on), getdate(today()))
				self.assertEqual(getdate(doc.social_worker_told_on), getdate(today()))
				self.assertNotIn("must be told", doc.rule_checks)
				# the clocks, exactly as the desk's controller sets them for the same values
				self.assertTrue(doc.governors_must_consider)
				self.assertEqual(doc.consideration_school_days, 15)
				self.assertTrue(doc.consideration_due)
				desk = frappe.new_doc("Exclusion")
				desk.update(
					{
						field: doc.get(field)
						for field in (
							"child",
							"school",
							"exclusion_type",
							"start_date",
							"school_days",
							"reason",
							"notice_date",
							"vsh_told_on",
							"social_worker_told_on",
						)
					}
				)
				desk.name = doc.name  # counts the other suspensions as the portal's record did
				desk.run_method("validate")
				for field in (
					"term_total_school_days",
					"year_total_school_days",
					"governors_must_consider",
					"consideration_due",
					"consideration_school_days",
					"consideration_rule",
					"rule_checks",
				):
					self.assertEqual(str(doc.get(field)), str(desk.get(field)), field)
				comment = frappe.get_all(
					"Comment",
					filters={"reference_doctype": "Exclusion", "reference_name": doc.name},
					pluck="content",
				)
				self.assertTrue(any(OWN in text for text in comment), comment)

	def test_the_caseworker_head_and_social_worker_are_told_at_once(self):
		name = self.notify()["name"]
		for user in (caseworker(1), social_worker(1), head()):
			with self.subTest(user=user):
				self.assertTrue(self.notified(user, name), f"{user} has no Notification Log for {name}")
		self.assertFalse(self.notified(caseworker(2), name))
		self.assertFalse(self.notified(social_worker(2), name))
		self.assertIn(caseworker(1), self.emailed(name))  # the Notification's email, as for a desk record

	def test_without_a_social_worker_user_the_social_worker_is_still_to_be_told(self):
		frappe.db.set_value("Child", self.ours.name, "social_worker_user", None)
		doc = frappe.get_doc("Exclusion", self.notify()["name"])
		self.assertFalse(doc.social_worker_told_on)
		self.assertIn("social worker must be told", doc.rule_checks)

	def test_another_schools_pupil_is_refused(self):
		for child, user in ((self.theirs, OWN), (self.ours, OTHER)):
			with self.subTest(child=child.first_name, user=user):
				with self.assertRaises(frappe.DoesNotExistError):
					self.notify(user=user, child=child.name)
				self.assertEqual(self.exclusions(child), [])
		# a pupil no longer looked after (left care yesterday), then one who has left the school's roll
		for field, value in (("date_left_care", add_days(today(), -1)), ("current_school", None)):
			with self.subTest(field=field):
				frappe.db.set_value("Child", self.ours.name, field, value)
				with self.assertRaises(frappe.DoesNotExistError):
					self.notify()
				self.assertEqual(self.exclusions(), [])

	def test_only_portal_users_may_notify(self):
		for user in (caseworker(1), social_worker(1), "Guest"):
			with self.subTest(user=user), self.assertRaises(frappe.PermissionError):
				self.notify(user=user)
		self.assertEqual(self.exclusions(), [])

	def test_hostile_or_impossible_input_is_refused_and_writes_nothing(self):
		far = str(add_days(today(), 60))
		cases = {
			"type": {"exclusion_type": "Expelled'; drop table tabExclusion; --"},
			"reason": {"reason": "<script>alert(1)</script>"},
			"start text": {"start_date": "not-a-date"},
			"start missing": {"start_date": ""},
			"start far ahead": {"start_date": far},
			"start long ago": {"start_date": str(add_days(today(), -800))},
			"days text": {"school_days": "3 or 1=1"},
			"days zero": {"school_days": "0"},
			"days negative": {"school_days": "-2"},
			"days over the year limit": {"school_days": "46"},
			"no description": {"description": "   "},
			"description too long": {"description": "x" * 2001},
			"notice in the future": {"notice_date": far},
			"child list": {"child": [self.ours.name]},
			"child dict": {"child": {"name": self.ours.name}},
		}
		for label, values in cases.items():
			# refused by the action's checks (ValidationError) or Frappe's argument types (FrappeTypeError)
			with self.subTest(label), self.assertRaises((frappe.ValidationError, frappe.FrappeTypeError)):
				self.notify(**values)
		self.assertEqual(self.exclusions(), [])

	def test_the_same_exclusion_is_not_notified_twice(self):
		self.notify()
		with self.assertRaises(frappe.ValidationError):
			self.notify()
		self.assertEqual(len(self.exclusions()), 1)

	def test_hostile_description_is_stored_as_text_and_shown_inert(self):
		payload = '<img src=x onerror=alert(1)>"><script>alert(2)</script>'
		name = self.notify(description=payload)["name"]
		self.assertTrue(frappe.db.get_value("Exclusion", name, "description"))
		html = self.render()
		self.assertIn(name, html)
		self.assertNotIn("<script>alert(2)", html)
		self.assertNotIn("<img src=x", html)
		self.assertIn("alert(2)", html)  # shown, as text

	# the page ---------------------------------------------------------------------------------------
	def test_the_page_lists_the_schools_exclusions_needing_action_first(self):
		suspension = self.notify()["name"]
		permanent = self.notify(exclusion_type="Permanent exclusion", start_date=str(self.monday))["name"]
		theirs = self.notify(user=OTHER, child=self.theirs.name)["name"]
		html = self.render()
		self.assertIn(self.ours.name, html)  # the pupil chooser
		self.assertNotIn(self.theirs.name, html)
		self.assertNotIn(theirs, html)
		self.assertNotIn("Secret Carer", html)
		self.assertIn(suspension, html)
		# the permanent exclusion waits for the governors: listed first, though it began earlier
		self.assertLess(html.index(f'data-name="{permanent}"'), html.index(f'data-name="{suspension}"'))
		self.assertIn("/school-portal/exclusions", html)  # in the portal's menu

	def test_the_success_message_is_for_the_schools_own_record_only(self):
		ours = self.notify()["name"]
		theirs = self.notify(user=OTHER, child=self.theirs.name)["name"]
		self.assertIn('id="exclusion-notified"', self.render(notified=ours))
		self.assertNotIn('id="exclusion-notified"', self.render(notified=theirs))
		self.assertNotIn(theirs, self.render(notified=theirs))

	# suspension sessions without an Exclusion ---------------------------------------------------------
	def test_unmatched_suspension_sessions_are_flagged_until_the_exclusion_is_recorded(self):
		self.suspended_week(sessions=4)
		self.suspended_week(child=self.theirs, school=self.other_school)
		found = self.unmatched()
		self.assertEqual(set(found), {self.ours.name, self.theirs.name})
		self.assertEqual(int(found[self.ours.name].suspension_sessions), 4)
		self.assertEqual(found[self.ours.name].school, self.own_school)

		# the caseworker sees their own child's flag in the report, with its concern; not another caseload's
		frappe.set_user(caseworker(1))
		rows = [row for row in run_report(REPORT, filters={})["result"] if isinstance(row, dict)]
		frappe.set_user("Administrator")
		flagged = [row for row in rows if row.get("suspension_sessions")]
		self.assertEqual([row["child"] for row in flagged], [self.ours.name])
		self.assertIn("no Exclusion recorded", flagged[0]["concern"])

		# an exclusion at another school, or one from last term, does not account for these sessions
		frappe.get_doc(
			{
				"doctype": "Exclusion",
				"child": self.ours.name,
				"school": self.other_school,
				"exclusion_type": "Suspension",
				"start_date": self.monday,
				"school_days": 2,
				"reason": REASON,
			}
		).insert()
		frappe.get_doc(
			{
				"doctype": "Exclusion",
				"child": self.ours.name,
				"school": self.own_school,
				"exclusion_type": "Suspension",
				"start_date": attendance.term_starts(attendance.current_period(today())[0])["Autumn"]
				- timedelta(days=10),
				"school_days": 2,
				"reason": REASON,
			}
		).insert()
		self.assertIn(self.ours.name, self.unmatched())

		# the school notifies it: the flag goes
		self.notify()
		found = self.unmatched()
		self.assertNotIn(self.ours.name, found)
		self.assertIn(self.theirs.name, found)

	def test_a_suspension_notified_after_the_week_does_not_account_for_it(self):
		self.suspended_week()
		self.notify(start_date=str(self.monday + timedelta(days=7)))
		self.assertIn(self.ours.name, self.unmatched())

	def test_a_permanent_exclusion_accounts_for_the_sessions_after_it(self):
		self.suspended_week()
		self.notify(exclusion_type="Permanent exclusion", start_date=str(self.monday))
		self.assertNotIn(self.ours.name, self.unmatched())

	# the demo ------------------------------------------------------------------------------------------
	def test_the_demo_notifies_one_suspension_through_the_portal(self):
		name = demo_exclusions.notify_from_portal(random.Random(1), OWN)
		doc = frappe.get_doc("Exclusion", name)
		self.assertEqual((doc.owner, doc.child, doc.school), (OWN, self.ours.name, self.own_school))
		self.assertTrue(self.notified(social_worker(1), name))
		self.assertIsNone(demo_exclusions.notify_from_portal(random.Random(1), OWN))  # once
