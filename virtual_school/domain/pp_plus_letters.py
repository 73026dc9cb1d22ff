"""Pupil Premium Plus (PP+) letters to schools, written as real .docx files with python-docx.

Two documents, each returned as ``bytes`` for the caller to attach to a record (DOMAIN.md "PP+ Claim" and
"PP+ Payment"):

- ``decision_letter``: tells the school that a PP+ claim for a looked-after child was approved or rejected,
  what it was for, the amount and the reason. An approval says that payment follows with a remittance advice
  and that an impact report will be asked for at the end of term.
- ``remittance_advice``: one payment to one school covering a batch of approved claims, listing each child
  by initials only, with claim references, categories, amounts and a total.

The virtual school head manages PP+ for the children the authority looks after and allocates it to schools
(gov.uk "Pupil premium: virtual school heads' responsibilities"); the grant runs by financial year, 1 April to
31 March (STATUTORY.md section 1). PP+ for previously looked-after children is paid to schools through the
census, not by the virtual school, so these letters are for looked-after children only. A decision written
after the child left care says so (``letters.PupilDetails.looked_after``, issue #18 item 1): the claim was
made while the child was looked after, and the letter does not call them looked after any more.

Both carry the OFFICIAL-SENSITIVE marking and layout of ``letters`` (whose helpers they reuse), British dates
and sums like "£1,234.50". This module imports nothing from Frappe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from virtual_school.domain.letters import (
	Authority,
	PupilDetails,
	SchoolAddressee,
	_add_run,
	_bullets,
	_check_initials,
	_contact_sentence,
	_described,
	_details_table,
	_free_text,
	_keep_rows_whole,
	_letter_to_school,
	_paragraph,
	_pupil_rows,
	_quoted,
	_sign_off,
	_subject_text,
	_to_bytes,
	long_date,
	plain_text,
)
from virtual_school.domain.pp_plus_budget import (
	Money,
	financial_year_bounds,
	format_money,
	validate_amount,
)

__all__ = ["DECISIONS", "RemittanceLine", "decision_letter", "remittance_advice"]

DECISIONS = ("Approved", "Rejected")
_PP_PLUS = "Pupil Premium Plus"


@dataclass(frozen=True)
class RemittanceLine:
	"""One approved claim in a payment: the child's initials (never a name), claim reference, category, amount.

	``amount`` is converted to ``Decimal``; InvalidAmount (a ValueError) unless it is above zero in pounds and
	pence.
	"""

	initials: str
	claim_reference: str
	category: str
	amount: Decimal

	def __post_init__(self) -> None:
		object.__setattr__(self, "amount", validate_amount(self.amount))


def _funding_year_text(funding_year: str) -> str:
	"""``2025-26 (1 April 2025 to 31 March 2026)``; ValueError for a label that is not a financial year."""
	start, end = financial_year_bounds(plain_text(funding_year))
	return f"{plain_text(funding_year)} (1 April {start.year} to 31 March {end.year})"


def _required(value: object, what: str) -> str:
	"""``value`` as plain text; ValueError if it is blank."""
	text = plain_text(value)
	if not text:
		raise ValueError(f"{what} is blank.")
	return text


def _initials_only(initials: str) -> str:
	"""Checked initials for a remittance line (same rule as the letters: at most four capitals)."""
	return _check_initials(PupilDetails(initials=initials, date_of_birth=date.min, year_group=""))


def _reference_only(reference: str) -> PupilDetails:
	"""A stand-in for the letterhead, which prints ``Our reference`` from a pupil: no child is named."""
	return PupilDetails(initials="", date_of_birth=date.min, year_group="", reference=reference)


def decision_letter(
	authority: Authority,
	school: SchoolAddressee,
	pupil: PupilDetails,
	*,
	letter_date: date,
	claim_reference: str,
	amount: Money,
	category: str,
	description: str,
	decision: str,
	reason: str = "",
	funding_year: str,
) -> bytes:
	"""Tell a school the decision on its PP+ claim for a looked-after child.

	``decision`` is "Approved" or "Rejected"; ``reason`` must not be blank for a rejection (for an approval it
	is printed as notes if given). ``amount`` is the sum claimed (and, if approved, to be paid);
	``funding_year`` the financial year label, e.g. "2025-26". ``description`` and ``reason`` are free text:
	any of the child's ``withheld_names`` in them are replaced by the initials. ValueError for a bad decision,
	claim reference, category, funding year or amount.
	"""
	initials = _check_initials(pupil)
	if decision not in DECISIONS:
		raise ValueError(f"decision must be 'Approved' or 'Rejected', got {decision!r}")
	approved = decision == "Approved"
	reference = _required(claim_reference, "claim_reference")
	category_text = _required(category, "category")
	money = format_money(validate_amount(amount))
	year = _funding_year_text(funding_year)
	description_text = _free_text(description, pupil)
	reason_text = _free_text(reason, pupil)
	if not approved and not reason_text:
		raise ValueError("reason is blank: a rejected claim must say why it was not approved.")

	heading = f"{_PP_PLUS} claim {reference} {'approved' if approved else 'not approved'}"
	subject = _subject_text(heading, pupil)
	document = _letter_to_school(authority, school, pupil, letter_date, subject)

	school_name = plain_text(school.name)
	virtual_school = plain_text(authority.virtual_school_name)
	_paragraph(
		document,
		f"Thank you for the {_PP_PLUS} (PP+) claim {reference} that {school_name} made for {initials}, "
		f"{_described(pupil, authority)}. The claim is for {money} ({category_text}) from the child's PP+ "
		f"for the financial year {year}.",
	)
	if approved:
		_paragraph(
			document,
			f"I am pleased to tell you that {virtual_school} has approved this claim for {money}.",
			bold=True,
		)
	else:
		_paragraph(
			document, f"I am sorry to tell you that {virtual_school} has not approved this claim.", bold=True
		)
	if description_text:
		_quoted(document, "What the funding is for:", description_text)
	if reason_text:
		_quoted(
			document, "Notes on the decision:" if approved else "Why the claim was not approved:", reason_text
		)

	_details_table(
		document,
		[
			*_pupil_rows(pupil),
			("Claim reference", reference),
			("Funding year", year),
			("Category", category_text),
			("Amount approved" if approved else "Amount claimed", money),
			("Decision", "Approved" if approved else "Not approved"),
			("Date of decision", long_date(letter_date)),
		],
		heading="Claim details",
	)
	if approved:
		_paragraph(document, "What happens next:", space_after=2)
		_bullets(
			document,
			[
				f"We will pay {money} to the school. A remittance advice will follow with the payment, listing "
				f"this claim by its reference, {reference}, and the child's initials.",
				f"Please use the money only for what was approved, to support {initials}'s progress "
				"towards the targets in the child's Personal Education Plan (PEP), and keep a record of how "
				"it was spent.",
				f"At the end of term we will ask the school for an impact report on what the funded activity "
				f"achieved for {initials} against those targets, so please keep the evidence you will need.",
			],
		)
	else:
		_paragraph(
			document,
			"No payment will be made for this claim. The school may send a revised claim, for example with "
			"more information or linked to a target in the child's Personal Education Plan (PEP). We are happy "
			f"to talk about other ways PP+ could support {initials}.",
		)
	_paragraph(document, _contact_quoting(authority, "claim reference", reference, pupil.reference))
	_sign_off(document, authority)
	return _to_bytes(document)


def _contact_quoting(authority: Authority, label: str, reference: str, our_reference: str = "") -> str:
	"""The letters' contact sentence, asking the reader to quote ``reference`` (and our case reference)."""
	sentence = _contact_sentence(authority, _reference_only("")).rstrip(".")
	ours = plain_text(our_reference)
	ours = f" and our reference {ours}" if ours and ours != reference else ""
	return f"{sentence}, quoting the {label} {reference}{ours}."


