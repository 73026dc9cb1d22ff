"""Files follow who may see their content (issue #17): import sources and generated reports.

Frappe serves a private file to whoever may read the record it is attached to. Import sources (dates of
birth, UPNs, placement postcodes) and the annual report used to hang on Virtual School Settings, which every
desk role reads. Each import and report here is run by the role that runs it, through the path it takes
(desk, school portal, bench), and every File it creates must be attached to a record caseworkers and Finance
cannot read, and downloadable by the Head and Managers. A generic check walks every private File on the site.
"""

from pathlib import Path

import frappe
from frappe.utils import now_datetime

from virtual_school.attendance import services as attendance
from virtual_school.domain import school_days
from virtual_school.imports import ssda903 as ssda903_import
from virtual_school.reports.annual_report import generate
from virtual_school.setup import roles
from virtual_school.tests.test_attendance import WEEKS, YEAR, _upn, csv_of, row
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	finance,
	head,
	make_child,
	make_placement,
	make_school,
	make_school_calendar,
	make_school_contact,
	make_user,
	manager,
	one_user_per_role,
)
from virtual_school.virtual_school.doctype.import_log import import_log

FIXTURES = Path(__file__).parent / "fixtures"
PORTAL_OWN, PORTAL_OTHER = "files.portal.own@school.test", "files.portal.other@school.test"
# A caseworker with an empty caseload: what any desk user can read, nothing more.
NO_CASELOAD = "vs.files.caseworker@example.test"
NO_CHILDREN_SW = "vs.files.socialworker@example.test"


def desk_role_users() -> dict[str, str]:
	"""One user per desk role (setup.roles.DESK_ROLES), each with only that role; caseload roles with no children."""
	return one_user_per_role(
		roles.DESK_ROLES,
		virtual_school_caseworker=make_user(NO_CASELOAD, roles.VIRTUAL_SCHOOL_CASEWORKER),
		social_worker=make_user(NO_CHILDREN_SW, roles.SOCIAL_WORKER),
	)


def read_roles(doctype: str) -> set[str]:
	"""Roles whose DocPerms (level 0, with any Custom DocPerm the site has) let them read the doctype."""
	from frappe.permissions import get_valid_perms

	meta = frappe.get_meta(doctype)
	return {perm.role for perm in meta.permissions if perm.permlevel == 0 and perm.read} | {
		perm.role
		for perm in get_valid_perms(doctype, "Administrator")
		if perm.get("permlevel", 0) == 0 and perm.get("read")
	}


def can_open(file_name: str, user: str) -> bool:
	"""Whether ``user`` may download the file: what /private/files/... decides (``File.is_downloadable``,
	as the user) and, for desk users, ``frappe.has_permission`` on the File (the two must agree)."""
	current = frappe.session.user
	frappe.set_user(user)
	try:
		downloadable = bool(frappe.get_doc("File", file_name).is_downloadable())
	finally:
		frappe.set_user(current)
	if frappe.db.get_value("User", user, "user_type") == "System User":
		permitted = bool(
			frappe.has_permission("File", "read", doc=frappe.get_doc("File", file_name), user=user)
		)
		assert permitted == downloadable, f"{user}: has_permission {permitted}, download {downloadable}"
	return downloadable


