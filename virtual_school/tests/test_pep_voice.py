"""Tier 2: the child's voice in the PEP (issue #23 item 2; ``domain.pep_voice``), as the roles who act.

A caseworker cannot submit a PEP without the child's views or a recorded reason; QA cannot approve without
rating the voice, and only the Head or a Manager may set that rating; the export says why views are missing;
the DocType's choices and its show-the-reason rule are the domain's."""

import json
from datetime import date
from pathlib import Path

import frappe
from frappe.model.workflow import apply_workflow

from virtual_school.domain import pep_voice
from virtual_school.domain.pep_voice import NoViewsReason
from virtual_school.security.system_owned import SystemOwnedFieldError
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	make_child,
	make_placement,
	make_school,
	manager,
)

DOCTYPE = "Personal Education Plan"


class TestPepVoice(VirtualSchoolTestCase):
	def setUp(self):
		self.worker = caseworker(1)
		school = make_school("990951", "Voice Primary")
		self.child = make_child("Voiced", caseworker=self.worker, date_of_birth=date(2016, 3, 3))
		make_placement(self.child.name, school, date(2025, 9, 1))

	def new_pep(self, **values):
		frappe.set_user(self.worker)
		return frappe.get_doc(
			{
				"doctype": DOCTYPE,
				"child": self.child.name,
				"due_date": date(2025, 12, 12),
				"meeting_date": date(2025, 12, 1),
				"targets": [{"area": "Maths", "target": "Times tables to 12 by Easter"}],
				**values,
			}
		).insert()

	def submit(self, pep):
		frappe.set_user(self.worker)
		return apply_workflow(frappe.get_doc(DOCTYPE, pep.name), "Submit PEP")

	def test_no_views_and_no_reason_cannot_be_submitted(self):
		for views in (None, "  ", "n/a"):
			pep = self.new_pep(child_views=views)
			with self.assertRaisesRegex(frappe.ValidationError, "own words"):
				self.submit(pep)
			self.assertEqual(frappe.db.get_value(DOCTYPE, pep.name, "workflow_state"), "Draft")

	def test_views_or_a_recorded_reason_can_be_submitted(self):
		with_views = self.submit(self.new_pep(child_views="I want to stay in the football club."))
		self.assertEqual(with_views.workflow_state, "Submitted")
		too_young = self.submit(self.new_pep(no_views_reason=NoViewsReason.TOO_YOUNG.value))
		self.assertEqual(too_young.workflow_state, "Submitted")

	def test_other_needs_an_explanation(self):
		pep = self.new_pep(no_views_reason=NoViewsReason.OTHER.value)
		with self.assertRaisesRegex(frappe.ValidationError, "Explain"):
			self.submit(pep)
		pep = frappe.get_doc(DOCTYPE, pep.name)
		pep.no_views_detail = "In hospital on the day of the meeting; to be added at the next review"
		pep.save()
		self.assertEqual(self.submit(pep).workflow_state, "Submitted")

	def test_views_clear_a_stale_reason(self):
		pep = self.new_pep(
			child_views="I like art and want more of it.", no_views_reason=NoViewsReason.DECLINED.value
		)
		self.assertIsNone(frappe.db.get_value(DOCTYPE, pep.name, "no_views_reason"))

	def test_approval_needs_the_voice_rated_by_qa_only(self):
		pep = self.submit(self.new_pep(child_views="I want help with reading at home."))
		with self.assertRaises(SystemOwnedFieldError):  # a caseworker may not rate their own PEP's voice
			frappe.get_doc(DOCTYPE, pep.name).update({"qa_voice_rating": "Green"}).save()
		frappe.set_user(manager())
		pep = apply_workflow(frappe.get_doc(DOCTYPE, pep.name), "Start QA")
		pep.qa_rating = "Green"
		pep.save()
		with self.assertRaisesRegex(frappe.ValidationError, "Rate the child's voice"):
			apply_workflow(frappe.get_doc(DOCTYPE, pep.name), "Approve")
		pep = frappe.get_doc(DOCTYPE, pep.name)
		pep.qa_voice_rating = "Amber"
		pep.save()
		self.assertEqual(apply_workflow(pep, "Approve").workflow_state, "Approved")

	def test_the_doctype_follows_the_domain(self):
		meta = frappe.get_meta(DOCTYPE)
		options = [option for option in meta.get_field("no_views_reason").options.split("\n") if option]
		self.assertEqual(options, [reason.value for reason in NoViewsReason])
		self.assertEqual(
			[option for option in meta.get_field("qa_voice_rating").options.split("\n") if option],
			list(pep_voice.RAG),
		)
		# the form shows the reason while the views are shorter than the domain's minimum
		path = Path(frappe.get_module_path("Virtual School"), "doctype", "personal_education_plan")
		fields = {
			field["fieldname"]: field
			for field in json.loads((path / "personal_education_plan.json").read_text())["fields"]
		}
		self.assertIn(f"< {pep_voice.MIN_VIEWS_CHARACTERS}", fields["no_views_reason"]["depends_on"])
