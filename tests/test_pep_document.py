"""Tier 1: the Personal Education Plan export as .docx (DOMAIN.md "Personal Education Plan")."""

import ast
import io
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from virtual_school.domain import letters, pep_document
from virtual_school.domain.pep_document import AttainmentRow, PepExport, PepTarget

AUTHORITY = letters.Authority(
	name="Kent County Council",
	virtual_school_name="Kent Virtual School",
	signatory="Helen Hart",
	signatory_title="Virtual School Head",
	email="virtual.school@kent.example",
)
FIRST_NAME, LAST_NAME = "Amara", "Okafor-Smith"
PUPIL = letters.PupilDetails(
	initials=letters.child_initials(FIRST_NAME, LAST_NAME),
	date_of_birth=date(2015, 3, 14),
	year_group="Year 6",
	upn="B801200005001",
	reference="PEP-00042",
	withheld_names=(FIRST_NAME, LAST_NAME),
)
PLAN = PepExport(
	school_name="St Mary's Church of England Primary School",
	academic_year="2025-26",
	term="Summer",
	meeting_date=date(2026, 5, 12),
	due_date=date(2026, 7, 21),
	designated_teacher="Mr D Kaur",
	social_worker="Ms L Brown",
	carer="Mrs P Green",
	child_views="Amara says she likes maths and wants to join the football club.",
	attendance_percent=87.5,
	targets=(
		("Reading", "Read a book a week with her carer", "Reading age up 6 months by July", True, "Amber"),
		PepTarget("Maths", "Know times tables to 12", "Scores 45/50 on the weekly check", False, "Green"),
		("Wellbeing", "Join a lunchtime club", "Attends 3 sessions a week", False, ""),
	),
	attainment=(
		("English", "Working towards", "Expected"),
		AttainmentRow("Maths", "Expected", "Greater depth"),
	),
	qa_rating="green",
	qa_comments="Targets are SMART; Okafor-Smith family contact is noted.",
)


def open_document(data: bytes):
	assert isinstance(data, bytes)
	return docx.Document(io.BytesIO(data))


def table_rows(data: bytes) -> list[list[str]]:
	return [[cell.text for cell in row.cells] for table in open_document(data).tables for row in table.rows]


def everything(data: bytes) -> str:
	document = open_document(data)
	texts = [paragraph.text for paragraph in document.paragraphs]
	texts += [text for row in table_rows(data) for text in row]
	section = document.sections[0]
	for margin in (section.first_page_header, section.header, section.first_page_footer, section.footer):
		texts += [paragraph.text for paragraph in margin.paragraphs]
	properties = document.core_properties
	texts += [properties.title, properties.subject, properties.keywords, properties.comments]
	return "\n".join(texts)


def test_title_sections_and_details():
	data = pep_document.pep_document(AUTHORITY, PUPIL, PLAN)
	document = open_document(data)
	paragraphs = [paragraph.text for paragraph in document.paragraphs]
	assert "Personal Education Plan" in paragraphs
	for heading in (
		"PEP details",
		"The child's views",
		"Attendance",
		"SMART targets",
		"Attainment",
		"Virtual school quality assurance",
	):
		assert heading in paragraphs, heading
	rows = {row[0]: row[1] for row in table_rows(data) if len(row) == 2}
	assert rows["Pupil (initials)"] == "A.O."
	assert rows["School"] == "St Mary's Church of England Primary School"
	assert rows["PEP meeting date"] == "12 May 2026"
	assert rows["PEP due by"] == "21 July 2026"
	assert rows["Designated teacher"] == "Mr D Kaur"
	assert rows["Social worker"] == "Ms L Brown"
	assert rows["Carer"] == "Mrs P Green"
	assert rows["Term"] == "Summer" and rows["Academic year"] == "2025-26"
	assert document.core_properties.title.startswith("Personal Education Plan: pupil A.O.")


def test_initials_present_and_full_name_absent():
	text = everything(pep_document.pep_document(AUTHORITY, PUPIL, PLAN))
	assert "A.O." in text
	for name in (FIRST_NAME, LAST_NAME, "Okafor", f"{FIRST_NAME} {LAST_NAME}"):
		assert name.lower() not in text.lower(), name
	assert "A.O. says she likes maths" in text


