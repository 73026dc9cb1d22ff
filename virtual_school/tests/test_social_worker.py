"""Social workers as users (issue #23 item 1): their children only, the PEP's social-care part, notifications.

Guards: the caseload rule for the role (virtual_school/permissions.py ``CASELOAD_FIELDS``,
reports/caseload.py ``scope``), the PEP write guard and the link's validation
(virtual_school/children/social_worker.py), the notifications (virtual_school/children/notify.py).
The generic side doors (child rows, references, restricted fields, system-owned fields) are covered for the
role by the side-door suites, which enumerate the roles from ``setup.roles``.
"""

from datetime import date

import frappe
from frappe.client import get_list as client_get_list
from frappe.client import set_value
from frappe.desk.reportview import get as reportview_get
from frappe.desk.search import search_link
from frappe.utils import add_days, today

from virtual_school.children import social_worker
from virtual_school.children.social_worker import SOCIAL_CARE_FIELDS, SocialWorkerFieldError
from virtual_school.reports import caseload
from virtual_school.setup import roles
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	make_child,
	make_placement,
	make_school,
	make_user,
)

SW_A = "vs.socialworker.a@example.test"
SW_B = "vs.socialworker.b@example.test"
NOT_SW = "vs.socialworker.none@example.test"  # an enabled user without the role
# Every doctype the role reads, each record built on a child: the role must see its own child's only.
CHILD_RECORDS = (
	"Education Placement",
	"Personal Education Plan",
	"Exclusion",
	"Care Placement Move",
	"School Place Request",
	"Escalation",
	"Attendance Record",
	"Attendance Term Total",
)


def social_worker_user(email: str) -> str:
	return make_user(email, roles.SOCIAL_WORKER)


def read_doctypes(role: str) -> list[str]:
	"""The app doctypes whose DocPerms let the role read at level 0 (from metadata)."""
	return sorted(
		{
			perm.parent
			for perm in frappe.get_all(
				"DocPerm", filters={"role": role, "permlevel": 0, "read": 1}, fields=["parent"]
			)
		}
	)


