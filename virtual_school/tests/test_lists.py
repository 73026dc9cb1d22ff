"""The desk's lists, "mine" filters and finding a child by name (issue #21 item 3; ``setup/list_filters.py``,
``children/search.py``).

Every rule is read from metadata: a doctype or list column added next year is checked without editing this file.
"""

import json

import frappe
from frappe.handler import execute_cmd
from frappe.utils import set_request

from virtual_school.children import search as child_search
from virtual_school.permissions import CASELOAD_FIELDS
from virtual_school.setup import list_filters
from virtual_school.setup.roles import (
	SOCIAL_WORKER,
	VIRTUAL_SCHOOL_CASEWORKER,
	VIRTUAL_SCHOOL_FINANCE,
	VIRTUAL_SCHOOL_HEAD,
)
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	finance,
	head,
	make_child,
	social_worker,
)


def app_lists() -> list[str]:
	doctypes = list_filters.app_list_doctypes()
	assert "Child" in doctypes and "PP Plus Claim" in doctypes, doctypes
	return doctypes


class TestListColumns(VirtualSchoolTestCase):
	def test_every_list_fits_1366_px(self):
		"""At most MAX_LIST_FIELDS columns beside the title (list_filters.py says why: ~115 px each)."""
		wide = {
			doctype: list_filters.list_fields(doctype)
			for doctype in app_lists()
			if len(list_filters.list_fields(doctype)) > list_filters.MAX_LIST_FIELDS
		}
		self.assertFalse(wide, f"lists with more than {list_filters.MAX_LIST_FIELDS} columns: {wide}")

	def test_every_list_column_is_shown_at_1366_px(self):
		"""Frappe shows 4 columns at 1366 px (title, tag, status, one field): the list's settings lift that."""
		hidden = {}
		for doctype in app_lists():
			needed = list_filters.columns_needed(doctype)
			if needed <= list_filters.FRAPPE_COLUMNS_AT_1366:
				continue
			total = frappe.db.get_value("List View Settings", doctype, "total_fields")
			if int(total or 0) < needed:
				hidden[doctype] = (total, needed)
		self.assertFalse(hidden, f"lists whose List View Settings hide columns (have, need): {hidden}")

	def test_list_settings_are_restored_and_never_lowered(self):
		frappe.delete_doc("List View Settings", "PP Plus Claim", ignore_permissions=True, force=True)
		frappe.db.set_value("List View Settings", "Child", "total_fields", "10")
		list_filters.sync_list_view_settings()
		list_filters.sync_list_view_settings()  # idempotent
		self.assertEqual(
			int(frappe.db.get_value("List View Settings", "PP Plus Claim", "total_fields")),
			list_filters.columns_needed("PP Plus Claim"),
		)
		self.assertEqual(frappe.db.get_value("List View Settings", "Child", "total_fields"), "10")

	def test_records_about_a_child_are_listed_by_the_childs_name(self):
		"""A doctype with a ``child`` link and the child's name is titled by the name (not CH-00012), and does
		not repeat the child's link as a column."""
		problems = []
		for doctype in app_lists():
			meta = frappe.get_meta(doctype)
			child = meta.get_field("child")
			if not (
				child
				and child.fieldtype == "Link"
				and child.options == "Child"
				and meta.get_field("child_name")
			):
				continue
			if meta.title_field != "child_name":
				problems.append(f"{doctype}: title {meta.title_field!r}")
			if "child" in list_filters.list_fields(doctype):
				problems.append(f"{doctype}: lists the child's link beside the child's name")
		self.assertFalse(problems, problems)

	def test_titles_and_linked_names(self):
		"""A title is a real field, not the ID; a column linking to an app record with a title shows that title."""
		problems = []
		for doctype in app_lists():
			meta = frappe.get_meta(doctype)
			if meta.title_field and (meta.title_field == "name" or not meta.get_field(meta.title_field)):
				problems.append(f"{doctype}: title field {meta.title_field!r}")
			for fieldname in list_filters.list_fields(doctype):
				df = meta.get_field(fieldname)
				if (
					df.fieldtype != "Link"
					or frappe.db.get_value("DocType", df.options, "module") != "Virtual School"
				):
					continue
				target = frappe.get_meta(df.options)
				if target.title_field and not target.show_title_field_in_link:
					problems.append(
						f"{doctype}.{fieldname}: {df.options} IDs instead of {target.title_field}"
					)
		self.assertFalse(problems, problems)


