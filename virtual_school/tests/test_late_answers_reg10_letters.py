"""Issue #18 items 6-8 through the site, as the roles who act: the reg 10 warning (never a block), the
15-school-day outcome watched by the daily sweep and the report, and letters that carry a way to reply."""

import io
from datetime import date

import docx
import frappe
from frappe.desk.query_report import run as run_report
from frappe.model.workflow import apply_workflow
from frappe.tests.utils import change_settings

from virtual_school.admissions import place_requests
from virtual_school.domain.in_year_outcome import AIM_SCHOOL_DAYS, OUTCOME_SCHOOL_DAYS
from virtual_school.escalations.services import run_daily_sweep
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	head,
	make_child,
	make_school,
	make_school_calendar,
	manager,
)

TERMS = [
	{"term_name": "Autumn 1", "start_date": date(2030, 9, 2), "end_date": date(2030, 10, 25)},
	{"term_name": "Autumn 2", "start_date": date(2030, 11, 4), "end_date": date(2030, 12, 20)},
]
COUNCIL = "886"
REPLY = {
	"reply_address": "County Hall\nSessions Road\nME14 1XQ",
	"reply_email": "virtual.school@testshire.example",
	"reply_telephone": "03000 111222",
}


class PlaceRequestCase(VirtualSchoolTestCase):
	def setUp(self):
		make_school_calendar("2030-31", TERMS)
		self.worker = caseworker(1)
		self.school = make_school("990801", "Late Answer Primary")
		self.child = make_child("Lena", "Answers", caseworker=self.worker, date_of_birth=date(2019, 5, 1))

	def request(self, child=None, approaches=None, **values):
		frappe.set_user(self.worker)
		doc = frappe.get_doc(
			{
				"doctype": "School Place Request",
				"child": child or self.child.name,
				"date_needed": date(2030, 9, 2),
				"reason": "Entered care",
				"approaches": approaches or [{"school": self.school, "date_asked": date(2030, 9, 2)}],
				**values,
			}
		).insert()
		return apply_workflow(doc, "Request Place")


class TestLateAnswers(PlaceRequestCase):
	def todos(self, request: str) -> list[dict]:
		return frappe.get_all(
			"ToDo",
			filters={"reference_type": "School Place Request", "reference_name": request},
			fields=["allocated_to", "description"],
		)

	def test_the_sweep_flags_an_unanswered_approach_once_to_the_caseworker(self):
		doc = self.request()
		approach = doc.approaches[0]
		self.assertEqual(approach.outcome_due, date(2030, 9, 23))  # 15th school day after Mon 2 Sep
		frappe.set_user("Administrator")
		on_the_day = run_daily_sweep(date(2030, 9, 23))
		self.assertEqual(on_the_day["late_answers"], [])  # an answer on its due day is on time
		late = run_daily_sweep(date(2030, 9, 24))
		self.assertEqual(late["late_answers"], [approach.name])
		self.assertEqual(
			frappe.db.get_value("School Place Approach", approach.name, "late_answer_flagged_on"),
			date(2030, 9, 24),
		)
		again = run_daily_sweep(date(2030, 9, 25))
		self.assertEqual(again["late_answers"], [])
		todos = self.todos(doc.name)
		self.assertEqual(len(todos), 1)
		self.assertEqual(todos[0].allocated_to, self.worker)
		self.assertIn("Late Answer Primary has not answered", todos[0].description)
		self.assertIn(f"{OUTCOME_SCHOOL_DAYS} school days", todos[0].description)
		frappe.set_user(self.worker)
		self.assertTrue(
			frappe.get_list("ToDo", filters={"reference_name": doc.name, "allocated_to": self.worker})
		)

	def test_an_answered_approach_is_never_flagged(self):
		doc = self.request()
		doc.approaches[0].response = "Offered"
		doc.approaches[0].response_date = date(2030, 9, 26)  # late, but answered
		doc.save()
		frappe.set_user("Administrator")
		self.assertEqual(run_daily_sweep(date(2030, 9, 30))["late_answers"], [])
		self.assertEqual(self.todos(doc.name), [])

	def test_in_year_admissions_by_school_counts_late_answers_and_the_10_day_aim(self):
		other = make_school("990802", "Quick Answer Primary")
		third = make_school("990803", "Silent Primary")
		refused = {"response": "Refused", "refusal_reason": "Full"}
		self.request(
			approaches=[
				# aim: 10th school day after 2 Sep = 16 Sep; limit: 23 Sep
				{
					"school": other,
					"date_asked": date(2030, 9, 2),
					"response_date": date(2030, 9, 16),
					**refused,
				},
				{
					"school": self.school,
					"date_asked": date(2030, 9, 2),
					"response_date": date(2030, 9, 24),
					**refused,
				},
				{"school": third, "date_asked": date(2030, 9, 2)},
			]
		)
		frappe.set_user(head())
		with self.freeze_time("2030-10-01"):
			result = run_report(
				"In-Year Admissions by School", {"from_date": "2030-09-01", "to_date": "2030-09-30"}
			)
		rows = {row["school"]: row for row in result["result"] if isinstance(row, dict)}
		self.assertEqual((rows[other]["within_aim"], rows[other]["late_answers"]), (1, 0))
		self.assertEqual((rows[self.school]["within_aim"], rows[self.school]["late_answers"]), (0, 1))
		self.assertEqual((rows[third]["within_aim"], rows[third]["late_answers"]), (0, 1))  # still awaited
		labels = [column["label"] for column in result["columns"]]
		self.assertIn(f"Answered Within the {AIM_SCHOOL_DAYS}-School-Day Aim", labels)


