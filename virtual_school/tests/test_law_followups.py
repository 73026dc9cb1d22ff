"""Issue #18's follow-ups and #21's "without a school place", on a site, as the role who acts.

- Letters follow the child's cohort on the day they are written (#18 item 1): a caseworker's admission request
  for a previously looked-after child or a child who returned home never calls them looked after, and the
  direction letters are refused for a child who left care.
- "Looked after" in reports is looked after on the report's day (#18 item 2): Cohort Overview, Children Without
  a School Place, Attendance Overview, the portal's My Pupils and the annual report's school moves.
- One "without a school place" (#21): the workspace card, the report and the annual report agree, and days count
  from the child's Reception year.
- The reg 10 facts a request held the old way move to a Care Placement Move (patch, #18 item 6).
- The School's stored direction route follows the academies' commencement date on the day (#18 item 3).

Dates are in 2030-31 (the test calendar below), worked out by hand.
"""

import io
from datetime import date

import docx
import frappe
from frappe.desk.query_report import run as run_report
from frappe.tests.utils import change_settings

from virtual_school.admissions import without_a_place
from virtual_school.admissions.place_requests import generate_letter
from virtual_school.admissions.routes import refresh_school_routes_when_commenced
from virtual_school.calendar.clocks import clear_calendar_cache
from virtual_school.children.placements import refresh_current_school
from virtual_school.children.vocabulary import LEFT_CARE, LOOKED_AFTER, PREVIOUSLY_LOOKED_AFTER
from virtual_school.patches.reg10_facts_to_care_placement_moves import move_request_reg10_facts
from virtual_school.portal import pages
from virtual_school.reports.annual_report import gather_figures
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	head,
	make_child,
	make_placement,
	make_school,
	make_school_calendar,
	manager,
)
from virtual_school.virtual_school.report.children_without_a_school_place import (
	children_without_a_school_place,
)

YEAR = "2030-31"
TERMS = [
	{"term_name": "Autumn 1", "start_date": date(2030, 9, 2), "end_date": date(2030, 10, 25)},
	{"term_name": "Autumn 2", "start_date": date(2030, 11, 4), "end_date": date(2030, 12, 20)},
	{"term_name": "Spring 1", "start_date": date(2031, 1, 6), "end_date": date(2031, 2, 14)},
]
TODAY = "2030-10-15"  # a Tuesday in Autumn 1
COUNCIL = "886"
SETTINGS = {
	"la": COUNCIL,
	"academy_direction_commenced_on": None,
	"special_academy_direction_commenced_on": None,
	"authority_name": "Testshire County Council",
	"letter_signatory": "Helen Hart",
	"reply_address": "County Hall\nMaidstone\nME14 1XQ",
	"reply_email": "virtual.school@testshire.example",
	"reply_telephone": "03000 111222",
}


class LawTestCase(VirtualSchoolTestCase):
	def setUp(self):
		super().setUp()
		make_school_calendar(YEAR, TERMS)
		clear_calendar_cache()
		self.enterContext(change_settings("Virtual School Settings", SETTINGS))
		self.worker = caseworker(1)


