"""Rows that point at an app record (File, Comment, ToDo, Version, Workflow Action, follows, likes...)
follow that record's permission, and Frappe's side methods cannot write them on records out of reach
(issue #17, virtual_school/security/references.py).

Table-driven: every reference doctype of ``references.REFERENCES`` × every doctype of the app (read from
metadata) × a caseworker with the record on their caseload, another caseworker, Finance and a School
Portal User of the child's school. Each reference row is made to be the viewer's own (owner, assignee,
follower, recipient), so Frappe's own rules would show it: only the guard hides it.
"""

import json

import frappe
from frappe.desk.form import assign_to, document_follow
from frappe.desk.form.utils import add_comment
from frappe.desk.like import toggle_like

from virtual_school import security
from virtual_school.security import references
from virtual_school.setup.roles import SCHOOL_PORTAL_USER
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	finance,
	head,
	make_child,
	make_placement,
	make_school,
	make_school_contact,
	make_user,
	social_worker,
)

PORTAL_USER = "vs.refs.portal@school.test"
# Columns that make a reference row the viewer's own, so Frappe itself would list it to them.
VIEWER_COLUMNS = {
	"ToDo": ("allocated_to",),
	"Workflow Action": ("user",),
	"Document Follow": ("user",),
	"Energy Point Log": ("user",),
	"Notification Log": ("for_user",),
	"View Log": ("viewed_by",),
	"Activity Log": ("user",),
}
ROW_VALUES = {
	"File": {"is_private": 1, "folder": "Home/Attachments"},
	"Comment": {"comment_type": "Comment", "content": "note"},
	"ToDo": {"status": "Open", "description": "task"},
	"Version": {"data": "{}"},
	"Workflow Action": {"status": "Open", "workflow_state": "Pending"},
	"Communication": {"communication_medium": "Other", "communication_type": "Comment", "subject": "s"},
	"Tag Link": {"tag": "refs", "title": "t"},
	"Energy Point Log": {"type": "Auto", "points": 1},
	"Notification Log": {"type": "Alert", "subject": "s"},
	"Activity Log": {"subject": "s", "status": "Success"},
}


def raw_insert(doctype: str, **values):
	"""Insert without controllers or validation: the records only need to exist with these columns."""
	doc = frappe.new_doc(doctype)
	doc.update(values)
	doc.name = values.get("name") or f"refs-{frappe.generate_hash(length=12)}"
	doc.db_insert()
	return doc


def app_doctypes() -> list[frappe._dict]:
	return frappe.get_all(
		"DocType",
		filters={"module": "Virtual School"},
		fields=["name", "istable", "issingle"],
		order_by="name",
	)


def can_read(doctype: str, name: str, user: str) -> bool:
	"""Frappe's own verdict on the record (a child-table row through its parent)."""
	meta = frappe.get_meta(doctype)
	if meta.issingle:
		return frappe.has_permission(doctype, "read", user=user)
	if meta.istable:
		parenttype, parent = frappe.db.get_value(doctype, name, ["parenttype", "parent"])
		return frappe.has_permission(parenttype, "read", parent, user=user)
	return frappe.has_permission(doctype, "read", name, user=user)


