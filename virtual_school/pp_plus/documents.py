"""PP+ letters written from records and attached to them (private files): decisions and remittances."""

from decimal import Decimal

from frappe.utils import getdate, today
from frappe.utils.file_manager import save_file

from virtual_school.domain import pp_plus_letters
from virtual_school.shared.documents import addressee, authority, initials_of, pupil


def attach_decision_letter(claim) -> str:
	"""Write the approval or rejection letter to the school and attach it to the claim."""
	content = pp_plus_letters.decision_letter(
		authority(),
		addressee(claim.school),
		pupil(claim.child, claim.name),
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