class TestLettersFollowTheCohort(LawTestCase):
	def setUp(self):
		super().setUp()
		self.school = make_school("990801", "Brook Community Primary")
		self.aided = make_school(
			"990802", "St Anne's Aided Primary", establishment_type="Voluntary aided school"
		)

	def request(self, child, school, **values):
		return frappe.get_doc(
			{
				"doctype": "School Place Request",
				"child": child.name,
				"date_needed": date(2030, 9, 2),
				"reason": "Entered care",
				"approaches": [
					{
						"school": school,
						"date_asked": date(2030, 9, 2),
						"response": "Refused",
						"response_date": date(2030, 9, 4),
						"refusal_reason": "Year group full",
					}
				],
				**values,
			}
		).insert()

	def letter(self, request, kind) -> str:
		frappe.set_user(self.worker)
		try:
			result = generate_letter(request.name, kind)
		finally:
			frappe.set_user("Administrator")
		content = frappe.get_doc("File", result["file"]).get_content()
		document = docx.Document(io.BytesIO(content))
		texts = [paragraph.text for paragraph in document.paragraphs]
		texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
		section = document.sections[0]
		texts += [paragraph.text for paragraph in section.first_page_footer.paragraphs]
		return "\n".join(texts)

	def test_the_admission_request_names_each_cohort_as_it_is_on_the_day(self):
		with self.freeze_time(TODAY):
			looked_after = make_child("Ada", caseworker=self.worker, date_of_birth=date(2021, 4, 2))
			adopted = make_child(
				"Ben",
				caseworker=self.worker,
				date_of_birth=date(2021, 4, 3),
				cohort=PREVIOUSLY_LOOKED_AFTER,
				date_entered_care=date(2027, 1, 4),
				date_left_care=date(2029, 6, 1),
			)
			home = make_child(  # returned home (E4A): the Looked After cohort stays, with the leaving date
				"Cal", caseworker=self.worker, date_of_birth=date(2021, 4, 4), date_left_care=date(2030, 7, 1)
			)
			social_worker = make_child(
				"Dee",
				caseworker=self.worker,
				date_of_birth=date(2021, 4, 5),
				cohort="Child with a Social Worker",
				date_entered_care=None,
			)
			texts = {
				child.first_name: self.letter(self.request(child, self.school), "admission_request")
				for child in (looked_after, adopted, home, social_worker)
			}
		self.assertIn("A.", texts["Ada"])
		self.assertIn("a child looked after by Testshire County Council", texts["Ada"])
		self.assertIn("corporate parent", texts["Ada"])
		self.assertIn("a previously looked-after child", texts["Ben"])
		self.assertIn("the same highest priority", texts["Ben"])
		self.assertIn("a child who has left the care of Testshire County Council", texts["Cal"])
		self.assertIn("a child with a social worker", texts["Dee"])
		for name in ("Ben", "Cal", "Dee"):
			with self.subTest(name):
				self.assertNotIn("looked after by", texts[name])
				self.assertNotIn("corporate parent", texts[name])
				self.assertNotIn("section 97A", texts[name])
				self.assertNotIn("about a looked-after child", texts[name])
				self.assertIn("Fair Access Protocol", texts[name])

	def test_a_direction_letter_is_refused_for_a_child_who_left_care(self):
		with self.freeze_time(TODAY):
			home = make_child(
				"Eve", caseworker=self.worker, date_of_birth=date(2021, 4, 6), date_left_care=date(2030, 7, 1)
			)
			request = self.request(home, self.aided)
			frappe.db.set_value(
				"School Place Request",
				request.name,
				{"refusing_school": self.aided, "direction_consulted_on": date(2030, 10, 14)},
				update_modified=False,
			)
			with self.assertRaisesRegex(
				frappe.ValidationError, "only for a child looked after by the council"
			):
				self.letter(frappe.get_doc("School Place Request", request.name), "direction_notice")

	def test_a_child_who_left_care_cannot_be_directed(self):
		with self.freeze_time(TODAY):
			home = make_child(
				"Fay", caseworker=self.worker, date_of_birth=date(2021, 4, 7), date_left_care=date(2030, 7, 1)
			)
			request = self.request(home, self.aided, refusing_school=self.aided)
			self.assertEqual(
				(request.admission_route, request.direction_possible),
				("In-year application / Fair Access Protocol", 0),
			)
			frappe.set_user(manager())
			request = frappe.get_doc("School Place Request", request.name)
			request.direction_consulted_on = date(2030, 10, 15)
			with self.assertRaisesRegex(frappe.ValidationError, "no longer looked after by this council"):
				request.save()


