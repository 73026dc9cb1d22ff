"""Every school portal page names the council's virtual school (its logo too) and the school, and a school's
action is followed by a success message (issue #21 item 5; ``portal/header.py``).

The pages are enumerated from ``www/school-portal/*.html`` and rendered with the world and fixtures of the
portal escaping test (``test_side_doors_portal_escaping``), so a new page is covered once it has a fixture there.
"""

from html.parser import HTMLParser

import frappe
from frappe.utils import add_days, today
from frappe.website.path_resolver import PathResolver

from virtual_school.portal import actions, header
from virtual_school.portal.renderer import SHELLS
from virtual_school.setup.roles import SCHOOL_PORTAL_USER
from virtual_school.tests import test_portal_actions
from virtual_school.tests import test_side_doors_portal_escaping as escaping
from virtual_school.tests.test_portal_actions import OWN
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	make_child,
	make_placement,
	make_school,
	make_school_contact,
	make_user,
)

NAMES = {"authority_name": "Headershire County Council", "virtual_school_name": "Virtual School"}
LOGO = "/files/headershire-crest.png"


class Header(HTMLParser):
	"""The header's text, its logo and its status message, as a browser reads them."""

	def __init__(self):
		super().__init__(convert_charrefs=True)
		self.classes: list[str] = []
		self.council = self.school = self.message = ""
		self.logo = None

	def handle_starttag(self, tag, attrs):
		attrs = dict(attrs)
		self.classes.append(attrs.get("class") or "")
		if tag == "img" and "vs-portal-logo" in (attrs.get("class") or ""):
			self.logo = attrs.get("src")

	def handle_endtag(self, tag):
		if self.classes:
			self.classes.pop()

	def handle_data(self, data):
		current = self.classes[-1] if self.classes else ""
		if "vs-portal-council" in current:
			self.council += data
		elif "vs-portal-school" in current:
			self.school += data
		elif "vs-portal-message" in current:
			self.message += data


def read_header(html: str) -> Header:
	parsed = Header()
	parsed.feed(html)
	parsed.close()
	return parsed


class TestPortalHeader(VirtualSchoolTestCase):
	build_world = escaping.TestPortalEscaping.build_world
	render = escaping.TestPortalEscaping.render

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(escaping.PORTAL_USER, SCHOOL_PORTAL_USER, website_user=True)

	def setUp(self):
		super().setUp()
		SHELLS.clear()
		settings = frappe.get_single("Virtual School Settings")
		settings.update({**NAMES, "portal_logo": LOGO})
		settings.save()
		self.world = self.build_world()
		self.school_name = frappe.db.get_value("School", "991701", "school_name")

	def tearDown(self):
		SHELLS.clear()
		frappe.local.form_dict = frappe._dict()
		frappe.cache.delete_keys(header.MESSAGE_KEY)
		super().tearDown()

	def test_every_page_names_the_council_and_the_school(self):
		pages = sorted(path.stem for path in escaping.PAGES_DIR.glob("*.html"))
		fixtures = escaping.page_fixtures(self.world)
		self.assertFalse([page for page in pages if page not in fixtures], "a page without a fixture")
		frappe.set_user(escaping.PORTAL_USER)
		for page in pages:
			for query in fixtures[page]:
				with self.subTest(page=page, query=query):
					found = read_header(self.render(page, query))
					self.assertEqual(found.council.strip(), "Headershire County Council Virtual School")
					self.assertEqual(found.logo, LOGO)
					self.assertIn(self.school_name, found.school)
					self.assertEqual(found.message, "")

	def test_without_a_logo_the_name_alone(self):
		settings = frappe.get_single("Virtual School Settings")
		settings.portal_logo = ""
		settings.save()
		frappe.set_user(escaping.PORTAL_USER)
		found = read_header(self.render("index", {}))
		self.assertIsNone(found.logo)
		self.assertEqual(found.council.strip(), "Headershire County Council Virtual School")


class TestPortalMessages(VirtualSchoolTestCase):
	"""The helpers and world of ``test_portal_actions`` (a school with its pupil, PEPs, a place request)."""

	place_request = test_portal_actions.TestPortalActions.place_request
	pep = test_portal_actions.TestPortalActions.pep
	impact_report = test_portal_actions.TestPortalActions.impact_report

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(OWN, SCHOOL_PORTAL_USER, website_user=True)

	def setUp(self):
		super().setUp()
		SHELLS.clear()
		self.own_school = make_school("991301", "Actions Own Primary")
		make_school_contact(OWN, self.own_school)
		self.ours = make_child("Ours")
		make_placement(self.ours.name, self.own_school, add_days(today(), -60))
		self.year = test_portal_actions.ensure_open_funding_year()

	def tearDown(self):
		SHELLS.clear()
		frappe.cache.delete_keys(header.MESSAGE_KEY)
		super().tearDown()

	def page_message(self, page: str = "index") -> str:
		path = "school-portal" if page == "index" else f"school-portal/{page}"
		frappe.local.form_dict = frappe._dict()
		_endpoint, renderer = PathResolver(path).resolve()
		return read_header(renderer.get_html()).message.strip()

	def action_cases(self) -> dict:
		"""Each whitelisted portal action, called as the school would call it; what its message says."""
		request = self.place_request(self.own_school)
		pep = self.pep(self.ours.name, self.own_school, state="Submitted")
		draft = self.pep(self.ours.name, self.own_school)
		report = self.impact_report(self.ours.name, self.own_school)
		return {
			"answer_place_request": (
				lambda: actions.answer_place_request(
					request.name, request.approaches[0].name, "Offered", start_date=add_days(today(), 7)
				),
				"offer of a place is recorded",
			),
			"save_pep": (lambda: actions.save_pep(draft.name, {}), "PEP is saved"),
			"request_pp_plus": (
				lambda: actions.request_pp_plus(pep.targets[0].name, "50", "Tuition", "A tutor"),
				"PP+ request is sent",
			),
			"save_impact_report": (
				lambda: actions.save_impact_report(report.name, []),
				"impact report is saved",
			),
			# the exclusions page shows the message this action returns, without reloading (exclusions.js)
			"notify_exclusion": (
				lambda: actions.notify_exclusion(
					self.ours.name, "Suspension", today(), "Bullying", "What happened", school_days=1
				),
				"recorded",
			),
		}

	def test_every_action_says_what_it_did(self):
		"""After each action the school's next page shows a success message once (or the action returns it)."""
		cases = self.action_cases()
		whitelisted = {
			name
			for name, function in vars(actions).items()
			if callable(function)
			and function in frappe.whitelisted
			and function.__module__ == actions.__name__
		}
		self.assertEqual(whitelisted, set(cases), "a portal action without a case here")
		frappe.set_user(OWN)
		for name, (call, expected) in cases.items():
			with self.subTest(action=name):
				result = call() or {}
				message = self.page_message() or result.get("message", "")
				self.assertIn(expected, message, f"{name} succeeded without its message")
				self.assertEqual(self.page_message(), "", "a message shown twice")

	def test_an_offer_is_confirmed_on_the_place_requests_page(self):
		call, expected = self.action_cases()["answer_place_request"]
		frappe.set_user(OWN)
		call()
		self.assertIn(expected, self.page_message("place-requests"))

	def test_a_failed_action_says_nothing(self):
		request = self.place_request(self.own_school)
		frappe.set_user(OWN)
		with self.assertRaises(frappe.ValidationError):
			actions.answer_place_request(
				request.name, request.approaches[0].name, "Refused", refusal_reason=""
			)
		self.assertEqual(self.page_message(), "")
