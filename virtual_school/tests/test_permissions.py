"""Caseload scoping through Frappe's own paths, as real users of each role.

The REST API is exercised with real logins in tests/web/test_permissions_rest.py (tier 3).
"""

import frappe
from frappe.desk.search import search_widget
from frappe.utils import add_days, today

from virtual_school.permissions import is_caseload_restricted
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	finance,
	head,
	make_child,
	make_placement,
	make_school,
	manager,
)


class TestCaseloadPermissions(VirtualSchoolTestCase):
	def setUp(self):
		self.own_worker, self.other_worker = caseworker(1), caseworker(2)
		self.school = make_school("990401", "Castle Primary")
		self.own_child = make_child(
			"Poppy", "Caseload-Own", caseworker=self.own_worker, carer_name="Carer One"
		)
		self.other_child = make_child("Reggie", "Caseload-Other", caseworker=self.other_worker)
		self.unassigned_child = make_child("Sienna", "Caseload-Nobody")
		self.own_placement = make_placement(self.own_child.name, self.school, add_days(today(), -40))
		self.other_placement = make_placement(self.other_child.name, self.school, add_days(today(), -40))

	def visible_children(self):
		return set(frappe.get_list("Child", pluck="name", limit_page_length=0))

	def test_caseworker_lists_only_their_caseload(self):
		frappe.set_user(self.own_worker)
		visible = self.visible_children()
		self.assertIn(self.own_child.name, visible)
		self.assertNotIn(self.other_child.name, visible)
		self.assertNotIn(self.unassigned_child.name, visible, "no caseworker must not mean everyone's")

	def test_caseworker_cannot_open_another_caseworkers_child(self):
		frappe.set_user(self.own_worker)
		self.assertTrue(frappe.has_permission("Child", "read", self.own_child.name))
		self.assertFalse(frappe.has_permission("Child", "read", self.other_child.name))
		self.assertFalse(frappe.has_permission("Child", "print", self.other_child.name))
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc("Child", self.other_child.name).check_permission("read")

	def test_caseworker_link_search_finds_only_their_caseload(self):
		frappe.set_user(self.own_worker)
		results = search_widget("Child", "Caseload", page_length=50, as_dict=True)
		names = {row["name"] for row in results}
		self.assertEqual(
			names & {self.own_child.name, self.other_child.name, self.unassigned_child.name},
			{self.own_child.name},
		)

	def test_caseworker_sees_only_their_childrens_placements(self):
		frappe.set_user(self.own_worker)
		visible = set(frappe.get_list("Education Placement", pluck="name", limit_page_length=0))
		self.assertIn(self.own_placement.name, visible)
		self.assertNotIn(self.other_placement.name, visible)
		self.assertFalse(frappe.has_permission("Education Placement", "read", self.other_placement.name))

	def test_caseworker_cannot_add_a_placement_for_another_caseworkers_child(self):
		frappe.set_user(self.own_worker)
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc(
				{
					"doctype": "Education Placement",
					"child": self.other_child.name,
					"school": self.school,
					"start_date": add_days(today(), -1),
					"attendance_basis": "Part time",
				}
			).insert()

	def test_a_child_shared_with_a_caseworker_is_visible_to_them(self):
		frappe.share.add_docshare(
			"Child", self.other_child.name, self.own_worker, read=1, flags={"ignore_share_permission": True}
		)
		frappe.set_user(self.own_worker)
		self.assertIn(self.other_child.name, self.visible_children())
		self.assertTrue(frappe.has_permission("Child", "read", self.other_child.name))
		self.assertIn(
			self.other_placement.name,
			set(frappe.get_list("Education Placement", pluck="name", limit_page_length=0)),
		)

	def test_sharing_and_unsharing_take_effect_on_the_next_list(self):
		"""The shared children are cached per user (permissions.shared_children): a share given or taken away
		must show on the very next list, not when the cache entry expires."""
		frappe.set_user(self.own_worker)
		self.assertNotIn(self.other_child.name, self.visible_children())  # caches "nothing shared"
		frappe.set_user("Administrator")
		frappe.share.add_docshare(
			"Child", self.other_child.name, self.own_worker, read=1, flags={"ignore_share_permission": True}
		)
		frappe.set_user(self.own_worker)
		self.assertIn(self.other_child.name, self.visible_children())  # caches the share
		frappe.set_user("Administrator")
		frappe.share.remove(
			"Child", self.other_child.name, self.own_worker, flags={"ignore_share_permission": True}
		)
		frappe.set_user(self.own_worker)
		self.assertNotIn(self.other_child.name, self.visible_children())

	def test_manager_head_and_finance_see_every_child(self):
		for user in (manager(), head(), finance()):
			frappe.set_user(user)
			self.assertFalse(is_caseload_restricted(user))
			visible = self.visible_children()
			self.assertTrue(
				{self.own_child.name, self.other_child.name, self.unassigned_child.name} <= visible, user
			)

	def test_finance_cannot_read_carer_fields(self):
		frappe.set_user(finance())
		doc = frappe.get_doc("Child", self.own_child.name)
		doc.apply_fieldlevel_read_permissions()
		self.assertIsNone(doc.get("carer_name"))
		self.assertFalse(frappe.has_permission("Child", "write", self.own_child.name))

	def test_caseworker_reads_carer_fields_of_their_own_child(self):
		frappe.set_user(self.own_worker)
		doc = frappe.get_doc("Child", self.own_child.name)
		doc.apply_fieldlevel_read_permissions()
		self.assertEqual(doc.carer_name, "Carer One")

	def test_permission_aware_count_differs_from_frappe_db_count(self):
		"""frappe.db.count ignores permissions; anything shown to a caseworker must use get_list."""
		frappe.set_user(self.own_worker)
		visible = frappe.get_list("Child", fields=["count(name) as total"])[0].total
		self.assertLess(visible, frappe.db.count("Child"))
