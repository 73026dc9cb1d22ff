"""The field's own tools in the SSDA903 import (issue #19 item 7): PL_LA derived from the placement postcode with
the ONS Postcode Directory (``domain/postcode_la.py``), and the DfE validator (``imports/dfe_validator.py``)
run on an Import Log's files, its failures synced as Data Quality Issues."""

from pathlib import Path
from unittest.mock import patch

import frappe
from frappe.tests.utils import change_settings

from virtual_school.domain import postcode_la
from virtual_school.imports import dfe_validator
from virtual_school.imports.ssda903 import import_children, import_from_bench, run_dfe_validator
from virtual_school.tests.utils import VirtualSchoolTestCase

ISSUE = "Data Quality Issue"
HEADER = b"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\nT7001,1,01/09/2012,WBRI,UN1,,\r\nT7002,2,02/10/2013,WBRI,UN2,,\r\n"
COLUMNS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"


def episodes(first_postcode: str = "ME15 6AA", pl_la: str | None = None, ls: str = "C2") -> bytes:
	"""T7001 placed in Kent (ME15 6AA) unless told otherwise; T7002 at home in Sheffield (S6 2LP)."""
	extra = ",PL_LA" if pl_la is not None else ""
	tail = f",{pl_la}" if pl_la is not None else ""
	lines = [
		COLUMNS + extra,
		f"T7001,01/04/2024,S,{ls},N1,U4,PR1,,,,S5 7AU,{first_postcode},XXXXXXX{tail}",
		f"T7002,01/05/2024,S,C2,N1,U4,PR1,,,,S5 7AU,S6 2LP,XXXXXXX{tail}",
	]
	return ("\r\n".join(lines) + "\r\n").encode()


def issues_of(social_care_id: str, **filters) -> list[dict]:
	return frappe.get_all(
		ISSUE,
		filters={"social_care_id": social_care_id, **filters},
		fields=["name", "status", "rule_code", "rule", "source_column", "row_number", "severity"],
		order_by="name",
	)


class TestPlacementLAFromPostcode(VirtualSchoolTestCase):
	def setUp(self):
		super().setUp()
		self.enterContext(change_settings("Virtual School Settings", {"la": "373"}))

	def test_a_postcode_in_another_authority_makes_the_child_out_of_authority(self):
		result = import_children(HEADER, episodes())
		placed = frappe.get_doc("Child", {"social_care_id": "T7001"})
		self.assertEqual(
			(placed.responsible_la, placed.resident_la, placed.out_of_authority), ("373", "886", 1)
		)
		self.assertEqual(placed.care_episodes[-1].placement_la, "886")
		at_home = frappe.get_doc("Child", {"social_care_id": "T7002"})
		self.assertEqual((at_home.resident_la, at_home.out_of_authority), ("373", 0))
		self.assertIn("PL_LA derived from the placement postcode for 2 episodes", result["summary"])
		self.assertEqual(issues_of("T7001"), [])  # a file without PL_LA: the DfE's own derivation, unflagged

		again = import_children(HEADER, episodes())
		self.assertEqual(sorted(again["unchanged"]), ["T7001", "T7002"])
		self.assertEqual(again["updated"], [])

	def test_a_blank_pl_la_is_flagged_once_and_a_corrected_file_resolves_it(self):
		import_children(HEADER, episodes(pl_la=""))
		(derived,) = issues_of("T7001")
		self.assertEqual(
			(derived.rule_code, derived.severity, derived.source_column, derived.status),
			("placement_la:derived", "Warning", "PL_LA", "Open"),
		)
		self.assertIn("886 (Kent)", derived.rule)
		import_children(HEADER, episodes(pl_la=""))
		self.assertEqual([issue.name for issue in issues_of("T7001")], [derived.name])  # no duplicate

		import_children(HEADER, episodes(pl_la="886"))
		self.assertEqual(issues_of("T7001", status="Open"), [])
		self.assertEqual(frappe.db.get_value("Child", {"social_care_id": "T7001"}, "resident_la"), "886")

	def test_without_the_postcode_package_the_import_still_runs_and_says_so_once(self):
		empty = postcode_la.PostcodeDirectory(data_dir=Path(frappe.get_site_path("private")) / "no-postcodes")
		with patch.object(postcode_la, "default_directory", return_value=empty):
			result = import_children(HEADER, episodes())
		self.assertEqual(
			sorted(result["created"]),
			sorted(frappe.get_all("Child", {"social_care_id": ["in", ["T7001", "T7002"]]}, pluck="name")),
		)
		self.assertEqual(result["summary"].count("placement postcodes not mapped to local authorities"), 1)
		self.assertIsNone(frappe.db.get_value("Child", {"social_care_id": "T7001"}, "resident_la"))

	def test_a_district_only_postcode_is_a_flagged_guess(self):
		import_children(HEADER, episodes(first_postcode="ME15"))
		self.assertEqual(frappe.db.get_value("Child", {"social_care_id": "T7001"}, "resident_la"), "886")
		(guess,) = issues_of("T7001")
		self.assertEqual(guess.rule_code, "placement_la:derived")
		self.assertIn("postcode district ME15", guess.rule)


