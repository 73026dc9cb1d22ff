"""Paying schools their approved PP+ claims: the claims a payment may take, and the payment run (issue #21).

A PP Plus Payment pays one school the approved claims of one funding year; submitting it marks them Paid and
writes the school's remittance advice (``pp_plus_payment.py``, ``pp_plus/documents.py``). Finance pays every
school in one action: ``payment_run`` makes one payment per school for all its approved claims not yet on a
payment (a draft one included, so two runs or a run beside a hand-made payment never list a claim twice), and
submits them when asked. It reads the claims as the user may list them (Finance: approved and paid claims).
"""

import frappe
from frappe import _
from frappe.utils import cint, flt, getdate, today

from virtual_school.pp_plus.vocabulary import APPROVED, current_funding_year

# the run's reference, before "/" and the school's URN, fits PP Plus Payment.payment_reference (140)
REFERENCE_LENGTH = 100


@frappe.whitelist()
def payable_claims(school: str, funding_year: str | None = None) -> dict:
	"""The approved, unpaid PP+ claims of a school for a funding year (the current one by default), as the user
	may list them: what *Add All Approved Claims* puts on a payment, new or saved."""
	_require("create")
	funding_year = funding_year or current_funding_year()
	claims = frappe.get_list(
		"PP Plus Claim",
		filters={
			"workflow_state": APPROVED,
			"school": school,
			"funding_year": funding_year,
			"payment": ["is", "not set"],
		},
		pluck="name",
		order_by="name",
		limit_page_length=0,
	)
	return {"funding_year": funding_year, "claims": claims}


def _require(ptype: str) -> None:
	if not frappe.has_permission("PP Plus Payment", ptype):
		raise frappe.PermissionError


def _on_draft_payments(claims: list[str]) -> dict[str, str]:
	"""Claim -> the draft payment that already lists it (a payment not yet submitted)."""
	if not claims:
		return {}
	row, payment = frappe.qb.DocType("PP Plus Payment Claim"), frappe.qb.DocType("PP Plus Payment")
	return dict(
		frappe.qb.from_(row)
		.join(payment)
		.on(row.parent == payment.name)
		.select(row.claim, payment.name)
		.where((row.parenttype == "PP Plus Payment") & (payment.docstatus == 0) & row.claim.isin(claims))
		.run()
	)


@frappe.whitelist()
def payment_run_preview(funding_year: str | None = None) -> dict:
	"""What a payment run would pay in a funding year (the current one by default): school by school, in URN
	order, each school's approved claims on no payment yet; and the draft payments whose claims it leaves out."""
	_require("create")
	funding_year = funding_year or current_funding_year()
	claims = frappe.get_list(
		"PP Plus Claim",
		filters={"workflow_state": APPROVED, "funding_year": funding_year, "payment": ["is", "not set"]},
		fields=["name", "school", "amount"],
		order_by="school asc, name asc",
		limit_page_length=0,
	)
	drafts = _on_draft_payments([claim.name for claim in claims])
	schools: dict[str, dict] = {}
	for claim in claims:
		if claim.name in drafts:
			continue
		entry = schools.setdefault(claim.school, {"school": claim.school, "claims": [], "total": 0.0})
		entry["claims"].append(claim.name)
		entry["total"] = flt(entry["total"] + flt(claim.amount), 2)
	names = dict(
		frappe.get_all(
			"School", filters={"name": ("in", list(schools))}, fields=["name", "school_name"], as_list=True
		)
		if schools
		else []
	)
	for entry in schools.values():
		entry["school_name"] = names.get(entry["school"]) or entry["school"]
	return {
		"funding_year": funding_year,
		"schools": list(schools.values()),
		"claims": sum(len(entry["claims"]) for entry in schools.values()),
		"total": flt(sum(entry["total"] for entry in schools.values()), 2),
		"on_drafts": sorted(set(drafts.values())),
	}


@frappe.whitelist(methods=["POST"])
def payment_run(
	payment_date: str, payment_reference: str, funding_year: str | None = None, submit: int | str = 0
) -> dict:
	"""One PP Plus Payment per school for all its approved claims awaiting payment in the funding year, in one
	action; submitted too when ``submit`` is set (the claims become Paid, each school gets its remittance
	advice). All or nothing: a payment that fails to save or submit undoes the run. Each payment's reference is
	the run's, a slash and the school's URN."""
	_require("create")
	submit = cint(submit)
	if submit:
		_require("submit")
	reference = (payment_reference or "").strip()
	if not reference:
		frappe.throw(
			_("Enter the payment run's reference (the BACS or ledger batch)."), title=_("Reference Needed")
		)
	if len(reference) > REFERENCE_LENGTH:
		frappe.throw(
			_("Keep the payment run's reference to {0} characters.").format(REFERENCE_LENGTH),
			title=_("Reference Too Long"),
		)
	paid_on = getdate(payment_date or today())
	funding_year = funding_year or current_funding_year()
	# one run at a time for a funding year: a second waits here, then finds the first's payments
	if not funding_year or not frappe.db.get_value(
		"PP Plus Funding Year", funding_year, "name", for_update=True
	):
		frappe.throw(_("Choose the funding year to pay."), title=_("Funding Year Needed"))
	found = payment_run_preview(funding_year)
	if not found["schools"]:
		frappe.throw(
			_("No approved claims are waiting for payment in {0}.").format(funding_year),
			title=_("Nothing to Pay"),
		)
	payments = []
	for entry in found["schools"]:
		payment = frappe.get_doc(
			{
				"doctype": "PP Plus Payment",
				"school": entry["school"],
				"funding_year": funding_year,
				"payment_date": paid_on,
				"payment_reference": f"{reference}/{entry['school']}",
				"claims": [{"claim": claim} for claim in entry["claims"]],
			}
		).insert()
		if submit:
			payment.submit()
		payments.append(payment.name)
	return {
		"funding_year": funding_year,
		"payments": payments,
		"submitted": bool(submit),
		"claims": found["claims"],
		"total": found["total"],
		"on_drafts": found["on_drafts"],
	}
