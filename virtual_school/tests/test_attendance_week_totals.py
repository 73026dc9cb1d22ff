"""The maintained per-week attendance totals (Attendance Week Total: one row per academic year, term, week and
school) equal the weekly records grouped after every write path, including a save that moves a record to
another week or school; Attendance Overview's chart reads them with the same figures as the records; only
roles that see every child may read them; and two uploads at once (of two schools, or of one) do not
deadlock."""

from datetime import date, timedelta

import frappe
from frappe.utils import formatdate

from virtual_school.attendance import services as attendance
from virtual_school.devtools import bulk_data
from virtual_school.domain import attendance as rules
from virtual_school.permissions import all_children_has_permission, all_children_query_conditions
from virtual_school.tests.concurrency import run_meeting_at
from virtual_school.tests.test_attendance import WEEKS, YEAR, AttendanceTestCase, csv_of, row
from virtual_school.tests.test_attendance_totals import (
	WEEK_RECORDS,
	WEEK_TOTALS,
	as_set,
	assert_totals_match_records,
)
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	finance,
	head,
	make_placement,
	make_school,
	manager,
	mid_autumn,
)
from virtual_school.virtual_school.report.attendance_overview.attendance_overview import execute

SPRING_WEEK = date(2026, 1, 12)


def week_totals_of(school: str) -> list[tuple]:
	return frappe.db.sql(
		"""select week_starting, term, possible_sessions, sessions_attended, children
		from `tabAttendance Week Total` where school = %s order by week_starting""",
		school,
	)


def chart_from_records(filters: dict, caseworker_user: str | None = None) -> dict | None:
	"""The chart as the report computed it before the week totals: the weekly records grouped by week."""
	conditions, values = ["academic_year = %(academic_year)s"], {"academic_year": filters["academic_year"]}
	for field in ("term", "school"):
		if filters.get(field):
			conditions.append(f"{field} = %({field})s")
			values[field] = filters[field]
	if filters.get("cohort"):
		conditions.append("child in (select name from tabChild where cohort = %(cohort)s)")
		values["cohort"] = filters["cohort"]
	if caseworker_user:
		conditions.append("child in (select name from tabChild where caseworker = %(caseworker)s)")
		values["caseworker"] = caseworker_user
	weeks = frappe.db.sql(
		f"""select week_starting, sum(possible_sessions), sum(sessions_attended) from `tabAttendance Record`
		where {" and ".join(conditions)} group by week_starting order by week_starting""",
		values,
	)
	if not weeks:
		return None
	return {
		"labels": [formatdate(week, "dd MMM") for week, _possible, _attended in weeks],
		"values": [
			rules.attendance_percent(int(possible or 0), int(attended or 0)) or 0
			for _week, possible, attended in weeks
		],
	}


def chart_of(filters: dict) -> dict | None:
	chart = execute(dict(filters))[3]
	if not chart:
		return None
	return {"labels": chart["data"]["labels"], "values": chart["data"]["datasets"][0]["values"]}