class TestDfEValidator(VirtualSchoolTestCase):
	def setUp(self):
		super().setUp()
		self.enterContext(change_settings("Virtual School Settings", {"la": "373"}))

	def test_the_validator_runs_on_the_logs_files_and_its_failures_are_issues(self):
		"""T7001's SEX "1" breaks DfE rule 101 (M/F/U since 2024-25; the app reads it as M); its LS "C3" is
		flagged by the app and by DfE rule 144, one issue in the DfE's words."""
		first = import_from_bench(("header.csv", HEADER), ("episodes.csv", episodes(ls="C3")))
		installed = dfe_validator.installed_version()
		self.assertIn("queued" if installed else "not installed", first["summary"])
		(own,) = issues_of("T7001", rule_code="code:legal_status")

		outcome = run_dfe_validator(first["import_log"])
		comments = frappe.get_all(
			"Comment",
			filters={"reference_doctype": "Import Log", "reference_name": first["import_log"]},
			pluck="content",
		)
		if not installed:
			self.assertEqual(outcome["status"], dfe_validator.NOT_INSTALLED)
			self.assertTrue(any("not installed" in comment for comment in comments))
			self.assertEqual(issues_of("T7001", rule_code=["like", "dfe:%"]), [])
			return
		self.assertEqual(outcome["status"], dfe_validator.RAN)
		self.assertTrue(any("rule failures" in comment for comment in comments), comments)
		sex = issues_of("T7001", rule_code="dfe:101")
		self.assertEqual(
			[(issue.source_column, issue.row_number, issue.severity) for issue in sex],
			[("SEX", 2, "Warning")],
		)
		self.assertTrue(sex[0].rule.startswith("101 - "))
		self.assertEqual(
			frappe.db.get_value(ISSUE, own.name, "rule"), "144 - The legal status code is not a valid code."
		)
		self.assertEqual(issues_of("T7001", rule_code="dfe:144"), [])
		# Sheffield (E08000039 since 2024) is not in the validator's 2021 lookup: the runner adds it
		self.assertEqual(issues_of("T7002", rule_code=["in", ["dfe:169", "dfe:179"]]), [])
		self.assertGreaterEqual(outcome["reworded"], 1)

		before = frappe.db.count(ISSUE, {"social_care_id": ["in", ["T7001", "T7002"]]})
		again = run_dfe_validator(first["import_log"])
		self.assertEqual((again["issues"]["opened"], again["issues"]["resolved"]), (0, 0))
		self.assertEqual(frappe.db.count(ISSUE, {"social_care_id": ["in", ["T7001", "T7002"]]}), before)

		# the app's own re-import does not resolve the validator's issues, nor the validator the app's
		import_children(HEADER, episodes(ls="C3"))
		self.assertEqual(issues_of("T7001", rule_code="dfe:101")[0].status, "Open")
		self.assertEqual(frappe.db.get_value(ISSUE, own.name, "status"), "Open")
