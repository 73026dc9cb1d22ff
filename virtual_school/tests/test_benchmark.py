"""The benchmark command runs at a tiny scale, its SQL floors return the reports' own figures, and the
bulk national generator writes derived fields exactly as the app's own refreshes compute them.

The floors are the reports' queries written again by hand, so "floor equals report" only checks the
benchmark (that it times the same work): a mistake shared by both passes it. What each report must say is
checked against figures worked out by hand on a small world, in the test named for it in HAND_CHECKED.

No timing is asserted anywhere: figures are printed by the command and recorded in docs/benchmarks.md.
"""

from decimal import Decimal

import frappe
from frappe.tests.utils import change_settings
from frappe.utils import getdate, today

from virtual_school.attendance.services import flag_attendance_concerns
from virtual_school.children.placements import refresh_current_school, refresh_year_groups
from virtual_school.devtools import bulk_data
from virtual_school.devtools.benchmark import floors, format_table, report_figures, run_benchmark
from virtual_school.devtools.benchmark_import import ID_PREFIX, format_ssda903, ssda903_timings
from virtual_school.devtools.demo_sources import large_ssda903_extract, weeks_so_far
from virtual_school.imports.ssda903 import import_children
from virtual_school.tests.test_attendance_totals import assert_totals_match_records
from virtual_school.tests.utils import VirtualSchoolTestCase, mid_autumn
from virtual_school.virtual_school.doctype.pp_plus_claim.test_pp_plus_claim import PPPlusTestCase
from virtual_school.virtual_school.report.pp_plus_budget.pp_plus_budget import execute as pp_plus_budget

# Each report the benchmark times against a floor, and the test that checks its rows against a table
# worked out by hand from the rules (never against a query like the report's).
HAND_CHECKED = {
	"Attendance Overview": "virtual_school.tests.test_attendance.TestFlagsReportsAndPanels."
	"test_attendance_overview_figures_and_caseload",
	"Children Missing Education Risk": "virtual_school.tests.test_attendance.TestFlagsReportsAndPanels."
	"test_a_child_with_no_attendance_from_a_school_that_sends_it_is_flagged_once",
	"Children Without a School Place": "virtual_school.virtual_school.report.children_without_a_school_place."
	"test_children_without_a_school_place.TestChildrenWithoutASchoolPlace."
	"test_counts_school_days_since_the_last_placement_ended",
	"Cohort Overview": "virtual_school.tests.test_inclusion_reports.TestInclusionReports."
	"test_cohort_overview_counts_worked_out_by_hand",
	"Exclusions by School": "virtual_school.tests.test_inclusion_reports.TestInclusionReports."
	"test_exclusions_by_school_rows_worked_out_by_hand",
	"In-Year Admissions by School": "virtual_school.virtual_school.report.in_year_admissions_by_school."
	"test_in_year_admissions_by_school.TestInYearAdmissionsBySchool.test_every_column_worked_out_by_hand",
	"PEP Compliance": "virtual_school.tests.test_inclusion_reports.TestInclusionReports."
	"test_pep_compliance_on_time_and_overdue",
	"PP Plus Budget": "virtual_school.virtual_school.report.pp_plus_budget.test_pp_plus_budget."
	"TestPPPlusBudgetReport.test_child_rows_worked_out_by_hand",
	"PP Plus Impact Overdue": "virtual_school.virtual_school.doctype.pp_plus_impact_report."
	"test_pp_plus_impact_report.TestPPPlusImpactReport.test_reminds_once_then_escalates_when_overdue",
}

DERIVED = """select name, full_name, out_of_authority, caseworker_name, current_school, current_school_name,
	current_attendance_basis, current_placement, year_group, key_stage
	from tabChild where social_care_id like 'NAT-%%' order by name"""


