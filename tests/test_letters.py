"""Tier 1: admission, direction and Secretary of State letters as .docx (STATUTORY.md section 3)."""

import ast
import dataclasses
import io
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from virtual_school.domain import letters

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
	reference="SPR-00012",
)


def admission(pupil=PUPIL, reason="Moved to a new foster placement 40 miles from the previous school."):
	return letters.admission_request_letter(
		AUTHORITY,
		SCHOOL,
		pupil,
		letter_date=date(2026, 3, 2),
		date_needed=date(2026, 3, 9),
		reason=reason,
		outcome_due=date(2026, 3, 23),
	)


def direction(refused_on=date(2026, 3, 20), **extra):
	return letters.direction_notice_letter(
		AUTHORITY,
		SCHOOL,
		PUPIL,
		letter_date=date(2026, 3, 30),
		refused_on=refused_on,
		representations_due=date(2026, 4, 6),
		**extra,
	)


def secretary_of_state(**extra):
	return letters.secretary_of_state_request_letter(
		AUTHORITY,
		SCHOOL,
		PUPIL,
		letter_date=date(2026, 3, 30),
		refused_on=date(2026, 3, 20),
		academy_trust="Coastal Learning Trust",
		**extra,
	)


def open_letter(data: bytes):
	assert isinstance(data, bytes)
	return docx.Document(io.BytesIO(data))


def cell_texts(table):
	for row in table.rows:
		for cell in row.cells:
			yield cell.text
			for inner in cell.tables:
				yield from cell_texts(inner)


def body_texts(data: bytes) -> list[str]:
	document = open_letter(data)
	texts = [paragraph.text for paragraph in document.paragraphs]
	for table in document.tables:
		texts.extend(cell_texts(table))
	return texts


def margins(data: bytes):
	"""First-page header, later-page header, first-page footer, later-page footer."""
	section = open_letter(data).sections[0]
	return section.first_page_header, section.header, section.first_page_footer, section.footer


def margin_texts(data: bytes) -> list[str]:
	return [paragraph.text for margin in margins(data) for paragraph in margin.paragraphs]


def everything(data: bytes) -> str:
	"""All the text a reader could see, plus the document properties."""
	properties = open_letter(data).core_properties
	extra = [
		properties.title,
		properties.subject,
		properties.author,
		properties.comments,
		properties.keywords,
	]
	return "\n".join([*body_texts(data), *margin_texts(data), *extra])


TRUST = letters.Recipient(
	lines=("The Chief Executive", "Coastal Learning Trust", "2 Harbour Road", "Dover", "CT16 1AA"),
	salutation="Dear Chief Executive",
)


def decision_to_direct(pupil=PUPIL, recipient=None, **extra):
	return letters.decision_to_direct_letter(
		AUTHORITY,
		SCHOOL,
		pupil,
		letter_date=date(2026, 4, 7),
		consulted_on=date(2026, 3, 30),
		referral_window_ends=date(2026, 4, 14),
		direct_from=date(2026, 4, 15),
		recipient=recipient,
		**extra,
	)


def direction_given(pupil=PUPIL, recipient=None, **extra):
	return letters.direction_letter(
		AUTHORITY,
		SCHOOL,
		pupil,
		letter_date=date(2026, 4, 15),
		notice_served_on=date(2026, 4, 7),
		recipient=recipient,
		**extra,
	)


ALL_LETTERS = {
	"admission": admission,
	"direction": direction,
	"secretary_of_state": secretary_of_state,
	"decision_to_direct": decision_to_direct,
	"direction_given": direction_given,
}


@pytest.mark.parametrize(
	("first", "last", "expected"),
	[
		("Amara", "Okafor-Smith", "A.O."),
		("  amara  ", "   okafor  smith ", "A.O."),
		("Mary Jane", "van der Berg", "M.V."),
		("", "O'Brien", "O."),
		("Amara", "", "A."),
		("", "   ", ""),
		("Élodie", "Durand", "É.D."),
		("'Ana", "-Lee", "A.L."),
	],
)
def test_child_initials(first, last, expected):
	assert letters.child_initials(first, last) == expected


def test_dates_are_british():
	assert letters.long_date(date(2026, 3, 14)) == "14 March 2026"
	assert letters.long_date(date(2026, 1, 1)) == "1 January 2026"
	assert letters.short_date(date(2015, 3, 4)) == "04/03/2015"