class TestAttendanceWeekTotals(AttendanceTestCase):
	def new_record(self, child, school, week, possible=10, attended=10):
		return frappe.get_doc(
			{
				"doctype": "Attendance Record",
				"child": child.name,
				"school": school,
				"week_starting": week,
				"possible_sessions": possible,
				"sessions_attended": attended,
				"authorised_absence": possible - attended,
			}
		).insert()

	def test_import_creates_then_updates(self):
		self.import_file(
			csv_of(*(row(child, week, 10, 9) for child in (self.ours, self.second) for week in WEEKS))
		)
		self.assertEqual(week_totals_of(self.school), tuple((week, "Autumn", 20, 18, 2) for week in WEEKS))
		assert_totals_match_records(self)
		result = self.import_file(csv_of(row(self.ours, WEEKS[0], 10, 5), row(self.second, WEEKS[2], 8, 8)))
		self.assertEqual(result["counts"]["update"], 2)
		self.assertEqual(
			week_totals_of(self.school),
			(
				(WEEKS[0], "Autumn", 20, 14, 2),
				(WEEKS[1], "Autumn", 20, 18, 2),
				(WEEKS[2], "Autumn", 18, 17, 2),
			),
		)
		assert_totals_match_records(self)

	def test_a_save_that_moves_a_record_rewrites_the_old_and_new_weeks(self):
		make_placement(self.ours.name, self.other_school, date(2025, 9, 1), basis="Part time")
		doc = self.new_record(self.ours, self.school, WEEKS[0], 10, 8)
		self.new_record(self.second, self.school, WEEKS[0], 10, 10)
		self.assertEqual(week_totals_of(self.school), ((WEEKS[0], "Autumn", 20, 18, 2),))

		doc.week_starting = WEEKS[1]  # another week
		doc.save()
		self.assertEqual(
			week_totals_of(self.school),
			((WEEKS[0], "Autumn", 10, 10, 1), (WEEKS[1], "Autumn", 10, 8, 1)),
		)
		assert_totals_match_records(self)

		doc.school = self.other_school  # another school (the child is dual registered there)
		doc.save()
		self.assertEqual(week_totals_of(self.school), ((WEEKS[0], "Autumn", 10, 10, 1),))
		self.assertEqual(week_totals_of(self.other_school), ((WEEKS[1], "Autumn", 10, 8, 1),))
		assert_totals_match_records(self)

		doc.week_starting = SPRING_WEEK  # another term
		doc.save()
		self.assertEqual(week_totals_of(self.other_school), ((SPRING_WEEK, "Spring", 10, 8, 1),))
		assert_totals_match_records(self)

		doc.delete()
		self.assertEqual(week_totals_of(self.other_school), ())
		self.assertEqual(week_totals_of(self.school), ((WEEKS[0], "Autumn", 10, 10, 1),))
		assert_totals_match_records(self)

	def test_a_save_that_moves_a_record_to_another_child(self):
		doc = self.new_record(self.ours, self.school, WEEKS[0], 10, 8)
		doc.child = self.second.name
		doc.save()
		self.assertEqual(week_totals_of(self.school), ((WEEKS[0], "Autumn", 10, 8, 1),))
		assert_totals_match_records(self)

	def test_rebuild_and_migrate_build_the_week_totals(self):
		self.import_file(
			csv_of(*(row(child, week, 10, 9) for child in (self.ours, self.second) for week in WEEKS))
		)
		self.import_file(csv_of(row(self.theirs, WEEKS[1], 10, 4)), school=self.other_school)
		expected, term_totals = as_set(WEEK_TOTALS), frappe.db.count("Attendance Term Total")
		self.assertTrue(expected)

		frappe.db.sql("delete from `tabAttendance Week Total`")  # a site upgraded from the term totals
		self.assertTrue(attendance.ensure_attendance_totals())
		self.assertEqual(as_set(WEEK_TOTALS), expected)
		self.assertEqual(frappe.db.count("Attendance Term Total"), term_totals)
		self.assertFalse(attendance.ensure_attendance_totals())  # not empty: left alone

		frappe.db.sql(
			"update `tabAttendance Week Total` set possible_sessions = 0 where academic_year = %s", YEAR
		)
		attendance.rebuild_attendance_totals([YEAR])
		self.assertEqual(as_set(WEEK_TOTALS), expected)
		attendance.rebuild_attendance_totals()
		self.assertEqual(as_set(WEEK_TOTALS), expected)
		assert_totals_match_records(self)

	def test_the_bulk_generator_builds_the_week_totals(self):
		with self.freeze_time(mid_autumn(), tick=True):  # weeks so far to generate: none on 1 September
			bulk_data.generate(fraction=0.001, commit=False)
		generated = frappe.db.sql(
			"""select count(*) from `tabAttendance Week Total` w
			where exists (select 1 from `tabAttendance Record` a join tabChild c on c.name = a.child
				where a.school = w.school and a.week_starting = w.week_starting and c.social_care_id like 'NAT-%%')"""
		)[0][0]
		self.assertGreater(generated, 0)
		self.assertEqual(as_set(WEEK_TOTALS), as_set(WEEK_RECORDS))


