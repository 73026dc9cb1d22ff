"""Every Script Report a caseworker may run shows them their caseload and nothing else (issue #20).

The reports are read from the Report doctype (Script Reports of the module whose roles include Virtual School
Caseworker), so a report given to caseworkers later is checked without editing this test. Each is run through
Frappe's own entry point (``frappe.desk.query_report.run``) as two caseworkers with different caseloads and a
child shared between them, and as a Head, on a world that puts every child in every report: each child has
a school of its own (placed children: attendance that stopped, a PEP due) and a twin with no school place, so
a row names a child either directly or through its school.
"""

from datetime import date, datetime
from unittest.mock import patch

import frappe
from frappe.desk.query_report import run as run_report
from frappe.query_builder import DocType
from frappe.tests.utils import change_settings

from virtual_school import permissions
from virtual_school.calendar.clocks import clear_calendar_cache
from virtual_school.children.vocabulary import LOOKED_AFTER
from virtual_school.domain import school_days
from virtual_school.reports import caseload
from virtual_school.setup.roles import VIRTUAL_SCHOOL_CASEWORKER
from virtual_school.tests.test_head_reports import AGGREGATE_REPORTS
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	head,
	make_child,
	make_placement,
	make_school,
	make_school_calendar,
	make_user,
)

YEAR = "2025-26"
TODAY = datetime(2025, 11, 21, 12, 0)  # a Friday in the autumn term, weeks after the last attendance
PLACED_FROM = date(2025, 9, 1)
ATTENDANCE_WEEKS = (date(2025, 9, 8), date(2025, 9, 15))
# Filters every report is run with: ones a report does not declare are ignored by it. Grouping by school
# makes the attendance overview name each child's school (its default groups by cohort).
FILTERS = {"group_by": "School"}

CASEWORKER_A = "vs.caseload.a@example.test"
CASEWORKER_B = "vs.caseload.b@example.test"
CASEWORKER_C = "vs.caseload.c@example.test"
# slot: (caseworker, shared with)
SLOTS = {
	"a": (CASEWORKER_A, None),
	"b": (CASEWORKER_B, None),
	"shared": (CASEWORKER_A, CASEWORKER_B),
	"other": (CASEWORKER_C, None),
}
SEES = {CASEWORKER_A: {"a", "shared"}, CASEWORKER_B: {"b", "shared"}}


def caseworker_reports() -> list[str]:
	"""The module's Script Reports a caseworker may run, from the Report doctype."""
	reports = frappe.get_all(
		"Report",
		filters={"module": "Virtual School", "report_type": "Script Report", "disabled": 0},
		pluck="name",
	)
	return sorted(
		name
		for name in reports
		if VIRTUAL_SCHOOL_CASEWORKER in {row.role for row in frappe.get_doc("Report", name).roles}
		and name not in AGGREGATE_REPORTS  # they name no child or school: test_head_reports scopes them
	)