class TestSourcesAndReportsStayWithTheHead(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		for email in (PORTAL_OWN, PORTAL_OTHER):
			make_user(email, roles.SCHOOL_PORTAL_USER, website_user=True)
		desk_role_users()

	def setUp(self):
		super().setUp()
		# Python's clock, as File.creation is: the date-edge tier fakes it, not MariaDB's (docs/testing.md)
		self.started = frappe.utils.now_datetime()
		make_school_calendar(YEAR, school_days.standard_term_pattern(YEAR))
		self.school = make_school("993101", "Files Own Primary")
		self.other_school = make_school("993102", "Files Other Primary")
		self.pupil = make_child("Fay", upn=_upn(41), caseworker=caseworker(1))
		make_placement(self.pupil.name, self.school, WEEKS[0].replace(month=9, day=1))
		make_school_contact(PORTAL_OWN, self.school)
		make_school_contact(PORTAL_OTHER, self.other_school)

	# --- the paths that create files, each as the role that takes it ----------------------------------

	def upload(self, user: str, file_name: str, content: bytes) -> str:
		"""A desk upload: the user's private file, not yet attached (as the uploader leaves it)."""
		frappe.set_user(user)
		file_doc = frappe.get_doc(
			{"doctype": "File", "file_name": file_name, "content": content, "is_private": 1}
		).insert()
		return file_doc.file_url

	def desk_import(self, user: str, import_type: str, files: dict, **values) -> str:
		"""New Import Log → attach → Save → Preview → Import, as ``user``."""
		urls = {field: self.upload(user, name, content) for field, (name, content) in files.items()}
		log = frappe.get_doc({"doctype": "Import Log", "import_type": import_type, **urls, **values}).insert()
		import_log.preview(log.name)
		import_log.run(log.name)
		frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("Import Log", log.name, "status"), "Imported")
		return log.name

	def run_every_path(self) -> dict[str, list[str]]:
		"""Every import and report path; returns the Files each created."""
		created = {}

		def files_since(label):
			known = {name for names in created.values() for name in names}
			created[label] = [
				name
				for name in frappe.get_all(
					"File", filters={"creation": (">=", self.started), "is_folder": 0}, pluck="name"
				)
				if name not in known
			]

		header, episodes = (
			(FIXTURES / "ssda903" / name).read_bytes() for name in ("header.csv", "episodes.csv")
		)
		self.desk_import(
			head(),
			"SSDA903",
			{
				"header_file": ("ssda903-header.csv", header),
				"episodes_file": ("ssda903-episodes.csv", episodes),
			},
		)
		files_since("SSDA903 (desk, Head)")

		frappe.set_user("Administrator")
		ssda903_import.import_from_bench(("header.csv", header), ("episodes.csv", episodes))
		files_since("SSDA903 (bench)")

		self.desk_import(
			manager(),
			"Attendance",
			{"source_file": ("attendance-return.csv", csv_of(row(self.pupil, WEEKS[0], 10, 8)))},
			academic_year=YEAR,
			school=self.school,
		)
		files_since("Attendance (desk, Manager)")

		url = self.upload(manager(), "attendance-legacy.csv", csv_of(row(self.pupil, WEEKS[1], 10, 9)))
		attendance.import_file(url, YEAR, self.school)
		files_since("Attendance (desk API, Manager)")

		frappe.set_user(PORTAL_OWN)
		attendance.portal_upload(
			csv_of(row(self.pupil, WEEKS[2], 10, 10)).decode(), self.school, YEAR, confirm=1
		)
		files_since("Attendance (portal, school user)")

		frappe.set_user(head())
		self.report = generate(YEAR)
		files_since("Annual report (Head)")

		url = self.upload(manager(), "edubase-extract.csv", (FIXTURES / "gias_sample.csv").read_bytes())
		from virtual_school.imports.gias import start_import

		self.gias = start_import(url)  # queued after commit: the test rolls back, so it never runs
		files_since("GIAS (desk API, Manager)")
		frappe.set_user("Administrator")
		return created

	# --- the checks ------------------------------------------------------------------------------------

	def test_every_file_an_import_or_report_creates_is_for_the_head_and_managers_only(self):
		created = self.run_every_path()
		users = desk_role_users()
		for path, names in created.items():
			with self.subTest(path=path):
				self.assertTrue(names, f"{path} created no file")
			for name in names:
				file = frappe.db.get_value(
					"File",
					name,
					["file_name", "is_private", "attached_to_doctype", "attached_to_name"],
					as_dict=True,
				)
				with self.subTest(path=path, file=file.file_name):
					self.assertTrue(file.is_private)
					self.assertTrue(file.attached_to_doctype and file.attached_to_name, "left unattached")
					self.assertFalse(
						read_roles(file.attached_to_doctype)
						& {
							roles.VIRTUAL_SCHOOL_CASEWORKER,
							roles.VIRTUAL_SCHOOL_FINANCE,
							roles.SOCIAL_WORKER,
							roles.SCHOOL_PORTAL_USER,
						},
						f"{file.attached_to_doctype} is readable by caseworkers, Finance, social workers or schools",
					)
					for user in (
						caseworker(1),
						users[roles.VIRTUAL_SCHOOL_CASEWORKER],
						users[roles.SOCIAL_WORKER],
						finance(),
						PORTAL_OTHER,
					):
						self.assertFalse(can_open(name, user), f"{user} can download it")
					for user in (head(), manager()):
						self.assertTrue(can_open(name, user), f"{user} cannot download it")

	def test_a_schools_upload_is_kept_for_the_virtual_school_not_other_schools(self):
		frappe.set_user(PORTAL_OWN)
		attendance.portal_upload(
			csv_of(row(self.pupil, WEEKS[0], 10, 7)).decode(), self.school, YEAR, confirm=1
		)
		frappe.set_user("Administrator")
		log = frappe.get_last_doc("Import Log", filters={"channel": "Portal", "school": self.school})
		self.assertEqual(
			(log.import_type, log.status, log.imported_by), ("Attendance", "Imported", PORTAL_OWN)
		)
		self.assertEqual((log.created_count, log.rejected_count), (1, 0))
		file = frappe.get_doc("File", {"file_url": log.source_file, "attached_to_name": log.name})
		self.assertEqual(
			file.get_content().encode() if isinstance(file.get_content(), str) else file.get_content(),
			csv_of(row(self.pupil, WEEKS[0], 10, 7)),
		)
		self.assertTrue(can_open(file.name, head()))
		self.assertTrue(can_open(file.name, PORTAL_OWN))  # what the school itself sent
		for user in (PORTAL_OTHER, caseworker(1), finance()):
			self.assertFalse(can_open(file.name, user), user)

	def test_no_private_file_on_the_site_is_readable_by_every_desk_role(self):
		"""Generic: after the imports and the report, no private File hangs on a record that every desk role
		reads (Virtual School Settings, a school, a funding year...), by DocPerms and by the record's rules."""
		self.run_every_path()
		# the team's roles (a Social Worker reads only their children's case records and schools)
		users = {role: user for role, user in desk_role_users().items() if role in roles.VIRTUAL_SCHOOL_TEAM}
		everyone = set(users)
		files = frappe.get_all(
			"File",
			filters={"is_private": 1, "is_folder": 0, "attached_to_doctype": ("is", "set")},
			fields=["name", "file_name", "attached_to_doctype", "attached_to_name"],
		)
		self.assertTrue(files)
		for file in files:
			if not frappe.db.exists("DocType", file.attached_to_doctype):
				continue
			if everyone <= read_roles(file.attached_to_doctype):
				# Every desk role reads the doctype: only a record-level rule (the caseload) may keep it.
				readers = {role for role, user in users.items() if can_open(file.name, user)}
				with self.subTest(file=file.file_name, attached_to=file.attached_to_doctype):
					self.assertNotEqual(readers, everyone, "every desk role can download it")

	def test_a_source_must_be_a_private_file_the_user_can_open(self):
		"""Frappe's attach_files_to_document would attach any File the URL names to the log (re-pointing an
		unattached one), so naming someone else's upload would hand it to the log's readers."""
		theirs = self.upload(head(), "heads-own-upload.csv", b"UPN,Week Starting\n")
		frappe.set_user(manager())
		with self.assertRaises(frappe.PermissionError):
			frappe.get_doc(
				{"doctype": "Import Log", "import_type": "Attendance", "source_file": theirs}
			).insert()
		public = frappe.get_doc(
			{"doctype": "File", "file_name": "public-upload.csv", "content": b"UPN\n", "is_private": 0}
		).insert()
		with self.assertRaisesRegex(frappe.ValidationError, "private"):
			frappe.get_doc(
				{"doctype": "Import Log", "import_type": "Attendance", "source_file": public.file_url}
			).insert()
		frappe.set_user("Administrator")
		self.assertFalse(frappe.db.get_value("File", {"file_url": theirs}, "attached_to_doctype"))

	def test_a_run_import_cannot_change_its_files_or_run_again(self):
		url = self.upload(manager(), "attendance-once.csv", csv_of(row(self.pupil, WEEKS[0], 10, 8)))
		log = frappe.get_doc(
			{
				"doctype": "Import Log",
				"import_type": "Attendance",
				"source_file": url,
				"academic_year": YEAR,
				"school": self.school,
			}
		).insert()
		import_log.run(log.name)
		with self.assertRaisesRegex(frappe.ValidationError, "already run"):
			import_log.run(log.name)
		log.reload()
		log.school = self.other_school
		with self.assertRaisesRegex(frappe.ValidationError, "has run"):
			log.save()

	def test_caseworkers_and_finance_cannot_run_imports_or_read_their_logs(self):
		frappe.set_user(head())
		log = frappe.get_doc({"doctype": "Import Log", "import_type": "GIAS"}).insert()
		for user in (caseworker(1), finance()):
			frappe.set_user(user)
			with self.subTest(user=user):
				self.assertFalse(frappe.has_permission("Import Log", "read", doc=log.name))
				self.assertFalse(frappe.has_permission("Annual Report Run", "read"))
				with self.assertRaises(frappe.PermissionError):
					import_log.preview(log.name)
				with self.assertRaises(frappe.PermissionError):
					import_log.run(log.name)


