"""The maintained attendance totals (Attendance Term Total, and Attendance Week Total with them) equal the
weekly records summed, after every write path: desk insert, update and delete, a file import (new and
changed weeks), a portal upload, and the site-wide rebuild a migrate runs. (The bulk generator is checked in
test_benchmark; the week totals' own cases in test_attendance_week_totals.)"""

import frappe

from virtual_school.attendance import services as attendance
from virtual_school.tests.test_attendance import WEEKS, YEAR, AttendanceTestCase, csv_of, row

RECORDS = """select academic_year, term, child, school, sum(possible_sessions), sum(sessions_attended),
	sum(authorised_absence), sum(unauthorised_absence), sum(suspension_sessions), count(*)
	from `tabAttendance Record` group by academic_year, term, child, school"""
TOTALS = """select academic_year, term, child, school, possible_sessions, sessions_attended,
	authorised_absence, unauthorised_absence, suspension_sessions, weeks from `tabAttendance Term Total`"""


WEEK_RECORDS = """select academic_year, term, week_starting, school, sum(possible_sessions),
	sum(sessions_attended), sum(authorised_absence), sum(unauthorised_absence), sum(suspension_sessions),
	count(*) from `tabAttendance Record` group by academic_year, term, week_starting, school"""
WEEK_TOTALS = """select academic_year, term, week_starting, school, possible_sessions, sessions_attended,
	authorised_absence, unauthorised_absence, suspension_sessions, children from `tabAttendance Week Total`"""


def as_set(sql: str) -> set[tuple]:
	return {tuple(int(value) if i >= 4 else value for i, value in enumerate(r)) for r in frappe.db.sql(sql)}


def assert_totals_match_records(test) -> None:
	"""Both maintained totals (per term and child, per week and school) equal the records grouped."""
	test.assertEqual(as_set(TOTALS), as_set(RECORDS))
	test.assertEqual(as_set(WEEK_TOTALS), as_set(WEEK_RECORDS))


class TestAttendanceTotals(AttendanceTestCase):
	def totals_of(self, child) -> list[tuple]:
		return frappe.db.sql(
			"""select term, school, possible_sessions, sessions_attended, weeks
			from `tabAttendance Term Total` where child = %s order by school""",
			child.name,
		)

	def test_desk_insert_update_and_delete(self):
		doc = frappe.get_doc(
			{
				"doctype": "Attendance Record",
				"child": self.ours.name,
				"school": self.school,
				"week_starting": WEEKS[0],
				"possible_sessions": 10,
				"sessions_attended": 7,
				"authorised_absence": 2,
				"unauthorised_absence": 1,
			}
		).insert()
		self.assertEqual(self.totals_of(self.ours), (("Autumn", self.school, 10, 7, 1),))
		assert_totals_match_records(self)

		second = frappe.get_doc(
			{
				"doctype": "Attendance Record",
				"child": self.ours.name,
				"school": self.school,
				"week_starting": WEEKS[1],
				"possible_sessions": 8,
				"sessions_attended": 8,
			}
		).insert()
		doc.sessions_attended, doc.authorised_absence = 9, 1
		doc.unauthorised_absence = 0
		doc.save()
		self.assertEqual(self.totals_of(self.ours), (("Autumn", self.school, 18, 17, 2),))
		assert_totals_match_records(self)

		second.delete()
		self.assertEqual(self.totals_of(self.ours), (("Autumn", self.school, 10, 9, 1),))
		doc.delete()
		self.assertEqual(self.totals_of(self.ours), ())
		assert_totals_match_records(self)

	def test_import_creates_then_updates(self):
		self.import_file(
			csv_of(*(row(child, week, 10, 9) for child in (self.ours, self.second) for week in WEEKS))
		)
		self.assertEqual(self.totals_of(self.ours), (("Autumn", self.school, 30, 27, 3),))
		assert_totals_match_records(self)
		result = self.import_file(
			csv_of(
				row(self.ours, WEEKS[0], 10, 5), row(self.second, WEEKS[2], 10, 10), row(self.ours, WEEKS[1])
			)
		)
		self.assertEqual(result["counts"]["update"], 3)
		self.assertEqual(self.totals_of(self.ours), (("Autumn", self.school, 30, 24, 3),))
		assert_totals_match_records(self)

	def test_portal_upload(self):
		frappe.get_doc(
			{
				"doctype": "School Contact",
				"school": self.school,
				"full_name": "att.own@school.test",
				"user": "att.own@school.test",
				"email": "att.own@school.test",
			}
		).insert()
		frappe.set_user("att.own@school.test")
		try:
			attendance.portal_upload(csv_of(row(self.ours, WEEKS[0], 10, 8)).decode(), self.school, YEAR, 1)
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(self.totals_of(self.ours), (("Autumn", self.school, 10, 8, 1),))
		assert_totals_match_records(self)

	def test_migrate_builds_missing_totals_and_rebuild_is_idempotent(self):
		self.import_file(csv_of(*(row(self.ours, week, 10, 9) for week in WEEKS)))
		expected = as_set(TOTALS)
		frappe.db.sql("delete from `tabAttendance Term Total`")
		self.assertTrue(attendance.ensure_attendance_totals())
		self.assertEqual(as_set(TOTALS), expected)
		self.assertFalse(attendance.ensure_attendance_totals())  # not empty: left alone
		attendance.rebuild_attendance_totals([YEAR])
		self.assertEqual(as_set(TOTALS), expected)
		assert_totals_match_records(self)

	def test_caseworker_sees_only_their_caseloads_totals(self):
		from virtual_school.tests.utils import caseworker

		self.import_file(csv_of(*(row(child, WEEKS[0]) for child in (self.ours, self.second))))
		frappe.set_user(caseworker(1))
		try:
			children = frappe.get_list("Attendance Term Total", pluck="child")
		finally:
			frappe.set_user("Administrator")
		self.assertIn(self.ours.name, children)
		self.assertNotIn(self.second.name, children)
