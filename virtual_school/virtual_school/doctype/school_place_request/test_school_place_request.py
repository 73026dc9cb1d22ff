# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from datetime import date

import frappe
from frappe.model.workflow import WorkflowTransitionError, apply_workflow, get_transitions
from frappe.tests.utils import change_settings
from frappe.utils import formatdate, getdate, today

from virtual_school.admissions.routes import refresh_school_routes
from virtual_school.escalations.services import run_daily_sweep
from virtual_school.security.system_owned import SystemOwnedFieldError
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

COUNCIL = "886"  # the council's DfE LA code (Settings.la); make_school and make_child default to it
# ... and no commencement date for the power to direct academies, unless a test records one
COUNCIL_SETTINGS = {
	"la": COUNCIL,
	"academy_direction_commenced_on": None,
	"special_academy_direction_commenced_on": None,
}
TERMS = [
	{"term_name": "Autumn 1", "start_date": date(2030, 9, 2), "end_date": date(2030, 10, 25)},
	{"term_name": "Autumn 2", "start_date": date(2030, 11, 4), "end_date": date(2030, 12, 20)},
	{"term_name": "Spring 1", "start_date": date(2031, 1, 6), "end_date": date(2031, 2, 14)},
]


class TestSchoolPlaceRequest(VirtualSchoolTestCase):
	def setUp(self):
		make_school_calendar("2030-31", TERMS)
		self.enterContext(change_settings("Virtual School Settings", COUNCIL_SETTINGS))
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
		# A voluntary aided school: its governing body is the admission authority, so the council consults
		# and directs it (s97A-C). The council's own community school is admitted, never directed (below).
		aided = make_school("990503", "St Anne's Aided Primary", establishment_type="Voluntary aided school")
		with self.freeze_time("2030-09-02"):
			doc = self.new_request(approaches=[{"school": aided, "date_asked": date(2030, 9, 2)}])
			doc = self.act(doc, "Request Place")
		with self.freeze_time("2030-09-10"):
			doc = frappe.get_doc("School Place Request", doc.name)
			doc.approaches[0].response = "Refused"
			doc.approaches[0].response_date = date(2030, 9, 10)
			doc.approaches[0].refusal_reason = "Year group full"
			doc.save()
			doc = self.act(doc, "Record Refusal")
			doc = self.act(doc, "Escalate")
		self.assertEqual(doc.refusing_school, aided)
		self.assertEqual(
			(doc.admission_route, doc.direction_possible), ("Consult and direct the governing body", 1)
		)
		with self.freeze_time("2030-09-20"):
			with self.assertRaises(WorkflowTransitionError):
				self.act(doc, "Consult on Direction")  # a caseworker may not
			frappe.set_user(manager())
			doc = frappe.get_doc("School Place Request", doc.name)
			doc.direction_consulted_on = date(2030, 9, 20)
			doc.save()
			# s97B(1): representations within 7 days; notice from the day after.
			self.assertEqual(
				(doc.representations_due, doc.notice_from), (date(2030, 9, 27), date(2030, 9, 28))
			)
			doc = self.act(doc, "Consult on Direction")
			with self.assertRaises(WorkflowTransitionError):
				self.act(doc, "Serve Notice of Intention to Direct")  # only the Virtual School Head decides

		with self.freeze_time("2030-09-25"):
			with self.assertRaisesRegex(frappe.ValidationError, formatdate(date(2030, 9, 28))):
				self.act(doc, "Serve Notice of Intention to Direct", head())
		with self.freeze_time("2030-09-28"):
			doc = self.act(doc, "Serve Notice of Intention to Direct", head())
		self.assertEqual((doc.workflow_state, doc.direction_notice_on), ("Notice Served", date(2030, 9, 28)))
		# s97C: 7 days to refer to the Schools Adjudicator (to 5 Oct); the direction from the day after.
		self.assertEqual(doc.referral_window_ends, date(2030, 10, 5))
		self.assertEqual(doc.direction_effective_on, date(2030, 10, 6))
		with self.freeze_time("2030-10-05"):
			with self.assertRaisesRegex(frappe.ValidationError, formatdate(date(2030, 10, 6))):
				self.act(doc, "Direct Admission", head())
		self.assertEqual(
			frappe.db.get_value("School Place Request", doc.name, "workflow_state"), "Notice Served"
		)
		with self.freeze_time("2030-10-06"):
			doc = self.act(doc, "Direct Admission", head())
		self.assertEqual((doc.workflow_state, doc.directed_on), ("Directed", date(2030, 10, 6)))
		with self.freeze_time("2030-10-08"):
			doc = frappe.get_doc("School Place Request", doc.name)
			doc.admitting_school = aided
			doc.start_date = date(2030, 10, 8)
			doc.save()
			doc = self.act(doc, "Place Child")
		self.assertEqual(doc.workflow_state, "Placed")
		self.assertTrue(doc.education_placement)
		placement = frappe.get_doc("Education Placement", doc.education_placement)
		self.assertEqual((placement.school, str(placement.start_date)), (aided, "2030-10-08"))
		# 2 Sep to 7 Oct 2030: 26 school days without a place.
		self.assertEqual(doc.days_without_place, 26)

	def test_an_academy_cannot_be_directed_before_the_power_commences(self):
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
		self.assertEqual(doc.admission_route, "Ask the Secretary of State (DfE)")
		frappe.set_user(manager())
		doc = frappe.get_doc("School Place Request", doc.name)
		doc.direction_consulted_on = getdate(today())
		with self.assertRaisesRegex(frappe.ValidationError, "ask the Secretary of State"):
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

	def test_ks4_placement_move_without_reg10_is_a_warning_never_a_block(self):
		"""CPPCR reg 10 gates the care placement, not the school place (STATUTORY section 11)."""
		older = make_child("Kai", "Reg-Ten", caseworker=self.worker, date_of_birth=date(2011, 1, 10))
		frappe.db.set_value("Child", older.name, "key_stage", "KS4")
		doc = self.new_request(child=older.name, reason="Care placement move")
		self.assertEqual((doc.reg10_required, doc.reg10_satisfied), (1, 0))
		self.assertIn("No Care Placement Move is recorded", doc.reg10_warning)
		doc = self.act(doc, "Request Place")  # the caseworker may ask schools all the same
		self.assertEqual(doc.workflow_state, "Requested")
		move = frappe.get_doc(
			{
				"doctype": "Care Placement Move",
				"child": older.name,
				"move_date": date(2030, 8, 30),
				"designated_teacher_consulted": 1,
			}
		).insert()
		self.assertTrue(move.reg10_applies)
		self.assertIn("nominated officer approved", move.reg10_warning)
		doc = frappe.get_doc("School Place Request", doc.name)
		doc.save()
		self.assertEqual((doc.care_placement_move, doc.reg10_satisfied), (move.name, 0))
		self.assertIn("independent reviewing officer", doc.reg10_warning)
		move.update({"nominated_officer_approved": 1, "approved_on": date(2030, 8, 28), "iro_consulted": 1})
		move.save()
		doc.save()
		self.assertEqual((doc.reg10_satisfied, doc.reg10_warning), (1, ""))

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
				{
					"authority_name": "Testshire County Council",
					"letter_signatory": "Helen Hart",
					**COUNCIL_SETTINGS,
					"reply_address": "County Hall\nMaidstone\nME14 1XQ",
					"reply_email": "virtual.school@testshire.example",
					"reply_telephone": "03000 111222",
				},
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

		# A voluntary aided school: the council consults its governing body (its own community school it
		# would admit itself, with no consultation).
		aided = make_school("990513", "Brook Aided Primary", establishment_type="Voluntary aided school")
		request = self.request_for(aided)
		with self.assertRaises(frappe.ValidationError):
			generate_letter(request.name, "direction_notice")
		request.direction_consulted_on = date(2030, 9, 20)
		with self.freeze_time("2030-09-20"):
			request.save()
		text = self.read(generate_letter(request.name, "direction_notice"))
		self.assertIn("Brook Aided Primary", text)
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