class TestMineFilters(VirtualSchoolTestCase):
	def saved_filters(self, user: str) -> dict[tuple[str, str], list]:
		"""What the list sidebar's saved filters show the user (frappe/public/js/frappe/list/list_filter.js)."""
		frappe.set_user(user)
		try:
			rows = frappe.get_list(
				"List Filter",
				fields=["reference_doctype", "filter_name", "filters"],
				or_filters=[["for_user", "=", user], ["for_user", "=", ""]],
			)
		finally:
			frappe.set_user("Administrator")
		return {(row.reference_doctype, row.filter_name): json.loads(row.filters) for row in rows}

	def test_each_role_has_its_mine_filters(self):
		users = {
			VIRTUAL_SCHOOL_CASEWORKER: caseworker(1),
			SOCIAL_WORKER: social_worker(1),
			VIRTUAL_SCHOOL_HEAD: head(),
			VIRTUAL_SCHOOL_FINANCE: finance(),
		}
		for role, user in users.items():
			with self.subTest(role=role):
				expected = {
					(doctype, label): [[doctype, field, "=", user]]
					for doctype, choices in list_filters.MINE_FILTERS.items()
					for label, filter_role, field in choices
					if filter_role == role
				}
				saved = self.saved_filters(user)
				for key, rows in expected.items():
					self.assertEqual(saved.get(key), rows, key)
				mine = {key for key in saved if key[0] in list_filters.MINE_FILTERS}
				self.assertEqual(mine, set(expected), "filters for lists the role has no caseload in")
		self.assertIn(("Child", "My caseload"), self.saved_filters(users[VIRTUAL_SCHOOL_CASEWORKER]))
		self.assertFalse(self.saved_filters(users[VIRTUAL_SCHOOL_FINANCE]))

	def test_every_caseload_role_has_a_child_filter(self):
		roles = {role for _label, role, _field in list_filters.MINE_FILTERS["Child"]}
		self.assertEqual(roles, set(CASELOAD_FIELDS))

	def test_my_caseload_lists_only_my_children(self):
		user = caseworker(1)
		mine = make_child("Mine", caseworker=user).name
		shared = make_child("Shared", caseworker=caseworker(2)).name
		frappe.share.add_docshare("Child", shared, user, read=1, flags={"ignore_share_permission": True})
		rows = self.saved_filters(user)[("Child", "My caseload")]
		frappe.set_user(user)
		listed = set(frappe.get_list("Child", filters=[row[:4] for row in rows], pluck="name", limit=0))
		everything = set(frappe.get_list("Child", pluck="name", limit=0))
		self.assertIn(mine, listed)
		self.assertIn(shared, everything)
		self.assertNotIn(shared, listed)

	def test_filters_follow_the_users_roles(self):
		email = f"vs.lists.{frappe.generate_hash(length=6)}@example.test"
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": "Lists", "send_welcome_email": 0}
		)
		user.append("roles", {"role": VIRTUAL_SCHOOL_CASEWORKER})
		user.insert(ignore_permissions=True)
		self.assertIn(("PP Plus Claim", "My caseload"), self.saved_filters(email))
		user.reload()
		user.set("roles", [{"role": VIRTUAL_SCHOOL_FINANCE}])
		user.save(ignore_permissions=True)
		self.assertFalse(self.saved_filters(email))
		# a migrate puts back a filter the user deleted, and changes nothing else
		user.set("roles", [{"role": SOCIAL_WORKER}])
		user.save(ignore_permissions=True)
		frappe.db.delete("List Filter", {"for_user": email})
		list_filters.sync_mine_filters()
		list_filters.sync_mine_filters()
		self.assertEqual(
			self.saved_filters(email),
			{("Child", "My caseload"): [["Child", "social_worker_user", "=", email]]},
		)


