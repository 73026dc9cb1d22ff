"""Tier 1: PP+ decision letter and remittance advice as .docx (DOMAIN.md "PP+ Claim" and "PP+ Payment")."""

import io
from datetime import date
from decimal import Decimal

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtual_school.domain import letters
from virtual_school.domain.pp_plus_budget import InvalidAmount
from virtual_school.domain.pp_plus_letters import RemittanceLine, decision_letter, remittance_advice

AUTHORITY = letters.Authority(
	name="Kent County Council",
	virtual_school_name="Kent Virtual School",
	signatory="Helen Hart",
	signatory_title="Virtual School Head",
	address_lines=("Sessions House", "County Road", "Maidstone", "ME14 1XQ"),
	email="virtual.school@kent.example",
	telephone="03000 000000",
)
SCHOOL = letters.SchoolAddressee(
	name="St Mary's Church of England High School",
	headteacher="Mrs J Patel",
	street="1 Church Lane",
	town="Canterbury",
	postcode="CT1 1AA",
	urn="118000",
)
FIRST_NAME, LAST_NAME = "Amara", "Okafor-Smith"
PUPIL = letters.PupilDetails(
	initials=letters.child_initials(FIRST_NAME, LAST_NAME),
	date_of_birth=date(2015, 3, 14),
	year_group="Year 10",
	upn="B801200005001",
	reference="CHD-00012",
	withheld_names=(FIRST_NAME, LAST_NAME),
)
LINES = (
	RemittanceLine("A.O.", "PPC-00031", "Tuition", Decimal("450.50")),
	RemittanceLine("B.K.", "PPC-00032", "Equipment", Decimal("1234.00")),
	RemittanceLine("C.D.", "PPC-00040", "Trips and enrichment", Decimal("89.99")),
)


def decision(**changes):
	arguments = {
		"letter_date": date(2026, 1, 12),
		"claim_reference": "PPC-00031",
		"amount": "450.50",
		"category": "Tuition",
		"description": f"Ten one-to-one maths sessions for {FIRST_NAME} before the mock exams.",
		"decision": "Approved",
		"reason": "",
		"funding_year": "2025-26",
	}
	arguments.update(changes)
	return decision_letter(AUTHORITY, SCHOOL, PUPIL, **arguments)


def remittance(lines=LINES, **changes):
	arguments = {
		"letter_date": date(2026, 1, 20),
		"payment_reference": "PAY-2026-0007",
		"payment_date": date(2026, 1, 23),
		"funding_year": "2025-26",
		"lines": lines,
	}
	arguments.update(changes)
	return remittance_advice(AUTHORITY, SCHOOL, **arguments)


def open_letter(data: bytes):
	assert isinstance(data, bytes)
	return docx.Document(io.BytesIO(data))


def everything(data: bytes) -> str:
	"""All the visible text (body, tables, headers, footers) and the document properties."""
	document = open_letter(data)
	texts = [paragraph.text for paragraph in document.paragraphs]
	texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
	section = document.sections[0]
	for margin in (section.first_page_header, section.header, section.first_page_footer, section.footer):
		texts += [paragraph.text for paragraph in margin.paragraphs]
	properties = document.core_properties
	texts += [
		properties.title,
		properties.subject,
		properties.author,
		properties.comments,
		properties.keywords,
	]
	return "\n".join(texts)


def claims_table(data: bytes):
	"""The remittance table: rows of (initials, claim reference, category, amount)."""
	(table,) = [
		table for table in open_letter(data).tables if table.rows[0].cells[0].text == "Child (initials)"
	]
	return [[cell.text for cell in row.cells] for row in table.rows]


# --- decision letter --------------------------------------------------------------------------------------


def test_approval_letter_content():
	text = everything(decision())
	for expected in (
		"OFFICIAL-SENSITIVE",
		"Kent County Council",
		"Kent Virtual School",
		"St Mary's Church of England High School",
		"Dear Mrs J Patel",
		"A.O.",
		"PPC-00031",
		"£450.50",
		"Tuition",
		"2025-26 (1 April 2025 to 31 March 2026)",
		"12 January 2026",
		"14 March 2015",
		"approved",
		"remittance advice",
		"impact report",
		"end of term",
		"Ten one-to-one maths sessions for A.O. before the mock exams.",
		"Helen Hart",
	):
		assert expected in text, expected
	assert "Pupil Premium Plus claim PPC-00031 approved: pupil A.O." in text


def test_rejection_letter_gives_the_reason():
	data = decision(decision="Rejected", reason=f"{FIRST_NAME} already has tuition funded this term.")
	text = everything(data)
	assert "not approved" in text
	assert "Why the claim was not approved:" in text
	assert "A.O. already has tuition funded this term." in text
	assert "No payment will be made" in text
	assert "remittance advice will follow" not in text


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_rejection_without_a_reason_raises(reason):
	with pytest.raises(ValueError, match="reason"):
		decision(decision="Rejected", reason=reason)


@pytest.mark.parametrize(
	"changes",
	[
		{"decision": "Maybe"},
		{"decision": "approved"},
		{"funding_year": "2025-2026"},
		{"claim_reference": " "},
		{"category": ""},
	],
)
def test_decision_letter_rejects_bad_arguments(changes):
	with pytest.raises(ValueError):
		decision(**changes)


@pytest.mark.parametrize("amount", [0, "-10", "10.001"])
def test_decision_letter_rejects_bad_amounts(amount):
	with pytest.raises(InvalidAmount):
		decision(amount=amount)