# Who may not be directed, and why (STATUTORY.md section 11): (case, child values, school values, the phrase
# the server's refusal must contain). Every case is refused a consultation on a direction.
FORBIDDEN_DIRECTIONS = (
	("previously looked-after child", {"cohort": "Previously Looked After"}, {}, "only a child looked after"),
	("child with a social worker", {"cohort": "Child with a Social Worker"}, {}, "only a child looked after"),
	("kinship child", {"cohort": "Kinship Care"}, {}, "only a child looked after"),
	("looked after by another council", {"responsible_la": "373"}, {}, "only that authority may direct"),
	("own community school", {}, {"establishment_type": "Community school"}, "admits the child itself"),
	("own VC school", {}, {"establishment_type": "Voluntary controlled school"}, "admits the child itself"),
	("pupil referral unit", {}, {"establishment_type": "Pupil referral unit"}, "cannot be directed to admit"),
	("nursery school", {}, {"establishment_type": "LA nursery school"}, "cannot be directed to admit"),
	(
		"independent school",
		{},
		{"type_group": "Independent schools", "establishment_type": "Other independent school"},
		"cannot be directed to admit",
	),
	("child with an EHC plan", {"sen_provision": "EHC plan"}, {}, "has an EHC plan"),
)
AIDED = {"establishment_type": "Voluntary aided school"}


