"""Subject access export (issue #22): one child's ZIP holds every record, file, history entry and read of it.

Guards: ``sar.check_access`` (Head and Managers only, for a child they may read) and the record search
from metadata (``sar.collect``). The expected records are found here independently, from every app doctype
with a Link to Child, so a doctype added later must be exported too.
"""

import io
import json
import os
import tempfile
import zipfile

import docx
import frappe
import frappe.desk.form.load
from frappe.utils import add_days, today

from virtual_school.domain import subject_access as rules
from virtual_school.governance import access_log, sar
from virtual_school.tests.test_access_log import make_case
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	finance,
	head,
	make_school,
	make_user,
	manager,
)

RESTRICTED_MANAGER = "vs.sar.restricted.manager@example.test"


def child_link_records(child: str) -> set[tuple[str, str]]:
	"""Every record of an app doctype (not a child table) with a Link to Child that names this child."""
	found = {("Child", child)}
	for doctype in frappe.get_all(
		"DocType", filters={"module": "Virtual School", "istable": 0, "issingle": 0}, pluck="name"
	):
		for df in frappe.get_meta(doctype).get("fields", {"fieldtype": "Link", "options": "Child"}):
			found |= {
				(doctype, name)
				for name in frappe.get_all(doctype, filters={df.fieldname: child}, pluck="name")
			}
	return found


