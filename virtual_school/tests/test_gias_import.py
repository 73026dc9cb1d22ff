"""GIAS import end to end: a fixture CSV served over HTTP on 127.0.0.1, imported twice, changed, broken."""

import http.server
import threading
from functools import partial
from pathlib import Path

import frappe
from frappe.tests.utils import change_settings

from virtual_school.imports.gias import GIASImportError, import_schools
from virtual_school.tests.utils import VirtualSchoolTestCase

FIXTURE = Path(__file__).parent / "fixtures" / "gias_sample.csv"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
	def log_message(self, *args):
		pass


class TestGIASImport(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.folder = Path(frappe.get_site_path("private", "gias-test"))
		cls.folder.mkdir(parents=True, exist_ok=True)
		handler = partial(QuietHandler, directory=str(cls.folder))
		cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
		cls.url = f"http://127.0.0.1:{cls.server.server_address[1]}"
		threading.Thread(target=cls.server.serve_forever, daemon=True).start()

	@classmethod
	def tearDownClass(cls):
		cls.server.shutdown()
		super().tearDownClass()

	def serve(self, content: bytes, name: str = "edubasealldata.csv") -> str:
		(self.folder / name).write_bytes(content)
		return f"{self.url}/{name}"

	def test_first_import_inserts_and_rejects_the_broken_row(self):
		summary = import_schools(self.serve(FIXTURE.read_bytes()))
		self.assertEqual(summary.inserted, 14)
		self.assertEqual(summary.updated, 0)
		self.assertEqual([row["row"] for row in summary.rejected], [16])
		self.assertIn("URN", summary.rejected[0]["column"])
		school = frappe.get_doc("School", "118620")
		self.assertEqual(school.school_name, "St Mary’s Catholic Primary School")  # Windows-1252 apostrophe
		self.assertEqual(school.admissions_route, "LA may direct")
		self.assertEqual(school.la, "886")

	def test_second_import_reports_everything_unchanged(self):
		url = self.serve(FIXTURE.read_bytes())
		import_schools(url)
		modified = frappe.db.get_value("School", "118620", "modified")
		summary = import_schools(url)
		self.assertEqual((summary.inserted, summary.updated, summary.unchanged), (0, 0, 14))
		self.assertEqual(frappe.db.count("School", {"name": "118620"}), 1)
		self.assertEqual(frappe.db.get_value("School", "118620", "modified"), modified)

	def test_a_changed_row_updates_that_school_only(self):
		import_schools(self.serve(FIXTURE.read_bytes()))
		changed = FIXTURE.read_bytes().replace(b"Brookfields Primary School", b"Brookfields Primary Academy")
		summary = import_schools(self.serve(changed, "changed.csv"))
		self.assertEqual((summary.inserted, summary.updated, summary.unchanged), (0, 1, 13))
		self.assertEqual(
			frappe.db.get_value("School", "103412", "school_name"), "Brookfields Primary Academy"
		)

	def test_a_file_missing_a_required_column_imports_nothing(self):
		text = FIXTURE.read_bytes().decode("cp1252")
		header, rest = text.split("\r\n", 1) if "\r\n" in text else text.split("\n", 1)
		broken = header.replace("EstablishmentName", "SchoolName") + "\r\n" + rest
		before = frappe.db.count("School")
		with self.assertRaisesRegex(GIASImportError, "EstablishmentName"):
			import_schools(self.serve(broken.encode("cp1252"), "broken.csv"))
		self.assertEqual(frappe.db.count("School"), before)

	def test_an_unreachable_url_fails_with_a_clear_message(self):
		with self.assertRaisesRegex(GIASImportError, "Could not download"):
			import_schools(f"{self.url}/missing.csv")

	def test_a_local_file_can_be_imported(self):
		summary = import_schools(str(FIXTURE))
		self.assertEqual(summary.inserted, 14)

	def test_settings_url_takes_yesterdays_date(self):
		from datetime import date

		from virtual_school.imports.gias import resolve_source

		with change_settings("Virtual School Settings", {"gias_source_url": "https://x.test/e{date}.csv"}):
			self.assertEqual(resolve_source(on_date=date(2026, 3, 1)), "https://x.test/e20260228.csv")

	def test_only_head_and_managers_start_a_desk_import(self):
		from virtual_school.imports.gias import start_import
		from virtual_school.tests.utils import caseworker

		frappe.set_user(caseworker(1))
		with self.assertRaises(frappe.PermissionError):
			start_import()
