"""SSDA903 import on a site: preview writes nothing, import creates children with episodes, re-import is a no-op."""

from pathlib import Path

import frappe

from virtual_school.imports.ssda903 import import_children, preview
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

	def test_placement_la_sets_where_the_child_lives_and_the_out_of_authority_flag(self):
		frappe.db.set_single_value("Virtual School Settings", "la", "373")
		header, episodes = self.files()
		lines = episodes.decode().splitlines()
		with_la = [lines[0] + ",PL_LA"] + [
			line + (",886" if line.startswith("1001,") else ",WAL" if line.startswith("1003,") else ",")
			for line in lines[1:]
		]
		import_children(header, ("\r\n".join(with_la) + "\r\n").encode())
		placed_away = frappe.get_doc("Child", {"social_care_id": "1001"})
		self.assertEqual((placed_away.responsible_la, placed_away.resident_la), ("373", "886"))
		self.assertEqual(placed_away.out_of_authority, 1)
		self.assertEqual(placed_away.care_episodes[-1].placement_la, "886")
		in_wales = frappe.get_doc("Child", {"social_care_id": "1003"})
		self.assertEqual(in_wales.out_of_authority, 1)
		at_home = frappe.get_doc("Child", {"social_care_id": "1002"})
		self.assertEqual(at_home.out_of_authority, 0)