class TestSocialWorker(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		social_worker_user(SW_A), social_worker_user(SW_B)
		make_user(NOT_SW, roles.VIRTUAL_SCHOOL_FINANCE)

	def setUp(self):
		super().setUp()
		self.school = make_school("991231", "Social Work Primary")
		self.mine = make_child("Mina", caseworker=caseworker(1), social_worker_user=SW_A)
		self.theirs = make_child("Theo", caseworker=caseworker(1), social_worker_user=SW_B)
		self.placements = {
			child.name: make_placement(child.name, self.school, date(2026, 9, 1))
			for child in (self.mine, self.theirs)
		}
		self.peps = {
			child.name: frappe.get_doc(
				{"doctype": "Personal Education Plan", "child": child.name, "due_date": date(2026, 10, 8)}
			).insert()
			for child in (self.mine, self.theirs)
		}

	def test_the_role_exists_as_a_desk_role_and_reads_the_case_records(self):
		self.assertIn(roles.SOCIAL_WORKER, roles.DESK_ROLES)
		self.assertEqual(frappe.db.get_value("Role", roles.SOCIAL_WORKER, "desk_access"), 1)
		readable = set(read_doctypes(roles.SOCIAL_WORKER))
		self.assertLessEqual({"Child", *CHILD_RECORDS}, readable)
		# no direct access to PP+ or the team's own records
		self.assertFalse(readable & {"PP Plus Claim", "PP Plus Payment", "Import Log", "Annual Report Run"})

	def test_sees_only_their_children_through_list_report_view_link_search_and_get(self):
		frappe.set_user(SW_A)
		self.assertEqual(frappe.get_list("Child", pluck="name"), [self.mine.name])
		self.assertEqual([row.name for row in client_get_list("Child", fields=["name"])], [self.mine.name])
		frappe.local.form_dict = frappe._dict(doctype="Child", fields=["`tabChild`.`name`"])
		view = reportview_get()
		self.assertEqual([row[0] for row in view["values"]], [self.mine.name])
		found = search_link("Child", "", page_length=50)
		self.assertEqual([row["value"] for row in found], [self.mine.name])
		self.assertTrue(frappe.has_permission("Child", "read", self.mine.name))
		self.assertFalse(frappe.has_permission("Child", "read", self.theirs.name))
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc("Child", self.theirs.name).check_permission("read")

	def test_sees_only_their_childrens_records_of_every_doctype_the_role_reads(self):
		frappe.set_user(SW_A)
		for doctype in ("Education Placement", "Personal Education Plan"):
			with self.subTest(doctype=doctype):
				children = set(frappe.get_list(doctype, pluck="child"))
				self.assertEqual(children, {self.mine.name})
				other = frappe.get_all(doctype, {"child": self.theirs.name}, pluck="name")[0]
				self.assertFalse(frappe.has_permission(doctype, "read", other))
		# the rest: the query condition names only their children, whatever rows exist today
		for doctype in read_doctypes(roles.SOCIAL_WORKER):
			if not frappe.get_meta(doctype).has_field("child"):
				continue
			with self.subTest(doctype=doctype):
				rows = frappe.get_list(doctype, fields=["child"], limit=0)
				self.assertLessEqual({row.child for row in rows}, {self.mine.name})

	def test_no_pp_plus_claim_access(self):
		frappe.set_user(SW_A)
		self.assertFalse(frappe.has_permission("PP Plus Claim", "read"))
		self.assertFalse(frappe.has_permission("PP Plus Claim", "create"))

	def test_report_scope_is_their_children(self):
		child = frappe.qb.DocType("Child")
		rows = (
			frappe.qb.from_(child)
			.select(child.name)
			.where(caseload.scope(child, SW_A))
			.where(child.name.isin([self.mine.name, self.theirs.name]))
			.run(pluck=True)
		)
		self.assertEqual(rows, [self.mine.name])

	def test_a_share_adds_a_child(self):
		frappe.share.add_docshare(
			"Child", self.theirs.name, SW_A, read=1, flags={"ignore_share_permission": True}
		)
		frappe.set_user(SW_A)
		self.assertEqual(set(frappe.get_list("Child", pluck="name")), {self.mine.name, self.theirs.name})

	def test_writes_the_social_care_part_of_their_pep(self):
		pep = self.peps[self.mine.name]
		frappe.set_user(SW_A)
		doc = frappe.get_doc("Personal Education Plan", pep.name)
		doc.care_plan_context = "Long-term foster placement; permanence plan agreed."
		doc.placement_stability = "Stable"
		doc.carer_role_in_learning = "Reads with Mina every evening."
		doc.save()
		self.assertEqual(
			frappe.db.get_value("Personal Education Plan", pep.name, "placement_stability"), "Stable"
		)
		set_value("Personal Education Plan", pep.name, "placement_stability_detail", "No move planned.")

	def test_cannot_write_other_pep_fields_on_any_path(self):
		pep = self.peps[self.mine.name]
		frappe.set_user(SW_A)
		for fieldname, value in (
			("qa_rating", "Good"),
			("child_views", "Written by the social worker"),
			("meeting_date", "2026-10-02"),
		):
			with self.subTest(fieldname=fieldname), self.assertRaises(frappe.PermissionError):
				set_value("Personal Education Plan", pep.name, fieldname, value)
		doc = frappe.get_doc("Personal Education Plan", pep.name)
		doc.append("targets", {"area": "Reading and writing", "target": "Read daily"})
		with self.assertRaises(SocialWorkerFieldError):
			doc.save()

	def test_the_guard_lets_every_social_care_field_and_only_those_through(self):
		"""From metadata: every field of the PEP's Social care section is a social-care field, and back."""
		meta = frappe.get_meta("Personal Education Plan")
		section, found = None, set()
		for df in meta.fields:
			if df.fieldtype == "Section Break":
				section = df.fieldname
			elif section == "section_social_care" and df.fieldtype != "Column Break":
				found.add(df.fieldname)
		self.assertEqual(found, set(SOCIAL_CARE_FIELDS))

	def test_cannot_read_or_write_other_childrens_peps(self):
		frappe.set_user(SW_A)
		with self.assertRaises(frappe.PermissionError):
			set_value("Personal Education Plan", self.peps[self.theirs.name].name, "care_plan_context", "x")

	def test_cannot_link_themself_to_a_child(self):
		frappe.set_user(SW_A)
		with self.assertRaises(frappe.PermissionError):
			set_value("Child", self.theirs.name, "social_worker_user", SW_A)
		with self.assertRaises(frappe.PermissionError):
			set_value("Child", self.mine.name, "social_worker_name", "Someone")

	def test_the_link_names_an_enabled_social_worker_only(self):
		frappe.set_user(caseworker(1))
		child = frappe.get_doc("Child", self.mine.name)
		child.social_worker_user = NOT_SW
		with self.assertRaises(frappe.ValidationError):
			child.save()

	def test_an_email_of_a_social_worker_fills_the_link(self):
		frappe.set_user(caseworker(1))
		child = make_child("Eli", caseworker=caseworker(1), social_worker_email=SW_B.upper())
		self.assertEqual(child.social_worker_user, SW_B)

	def test_import_links_by_email_set_based(self):
		frappe.set_user("Administrator")
		matching = make_child("Ivy", social_worker_email=f" {SW_A.upper()} ")
		other = make_child("Ned", social_worker_email="nobody@example.test")
		handed_over = make_child("Ora", social_worker_user=SW_B)
		# as an import writes them: straight to the table, no controller
		frappe.db.set_value("Child", matching.name, "social_worker_user", None)
		frappe.db.set_value("Child", handed_over.name, "social_worker_email", SW_A)
		changed = social_worker.link_social_worker_users([matching.name, other.name, handed_over.name])
		self.assertEqual(changed, 2)
		self.assertEqual(frappe.db.get_value("Child", matching.name, "social_worker_user"), SW_A)
		self.assertIsNone(frappe.db.get_value("Child", other.name, "social_worker_user"))
		self.assertEqual(frappe.db.get_value("Child", handed_over.name, "social_worker_user"), SW_A)

	def test_ssda903_import_calls_the_link(self):
		import inspect

		from virtual_school.imports import ssda903

		self.assertIn("link_social_worker_users(", inspect.getsource(ssda903.import_children))

	def test_asks_the_caseworker_for_pp_plus_with_a_todo(self):
		frappe.set_user(SW_A)
		todo = social_worker.ask_caseworker_for_pp_plus(self.mine.name, "Tutoring in maths")
		frappe.set_user("Administrator")
		row = frappe.get_doc("ToDo", todo)
		self.assertEqual(
			(row.allocated_to, row.reference_type, row.reference_name),
			(caseworker(1), "Child", self.mine.name),
		)
		self.assertIn("Tutoring in maths", row.description)
		frappe.set_user(SW_A)
		with self.assertRaises(frappe.PermissionError):
			social_worker.ask_caseworker_for_pp_plus(self.theirs.name, "Tutoring")
		frappe.set_user(caseworker(2))
		with self.assertRaises(frappe.PermissionError):
			social_worker.ask_caseworker_for_pp_plus(self.mine.name, "Tutoring")

	def notifications(self, user: str, doctype: str, name: str) -> list:
		return frappe.get_all(
			"Notification Log",
			filters={"for_user": user, "document_type": doctype, "document_name": name},
			pluck="subject",
		)

	def test_notified_when_their_child_is_excluded(self):
		frappe.set_user(caseworker(1))
		for child in (self.mine, self.theirs):
			exclusion = frappe.get_doc(
				{
					"doctype": "Exclusion",
					"child": child.name,
					"school": self.school,
					"exclusion_type": "Suspension",
					"start_date": add_days(today(), -1),
					"school_days": 2,
					"reason": "Persistent or general disruptive behaviour",
					"notice_date": add_days(today(), -1),
				}
			).insert()
			with self.subTest(child=child.first_name):
				self.assertTrue(self.notifications(child.social_worker_user, "Exclusion", exclusion.name))
				other = SW_B if child.social_worker_user == SW_A else SW_A
				self.assertFalse(self.notifications(other, "Exclusion", exclusion.name))

	def test_notified_when_their_child_is_left_without_a_school(self):
		placement = self.placements[self.mine.name]
		frappe.set_user(caseworker(1))
		doc = frappe.get_doc("Education Placement", placement.name)
		doc.end_date = today()
		doc.save()
		# ended today: still on roll today, so no notice yet; ended yesterday: no school now
		doc.end_date = add_days(today(), -1)
		doc.save()
		self.assertFalse(frappe.db.get_value("Child", self.mine.name, "current_school"))
		self.assertTrue(self.notifications(SW_A, "Education Placement", placement.name))
		self.assertFalse(self.notifications(SW_B, "Education Placement", placement.name))

	def test_no_notice_when_another_school_place_remains(self):
		make_placement(
			self.mine.name, make_school("991232", "Second Primary"), date(2026, 9, 1), basis="Part time"
		)
		frappe.set_user(caseworker(1))
		doc = frappe.get_doc("Education Placement", self.placements[self.mine.name].name)
		doc.end_date = add_days(today(), -1)
		doc.save()
		self.assertTrue(frappe.db.get_value("Child", self.mine.name, "current_school"))
		self.assertFalse(self.notifications(SW_A, "Education Placement", doc.name))
