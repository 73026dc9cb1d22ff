"""PP+ letters written from records and attached to them (private files): decisions and remittances."""

from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import getdate, today
from frappe.utils.file_manager import save_file

from virtual_school.domain import letters, pp_plus_letters


def authority() -> letters.Authority:
	settings = frappe.get_cached_doc("Virtual School Settings")
	return letters.Authority(
		name=settings.authority_name,
		virtual_school_name=settings.virtual_school_name or _("Virtual School"),
		signatory=settings.letter_signatory or settings.authority_name,
		signatory_title=settings.letter_signatory_title or _("Virtual School Head"),
	)


def addressee(school: str) -> letters.SchoolAddressee:
	row = frappe.db.get_value(
		"School", school, ["school_name", "headteacher", "street", "town", "postcode", "name"], as_dict=True
	)
	return letters.SchoolAddressee(
		name=row.school_name,
		headteacher=row.headteacher or "",
		street=row.street or "",
		town=row.town or "",
		postcode=row.postcode or "",
		urn=row.name,
	)


def initials_of(child: str) -> str:
	first_name, last_name = frappe.db.get_value("Child", child, ["first_name", "last_name"])
	return letters.child_initials(first_name, last_name)


def attach_decision_letter(claim) -> str:
	"""Write the approval or rejection letter to the school and attach it to the claim."""
	child = frappe.db.get_value(
		"Child", claim.child, ["first_name", "last_name", "date_of_birth", "year_group", "upn"], as_dict=True
	)
	pupil = letters.PupilDetails(
		initials=letters.child_initials(child.first_name, child.last_name),
		date_of_birth=getdate(child.date_of_birth),
		year_group=child.year_group or "",
		upn=child.upn or "",
		reference=claim.name,
		withheld_names=(child.first_name, child.last_name),
	)
	content = pp_plus_letters.decision_letter(
		authority(),
		addressee(claim.school),
		pupil,
		letter_date=getdate(today()),
		claim_reference=claim.name,
		amount=Decimal(str(claim.amount)),
		category=claim.category,
		description=claim.description or "",
		decision=claim.workflow_state,
		reason=claim.decision_reason or "",
		funding_year=claim.funding_year,
	)
	file_name = f"{claim.name}-decision-{claim.workflow_state.lower()}.docx"
	return save_file(file_name, content, claim.doctype, claim.name, is_private=1).file_url


def attach_remittance_advice(payment) -> str:
	"""Write the remittance advice (children by initials) and attach it to the payment."""
	lines = [
		pp_plus_letters.RemittanceLine(
			initials=initials_of(row.child),
			claim_reference=row.claim,
			category=row.category or "",
			amount=Decimal(str(row.amount)),
		)
		for row in payment.claims
	]
	content = pp_plus_letters.remittance_advice(
		authority(),
		addressee(payment.school),
		letter_date=getdate(today()),
		payment_reference=payment.payment_reference,
		payment_date=getdate(payment.payment_date),
		funding_year=payment.funding_year,
		lines=lines,
	)
	return save_file(
		f"{payment.name}-remittance.docx", content, payment.doctype, payment.name, is_private=1
	).file_url