class TestBenchmark(VirtualSchoolTestCase):
	def test_runs_at_a_tiny_scale_and_every_floor_equals_its_report(self):
		# The tiny world's attendance is this academic year's weeks so far: none on 1 September, or in the
		# summer holiday. Frozen in term time (docs/testing.md, Dates).
		self.enterContext(self.freeze_time(mid_autumn(), tick=True))
		# The tiny scale generates ~500 children inside this test's transaction (rolled back afterwards).
		result = run_benchmark(scale="tiny", runs=1, write_json=False, ssda903=5)
		paths = [row["path"] for row in result["rows"]]
		for path in (
			"Children Without a School Place",
			"Child list (caseworker)",
			"Portal my pupils",
			"PP+ approval",
			"Access log: list request check (caseworker)",
			"Access log: one view written (caseworker)",
			"Access log: portal view written (school user)",
		):
			self.assertIn(path, paths)
		self.assertIn("÷ floor", format_table(result))
		self.assertEqual(result["ssda903"]["rows"][1]["created"], 5, result.get("ssda903_error"))
		self.assertIn("SSDA903 import: 5 children", format_table(result))
		report_rows = [row for row in result["rows"] if row["path"] in floors()]
		self.assertTrue(report_rows)
		for row in report_rows:  # every report also timed without Frappe's report-run wrapper
			self.assertGreater(row["app_ms"], 0, row["path"])
		# A sanity check of the benchmark, not of the reports (see HAND_CHECKED): on ~500 generated
		# children each floor must return the figures its report shows, or the ratio would mislead. The
		# generator accepts every impact report it writes; reopen one so that report has a row to compare.
		reopened = frappe.get_all("PP Plus Impact Report", pluck="name", order_by="name", limit=1)
		self.assertTrue(reopened, "the tiny world has no impact report")
		frappe.db.set_value(
			"PP Plus Impact Report",
			reopened[0],
			{"workflow_state": "Requested", "due_date": frappe.utils.add_days(today(), -3)},
		)
		for name, floor in floors().items():
			with self.subTest(report=name):
				figures = report_figures(name)
				self.assertTrue(figures, f"{name}: the tiny world gives the report nothing to compare")
				self.assertEqual(sorted(map(tuple, floor()), key=_order), sorted(figures, key=_order))
		# the generator rebuilt the attendance totals the reports read (per term, per week)
		assert_totals_match_records(self)

	def test_every_floored_report_is_checked_by_hand(self):
		"""A report added to the floors must name its hand-worked test, and that test must exist."""
		import importlib

		self.assertEqual(set(floors()), set(HAND_CHECKED))
		for report, path in HAND_CHECKED.items():
			module, cls, method = path.rsplit(".", 2)
			with self.subTest(report=report):
				self.assertTrue(callable(getattr(getattr(importlib.import_module(module), cls), method)))

	def test_generated_derived_fields_equal_the_refreshes(self):
		bulk_data.generate(fraction=0.001, commit=False)
		before = frappe.db.sql(DERIVED)
		self.assertTrue(before)
		refresh_current_school()
		refresh_year_groups()
		self.assertEqual(before, frappe.db.sql(DERIVED))
		placed = frappe.db.sql(
			"""select count(*) from tabChild c join `tabEducation Placement` p on p.name = c.current_placement
			where c.social_care_id like 'NAT-%%' and p.child = c.name and p.school = c.current_school"""
		)[0][0]
		self.assertEqual(
			placed,
			frappe.db.count("Child", {"current_school": ["is", "set"], "social_care_id": ["like", "NAT-%"]}),
		)
		# attendance: weeks only at the child's school on roll, never before the placement began, and the
		# escalations the daily flags would open are already there (settle), so the job opens nothing more
		misplaced = frappe.db.sql(
			"""select count(*) from `tabAttendance Record` a join tabChild c on c.name = a.child
			join `tabEducation Placement` p on p.name = c.current_placement
			where c.social_care_id like 'NAT-%%'
				and (a.school != c.current_school or a.week_starting + interval 4 day < p.start_date)"""
		)[0][0]
		self.assertEqual(misplaced, 0)
		weeks = frappe.db.sql(
			"""select count(*) from `tabAttendance Record` a join tabChild c on c.name = a.child
			where c.social_care_id like 'NAT-%%'"""
		)[0][0]
		if weeks_so_far(getdate(today())):  # none in the summer holiday
			self.assertGreater(weeks, 0)
		self.assertEqual(flag_attendance_concerns(), {"absence": [], "missing": []})


