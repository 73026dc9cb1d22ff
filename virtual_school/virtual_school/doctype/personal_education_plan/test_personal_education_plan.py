# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from datetime import date

import frappe
from frappe.model.workflow import WorkflowTransitionError, apply_workflow

from virtual_school.peps.services import escalate_overdue_peps, next_due_for
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	make_child,
	make_placement,
	make_school,
	make_school_calendar,
	manager,
)

TERMS = [
	{"term_name": "Autumn 1", "start_date": date(2032, 9, 1), "end_date": date(2032, 10, 22)},
	{"term_name": "Autumn 2", "start_date": date(2032, 11, 1), "end_date": date(2032, 12, 17)},
]


class TestPersonalEducationPlan(VirtualSchoolTestCase):
	def setUp(self):
		make_school_calendar("2032-33", TERMS)
		self.worker = caseworker(1)
		self.school = make_school("990901", "Willow Primary")
		self.child = make_child(
			"Pepita",
			caseworker=self.worker,
			date_of_birth=date(2024, 1, 5),
			date_entered_care=date(2032, 9, 6),
		)
		make_placement(self.child.name, self.school, date(2032, 9, 1))

	def new_pep(self, **values):
		frappe.set_user(self.worker)
		try:
			return frappe.get_doc(
				{
					"doctype": "Personal Education Plan",
					"child": self.child.name,
					"meeting_date": date(2032, 10, 1),
					"child_views": "I like reading with my carer.",
					"targets": [
						{
							"area": "Reading and writing",
							"target": "Read 20 minutes daily",
							"pp_plus_funded": 1,
						}
					],
					"attainment": [
						{"subject": "Reading", "current": "Working towards", "target": "Expected standard"}
					],
					**values,
				}
			).insert()
		finally:
			frappe.set_user("Administrator")

	def test_initial_pep_due_20_working_days_after_entering_care(self):
		due = next_due_for(self.child.name, date(2032, 9, 10))
		self.assertEqual(due.due, date(2032, 10, 4))  # Mon 6 Sep 2032 + 20 working days
		pep = self.new_pep(due_date=None)
		self.assertTrue(pep.due_date)
		self.assertTrue(pep.due_rule)

	def test_workflow_with_qa_and_return(self):
		pep = self.new_pep()
		self.assertEqual(pep.attainment[0].scale, "Working towards / Expected standard / Greater depth")
		frappe.set_user(self.worker)
		pep = apply_workflow(pep, "Submit PEP")
		with self.assertRaises(WorkflowTransitionError):
			apply_workflow(pep, "Start QA")  # caseworkers do not QA
		frappe.set_user(manager())
		pep = apply_workflow(frappe.get_doc("Personal Education Plan", pep.name), "Start QA")
		with self.assertRaises(WorkflowTransitionError):
			apply_workflow(pep, "Approve")  # needs a QA rating
		pep.qa_comments = "Targets need dates"
		pep.save()
		pep = apply_workflow(pep, "Return for Changes")
		frappe.set_user(self.worker)
		pep = apply_workflow(frappe.get_doc("Personal Education Plan", pep.name), "Submit PEP")
		frappe.set_user(manager())
		pep = apply_workflow(frappe.get_doc("Personal Education Plan", pep.name), "Start QA")
		pep.qa_rating = pep.qa_voice_rating = "Green"
		pep.save()
		pep = apply_workflow(pep, "Approve")
		self.assertEqual(frappe.utils.getdate(pep.completed_on), frappe.utils.getdate())

	def test_overdue_pep_is_escalated_once(self):
		pep = self.new_pep(due_date=date(2032, 10, 4))
		frappe.set_user("Administrator")

		# the sweep also escalates looked-after children with no PEP at all (issue #18): other children
		# the site holds may be among them, so count this PEP's escalations
		def on_this_pep(names):
			return [
				name
				for name in names
				if frappe.db.get_value("Escalation", name, "reference_name") == pep.name
			]

		first = on_this_pep(escalate_overdue_peps(date(2032, 10, 6)))
		self.assertEqual(len(first), 1)
		self.assertEqual(on_this_pep(escalate_overdue_peps(date(2032, 10, 7))), [])

	def test_attendance_outside_0_to_100_is_refused(self):
		with self.assertRaises(frappe.ValidationError):
			self.new_pep(attendance_percent=130)

	def test_other_caseworkers_cannot_see_the_pep(self):
		pep = self.new_pep()
		theirs = make_child("Pepito", caseworker=caseworker(2), date_of_birth=date(2024, 1, 6))
		their_pep = frappe.get_doc(
			{"doctype": "Personal Education Plan", "child": theirs.name, "due_date": date(2032, 10, 8)}
		).insert()
		frappe.set_user(caseworker(2))
		visible = frappe.get_list("Personal Education Plan", pluck="name")
		self.assertIn(their_pep.name, visible)  # the list works for them: the absence below means something
		self.assertNotIn(pep.name, visible)
		self.assertFalse(frappe.has_permission("Personal Education Plan", "read", pep.name))

	def test_export_to_word_uses_initials(self):
		import io

		import docx

		from virtual_school.peps.services import export_pep

		pep = self.new_pep()
		result = export_pep(pep.name)
		content = frappe.get_doc("File", result["file"]).get_content()
		document = docx.Document(io.BytesIO(content))
		text = "\n".join(p.text for p in document.paragraphs)
		text += "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
		self.assertIn("Personal Education Plan", text)
		self.assertIn("Read 20 minutes daily", text)
		self.assertNotIn(self.child.last_name, text)

	def test_attainment_history_for_the_child_dashboard(self):
		from virtual_school.peps.services import attainment_history

		self.new_pep()
		history = attainment_history(self.child.name)
		self.assertEqual([(row.subject, row.current) for row in history], [("Reading", "Working towards")])
		frappe.set_user(caseworker(2))
		with self.assertRaises(frappe.PermissionError):
			attainment_history(self.child.name)
