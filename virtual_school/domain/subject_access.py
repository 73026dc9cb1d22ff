"""A subject access export for one child: what needs a person's review before release, and the readable summary.

UK GDPR Article 15 gives the child (or someone acting for them) a copy of their personal data, and Article
12(3) asks for it within one month. Before the council releases it, a person must remove what is about
someone else (Data Protection Act 2018 Schedule 2 Part 3 para 16: another individual's data is disclosed only
with their consent or where reasonable) and decide on the exemptions for social work data (DPA 2018
Schedule 3 Part 3). This module marks what a reviewer must read, from each field's name and type, and
writes the summary .docx; it cannot find a carer's or another child's name written inside free text, and
the summary says so.

Pure: no Frappe import (the site side is ``governance/sar.py``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from virtual_school.domain.letters import SECURITY_MARKING, plain_text

FREE_TEXT_TYPES = frozenset(
	{"Small Text", "Text", "Long Text", "Text Editor", "Markdown Editor", "HTML Editor", "Code", "JSON"}
)
NOT_ABOUT_A_PERSON_TYPES = frozenset(
	{
		"Date",
		"Datetime",
		"Time",
		"Duration",
		"Check",
		"Int",
		"Float",
		"Currency",
		"Percent",
		"Rating",
		"Select",
	}
)
# Words in a field's name that mean it is about a carer or the child's family (third parties).
FAMILY_WORDS = frozenset(
	{
		"carer",
		"carers",
		"parent",
		"parents",
		"mother",
		"father",
		"sibling",
		"siblings",
		"family",
		"relative",
		"guardian",
		"foster",
		"household",
		"kinship",
	}
)
# A person's address, phone or e-mail on a child's record is a carer's or a professional's, not the child's own.
CONTACT_WORDS = frozenset({"address", "phone", "mobile", "email", "postcode"})
# Words naming a professional acting in their role (a social worker, teacher, officer, the virtual school's staff).
PROFESSIONAL_WORDS = frozenset(
	{
		"worker",
		"teacher",
		"senco",
		"officer",
		"iro",
		"caseworker",
		"approver",
		"requester",
		"contact",
		"advised",
		"submitted",
		"changed",
		"assigned",
		"owner",
		"designated",
		"nominated",
		"signatory",
	}
)

THIRD_PARTY = "third party: names or describes a carer or family member"
CONTACT_DETAILS = "third party: contact details of another person"
PROFESSIONAL = (
	"professional: names staff acting in their role (normally disclosed; check the council's policy)"
)
FREE_TEXT = "free text: may name carers, family or other children; cannot be checked automatically"

NOT_DETECTED = (
	"Names of carers, family members, other children or other third parties written in free text (notes, "
	"reasons, comments, letters and attached files) cannot be detected automatically. Read every free-text "
	"field, comment, letter and file before anything is released."
)


def review_reason(fieldname: str, fieldtype: str, options: str | None = None) -> str | None:
	"""Why a reviewer must read this field before release, or None when it is the child's own data.

	Decided from the field's name and type only (so a field added next year is classified without edits):
	a link to a User names staff; words like *carer* or *parent* mean family; an address, phone or e-mail on a
	child's record belongs to someone else; any free-text field may name anyone.
	"""
	words = set(fieldname.lower().split("_"))
	if fieldtype in NOT_ABOUT_A_PERSON_TYPES:
		return None  # a date, number, flag or choice from a list names nobody
	if fieldtype in ("Link", "Dynamic Link", "Table", "Table MultiSelect") and options != "User":
		return None  # a link to another record: that record is exported and reviewed on its own
	if words & FAMILY_WORDS:
		return THIRD_PARTY
	if words & CONTACT_WORDS:
		return CONTACT_DETAILS
	if options == "User" or words & PROFESSIONAL_WORDS:
		return PROFESSIONAL
	if fieldtype in FREE_TEXT_TYPES:
		return FREE_TEXT
	return None


@dataclass(frozen=True)
class Value:
	label: str
	value: str
	review: str | None = None


@dataclass(frozen=True)
class Record:
	"""One record about the child: its fields, then each child table's rows."""

	doctype: str
	name: str
	values: tuple[Value, ...]
	tables: tuple[tuple[str, tuple[tuple[Value, ...], ...]], ...] = ()


@dataclass(frozen=True)
class HistoryEntry:
	when: str
	who: str
	record: str
	what: str
	text: str = ""
	review: str | None = None


@dataclass(frozen=True)
class Access:
	when: str
	who: str
	record: str
	how: str
	route: str


@dataclass(frozen=True)
class Summary:
	authority: str
	child_name: str
	child_reference: str
	date_of_birth: str
	produced_by: str
	produced_at: datetime
	records: tuple[Record, ...]
	files: tuple[tuple[str, str, int], ...] = ()  # (record, file name, bytes)
	history: tuple[HistoryEntry, ...] = ()
	accesses: tuple[Access, ...] = ()
	flagged: int = 0
	notes: tuple[str, ...] = field(default_factory=tuple)


