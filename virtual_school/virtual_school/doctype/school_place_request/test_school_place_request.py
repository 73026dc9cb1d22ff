# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from datetime import date

import frappe
from frappe.model.workflow import WorkflowTransitionError, apply_workflow
from frappe.tests.utils import change_settings

from virtual_school.escalations.services import run_daily_sweep
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

TERMS = [
	{"term_name": "Autumn 1", "start_date": date(2030, 9, 2), "end_date": date(2030, 10, 25)},
	{"term_name": "Autumn 2", "start_date": date(2030, 11, 4), "end_date": date(2030, 12, 20)},
	{"term_name": "Spring 1", "start_date": date(2031, 1, 6), "end_date": date(2031, 2, 14)},
]


class TestSchoolPlaceRequest(VirtualSchoolTestCase):
	def setUp(self):
		make_school_calendar("2030-31", TERMS)
		self.worker = caseworker(1)
		self.maintained = make_school("990501", "Castle Community Primary")
		self.academy = make_school(
			"990502", "Valley Academy", type_group="Academies", establishment_type="Academy converter"
		)
		self.child = make_child("Zara", "Places", caseworker=self.worker, date_of_birth=date(2019, 5, 1))

	def new_request(self, **values):
		doc = frappe.get_doc(
			{
				"doctype": "School Place Request",
				"child": self.child.name,
				"date_needed": date(2030, 9, 2),
				"reason": "Entered care",
				"approaches": [{"school": self.maintained, "date_asked": date(2030, 9, 2)}],
				**values,
			}
		)
		frappe.set_user(self.worker)
		return doc.insert()

	def act(self, doc, action, user=None):
		if user:
			frappe.set_user(user)
		return apply_workflow(frappe.get_doc("School Place Request", doc.name), action)

	def test_clocks_count_school_days(self):
		doc = self.new_request()
		# 2 Sep 2030 + 15 school days (weekends skipped) = Monday 23 Sep 2030.
		self.assertEqual(doc.approaches[0].outcome_due, date(2030, 9, 23))
		# Target: 20 school days after the date needed = 30 Sep 2030.
		self.assertEqual(doc.target_date, date(2030, 9, 30))

	def test_full_walk_refusal_direction_and_placement(self):
		doc = self.new_request()
		doc = self.act(doc, "Request Place")
		doc.approaches[0].response = "Refused"
		doc.approaches[0].response_date = date(2030, 9, 10)
		doc.approaches[0].refusal_reason = "Year group full"
		doc.save()
		doc = self.act(doc, "Record Refusal")
		doc = self.act(doc, "Escalate")
		self.assertEqual(doc.refusing_school, self.maintained)
		with self.assertRaises(WorkflowTransitionError):
			self.act(doc, "Consult on Direction")  # a caseworker may not

		frappe.set_user(manager())
		doc = frappe.get_doc("School Place Request", doc.name)
		doc.direction_consulted_on = date(2030, 9, 20)
		doc.save()
		self.assertEqual(doc.representations_due, date(2030, 9, 27))
		doc = self.act(doc, "Consult on Direction")
		with self.assertRaises(WorkflowTransitionError):
			self.act(doc, "Direct Admission")  # only the Virtual School Head directs

		frappe.set_user(head())
		doc = frappe.get_doc("School Place Request", doc.name)
		doc.direction_notice_on = date(2030, 9, 30)
		doc.save()
		self.assertEqual(doc.direction_effective_on, date(2030, 10, 7))
		doc = self.act(doc, "Direct Admission")
		doc.admitting_school = self.maintained
		doc.start_date = date(2030, 10, 8)
		doc.save()
		doc = self.act(doc, "Place Child")
		self.assertEqual(doc.workflow_state, "Placed")
		self.assertTrue(doc.education_placement)
		self.assertEqual(
			frappe.db.get_value("Child", self.child.name, "current_school") or "", ""
		)  # starts later
		placement = frappe.get_doc("Education Placement", doc.education_placement)
		self.assertEqual((placement.school, str(placement.start_date)), (self.maintained, "2030-10-08"))
		# 2 Sep to 7 Oct 2030: 26 school days without a place.
		self.assertEqual(doc.days_without_place, 26)

	def test_an_academy_cannot_be_directed(self):
		doc = self.new_request(
			approaches=[
				{
					"school": self.academy,
					"date_asked": date(2030, 9, 2),
					"response": "Refused",
					"response_date": date(2030, 9, 5),
					"refusal_reason": "Full",
				}
			]
		)
		frappe.set_user(manager())
		doc = frappe.get_doc("School Place Request", doc.name)
		doc.direction_consulted_on = date(2030, 9, 20)
		with self.assertRaisesRegex(frappe.ValidationError, "cannot direct"):
			doc.save()

	def test_academy_route_goes_to_the_secretary_of_state(self):
		doc = self.new_request(
			approaches=[
				{
					"school": self.academy,
					"date_asked": date(2030, 9, 2),
					"response": "Refused",
					"response_date": date(2030, 9, 5),
					"refusal_reason": "Full",
				}
			]
		)
		for action in ("Request Place", "Record Refusal", "Escalate"):
			doc = self.act(doc, action)
		frappe.set_user(head())
		doc = frappe.get_doc("School Place Request", doc.name)
		doc.secretary_of_state_referred_on = date(2030, 9, 25)
		doc.save()
		with self.assertRaises(WorkflowTransitionError):
			self.act(doc, "Consult on Direction")
		doc = self.act(doc, "Refer to Secretary of State")
		self.assertEqual(doc.workflow_state, "Referred to Secretary of State")

	def test_response_before_asking_is_refused(self):
		with self.assertRaisesRegex(frappe.ValidationError, "before Date Asked"):
			self.new_request(
				approaches=[
					{
						"school": self.maintained,
						"date_asked": date(2030, 9, 10),
						"response": "Offered",
						"response_date": date(2030, 9, 1),
					}
				]
			)

	def test_a_child_with_a_full_time_place_cannot_have_a_request(self):
		make_placement(self.child.name, self.academy, date(2030, 6, 1))
		with self.assertRaisesRegex(frappe.ValidationError, "full-time place"):
			self.new_request()

	def test_ks4_placement_move_needs_reg10_approval_first(self):
		older = make_child("Kai", "Reg-Ten", caseworker=self.worker, date_of_birth=date(2011, 1, 10))
		frappe.db.set_value("Child", older.name, "key_stage", "KS4")
		doc = self.new_request(child=older.name, reason="Care placement move")
		self.assertEqual((doc.reg10_required, doc.reg10_satisfied), (1, 0))
		with self.assertRaises(WorkflowTransitionError):
			self.act(doc, "Request Place")
		doc = frappe.get_doc("School Place Request", doc.name)
		doc.update(
			{
				"nominated_officer": manager(),
				"reg10_approved_on": date(2030, 8, 28),
				"designated_teacher_consulted": 1,
				"iro_consulted": 1,
			}
		)
		doc.save()
		doc = self.act(doc, "Request Place")
		self.assertEqual(doc.workflow_state, "Requested")

	def test_daily_sweep_opens_and_raises_escalations_exactly_once(self):
		doc = self.new_request()
		self.act(doc, "Request Place")
		frappe.set_user("Administrator")

		first = run_daily_sweep(date(2030, 10, 1))  # target 30 Sep 2030 passed
		self.assertEqual(len(first["opened"]), 1)
		again = run_daily_sweep(date(2030, 10, 1))
		self.assertEqual((again["opened"], again["raised"]), ([], []))

		escalation = frappe.get_doc("Escalation", first["opened"][0])
		self.assertEqual((escalation.level, escalation.escalation_owner), (1, self.worker))
		self.assertEqual(escalation.due_date, date(2030, 10, 8))  # 5 school days
		self.assertTrue(
			frappe.db.exists("ToDo", {"reference_name": escalation.name, "allocated_to": self.worker})
		)

		raised = run_daily_sweep(date(2030, 10, 9))
		self.assertEqual(raised["raised"], [escalation.name])
		self.assertEqual(run_daily_sweep(date(2030, 10, 9))["raised"], [])
		escalation.reload()
		self.assertEqual(escalation.level, 2)
		self.assertEqual([(row.from_level, row.to_level) for row in escalation.log], [(0, 1), (1, 2)])
		self.assertEqual(frappe.db.get_value("School Place Request", doc.name, "escalation_level"), 2)

	def test_escalation_on_a_missing_record_is_refused(self):
		frappe.set_user(manager())
		with self.assertRaisesRegex(frappe.LinkValidationError, "SPR-99999"):
			frappe.get_doc(
				{
					"doctype": "Escalation",
					"reference_doctype": "School Place Request",
					"reference_name": "SPR-99999",
					"reason": "Test",
				}
			).insert()

	def test_caseworker_sees_only_their_caseloads_requests(self):
		doc = self.new_request()
		other_child = make_child("Other", "Places", caseworker=caseworker(2), date_of_birth=date(2019, 6, 1))
		frappe.set_user(caseworker(2))
		other = frappe.get_doc(
			{
				"doctype": "School Place Request",
				"child": other_child.name,
				"date_needed": date(2030, 9, 2),
				"reason": "Entered care",
			}
		).insert()
		frappe.set_user(self.worker)
		visible = set(frappe.get_list("School Place Request", pluck="name"))
		self.assertIn(doc.name, visible)
		self.assertNotIn(other.name, visible)