def test_official_sensitive_marking_in_every_header_and_footer():
	section = open_document(pep_document.pep_document(AUTHORITY, PUPIL, PLAN)).sections[0]
	for margin in (section.first_page_header, section.header, section.first_page_footer, section.footer):
		assert any(letters.SECURITY_MARKING in paragraph.text for paragraph in margin.paragraphs)


def test_targets_table_marks_pp_plus_funding_and_rag():
	data = pep_document.pep_document(AUTHORITY, PUPIL, PLAN)
	header = ["Area", "Target", "How success will be measured", "PP+ funded", "Progress (RAG)"]
	rows = table_rows(data)
	start = rows.index(header)
	targets = rows[start + 1 : start + 4]
	assert [row[3] for row in targets] == [pep_document.PP_PLUS_FUNDED, "No", "No"]
	assert [row[4] for row in targets] == ["Amber", "Green", "Not rated"]
	assert targets[0][0] == "Reading"
	assert "1 of 3 targets is funded by Pupil Premium Plus (PP+)." in everything(data)


def test_attainment_attendance_and_qa():
	data = pep_document.pep_document(AUTHORITY, PUPIL, PLAN)
	rows = table_rows(data)
	start = rows.index(["Subject", "Current", "Target"])
	assert rows[start + 1 : start + 3] == [
		["English", "Working towards", "Expected"],
		["Maths", "Expected", "Greater depth"],
	]
	qa = {row[0]: row[1] for row in rows if len(row) == 2}
	assert qa["QA rating"] == "Green"  # "green" normalised
	assert qa["Comments"] == "Targets are SMART; A.O. family contact is noted."
	text = everything(data)
	assert "Attendance: 87.5%." in text and "persistent absence" in text


def test_empty_plan_still_makes_a_document():
	plan = PepExport(school_name="Oak Academy", academic_year="2025-26", term="Autumn")
	text = everything(pep_document.pep_document(AUTHORITY, PUPIL, plan))
	for expected in (
		"Not yet held",
		"The child's views have not been recorded.",
		"Attendance: not recorded.",
		"No targets have been recorded.",
		"No attainment has been recorded.",
		"Not rated",
	):
		assert expected in text, expected
	assert "persistent absence" not in text


STATUTORY = (
	("Education and Training History", "Oak Nursery, then St Mary's from Reception"),
	("Conduct Record", ""),
	("Achievements", "Amara won the reading prize"),
	("SEN Provision", "SEN support"),
)


def labels_and_values(data: bytes) -> dict[str, str]:
	return {row[0]: row[1] for row in table_rows(data) if len(row) == 2}


def test_statutory_content_shows_each_heading_and_what_is_missing():
	"""CPPCR 2010 Sch 1 para 2: every heading printed, an empty one as "Not recorded", names withheld."""
	plan = PepExport("Oak", "2025-26", "Autumn", statutory_content=STATUTORY)
	data = pep_document.pep_document(AUTHORITY, PUPIL, plan)
	values = labels_and_values(data)
	assert values["Conduct Record"] == pep_document.NOT_RECORDED
	assert values["Achievements"] == "A.O. won the reading prize"
	assert "Education, conduct and interests" in everything(data)


def test_an_early_years_pep_prints_its_setting_eypp_and_goals():
	plan = PepExport(
		"Oak Nursery",
		"2025-26",
		"Spring",
		variant="Early years",
		early_years=pep_document.EarlyYearsPart(
			setting_type="Nursery",
			setting_name="Oak Nursery",
			eypp_claimed=True,
			eypp_amount=342.9,
			eypp_use="Speech and language sessions for Amara",
			goals=(("Literacy", "Writing", "Emerging", "Letter shapes"), ("Mathematics", "Number", "", "")),
		),
		post_16=pep_document.Post16Part(course="A levels"),  # another variant's part is never printed
	)
	data = pep_document.pep_document(AUTHORITY, PUPIL, plan)
	values, text = labels_and_values(data), everything(data)
	assert values["Early Years Pupil Premium"] == "Claimed: £342.90"
	assert values["How the EYPP is used"] == "Speech and language sessions for A.O."
	assert ["Literacy", "Writing", "Emerging", "Letter shapes"] in table_rows(data)
	assert ["Mathematics", "Number", "Not yet judged", ""] in table_rows(data)
	assert "A levels" not in text and "Qualification aims" not in text


