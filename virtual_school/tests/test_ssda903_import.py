"""SSDA903 import on a site: preview writes nothing, import creates children with episodes, re-import is a no-op."""

from pathlib import Path

import frappe

from virtual_school.ssda903_import import import_children, preview
from virtual_school.tests.utils import VirtualSchoolTestCase

FIXTURES = Path(__file__).parent / "fixtures" / "ssda903"


class TestSSDA903Import(VirtualSchoolTestCase):
	def files(self):
		return (FIXTURES / "header.csv").read_bytes(), (FIXTURES / "episodes.csv").read_bytes()

	def test_preview_writes_nothing(self):
		before = frappe.db.count("Child")
		result = preview(*self.files())
		self.assertEqual(sorted(result["create"]), ["1001", "1002", "1003"])
		self.assertTrue(result["rejected"])
		self.assertEqual(frappe.db.count("Child"), before)

	def test_import_then_reimport_changes_nothing(self):
		first = import_children(*self.files())
		self.assertEqual(len(first["created"]), 3)
		rejected_children = {row.get("child") for row in first["rejected"]}
		self.assertTrue({"1004", "1006"} <= rejected_children)
		child = frappe.get_doc("Child", {"social_care_id": "1001"})
		self.assertTrue(child.care_episodes)
		adopted = frappe.get_doc("Child", {"social_care_id": "1002"})
		self.assertEqual(adopted.cohort, "Previously Looked After")
		self.assertTrue(adopted.date_left_care)
		second = import_children(*self.files())
		self.assertEqual((second["created"], second["updated"]), ([], []))
		self.assertEqual(sorted(second["unchanged"]), ["1001", "1002", "1003"])

	def test_a_changed_episode_updates_only_that_child(self):
		import_children(*self.files())
		header, episodes = self.files()
		changed = episodes.replace(b"S6 2LP", b"S6 3LP", 1)
		result = import_children(header, changed)
		self.assertEqual(
			result["updated"], [frappe.db.get_value("Child", {"social_care_id": "1001"}, "name")]
		)

	def test_a_malformed_file_imports_nothing(self):
		header, episodes = self.files()
		with self.assertRaises(frappe.ValidationError):
			import_children(header.replace(b"DOB", b"BIRTH"), episodes)
		self.assertFalse(frappe.db.exists("Child", {"social_care_id": "1001"}))
