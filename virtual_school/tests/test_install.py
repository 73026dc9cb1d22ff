"""Install and migrate converge: roles, local authorities, workflows, default calendars, workspace."""

import frappe

from virtual_school.setup import roles
from virtual_school.setup.install import converge
from virtual_school.tests.utils import VirtualSchoolTestCase, head, make_user


class TestInstall(VirtualSchoolTestCase):
	def test_the_five_roles_exist_with_the_right_desk_access(self):
		for role_name in roles.DESK_ROLES:
			self.assertEqual(frappe.db.get_value("Role", role_name, "desk_access"), 1, role_name)
		self.assertEqual(frappe.db.get_value("Role", roles.SCHOOL_PORTAL_USER, "desk_access"), 0)

	def test_converge_is_idempotent(self):
		def counts():
			return {
				doctype: frappe.db.count(doctype)
				for doctype in (
					"Role",
					"Workflow",
					"Workflow State",
					"Local Authority",
					"Bank Holiday",
					"School Calendar",
				)
			}

		converge()
		before = counts()
		converge()
		self.assertEqual(counts(), before)

	def test_converge_repairs_a_role_whose_desk_access_was_changed(self):
		frappe.db.set_value("Role", roles.SCHOOL_PORTAL_USER, "desk_access", 1)
		converge()
		self.assertEqual(frappe.db.get_value("Role", roles.SCHOOL_PORTAL_USER, "desk_access"), 0)

	def test_all_153_local_authorities_are_loaded(self):
		self.assertEqual(frappe.db.count("Local Authority"), 153)
		self.assertEqual(frappe.db.get_value("Local Authority", "942", "la_name"), "Cumberland")

	def test_default_calendars_exist_from_two_years_back_to_next_year(self):
		from frappe.utils import getdate, today

		from virtual_school.domain import school_days

		current = school_days.academic_year_of(getdate(today()))
		start = int(current[:4])
		for year in range(start - 2, start + 2):
			label = f"{year}-{str(year + 1)[-2:]}"
			calendar = frappe.get_doc("School Calendar", label)
			self.assertEqual(len(calendar.terms), 6)
			self.assertGreaterEqual(calendar.total_school_days, 185)

	def test_head_lands_on_the_virtual_school_head_workspace(self):
		self.assertTrue(frappe.db.exists("Workspace", roles.WORKSPACE))
		user = head()  # the role workspaces: virtual_school/tests/test_workspaces.py
		self.assertEqual(frappe.db.get_value("User", user, "default_workspace"), "Virtual School Head")

	def test_portal_user_gets_no_default_workspace(self):
		user = make_user("portal.ws@example.test", roles.SCHOOL_PORTAL_USER, website_user=True)
		self.assertFalse(frappe.db.get_value("User", user, "default_workspace"))