def test_admission_request_letter_content():
	data = admission()
	text = everything(data)
	for expected in (
		"Kent County Council",
		"Kent Virtual School",
		"St Mary's Church of England High School",
		"Mrs J Patel",
		"CT1 1AA",
		"A.O.",
		"15 school days",
		"School Admissions Code 2021, paragraph 1.7",
		"highest priority",
		"2 March 2026",
		"9 March 2026",
		"23 March 2026",
		"14 March 2015",
		"B801200005001",
		"SPR-00012",
		"virtual.school@kent.example",
		"03000 000000",
		"designated teacher",
		"Yours sincerely",
		"Helen Hart",
		"Virtual School Head",
		"Moved to a new foster placement 40 miles from the previous school.",
	):
		assert expected in text, expected
	assert "Dear Mrs J Patel" in body_texts(data)


def test_subject_line_is_bold_and_names_the_pupil_by_initials():
	document = open_letter(admission())
	subject = "Request for an in-year school place: pupil A.O., date of birth 14/03/2015, Year 10"
	(paragraph,) = [paragraph for paragraph in document.paragraphs if paragraph.text == subject]
	assert all(run.bold for run in paragraph.runs)
	assert document.core_properties.title == subject


def test_key_dates_table_in_admission_letter():
	document = open_letter(admission())
	rows = {row.cells[0].text: row.cells[1].text for table in document.tables[1:] for row in table.rows}
	assert rows["Place needed from"] == "9 March 2026"
	assert rows["Outcome due in writing (15 school days)"] == "23 March 2026"
	assert rows["Pupil (initials)"] == "A.O."


def test_place_needed_in_the_past_says_now():
	data = letters.admission_request_letter(
		AUTHORITY,
		SCHOOL,
		PUPIL,
		letter_date=date(2026, 3, 2),
		date_needed=date(2026, 2, 23),
		reason="Permanently excluded from previous school.",
		outcome_due=date(2026, 3, 23),
	)
	assert "needs a school place now: the place has been needed since 23 February 2026" in everything(data)


def test_direction_notice_letter_content():
	text = everything(direction(refusal_reason="Year 10 is full.", reason="Nearest school to the placement."))
	for expected in (
		"Kent County Council",
		"St Mary's Church of England High School",
		"A.O.",
		"section 97A of the School Standards and Framework Act 1998",
		"section 97B",
		"7 days, until 6 April 2026",
		"Schools Adjudicator within 7 days",
		"calendar days",
		"On 20 March 2026 the school's admission authority refused",
		"Year 10 is full.",
		"Nearest school to the placement.",
		"Consultation on a proposed direction to admit a looked-after child (section 97B(1))",
		"representations (section 97B(1))",
	):
		assert expected in text, expected
	assert "A.O.." not in text


def test_direction_notice_without_a_refusal_date():
	text = everything(direction(refused_on=None))
	assert "has not agreed to admit A.O." in text
	assert "Place refused on" not in text


def test_secretary_of_state_letter_content():
	approaches = [
		letters.Approach("St Mary's", date(2026, 3, 2), "Refused: year group full", date(2026, 3, 20)),
		letters.Approach("Oak Academy", date(2026, 3, 3)),
	]
	data = secretary_of_state(approaches=approaches, date_needed=date(2026, 3, 9), refusal_reason="Full.")
	text = everything(data)
	for expected in (
		"Dear Secretary of State",
		"Secretary of State for Education",
		"Department for Education",
		"funding agreement",
		"cannot direct an academy",
		"Coastal Learning Trust",
		"URN 118000",
		"A.O.",
		"refused on 20 March 2026",
		"9 March 2026",
		"Refused: year group full",
		"Oak Academy",
		"No response",
		"Copy to:",
		"Mrs J Patel, Headteacher, St Mary's Church of England High School",
		"Coastal Learning Trust (academy trust)",
		"last resort",
	):
		assert expected in text, expected
	assert "ESFA" not in text
	assert "Education and Skills Funding Agency" not in text


@pytest.mark.parametrize("make", ALL_LETTERS.values(), ids=ALL_LETTERS.keys())
def test_security_marking_in_every_header_and_footer(make):
	first_header, header, first_footer, footer = margins(make())
	assert open_letter(make()).sections[0].different_first_page_header_footer
	for margin in (first_header, header):
		assert margin.paragraphs[0].text == "OFFICIAL-SENSITIVE"
	for margin in (first_footer, footer):
		assert margin.paragraphs[0].text == letters.SECURITY_FOOTER
	assert letters.SECURITY_FOOTER == "OFFICIAL-SENSITIVE: contains information about a looked-after child"
	assert [paragraph.text for paragraph in first_header.paragraphs[1:]] == [
		"Kent County Council",
		"Kent Virtual School",
	]