def test_a_post_16_pep_prints_course_aims_bursary_and_neet_risk():
	plan = PepExport(
		"Northgate College",
		"2025-26",
		"Autumn",
		variant="Post-16",
		post_16=pep_document.Post16Part(
			course="Level 3 Extended Diploma in Engineering",
			provider="Northgate College",
			bursary_status="Awarded and being paid",
			neet_risk="Medium",
			neet_risk_detail="Attendance dipped after Okafor-Smith moved placement",
			aims=(("BTEC Engineering", "Level 3", "Merit", "Distinction"),),
		),
		early_years=pep_document.EarlyYearsPart(setting_name="Oak Nursery"),
	)
	data = pep_document.pep_document(AUTHORITY, PUPIL, plan)
	values, text = labels_and_values(data), everything(data)
	assert values["Risk of becoming NEET"] == "Medium: Attendance dipped after A.O. moved placement"
	assert values["Plans for the next step"] == pep_document.NOT_RECORDED
	assert ["BTEC Engineering", "Level 3", "Merit", "Distinction"] in table_rows(data)
	assert "Oak Nursery" not in text and "Early learning goals" not in text


def test_a_pep_from_before_the_variants_has_no_variant_part():
	text = everything(pep_document.pep_document(AUTHORITY, PUPIL, PLAN))
	assert "Early learning goals" not in text and "Qualification aims" not in text
	with pytest.raises(ValueError):
		PepExport("Oak", "2025-26", "Autumn", variant="Infants")


def test_bad_values_are_refused():
	base = {"school_name": "Oak Academy", "academic_year": "2025-26", "term": "Autumn"}
	with pytest.raises(ValueError, match="qa_rating"):
		PepExport(**base, qa_rating="Purple")
	with pytest.raises(ValueError, match="progress_rag"):
		PepExport(**base, targets=(("Maths", "t", "m", False, "Blue"),))
	with pytest.raises(ValueError, match="attendance_percent"):
		PepExport(**base, attendance_percent=101)
	with pytest.raises(ValueError, match="attendance_percent"):
		PepExport(**base, attendance_percent=float("nan"))
	with pytest.raises(ValueError, match="initials"):
		pep_document.pep_document(AUTHORITY, letters.PupilDetails("Amara", date(2015, 3, 14), "Year 6"), PLAN)


def test_markup_is_plain_text():
	views = """<script>alert("x")</script> & <w:t>not xml</w:t> ]]>"""
	data = pep_document.pep_document(
		AUTHORITY, PUPIL, PepExport("Oak", "2025-26", "Autumn", child_views=views)
	)
	assert views in everything(data)
	with zipfile.ZipFile(io.BytesIO(data)) as package:
		xml = package.read("word/document.xml").decode("utf-8")
	assert "<script>" not in xml and "&lt;script&gt;" in xml


def test_module_imports_no_frappe():
	source = Path(pep_document.__file__).read_text()
	for node in ast.walk(ast.parse(source)):
		if isinstance(node, ast.Import):
			assert not any(alias.name.split(".")[0] == "frappe" for alias in node.names)
		elif isinstance(node, ast.ImportFrom) and node.module:
			assert node.module.split(".")[0] != "frappe"


printable = st.characters(blacklist_categories=("Cc", "Cs"))
texts = st.text(alphabet=st.one_of(printable, st.sampled_from("\n\t")), max_size=200)
ANONYMOUS = letters.PupilDetails(initials="J.D.", date_of_birth=date(2014, 1, 2), year_group="Year 7")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, texts, texts, texts)
def test_any_text_round_trips_as_plain_text(views, target, subject, comments):
	plan = PepExport(
		school_name="Oak Academy",
		academic_year="2025-26",
		term="Spring",
		child_views=views,
		targets=((target, target, target, True, "Red"),),
		attainment=((subject, "x", "y"),),
		qa_comments=comments,
	)
	text = everything(pep_document.pep_document(AUTHORITY, ANONYMOUS, plan))
	for value in (views, target, subject, comments):
		assert letters.plain_text(value) in text