class TestAdmissionRoutes(VirtualSchoolTestCase):
	"""Items 1-5 of issue #18 through the workflow, as the manager and head who act."""

	def setUp(self):
		make_school_calendar("2030-31", TERMS)
		self.enterContext(change_settings("Virtual School Settings", COUNCIL_SETTINGS))
		self.worker = caseworker(1)
		self.urns = iter(range(990620, 990699))

	def escalated(self, child_values=None, school_values=None, opened="2030-09-02"):
		"""A request refused by the school and escalated by the caseworker, opened on ``opened``."""
		school = make_school(
			str(next(self.urns)),
			"Route Test School",
			**{"type_group": "Local authority maintained schools", **AIDED, **(school_values or {})},
		)
		child = make_child(
			"Rhea", None, caseworker=self.worker, date_of_birth=date(2019, 5, 1), **(child_values or {})
		)
		with self.freeze_time(opened):
			frappe.set_user(self.worker)
			doc = frappe.get_doc(
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
							"response_date": date(2030, 9, 2),
							"refusal_reason": "Full",
						}
					],
				}
			).insert()
			for action in ("Request Place", "Record Refusal", "Escalate"):
				doc = apply_workflow(frappe.get_doc("School Place Request", doc.name), action)
		return doc

	def actions(self, doc, user):
		frappe.set_user(user)
		return {row.action for row in get_transitions(frappe.get_doc("School Place Request", doc.name))}

	def test_forbidden_directions_are_not_offered_and_are_refused(self):
		for case, child_values, school_values, phrase in FORBIDDEN_DIRECTIONS:
			with self.subTest(case):
				doc = self.escalated(child_values, school_values)
				self.assertFalse(doc.direction_possible, doc.admission_route)
				with self.freeze_time("2030-09-20"):
					frappe.set_user(manager())
					doc = frappe.get_doc("School Place Request", doc.name)
					doc.direction_consulted_on = date(2030, 9, 20)
					with self.assertRaisesRegex(frappe.ValidationError, phrase):
						doc.save()
					# The workflow does not offer it even with the date in place (written past the
					# controller), and moving the state by hand meets the same refusal.
					frappe.db.set_value(
						"School Place Request",
						doc.name,
						"direction_consulted_on",
						date(2030, 9, 20),
						update_modified=False,
					)
					self.assertNotIn("Consult on Direction", self.actions(doc, manager()))
					self.assertNotIn("Refer to Secretary of State", self.actions(doc, head()))
					doc = frappe.get_doc("School Place Request", doc.name)
					doc.workflow_state = "Direction Consulted"
					with self.assertRaises(SystemOwnedFieldError):
						doc.save()  # a user: only apply_workflow moves the state
					# Trusted code (a job, an import) passes that guard: the route still refuses.
					doc = frappe.get_doc("School Place Request", doc.name)
					doc.workflow_state = "Direction Consulted"
					doc.flags.ignore_permissions = True
					with self.assertRaisesRegex(frappe.ValidationError, phrase):
						doc.save()
					doc = frappe.get_doc("School Place Request", doc.name)
					doc.direction_consulted_on = None
					doc.secretary_of_state_referred_on = date(2030, 9, 20)
					with self.assertRaisesRegex(frappe.ValidationError, "Secretary of State"):
						doc.save()

	def test_the_council_admits_to_its_own_community_school(self):
		doc = self.escalated(school_values={"establishment_type": "Community school"})
		self.assertEqual(
			(doc.admission_route, doc.admission_authority), ("The council admits", "This council")
		)
		with self.freeze_time("2030-09-12"):
			frappe.set_user(manager())
			doc = frappe.get_doc("School Place Request", doc.name)
			doc.council_admission_decided_on = date(2030, 9, 12)
			doc.save()
			doc = apply_workflow(doc, "Record Admission Decision")
		self.assertEqual(doc.workflow_state, "Offered")
		# Another council's community school: that council is consulted and directed.
		other = self.escalated(school_values={"establishment_type": "Community school", "la": "373"})
		self.assertEqual(
			(other.admission_route, other.direction_possible), ("Consult and direct the other council", 1)
		)
		with self.freeze_time("2030-09-12"):
			frappe.set_user(manager())
			other = frappe.get_doc("School Place Request", other.name)
			other.council_admission_decided_on = date(2030, 9, 12)
			with self.assertRaisesRegex(frappe.ValidationError, "only for its own community"):
				other.save()

	def test_the_notice_waits_for_representations_or_seven_days(self):
		doc = self.escalated()
		with self.freeze_time("2030-09-20"):
			frappe.set_user(manager())
			doc = frappe.get_doc("School Place Request", doc.name)
			doc.direction_consulted_on = date(2030, 9, 20)
			doc.save()
			doc = apply_workflow(doc, "Consult on Direction")
		with self.freeze_time("2030-09-23"):
			# Recording the notice by a plain save is refused too, with the day it becomes possible.
			frappe.set_user(head())
			doc = frappe.get_doc("School Place Request", doc.name)
			doc.direction_notice_on = date(2030, 9, 23)
			with self.assertRaisesRegex(frappe.ValidationError, formatdate(date(2030, 9, 28))):
				doc.save()
			# Representations in on the 23rd: notice may be served that day.
			doc = frappe.get_doc("School Place Request", doc.name)
			doc.representations_received_on = date(2030, 9, 23)
			doc.save()
			self.assertEqual(doc.notice_from, date(2030, 9, 23))
			doc = apply_workflow(doc, "Serve Notice of Intention to Direct")
		self.assertEqual(
			(doc.workflow_state, doc.direction_effective_on), ("Notice Served", date(2030, 10, 1))
		)

	def test_a_referral_to_the_adjudicator_waits_for_the_decision(self):
		doc = self.escalated()
		with self.freeze_time("2030-09-20"):
			frappe.set_user(manager())
			doc = frappe.get_doc("School Place Request", doc.name)
			doc.direction_consulted_on = date(2030, 9, 20)
			doc.save()
			apply_workflow(doc, "Consult on Direction")
		with self.freeze_time("2030-09-30"):
			frappe.set_user(head())
			doc = apply_workflow(
				frappe.get_doc("School Place Request", doc.name), "Serve Notice of Intention to Direct"
			)
			# The off-by-one of the old clock: notice on 30 Sep, window to 7 Oct, direction from 8 Oct.
			self.assertEqual(
				(doc.referral_window_ends, doc.direction_effective_on), (date(2030, 10, 7), date(2030, 10, 8))
			)
		with self.freeze_time("2030-10-03"):
			doc = frappe.get_doc("School Place Request", doc.name)
			doc.referred_to_adjudicator_on = date(2030, 10, 3)
			doc.save()
		with self.freeze_time("2030-10-20"):
			with self.assertRaisesRegex(frappe.ValidationError, "after the adjudicator's decision"):
				apply_workflow(frappe.get_doc("School Place Request", doc.name), "Direct Admission")
			doc = frappe.get_doc("School Place Request", doc.name)
			doc.adjudicator_decided_on = date(2030, 10, 20)
			with self.assertRaisesRegex(frappe.ValidationError, "not in order"):
				doc.save()  # a decision needs its outcome
			doc = frappe.get_doc("School Place Request", doc.name)
			doc.adjudicator_decided_on = date(2030, 10, 20)
			doc.adjudicator_outcome = "The school named in the notice"
			doc.save()
			doc = apply_workflow(doc, "Direct Admission")
		self.assertEqual((doc.workflow_state, doc.directed_on), ("Directed", date(2030, 10, 20)))

	def test_an_academy_request_keeps_the_route_of_the_day_it_opened(self):
		academy = {"type_group": "Academies", "establishment_type": "Academy converter"}
		before = self.escalated(school_values=academy, opened="2030-09-02")
		self.enterContext(
			change_settings("Virtual School Settings", {"academy_direction_commenced_on": date(2030, 9, 10)})
		)
		after = self.escalated(school_values=academy, opened="2030-09-10")
		frappe.set_user("Administrator")
		before, after = (frappe.get_doc("School Place Request", doc.name) for doc in (before, after))
		with self.freeze_time("2030-09-11"):
			before.save()
			after.save()
		self.assertEqual(
			(before.opened_on, before.admission_route), (date(2030, 9, 2), "Ask the Secretary of State (DfE)")
		)
		self.assertEqual(
			(after.opened_on, after.admission_route),
			(date(2030, 9, 10), "Consult and direct the academy trust"),
		)
		with self.freeze_time("2030-09-12"):
			frappe.set_user(manager())
			before = frappe.get_doc("School Place Request", before.name)
			before.direction_consulted_on = date(2030, 9, 12)
			with self.assertRaisesRegex(frappe.ValidationError, "ask the Secretary of State"):
				before.save()
		# The School shows the route of a request opened today: before the commencement date the Secretary
		# of State, from it the trust (the School rows are refreshed when Settings change).
		with self.freeze_time("2030-09-09"):
			refresh_school_routes()
			self.assertEqual(
				frappe.db.get_value("School", after.refusing_school, "direction_route"),
				"Ask the Secretary of State (DfE)",
			)
		with self.freeze_time("2030-09-10"):
			refresh_school_routes()
			self.assertEqual(
				frappe.db.get_value("School", after.refusing_school, "direction_route"),
				"Consult and direct the academy trust",
			)

	def test_an_ehc_plan_request_records_the_plan_consultation(self):
		doc = self.escalated(child_values={"sen_provision": "EHC plan"})
		self.assertEqual(doc.admission_route, "Through the EHC plan")
		with self.freeze_time("2030-09-12"):
			frappe.set_user(manager())
			doc = frappe.get_doc("School Place Request", doc.name)
			doc.ehcp_school = doc.refusing_school
			doc.ehcp_consulted_on = date(2030, 9, 12)
			doc.ehcp_response = "Awaiting"
			doc.save()
		# SEND Code para 9.83: a response within 15 calendar days.
		self.assertEqual(doc.ehcp_response_due, date(2030, 9, 27))

	def test_the_school_shows_its_admission_authority_and_route(self):
		own = make_school("990690", "Own Community Primary")
		away = make_school("990691", "Away Community Primary", la="373")
		pru = make_school("990692", "Harbour PRU", establishment_type="Pupil referral unit")
		routes_now = {
			urn: frappe.db.get_value(
				"School", urn, ["admission_authority", "direction_route", "admissions_route"]
			)
			for urn in (own, away, pru)
		}
		self.assertEqual(routes_now[own][:2], ("This council", "The council admits"))
		self.assertEqual(routes_now[away][1], "Consult and direct the other council")
		self.assertEqual(routes_now[pru][1:], ("No direction route", "Independent / other"))
		# The council's LA code changes: every school's route follows (one update per kind of school).
		with change_settings("Virtual School Settings", {"la": "373"}):
			self.assertEqual(frappe.db.get_value("School", away, "direction_route"), "The council admits")
			self.assertEqual(
				frappe.db.get_value("School", own, "direction_route"), "Consult and direct the other council"
			)
