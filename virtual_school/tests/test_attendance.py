"""Weekly attendance: desk entry, file import (desk and portal, one path), the daily flags, the reports,
the Child panel and the PEP's attendance figure."""

from datetime import date, timedelta

import frappe
from frappe.desk.query_report import run as run_report
from frappe.tests.utils import change_settings

from virtual_school.attendance import services as attendance
from virtual_school.calendar.clocks import clear_calendar_cache
from virtual_school.domain import school_days
from virtual_school.setup.roles import SCHOOL_PORTAL_USER
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	make_child,
	make_placement,
	make_school,
	make_school_calendar,
	make_school_contact,
	make_user,
)

YEAR = "2025-26"  # a past year: weeks must have begun; its calendar is made here if the site lacks it
WEEKS = [date(2025, 11, 3), date(2025, 11, 10), date(2025, 11, 17)]
FRIDAY_AFTER = date(2025, 11, 21)
HEADER = "UPN,Week Starting,Possible Sessions,Sessions Attended,Authorised Absence,Unauthorised Absence"


def csv_of(*rows: str) -> bytes:
	return ("\n".join((HEADER, *rows)) + "\n").encode()


def row(child, week: date, possible=10, attended=10, authorised=None, unauthorised=None) -> str:
	missed = possible - attended
	authorised = missed if authorised is None else authorised
	unauthorised = possible - attended - authorised if unauthorised is None else unauthorised
	return f"{child.upn},{week:%d/%m/%Y},{possible},{attended},{authorised},{unauthorised}"