class TestWithoutASchoolPlace(LawTestCase):
	"""A Reception child, a child not yet of school age, a child who left care and a child with a place."""

	def setUp(self):
		super().setUp()
		self.enterContext(self.freeze_time(TODAY))
		self.school = make_school("990811", "Oak Community Primary")
		# Reception in 2030-31 (4 on 31 August 2030), in care since a toddler: days from 1 September 2030
		self.reception = make_child(
			"Rita",
			caseworker=self.worker,
			date_of_birth=date(2026, 3, 1),
			date_entered_care=date(2028, 1, 10),
		)
		# 3 on 31 August 2030: early years, no place expected
		self.toddler = make_child("Tom", caseworker=self.worker, date_of_birth=date(2027, 1, 1))
		# Year 5, returned home on 20 September 2030: no longer looked after
		self.left = make_child(
			"Lee", caseworker=self.worker, date_of_birth=date(2020, 5, 1), date_left_care=date(2030, 9, 20)
		)
		# Year 3, on roll
		self.placed = make_child("Pat", caseworker=self.worker, date_of_birth=date(2022, 5, 1))
		make_placement(self.placed.name, self.school, date(2029, 9, 1))
		refresh_current_school([self.placed.name])
		self.mine = {self.reception.name, self.toddler.name, self.left.name, self.placed.name}

	def report_rows(self, user, cohort=LOOKED_AFTER) -> dict:
		frappe.set_user(user)
		try:
			result = run_report(
				"Children Without a School Place", filters={"cohort": cohort}, ignore_prepared_report=True
			)
		finally:
			frappe.set_user("Administrator")
		return {row["child"]: row for row in result["result"] if isinstance(row, dict)}

	def card(self, user) -> int:
		frappe.set_user(user)
		try:
			return without_a_place.number_card()["value"]
		finally:
			frappe.set_user("Administrator")

	def test_the_card_the_report_and_the_annual_report_agree(self):
		self.assertEqual(frappe.db.get_value("Child", self.placed.name, "current_school"), self.school)
		rows = self.report_rows(head())
		self.assertEqual(set(rows) & self.mine, {self.reception.name})
		annual = gather_figures(YEAR).children_without_place_now
		self.assertEqual(self.card(head()), len(rows))
		self.assertEqual(annual, len(rows))
		# a caseworker's card and report count the same caseload
		worker_rows = self.report_rows(self.worker)
		self.assertEqual(set(worker_rows), {self.reception.name})
		self.assertEqual(self.card(self.worker), 1)
		self.assertEqual(self.card(caseworker(2)), 0)

	def test_the_reception_childs_days_start_at_school_age(self):
		row = self.report_rows(head())[self.reception.name]
		# 1 September 2030 (a Sunday) to Tuesday 15 October: six weeks of five school days from Monday 2
		# September, and Monday 14 and Tuesday 15 October
		self.assertEqual(row["since"], date(2030, 9, 1))
		self.assertEqual(row["days_without_place"], 32)

	def test_the_child_who_left_care_is_listed_only_without_the_cohort(self):
		self.assertNotIn(self.left.name, self.report_rows(head()))
		self.assertIn(self.left.name, self.report_rows(head(), cohort=""))
		# a cohort that is not one is refused before it reaches SQL (called directly: through run_report a
		# report that throws leaves Frappe's 15-second watcher running, which then marks the report "prepared")
		frappe.set_user(head())
		with self.assertRaises(frappe.ValidationError):
			children_without_a_school_place.execute({"cohort": "Looked After' or '1'='1"})


class TestLookedAfterOnTheDay(LawTestCase):
	"""Reports count a child who left care as looked after only up to the day before they left."""

	def setUp(self):
		super().setUp()
		self.enterContext(self.freeze_time(TODAY))
		self.school = make_school("990821", "Elm Community Primary")
		self.in_care = make_child("Ivy", caseworker=self.worker, date_of_birth=date(2021, 6, 1))
		self.left = make_child(
			"Len",
			caseworker=self.worker,
			date_of_birth=date(2021, 6, 2),
			date_entered_care=date(2028, 1, 3),
			date_left_care=date(2030, 9, 20),
		)
		for child in (self.in_care, self.left):
			make_placement(child.name, self.school, date(2030, 10, 1))  # a school move after Len left care
		refresh_current_school([self.in_care.name, self.left.name])

	def cohort_counts(self) -> dict:
		frappe.set_user(manager())
		try:
			result = run_report("Cohort Overview", filters={}, ignore_prepared_report=True)["result"]
		finally:
			frappe.set_user("Administrator")
		return {row["cohort"]: row["children"] for row in result if isinstance(row, dict)}

	def test_cohort_overview_counts_the_child_who_left_care_apart(self):
		before = self.cohort_counts()
		frappe.db.set_value("Child", self.in_care.name, "date_left_care", date(2030, 10, 1))
		after = self.cohort_counts()
		# Len left care on 20 September: under "Left care", never "Looked After"; Ivy moves across when she leaves
		self.assertGreaterEqual(before.get(LEFT_CARE, 0), 1)
		self.assertEqual(after.get(LOOKED_AFTER, 0), before[LOOKED_AFTER] - 1)
		self.assertEqual(after[LEFT_CARE], before[LEFT_CARE] + 1)

	def test_attendance_overview_cohort_is_looked_after_on_the_day(self):
		from virtual_school.virtual_school.report.attendance_overview.attendance_overview import (
			_children_conditions,
		)

		filters = frappe._dict(cohort=LOOKED_AFTER, academic_year=YEAR)
		conditions, values = _children_conditions(filters)
		sql = " and ".join(conditions)
		found = {row[0] for row in frappe.db.sql(f"select c.name from `tabChild` c where {sql}", values)}
		self.assertIn(self.in_care.name, found)
		self.assertNotIn(self.left.name, found)

	def test_the_portal_lists_only_children_looked_after_today(self):
		self.assertEqual(
			pages.pupil_names([self.school]) & {self.in_care.name, self.left.name}, {self.in_care.name}
		)
		listed = {row["reference"] for row in pages.pupils_at([self.school])}
		self.assertEqual(listed & {self.in_care.name, self.left.name}, {self.in_care.name})

	def test_the_annual_report_counts_school_moves_made_while_looked_after(self):
		moves = gather_figures(YEAR).school_moves
		frappe.db.set_value("Child", self.left.name, "date_left_care", None)  # still in care on 1 October
		self.assertEqual(gather_figures(YEAR).school_moves, moves + 1)


