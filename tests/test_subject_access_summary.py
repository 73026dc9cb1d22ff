"""domain.subject_access: what a reviewer must read before a subject access export is released, and the summary."""

import io
from datetime import datetime

import docx
import pytest

from virtual_school.domain import subject_access as sa


@pytest.mark.parametrize(
	("fieldname", "fieldtype", "options", "expected"),
	[
		# the child's own data
		("first_name", "Data", None, None),
		("date_of_birth", "Date", None, None),
		("upn", "Data", None, None),
		("cohort", "Select", "Looked After\nChild with a Social Worker", None),
		# a carer or the family: third parties
		("carer_name", "Data", None, sa.THIRD_PARTY),
		("birth_parent_notes", "Small Text", None, sa.THIRD_PARTY),
		("sibling_names", "Data", None, sa.THIRD_PARTY),
		# someone else's contact details on the child's record
		("placement_address", "Small Text", None, sa.CONTACT_DETAILS),
		("social_worker_email", "Data", None, sa.CONTACT_DETAILS),
		# professionals in their role
		("social_worker_name", "Data", None, sa.PROFESSIONAL),
		("designated_teacher", "Data", None, sa.PROFESSIONAL),
		("caseworker", "Link", "User", sa.PROFESSIONAL),
		("approver", "Link", "User", sa.PROFESSIONAL),
		# free text may name anyone
		("child_views", "Small Text", None, sa.FREE_TEXT),
		("legal_status_notes", "Text", None, sa.FREE_TEXT),
		("resolution", "Text Editor", None, sa.FREE_TEXT),
		# a link to another record is exported (and reviewed) as that record
		("school", "Link", "School", None),
		("current_placement", "Link", "Education Placement", None),
		("reference_name", "Dynamic Link", "reference_doctype", None),
		# a date, number or flag names nobody, whatever its name says
		("changed_on", "Datetime", None, None),
		("carer_attended", "Check", None, None),
		("parents_told_on", "Date", None, None),
	],
)
def test_review_reason(fieldname, fieldtype, options, expected):
	assert sa.review_reason(fieldname, fieldtype, options) == expected


def summary(**overrides) -> sa.Summary:
	values = {
		"authority": "Example County Council",
		"child_name": "Amara Okafor",
		"child_reference": "CH-00001",
		"date_of_birth": "2015-03-14",
		"produced_by": "head@example.test",
		"produced_at": datetime(2027, 1, 5, 9, 30),
		"records": (
			sa.Record(
				"Child",
				"CH-00001",
				(
					sa.Value("First Name", "Amara"),
					sa.Value("Carer Name", "Carol\x00 Carer", sa.THIRD_PARTY),
				),
				(("Status History", ((sa.Value("Status", "Active"),),)),),
			),
			sa.Record("Personal Education Plan", "PEP-00001", (sa.Value("Term", "Autumn"),)),
			sa.Record("Personal Education Plan", "PEP-00002", (sa.Value("Term", "Spring"),)),
		),
		"files": (("PP Plus Claim PPC-00001", "decision.docx", 12345),),
		"history": (
			sa.HistoryEntry("2027-01-02", "cw@example.test", "Child CH-00001", "Comment", "<b>hi</b>"),
		),
		"accesses": (
			sa.Access("2027-01-03 10:00", "cw@example.test", "Child CH-00001", "View", "/app/child/CH-00001"),
		),
		"flagged": 1,
	}
	return sa.Summary(**{**values, **overrides})


def read(content: bytes) -> tuple[str, list[list[list[str]]], docx.document.Document]:
	document = docx.Document(io.BytesIO(content))
	text = "\n".join(paragraph.text for paragraph in document.paragraphs)
	tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
	return text, tables, document


def test_summary_says_what_cannot_be_detected_and_marks_what_to_review():
	text, tables, document = read(sa.summary_document(summary()))
	assert sa.NOT_DETECTED in text
	assert "Carer Name: Carol Carer  [review: " + sa.THIRD_PARTY + "]" in text  # NUL dropped, flag shown
	assert "First Name: Amara" in text and "First Name: Amara  [review" not in text
	assert "1. Status: Active" in text
	assert "1 values are marked [review]" in text
	assert document.sections[0].header.paragraphs[0].text == "OFFICIAL-SENSITIVE"
	# the contents table counts records per type, then files, history and reads
	assert tables[0][1:] == [
		["Child", "1"],
		["Personal Education Plan", "2"],
		["Attached files and letters", "1"],
		["History entries (versions, workflow, comments)", "1"],
		["Recorded reads of the records", "1"],
	]
	assert ["PP Plus Claim PPC-00001", "decision.docx", "12,345"] in tables[1]
	assert ["2027-01-03 10:00", "cw@example.test", "Child CH-00001", "View", "/app/child/CH-00001"] in tables[
		2
	]
	assert "<b>hi</b>" in text  # inserted as text, never as markup


def test_an_empty_history_and_log_say_so():
	text, tables, _document = read(sa.summary_document(summary(files=(), history=(), accesses=())))
	assert "No reads recorded." in text
	assert len(tables) == 1  # only the contents table