def counts_by_doctype(records: Iterable[Record]) -> dict[str, int]:
	counts: dict[str, int] = {}
	for record in records:
		counts[record.doctype] = counts.get(record.doctype, 0) + 1
	return counts


def _line(document, label: str, value: str, review: str | None = None) -> None:
	paragraph = document.add_paragraph()
	paragraph.paragraph_format.space_after = Pt(0)
	run = paragraph.add_run(plain_text(label) + ": ")
	run.bold = True
	paragraph.add_run(plain_text(value))
	if review:
		flag = paragraph.add_run(f"  [review: {plain_text(review)}]")
		flag.italic = True


def _table(document, header: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> None:
	rows = list(rows)
	table = document.add_table(rows=1, cols=len(header))
	table.style = "Table Grid"
	for cell, text in zip(table.rows[0].cells, header, strict=True):
		cell.text = plain_text(text)
		for run in cell.paragraphs[0].runs:
			run.bold = True
	for row in rows:
		cells = table.add_row().cells
		for cell, text in zip(cells, row, strict=True):
			cell.text = plain_text(text)


def summary_document(summary: Summary) -> bytes:
	"""The readable summary of a subject access export, as .docx bytes (every value inserted as plain text)."""
	document = docx.Document()
	section = document.sections[0]
	for part in (section.header, section.footer):
		paragraph = part.paragraphs[0]
		paragraph.text = SECURITY_MARKING
		paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

	document.add_heading(plain_text(f"Subject access export: {summary.child_name}"), level=0)
	_line(document, "Authority", summary.authority)
	_line(document, "Child", summary.child_name)
	_line(document, "Reference", summary.child_reference)
	_line(document, "Date of birth", summary.date_of_birth)
	_line(document, "Produced by", summary.produced_by)
	_line(document, "Produced at", summary.produced_at.strftime("%d %B %Y %H:%M"))

	document.add_heading("Before anything is released", level=1)
	document.add_paragraph(
		"This export is for the council's review. It holds every record the Virtual School app keeps about "
		"the child, in records/ as JSON and below in words, with attached files and letters in files/, "
		"version and workflow history and comments in history/, and who read the records in access_log.json."
	)
	document.add_paragraph(
		f"{summary.flagged} values are marked [review] here and listed in redaction_review.json: they name or "
		"describe a carer or family member, give another person's contact details, name a professional, or "
		"are free text."
	)
	warning = document.add_paragraph()
	warning.add_run(NOT_DETECTED).bold = True
	for note in summary.notes:
		document.add_paragraph(plain_text(note))

	document.add_heading("What the export holds", level=1)
	counts = counts_by_doctype(summary.records)
	_table(
		document,
		("Record type", "Records"),
		[
			*((doctype, str(count)) for doctype, count in counts.items()),
			("Attached files and letters", str(len(summary.files))),
			("History entries (versions, workflow, comments)", str(len(summary.history))),
			("Recorded reads of the records", str(len(summary.accesses))),
		],
	)

	document.add_heading("Records", level=1)
	current = None
	for record in summary.records:
		if record.doctype != current:
			current = record.doctype
			document.add_heading(plain_text(record.doctype), level=2)
		document.add_heading(plain_text(f"{record.doctype} {record.name}"), level=3)
		for value in record.values:
			_line(document, value.label, value.value, value.review)
		for label, rows in record.tables:
			if not rows:
				continue
			heading = document.add_paragraph()
			heading.add_run(plain_text(label)).bold = True
			for number, row in enumerate(rows, start=1):
				for value in row:
					_line(document, f"{number}. {value.label}", value.value, value.review)

	document.add_heading("Attached files and letters", level=1)
	if summary.files:
		_table(
			document,
			("Record", "File", "Size (bytes)"),
			((record, name, f"{size:,}") for record, name, size in summary.files),
		)
	else:
		document.add_paragraph("None.")

	document.add_heading("History: changes, workflow and comments", level=1)
	if summary.history:
		for entry in summary.history:
			text = f"{entry.when}, {entry.who}, {entry.record}: {entry.what}"
			_line(document, text, entry.text, entry.review)
	else:
		document.add_paragraph("None.")

	document.add_heading("Who read these records", level=1)
	if summary.accesses:
		_table(
			document,
			("When", "Who", "Record", "How", "Route"),
			(
				(access.when, access.who, access.record, access.how, access.route)
				for access in summary.accesses
			),
		)
	else:
		document.add_paragraph("No reads recorded.")

	buffer = io.BytesIO()
	document.save(buffer)
	return buffer.getvalue()