def remittance_advice(
	authority: Authority,
	school: SchoolAddressee,
	*,
	letter_date: date,
	payment_reference: str,
	payment_date: date,
	funding_year: str,
	lines: Sequence[RemittanceLine],
) -> bytes:
	"""A remittance advice for one PP+ payment to one school, listing the claims it pays and their total.

	Children appear by initials only; each line is checked to hold initials, not a name. ValueError for no
	lines, a repeated claim reference (a claim is never paid twice), a blank payment reference or a bad
	funding year.
	"""
	reference = _required(payment_reference, "payment_reference")
	year = _funding_year_text(funding_year)
	if not lines:
		raise ValueError("lines is empty: a remittance advice lists at least one claim.")
	rows: list[tuple[str, str, str, Decimal]] = []
	seen: set[str] = set()
	for line in lines:
		claim = _required(line.claim_reference, "claim_reference")
		if claim in seen:
			raise ValueError(f"claim {claim} appears twice in this payment: a claim is never paid twice.")
		seen.add(claim)
		rows.append(
			(_initials_only(line.initials), claim, plain_text(line.category), validate_amount(line.amount))
		)
	total = sum((amount for *_, amount in rows), Decimal("0.00"))

	school_name = plain_text(school.name)
	subject = f"Remittance advice: {_PP_PLUS} payment {reference} to {school_name}"
	document = _letter_to_school(authority, school, _reference_only(reference), letter_date, subject)
	paid = "are paying" if payment_date >= letter_date else "paid"
	claims = "claim" if len(rows) == 1 else "claims"
	_paragraph(
		document,
		f"We {paid} {format_money(total)} to {school_name} on {long_date(payment_date)} from the {_PP_PLUS} "
		f"(PP+) grant for children looked after by {plain_text(authority.name)}, financial year {year}. The "
		f"payment covers the {len(rows)} approved {claims} listed below.",
	)
	_details_table(
		document,
		[
			("Payment reference", reference),
			("Payment date", long_date(payment_date)),
			("Funding year", year),
			("School", school_name),
			("URN", plain_text(school.urn)),
			("Number of claims", str(len(rows))),
			("Total paid", format_money(total)),
		],
		heading="Payment details",
	)

	_paragraph(document, "Claims paid", bold=True, space_after=3).paragraph_format.keep_with_next = True
	table = document.add_table(rows=1, cols=4)
	table.style = document.styles["Table Grid"]
	widths = (Cm(3.4), Cm(4.0), Cm(6.0), Cm(3.2))
	for cell, label, width in zip(
		table.rows[0].cells,
		("Child (initials)", "Claim reference", "Category", "Amount"),
		widths,
		strict=True,
	):
		cell.width = width
		_add_run(cell.paragraphs[0], label, bold=True)
	table.rows[0].cells[3].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
	for initials, claim, category, amount in rows:
		cells = table.add_row().cells
		for cell, text, width in zip(
			cells, (initials, claim, category, format_money(amount)), widths, strict=True
		):
			cell.width = width
			_add_run(cell.paragraphs[0], text)
		cells[3].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
	cells = table.add_row().cells
	for cell, text, width in zip(cells, ("Total", "", "", format_money(total)), widths, strict=True):
		cell.width = width
		_add_run(cell.paragraphs[0], text, bold=True)
	cells[3].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
	_keep_rows_whole(table, together=len(rows) <= 20, header_row=True)
	_paragraph(document, space_after=0)

	_paragraph(
		document,
		"Children are named by their initials only. Please match each line to the child by its claim "
		"reference, and use each sum only for what was approved for that child. At the end of term we will "
		"ask the school for an impact report on what the funded activities achieved.",
	)
	_paragraph(
		document,
		"If the amount the school receives differs from this advice, please tell us straight away. "
		+ _contact_quoting(authority, "payment reference", reference),
	)
	_sign_off(document, authority)
	return _to_bytes(document)