class TestFindingAChild(VirtualSchoolTestCase):
	def setUp(self):
		super().setUp()
		self.surname = "Quill" + frappe.generate_hash(length=6)
		self.own = make_child("Ottilie", self.surname, caseworker=caseworker(1)).name
		self.other = make_child("Ophelia", self.surname, caseworker=caseworker(2)).name

	def awesome_bar(self, user: str, text: str, doctype: str = "") -> set[str]:
		"""The awesome bar's "Search for …" as Frappe's client calls it (the whitelisted method, hooks applied)."""
		frappe.set_user(user)
		try:
			set_request(method="GET", path="/api/method/frappe.utils.global_search.search")
			frappe.local.form_dict = frappe._dict(text=text, start=0, limit=20, doctype=doctype)
			results = execute_cmd("frappe.utils.global_search.search")
		finally:
			frappe.local.form_dict = frappe._dict()
			frappe.set_user("Administrator")
		return {row["name"] for row in results if row["doctype"] == "Child"}

	def test_a_caseworker_finds_their_own_child_only(self):
		self.assertEqual(self.awesome_bar(caseworker(1), self.surname), {self.own})
		self.assertEqual(self.awesome_bar(caseworker(2), self.surname), {self.other})
		self.assertEqual(self.awesome_bar(caseworker(2), f"Ottilie {self.surname}"), set())
		self.assertEqual(self.awesome_bar(caseworker(1), f"Ottilie {self.surname}", "Child"), {self.own})
		self.assertEqual(self.awesome_bar(head(), self.surname), {self.own, self.other})

	def test_the_awesome_bar_dropdown_keeps_to_the_caseload(self):
		"""``public/js/awesome_bar_children.js`` asks this method as the user types."""
		method = "virtual_school.children.search.children_for_awesome_bar"
		for user, expected in ((caseworker(1), {self.own}), (caseworker(2), {self.other})):
			with self.subTest(user=user):
				frappe.set_user(user)
				set_request(method="GET", path=f"/api/method/{method}")
				frappe.local.form_dict = frappe._dict(text=f"O {self.surname}")
				try:
					rows = execute_cmd(method)
				finally:
					frappe.local.form_dict = frappe._dict()
				self.assertEqual({row.name for row in rows}, expected)
				self.assertEqual({row.full_name for row in rows} - {""}, {row.full_name for row in rows})

	def test_the_names_are_escaped_for_the_dialog(self):
		frappe.db.set_value("Child", self.own, "full_name", f"Ottilie <b>{self.surname}</b>")
		frappe.set_user(caseworker(1))
		[row] = child_search.children_matching(self.surname)
		self.assertIn(f"&lt;b&gt;{self.surname}", row["content"])
		self.assertNotIn("<b>", row["content"])

	def test_link_search_keeps_to_the_caseload(self):
		"""A link field's search (``search_link``, ``search_widget``), also when the caller asks to ignore user
		permissions (Frappe then skipped the permission hooks)."""
		frappe.set_user(caseworker(1))
		for method in ("frappe.desk.search.search_link", "frappe.desk.search.search_widget"):
			for ignore in (0, 1):
				with self.subTest(method=method, ignore_user_permissions=ignore):
					set_request(method="GET", path=f"/api/method/{method}")
					frappe.local.form_dict = frappe._dict(
						doctype="Child", txt=self.surname, ignore_user_permissions=ignore, as_dict=1
					)
					try:
						rows = execute_cmd(method) or frappe.response.get("values") or []
					finally:
						frappe.local.form_dict = frappe._dict()
						frappe.response.pop("values", None)
					found = {row.get("value") or row.get("name") for row in rows}
					self.assertEqual(found, {self.own})