NAMING_TEXT = {
	"reason": f"{FIRST_NAME} {LAST_NAME} moved to a foster placement near the school.",
	"refusal_reason": f"No room in {FIRST_NAME}'s year group.",
}
NAMING_LETTERS = {
	"admission": lambda pupil: admission(pupil, reason=NAMING_TEXT["reason"]),
	"direction": lambda pupil: letters.direction_notice_letter(
		AUTHORITY,
		SCHOOL,
		pupil,
		letter_date=date(2026, 3, 30),
		refused_on=date(2026, 3, 20),
		representations_due=date(2026, 4, 6),
		**NAMING_TEXT,
	),
	"secretary_of_state": lambda pupil: letters.secretary_of_state_request_letter(
		AUTHORITY,
		SCHOOL,
		pupil,
		letter_date=date(2026, 3, 30),
		refused_on=date(2026, 3, 20),
		academy_trust="Coastal Learning Trust",
		**NAMING_TEXT,
	),
	"decision_to_direct": lambda pupil: decision_to_direct(pupil, reason=NAMING_TEXT["reason"]),
}


@pytest.mark.parametrize("make", ALL_LETTERS.values(), ids=ALL_LETTERS.keys())
def test_every_letter_carries_a_way_to_reply(make):
	"""The virtual school's postal address, telephone and email are on every letter (issue #18 item 8)."""
	text = everything(make())
	for line in AUTHORITY.address_lines:
		assert line in text, line
	assert f"Email: {AUTHORITY.email}" in text
	assert f"Telephone: {AUTHORITY.telephone}" in text


def test_address_lines_from_settings_text():
	assert letters.address_lines("Sessions House\nCounty Road\r\n\nME14 1XQ") == (
		"Sessions House",
		"County Road",
		"ME14 1XQ",
	)
	assert letters.address_lines("Sessions House, County Road, ME14 1XQ") == (
		"Sessions House",
		"County Road",
		"ME14 1XQ",
	)
	assert letters.address_lines(None) == ()


def test_decision_to_direct_letter_content():
	text = everything(decision_to_direct(reason="The school is nearest the placement."))
	for expected in (
		"Notice of decision to direct the admission of a looked-after child (section 97B)",
		"On 30 March 2026 we consulted",
		"section 97B(1)",
		"The 7 days allowed for representations have passed without any.",
		"section 97A",
		"until 14 April 2026 (section 97C)",
		"on or after 15 April 2026",
		"The school is nearest the placement.",
		"Dear Mrs J Patel",
	):
		assert expected in text, expected
	heard = everything(decision_to_direct(representations_received_on=date(2026, 4, 2)))
	assert "representations on 2 April 2026 and have considered them" in heard


def test_decision_to_direct_refuses_impossible_dates():
	with pytest.raises(ValueError, match="referral_window_ends"):
		letters.decision_to_direct_letter(
			AUTHORITY,
			SCHOOL,
			PUPIL,
			letter_date=date(2026, 4, 7),
			consulted_on=date(2026, 3, 30),
			referral_window_ends=date(2026, 4, 7),
			direct_from=date(2026, 4, 15),
		)


def test_direction_letter_content():
	text = everything(direction_given(start_date=date(2026, 4, 20)))
	for expected in (
		"Direction to admit a looked-after child (section 97A)",
		"On 7 April 2026 we gave the admission authority written notice",
		"The 7 days allowed for a referral to the Schools Adjudicator have passed without a referral.",
		"now directs the admission authority of St Mary's Church of England High School to admit A.O.",
		"Please admit A.O. from 20 April 2026.",
	):
		assert expected in text, expected
	after = everything(direction_given(adjudicator_decided_on=date(2026, 4, 20)))
	assert "The Schools Adjudicator decided on 20 April 2026" in after


@pytest.mark.parametrize("make", [direction, decision_to_direct, direction_given])
def test_direction_letters_go_to_the_admission_authority_with_a_copy_to_the_head(make):
	"""The other council or the academy trust is written to when it is the admission authority."""
	text = everything(make(recipient=TRUST))
	assert "Dear Chief Executive" in text
	assert "Coastal Learning Trust" in text
	assert "Copy to:" in text
	assert "Mrs J Patel, Headteacher, St Mary's Church of England High School" in text
	assert "Dear Mrs J Patel" not in text
	assert "Copy to:" not in everything(make())