class TestSSDA903Timings(VirtualSchoolTestCase):
	"""``--ssda903 N``: the import's paths on N generated children, each handling every child, rolled back."""

	def test_each_import_path_handles_every_child_and_the_site_is_left_as_it_was(self):
		tables = ("Child", "Care Episode", "Care Review", "Data Quality Issue", "Version")
		before = {doctype: frappe.db.count(doctype) for doctype in tables}
		timings = ssda903_timings(25, committed=False)  # a test's data lives in the open transaction
		preview, first, again, changed = timings["rows"]
		counts = ("created", "updated", "unchanged", "rejected")
		self.assertEqual(tuple(preview[key] for key in counts), (25, 0, 0, 0))  # to create
		self.assertEqual(tuple(first[key] for key in counts), (25, 0, 0, 0))
		self.assertEqual(tuple(again[key] for key in counts), (0, 0, 25, 0))
		self.assertEqual(tuple(changed[key] for key in counts), (0, 25, 0, 0))
		# the problems the preview finds are the issues the first import opens; the same file opens none
		self.assertEqual(first["issues"]["opened"], preview["issues"])
		self.assertEqual((again["issues"]["opened"], again["issues"]["open"]), (0, preview["issues"]))
		self.assertGreaterEqual(timings["episodes"], 2 * 25)
		self.assertGreaterEqual(timings["reviews"], 25)
		for row in timings["rows"]:
			self.assertIsNone(row["met"], row["path"])  # the targets are for 15,000 children
		# rolled back: nothing of the three imports is on the site
		self.assertEqual(timings["left_on_site"], 0)
		self.assertFalse(frappe.db.exists("Child", {"social_care_id": ["like", f"{ID_PREFIX}%"]}))
		self.assertEqual({doctype: frappe.db.count(doctype) for doctype in tables}, before)
		text = format_ssda903(timings)
		self.assertIn("import changed: every child changed", text)
		self.assertIn("preview in under 20 s and import in under 60 s", text)

	def test_a_site_with_children_of_the_benchmark_ids_is_refused(self):
		# its children would be updated instead of the benchmark creating its own
		import_children(*large_ssda903_extract(1, id_prefix=ID_PREFIX))
		with self.assertRaises(frappe.ValidationError):
			ssda903_timings(3, committed=False)
		self.assertEqual(frappe.db.count("Child", {"social_care_id": ["like", f"{ID_PREFIX}%"]}), 1)


class TestHttpFigures(VirtualSchoolTestCase):
	def test_http_rows_percentiles_and_portal_share(self):
		from virtual_school.devtools.benchmark_http import PATHS, format_http, portal_to_rest, summary

		row = summary(20, [float(ms) for ms in range(100, 0, -1)], ["HTTP 502"], 10.0)
		self.assertEqual((row["requests"], row["throughput_rps"], row["errors"]), (100, 10.0, 1))
		self.assertEqual((row["p50_ms"], row["p95_ms"], row["p99_ms"]), (51.0, 95.0, 99.0))
		self.assertIsNone(summary(1, [], [], 1.0)["p95_ms"])
		portal, rest = PATHS
		rows = [
			{"path": portal, **summary(20, [10.0] * 150, [], 1.0)},
			{"path": rest, **summary(20, [10.0] * 200, [], 1.0)},
		]
		self.assertEqual(portal_to_rest(rows), {20: 0.75})
		text = format_http(
			{
				"server": "test",
				"seconds_per_level": 15,
				"rounds": 3,
				"warm_up_seconds": 2,
				"two_factor": {},
				"rows": rows,
			}
		)
		self.assertIn("portal ÷ REST throughput at 20 sessions: 0.75", text)


class TestBenchmarkFloors(PPPlusTestCase):
	def test_pp_plus_budget_floor_and_report_give_the_rows_worked_out_by_hand(self):
		approved = self.to_review(self.claim(400))
		self.act(approved, "Approve", "Administrator")
		self.claim(999)  # a draft: not committed
		with change_settings("Virtual School Settings", {"current_funding_year": self.year}):
			floor = floors()["PP Plus Budget"]()
		_columns, data, _message, _chart = pp_plus_budget({"funding_year": self.year})
		# 2027-28: £2,630 less the 20% top-slice = £2,104 for Pip; £400 approved, nothing paid: £1,704 left.
		expected = [(self.child.name, Decimal(2104), Decimal(400), Decimal(0), Decimal(1704))]
		self.assertEqual(
			[
				(row.child, row.allocation, row.approved, row.paid, row.remaining)
				for row in data
				if row.child == self.child.name
			],
			expected,
		)
		self.assertEqual(
			[
				(row[0], *(Decimal(str(value)) for value in row[4:]))
				for row in floor
				if row[0] == self.child.name
			],
			expected,
		)
		# the same rows in the same order (most committed first) as the report
		self.assertEqual(
			[(row[0], *(Decimal(str(value)) for value in row[4:])) for row in floor],
			[(row.child, row.allocation, row.approved, row.paid, row.remaining) for row in data],
		)


def _order(row) -> tuple:
	"""A sort key for a row of figures with blanks (a school or a date may be None): None first, dates by
	their ISO form (the report's, under ``freeze_time``, are FakeDates), numbers as numbers."""
	return tuple(
		(0, "")
		if value is None
		else (1, value.isoformat())
		if hasattr(value, "isoformat")
		else (2, value)
		if isinstance(value, int | float)
		else (3, str(value))
		for value in row
	)
