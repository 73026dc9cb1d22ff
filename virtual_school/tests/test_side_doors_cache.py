"""The restricted-field guard's process cache follows every metadata change at once (issue #17).

``virtual_school/security/restricted_fields.py`` computes the fields a set of roles may not read once per
process and keeps them by the doctype's meta *stamp*, a random value every Meta gets when Frappe builds it.
Frappe builds a new meta whenever a DocType, Custom Field, Property Setter or Custom DocPerm changes, on
``frappe.clear_cache`` (``bench clear-cache``, migrate), and for a child table's parents when the table
changes. These tests fill the cache with a query, change a field's level or a role's levels through
Frappe's own documents, and check the very next query follows the change, without clearing anything by
hand. Table-driven from metadata: every app doctype, every role reading it without some level, and every
child table, so a doctype or role added later is covered.
"""

from unittest.mock import patch

import frappe
from frappe.custom.doctype.property_setter.property_setter import make_property_setter
from frappe.model import no_value_fields
from frappe.permissions import add_permission

from virtual_school.security import restricted_fields
from virtual_school.tests.test_side_doors_restricted_fields import read_levels_by_role, role_user
from virtual_school.tests.utils import VirtualSchoolTestCase

MODULE = "Virtual School"
PLAIN_TYPES = ("Data", "Small Text", "Select", "Link")


def top_level_doctypes() -> list[str]:
	return frappe.get_all(
		"DocType", filters={"module": MODULE, "istable": 0, "issingle": 0}, pluck="name", order_by="name"
	)


def plain_field(doctype: str) -> str | None:
	"""A field at level 0 that any reader of the doctype may filter on."""
	for df in frappe.get_meta(doctype).fields:
		if df.fieldtype in PLAIN_TYPES and not df.permlevel:
			return df.fieldname
	return None


def levels_lacking(doctype: str) -> list[tuple[str, int, str]]:
	"""(role, level, a field at that level) for each role reading level 0 of the doctype but not that level."""
	fields = {}
	for df in frappe.get_meta(doctype).get_high_permlevel_fields():
		# a field the probe value "x" suits (a date field refuses it before any permission check)
		if df.fieldtype not in no_value_fields and df.fieldtype in PLAIN_TYPES:
			fields.setdefault(df.permlevel, df.fieldname)
	out = []
	for role, have in sorted(read_levels_by_role(doctype).items()):
		if 0 in have:
			out.extend((role, level, field) for level, field in sorted(fields.items()) if level not in have)
	return out


def filter_as(user: str, doctype: str, filters: list) -> None:
	"""A list query as a new request makes it (``set_user`` empties the per-request caches)."""
	frappe.set_user(user)
	try:
		frappe.get_list(doctype, filters=filters, fields=["name"], limit_page_length=1)
	finally:
		frappe.set_user("Administrator")


class TestRestrictedFieldCache(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		restricted_fields.install()  # idempotent: before_tests applies it too
		cls.cases = [
			(doctype, role, level, field)
			for doctype in top_level_doctypes()
			for role, level, field in levels_lacking(doctype)
		]
		cls.users = {role: role_user(role) for _doctype, role, _level, _field in cls.cases}

	def assertRefused(self, user: str, doctype: str, filters: list, fieldname: str):
		with self.assertRaises(frappe.PermissionError) as caught:
			filter_as(user, doctype, filters)
		self.assertIn(fieldname, str(caught.exception))
		frappe.clear_last_message()

	def test_the_table_is_not_empty(self):
		self.assertTrue(self.cases, "no app doctype has a role without one of its levels")

	def test_the_map_is_computed_once_across_requests(self):
		doctype, role, _level, _field = self.cases[0]
		filter_as(self.users[role], doctype, [])
		with patch.object(
			restricted_fields, "_compute_bundle", wraps=restricted_fields._compute_bundle
		) as compute:
			for _request in range(3):
				filter_as(self.users[role], doctype, [])
		self.assertEqual(compute.call_count, 0)

	def test_a_property_setter_raising_a_field_level_applies_at_once(self):
		for doctype, role, level, _field in self.cases:
			field = plain_field(doctype)
			if not field:
				continue
			with self.subTest(doctype=doctype, role=role, field=field, level=level):
				user, filters = self.users[role], [[doctype, field, "=", "x"]]
				filter_as(user, doctype, filters)  # the map is cached without the field
				setter = make_property_setter(
					doctype, field, "permlevel", level, "Int", validate_fields_for_doctype=False
				)
				self.assertRefused(user, doctype, filters, field)
				frappe.delete_doc("Property Setter", setter.name, ignore_permissions=True)
				filter_as(user, doctype, filters)  # and the field is open again

	def test_a_custom_docperm_granting_the_level_applies_at_once(self):
		for doctype, role, level, field in self.cases:
			with self.subTest(doctype=doctype, role=role, field=field, level=level):
				user, filters = self.users[role], [[doctype, field, "=", "x"]]
				self.assertRefused(user, doctype, filters, field)  # cached with the field restricted
				add_permission(doctype, role, level)  # the role permission manager's "Add a new rule"
				filter_as(user, doctype, filters)
				frappe.db.rollback()

	def test_a_child_table_field_raised_to_a_level_applies_through_its_parent(self):
		"""The parent's cached map holds its tables' fields: a table's change must reach it too."""
		tested = 0
		for doctype in top_level_doctypes():
			lacking = levels_lacking(doctype)
			if not lacking:
				continue
			role, level, _field = lacking[0]
			for table in {df.options for df in frappe.get_meta(doctype).get_table_fields()}:
				field = plain_field(table)
				if not field:
					continue
				with self.subTest(doctype=doctype, table=table, role=role, field=field):
					user, filters = self.users[role], [[table, field, "=", "x"]]
					filter_as(user, doctype, filters)
					make_property_setter(
						table, field, "permlevel", level, "Int", validate_fields_for_doctype=False
					)
					self.assertRefused(user, doctype, filters, field)
					frappe.db.rollback()
					tested += 1
		self.assertTrue(tested, "no app doctype with a restricted level has a child table")

	def test_clearing_the_cache_rebuilds_every_stamp(self):
		"""``bench clear-cache`` and migrate (``frappe.clear_cache()``), and a table's clear for its parents."""
		doctype = self.cases[0][0]
		before = restricted_fields._stamp(restricted_fields._stamped(frappe.get_meta(doctype)))
		frappe.clear_cache()
		self.assertNotEqual(before, restricted_fields._stamp(frappe.get_meta(doctype)))
		for table in {df.options for df in frappe.get_meta(doctype).get_table_fields()}:
			before = restricted_fields._stamp(frappe.get_meta(doctype))
			frappe.clear_cache(doctype=table)
			self.assertNotEqual(before, restricted_fields._stamp(frappe.get_meta(doctype)), table)
