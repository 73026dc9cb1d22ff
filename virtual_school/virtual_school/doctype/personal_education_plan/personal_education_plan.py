# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import getdate, today

from virtual_school.attendance.services import attendance_for_pep
from virtual_school.domain import pep_variants, pep_voice, school_days
from virtual_school.peps.services import next_due_for
from virtual_school.peps.vocabulary import DONE_STATES

RAG = ("", "Red", "Amber", "Green")


class PersonalEducationPlan(Document):
	"""A child's PEP for one term: contributors, the child's views, SMART targets, attainment, QA; its variant
	(early years, school age, post-16) from the child's age (``domain.pep_variants``)."""

	def validate(self):
		self.set_defaults()
		self.set_variant()
		self.set_attainment_scales()
		self.validate_attendance()
		before = self.get_doc_before_save()
		self.validate_voice(before)
		self.validate_variant(before)
		if self.workflow_state in DONE_STATES and (not before or before.workflow_state not in DONE_STATES):
			self.completed_on = today()

	def set_defaults(self):
		if not self.school:
			# validate runs after Frappe's fetch_from, so the school's name is copied here too (issue #21:
			# PEP Compliance read "Not set" for every school)
			self.school, self.school_name = frappe.db.get_value(
				"Child", self.child, ["current_school", "current_school_name"]
			) or (None, None)
		reference = getdate(self.meeting_date or self.due_date or today())
		if not self.academic_year:
			self.academic_year = school_days.academic_year_of(reference)
		if not self.term:
			self.term = "Autumn" if reference.month >= 9 else "Spring" if reference.month <= 3 else "Summer"
		if not self.due_date and self.is_new():
			# the obligation this PEP's meeting meets: the earliest missed, else the next (peps.services)
			due = next_due_for(self.child, self.meeting_date or today())
			if due:
				self.due_date, self.due_rule = due.due, due.rule
		if self.is_new() and not self.attendance_percent and self.child:
			self.attendance_percent = attendance_for_pep(self.child, self.academic_year, self.term)

	def validate_voice(self, before):
		"""The child's voice (``domain.pep_voice``): the views or why not, to submit; QA rates it, to approve.
		Checked on entering the state, whichever path gets there (workflow action, REST, import)."""
		entering = self.workflow_state if not before or before.workflow_state != self.workflow_state else None
		if not self.child_views or not self.child_views.strip():
			self.child_views = None
		if pep_voice.has_voice(self.child_views):
			self.no_views_reason = self.no_views_detail = None  # the views are there: no reason to keep
		problems = []
		if entering == "Submitted":
			problems = pep_voice.submission_problems(
				self.child_views, self.no_views_reason, self.no_views_detail
			)
		elif entering == "Approved":
			problems = pep_voice.approval_problems(self.qa_voice_rating)
		if problems:
			frappe.throw("<br>".join(_(problem) for problem in problems), title=_("The Child's Voice"))

	def set_variant(self):
		"""The variant from the child's date of birth and the school year on the due date (the meeting date, or
		today, before one is known). Set here on every save: ``pep_variant`` is read-only, so the security
		package's system-owned register refuses it from any request (issue #17)."""
		born = frappe.db.get_value("Child", self.child, "date_of_birth") if self.child else None
		if born:
			on_date = getdate(self.due_date or self.meeting_date or today())
			self.pep_variant = pep_variants.variant_for(getdate(born), on_date).value

	def validate_variant(self, before):
		"""The variant's own fields (``pep_variants.submission_problems``), checked on entering Submitted,
		whichever path gets there (workflow action, REST, the portal), as the child's voice is; the early
		learning goals must fit the EYFS framework on every save."""
		problems = list(pep_variants.goal_problems(row.as_dict() for row in self.early_learning_goals))
		entering = self.workflow_state if not before or before.workflow_state != self.workflow_state else None
		if entering == "Submitted" and self.pep_variant:
			values = {fieldname: self.get(fieldname) for fieldname in self.meta.get_valid_columns()}
			for df in self.meta.get_table_fields():
				values[df.fieldname] = [row.as_dict() for row in self.get(df.fieldname)]
			problems += [
				problem
				for problem in pep_variants.submission_problems(self.pep_variant, values)
				if problem not in problems
			]
		if problems:
			frappe.throw(
				"<br>".join(frappe.utils.escape_html(problem.text(_)) for problem in problems),
				title=_("PEP Incomplete"),
			)

	def set_attainment_scales(self):
		scale = pep_variants.attainment_scale(self.pep_variant, self.key_stage)
		for row in self.attainment:
			row.scale = scale

	def validate_attendance(self):
		if self.attendance_percent is not None and not 0 <= self.attendance_percent <= 100:
			frappe.throw(_("Attendance must be between 0 and 100%."), title=_("Invalid Attendance"))


def on_doctype_update():
	frappe.db.add_index("Personal Education Plan", ["child", "workflow_state"])
