"""Audit: every change to a child's records is in Frappe's Version log with who and when; workflow
transitions record who acted; nothing can be hard-deleted by the app's roles.

Frappe skips Versions while tests run (``Document._save`` sets ``ignore_version = frappe.flags.in_test``),
so the changes here are made as in production, with ``in_test`` off for the duration of the save.
"""

from contextlib import contextmanager
from unittest.mock import patch

import frappe
from frappe.model.workflow import apply_workflow
from frappe.utils import add_days, now_datetime, today

from virtual_school.setup import roles
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	head,
	make_child,
	make_placement,
	make_school,
	manager,
)

AUDITED = ("Child", "Education Placement", "PP Plus Claim", "Personal Education Plan", "Escalation")
APP_ROLES = (
	roles.VIRTUAL_SCHOOL_HEAD,
	roles.VIRTUAL_SCHOOL_MANAGER,
	roles.VIRTUAL_SCHOOL_CASEWORKER,
	roles.VIRTUAL_SCHOOL_FINANCE,
	roles.SCHOOL_PORTAL_USER,
)
# Reference data the Head may correct by deleting (a bank holiday or calendar entered twice): no
# personal data, and every change is still versioned. Everything else is closed or ended, never deleted.
DELETABLE_REFERENCE_DATA = {
	("Bank Holiday", roles.VIRTUAL_SCHOOL_HEAD),
	("School Calendar", roles.VIRTUAL_SCHOOL_HEAD),
}


@contextmanager
def as_user_in_production(user: str):
	"""Act as ``user`` with Versions recorded as on a live site."""
	frappe.set_user(user)
	try:
		with patch.dict(frappe.flags, {"in_test": False}):
			yield
	finally:
		frappe.set_user("Administrator")


def app_doctypes(**filters) -> list[str]:
	return frappe.get_all("DocType", filters={"module": "Virtual School", **filters}, pluck="name")


