"""The benchmark command runs at a tiny scale, and its SQL floors return the reports' own figures."""

from decimal import Decimal

import frappe

from virtual_school.benchmark import floors, format_table, run_benchmark
from virtual_school.tests.utils import VirtualSchoolTestCase
from virtual_school.virtual_school.doctype.pp_plus_claim.test_pp_plus_claim import PPPlusTestCase
from virtual_school.virtual_school.report.pp_plus_budget.pp_plus_budget import execute as pp_plus_budget


class TestBenchmark(VirtualSchoolTestCase):
	def test_runs_and_prints_every_path(self):
		result = run_benchmark(runs=1, generate=False)
		paths = [row["path"] for row in result["rows"]]
		self.assertIn("PP Plus Budget", paths)
		self.assertIn("Daily sweep (rolled back)", paths)
		self.assertIn("÷ floor", format_table(result))


class TestBenchmarkFloors(PPPlusTestCase):
	def test_pp_plus_budget_floor_matches_the_report(self):
		approved = self.to_review(self.claim(400))
		self.act(approved, "Approve", "Administrator")
		frappe.db.set_single_value("Virtual School Settings", "current_funding_year", self.year)
		floor = {row[0]: (Decimal(str(row[1])), Decimal(str(row[2]))) for row in floors()["PP Plus Budget"]()}
		_columns, data, _message, _chart = pp_plus_budget({"funding_year": self.year})
		report = {row.child: (row.approved, row.paid) for row in data}
		self.assertEqual(floor, report)