class TestReportCaseload(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		for user in (CASEWORKER_A, CASEWORKER_B, CASEWORKER_C):
			make_user(user, VIRTUAL_SCHOOL_CASEWORKER)

	def setUp(self):
		super().setUp()
		self.enterContext(self.freeze_time(TODAY))
		self.enterContext(change_settings("Virtual School Settings", {"attendance_missing_school_days": 10}))
		make_school_calendar(YEAR, school_days.standard_term_pattern(YEAR))
		clear_calendar_cache()
		self.markers: dict[str, str] = {}  # a value a row may show -> the slot of the child it names
		self.children: dict[str, list[str]] = {}
		for number, (slot, (worker, shared_with)) in enumerate(SLOTS.items()):
			school = make_school(f"99470{number}", f"Caseload {slot.title()} Primary")
			placed = make_child(
				"Placed", caseworker=worker, cohort=LOOKED_AFTER, date_of_birth=date(2016, 2, 1 + number)
			)
			waiting = make_child(
				"Waiting", caseworker=worker, cohort=LOOKED_AFTER, date_of_birth=date(2016, 3, 1 + number)
			)
			make_placement(placed.name, school, PLACED_FROM)
			frappe.db.set_value("Child", placed.name, "current_school", school)
			for week in ATTENDANCE_WEEKS:
				frappe.get_doc(
					{
						"doctype": "Attendance Record",
						"child": placed.name,
						"school": school,
						"week_starting": week,
						"possible_sessions": 10,
						"sessions_attended": 9,
						"authorised_absence": 1,
					}
				).insert()
			frappe.get_doc(
				{
					"doctype": "Personal Education Plan",
					"child": placed.name,
					"school": school,
					"due_date": date(2025, 11, 14),
					"academic_year": YEAR,
				}
			).insert()
			for child in (placed, waiting):  # a data-quality issue each (Data Quality Issues report)
				frappe.get_doc(
					{
						"doctype": "Data Quality Issue",
						"child": child.name,
						"child_name": child.full_name,
						"status": "Open",
						"severity": "Error",
						"rule": "a rule",
						"rule_code": "test",
						"issue_key": f"caseload-{child.name}",
					}
				).insert(ignore_permissions=True)
			if shared_with:
				for child in (placed, waiting):
					frappe.share.add("Child", child.name, shared_with, read=1)
			self.children[slot] = [placed.name, waiting.name]
			for value in (school, placed.name, waiting.name, placed.full_name, waiting.full_name):
				self.markers[value] = slot

	def slots_seen(self, report: str, user: str) -> set[str]:
		"""The slots whose children the report shows the user (by child, name or school in any column)."""
		frappe.set_user(user)
		try:
			result = run_report(report, filters=dict(FILTERS), ignore_prepared_report=True)
		finally:
			frappe.set_user("Administrator")
		seen = set()
		for row in result["result"]:
			values = row.values() if isinstance(row, dict) else row
			seen.update(
				self.markers[value] for value in values if isinstance(value, str) and value in self.markers
			)
		return seen

	def test_every_caseworker_report_shows_each_caseworker_their_caseload(self):
		reports = caseworker_reports()
		self.assertTrue(reports, "no Script Report of the module is open to caseworkers")
		for report in reports:
			with self.subTest(report=report):
				# the world reaches every report: without this an empty report would pass
				self.assertEqual(self.slots_seen(report, head()), set(SLOTS))
				for worker, expected in SEES.items():
					self.assertEqual(self.slots_seen(report, worker), expected, f"{report} as {worker}")

	def test_scope_selects_the_children_of_the_child_list(self):
		"""The helper and the Child list's permission hook give the same children, also when the shared
		children are too many to name (the subquery form)."""
		child = DocType("Child")
		ours = [name for names in self.children.values() for name in names]
		for limit in (permissions.SHARED_NAMES_LIMIT, 0):
			for worker, slots in SEES.items():
				with self.subTest(worker=worker, limit=limit):
					with patch.object(permissions, "SHARED_NAMES_LIMIT", limit):
						criterion = caseload.scope(child, worker)
						scoped = (
							frappe.qb.from_(child)
							.select(child.name)
							.where(child.name.isin(ours) & criterion)
							.run(pluck=True)
						)
						frappe.set_user(worker)
						listed = frappe.get_list("Child", filters={"name": ["in", ours]}, pluck="name")
						frappe.set_user("Administrator")
					expected = {name for slot in slots for name in self.children[slot]}
					self.assertEqual(set(scoped), expected)
					self.assertEqual(set(listed), expected)
		self.assertIsNone(caseload.scope(child, head()))

	def test_as_sql_passes_the_values_as_parameters(self):
		"""The raw-SQL form carries no value in its text: a name with a quote reaches the driver as a value."""
		child = DocType("Child").as_("c")
		awkward = "O'Brien-1\\"
		with patch.object(caseload, "shared_children", lambda user: [awkward]):
			sql, values = caseload.as_sql(caseload.scope(child, CASEWORKER_A))
		self.assertNotIn("Brien", sql)
		self.assertNotIn(CASEWORKER_A, sql)
		self.assertEqual(set(values.values()), {CASEWORKER_A, awkward})
		found = frappe.db.sql(f"select c.name from `tabChild` c where {sql}", values, pluck=True)
		# caseworker A's own children (the shared slot's caseworker is A); the awkward name matches none
		self.assertEqual(set(found), {name for slot in SEES[CASEWORKER_A] for name in self.children[slot]})
