"""Tier 1: outcome measures and the small-number rule (``domain.outcomes``), and the annual report applying that
rule to every count it prints (issue #23 item 7)."""

import dataclasses
import io
import re
from datetime import date

import docx
import pytest

from virtual_school.domain import annual_report as report
from virtual_school.domain import outcomes
from virtual_school.domain.letters import Authority

AUTHORITY = Authority("Kent County Council", "Kent Virtual School", "Helen Hart", "Virtual School Head")


@pytest.mark.parametrize(
	("count", "threshold", "text"),
	[
		(0, 5, "<5"),
		(4, 5, "<5"),
		(5, 5, "5"),
		(1234, 5, "1,234"),
		(9, 10, "<10"),  # the label is built from the setting
		(0, 0, "0"),  # 0 shows every count
		(0, 1, "<1"),
		(1, 1, "1"),
	],
)
def test_a_count_below_the_threshold_is_suppressed(count, threshold, text):
	assert outcomes.count_text(count, threshold) == text
	assert outcomes.is_suppressed(count, threshold) == text.startswith("<")


@pytest.mark.parametrize(
	("part", "whole", "threshold", "text"),
	[
		(3, 4, 0, "75.0%"),
		(1, 16, 0, "6.3%"),  # half up
		(4, 100, 5, "c"),  # a small part
		(6, 4, 5, "c"),  # a small whole
		(50, 100, 5, "50.0%"),
		(0, 0, 5, "n/a"),
		(5, 5, 5, "100.0%"),
	],
)
def test_a_percentage_of_a_suppressed_count_is_confidential(part, whole, threshold, text):
	assert outcomes.share_text(part, whole, threshold) == text


def test_an_average_of_too_few_is_confidential():
	assert outcomes.average_text(90.0, 4, 5) == "c"
	assert outcomes.average_text(101.0, 5, 5) == "20.2"
	assert outcomes.average_text(0, 0, 5) == "n/a"


@pytest.mark.parametrize("threshold", [-1, 2.5, True, "5"])
def test_a_threshold_must_be_a_whole_number_of_zero_or_more(threshold):
	with pytest.raises(ValueError):
		outcomes.count_text(3, threshold)


NATIONAL = [
	outcomes.NationalFigure("2022-23", outcomes.MEASURES[0].label, 37.0, "DfE 2024"),
	outcomes.NationalFigure("2023-24", outcomes.MEASURES[0].label, 38.5, "DfE 2025"),
	outcomes.NationalFigure("2026-27", outcomes.MEASURES[0].label, 40.0, "DfE 2028"),
]


def test_the_national_figure_is_the_years_or_the_last_published_before_it():
	label = outcomes.MEASURES[0].label
	assert outcomes.national_figure_for(label, "2023-24", NATIONAL).value == 38.5
	assert outcomes.national_figure_for(label, "2025-26", NATIONAL).value == 38.5  # never a later year's
	assert outcomes.national_figure_for(label, "2021-22", NATIONAL) is None
	assert outcomes.national_figure_for(outcomes.ATTAINMENT_8, "2025-26", NATIONAL) is None


def test_each_measure_counts_the_children_recorded_for_it():
	records = [
		{"key_stage": "EYFS", "good_level_of_development": "Yes"},
		{"key_stage": "EYFS", "good_level_of_development": "No"},
		{"key_stage": "EYFS", "good_level_of_development": ""},  # not recorded: not assessed
		{"key_stage": "KS2", "ks2_reading": "Yes", "ks2_writing": "Yes", "ks2_maths": "Yes"},
		{"key_stage": "KS2", "ks2_reading": "Yes", "ks2_writing": "No", "ks2_maths": "Yes"},
		{"key_stage": "KS2", "ks2_reading": "Yes", "ks2_writing": None, "ks2_maths": "No"},
		{"key_stage": "KS4", "english_maths_grade_4": "Yes", "attainment_8": 40.5},
		{"key_stage": "KS4", "english_maths_grade_4": "No", "attainment_8": None},
		{"key_stage": "KS2", "good_level_of_development": "Yes"},  # another key stage's measure: ignored
		{"key_stage": "Post-16", "participation": "NEET"},
		{"key_stage": "Post-16", "participation": "In education"},
		{"key_stage": "Post-16", "participation": "In education"},
	]
	tallied = outcomes.tally(records, "2025-26", NATIONAL)
	got = {result.label: (result.achieved, result.assessed) for result in tallied.measures}
	assert got == {
		"Good level of development (EYFS)": (1, 2),
		"Expected standard in reading (KS2)": (3, 3),
		"Expected standard in writing (KS2)": (1, 2),
		"Expected standard in maths (KS2)": (2, 3),
		"Expected standard in reading, writing and maths (KS2)": (1, 2),
		"Grade 4 or above in English and maths (KS4)": (1, 2),
	}
	assert tallied.measures[0].national.value == 38.5
	assert (tallied.attainment_8_total, tallied.attainment_8_count) == (40.5, 1)
	assert tallied.participation["In education"] == 2
	assert tallied.participation["NEET"] == 1
	assert tallied.post_16 == 3


