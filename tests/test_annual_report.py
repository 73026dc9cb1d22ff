"""Tier 1: the Virtual School Head's annual report as .docx (DOMAIN.md section 4), from aggregate figures only."""

import ast
import dataclasses
import io
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.shared import Inches
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from virtual_school.domain import annual_report as report
from virtual_school.domain.letters import SECURITY_MARKING, Authority

AUTHORITY = Authority(
	name="Kent County Council",
	virtual_school_name="Kent Virtual School",
	signatory="Helen Hart",
	signatory_title="Virtual School Head",
)


def figures(**changes) -> report.AnnualReportFigures:
	"""A large authority's year: 2,000 looked-after children."""
	values = dict(
		academic_year="2025-26",
		generated_on=date(2026, 7, 20),
		cohort_by_type={
			"Looked After": 2000,
			"Previously Looked After": 900,
			"Child with a Social Worker": 12000,
			"Kinship Care": 450,
		},
		looked_after_by_key_stage={
			"EYFS": 150,
			"KS1": 220,
			"KS2": 480,
			"KS3": 520,
			"KS4": 430,
			"KS5": 150,
			"Post-18": 50,
		},
		out_of_authority=350,
		sen_support=600,
		ehc_plans=500,
		school_moves=240,
		children_without_place_now=7,
		place_requests=180,
		placed=170,
		median_school_days_to_place=12.5,
		refusals=25,
		directions=4,
		secretary_of_state_referrals=3,
		peps_due=5200,
		peps_on_time=4680,
		pep_qa={"Green": 3900, "Amber": 900, "Red": 150, "Not rated": 250},
		pp_plus_allocated=Decimal("3945000"),
		pp_plus_approved=Decimal("420000.50"),
		pp_plus_paid=Decimal("2850000"),
		pp_plus_by_category={
			"Tuition": Decimal("1400000"),
			"Mentoring": Decimal("600000"),
			"Therapy and wellbeing": Decimal("700000.50"),
			"Resources": Decimal("300000"),
			"Enrichment": Decimal("200000"),
			"Other": Decimal("70000"),
		},
		suspensions=410,
		suspension_days=1030,
		permanent_exclusions=3,
		exclusions_by_cohort={"Looked After": 300, "Child with a Social Worker": 1100, "Kinship Care": 20},
		escalations_opened=95,
		escalations_by_level={1: 60, 2: 25, 3: 8, 4: 2},
		# exact small figures are checked here; small-number suppression in tests/test_outcomes.py
		suppress_below=0,
	)
	values.update(changes)
	return report.AnnualReportFigures(**values)


def empty_figures(**changes) -> report.AnnualReportFigures:
	"""A year with nothing in it: every count zero, every mapping empty, no median."""
	values = {}
	for field in dataclasses.fields(report.AnnualReportFigures):
		if field.name in ("academic_year", "generated_on", "pp_plus_funding_year", "counted_on", "outcomes"):
			continue
		if field.name == "median_school_days_to_place":
			values[field.name] = None
		elif field.type.startswith("dict"):
			values[field.name] = {}
		elif field.type == "Decimal":
			values[field.name] = Decimal(0)
		else:
			values[field.name] = 0
	values.update(changes)
	return report.AnnualReportFigures(academic_year="2025-26", generated_on=date(2026, 7, 20), **values)


def open_report(data: bytes):
	return docx.Document(io.BytesIO(data))


def headings(document) -> list[str]:
	return [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]


def body_text(document) -> str:
	return "\n".join(p.text for p in document.paragraphs)


def table_rows(document) -> list[list[str]]:
	return [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]


def figure_of(document, measure: str) -> str:
	"""The value beside ``measure`` in any two-column (measure, figure) row."""
	values = [row[1] for row in table_rows(document) if row[0] == measure]
	assert values, f"no row {measure!r}"
	return values[0]


ATTENDANCE = {
	"Looked After": {
		"children": 1800,
		"possible": 300000,
		"attended": 276000,
		"persistent": 360,
		"severe": 45,
	},
	"Child with a Social Worker": {
		"children": 9000,
		"possible": 1500000,
		"attended": 1320000,
		"persistent": 2700,
		"severe": 540,
	},
}


@pytest.fixture(scope="module")
def document():
	return open_report(
		report.annual_report(
			AUTHORITY, figures(pp_plus_funding_year="2025-26", attendance_by_cohort=ATTENDANCE)
		)
	)


def test_all_seven_sections_and_the_summary_are_headings(document):
	found = headings(document)
	assert found[0] == "Executive summary"
	for heading in (
		"1 The cohort",
		"2 School places and moves",
		"3 Personal Education Plans",
		"4 Pupil Premium Plus",
		"5 Attendance, suspensions and exclusions",
		"6 Children with a social worker and kinship care",
		"7 Escalations",
	):
		assert heading in found
	assert [h for h in found if h[0].isdigit()] == list(report.SECTION_HEADINGS)