class AttendanceTestCase(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		for email in ("att.own@school.test", "att.other@school.test"):
			make_user(email, SCHOOL_PORTAL_USER, website_user=True)

	def setUp(self):
		super().setUp()
		make_school_calendar(YEAR, school_days.standard_term_pattern(YEAR))
		self.school = make_school("992101", "Attendance Own Primary")
		self.other_school = make_school("992102", "Attendance Other Primary")
		self.ours = make_child("Ada", upn=_upn(1), caseworker=caseworker(1))
		self.second = make_child("Ben", upn=_upn(2), caseworker=caseworker(2))
		self.theirs = make_child("Cal", upn=_upn(3))
		for child, school in (
			(self.ours, self.school),
			(self.second, self.school),
			(self.theirs, self.other_school),
		):
			make_placement(child.name, school, date(2025, 9, 1))
		clear_calendar_cache()

	def import_file(self, content: bytes, school=None, confirm=True):
		plan = attendance.plan_import(content, YEAR, school or self.school)
		return attendance.apply_plan(plan, "Desk import") if confirm else attendance.summary_of(plan)

	def records(self, child) -> list:
		return frappe.get_all(
			"Attendance Record",
			filters={"child": child.name},
			fields=[
				"week_starting",
				"possible_sessions",
				"sessions_attended",
				"term",
				"academic_year",
				"source",
			],
			order_by="week_starting",
		)


def _upn(number: int) -> str:
	from virtual_school.domain.upn import check_letter

	body = f"88620250{number:04d}"
	return check_letter(body) + body


class TestDeskEntry(AttendanceTestCase):
	def new_record(self, **values):
		return frappe.get_doc(
			{
				"doctype": "Attendance Record",
				"child": self.ours.name,
				"school": self.school,
				"week_starting": WEEKS[0],
				**values,
			}
		)

	def test_codes_fill_the_counts_and_the_derived_fields(self):
		doc = self.new_record(session_codes="/\\ /\\ I I /\\ N E").insert()
		self.assertEqual(
			(doc.possible_sessions, doc.sessions_attended, doc.authorised_absence, doc.unauthorised_absence),
			(10, 6, 3, 1),
		)
		self.assertEqual(doc.suspension_sessions, 1)
		self.assertEqual((doc.academic_year, doc.term, doc.attendance_percent), (YEAR, "Autumn", 60.0))
		self.assertEqual(doc.name, f"ATT-{self.ours.name}-{self.school}-2025-11-03")

	def test_impossible_weeks_are_refused(self):
		for values, message in (
			(
				{"possible_sessions": 10, "sessions_attended": 8, "authorised_absence": 1},
				"not the 10 possible",
			),
			({"possible_sessions": 10, "sessions_attended": 11}, "more than the possible"),
			(
				{
					"week_starting": WEEKS[0] + timedelta(days=1),
					"possible_sessions": 0,
					"sessions_attended": 0,
				},
				"Monday",
			),
			(
				{"school": self.other_school, "possible_sessions": 0, "sessions_attended": 0},
				"not on the roll",
			),
			({"session_codes": "/ H"}, "not a DfE attendance code"),
		):
			with self.subTest(values=values), self.assertRaisesRegex(frappe.ValidationError, message):
				self.new_record(**values).insert()

	def test_one_record_per_child_school_and_week(self):
		self.new_record(possible_sessions=10, sessions_attended=10).insert()
		with self.assertRaises(frappe.DuplicateEntryError):
			self.new_record(possible_sessions=10, sessions_attended=10).insert()


class TestImport(AttendanceTestCase):
	def test_preview_writes_nothing_then_import_then_reimport_changes_nothing(self):
		content = csv_of(*(row(child, week, 10, 9) for child in (self.ours, self.second) for week in WEEKS))
		preview = self.import_file(content, confirm=False)
		self.assertEqual(preview["counts"], {"create": 6, "update": 0, "unchanged": 0, "rejected": 0})
		self.assertEqual(self.records(self.ours), [])

		result = self.import_file(content)
		self.assertEqual(result["counts"]["create"], 6)
		records = self.records(self.ours)
		self.assertEqual([r.week_starting for r in records], WEEKS)
		self.assertEqual(
			{(r.term, r.academic_year, r.source) for r in records}, {("Autumn", YEAR, "Desk import")}
		)

		again = self.import_file(content)
		self.assertEqual(again["counts"], {"create": 0, "update": 0, "unchanged": 6, "rejected": 0})

	def test_a_changed_week_updates_the_record_with_a_version(self):
		self.import_file(csv_of(row(self.ours, WEEKS[0], 10, 10)))
		result = self.import_file(csv_of(row(self.ours, WEEKS[0], 10, 7)))
		self.assertEqual(result["counts"]["update"], 1)
		name = attendance.record_name(self.ours.name, self.school, WEEKS[0])
		self.assertEqual(frappe.db.get_value("Attendance Record", name, "sessions_attended"), 7)
		self.assertTrue(frappe.db.exists("Version", {"ref_doctype": "Attendance Record", "docname": name}))

	def test_bad_rows_are_reported_and_the_rest_import(self):
		content = csv_of(
			row(self.ours, WEEKS[0]),
			row(self.ours, WEEKS[1], 10, 11, 0, 0),  # attended > possible
			row(self.theirs, WEEKS[0]),  # on another school's roll
			f"{self.second.upn},01/09/2025,10,10,0,0",  # the year's first week
			row(self.second, date(2026, 9, 7)),  # outside the academic year
		)
		result = self.import_file(content)
		self.assertEqual(result["counts"]["create"], 2)
		rejected = {(r["row"], r["column"]) for r in result["rejected"]}
		self.assertEqual(rejected, {(3, "Sessions Attended"), (4, "UPN"), (6, "Week Starting")})
		self.assertEqual(self.records(self.theirs), [])
		reason = next(r["reason"] for r in result["rejected"] if r["row"] == 4)
		self.assertIn("Attendance Own Primary", reason)

	def test_a_file_from_several_schools_by_urn(self):
		content = (
			"URN," + HEADER + "\n"
			f"{self.school},{row(self.ours, WEEKS[0])}\n"
			f"{self.other_school},{row(self.theirs, WEEKS[0])}\n"
		).encode()
		result = attendance.apply_plan(attendance.plan_import(content, YEAR), "Desk import")
		self.assertEqual(result["counts"]["create"], 2)
		self.assertEqual(len(self.records(self.theirs)), 1)

	def test_a_failure_while_writing_leaves_nothing(self):
		content = csv_of(row(self.ours, WEEKS[0]), row(self.ours, WEEKS[1], 10, 5))
		self.import_file(csv_of(row(self.ours, WEEKS[1])))
		plan = attendance.plan_import(content, YEAR, self.school)
		frappe.db.savepoint("before_import")
		original_save = frappe.model.document.Document.save

		def failing_save(doc, *args, **kwargs):
			raise frappe.ValidationError("disk full")

		frappe.model.document.Document.save = failing_save
		try:
			with self.assertRaises(frappe.ValidationError):
				attendance.apply_plan(plan, "Desk import")
		finally:
			frappe.model.document.Document.save = original_save
		frappe.db.rollback(save_point="before_import")
		self.assertEqual([r.week_starting for r in self.records(self.ours)], [WEEKS[1]])

	def test_desk_import_needs_head_or_manager(self):
		frappe.set_user(caseworker(1))
		with self.assertRaises(frappe.PermissionError):
			attendance.preview_file("/private/files/nothing.csv", YEAR, self.school)


class TestPortalUpload(AttendanceTestCase):
	def setUp(self):
		super().setUp()
		for user, school in (
			("att.own@school.test", self.school),
			("att.other@school.test", self.other_school),
		):
			make_school_contact(user, school)

	def test_school_uploads_its_own_pupils_and_is_refused_another_schools(self):
		content = csv_of(row(self.ours, WEEKS[0], 10, 8), row(self.theirs, WEEKS[0])).decode()
		frappe.set_user("att.own@school.test")
		preview = attendance.portal_upload(content, self.school, YEAR, confirm=0)
		self.assertEqual(preview["counts"]["create"], 1)
		self.assertEqual(preview["rejected"][0]["row"], 3)
		self.assertNotIn(self.theirs.full_name, frappe.as_json(preview))
		result = attendance.portal_upload(content, self.school, YEAR, confirm=1)
		self.assertEqual(result["counts"]["create"], 1)
		frappe.set_user("Administrator")
		self.assertEqual([r.source for r in self.records(self.ours)], ["Portal upload"])
		self.assertEqual(self.records(self.theirs), [])

	def test_uploading_for_another_school_is_refused(self):
		frappe.set_user("att.other@school.test")
		with self.assertRaises(frappe.PermissionError):
			attendance.portal_upload(csv_of(row(self.ours, WEEKS[0])).decode(), self.school, YEAR, confirm=1)
		frappe.set_user("Administrator")
		self.assertEqual(self.records(self.ours), [])

	def test_desk_users_cannot_use_the_portal_upload(self):
		frappe.set_user(caseworker(1))
		with self.assertRaises(frappe.PermissionError):
			attendance.portal_upload(csv_of(row(self.ours, WEEKS[0])).decode(), self.school, YEAR)


class TestFlagsReportsAndPanels(AttendanceTestCase):
	def escalations(self, child, prefix: str) -> list[str]:
		return frappe.get_all(
			"Escalation",
			filters={
				"reference_doctype": "Child",
				"reference_name": child.name,
				"trigger_key": ["like", f"{prefix}%"],
			},
			pluck="trigger_key",
		)

	def test_absence_thresholds_open_one_escalation_each(self):
		self.import_file(
			csv_of(
				*(row(self.ours, week, 10, 8) for week in WEEKS),  # 80%: persistent
				*(row(self.second, week, 10, 4) for week in WEEKS),  # 40%: severe
			)
		)
		cwsw = make_child("Dee", upn=_upn(4), cohort="Child with a Social Worker")
		make_placement(cwsw.name, self.school, date(2025, 9, 1))
		self.import_file(csv_of(*(row(cwsw, week, 10, 2) for week in WEEKS)))
		# left care before the flags ran: keeps the stored cohort, but is no longer casework (issue #18)
		left = make_child("Lee", upn=_upn(5), caseworker=caseworker(1))
		make_placement(left.name, self.school, date(2025, 9, 1))
		self.import_file(csv_of(*(row(left, week, 10, 2) for week in WEEKS)))
		frappe.db.set_value("Child", left.name, "date_left_care", FRIDAY_AFTER)

		attendance.flag_attendance_concerns(FRIDAY_AFTER)
		attendance.flag_attendance_concerns(FRIDAY_AFTER)  # idempotent
		self.assertEqual(
			self.escalations(self.ours, "attendance:"),
			[f"attendance:persistent:{YEAR}:Autumn:{self.ours.name}"],
		)
		self.assertEqual(
			self.escalations(self.second, "attendance:"),
			[f"attendance:severe:{YEAR}:Autumn:{self.second.name}"],
		)
		self.assertEqual(self.escalations(cwsw, "attendance:"), [])  # strategic cohort: reports only
		self.assertEqual(self.escalations(left, "attendance:"), [])
		escalation = frappe.get_doc(
			"Escalation", {"trigger_key": f"attendance:persistent:{YEAR}:Autumn:{self.ours.name}"}
		)
		self.assertIn("80.0%", escalation.reason)
		self.assertEqual(escalation.escalation_owner, caseworker(1))

	@change_settings("Virtual School Settings", {"attendance_missing_school_days": 10})
	def test_a_child_with_no_attendance_from_a_school_that_sends_it_is_flagged_once(self):
		self.import_file(
			csv_of(row(self.ours, date(2025, 10, 6)), *(row(self.second, week) for week in WEEKS))
		)
		missing = attendance.children_without_recent_attendance(FRIDAY_AFTER)
		found = {r.child: r for r in missing}
		self.assertIn(self.ours.name, found)
		self.assertNotIn(self.second.name, found)
		self.assertNotIn(self.theirs.name, found)  # their school sends no attendance at all
		self.assertEqual(found[self.ours.name].covered_to, date(2025, 10, 10))
		self.assertGreaterEqual(found[self.ours.name].school_days_without, 10)

		attendance.flag_attendance_concerns(FRIDAY_AFTER)
		attendance.flag_attendance_concerns(FRIDAY_AFTER)
		self.assertEqual(len(self.escalations(self.ours, "missing:")), 1)
		self.assertEqual(self.escalations(self.second, "missing:"), [])

		with change_settings("Virtual School Settings", {"attendance_missing_school_days": 0}):
			self.assertEqual(attendance.children_without_recent_attendance(FRIDAY_AFTER), [])

	def test_attendance_overview_figures_and_caseload(self):
		self.import_file(
			csv_of(
				*(row(self.ours, week, 10, 9) for week in WEEKS),  # 90%: persistent (exactly 10% missed)
				*(row(self.second, week, 10, 10) for week in WEEKS),
			)
		)
		filters = {"academic_year": YEAR, "term": "Autumn", "group_by": "School", "school": self.school}
		result = run_report("Attendance Overview", filters=filters, ignore_prepared_report=True)
		rows = [r for r in result["result"] if isinstance(r, dict)]
		self.assertEqual(len(rows), 1)
		figures = rows[0]
		self.assertEqual(
			(figures["children"], figures["possible"], figures["persistent"], figures["severe"]),
			(2, 60, 1, 0),
		)
		self.assertEqual(figures["attendance_percent"], 95.0)
		self.assertEqual(figures["persistent_percent"], 50.0)
		self.assertEqual(len(result["chart"]["data"]["labels"]), 3)

		frappe.set_user(caseworker(1))
		result = run_report("Attendance Overview", filters=filters, ignore_prepared_report=True)
		rows = [r for r in result["result"] if isinstance(r, dict)]
		self.assertEqual((rows[0]["children"], rows[0]["attendance_percent"]), (1, 90.0))

	def test_child_panel_and_pep_prefill(self):
		self.import_file(csv_of(*(row(self.ours, week, 10, 9) for week in WEEKS)))
		self.assertEqual(attendance.attendance_for_pep(self.ours.name, YEAR, "Autumn"), 90.0)
		pep = frappe.get_doc(
			{
				"doctype": "Personal Education Plan",
				"child": self.ours.name,
				"academic_year": YEAR,
				"term": "Autumn",
				"meeting_date": FRIDAY_AFTER,
			}
		).insert(ignore_permissions=True)
		self.assertEqual(pep.attendance_percent, 90.0)

		panel = attendance.child_attendance(self.ours.name, YEAR)
		self.assertEqual(
			[(t["label"], t["percent"], t["band"]) for t in panel["terms"]],
			[("Autumn", 90.0, "Persistent absence")],
		)
		self.assertEqual(panel["last_week"]["week_starting"], WEEKS[-1])

		frappe.set_user(caseworker(2))
		with self.assertRaises(frappe.PermissionError):
			attendance.child_attendance(self.ours.name)