class TestUpgradeMovesFilesOffSettings(VirtualSchoolTestCase):
	def test_files_on_settings_move_to_records_for_the_head_and_managers(self):
		from virtual_school.patches import move_files_off_settings

		def on_settings(file_name: str, is_private: int = 1) -> str:
			return (
				frappe.get_doc(
					{
						"doctype": "File",
						"file_name": file_name,
						"content": f"{file_name} {now_datetime()}".encode(),
						"is_private": is_private,
						"attached_to_doctype": "Virtual School Settings",
						"attached_to_name": "Virtual School Settings",
					}
				)
				.insert(ignore_permissions=True)
				.name
			)

		names = {
			"header": on_settings("demo-ssda903-header.csv"),
			"episodes": on_settings("demo-ssda903-episodes.csv"),
			"attendance": on_settings("demo-attendance-993101.csv"),
			"report": on_settings("virtual-school-annual-report-2024-25.docx"),
			"other": on_settings("minutes.pdf"),
			"logo": on_settings("logo.png", is_private=0),
		}
		users = desk_role_users()
		self.assertTrue(can_open(names["header"], users[roles.VIRTUAL_SCHOOL_CASEWORKER]))  # the side door

		move_files_off_settings.execute()

		def attached(key):
			return frappe.db.get_value(
				"File",
				names[key],
				["attached_to_doctype", "attached_to_name", "attached_to_field", "file_url"],
				as_dict=True,
			)

		header, episodes = attached("header"), attached("episodes")
		self.assertEqual(header.attached_to_doctype, "Import Log")
		self.assertEqual(header.attached_to_name, episodes.attached_to_name)  # one log for the pair
		log = frappe.get_doc("Import Log", header.attached_to_name)
		self.assertEqual((log.import_type, log.status, log.channel), ("SSDA903", "Draft", "Upgrade"))
		self.assertEqual((log.header_file, log.episodes_file), (header.file_url, episodes.file_url))
		self.assertEqual(
			frappe.db.get_value("Import Log", attached("attendance").attached_to_name, "import_type"),
			"Attendance",
		)
		report = attached("report")
		self.assertEqual(report.attached_to_doctype, "Annual Report Run")
		self.assertEqual(
			frappe.db.get_value("Annual Report Run", report.attached_to_name, "academic_year"), "2024-25"
		)
		self.assertEqual(
			frappe.db.get_value("Import Log", attached("other").attached_to_name, "status"), "Moved"
		)
		self.assertEqual(attached("logo").attached_to_doctype, "Virtual School Settings")  # public: stays
		for key in ("header", "episodes", "attendance", "report", "other"):
			with self.subTest(file=key):
				self.assertFalse(can_open(names[key], users[roles.VIRTUAL_SCHOOL_CASEWORKER]))
				self.assertFalse(can_open(names[key], users[roles.VIRTUAL_SCHOOL_FINANCE]))
				self.assertTrue(can_open(names[key], users[roles.VIRTUAL_SCHOOL_HEAD]))
		self.assertFalse(
			frappe.get_all(
				"File", filters={"attached_to_doctype": "Virtual School Settings", "is_private": 1}, limit=1
			)
		)