class TestAttendanceOverviewChart(AttendanceTestCase):
	def setUp(self):
		super().setUp()
		make_placement(self.ours.name, self.other_school, date(2025, 9, 1), basis="Part time")
		self.import_file(
			csv_of(
				*(row(self.ours, week, 10, 9) for week in WEEKS),
				*(row(self.second, week, 10, 6, 2, 2) for week in WEEKS[:2]),
				row(self.ours, SPRING_WEEK, 8, 8),
			)
		)
		self.import_file(
			csv_of(row(self.theirs, WEEKS[1], 10, 3), row(self.ours, WEEKS[2], 2, 1)),
			school=self.other_school,
		)

	def filter_sets(self) -> list[dict]:
		return [
			{},
			{"term": "Autumn"},
			{"term": "Spring"},
			{"school": self.school},
			{"school": self.other_school, "term": "Autumn"},
			{"term": "Summer"},  # no weeks: no chart
			{"cohort": "Looked After"},  # narrowed to children: the weekly records
			{"cohort": "Looked After", "school": self.school, "term": "Autumn"},
		]

	def test_the_chart_equals_the_records_grouped_by_week(self):
		for filters in self.filter_sets():
			filters = {"academic_year": YEAR, **filters}
			with self.subTest(filters=filters):
				self.assertEqual(chart_of(filters), chart_from_records(filters))
		self.assertEqual(
			chart_of({"academic_year": YEAR, "school": self.school})["values"], [75.0, 75.0, 90.0, 100.0]
		)

	def test_everyones_chart_reads_the_week_totals_a_caseworkers_the_records(self):
		filters = {"academic_year": YEAR, "term": "Autumn"}
		before = chart_of(filters)
		frappe.set_user(caseworker(1))
		try:
			caseload_chart = chart_of(filters)
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(caseload_chart, chart_from_records(filters, caseworker_user=caseworker(1)))

		# the week totals are the chart's source for everyone's records, and never for a caseload
		frappe.db.sql("update `tabAttendance Week Total` set sessions_attended = 0")
		self.assertNotEqual(chart_of(filters), before)
		cohort = {**filters, "cohort": "Looked After"}
		self.assertEqual(chart_of(cohort), chart_from_records(cohort))
		frappe.set_user(caseworker(1))
		try:
			self.assertEqual(chart_of(filters), caseload_chart)
		finally:
			frappe.set_user("Administrator")


class TestWeekTotalPermissions(AttendanceTestCase):
	def test_only_roles_that_see_every_child_read_them(self):
		self.import_file(csv_of(row(self.ours, WEEKS[0]), row(self.second, WEEKS[0])))
		name = frappe.db.get_value("Attendance Week Total", {"school": self.school}, "name")
		self.assertTrue(name)
		for user in (head(), manager()):
			frappe.set_user(user)
			try:
				self.assertIn(name, frappe.get_list("Attendance Week Total", pluck="name"))
				self.assertEqual(frappe.get_doc("Attendance Week Total", name).children, 2)
			finally:
				frappe.set_user("Administrator")
		for user in (caseworker(1), finance()):
			frappe.set_user(user)
			try:
				with self.assertRaises(frappe.PermissionError):
					frappe.get_list("Attendance Week Total")
				self.assertFalse(frappe.has_permission("Attendance Week Total", "read", name))
			finally:
				frappe.set_user("Administrator")

	def test_nobody_writes_them_through_the_desk(self):
		frappe.set_user(head())
		try:
			with self.assertRaises(frappe.PermissionError):
				frappe.get_doc(
					{
						"doctype": "Attendance Week Total",
						"academic_year": YEAR,
						"week_starting": WEEKS[0],
						"school": self.school,
						"possible_sessions": 10,
					}
				).insert()
		finally:
			frappe.set_user("Administrator")
		for perm in frappe.get_meta("Attendance Week Total").permissions:
			self.assertFalse(perm.create or perm.write or perm.delete, perm.role)

	def test_hooks_keep_a_caseload_out_even_with_a_role_permission(self):
		self.assertEqual(all_children_query_conditions(caseworker(1)), "1 = 0")
		self.assertFalse(all_children_has_permission(None, "read", caseworker(1)))
		self.assertEqual(all_children_query_conditions(head()), "")
		self.assertTrue(all_children_has_permission(None, "read", manager()))