class TestPlaceRequestLetters(VirtualSchoolTestCase):
	def setUp(self):
		make_school_calendar("2030-31", TERMS)
		self.enterContext(
			change_settings(
				"Virtual School Settings",
				{"authority_name": "Testshire County Council", "letter_signatory": "Helen Hart"},
			)
		)
		self.maintained = make_school(
			"990511", "Brook Community Primary", headteacher="Mrs A Head", town="Dover"
		)
		self.academy = make_school(
			"990512", "Park Academy", type_group="Academies", establishment_type="Academy converter"
		)
		self.child = make_child(
			"Amara", "Lettersworth", caseworker=caseworker(1), date_of_birth=date(2019, 4, 2)
		)

	def request_for(self, school, **values):
		return frappe.get_doc(
			{
				"doctype": "School Place Request",
				"child": self.child.name,
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

	def read(self, result) -> str:
		import io

		import docx

		file_doc = frappe.get_doc("File", result["file"])
		self.assertTrue(file_doc.is_private)
		self.assertEqual(file_doc.attached_to_doctype, "School Place Request")
		document = docx.Document(io.BytesIO(file_doc.get_content()))
		text = "\n".join(paragraph.text for paragraph in document.paragraphs)
		text += "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
		self.assertNotIn("Amara", text)
		self.assertNotIn("Lettersworth", text)
		return text

	def test_admission_request_letter(self):
		from virtual_school.admissions.place_requests import generate_letter

		request = self.request_for(self.maintained)
		text = self.read(generate_letter(request.name, "admission_request"))
		self.assertIn("Testshire County Council", text)
		self.assertIn("Brook Community Primary", text)
		self.assertIn("A.L.", text)
		self.assertIn("15 school days", text)

	def test_direction_notice_letter_needs_a_consultation_date(self):
		from virtual_school.admissions.place_requests import generate_letter

		request = self.request_for(self.maintained)
		with self.assertRaises(frappe.ValidationError):
			generate_letter(request.name, "direction_notice")
		request.direction_consulted_on = date(2030, 9, 20)
		request.save()
		text = self.read(generate_letter(request.name, "direction_notice"))
		self.assertIn("Brook Community Primary", text)
		self.assertIn("27 September 2030", text)

	def test_secretary_of_state_letter_for_an_academy(self):
		from virtual_school.admissions.place_requests import generate_letter

		request = self.request_for(self.academy)
		text = self.read(generate_letter(request.name, "secretary_of_state_request"))
		self.assertIn("Secretary of State", text)
		self.assertIn("Park Academy", text)

	def test_another_caseworker_cannot_generate_letters(self):
		from virtual_school.admissions.place_requests import generate_letter

		request = self.request_for(self.maintained)
		frappe.set_user(caseworker(2))
		with self.assertRaises(frappe.PermissionError):
			generate_letter(request.name, "admission_request")
