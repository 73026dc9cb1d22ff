"""Faults half-way through a write leave nothing half-written.

A crash is injected part-way (unittest.mock) into the GIAS import, the SSDA903 import and a PP+ payment.
Each must (1) let the exception reach its caller, never swallow it, and (2) not commit part-way, so the
rollback Frappe performs on any failed request or background job undoes everything. The rollback is
emulated with a savepoint (a commit part-way would release it and fail the test as well).

The daily sweep run twice is idempotent: test_school_place_request.py::test_daily_sweep_opens_once and
test_pp_plus_impact_report.py (run_daily twice); attendance flags: test_attendance.py.
"""

from datetime import date
from pathlib import Path
from unittest.mock import patch

import frappe

from virtual_school.imports import gias as gias_import
from virtual_school.imports import ssda903 as ssda903_import
from virtual_school.tests.utils import VirtualSchoolTestCase, head
from virtual_school.virtual_school.doctype.pp_plus_claim.test_pp_plus_claim import PPPlusTestCase
from virtual_school.virtual_school.doctype.pp_plus_payment import pp_plus_payment as payment_controller

FIXTURES = Path(__file__).parent / "fixtures"


class Crash(RuntimeError):
	"""The injected fault: a lost connection, a full disk, a bug."""


def crash_on_call(number: int, real):
	"""A stand-in for ``real`` that works until its ``number``-th call, then crashes."""
	calls = {"count": 0}

	def wrapper(*args, **kwargs):
		calls["count"] += 1
		if calls["count"] == number:
			raise Crash(f"injected fault on call {number}")
		return real(*args, **kwargs)

	wrapper.calls = calls
	return wrapper


class AllOrNothing:
	def snapshot(self, doctypes: tuple[str, ...]) -> dict:
		return {
			doctype: (
				frappe.db.count(doctype),
				frappe.db.sql(f"select max(`modified`) from `tab{doctype}`")[0][0],
			)
			for doctype in doctypes
		}

	def assert_all_or_nothing(self, action, doctypes: tuple[str, ...], partial_check=None):
		before = self.snapshot(doctypes)
		frappe.db.savepoint("vs_fault")
		with patch.object(
			frappe.local.db, "commit", side_effect=AssertionError("committed part-way through")
		):
			with self.assertRaises(Crash):
				action()
		if partial_check:
			partial_check()  # the fault struck after some rows were written in this transaction
		frappe.db.rollback(save_point="vs_fault")  # what Frappe does when a request or job fails
		self.assertEqual(self.snapshot(doctypes), before)


class TestImportFaults(VirtualSchoolTestCase, AllOrNothing):
	def test_gias_import_crashing_in_its_second_batch_writes_no_school(self):
		source = str(FIXTURES / "gias_sample.csv")
		upsert = crash_on_call(2, gias_import._upsert)
		before = frappe.db.count("School")

		def partial_check():
			# the first batch was upserted before the fault; the job rolls its own transaction back before
			# recording the failure on its Import Log, so nothing of that batch may be left by now
			self.assertEqual(upsert.calls["count"], 2)
			self.assertEqual(frappe.db.count("School"), before, "the first batch was rolled back by the job")

		with patch.object(gias_import, "BATCH_SIZE", 5), patch.object(gias_import, "_upsert", upsert):
			self.assert_all_or_nothing(
				lambda: gias_import.run_import_job(source, "Administrator"),
				("School", "Notification Log"),
				partial_check,
			)

	def test_ssda903_import_crashing_on_its_second_child_writes_no_child(self):
		folder = FIXTURES / "ssda903"
		header, episodes = (folder / "header.csv").read_bytes(), (folder / "episodes.csv").read_bytes()
		# new children are written table by table: crash after the Child rows, before their episodes
		write = crash_on_call(2, ssda903_import._insert_rows)
		with patch.object(ssda903_import, "_insert_rows", write):
			self.assert_all_or_nothing(
				lambda: ssda903_import.import_children(header, episodes),
				("Child", "Care Episode", "Child Status History", "Version"),
			)
		self.assertEqual(write.calls["count"], 2)

	def test_ssda903_rejected_child_leaves_no_part_of_itself(self):
		"""A new child that fails validation once built is never inserted; the others are."""
		folder = FIXTURES / "ssda903"
		header, episodes = (folder / "header.csv").read_bytes(), (folder / "episodes.csv").read_bytes()
		real_build = ssda903_import._build

		def build_then_fail(child):
			built = real_build(child)
			if child.social_care_id == "1002":
				frappe.throw("injected validation failure after the build")
			return built

		with patch.object(ssda903_import, "_build", build_then_fail):
			summary = ssda903_import.import_children(header, episodes)
		# "created" holds the new records' names: read their social-care IDs to look for 1002
		created = set(
			frappe.get_all("Child", filters={"name": ["in", summary["created"]]}, pluck="social_care_id")
		)
		self.assertIn("1001", created)
		self.assertNotIn("1002", created)
		self.assertIn("1002", {row.get("child") for row in summary["rejected"]})
		self.assertFalse(frappe.db.exists("Child", {"social_care_id": "1002"}))
		self.assertTrue(frappe.db.exists("Child", {"social_care_id": "1001"}))


class TestPaymentFaults(PPPlusTestCase, AllOrNothing):
	def approved(self, amount):
		return self.act(self.to_review(self.claim(amount)), "Approve", head())

	def test_payment_crashing_after_marking_claims_paid_leaves_them_approved(self):
		first, second = self.approved(300), self.approved(200)
		frappe.set_user("Administrator")
		payment = frappe.get_doc(
			{
				"doctype": "PP Plus Payment",
				"school": self.school,
				"funding_year": self.year,
				"payment_date": date(2027, 11, 1),
				"payment_reference": "BACS-FAULT",
				"claims": [{"claim": first.name}, {"claim": second.name}],
			}
		).insert()

		def paid_states():
			return frappe.get_all(
				"PP Plus Claim", filters={"name": ["in", [first.name, second.name]]}, pluck="workflow_state"
			)

		def partial_check():
			self.assertEqual(set(paid_states()), {"Paid"}, "the claims were marked before the crash")

		# patched where the payment controller looks it up (it imports the function at module top)
		with patch.object(payment_controller, "attach_remittance_advice", side_effect=Crash("disk full")):
			self.assert_all_or_nothing(
				payment.submit, ("PP Plus Claim", "PP Plus Payment", "File", "Comment"), partial_check
			)
		self.assertEqual(set(paid_states()), {"Approved"})
		self.assertEqual(frappe.db.get_value("PP Plus Payment", payment.name, "docstatus"), 0)
