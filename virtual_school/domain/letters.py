"""Letters about a looked-after child's school place, written as real .docx files with python-docx.

Three letters, each returned as ``bytes`` for the caller to attach to a record (STATUTORY.md section 3):

- ``admission_request_letter``: an in-year admission request. Looked-after children have the highest priority
  in oversubscription criteria (School Admissions Code 2021, para 1.7); the outcome of an in-year application
  must be given in writing within 15 school days (School Admissions Code 2021).
- ``direction_notice_letter``: the consultation that starts a direction to admit a looked-after child to a
  maintained school whose admission authority is not the local authority (School Standards and Framework Act
  1998 ss97A-97C). The admission authority has 7 days to make representations; if the authority then decides
  to direct, it serves written notice, and the school has 7 days from that notice to refer the matter to the
  Schools Adjudicator; the direction follows only after that. These are calendar days (OSA: "actual days -
  not working days"). Children who are not looked after are directed under s96 with other steps and time
  limits; this module does not write that letter.
- ``decision_to_direct_letter``: the written notice of the council's decision to direct, served once the
  representations are in or the 7 days have passed; the admission authority may refer the matter to the
  Schools Adjudicator within 7 days of it (s97C), and the direction follows only after that.
- ``direction_letter``: the direction itself (s97A), given after the adjudicator window passed without a
  referral, or after the adjudicator's decision.
- ``secretary_of_state_request_letter``: a local authority cannot direct an academy, so it asks the
  Secretary of State for Education to direct under the academy's funding agreement. The Department for
  Education acts for the Secretary of State (the ESFA did so until it closed on 31 March 2025).

The consultation, the decision notice and the direction go to the **admission authority** (a ``Recipient``):
the governing body of a voluntary aided or foundation school, the other council for its own community or
voluntary controlled school, the academy trust once the council's power to direct academies has commenced
(STATUTORY.md section 11); the headteacher gets a copy. Every letter carries a way to reply: the virtual
school's postal address, telephone and email in the letterhead and the closing paragraph (the caller passes
them on ``Authority``, from Virtual School Settings).

Every letter names the child by initials only and carries the UK Government Security Classification marking
OFFICIAL-SENSITIVE in its header and footer. All text is inserted as plain text runs (never markup); characters
that XML 1.0 cannot hold are dropped. This module imports nothing from Frappe.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone

import docx
from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import _Footer, _Header
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from virtual_school.domain.cohorts import Cohort, child_description, has_admission_priority
from virtual_school.domain.in_year_outcome import OUTCOME_SCHOOL_DAYS

__all__ = [
	"ADJUDICATOR_REFERRAL_DAYS",
	"ADMISSION_OUTCOME_SCHOOL_DAYS",
	"DEPARTMENT_FOR_EDUCATION_ADDRESS",
	"REPRESENTATIONS_DAYS",
	"SECURITY_FOOTER",
	"SECURITY_MARKING",
	"Approach",
	"Authority",
	"PupilDetails",
	"Recipient",
	"SchoolAddressee",
	"address_lines",
	"admission_request_letter",
	"child_initials",
	"decision_to_direct_letter",
	"direction_letter",
	"direction_notice_letter",
	"long_date",
	"plain_text",
	"secretary_of_state_request_letter",
	"security_footer",
	"short_date",
]

SECURITY_MARKING = "OFFICIAL-SENSITIVE"
SECURITY_FOOTER = f"{SECURITY_MARKING}: contains information about a looked-after child"
ADMISSION_OUTCOME_SCHOOL_DAYS = OUTCOME_SCHOOL_DAYS  # School Admissions Code 2021 (domain.in_year_outcome)
REPRESENTATIONS_DAYS = 7  # SSFA 1998 s97B: representations on a proposed direction (calendar days)
ADJUDICATOR_REFERRAL_DAYS = 7  # SSFA 1998 s97B: referral to the Schools Adjudicator (calendar days)
DEPARTMENT_FOR_EDUCATION_ADDRESS: tuple[str, ...] = (
	"Department for Education",
	"Sanctuary Buildings",
	"20 Great Smith Street",
	"London",
	"SW1P 3BT",
)

_MONTHS = (
	"January",
	"February",
	"March",
	"April",
	"May",
	"June",
	"July",
	"August",
	"September",
	"October",
	"November",
	"December",
)
# Characters XML 1.0 cannot hold (C0 controls other than tab and newline, surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FONT = "Arial"


@dataclass(frozen=True)
class Authority:
	"""The sender: the council and its virtual school."""

	name: str
	virtual_school_name: str
	signatory: str
	signatory_title: str
	address_lines: tuple[str, ...] = ()
	email: str = ""
	telephone: str = ""


@dataclass(frozen=True)
class SchoolAddressee:
	"""The school written to (or, for the Secretary of State letter, the academy the request is about)."""

	name: str
	headteacher: str = ""
	street: str = ""
	town: str = ""
	postcode: str = ""
	urn: str = ""


@dataclass(frozen=True)
class Recipient:
	"""Who a direction letter goes to when it is not the headteacher: the admission authority's address
	lines (first line the addressee), the salutation, and who gets a copy."""

	lines: tuple[str, ...]
	salutation: str
	copy_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class PupilDetails:
	"""What a letter may say about the child: initials, never a name.

	``withheld_names`` are the child's names: they are never printed, and any occurrence of them in free text
	(a reason typed by a caseworker) is replaced by the initials.

	``cohort`` and ``looked_after`` (looked after by the council on the letter's date) decide how the letter
	speaks of the child (``cohorts.child_description``, issue #18 item 1): a letter never calls a child who
	is not looked after "looked after".
	"""

	initials: str
	date_of_birth: date
	year_group: str
	upn: str = ""
	reference: str = ""
	withheld_names: tuple[str, ...] = ()
	cohort: str = Cohort.LOOKED_AFTER.value
	looked_after: bool = True


@dataclass(frozen=True)
class Approach:
	"""One school asked to admit the child, for the summary sent to the Secretary of State."""

	school: str
	asked_on: date
	response: str = ""
	responded_on: date | None = None


# --- text helpers ----------------------------------------------------------------------------------------


def long_date(value: date) -> str:
	"""British long date without a leading zero, independent of locale: ``14 March 2026``."""
	return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def short_date(value: date) -> str:
	"""British numeric date: ``14/03/2015``."""
	return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _xml_text(value: object) -> str:
	"""``value`` as text that XML 1.0 can hold, with newlines normalised to ``\\n``."""
	text = "" if value is None else str(value)
	return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def plain_text(value: object) -> str:
	"""Text as it will read in the letter: newlines normalised, XML-illegal characters dropped, ends trimmed."""
	return _xml_text(value).strip()


def child_initials(first_name: str, last_name: str) -> str:
	"""Initials for letters: the first letter of each name, upper-cased, each followed by a full stop.

	``("Amara", "Okafor-Smith") -> "A.O."``; spaces and punctuation before a name are skipped
	(``"  o'Neill"`` gives ``"O."``); an empty name gives nothing.
	"""
	initials = []
	for name in (first_name, last_name):
		letter = next((character for character in (name or "") if character.isalpha()), "")
		if letter:
			initials.append(letter.upper() + ".")
	return "".join(initials)


def _check_initials(pupil: PupilDetails) -> str:
	"""The pupil's initials, or ValueError if they are missing or look like a name.

	Initials are at most four capital letters, optionally separated by full stops, spaces or hyphens.
	"""
	initials = plain_text(pupil.initials)
	alphabetic = [character for character in initials if character.isalpha()]
	if not alphabetic:
		raise ValueError("PupilDetails.initials is empty: letters name the child by initials, e.g. 'A.O.'.")
	looks_like_initials = (
		len(alphabetic) <= 4
		and all(character.isupper() for character in alphabetic)
		and all(character.isalpha() or character in ". -" for character in initials)
		and not _withheld_pattern(pupil).search(initials)
	)
	if not looks_like_initials:
		raise ValueError(f"PupilDetails.initials must be initials such as 'A.O.', not {initials!r}.")
	return initials


def _withheld_pattern(pupil: PupilDetails) -> re.Pattern[str]:
	"""A pattern that finds the child's names (whole words, any case, runs of them together)."""
	parts = {
		part
		for name in pupil.withheld_names
		for part in (plain_text(name), *re.split(r"[\s\-]+", plain_text(name)))
		if len(part) >= 2
	}
	if not parts:
		return re.compile(r"(?!x)x")  # matches nothing
	names = "|".join(re.escape(part) for part in sorted(parts, key=len, reverse=True))
	return re.compile(rf"(?<!\w)(?:{names})(?:[\s\-]+(?:{names}))*(?!\w)", re.IGNORECASE)


def _free_text(value: object, pupil: PupilDetails) -> str:
	"""Caller-typed text made plain, with any of the child's names replaced by the initials."""
	return _withheld_pattern(pupil).sub(plain_text(pupil.initials), plain_text(value))


def _described(pupil: PupilDetails, authority: Authority) -> str:
	"""``a child looked after by <council>``, or the child's own cohort when not looked after that day."""
	return child_description(
		pupil.cohort, looked_after=pupil.looked_after, authority=plain_text(authority.name)
	)


def security_footer(pupil: PupilDetails) -> str:
	"""The footer marking, naming the child's cohort as the letter does (``SECURITY_FOOTER`` for a
	looked-after child)."""
	return f"{SECURITY_MARKING}: contains information about {child_description(pupil.cohort, looked_after=pupil.looked_after)}"


def _require_looked_after(pupil: PupilDetails, letter: str) -> None:
	"""ValueError unless the child is looked after on the letter's date: a direction (s97A) or a request to
	the Secretary of State is only for a child the council looks after (STATUTORY.md section 11)."""
	if not pupil.looked_after:
		raise ValueError(
			f"the {letter} is only for a child looked after by the council (SSFA 1998 s97A); this child is "
			f"{child_description(pupil.cohort, looked_after=False)}"
		)


def _possessive(initials: str) -> str:
	"""``A.O.`` -> ``A.O.'s``."""
	return f"{initials}'s"


# --- document building -----------------------------------------------------------------------------------


def _add_run(paragraph: Paragraph, text: object, *, bold: bool = False, size: float | None = None) -> None:
	"""Append ``text`` as one plain run (newlines become line breaks, tabs become tabs)."""
	run = paragraph.add_run(_xml_text(text))
	run.bold = bold or None
	if size:
		run.font.size = Pt(size)


def _paragraph(
	container: Document | _Cell,
	text: object = "",
	*,
	bold: bool = False,
	style: str | None = None,
	space_after: float | None = None,
	indent: float | None = None,
) -> Paragraph:
	"""Add a paragraph of plain text to the document body or a table cell."""
	paragraph = container.add_paragraph(style=style)
	if text:
		_add_run(paragraph, plain_text(text), bold=bold)
	if space_after is not None:
		paragraph.paragraph_format.space_after = Pt(space_after)
	if indent is not None:
		paragraph.paragraph_format.left_indent = Cm(indent)
	return paragraph


def _add_page_field(paragraph: Paragraph, instruction: str, *, size: float) -> None:
	"""Append a simple Word field (PAGE, NUMPAGES) that Word and LibreOffice update on display."""
	field = OxmlElement("w:fldSimple")
	field.set(qn("w:instr"), instruction)
	run = OxmlElement("w:r")
	properties = OxmlElement("w:rPr")
	font_size = OxmlElement("w:sz")
	font_size.set(qn("w:val"), str(round(size * 2)))
	properties.append(font_size)
	run.append(properties)
	text = OxmlElement("w:t")
	text.text = "1"
	run.append(text)
	field.append(run)
	paragraph._p.append(field)


def _fill_header(header: _Header, authority: Authority, *, letterhead: bool) -> None:
	"""The marking at the top; then the authority's name in full (first page) or one small line (others)."""
	marking = header.paragraphs[0]
	marking.alignment = WD_ALIGN_PARAGRAPH.CENTER
	_add_run(marking, SECURITY_MARKING, bold=True, size=9)
	if letterhead:
		title = header.add_paragraph()
		_add_run(title, plain_text(authority.name), bold=True, size=16)
		title.paragraph_format.space_after = Pt(0)
		school_line = header.add_paragraph()
		_add_run(school_line, plain_text(authority.virtual_school_name), size=12)
	else:
		line = header.add_paragraph()
		_add_run(line, f"{plain_text(authority.name)}: {plain_text(authority.virtual_school_name)}", size=9)


def _fill_footer(footer: _Footer, marking: str = SECURITY_FOOTER) -> None:
	"""The full security marking and ``Page n of m``."""
	marking_line = footer.paragraphs[0]
	marking_line.alignment = WD_ALIGN_PARAGRAPH.CENTER
	_add_run(marking_line, marking, bold=True, size=9)
	page_line = footer.add_paragraph()
	page_line.alignment = WD_ALIGN_PARAGRAPH.CENTER
	_add_run(page_line, "Page ", size=9)
	_add_page_field(page_line, "PAGE", size=9)
	_add_run(page_line, " of ", size=9)
	_add_page_field(page_line, "NUMPAGES", size=9)


def _new_document(
	authority: Authority, *, subject: str, letter_date: date, footer: str = SECURITY_FOOTER
) -> Document:
	"""An A4 document with the authority's header, the security marking (``footer``: ``security_footer``
	of the child a letter is about) and page numbers in the footer."""
	document = docx.Document()
	normal = document.styles["Normal"]
	normal.font.name = _FONT
	normal.font.size = Pt(11)
	normal.element.rPr.rFonts.set(qn("w:eastAsia"), _FONT)
	normal.paragraph_format.space_after = Pt(6)
	for style_name in ("Header", "Footer", "List Bullet", "Table Grid"):
		document.styles[style_name].font.name = _FONT

	section = document.sections[0]
	section.page_width, section.page_height = Cm(21.0), Cm(29.7)
	section.left_margin = section.right_margin = Cm(2.2)
	section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
	section.header_distance = section.footer_distance = Cm(1.0)

	# The letterhead is on the first page only; every page carries the security marking and page number.
	section.different_first_page_header_footer = True
	_fill_header(section.first_page_header, authority, letterhead=True)
	_fill_header(section.header, authority, letterhead=False)
	_fill_footer(section.first_page_footer, footer)
	_fill_footer(section.footer, footer)

	properties = document.core_properties
	properties.title = plain_text(subject)
	properties.subject = plain_text(subject)
	properties.author = plain_text(authority.virtual_school_name or authority.name)
	properties.last_modified_by = plain_text(authority.virtual_school_name or authority.name)
	properties.keywords = SECURITY_MARKING
	properties.category = SECURITY_MARKING
	properties.comments = footer
	stamp = datetime(letter_date.year, letter_date.month, letter_date.day, tzinfo=timezone.utc)
	properties.created = properties.modified = stamp
	properties.revision = 1
	return document


def _school_lines(school: SchoolAddressee) -> list[str]:
	"""The addressee block for a school: headteacher, school, street, town, postcode."""
	lines = []
	if plain_text(school.headteacher):
		lines += [school.headteacher, "Headteacher"]
	lines += [school.name, school.street, school.town, school.postcode]
	return [plain_text(line) for line in lines if plain_text(line)]


def address_lines(text: str | None) -> tuple[str, ...]:
	"""A postal address typed one line per line (or comma-separated on one line) as letterhead lines."""
	raw = plain_text(text).replace("\r", "\n")
	parts = raw.split("\n") if "\n" in raw else raw.split(",")
	return tuple(line.strip() for line in parts if line.strip())


def _salutation(school: SchoolAddressee) -> str:
	"""``Dear <headteacher>``, or ``Dear Headteacher`` when the name is not known."""
	return f"Dear {plain_text(school.headteacher) or 'Headteacher'}"


def _letterhead(
	document: Document, authority: Authority, recipient: Sequence[str], pupil: PupilDetails, letter_date: date
) -> None:
	"""Recipient on the left; the virtual school's address, contact, reference and date on the right."""
	table = document.add_table(rows=1, cols=2)
	table.alignment = WD_TABLE_ALIGNMENT.CENTER
	table.autofit = False
	left, right = table.rows[0].cells
	left.width, right.width = Cm(9.6), Cm(7.0)
	for index, line in enumerate(recipient):
		paragraph = left.paragraphs[0] if index == 0 else left.add_paragraph()
		_add_run(paragraph, line)
		paragraph.paragraph_format.space_after = Pt(0)

	sender: list[tuple[str, bool]] = [(plain_text(authority.virtual_school_name), True)]
	sender += [(plain_text(line), False) for line in (authority.name, *authority.address_lines)]
	if plain_text(authority.telephone):
		sender.append((f"Telephone: {plain_text(authority.telephone)}", False))
	if plain_text(authority.email):
		sender.append((f"Email: {plain_text(authority.email)}", False))
	sender = [(line, bold) for line, bold in sender if line]
	sender.append(("", False))  # a blank line before the reference and date
	if plain_text(pupil.reference):
		sender.append((f"Our reference: {plain_text(pupil.reference)}", False))
	sender.append((f"Date: {long_date(letter_date)}", False))
	for index, (line, bold) in enumerate(sender):
		paragraph = right.paragraphs[0] if index == 0 else right.add_paragraph()
		_add_run(paragraph, line, bold=bold)
		paragraph.paragraph_format.space_after = Pt(0)
		paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
	_paragraph(document, space_after=6)


def _subject_text(heading: str, pupil: PupilDetails) -> str:
	"""The subject line: ``<heading>: pupil A.O., date of birth 14/03/2015, Year 10``."""
	return (
		f"{plain_text(heading)}: pupil {_check_initials(pupil)}, "
		f"date of birth {short_date(pupil.date_of_birth)}, {plain_text(pupil.year_group)}"
	)


def _opening(
	document: Document,
	authority: Authority,
	recipient: Sequence[str],
	pupil: PupilDetails,
	letter_date: date,
	*,
	salutation: str,
	subject: str,
) -> None:
	"""Letterhead, salutation and the bold subject line."""
	_letterhead(document, authority, recipient, pupil, letter_date)
	_paragraph(document, salutation)
	_paragraph(document, subject, bold=True, space_after=8)


def _letter_to_school(
	authority: Authority, school: SchoolAddressee, pupil: PupilDetails, letter_date: date, subject: str
) -> Document:
	"""A new letter addressed to a school: letterhead, "Dear ..." and the subject line."""
	document = _new_document(
		authority, subject=subject, letter_date=letter_date, footer=security_footer(pupil)
	)
	_opening(
		document,
		authority,
		_school_lines(school),
		pupil,
		letter_date,
		salutation=_salutation(school),
		subject=subject,
	)
	return document


def _letter_to_recipient(
	authority: Authority,
	school: SchoolAddressee,
	pupil: PupilDetails,
	letter_date: date,
	subject: str,
	recipient: Recipient | None,
) -> Document:
	"""A new letter to the admission authority (``recipient``), or to the headteacher when it is None."""
	if recipient is None:
		return _letter_to_school(authority, school, pupil, letter_date, subject)
	document = _new_document(
		authority, subject=subject, letter_date=letter_date, footer=security_footer(pupil)
	)
	lines = [plain_text(line) for line in recipient.lines if plain_text(line)]
	_opening(
		document,
		authority,
		lines,
		pupil,
		letter_date,
		salutation=plain_text(recipient.salutation) or "Dear Sir or Madam",
		subject=subject,
	)
	return document


def _copy_lines(school: SchoolAddressee, recipient: Recipient | None) -> list[str]:
	"""The headteacher's copy of a letter sent to the admission authority, and any other copy."""
	if recipient is None:
		return []
	headteacher = plain_text(school.headteacher)
	head = (
		f"{headteacher}, Headteacher, {plain_text(school.name)}"
		if headteacher
		else f"The Headteacher, {plain_text(school.name)}"
	)
	return [head, *recipient.copy_to]


def _keep_rows_whole(table: Table, *, together: bool, header_row: bool = False) -> None:
	"""Never split a row across pages; keep the whole table on one page if ``together``.

	``header_row`` repeats the first row at the top of each page the table runs onto.
	"""
	for index, row in enumerate(table.rows):
		row_properties = row._tr.get_or_add_trPr()
		row_properties.append(OxmlElement("w:cantSplit"))
		if header_row and index == 0:
			row_properties.append(OxmlElement("w:tblHeader"))
		if together and index < len(table.rows) - 1:
			for cell in row.cells:
				for paragraph in cell.paragraphs:
					paragraph.paragraph_format.keep_with_next = True


def _details_table(document: Document, rows: Iterable[tuple[str, str]], *, heading: str) -> None:
	"""A two-column table (label, value) under a bold heading; empty values are left out."""
	rows = [(label, value) for label, value in rows if plain_text(value)]
	_paragraph(document, heading, bold=True, space_after=3).paragraph_format.keep_with_next = True
	table = document.add_table(rows=0, cols=2)
	table.style = document.styles["Table Grid"]
	for label, value in rows:
		label_cell, value_cell = table.add_row().cells
		label_cell.width, value_cell.width = Cm(7.0), Cm(9.6)
		_add_run(label_cell.paragraphs[0], label, bold=True)
		_add_run(value_cell.paragraphs[0], value)
	_keep_rows_whole(table, together=True)
	_paragraph(document, space_after=0)


def _pupil_rows(pupil: PupilDetails) -> list[tuple[str, str]]:
	"""Rows that identify the child without a name."""
	return [
		("Pupil (initials)", _check_initials(pupil)),
		("Date of birth", long_date(pupil.date_of_birth)),
		("Year group", plain_text(pupil.year_group)),
		("Unique pupil number (UPN)", plain_text(pupil.upn)),
	]


def _quoted(document: Document, label: str, text: str) -> None:
	"""A label, then the caller's text as its own indented paragraph."""
	_paragraph(document, label, space_after=2)
	_paragraph(document, text, indent=1.0)


def _bullets(document: Document, items: Iterable[str]) -> None:
	"""A bulleted list."""
	for item in items:
		_paragraph(document, item, style="List Bullet", space_after=2)
	_paragraph(document, space_after=0)


def _contact_sentence(authority: Authority, pupil: PupilDetails) -> str:
	"""How to reach the virtual school, quoting the case reference."""
	ways = []
	if plain_text(authority.telephone):
		ways.append(f"on {plain_text(authority.telephone)}")
	if plain_text(authority.email):
		ways.append(f"by email to {plain_text(authority.email)}")
	how = f" {' or '.join(ways)}" if ways else ""
	quoting = f", quoting our reference {plain_text(pupil.reference)}" if plain_text(pupil.reference) else ""
	return f"If you have any questions, please contact {plain_text(authority.virtual_school_name)}{how}{quoting}."


def _sign_off(document: Document, authority: Authority) -> None:
	"""Yours sincerely, space to sign, then the signatory's name and title, kept on one page."""
	lines = [
		_paragraph(document, "Yours sincerely", space_after=30),
		_paragraph(document, authority.signatory, bold=True, space_after=0),
	]
	for line in (authority.signatory_title, authority.virtual_school_name, authority.name):
		if plain_text(line):
			lines.append(_paragraph(document, line, space_after=0))
	for paragraph in lines[:-1]:
		paragraph.paragraph_format.keep_with_next = True


def _copies(document: Document, lines: Iterable[str]) -> None:
	"""A ``Copy to:`` list after the signature."""
	lines = [plain_text(line) for line in lines if plain_text(line)]
	if not lines:
		return
	_paragraph(document, space_after=0)
	_paragraph(document, "Copy to:", bold=True, space_after=0)
	for line in lines:
		_paragraph(document, line, space_after=0)


def _to_bytes(document: Document) -> bytes:
	"""The .docx file's bytes."""
	buffer = io.BytesIO()
	document.save(buffer)
	return buffer.getvalue()


def _require_after(later: date, earlier: date, later_name: str, earlier_name: str) -> None:
	"""ValueError unless ``later`` falls after ``earlier``."""
	if later <= earlier:
		raise ValueError(
			f"{later_name} ({long_date(later)}) must fall after {earlier_name} ({long_date(earlier)})."
		)


# --- the letters -----------------------------------------------------------------------------------------


def admission_request_letter(
	authority: Authority,
	school: SchoolAddressee,
	pupil: PupilDetails,
	*,
	letter_date: date,
	date_needed: date,
	reason: str,
	outcome_due: date,
) -> bytes:
	"""Ask a school's admission authority to admit a child in-year.

	``outcome_due`` is the 15th school day after the request (School Admissions Code 2021), counted by the
	caller with ``school_days``. ``reason`` (why a new school is needed) must not be blank. The wording
	follows the child's cohort on ``letter_date`` (issue #18 item 1): only a looked-after child is "looked
	after", has the council as corporate parent and may be directed (s97A); a previously looked-after child
	shares the highest priority (Admissions Code para 1.7); a social worker or kinship child has neither, and
	a refusal goes to the Fair Access Protocol.
	"""
	initials = _check_initials(pupil)
	reason_text = _free_text(reason, pupil)
	if not reason_text:
		raise ValueError("reason is blank: say why the child needs a new school place.")
	_require_after(outcome_due, letter_date, "outcome_due", "letter_date")
	heading = "Request for an in-year school place"
	document = _letter_to_school(authority, school, pupil, letter_date, _subject_text(heading, pupil))

	school_name = plain_text(school.name)
	authority_name = plain_text(authority.name)
	needed = (
		f"{initials} needs a school place now: the place has been needed since {long_date(date_needed)}."
		if date_needed <= letter_date
		else f"{initials} needs a school place from {long_date(date_needed)}."
	)
	_paragraph(
		document,
		f"I am writing to ask {school_name} to admit {initials}, {_described(pupil, authority)}, "
		f"as an in-year admission. {needed}",
	)
	if pupil.looked_after:
		standing = (
			"Looked-after children must be given the highest priority in a school's oversubscription criteria "
			f"(School Admissions Code 2021, paragraph 1.7). {authority_name} is {_possessive(initials)} "
			"corporate parent and makes this application on the child's behalf."
		)
	elif has_admission_priority(pupil.cohort, looked_after=False):
		standing = (
			"Previously looked-after children must be given the same highest priority as looked-after "
			"children in a school's oversubscription criteria (School Admissions Code 2021, paragraph 1.7). "
			f"{plain_text(authority.virtual_school_name)} supports this application, made with the child's "
			"parents or guardians."
		)
	else:
		standing = (
			f"{plain_text(authority.virtual_school_name)} supports this application, made with the child's "
			"parents or carers, so that the child's education is not interrupted."
		)
	_paragraph(document, standing)
	_quoted(document, "Why a new school place is needed:", reason_text)
	_paragraph(
		document,
		f"The admission authority must tell us the outcome of this application in writing within "
		f"{ADMISSION_OUTCOME_SCHOOL_DAYS} school days (School Admissions Code 2021). For this request "
		f"that is by {long_date(outcome_due)}.",
	)
	_details_table(
		document,
		[
			*_pupil_rows(pupil),
			("Date of this request", long_date(letter_date)),
			("Place needed from", long_date(date_needed)),
			(f"Outcome due in writing ({ADMISSION_OUTCOME_SCHOOL_DAYS} school days)", long_date(outcome_due)),
		],
		heading="Key details",
	)
	_paragraph(document, f"Please reply in writing (email is fine) by {long_date(outcome_due)}, telling us:")
	_bullets(
		document,
		[
			f"whether you offer {initials} a place and, if so, the date the child can start;",
			"the name and contact details of your designated teacher for looked-after children;"
			if pupil.looked_after
			else "the name and contact details of the member of staff who will support the child;",
			"if you do not offer a place, the reason, with reference to the School Admissions Code.",
		],
	)
	_paragraph(
		document,
		"We hope a place can be agreed quickly. If a place is refused, we will consider directing the "
		"school to admit the child (School Standards and Framework Act 1998, section 97A) or, for an "
		"academy, asking the Secretary of State for Education to do so."
		if pupil.looked_after
		else "We hope a place can be agreed quickly. If a place is refused, we will ask for the child to be "
		"placed through the local Fair Access Protocol.",
	)
	_paragraph(document, _contact_sentence(authority, pupil))
	_paragraph(document, "Thank you for your help in finding this child a school place.")
	_sign_off(document, authority)
	return _to_bytes(document)


def direction_notice_letter(
	authority: Authority,
	school: SchoolAddressee,
	pupil: PupilDetails,
	*,
	letter_date: date,
	refused_on: date | None,
	representations_due: date,
	refusal_reason: str = "",
	reason: str = "",
	recipient: Recipient | None = None,
) -> bytes:
	"""Consult a school's admission authority on a proposed direction to admit a looked-after child.

	This is the consultation of SSFA 1998 s97B(1) (STATUTORY.md section 11: not s97A): ``representations_due``
	is 7 calendar days on. The letter explains the next steps (written notice of a decision, then 7 days to
	refer to the Schools Adjudicator). ``refusal_reason`` is the school's stated reason; ``reason`` is why
	this school is right for the child. ``recipient``: the admission authority when it is not the school's
	headteacher (governing body, other council, academy trust), who then gets a copy.
	"""
	_require_looked_after(pupil, "consultation on a direction")
	initials = _check_initials(pupil)
	_require_after(representations_due, letter_date, "representations_due", "letter_date")
	heading = "Consultation on a proposed direction to admit a looked-after child (section 97B(1))"
	document = _letter_to_recipient(
		authority, school, pupil, letter_date, _subject_text(heading, pupil), recipient
	)

	school_name = plain_text(school.name)
	authority_name = plain_text(authority.name)
	due = long_date(representations_due)
	refused = (
		f"On {long_date(refused_on)} the school's admission authority refused our request to admit "
		f"{initials} to {school_name}."
		if refused_on
		else f"{school_name} has not agreed to admit {initials}."
	)
	_paragraph(document, f"{initials} is looked after by {authority_name}. {refused}")
	refusal_text = _free_text(refusal_reason, pupil)
	if refusal_text:
		_quoted(document, "The reason we were given:", refusal_text)
	_paragraph(
		document,
		f"We believe {school_name} is the right school for {initials}, and we intend to direct the admission "
		f"authority to admit the child under section 97A of the School Standards and Framework Act 1998. "
		f"This letter is our consultation with the admission authority under section 97B(1) of that Act. "
		f"Please share it with the chair of governors.",
	)
	reason_text = _free_text(reason, pupil)
	if reason_text:
		_quoted(document, "Why this school:", reason_text)
	_paragraph(
		document,
		f"The admission authority has {REPRESENTATIONS_DAYS} days, until {due}, to make representations "
		"(section 97B(1)). "
		f"Please tell us in writing by {due}:",
	)
	_bullets(
		document,
		[
			f"whether the school will now admit {initials} without a direction, and from what date; or",
			"why you consider the school should not be directed to admit the child.",
		],
	)
	_paragraph(
		document,
		"We will consider everything you send before we decide. If we then decide to direct, we will tell "
		"the admission authority and the headteacher in writing, with our reasons. The admission authority "
		f"may refer the matter to the Schools Adjudicator within {ADJUDICATOR_REFERRAL_DAYS} days of that "
		"notice. We will give the direction only when that time has passed without a referral, or after "
		"the Schools Adjudicator has decided. Once directed, the school must admit the child. These time "
		"limits are calendar days, not school days or working days.",
	)
	_details_table(
		document,
		[
			*_pupil_rows(pupil),
			("Place refused on", long_date(refused_on) if refused_on else ""),
			("Date of this notice", long_date(letter_date)),
			(f"Representations due ({REPRESENTATIONS_DAYS} days)", due),
		],
		heading="Key details",
	)
	_paragraph(
		document,
		"We would much rather agree a place with you than direct. Every day out of school harms a child's "
		f"education, so if the school can offer {initials} a place now, please tell us straight away.",
	)
	_paragraph(document, _contact_sentence(authority, pupil))
	_sign_off(document, authority)
	_copies(document, _copy_lines(school, recipient))
	return _to_bytes(document)


def decision_to_direct_letter(
	authority: Authority,
	school: SchoolAddressee,
	pupil: PupilDetails,
	*,
	letter_date: date,
	consulted_on: date,
	referral_window_ends: date,
	direct_from: date,
	representations_received_on: date | None = None,
	reason: str = "",
	recipient: Recipient | None = None,
) -> bytes:
	"""The written notice of the council's decision to direct (SSFA 1998 s97B), served on ``letter_date``.

	Served only once the representations are in or the 7 days after ``consulted_on`` have passed
	(``domain.direction_timeline`` checks that; this letter only states it). The admission authority may
	refer the matter to the Schools Adjudicator until ``referral_window_ends`` (7 days, s97C); the direction
	is given from ``direct_from`` if nobody refers. ``reason`` is the council's reasons for its decision.
	"""
	_require_looked_after(pupil, "notice of a decision to direct")
	initials = _check_initials(pupil)
	_require_after(letter_date, consulted_on, "letter_date", "consulted_on")
	_require_after(referral_window_ends, letter_date, "referral_window_ends", "letter_date")
	_require_after(direct_from, referral_window_ends, "direct_from", "referral_window_ends")
	heading = "Notice of decision to direct the admission of a looked-after child (section 97B)"
	document = _letter_to_recipient(
		authority, school, pupil, letter_date, _subject_text(heading, pupil), recipient
	)
	school_name = plain_text(school.name)
	authority_name = plain_text(authority.name)
	heard = (
		f"We received the admission authority's representations on {long_date(representations_received_on)} "
		"and have considered them."
		if representations_received_on
		else f"The {REPRESENTATIONS_DAYS} days allowed for representations have passed without any."
	)
	_paragraph(
		document,
		f"On {long_date(consulted_on)} we consulted the admission authority of {school_name} on a proposed "
		f"direction to admit {initials}, a child looked after by {authority_name} (School Standards and "
		f"Framework Act 1998, section 97B(1)). {heard}",
	)
	_paragraph(
		document,
		f"{authority_name} has decided to direct the admission authority to admit {initials} to {school_name} "
		"under section 97A of the Act. This letter is the written notice of that decision to the admission "
		"authority and the headteacher (section 97B).",
	)
	reason_text = _free_text(reason, pupil)
	if reason_text:
		_quoted(document, "Our reasons:", reason_text)
	_paragraph(
		document,
		f"The admission authority may refer the matter to the Schools Adjudicator within "
		f"{ADJUDICATOR_REFERRAL_DAYS} days of this notice, that is until {long_date(referral_window_ends)} "
		"(section 97C). If it does, please tell us the same day. If no referral is made, we will give the "
		f"direction on or after {long_date(direct_from)}, and the school must then admit the child. These "
		"time limits are calendar days.",
	)
	_details_table(
		document,
		[
			*_pupil_rows(pupil),
			("Consulted on", long_date(consulted_on)),
			(
				"Representations received",
				long_date(representations_received_on) if representations_received_on else "",
			),
			("Date of this notice", long_date(letter_date)),
			(
				f"Referral to the Schools Adjudicator until ({ADJUDICATOR_REFERRAL_DAYS} days)",
				long_date(referral_window_ends),
			),
			("Direction from (if no referral)", long_date(direct_from)),
		],
		heading="Key details",
	)
	_paragraph(
		document,
		f"If the school will admit {initials} now, please tell us straight away: a place agreed today spares "
		"the child the days a direction takes.",
	)
	_paragraph(document, _contact_sentence(authority, pupil))
	_sign_off(document, authority)
	_copies(document, _copy_lines(school, recipient))
	return _to_bytes(document)


def direction_letter(
	authority: Authority,
	school: SchoolAddressee,
	pupil: PupilDetails,
	*,
	letter_date: date,
	notice_served_on: date,
	adjudicator_decided_on: date | None = None,
	start_date: date | None = None,
	recipient: Recipient | None = None,
) -> bytes:
	"""The direction to admit a looked-after child (SSFA 1998 s97A), given on ``letter_date``.

	Given after the 7-day window for referral to the Schools Adjudicator that followed the notice served on
	``notice_served_on`` passed without a referral, or after the adjudicator decided (``adjudicator_decided_on``)
	that the child go to this school. ``start_date`` is the day the child should start, when agreed.
	"""
	_require_looked_after(pupil, "direction")
	initials = _check_initials(pupil)
	_require_after(letter_date, notice_served_on, "letter_date", "notice_served_on")
	heading = "Direction to admit a looked-after child (section 97A)"
	document = _letter_to_recipient(
		authority, school, pupil, letter_date, _subject_text(heading, pupil), recipient
	)
	school_name = plain_text(school.name)
	authority_name = plain_text(authority.name)
	after = (
		f"The Schools Adjudicator decided on {long_date(adjudicator_decided_on)} that the child should be "
		f"admitted to {school_name}."
		if adjudicator_decided_on
		else f"The {ADJUDICATOR_REFERRAL_DAYS} days allowed for a referral to the Schools Adjudicator have passed "
		"without a referral."
	)
	_paragraph(
		document,
		f"On {long_date(notice_served_on)} we gave the admission authority written notice of our decision to "
		f"direct it to admit {initials}, a child looked after by {authority_name} (section 97B). {after}",
	)
	_paragraph(
		document,
		f"{authority_name} now directs the admission authority of {school_name} to admit {initials} to the "
		"school under section 97A of the School Standards and Framework Act 1998. The governing body must "
		"admit the child, and the headteacher must arrange it.",
	)
	if start_date:
		_paragraph(document, f"Please admit {initials} from {long_date(start_date)}.")
	else:
		_paragraph(document, f"Please admit {initials} without delay and tell us the start date.")
	_details_table(
		document,
		[
			*_pupil_rows(pupil),
			("Notice of decision served on", long_date(notice_served_on)),
			(
				"Schools Adjudicator decided on",
				long_date(adjudicator_decided_on) if adjudicator_decided_on else "",
			),
			("Date of this direction", long_date(letter_date)),
			("Start date", long_date(start_date) if start_date else ""),
		],
		heading="Key details",
	)
	_paragraph(
		document,
		"Please confirm the start date and the name of your designated teacher for looked-after children. "
		+ _contact_sentence(authority, pupil),
	)
	_sign_off(document, authority)
	_copies(document, _copy_lines(school, recipient))
	return _to_bytes(document)


def secretary_of_state_request_letter(
	authority: Authority,
	school: SchoolAddressee,
	pupil: PupilDetails,
	*,
	letter_date: date,
	refused_on: date | None,
	academy_trust: str = "",
	refusal_reason: str = "",
	reason: str = "",
	date_needed: date | None = None,
	approaches: Sequence[Approach] = (),
	department_address: Sequence[str] = DEPARTMENT_FOR_EDUCATION_ADDRESS,
) -> bytes:
	"""Ask the Secretary of State for Education to direct an academy to admit a looked-after child.

	Addressed to the Department for Education, copied to the academy and its trust. ``approaches`` lists the
	schools asked so far; ``refusal_reason`` is the academy's stated reason; ``reason`` is why this academy
	is right for the child.
	"""
	_require_looked_after(pupil, "request to the Secretary of State")
	initials = _check_initials(pupil)
	heading = "Request for a direction to admit a looked-after child to an academy"
	document = _new_document(authority, subject=_subject_text(heading, pupil), letter_date=letter_date)
	recipient = ["The Secretary of State for Education", *department_address]
	_opening(
		document,
		authority,
		[plain_text(line) for line in recipient if plain_text(line)],
		pupil,
		letter_date,
		salutation="Dear Secretary of State",
		subject=_subject_text(heading, pupil),
	)

	school_name = plain_text(school.name)
	authority_name = plain_text(authority.name)
	trust = plain_text(academy_trust)
	urn = f" (URN {plain_text(school.urn)})" if plain_text(school.urn) else ""
	run_by = f" run by {trust}" if trust else ""
	_paragraph(
		document,
		f"I am writing on behalf of {authority_name} to ask the Secretary of State to direct {school_name}"
		f"{urn}, an academy{run_by}, to admit {initials}, a child looked after by {authority_name}.",
	)
	_paragraph(
		document,
		"A local authority cannot direct an academy to admit a child: its power under section 97A of the "
		"School Standards and Framework Act 1998 applies to maintained schools. The Secretary of State can "
		"direct an academy to admit a looked-after child under the academy's funding agreement, and the "
		"Department for Education considers such requests on the Secretary of State's behalf.",
	)
	refused = (
		f"We asked the academy to admit {initials}, and it refused on {long_date(refused_on)}."
		if refused_on
		else f"We asked the academy to admit {initials}, and it has not offered a place."
	)
	_paragraph(document, refused)
	refusal_text = _free_text(refusal_reason, pupil)
	if refusal_text:
		_quoted(document, "The reason the academy gave:", refusal_text)
	reason_text = _free_text(reason, pupil)
	if reason_text:
		_quoted(document, "Why this academy is the right school for the child:", reason_text)

	_details_table(
		document,
		[
			*_pupil_rows(pupil),
			("Academy", f"{school_name}{urn}"),
			("Academy trust", trust),
			("Place needed from", long_date(date_needed) if date_needed else ""),
			("Place refused on", long_date(refused_on) if refused_on else ""),
			("Date of this request", long_date(letter_date)),
		],
		heading="Key details",
	)
	if approaches:
		heading = _paragraph(document, "Schools asked to admit the child", bold=True, space_after=3)
		heading.paragraph_format.keep_with_next = True
		table = document.add_table(rows=1, cols=4)
		table.style = document.styles["Table Grid"]
		for cell, label in zip(
			table.rows[0].cells, ("School", "Asked on", "Response", "Response date"), strict=True
		):
			_add_run(cell.paragraphs[0], label, bold=True)
		for approach in approaches:
			cells = table.add_row().cells
			_add_run(cells[0].paragraphs[0], plain_text(approach.school))
			_add_run(cells[1].paragraphs[0], long_date(approach.asked_on))
			_add_run(cells[2].paragraphs[0], _free_text(approach.response, pupil) or "No response")
			_add_run(
				cells[3].paragraphs[0], long_date(approach.responded_on) if approach.responded_on else ""
			)
		_keep_rows_whole(table, together=len(approaches) <= 8, header_row=True)
		_paragraph(document, space_after=0)

	waiting = (
		f" The child has needed a school place since {long_date(date_needed)}."
		if date_needed and date_needed <= letter_date
		else ""
	)
	_paragraph(
		document,
		f"We make this request as a last resort, after trying to agree a place with the academy.{waiting} "
		"Every school day without a place harms the child's education, so we ask the Department to "
		"consider this request urgently.",
	)
	_paragraph(
		document,
		"If the Department needs its request form for a looked-after child, or any further information, we "
		"will send it straight away. " + _contact_sentence(authority, pupil),
	)
	_sign_off(document, authority)
	headteacher = plain_text(school.headteacher)
	_copies(
		document,
		[
			f"{headteacher}, Headteacher, {school_name}"
			if headteacher
			else f"The Headteacher, {school_name}",
			f"{trust} (academy trust)" if trust else "",
		],
	)
	return _to_bytes(document)