def test_decision_letter_never_names_the_child():
	for data in (
		decision(),
		decision(decision="Rejected", reason=f"{FIRST_NAME} {LAST_NAME} has left the school."),
	):
		text = everything(data).lower()
		for name in (FIRST_NAME, LAST_NAME, "okafor", "smith"):
			assert name.lower() not in text, name


def test_decision_letter_refuses_a_name_as_initials():
	pupil = letters.PupilDetails(initials="Amara", date_of_birth=date(2015, 3, 14), year_group="Year 10")
	with pytest.raises(ValueError):
		decision_letter(
			AUTHORITY,
			SCHOOL,
			pupil,
			letter_date=date(2026, 1, 12),
			claim_reference="PPC-1",
			amount=10,
			category="Tuition",
			description="",
			decision="Approved",
			reason="",
			funding_year="2025-26",
		)


# --- remittance advice ------------------------------------------------------------------------------------


def test_remittance_advice_content():
	text = everything(remittance())
	for expected in (
		"OFFICIAL-SENSITIVE",
		"Kent County Council",
		"Kent Virtual School",
		"St Mary's Church of England High School",
		"PAY-2026-0007",
		"23 January 2026",
		"20 January 2026",
		"2025-26",
		"118000",
		"A.O.",
		"B.K.",
		"C.D.",
		"PPC-00040",
		"Trips and enrichment",
		"£1,234.00",
		"£1,774.49",
	):
		assert expected in text, expected


def test_remittance_table_rows_and_total():
	rows = claims_table(remittance())
	assert rows[0] == ["Child (initials)", "Claim reference", "Category", "Amount"]
	assert rows[1] == ["A.O.", "PPC-00031", "Tuition", "£450.50"]
	assert rows[-1] == ["Total", "", "", "£1,774.49"]
	assert len(rows) == len(LINES) + 2


@settings(max_examples=25, deadline=None)
@given(st.lists(st.decimals(min_value="0.01", max_value=5000, places=2), min_size=1, max_size=6))
def test_total_equals_sum_of_lines(amounts):
	lines = [
		RemittanceLine("A.B.", f"PPC-{index}", "Tuition", amount) for index, amount in enumerate(amounts)
	]
	rows = claims_table(remittance(lines))
	total = sum(amounts, Decimal("0.00"))
	assert rows[-1][3] == f"£{total:,.2f}"
	line_sum = sum(Decimal(row[3].removeprefix("£").replace(",", "")) for row in rows[1:-1])
	assert line_sum == total


def test_remittance_line_amounts_become_decimal():
	assert RemittanceLine("A.O.", "PPC-1", "Tuition", "12.5").amount == Decimal("12.5")
	with pytest.raises(InvalidAmount):
		RemittanceLine("A.O.", "PPC-1", "Tuition", 0)


def test_remittance_refuses_names_empty_batches_and_duplicate_claims():
	with pytest.raises(ValueError):
		remittance([RemittanceLine(f"{FIRST_NAME} {LAST_NAME}", "PPC-1", "Tuition", Decimal(10))])
	with pytest.raises(ValueError):
		remittance([])
	with pytest.raises(ValueError, match="twice"):
		remittance([LINES[0], LINES[0]])
	with pytest.raises(ValueError):
		remittance(payment_reference="")
	with pytest.raises(ValueError):
		remittance(funding_year="2025")


NAMED_CHILDREN = (("Amara", "Okafor-Smith"), ("Bartholomew", "Kato"), ("Chloe", "Dunmore"))


def test_remittance_never_names_a_child():
	"""A child reaches a remittance only through a line's initials: the initials made from the names are
	printed, the names never; a name given as the initials is refused."""
	lines = [
		RemittanceLine(letters.child_initials(first, last), f"PPC-{number}", "Tuition", Decimal(10))
		for number, (first, last) in enumerate(NAMED_CHILDREN)
	]
	text = everything(remittance(lines)).lower()
	for first, last in NAMED_CHILDREN:
		assert letters.child_initials(first, last).lower() in text
		for name in (first, *last.split("-")):
			assert name.lower() not in text, name
		for given_as_initials in (first, last, f"{first} {last}", first.upper()):
			with pytest.raises(ValueError, match="initials"):
				remittance([RemittanceLine(given_as_initials, "PPC-9", "Tuition", Decimal(10))])


def test_case_reference_equal_to_claim_reference_is_quoted_once():
	pupil = letters.PupilDetails(
		initials="A.O.", date_of_birth=date(2015, 3, 14), year_group="Year 10", reference="PPC-00031"
	)
	data = decision_letter(
		AUTHORITY,
		SCHOOL,
		pupil,
		letter_date=date(2026, 1, 12),
		claim_reference="PPC-00031",
		amount=10,
		category="Tuition",
		description="",
		decision="Approved",
		funding_year="2025-26",
	)
	(sentence,) = [
		line for line in everything(data).splitlines() if line.startswith("If you have any questions")
	]
	assert sentence.count("PPC-00031") == 1


@pytest.mark.parametrize("make", [decision, remittance], ids=["decision", "remittance"])
def test_pp_plus_letters_carry_a_way_to_reply(make):
	"""The virtual school's postal address, telephone and email from Settings (issue #18 item 8)."""
	text = everything(make())
	for line in AUTHORITY.address_lines:
		assert line in text, line
	assert f"Email: {AUTHORITY.email}" in text
	assert f"Telephone: {AUTHORITY.telephone}" in text
