# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import today

from virtual_school.pp_plus.vocabulary import IMPACT_SUBMITTED


class PPPlusImpactReport(Document):
	"""What one school's PP+ funded activities achieved in one term, child by child."""

	def validate(self):
		self.validate_rows()
		before = self.get_doc_before_save()
		if self.workflow_state == IMPACT_SUBMITTED and (
			not before or before.workflow_state != IMPACT_SUBMITTED
		):
			self.validate_complete()
			self.submitted_on = today()

	def validate_rows(self):
		claims = {
			row.name: row
			for row in frappe.get_all(
				"PP Plus Claim",
				filters={"name": ["in", [row.claim for row in self.rows] or [""]]},
				fields=["name", "school", "funding_year", "term"],
			)
		}
		for row in self.rows:
			claim = claims.get(row.claim)
			if not claim or (claim.school, claim.funding_year, claim.term) != (
				self.school,
				self.funding_year,
				self.term,
			):
				frappe.throw(
					_("Row {0}: claim {1} is not a {2} term {3} claim for this school.").format(
						row.idx, row.claim, _(self.term), self.funding_year
					),
					title=_("Wrong Claim"),
				)

	def validate_complete(self):
		for row in self.rows:
			if not (row.what_was_done or "").strip() or not (row.impact or "").strip():
				frappe.throw(
					_("Row {0} ({1}): say what was done and the impact on the child's target.").format(
						row.idx, row.claim
					),
					title=_("Impact Report Incomplete"),
				)