class TestSubjectAccess(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(RESTRICTED_MANAGER, "Virtual School Manager")

	def setUp(self):
		super().setUp()
		self.school = make_school("991902", "Subject Access Primary")
		self.records = make_case(caseworker(1), self.school)
		self.child = self.records["Child"]
		self.escalation = frappe.get_doc(
			{
				"doctype": "Escalation",
				"reference_doctype": "Personal Education Plan",
				"reference_name": self.records["Personal Education Plan"],
				"child": self.child,
				"reason": "PEP late",
			}
		).insert()
		self.letter = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": "decision-letter.txt",
				"attached_to_doctype": "PP Plus Claim",
				"attached_to_name": self.records["PP Plus Claim"],
				"is_private": 1,
				"content": b"Dear school, the claim is approved.",
			}
		).insert(ignore_permissions=True)
		frappe.get_doc("Personal Education Plan", self.records["Personal Education Plan"]).add_comment(
			"Comment", "Met the designated teacher and Auntie Jo"
		)
		child = frappe.get_doc("Child", self.child)
		child.social_worker_name = "Sam Social"
		child.save(ignore_version=False)  # a Version (Frappe skips them in tests unless asked)
		frappe.set_user(caseworker(1))
		frappe.desk.form.load.getdoc("Child", self.child)  # a read the export must list
		frappe.set_user("Administrator")

	def export(self, user: str) -> zipfile.ZipFile:
		frappe.set_user(user)
		_name, content = sar.export(self.child, "test")
		return zipfile.ZipFile(io.BytesIO(content))

	def test_the_zip_holds_every_record_file_history_and_access(self):
		archive = self.export(head())
		names = set(archive.namelist())
		for doctype, name in child_link_records(self.child):
			with self.subTest(record=(doctype, name)):
				path = f"records/{doctype}/{name}.json"
				self.assertIn(path, names)
				self.assertEqual(json.loads(archive.read(path))["name"], name)
		# child tables travel inside their record
		pep = json.loads(
			archive.read(f"records/Personal Education Plan/{self.records['Personal Education Plan']}.json")
		)
		self.assertEqual([row["target"] for row in pep["targets"]], ["Times tables"])

		letter = f"files/PP Plus Claim/{self.records['PP Plus Claim']}/decision-letter.txt"
		self.assertEqual(archive.read(letter), b"Dear school, the claim is approved.")

		versions = json.loads(archive.read("history/Version.json"))
		self.assertIn("Sam Social", "".join(row["data"] for row in versions if row["docname"] == self.child))
		comments = json.loads(archive.read("history/Comment.json"))
		self.assertIn("Met the designated teacher and Auntie Jo", [row["content"] for row in comments])

		accesses = json.loads(archive.read("access_log.json"))
		self.assertIn(
			(caseworker(1), "Child", self.child, access_log.VIEW),
			{
				(row["user"], row["reference_doctype"], row["reference_name"], row["method"])
				for row in accesses
			},
		)

		review = json.loads(archive.read("redaction_review.json"))
		flagged = {(row["doctype"], row["field"], row["reason"]) for row in review}
		self.assertIn(("Child", "carer_name", rules.THIRD_PARTY), flagged)
		self.assertIn(("Comment", "content", rules.FREE_TEXT), flagged)
		self.assertIn(("File", "content", rules.FREE_TEXT), flagged)

		summary = docx.Document(io.BytesIO(archive.read("summary.docx")))
		text = "\n".join(paragraph.text for paragraph in summary.paragraphs)
		self.assertIn(rules.NOT_DETECTED, text)
		self.assertIn("Carol Carer", text)
		self.assertIn(f"Escalation {self.escalation.name}", text)
		self.assertIn("Changed Social Worker", text)  # the version, in words

	def test_rows_about_the_child_in_a_shared_record_are_an_excerpt(self):
		other = make_case(caseworker(2), self.school)
		report = frappe.get_doc(
			{
				"doctype": "PP Plus Impact Report",
				"school": self.school,
				"funding_year": frappe.db.get_value(
					"PP Plus Claim", self.records["PP Plus Claim"], "funding_year"
				),
				"term": frappe.db.get_value("PP Plus Claim", self.records["PP Plus Claim"], "term"),
				"due_date": add_days(today(), 20),
				"rows": [{"claim": self.records["PP Plus Claim"]}, {"claim": other["PP Plus Claim"]}],
			}
		).insert()
		archive = self.export(manager())
		excerpt = json.loads(archive.read(f"records/PP Plus Impact Report/{report.name}.excerpt.json"))
		self.assertEqual(
			[row["claim"] for row in excerpt["rows_about_the_child"]["rows"]], [self.records["PP Plus Claim"]]
		)
		self.assertNotIn(other["Child"], json.dumps(excerpt))
		self.assertNotIn(f"records/Child/{other['Child']}.json", archive.namelist())

	def test_the_export_is_logged(self):
		self.export(manager())
		for doctype, name in self.records.items():
			with self.subTest(doctype=doctype):
				self.assertEqual(len(access_log_rows(doctype, name, manager())), 1)
		comments = frappe.get_all(
			"Comment",
			filters={"reference_doctype": "Child", "reference_name": self.child, "comment_type": "Info"},
			pluck="content",
		)
		self.assertTrue(
			any(manager() in text and "Subject access export" in text for text in comments), comments
		)

	def test_only_head_and_managers_export(self):
		frappe.set_user("Administrator")
		other = make_case(caseworker(2), self.school)["Child"]
		for user, child in (
			(caseworker(1), self.child),  # their own caseload
			(caseworker(2), self.child),  # another caseload
			(caseworker(2), other),
			(finance(), self.child),
		):
			frappe.set_user(user)
			with self.subTest(user=user, child=child), self.assertRaises(frappe.PermissionError):
				sar.download(child)
			self.assertEqual(access_log_rows("Child", child, user, access_log.SUBJECT_ACCESS_EXPORT), [])

	def test_a_manager_restricted_to_other_children_cannot_export_this_one(self):
		"""The caseload check applies on top of the role: a User Permission narrowing a manager is honoured."""
		other = make_case(caseworker(2), self.school)["Child"]
		frappe.get_doc(
			{"doctype": "User Permission", "user": RESTRICTED_MANAGER, "allow": "Child", "for_value": other}
		).insert(ignore_permissions=True)
		frappe.set_user(RESTRICTED_MANAGER)
		with self.assertRaises(frappe.PermissionError):
			sar.export(self.child, "test")
		sar.export(other, "test")

	def test_the_bench_command_writes_the_zip(self):
		with tempfile.TemporaryDirectory() as folder:
			path = os.path.join(folder, "sar.zip")
			written, size = sar.export_to_path(self.child, path, user=head())
			self.assertEqual(os.path.getsize(written), size)
			with zipfile.ZipFile(path) as archive:
				self.assertIn(f"records/Child/{self.child}.json", archive.namelist())
			with self.assertRaises(frappe.PermissionError):
				sar.export_to_path(self.child, path, user=caseworker(1))


def access_log_rows(doctype: str, name: str, user: str, method: str = access_log.SUBJECT_ACCESS_EXPORT):
	return frappe.get_all(
		"Access Log",
		filters={"export_from": doctype, "reference_document": name, "user": user, "method": method},
		pluck="name",
	)