class TestReg10Patch(LawTestCase):
	def test_old_request_facts_become_a_care_placement_move_once(self):
		with self.freeze_time(TODAY):
			child = make_child("Kai", caseworker=self.worker, date_of_birth=date(2015, 3, 1))  # Year 10
			school = make_school("990831", "Ash Community Secondary")
			request = frappe.get_doc(
				{
					"doctype": "School Place Request",
					"child": child.name,
					"date_needed": date(2030, 10, 7),
					"reason": "Care placement move",
					"approaches": [{"school": school, "date_asked": date(2030, 10, 7)}],
				}
			).insert()
			self.assertTrue(request.reg10_required)
			self.assertFalse(request.reg10_satisfied)  # no move recorded: a warning, never a block
			# what a request saved before #18 held: the facts on the request itself
			frappe.db.set_value(
				"School Place Request",
				request.name,
				{
					"nominated_officer": manager(),
					"reg10_approved_on": date(2030, 10, 3),
					"designated_teacher_consulted": 1,
					"iro_consulted": 1,
					"care_placement_move": None,
				},
				update_modified=False,
			)
			written = move_request_reg10_facts()
			self.assertEqual(len(written), 1)
			move = frappe.get_doc("Care Placement Move", written[0])
			self.assertEqual(
				(
					move.child,
					move.move_date,
					move.nominated_officer_approved,
					move.approved_on,
					move.designated_teacher_consulted,
					move.iro_consulted,
					move.reg10_exception,
				),
				(child.name, date(2030, 10, 7), 1, date(2030, 10, 3), 1, 1, "None"),
			)
			self.assertEqual(move.nominated_officer, frappe.db.get_value("User", manager(), "full_name"))
			flags = frappe.db.get_value(
				"School Place Request", request.name, ["care_placement_move", "reg10_satisfied"], as_dict=True
			)
			self.assertEqual((flags.care_placement_move, flags.reg10_satisfied), (move.name, 1))
			# idempotent: the request is linked now, so a second run writes nothing
			self.assertEqual(move_request_reg10_facts(), [])
			self.assertEqual(frappe.db.count("Care Placement Move", {"child": child.name}), 1)


class TestDirectionRouteOnTheDay(LawTestCase):
	def test_the_school_route_changes_on_the_commencement_day(self):
		academy = make_school(
			"990841", "Hill Academy", type_group="Academies", establishment_type="Academy converter"
		)
		child = make_child("Ola", caseworker=self.worker, date_of_birth=date(2021, 6, 3))
		with self.freeze_time("2030-10-14"):
			opened_before = frappe.get_doc(
				{
					"doctype": "School Place Request",
					"child": child.name,
					"date_needed": date(2030, 10, 14),
					"reason": "Entered care",
					"refusing_school": academy,
					"approaches": [{"school": academy, "date_asked": date(2030, 10, 14)}],
				}
			).insert()
		self.assertEqual(opened_before.admission_route, "Ask the Secretary of State (DfE)")
		with self.freeze_time("2030-10-14"):
			# recorded the day before it commences: Settings' save leaves the School on today's route
			with change_settings(
				"Virtual School Settings", {"academy_direction_commenced_on": date(2030, 10, 15)}
			):
				self.assertEqual(
					frappe.db.get_value("School", academy, "direction_route"),
					"Ask the Secretary of State (DfE)",
				)
				self.assertEqual(refresh_school_routes_when_commenced(), 0)
				with self.freeze_time("2030-10-15"):
					self.assertGreater(refresh_school_routes_when_commenced(), 0)
					self.assertEqual(
						frappe.db.get_value("School", academy, "direction_route"),
						"Consult and direct the academy trust",
					)
					# the request opened before the date keeps its route
					self.assertEqual(
						frappe.db.get_value("School Place Request", opened_before.name, "admission_route"),
						"Ask the Secretary of State (DfE)",
					)
