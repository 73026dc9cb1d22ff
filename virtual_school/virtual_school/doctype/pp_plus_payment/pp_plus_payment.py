# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from virtual_school.pp_plus.documents import attach_remittance_advice
from virtual_school.pp_plus.vocabulary import APPROVED, DRAFT, PAID


class DoublePaymentError(frappe.ValidationError):
	pass


class PPPlusPayment(Document):
	"""A batch of approved claims paid to one school; submitting marks them Paid, cancelling reverses it."""

	def validate(self):
		self.validate_claims()

	def on_submit(self):
		self.set_claims_state(PAID, self.name)
		attach_remittance_advice(self)

	def on_cancel(self):
		self.set_claims_state(APPROVED, None)

	def validate_claims(self):
		names = [row.claim for row in self.claims]
		if not names:
			frappe.throw(_("Add at least one approved claim."), title=_("No Claims"))
		repeated = {name for name in names if names.count(name) > 1}
		if repeated:
			frappe.throw(
				_("Claim {0} is listed twice.").format(", ".join(sorted(repeated))),
				title=_("Duplicate Claim"),
			)
		# Lock the claims: a second payment of the same claim waits here, then sees it paid.
		claims = {
			row.name: row
			for row in frappe.db.sql(
				"""select name, workflow_state, school, funding_year, payment, amount, child
				from `tabPP Plus Claim` where name in %(names)s for update""",
				{"names": tuple(names)},
				as_dict=True,
			)
		}
		total = 0
		for row in self.claims:
			claim = claims.get(row.claim)
			# A claim the user may not read (Finance sees approved and paid claims only) gets the answer a
			# missing one gets: the messages below would tell its state, payment or school.
			if not claim or not frappe.has_permission("PP Plus Claim", "read", row.claim):
				frappe.throw(
					_("Row {0}: claim {1} cannot be paid: only approved claims can be paid.").format(
						row.idx, row.claim
					),
					title=_("Claim Not Approved"),
				)
			if claim.payment and claim.payment != self.name:
				frappe.throw(
					_("Row {0}: claim {1} is already in payment {2}.").format(
						row.idx, row.claim, claim.payment
					),
					exc=DoublePaymentError,
					title=_("Already Paid"),
				)
			if claim.workflow_state != APPROVED:
				frappe.throw(
					_("Row {0}: claim {1} is {2}; only approved claims can be paid.").format(
						row.idx, row.claim, _(claim.workflow_state or DRAFT)
					),
					title=_("Claim Not Approved"),
				)
			if claim.school != self.school or claim.funding_year != self.funding_year:
				frappe.throw(
					_("Row {0}: claim {1} is for another school or funding year.").format(row.idx, row.claim),
					title=_("Wrong Claim"),
				)
			row.amount, row.child = claim.amount, claim.child
			total += claim.amount
		self.total = total

	def set_claims_state(self, state: str, payment: str | None):
		names = [row.claim for row in self.claims]
		claim = frappe.qb.DocType("PP Plus Claim")
		frappe.qb.update(claim).set(claim.workflow_state, state).set(claim.payment, payment).where(
			claim.name.isin(names)
		).run()
		for name in names:
			frappe.get_doc("PP Plus Claim", name).add_comment(
				"Info",
				_("Marked {0} by PP+ payment {1}.").format(_(state), self.name),
			)