def test_title_page_names_the_authority_year_and_date(document):
	title_page = []
	for paragraph in document.paragraphs:
		if paragraph.text == "Executive summary":
			break
		title_page.append(paragraph.text)
	assert "Kent County Council" in title_page
	assert "Kent Virtual School" in title_page
	assert "Virtual School Head's annual report" in title_page
	assert "Academic year 2025-26" in title_page
	assert "1 September 2025 to 31 August 2026" in title_page
	assert "20 July 2026" in title_page
	assert "Report to the Corporate Parenting Board" in title_page
	assert any(p.style.name == "Title" for p in document.paragraphs)
	assert document.core_properties.title == "Virtual School Head's annual report 2025-26"


def test_executive_summary_is_computed_from_the_figures(document):
	summary = next(p.text for p in document.paragraphs if p.text.startswith("On 20 July 2026"))
	assert "2,000 looked-after children" in summary
	assert "4,680 of the 5,200 PEPs due in the year (90.0%) were completed on time" in summary
	assert "£2,850,000.00 of Pupil Premium Plus was paid to schools" in summary
	assert "(82.9% committed)" in summary  # (420,000.50 + 2,850,000) / 3,945,000
	assert "350 looked-after children (17.5%)" in summary
	assert "170 (94.4%) ended in a place" in summary
	assert "12.5 school days" in summary


def test_tables_hold_the_computed_percentages_and_sums(document):
	assert len(document.tables) >= 10
	assert figure_of(document, "Out of authority, % of looked-after children") == "17.5%"
	assert figure_of(document, "SEN support, % of looked-after children") == "30.0%"
	assert figure_of(document, "Completed on time, % of PEPs due") == "90.0%"
	assert figure_of(document, "Late or not completed") == "520"
	assert figure_of(document, "Placed, % of requests") == "94.4%"
	assert figure_of(document, "Median time to place (school days)") == "12.5"
	assert figure_of(document, "Directions to maintained schools (s97A)") == "4"
	assert figure_of(document, "Requests to the Secretary of State (academies)") == "3"
	assert figure_of(document, "Allocated") == "£3,945,000.00"
	assert figure_of(document, "Committed (approved and paid)") == "£3,270,000.50"
	assert figure_of(document, "Not yet committed") == "£674,999.50"
	assert figure_of(document, "Average days per suspension") == "2.5"
	rows = table_rows(document)
	assert ["Green", "3,900", "75.0%", "Good quality: meets the virtual school's standard"] in rows
	assert ["Tuition", "£1,400,000.00", "42.8%"] in rows
	assert ["Looked-after children", "300", "15.0"] in rows  # exclusions per 100 looked-after children
	assert ["Children in kinship care", "450", "20", "4.4"] in rows  # section 6, counts only
	assert ["Level 4", "Director of Children's Services / DfE", "2", "2.1%"] in rows
	assert ["All cohorts", "15,350", "100.0%", ""] in rows
	assert ["Looked-after children", "1,800", "92.0%", "360 (20.0%)", "45 (2.5%)"] in rows
	assert ["Children with a social worker", "9,000", "88.0%", "2,700 (30.0%)", "540 (6.0%)"] in rows


def test_no_attendance_returns_are_said_plainly():
	document = open_report(report.annual_report(AUTHORITY, figures()))
	assert "No attendance returns were received in the year." in body_text(document)


@pytest.mark.parametrize(
	"attendance",
	[
		{"Looked After": {"children": 1, "possible": 10, "attended": 11}},
		{"Looked After": {"children": 1, "persistent": 2}},
		{"Looked After": {"children": -1}},
	],
)
def test_inconsistent_attendance_figures_are_refused(attendance):
	with pytest.raises(ValueError):
		figures(attendance_by_cohort=attendance)


def test_charts_are_png_pictures_six_inches_wide(document):
	shapes = document.inline_shapes
	assert len(shapes) == 3  # cohort, PEP QA ratings, PP+ by category
	assert all(shape.width == Inches(6) for shape in shapes)
	for shape in shapes:
		blip = shape._inline.graphic.graphicData.pic.blipFill.blip
		image = document.part.related_parts[blip.embed]
		assert image.content_type == "image/png"
		assert image.blob.startswith(b"\x89PNG")
		assert shape._inline.docPr.get("descr").startswith("Figure ")
	assert "Figure 1: children known to the virtual school, by cohort" in body_text(document)