@pytest.mark.parametrize("make", NAMING_LETTERS.values(), ids=NAMING_LETTERS.keys())
def test_the_child_is_never_named(make):
	"""The caseworker's free text names the child; the letter must not (the names are withheld)."""
	named = dataclasses.replace(PUPIL, withheld_names=(FIRST_NAME, LAST_NAME))
	# The names reach the letter unless withheld: without them the same letter names the child.
	assert FIRST_NAME in everything(make(PUPIL))
	text = everything(make(named))
	assert named.initials == "A.O."
	assert "A.O." in text
	for name in (FIRST_NAME, LAST_NAME, "Okafor"):  # not "Smith": the DfE is at 20 Great Smith Street
		assert name.lower() not in text.lower(), name


@pytest.mark.parametrize("make", ALL_LETTERS.values(), ids=ALL_LETTERS.keys())
def test_letters_are_a4_word_documents(make):
	data = make()
	assert zipfile.is_zipfile(io.BytesIO(data))
	section = open_letter(data).sections[0]
	assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)


def test_withheld_names_in_free_text_become_initials():
	pupil = letters.PupilDetails(
		initials="A.O.",
		date_of_birth=date(2015, 3, 14),
		year_group="Year 10",
		withheld_names=(FIRST_NAME, LAST_NAME),
	)
	text = everything(admission(pupil, reason="amara Okafor-Smith moved placement; AMARA's school is far."))
	assert "A.O. moved placement; A.O.'s school is far." in text
	assert "amara" not in text.lower()
	assert "okafor" not in text.lower()
	assert "smith" not in text.lower()


@pytest.mark.parametrize("initials", ["", "  ", "Amara", "Amara Okafor", "a.o.", "A1"])
def test_initials_that_are_missing_or_look_like_a_name_are_refused(initials):
	pupil = letters.PupilDetails(initials=initials, date_of_birth=date(2015, 3, 14), year_group="Year 10")
	with pytest.raises(ValueError, match="initials"):
		admission(pupil)


def test_blank_reason_and_dates_out_of_order_are_refused():
	with pytest.raises(ValueError, match="reason"):
		admission(reason=" \n\t ")
	with pytest.raises(ValueError, match="outcome_due"):
		letters.admission_request_letter(
			AUTHORITY,
			SCHOOL,
			PUPIL,
			letter_date=date(2026, 3, 2),
			date_needed=date(2026, 3, 9),
			reason="Placement move.",
			outcome_due=date(2026, 3, 1),
		)
	with pytest.raises(ValueError, match="representations_due"):
		letters.direction_notice_letter(
			AUTHORITY,
			SCHOOL,
			PUPIL,
			letter_date=date(2026, 3, 30),
			refused_on=None,
			representations_due=date(2026, 3, 30),
		)


def test_markup_in_reason_is_plain_text():
	reason = """<script>alert("x")</script> & 'quotes' <w:t>not xml</w:t> ]]>"""
	data = admission(reason=reason)
	assert reason in body_texts(data)
	with zipfile.ZipFile(io.BytesIO(data)) as package:
		xml = package.read("word/document.xml").decode("utf-8")
	assert "<script>" not in xml
	assert "&lt;script&gt;" in xml


def test_control_characters_are_dropped_not_fatal():
	data = admission(reason="Line one\r\nLine two\x00\x0b\x1b\ufffe end")
	assert "Line one\nLine two end" in body_texts(data)


printable = st.characters(blacklist_categories=("Cc", "Cs"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.one_of(printable, st.sampled_from("\n\t")), min_size=1, max_size=300))
def test_any_printable_reason_round_trips_as_plain_text(reason):
	expected = letters.plain_text(reason)
	if not expected:
		with pytest.raises(ValueError):
			admission(reason=reason)
		return
	assert expected in body_texts(admission(reason=reason))


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=200), st.text(max_size=80))
def test_any_text_anywhere_still_makes_a_document(refusal_reason, trust):
	data = letters.secretary_of_state_request_letter(
		AUTHORITY,
		letters.SchoolAddressee(name=trust or "Academy", headteacher=refusal_reason[:20]),
		PUPIL,
		letter_date=date(2026, 3, 30),
		refused_on=None,
		academy_trust=trust,
		refusal_reason=refusal_reason,
	)
	text = everything(data)
	assert "Secretary of State" in text
	if letters.plain_text(refusal_reason):
		assert letters.plain_text(refusal_reason) in body_texts(data)


def test_module_imports_no_frappe():
	source = Path(letters.__file__).read_text(encoding="utf-8")
	imported = set()
	for node in ast.walk(ast.parse(source)):
		if isinstance(node, ast.Import):
			imported.update(alias.name.split(".")[0] for alias in node.names)
		elif isinstance(node, ast.ImportFrom) and node.module:
			imported.add(node.module.split(".")[0])
	assert "frappe" not in imported