class ReferenceTestCase(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(PORTAL_USER, SCHOOL_PORTAL_USER, website_user=True)
		security.install()  # idempotent: the test runner's before_tests applies it too

	def setUp(self):
		super().setUp()
		self.own, self.other, self.finance = caseworker(1), caseworker(2), finance()
		self.school = make_school("990611", "Reference Primary")
		self.child = make_child("Rafe", "Referenced", caseworker=self.own)
		make_placement(self.child.name, self.school, "2025-09-01")
		make_school_contact(PORTAL_USER, self.school)  # the portal user's school: still no desk records

	def outsiders(self) -> dict[str, str]:
		return {
			"other caseworker": self.other,
			"finance": self.finance,
			"another child's social worker": social_worker(2),
			"portal user": PORTAL_USER,
		}


class TestReferenceRowsFollowTheRecord(ReferenceTestCase):
	def app_records(self) -> dict[str, str]:
		"""One record of every app doctype, on the caseload of ``self.own`` where it has a child."""
		records = {"Child": self.child.name}
		for dt in app_doctypes():
			meta = frappe.get_meta(dt.name)
			if dt.issingle:
				records[dt.name] = dt.name
			elif not dt.istable and dt.name not in records:
				child_field = meta.get_field("child")
				values = {"child": self.child.name} if child_field and child_field.options == "Child" else {}
				records[dt.name] = raw_insert(dt.name, **values).name
		for dt in app_doctypes():
			if dt.istable:
				parent = references.parent_doctypes(dt.name)[0]
				parentfield = frappe.get_meta(parent).get("fields", {"options": dt.name})[0].fieldname
				records[dt.name] = raw_insert(
					dt.name, parent=records[parent], parenttype=parent, parentfield=parentfield
				).name
		return records

	def reference_rows(self, records: dict[str, str], viewers: list[str]) -> dict:
		"""For each reference doctype and viewer, a row of the viewer's own pointing at each record."""
		rows = {}
		communications = {}
		for reference, pairs in references.REFERENCES.items():
			for viewer in viewers:
				for doctype, name in records.items():
					values = dict(ROW_VALUES.get(reference, {}), owner=viewer)
					values.update(dict.fromkeys(VIEWER_COLUMNS.get(reference, ()), viewer))
					if reference == "File":
						values["file_url"] = f"/private/files/refs-{frappe.generate_hash(length=8)}.txt"
						values["file_name"] = f"{doctype}-{name}-decision.txt"
					if reference == "Communication Link":
						if viewer not in communications:
							communications[viewer] = raw_insert(
								"Communication", owner=viewer, **ROW_VALUES["Communication"]
							).name
						values.update(
							parent=communications[viewer],
							parenttype="Communication",
							parentfield="timeline_links",
						)
					doctype_column, name_column = pairs[0]
					values.update({doctype_column: doctype, name_column: name})
					row = raw_insert(reference, **values)
					rows[(reference, viewer, doctype)] = row
		return rows

	def listed(self, reference: str, names: list[str]) -> set[str]:
		parent = "Communication" if frappe.get_meta(reference).istable else None
		try:
			return set(
				frappe.get_list(
					reference,
					filters={"name": ["in", names]},
					pluck="name",
					limit_page_length=0,
					parent_doctype=parent,
				)
			)
		except frappe.PermissionError:
			return set()

	def test_reference_rows_are_listed_and_read_only_with_the_record(self):
		records = self.app_records()
		viewers = [self.own, *self.outsiders().values()]
		rows = self.reference_rows(records, viewers)
		approved = raw_insert("PP Plus Claim", child=self.child.name, workflow_state="Approved").name
		finance_file = raw_insert(
			"File",
			owner=self.finance,
			is_private=1,
			file_url="/private/files/refs-approved.txt",
			attached_to_doctype="PP Plus Claim",
			attached_to_name=approved,
		).name
		hidden = {viewer: 0 for viewer in viewers}
		readable = {(d, v): can_read(d, records[d], v) for d in records for v in viewers}
		for reference in references.REFERENCES:
			for viewer in viewers:
				mine = {doctype: rows[(reference, viewer, doctype)] for doctype in records}
				frappe.set_user(viewer)
				listed = self.listed(reference, [row.name for row in mine.values()])
				for doctype, row in mine.items():
					with self.subTest(reference=reference, viewer=viewer, doctype=doctype):
						if not readable[(doctype, viewer)]:
							hidden[viewer] += 1
							self.assertNotIn(row.name, listed, "listed a row naming a record out of reach")
							if not frappe.get_meta(reference).istable:
								self.assertFalse(
									frappe.has_permission(reference, "read", doc=row, user=viewer)
								)
				frappe.set_user("Administrator")
				with self.subTest(reference=reference, viewer=viewer, check="not over-broad"):
					# Whenever the viewer can list the doctype at all, rows on records they read stay listed.
					if listed:
						neutral = "Child" if viewer == self.own else "School"
						self.assertIn(mine[neutral].name, listed)
		# The records out of reach: every caseload record for the other caseworker and the portal user,
		# the claim not yet approved (and the records of roles Finance lacks) for Finance.
		self.assertFalse(can_read("Child", self.child.name, self.other))
		self.assertFalse(can_read("Child", self.child.name, PORTAL_USER))
		self.assertFalse(can_read("PP Plus Claim", records["PP Plus Claim"], self.finance))
		for viewer in self.outsiders().values():
			self.assertGreater(hidden[viewer], 0, viewer)
		self.assertTrue(can_read("Child", self.child.name, self.own))
		frappe.set_user(self.finance)
		self.assertIn(finance_file, self.listed("File", [finance_file]), "an approved claim's file")

	def test_the_file_list_shows_finance_no_decision_letter_of_a_claim_under_review(self):
		claim = raw_insert("PP Plus Claim", child=self.child.name, workflow_state="Pending Review").name
		letter = raw_insert(
			"File",
			file_name=f"{claim}-decision-rejected.docx",
			file_url=f"/private/files/{claim}-decision-rejected.docx",
			is_private=1,
			attached_to_doctype="PP Plus Claim",
			attached_to_name=claim,
		).name
		frappe.set_user(self.finance)
		names = frappe.get_list("File", fields=["file_name"], limit_page_length=0, pluck="file_name")
		self.assertNotIn(f"{claim}-decision-rejected.docx", names)
		self.assertFalse(frappe.has_permission("File", "read", letter))


class TestSideMethodsRefuseRecordsOutOfReach(ReferenceTestCase):
	def traces(self) -> dict:
		"""Everything a side method could leave on the child: rows pointing at it and its _liked_by."""
		name = self.child.name
		return {
			"comments": frappe.get_all(
				"Comment", filters={"reference_doctype": "Child", "reference_name": name}, pluck="name"
			),
			"todos": frappe.get_all(
				"ToDo", filters={"reference_type": "Child", "reference_name": name}, pluck="name"
			),
			"follows": frappe.get_all(
				"Document Follow", filters={"ref_doctype": "Child", "ref_docname": name}, pluck="name"
			),
			"files": frappe.get_all(
				"File", filters={"attached_to_doctype": "Child", "attached_to_name": name}, pluck="name"
			),
			"liked_by": frappe.db.get_value("Child", name, "_liked_by"),
			"assign": frappe.db.get_value("Child", name, "_assign"),
		}

	def assert_refused_without_trace(self, call, user: str):
		before = self.traces()
		frappe.set_user(user)
		try:
			with self.assertRaises(frappe.PermissionError):
				call()
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(self.traces(), before)

	def writes(self, user: str) -> dict:
		name = self.child.name
		todo = {
			"doctype": "ToDo",
			"allocated_to": user,
			"description": "Look at this",
			"reference_type": "Child",
			"reference_name": name,
		}
		return {
			"toggle_like": lambda: toggle_like("Child", name, "Yes"),
			"ToDo insert": lambda: frappe.get_doc(todo).insert(),
			# As assign_to.add, toggle_like and add_comment insert: ignore_permissions, on the user's behalf.
			"ToDo insert on the user's behalf": lambda: frappe.get_doc(todo).insert(ignore_permissions=True),
			"assign_to.add": lambda: assign_to.add({"assign_to": [user], "doctype": "Child", "name": name}),
			"follow_document": lambda: document_follow.follow_document("Child", name, user),
			"add_comment": lambda: add_comment("Child", name, "hello", user, user),
			"Document.add_comment": lambda: frappe.get_doc("Child", name).add_comment("Comment", "hello"),
			"File copy": lambda: frappe.get_doc(
				{"doctype": "File", "file_url": self.private_file.file_url, "is_private": 1}
			).insert(),
		}

	def setUp(self):
		super().setUp()
		from frappe.utils.file_manager import save_file

		self.private_file = save_file("report.txt", b"school report", "Child", self.child.name, is_private=1)
		for user in (self.own, self.other, self.finance, PORTAL_USER):  # else following is a no-op
			frappe.db.set_value("User", user, "document_follow_notify", 1)

	def test_writes_on_a_record_out_of_reach_are_refused_and_leave_no_trace(self):
		for who, user in (("other caseworker", self.other), ("portal user", PORTAL_USER)):
			for method, call in self.writes(user).items():
				with self.subTest(who=who, method=method):
					self.assert_refused_without_trace(call, user)

	def test_unliking_a_record_out_of_reach_leaves_liked_by_unchanged(self):
		liked_by = json.dumps([self.other])
		frappe.db.set_value("Child", self.child.name, "_liked_by", liked_by, update_modified=False)
		self.assert_refused_without_trace(lambda: toggle_like("Child", self.child.name, "No"), self.other)
		self.assertEqual(frappe.db.get_value("Child", self.child.name, "_liked_by"), liked_by)

	def test_no_one_is_made_to_follow_a_record_they_cannot_read(self):
		"""Follow e-mails carry the record's changes: the follower must be able to read it."""
		self.assert_refused_without_trace(
			lambda: document_follow.follow_document("Child", self.child.name, self.other), self.own
		)

	def test_follow_mails_and_follower_lists_leave_out_records_out_of_reach(self):
		raw_insert("Document Follow", ref_doctype="Child", ref_docname=self.child.name, user=self.other)
		followed = document_follow.get_document_followed_by_user(self.other)
		self.assertNotIn(self.child.name, [row.ref_docname for row in followed])
		frappe.set_user(self.other)
		with self.assertRaises(frappe.PermissionError):
			document_follow.get_follow_users("Child", self.child.name)

	def test_the_caseworker_of_the_record_still_may(self):
		frappe.set_user(self.own)
		toggle_like("Child", self.child.name, "Yes")
		assign_to.add({"assign_to": [self.own], "doctype": "Child", "name": self.child.name})
		document_follow.follow_document("Child", self.child.name, self.own)
		add_comment("Child", self.child.name, "hello", self.own, self.own)
		copy = frappe.get_doc({"doctype": "File", "file_url": self.private_file.file_url, "is_private": 1})
		copy.insert()
		frappe.set_user("Administrator")
		traces = self.traces()
		self.assertIn(self.own, json.loads(traces["liked_by"]))
		self.assertIn(self.own, json.loads(traces["assign"]))
		self.assertTrue(traces["follows"] and traces["todos"] and traces["comments"])

	def test_the_apps_own_code_acts_for_users_who_cannot_read_the_record(self):
		"""The portal records what a school did on records its users cannot open on the desk."""
		from virtual_school.portal import actions as portal_actions

		frappe.set_user(PORTAL_USER)
		portal_actions._record(frappe.get_doc("Child", self.child.name), "Answered")
		frappe.set_user("Administrator")
		self.assertTrue(self.traces()["comments"])


class TestValidationMessagesNameNothingOutOfReach(ReferenceTestCase):
	def test_paying_a_claim_finance_cannot_see_does_not_tell_its_state(self):
		year = frappe.get_all("PP Plus Funding Year", pluck="name", limit=1) or [
			raw_insert("PP Plus Funding Year", name="2099-00", label="2099-00").name
		]
		# Claims Finance may not read: each controller message would tell its state or its payment.
		for state, paid_by in (("Rejected", None), ("Pending Review", "PPP-SECRET")):
			hidden = raw_insert(
				"PP Plus Claim",
				child=self.child.name,
				school=self.school,
				funding_year=year[0],
				workflow_state=state,
				payment=paid_by,
			).name
			payment = {
				"doctype": "PP Plus Payment",
				"school": self.school,
				"funding_year": year[0],
				"payment_date": "2027-11-01",
				"payment_reference": "BACS-REF",
				"claims": [{"claim": hidden}],
			}
			frappe.set_user(self.finance)
			with self.subTest(state=state), self.assertRaises(frappe.ValidationError) as refused:
				frappe.get_doc(payment).insert()
			for secret in (state, "PPP-SECRET"):
				self.assertNotIn(secret, str(refused.exception))
			frappe.set_user(head())  # someone who may read the claim is told why
			with self.assertRaises(frappe.ValidationError) as told:
				frappe.get_doc(payment).insert(ignore_permissions=True)
			self.assertIn(paid_by or state, str(told.exception))
			frappe.set_user("Administrator")