class TestReg10Flag(PlaceRequestCase):
	def test_a_ks4_move_without_reg10_is_flagged_in_children_without_a_school_place(self):
		older = make_child("Kit", "Regten", caseworker=self.worker, date_of_birth=date(2015, 1, 10))
		frappe.db.set_value("Child", older.name, "key_stage", "KS4")
		doc = self.request(child=older.name, reason="Care placement move")
		self.assertEqual(doc.workflow_state, "Requested")  # asked schools all the same
		self.assertTrue(doc.reg10_warning)
		result = run_report("Children Without a School Place", {})
		rows = {row["child"]: row for row in result["result"] if isinstance(row, dict)}
		self.assertEqual(rows[older.name]["reg10_warning"], 1)
		self.assertEqual(rows[self.child.name]["reg10_warning"], 0)  # no request: nothing to warn about

	def test_an_emergency_move_is_the_reg10_3_exception(self):
		older = make_child("Em", "Regten", caseworker=self.worker, date_of_birth=date(2015, 1, 10))
		frappe.db.set_value("Child", older.name, "key_stage", "KS4")
		frappe.set_user(self.worker)
		move = frappe.get_doc(
			{
				"doctype": "Care Placement Move",
				"child": older.name,
				"move_date": date(2030, 8, 30),
				"reg10_exception": "Emergency placement change",
			}
		).insert()
		self.assertEqual((move.reg10_applies, move.reg10_warning), (0, ""))
		doc = self.request(child=older.name, reason="Care placement move")
		self.assertEqual((doc.care_placement_move, doc.reg10_satisfied), (move.name, 1))

	def test_caseworkers_see_only_their_caseloads_moves(self):
		theirs = make_child("Other", "Caseload", caseworker=caseworker(2))
		frappe.set_user(caseworker(2))
		move = frappe.get_doc(
			{"doctype": "Care Placement Move", "child": theirs.name, "move_date": date(2030, 8, 30)}
		).insert()
		self.assertIn(move.name, frappe.get_list("Care Placement Move", pluck="name"))
		frappe.set_user(self.worker)
		self.assertNotIn(move.name, frappe.get_list("Care Placement Move", pluck="name"))
		self.assertFalse(frappe.has_permission("Care Placement Move", doc=move.name, ptype="read"))


class TestLettersCarryAWayToReply(PlaceRequestCase):
	def setUp(self):
		super().setUp()
		self.enterContext(
			change_settings(
				"Virtual School Settings",
				{
					"authority_name": "Testshire County Council",
					"letter_signatory": "Helen Hart",
					"la": COUNCIL,
				},
			)
		)

	def text(self, result) -> str:
		content = frappe.get_doc("File", result["file"]).get_content()
		document = docx.Document(io.BytesIO(content))
		parts = [paragraph.text for paragraph in document.paragraphs]
		parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
		return "\n".join(parts)

	def test_no_letter_without_the_reply_details(self):
		doc = self.request()
		frappe.set_user(self.worker)
		with self.assertRaisesRegex(frappe.ValidationError, "Virtual School Email"):
			place_requests.generate_letter(doc.name, "admission_request")
		frappe.set_user("Administrator")
		with change_settings("Virtual School Settings", REPLY):
			frappe.set_user(self.worker)
			text = self.text(place_requests.generate_letter(doc.name, "admission_request"))
		for expected in (
			"County Hall",
			"ME14 1XQ",
			f"Email: {REPLY['reply_email']}",
			REPLY["reply_telephone"],
		):
			self.assertIn(expected, text)

	def test_decision_notice_and_direction_go_to_the_governing_body(self):
		aided = make_school(
			"990804",
			"St Anne's Aided Primary",
			establishment_type="Voluntary aided school",
			headteacher="Mr B Head",
		)
		refusal = {"response": "Refused", "response_date": date(2030, 9, 4), "refusal_reason": "Full"}
		doc = self.request(approaches=[{"school": aided, "date_asked": date(2030, 9, 2), **refusal}])
		frappe.set_user("Administrator")
		self.enterContext(change_settings("Virtual School Settings", REPLY))
		frappe.set_user(manager())
		with self.assertRaisesRegex(frappe.ValidationError, "Notice of decision to direct"):
			place_requests.generate_letter(doc.name, "decision_to_direct")
		self.assertNotIn("direction", [row["kind"] for row in place_requests.available_letters(doc.name)])
		# the direction's dates as admissions.routes records them (its own tests walk the workflow)
		frappe.db.set_value(
			"School Place Request",
			doc.name,
			{
				"refusing_school": aided,
				"direction_consulted_on": date(2030, 9, 9),
				"direction_notice_on": date(2030, 9, 17),
				"directed_on": date(2030, 9, 25),
				"workflow_state": "Directed",
			},
		)
		kinds = [row["kind"] for row in place_requests.available_letters(doc.name)]
		self.assertEqual(
			kinds[:4], ["admission_request", "direction_notice", "decision_to_direct", "direction"]
		)
		notice = self.text(place_requests.generate_letter(doc.name, "decision_to_direct"))
		for expected in (
			"Notice of decision to direct the admission of a looked-after child (section 97B)",
			"Dear Chair of Governors",
			"until 24 September 2030 (section 97C)",
			"Mr B Head, Headteacher, St Anne's Aided Primary",
			f"Email: {REPLY['reply_email']}",
		):
			self.assertIn(expected, notice)
		direction = self.text(place_requests.generate_letter(doc.name, "direction"))
		self.assertIn("Direction to admit a looked-after child (section 97A)", direction)
		self.assertIn("Dear Chair of Governors", direction)
		frappe.db.set_value("School Place Request", doc.name, "workflow_state", "Withdrawn")
		self.assertEqual(place_requests.available_letters(doc.name), [])
		with self.assertRaisesRegex(frappe.ValidationError, "open request"):
			place_requests.generate_letter(doc.name, "direction")