def test_official_sensitive_in_every_header_and_footer(document):
	for section in document.sections:
		for part in (section.header, section.footer):
			text = "\n".join(p.text for p in part.paragraphs)
			assert SECURITY_MARKING in text
		assert "Kent County Council" in section.header.paragraphs[1].text
		assert "aggregate" in section.footer.paragraphs[0].text
	assert document.core_properties.keywords == SECURITY_MARKING


def test_empty_figures_do_not_crash_and_say_there_is_no_data():
	document = open_report(report.annual_report(AUTHORITY, empty_figures()))
	assert len(headings(document)) >= 8
	assert len(document.inline_shapes) == 0
	text = body_text(document)
	assert "No cohort figures were recorded, so there is no cohort chart." in text
	assert "No PEP quality assurance ratings were recorded" in text
	assert "No PP+ was approved or paid by category" in text
	assert "No Personal Education Plans fell due in the year." in text
	assert "no time to place" in text
	assert figure_of(document, "Completed on time, % of PEPs due") == "n/a"
	assert figure_of(document, "Committed, % of allocation") == "n/a"
	assert figure_of(document, "Median time to place (school days)") == "n/a"
	assert figure_of(document, "Average days per suspension") == "n/a"
	assert "Kent County Council" in text


def test_zero_bases_give_n_a_but_other_figures_still_show():
	data = report.annual_report(
		AUTHORITY,
		figures(
			cohort_by_type={"Child with a Social Worker": 40},
			peps_due=0,
			peps_on_time=0,
			pp_plus_allocated=0,
			pep_qa={"Not rated": 3},
		),
	)
	document = open_report(data)
	assert figure_of(document, "Out of authority, % of looked-after children") == "n/a"
	assert figure_of(document, "Completed on time, % of PEPs due") == "n/a"
	assert figure_of(document, "Committed, % of allocation") == "n/a"
	assert "Approved and paid claims exceed the allocation by £3,270,000.50." in body_text(document)
	assert len(document.inline_shapes) == 3


def test_percent_has_one_decimal_rounded_half_up():
	assert report.percent(1, 3) == "33.3%"
	assert report.percent(2, 3) == "66.7%"
	assert report.percent(1, 8) == "12.5%"
	assert report.percent(1, 16) == "6.3%"  # 6.25 rounds up, not to even
	assert report.percent(Decimal("420000.50"), Decimal("3945000")) == "10.6%"
	assert report.percent(5, 0) == "n/a"
	assert report.percent(123456, 1) == "12,345,600.0%"


def test_unrecorded_labels_and_levels_off_the_ladder_still_appear():
	data = report.annual_report(
		AUTHORITY,
		figures(
			looked_after_by_key_stage={None: 4, "KS2": 6},
			escalations_by_level={"2": 1, 5: 2},
			exclusions_by_cohort={"": 2, "Looked After": 1},
			pp_plus_by_category={"Costs in $ and £": 10, "Tuition": "20.50"},
		),
	)
	rows = table_rows(open_report(data))
	assert ["Not recorded", "4", "40.0%"] in rows
	assert ["Level 5", "Level not on the ladder", "2", "66.7%"] in rows
	assert ["Level 1", "Caseworker", "0", "0.0%"] in rows
	assert ["Not recorded", "2", "n/a"] in rows
	assert ["Costs in $ and £", "£10.00", "32.8%"] in rows


def test_many_categories_are_charted_as_the_largest_and_the_rest():
	categories = {f"Category {n}": Decimal(n) for n in range(1, 31)}
	document = open_report(report.annual_report(AUTHORITY, figures(pp_plus_by_category=categories)))
	assert sum(1 for row in table_rows(document) if row[0].startswith("Category ")) == 30
	assert len(document.inline_shapes) == 3


@pytest.mark.parametrize(
	"changes",
	[
		{"peps_due": -1},
		{"pp_plus_paid": Decimal("-0.01")},
		{"cohort_by_type": {"Looked After": -3}},
		{"median_school_days_to_place": -2.0},
		{"suspensions": 1.5},
		{"academic_year": "2025/26"},
		{"pp_plus_funding_year": "April"},
	],
)
def test_negative_or_malformed_figures_are_refused(changes):
	with pytest.raises(ValueError):
		figures(**changes)


def test_wrong_types_are_refused():
	with pytest.raises(TypeError):
		figures(peps_due="many")
	with pytest.raises(TypeError):
		figures(cohort_by_type=[("Looked After", 1)])
	with pytest.raises(TypeError):
		figures(generated_on="2026-07-20")
	with pytest.raises(TypeError):
		report.annual_report(AUTHORITY, {"academic_year": "2025-26"})


