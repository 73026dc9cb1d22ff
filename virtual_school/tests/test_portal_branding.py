"""The council's name and logo on the sign-in page (issue #21 item 5; ``portal/branding.py``), and British
English dates on the portal."""

import frappe
from frappe.utils.data import global_date_format

from virtual_school.portal import branding
from virtual_school.portal.pages import long_date
from virtual_school.setup.roles import SCHOOL_PORTAL_USER
from virtual_school.tests.utils import VirtualSchoolTestCase, make_school, make_school_contact, make_user

PORTAL_USER = "brand.portal@school.test"
NAMES = {"authority_name": "Testshire County Council", "virtual_school_name": "Virtual School"}


class TestPortalBranding(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(PORTAL_USER, SCHOOL_PORTAL_USER, website_user=True)

	def save_settings(self, **values):
		settings = frappe.get_single("Virtual School Settings")
		settings.update(values)
		settings.save()

	def test_saving_the_settings_names_the_sign_in_page(self):
		self.save_settings(**NAMES)
		self.assertEqual(
			frappe.db.get_single_value("Website Settings", "app_name"),
			"Testshire County Council Virtual School",
		)
		# what Frappe's sign-in page reads for "Login to {0}" (frappe/www/login.py)
		self.assertEqual(frappe.get_website_settings("app_name"), "Testshire County Council Virtual School")

	def test_the_logo_must_be_public(self):
		with self.assertRaisesRegex(frappe.ValidationError, "public file"):
			self.save_settings(portal_logo="/private/files/crest.png")
		self.save_settings(portal_logo="/files/crest.png")
		self.assertEqual(frappe.db.get_single_value("Website Settings", "app_logo"), "/files/crest.png")

	def test_british_english_dates(self):
		lang = frappe.local.lang
		try:
			frappe.local.lang = "en-GB"
			self.assertEqual(long_date("2027-03-05"), "5 March 2027")
			self.assertEqual(long_date("2027-03-05"), global_date_format("2027-03-05"))
		finally:
			frappe.local.lang = lang

	def test_portal_name_falls_back(self):
		self.assertEqual(
			branding.portal_name(frappe._dict(authority_name="", virtual_school_name="")), "Virtual School"
		)