CONCURRENT_YEAR = "2098-99"  # no other data: the weeks written here are new to both totals tables
CONCURRENT_SCHOOLS = ("992191", "992192")  # adjacent: their keys share the totals' index gaps


def plan_of(writer: int, school: str, week: date) -> dict:
	"""A plan of five new weeks at ``school`` for children no other writer has (adjacent names)."""
	rows = []
	for number in range(5):
		child = f"WTC-{writer}{week:%m%d}{number}"
		counts = rules.SessionCounts(10, 10 - number % 3, number % 3, 0, 0)
		rows.append(
			{
				"row": number + 2,
				"name": attendance.record_name(child, school, week),
				"child": child,
				"child_name": child,
				"upn": None,
				"cohort": "Looked After",
				"school": school,
				"school_name": school,
				"week_starting": week,
				"academic_year": CONCURRENT_YEAR,
				"term": "Autumn",
				"session_codes": None,
				"attendance_percent": rules.attendance_percent(counts.possible, counts.attended),
				**{field: getattr(counts, key) for key, field in attendance.COUNT_FIELDS.items()},
			}
		)
	return {"create": rows, "update": [], "unchanged": [], "rejected": []}


class TestConcurrentWrites(VirtualSchoolTestCase):
	"""Two uploads (``apply_plan``, each from its own connection) write a new week at the same moment and
	update the totals only once both have written their records: both commit, and the totals equal the
	records. Rewriting a school's week from its records would wait for the other upload's unsaved records
	there while it waits for this one; deleting the totals by range would lock the index gaps the other
	school inserts into: either way one of the two would die in a deadlock."""

	def setUp(self):
		super().setUp()
		for school in CONCURRENT_SCHOOLS:
			make_school(school, f"Concurrent Attendance {school}")
		frappe.db.commit()  # the other connections lock and read the schools

	def tearDown(self):
		frappe.db.rollback()
		for doctype in ("Attendance Record", "Attendance Term Total", "Attendance Week Total"):
			frappe.db.delete(doctype, {"academic_year": CONCURRENT_YEAR})
		frappe.db.delete("School", {"name": ["in", CONCURRENT_SCHOOLS]})
		frappe.db.commit()
		super().tearDown()

	def upload_at_once(self, schools: tuple[str, str], week: date) -> list:
		"""Both uploads write their records, then meet before updating the totals (``run_meeting_at``)."""
		return run_meeting_at(
			attendance,
			"refresh_totals",
			*(
				lambda writer=writer, school=school: attendance.apply_plan(
					plan_of(writer, school, week), "Portal upload"
				)["counts"]["create"]
				for writer, school in enumerate(schools)
			),
		)

	def test_two_schools_uploading_a_new_week_at_once(self):
		weeks = [date(2098, 9, 8) + timedelta(weeks=number) for number in range(5)]
		for week in weeks:  # the first weeks' children are new to the totals: their gaps are shared
			self.assertEqual(self.upload_at_once(CONCURRENT_SCHOOLS, week), [5, 5])
		self.assertEqual(
			frappe.db.sql(
				"""select school, count(*), sum(children) from `tabAttendance Week Total`
				where academic_year = %s group by school order by school""",
				CONCURRENT_YEAR,
			),
			((CONCURRENT_SCHOOLS[0], 5, 25), (CONCURRENT_SCHOOLS[1], 5, 25)),
		)
		assert_totals_match_records(self)

	def test_two_uploads_of_one_schools_week_at_once(self):
		school = CONCURRENT_SCHOOLS[0]
		self.assertEqual(self.upload_at_once((school, school), date(2098, 9, 8)), [5, 5])
		self.assertEqual(week_totals_of(school), ((date(2098, 9, 8), "Autumn", 100, 92, 10),))
		assert_totals_match_records(self)
