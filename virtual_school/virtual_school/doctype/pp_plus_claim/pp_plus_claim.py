# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import formatdate, getdate, today

from virtual_school.children.leaving_care import left_care_refusal
from virtual_school.children.vocabulary import LOOKED_AFTER
from virtual_school.domain import pp_plus_budget
from virtual_school.pp_plus.budget import add_budget_index, budget_for, check_has_allocation
from virtual_school.pp_plus.documents import attach_decision_letter
from virtual_school.pp_plus.vocabulary import (
	APPROVED,
	COMMITTED_STATES,
	DECIDED_STATES,
	REJECTED,
	RETURNED,
	SUBMITTED,
)
from virtual_school.setup.roles import VIRTUAL_SCHOOL_HEAD
from virtual_school.shared import settings


class SelfApprovalError(frappe.PermissionError):
	pass


class ApprovalLimitError(frappe.PermissionError):
	pass


class OverAllocationError(frappe.ValidationError):
	pass


class PPPlusClaim(Document):
	"""A request for Pupil Premium Plus for one looked-after child, approved within their allocation."""

	def validate(self):
		if self.is_new():
			# In validate, not before_insert: system-owned fields a request sent are compared before validate
			# (virtual_school/security/system_owned.py), and the requester is the code's, never the client's.
			self.requester = frappe.session.user
		self.validate_child()
		self.set_school()
		self.validate_funding_year()
		self.validate_amount()
		self.validate_school()
		self.validate_pep()
		self.validate_no_change_after_approval()
		self.apply_state_change()

	def on_update(self):
		if self.state_changed_to(DECIDED_STATES):
			attach_decision_letter(self)

	def state_changed_to(self, states) -> bool:
		before = self.get_doc_before_save()
		return self.workflow_state in states and (not before or before.workflow_state != self.workflow_state)

	def validate_child(self):
		cohort, year_group, key_stage = frappe.db.get_value(
			"Child", self.child, ["cohort", "year_group", "key_stage"]
		) or (None, None, None)
		if cohort != LOOKED_AFTER:
			frappe.throw(
				_(
					"{0} is in the {1} cohort. The virtual school manages Pupil Premium Plus for looked-after "
					"children only; for previously looked-after children it is paid to the school directly."
				).format(self.child_name or self.child, _(cohort or "")),
				title=_("Not Eligible"),
			)
		if self.is_new() or self.has_value_changed("child"):
			# Only when the claim is made: one approved in Year 11 stays payable after the child moves up.
			check_has_allocation(self.child_name or self.child, year_group, key_stage)
			# No allocation or new claim from the day the child left care (STATUTORY.md section 11): the
			# cohort check above cannot see it, a child who returned home keeps their last cohort.
			refusal = left_care_refusal(self.child)
			if refusal:
				frappe.throw(refusal, title=_("Not Eligible"))

	def set_school(self):
		if not self.school:
			self.school = frappe.db.get_value("Child", self.child, "current_school")
		if not self.school:
			frappe.throw(_("The child has no current school: choose the School."), title=_("School Needed"))

	def validate_funding_year(self):
		start, end = frappe.db.get_value(
			"PP Plus Funding Year", self.funding_year, ["start_date", "end_date"]
		)
		claim_date = getdate(self.claim_date)
		if not getdate(start) <= claim_date <= getdate(end):
			frappe.throw(
				_("Claim Date {0} is outside funding year {1} ({2} to {3}).").format(
					formatdate(claim_date), self.funding_year, formatdate(start), formatdate(end)
				),
				title=_("Wrong Funding Year"),
			)
		self.term = pp_plus_budget.term_of(claim_date)

	def validate_amount(self):
		try:
			pp_plus_budget.validate_amount(self.amount)
		except pp_plus_budget.InvalidAmount as error:
			frappe.throw(_("Amount: {0}").format(error), title=_("Invalid Amount"))

	def validate_school(self):
		placement = frappe.qb.DocType("Education Placement")
		at_school = (
			frappe.qb.from_(placement)
			.select(placement.name)
			.where(
				(placement.child == self.child)
				& (placement.school == self.school)
				& (placement.start_date <= self.claim_date)
				& (placement.end_date.isnull() | (placement.end_date >= self.claim_date))
			)
			.limit(1)
			.run()
		)
		if not at_school:
			frappe.throw(
				_("{0} is not on roll at {1} on {2}: PP+ is paid to the child's school.").format(
					self.child_name or self.child,
					self.school_name or self.school,
					formatdate(self.claim_date),
				),
				title=_("Not the Child's School"),
			)

	def validate_pep(self):
		if self.personal_education_plan and (
			frappe.db.get_value("Personal Education Plan", self.personal_education_plan, "child")
			!= self.child
		):
			frappe.throw(
				_("Personal Education Plan {0} is not {1}'s.").format(
					self.personal_education_plan, self.child_name or self.child
				),
				title=_("Wrong PEP"),
			)

	def validate_no_change_after_approval(self):
		before = self.get_doc_before_save()
		if not before or before.workflow_state not in COMMITTED_STATES:
			return
		for fieldname in ("child", "school", "funding_year", "amount", "claim_date"):
			if str(before.get(fieldname) or "") != str(self.get(fieldname) or ""):
				frappe.throw(
					_("{0} cannot change once the claim is {1}.").format(
						_(self.meta.get_label(fieldname)), _(before.workflow_state)
					),
					title=_("Claim Locked"),
				)

	def apply_state_change(self):
		before = self.get_doc_before_save()
		previous = before.workflow_state if before else None
		if self.workflow_state == previous:
			return
		user = frappe.session.user
		if self.workflow_state == SUBMITTED:
			self.submitted_by = user
		if self.workflow_state in DECIDED_STATES:
			self.check_decider(user)
			self.approver, self.decided_on = user, today()
		if self.workflow_state == APPROVED:
			self.check_approval_limit(user)
			self.check_budget()
		if self.workflow_state in (REJECTED, RETURNED) and not (self.decision_reason or "").strip():
			frappe.throw(_("Give the reason in Decision Reason."), title=_("Reason Needed"))

	def check_decider(self, user: str):
		"""Separation of duties: nobody decides a claim they raised or submitted."""
		if user in (self.requester, self.submitted_by) and user != "Administrator":
			frappe.throw(
				_("You raised or submitted this claim, so another manager must decide it."),
				exc=SelfApprovalError,
				title=_("Separation of Duties"),
			)

	def check_approval_limit(self, user: str):
		limit = settings.get().manager_approval_limit
		if pp_plus_budget.needs_head_approval(self.amount, limit) and user != "Administrator":
			if VIRTUAL_SCHOOL_HEAD not in frappe.get_roles(user):
				frappe.throw(
					_(
						"{0} is above the managers' approval limit of {1}: the Virtual School Head must approve it."
					).format(pp_plus_budget.format_money(self.amount), pp_plus_budget.format_money(limit)),
					exc=ApprovalLimitError,
					title=_("Above Approval Limit"),
				)

	def check_budget(self):
		"""Lock the child's budget and check this claim fits the allocation (and the termly cap)."""
		budget = budget_for(self.child, self.funding_year, term=self.term, exclude=self.name)
		try:
			pp_plus_budget.check_claim(budget, self.amount)
		except pp_plus_budget.OverAllocation as error:
			frappe.throw(
				_("Cannot approve: {0}").format(error), exc=OverAllocationError, title=_("Over Allocation")
			)


def on_doctype_update():
	add_budget_index()