def test_the_measures_national_comparators_and_key_stages_agree():
	"""Every measure's fields belong to its key stage, and each measure can have a national figure."""
	for measure in outcomes.MEASURES:
		assert set(measure.fields) <= set(outcomes.FIELDS_BY_KEY_STAGE[measure.key_stage])
		assert measure.label in outcomes.NATIONAL_MEASURES
	assert set(outcomes.FIELDS_BY_KEY_STAGE) == set(outcomes.KEY_STAGES)


def test_an_impossible_attainment_8_is_refused():
	with pytest.raises(ValueError):
		outcomes.tally([{"key_stage": "KS4", "attainment_8": 91}])


# --- the report --------------------------------------------------------------------------------------------

SMALL = 7  # every count in the report below; the threshold above it


def _all_counts(value: int) -> report.AnnualReportFigures:
	"""A year whose every count (scalar, mapping, attendance, outcomes) is ``value``, from the dataclass's fields,
	so a count added next year is covered without editing this test."""
	values = {}
	for field in dataclasses.fields(report.AnnualReportFigures):
		if field.name in (
			"academic_year",
			"generated_on",
			"pp_plus_funding_year",
			"counted_on",
			"suppress_below",
		):
			continue
		if field.name == "median_school_days_to_place":
			values[field.name] = 12.5
		elif field.name == "escalations_by_level":
			values[field.name] = {1: value, 3: value}
		elif field.name == "attendance_by_cohort":
			values[field.name] = {
				"Looked After": {
					"children": value,
					"possible": 3000,
					"attended": 2900,
					"persistent": 1,
					"severe": 1,
				}
			}
		elif field.name == "outcomes":
			values[field.name] = outcomes.OutcomeFigures(
				measures=tuple(
					outcomes.MeasureResult(m.label, m.key_stage, value, value) for m in outcomes.MEASURES
				),
				attainment_8_total=value * 40.0,
				attainment_8_count=value,
				participation={label: value for label in outcomes.PARTICIPATION},
			)
		elif field.type.startswith("dict"):
			values[field.name] = {"Looked After": value, "Kinship Care": value}
		elif field.type == "Decimal":
			values[field.name] = 0
		else:
			values[field.name] = value
	return report.AnnualReportFigures(academic_year="2025-26", generated_on=date(2026, 7, 20), **values)


def _texts(figures) -> list[str]:
	document = docx.Document(io.BytesIO(report.annual_report(AUTHORITY, figures)))
	cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
	paragraphs = [p.text for p in document.paragraphs if not p.style.name.startswith("Heading")]
	return cells + paragraphs


# the small count as a figure: not part of a longer number, a date, a section number or a caption
_SMALL = re.compile(rf"(?<![\d.,£/-]){SMALL}(?![\d.,:/-]| July| (August|Escalations))")


def test_every_count_of_the_report_is_suppressed_below_the_threshold():
	figures = dataclasses.replace(_all_counts(SMALL), suppress_below=SMALL + 1)
	shown = [text for text in _texts(figures) if _SMALL.search(text)]
	assert not shown, f"a count of {SMALL} is printed: {shown}"
	texts = _texts(figures)
	assert f"<{SMALL + 1}" in texts
	assert any(f"Counts below {SMALL + 1} are shown as" in text for text in texts)
	# a percentage beside a suppressed count: "c", never a number
	document = docx.Document(io.BytesIO(report.annual_report(AUTHORITY, figures)))
	rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
	suppressed = [row for row in rows if f"<{SMALL + 1}" in row]
	assert suppressed
	assert not [row for row in suppressed if any(re.fullmatch(r"[\d.,]+%?", cell) for cell in row)]
	assert [row for row in suppressed if "c" in row]


def test_without_a_threshold_the_counts_are_printed():
	"""The check itself: the same year with suppression off prints the small count (so the test above can fail)."""
	figures = dataclasses.replace(_all_counts(SMALL), suppress_below=0)
	assert [text for text in _texts(figures) if _SMALL.search(text)]


def test_the_outcomes_section_compares_with_the_national_figure_and_names_its_source():
	records = [{"key_stage": "EYFS", "good_level_of_development": "Yes"}] * 6 + [
		{"key_stage": "EYFS", "good_level_of_development": "No"}
	] * 4
	tallied = outcomes.tally(records, "2025-26", NATIONAL, date(2026, 3, 31))
	figures = dataclasses.replace(_all_counts(100), outcomes=tallied, suppress_below=5)
	document = docx.Document(io.BytesIO(report.annual_report(AUTHORITY, figures)))
	rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
	assert ["Good level of development (EYFS)", "10", "6", "60.0%", "38.5% (2023-24)"] in rows
	assert ["Grade 4 or above in English and maths (KS4)", "<5", "<5", "n/a", "not recorded"] in rows
	text = "\n".join(p.text for p in document.paragraphs)
	assert "National figures 2023-24: DfE 2025" in text
	assert "looked after on 31 March 2026" in text
	assert report.SECTION_HEADINGS[-1] in [p.text for p in document.paragraphs]


def test_a_past_year_says_its_cohort_is_as_on_its_last_day():
	figures = dataclasses.replace(
		_all_counts(100), counted_on=date(2025, 8, 31), generated_on=date(2026, 7, 20)
	)
	text = "\n".join(_texts(figures))
	assert "Counts are as on 31 August 2025" in text
	assert "The cohort figures are as on 31 August 2025, the last day of the academic year" in text
	with pytest.raises(ValueError):
		dataclasses.replace(figures, counted_on=date(2026, 7, 21))