class TestAudit(VirtualSchoolTestCase):
	def setUp(self):
		super().setUp()
		self.worker = caseworker(1)
		self.school = make_school("990951", "Audit Primary")
		self.child = make_child("Audit", caseworker=self.worker)

	def versions(self, doctype: str, name: str) -> list:
		return frappe.get_all(
			"Version",
			filters={"ref_doctype": doctype, "docname": name},
			fields=["owner", "creation", "data"],
			order_by="creation asc",
		)

	def test_audited_doctypes_track_changes(self):
		for doctype in AUDITED:
			self.assertTrue(frappe.get_meta(doctype).track_changes, f"{doctype} has no track_changes")

	def test_every_app_record_doctype_tracks_changes(self):
		doctypes = app_doctypes(istable=0, read_only=0)
		self.assertIn("Child", doctypes)  # the filter finds the app's records
		for doctype in doctypes:
			self.assertTrue(frappe.get_meta(doctype).track_changes, f"{doctype} has no track_changes")

	def test_derived_doctypes_cannot_be_written_by_anyone(self):
		# read-only doctypes (e.g. Attendance Term Total) are rewritten by the app from audited records
		doctypes = app_doctypes(istable=0, read_only=1)
		self.assertIn("Attendance Term Total", doctypes)  # the filter finds the derived doctypes
		for doctype in doctypes:
			meta = frappe.get_meta(doctype)
			self.assertTrue(meta.in_create, f"{doctype} can be created in the desk")
			writable = [
				p.role for p in meta.permissions if p.create or p.write or p.delete or p.get("import")
			]
			self.assertEqual(writable, [], f"{doctype} can be written by {writable}")

	def change_as(self, user: str, doctype: str, name: str, **values) -> None:
		with as_user_in_production(user):
			doc = frappe.get_doc(doctype, name)
			doc.update(values)
			doc.save()

	def assert_versioned(self, doctype: str, name: str, user: str, fieldname: str) -> None:
		started = now_datetime()
		versions = [row for row in self.versions(doctype, name) if fieldname in (row.data or "")]
		self.assertTrue(versions, f"no Version of {doctype} {name} records {fieldname}")
		latest = versions[-1]
		self.assertEqual(latest.owner, user, f"{doctype}: the Version does not say who changed it")
		self.assertLessEqual(abs((started - latest.creation).total_seconds()), 120)

	def test_changes_are_versioned_with_user_and_time(self):
		placement = make_placement(self.child.name, self.school, add_days(today(), -30))
		frappe.set_user(self.worker)
		try:
			pep = frappe.get_doc(
				{
					"doctype": "Personal Education Plan",
					"child": self.child.name,
					"due_date": add_days(today(), 20),
				}
			).insert()
			escalation = frappe.get_doc(
				{
					"doctype": "Escalation",
					"reference_doctype": "Child",
					"reference_name": self.child.name,
					"child": self.child.name,
					"reason": "School will not respond",
				}
			).insert()
		finally:
			frappe.set_user("Administrator")
		changes = [
			("Child", self.child.name, "social_worker_name", "Sam Social"),
			("Education Placement", placement.name, "notes", "Reduced timetable agreed"),
			("Personal Education Plan", pep.name, "social_worker", "Sam Social"),
			("Escalation", escalation.name, "reason", "School will not respond to three emails"),
		]
		for doctype, name, fieldname, value in changes:
			self.change_as(self.worker, doctype, name, **{fieldname: value})
			self.assert_versioned(doctype, name, self.worker, fieldname)

	def test_a_claim_change_is_versioned(self):
		from virtual_school.virtual_school.doctype.pp_plus_claim.test_pp_plus_claim import funding_year

		year = funding_year()
		make_placement(self.child.name, self.school, "2027-01-04")
		frappe.set_user(self.worker)
		try:
			claim = frappe.get_doc(
				{
					"doctype": "PP Plus Claim",
					"child": self.child.name,
					"school": self.school,
					"funding_year": year,
					"claim_date": "2027-10-01",
					"amount": 200,
					"category": "Tuition",
					"description": "Tuition",
				}
			).insert()
		finally:
			frappe.set_user("Administrator")
		self.change_as(self.worker, "PP Plus Claim", claim.name, description="Tuition, 8 sessions")
		self.assert_versioned("PP Plus Claim", claim.name, self.worker, "description")

	def test_workflow_transitions_record_who_acted(self):
		with as_user_in_production(self.worker):
			apply_workflow(frappe.get_doc("Child", self.child.name), "Accept Case")
			doc = apply_workflow(frappe.get_doc("Child", self.child.name), "Request Closure")
		with as_user_in_production(manager()):
			apply_workflow(frappe.get_doc("Child", self.child.name), "Keep Open")
		self.assertEqual(doc.workflow_state, "Closure Requested")
		comments = frappe.get_all(
			"Comment",
			filters={
				"reference_doctype": "Child",
				"reference_name": self.child.name,
				"comment_type": "Workflow",
			},
			fields=["owner", "content", "creation"],
			order_by="creation asc",
		)
		self.assertEqual(
			[(row.owner, row.content) for row in comments],
			[(self.worker, "Active"), (self.worker, "Closure Requested"), (manager(), "Active")],
		)
		state_versions = [
			row.owner
			for row in self.versions("Child", self.child.name)
			if "workflow_state" in (row.data or "")
		]
		self.assertEqual(state_versions, [self.worker, self.worker, manager()])

	def test_no_app_role_may_delete(self):
		allowed, seen = set(), set()
		for doctype in app_doctypes(istable=0):
			for perm in frappe.get_meta(doctype).permissions:
				seen.add((doctype, perm.role))
				if perm.role in APP_ROLES and perm.delete:
					allowed.add((doctype, perm.role))
		self.assertIn(("Child", roles.VIRTUAL_SCHOOL_HEAD), seen)  # the permission rows were read
		self.assertEqual(allowed - DELETABLE_REFERENCE_DATA, set())

	def test_a_delete_by_the_head_is_refused(self):
		frappe.set_user(head())
		try:
			with self.assertRaises(frappe.PermissionError):
				frappe.delete_doc("Child", self.child.name)
		finally:
			frappe.set_user("Administrator")
		self.assertTrue(frappe.db.exists("Child", self.child.name))