def test_figures_from_sql_are_normalised():
	"""Counts may arrive as integral Decimals and money as strings or floats, as database drivers give them."""
	normalised = figures(peps_due=Decimal(5200), pp_plus_paid=12.1, suspension_days=Decimal("1030.0"))
	assert normalised.peps_due == 5200 and isinstance(normalised.peps_due, int)
	assert normalised.pp_plus_paid == Decimal("12.1")
	assert normalised.suspension_days == 1030
	assert normalised.looked_after == 2000
	assert normalised.pp_plus_committed == Decimal("420012.60")


def test_a_word_document_without_child_level_fields():
	data = report.annual_report(AUTHORITY, figures())
	assert zipfile.is_zipfile(io.BytesIO(data))
	names = {field.name for field in dataclasses.fields(report.AnnualReportFigures)}
	assert not names & {"child", "children", "child_name", "initials", "upn", "date_of_birth"}
	assert "names no child" in body_text(open_report(data))


def test_module_imports_no_frappe_and_matplotlib_only_lazily():
	source = Path(report.__file__).read_text()
	tree = ast.parse(source)
	for node in ast.walk(tree):
		if isinstance(node, ast.Import):
			assert not any(alias.name.split(".")[0] == "frappe" for alias in node.names)
		elif isinstance(node, ast.ImportFrom) and node.module:
			assert node.module.split(".")[0] != "frappe"
	for node in tree.body:  # top level: no matplotlib
		if isinstance(node, ast.Import):
			assert not any(alias.name.startswith("matplotlib") for alias in node.names)
		elif isinstance(node, ast.ImportFrom):
			assert not (node.module or "").startswith("matplotlib")
	assert 'matplotlib.use("Agg")' in source


counts = st.integers(min_value=0, max_value=10**7)
money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
labels = st.text(min_size=0, max_size=30)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
	cohort_by_type=st.dictionaries(st.sampled_from(report.COHORTS) | labels, counts, max_size=6),
	key_stages=st.dictionaries(
		st.sampled_from(["EYFS", "KS1", "KS2", "KS3", "KS4", "KS5", "Post-18"]), counts
	),
	pep_qa=st.dictionaries(st.sampled_from(report.QA_RATINGS) | labels, counts, max_size=5),
	categories=st.dictionaries(labels, money, max_size=15),
	exclusions=st.dictionaries(st.sampled_from(report.COHORTS), counts),
	levels=st.dictionaries(st.integers(min_value=0, max_value=6), counts, max_size=5),
	scalars=st.lists(counts, min_size=16, max_size=16),
	amounts=st.lists(money, min_size=3, max_size=3),
	median=st.none() | st.floats(min_value=0, max_value=400, allow_nan=False),
)
def test_any_non_negative_figures_make_a_report(
	cohort_by_type, key_stages, pep_qa, categories, exclusions, levels, scalars, amounts, median
):
	names = (
		"out_of_authority",
		"sen_support",
		"ehc_plans",
		"school_moves",
		"children_without_place_now",
		"place_requests",
		"placed",
		"refusals",
		"directions",
		"secretary_of_state_referrals",
		"peps_due",
		"peps_on_time",
		"suspensions",
		"suspension_days",
		"permanent_exclusions",
		"escalations_opened",
	)
	data = report.annual_report(
		AUTHORITY,
		figures(
			**dict(zip(names, scalars, strict=True)),
			cohort_by_type=cohort_by_type,
			looked_after_by_key_stage=key_stages,
			pep_qa=pep_qa,
			pp_plus_by_category=categories,
			exclusions_by_cohort=exclusions,
			escalations_by_level=levels,
			pp_plus_allocated=amounts[0],
			pp_plus_approved=amounts[1],
			pp_plus_paid=amounts[2],
			median_school_days_to_place=median,
		),
	)
	document = open_report(data)
	assert [h for h in headings(document) if h[0].isdigit()] == list(report.SECTION_HEADINGS)
	assert len(document.inline_shapes) <= 3
	on_time = figure_of(document, "Completed on time, % of PEPs due")
	assert on_time == report.percent(scalars[11], scalars[10])
	assert on_time == "n/a" if scalars[10] == 0 else on_time.endswith("%") and "." in on_time


def test_the_childs_voice_is_counted_over_the_completed_peps():
	"""Issue #23: PEPs with the child's views in their own words, over the PEPs in the QA table (5,200 here),
	and QA's rating of the voice."""
	document = open_report(
		report.annual_report(
			AUTHORITY,
			figures(peps_with_voice=4680, pep_voice_qa={"Green": 3000, "Amber": 1500, "Not rated": 700}),
		)
	)
	text = body_text(document)
	assert (
		"The child's views, in their own words, were recorded in 4,680 of the 5,200 completed PEPs (90.0%)."
		in text
	)
	assert (
		"Quality assurance rated the child's voice green in 3,000 of the 4,500 PEPs it rated (66.7%)." in text
	)
