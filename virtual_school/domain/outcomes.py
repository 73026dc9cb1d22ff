"""Outcomes of looked-after children for the annual report, and the small-number rule for every count in it.

Measures (issue #23 item 7) are the DfE's for looked-after children ("Outcomes for children in need, including
children looked after by local authorities in England"): EYFS good level of development; key stage 2 expected
standard in reading, in writing, in maths and in all three; key stage 4 grade 4 or above in English and maths and
the average Attainment 8 score; and what young people in Years 12 and 13 do (participation, NEET). A record
(Key Stage Outcome) answers each measure of its key stage "Yes" or "No"; a blank answer is not recorded, and the
record is then left out of that measure's denominator (its count of children assessed).

Small numbers identify children, so the report follows the statistical disclosure practice of the DfE and the ONS
(a count below the council's threshold is not shown; nor is a percentage or average computed from one): a count
below ``threshold`` reads "<5" (the label built from the threshold) and a figure derived from it reads "c" (the
DfE's symbol for a confidential figure). A threshold of 0 shows everything. Complementary suppression (a hidden
count worked out by subtracting the others from a total shown) is not done here. No Frappe.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

__all__ = [
	"ATTAINMENT_8",
	"CONFIDENTIAL",
	"DEFAULT_SUPPRESS_BELOW",
	"EYFS",
	"FIELDS_BY_KEY_STAGE",
	"KEY_STAGES",
	"KS2",
	"KS4",
	"MEASURES",
	"NATIONAL_MEASURES",
	"NEET",
	"NEET_MEASURE",
	"NO",
	"NOT_APPLICABLE",
	"PARTICIPATION",
	"POST_16",
	"YES",
	"Measure",
	"MeasureResult",
	"NationalFigure",
	"OutcomeFigures",
	"average_text",
	"count_text",
	"is_suppressed",
	"national_figure_for",
	"share_text",
	"suppressed_label",
	"tally",
]

DEFAULT_SUPPRESS_BELOW = 5
CONFIDENTIAL = "c"
NOT_APPLICABLE = "n/a"
_TENTH = Decimal("0.1")

# Key Stage Outcome.key_stage options
EYFS = "EYFS"
KS2 = "KS2"
KS4 = "KS4"
POST_16 = "Post-16"
KEY_STAGES = (EYFS, KS2, KS4, POST_16)

# answers to a measure (Select options "\nYes\nNo": blank is not recorded)
YES = "Yes"
NO = "No"

# Key Stage Outcome.participation options (post-16): NEET is "not in education, employment or training"
NEET = "NEET"
PARTICIPATION = (
	"In education",
	"In training or apprenticeship",
	"Employed with training",
	NEET,
	"Unknown",
)


@dataclass(frozen=True)
class Measure:
	"""A yes/no outcome measure: achieved when every one of ``fields`` is "Yes", assessed when none is blank."""

	label: str
	key_stage: str
	fields: tuple[str, ...]


MEASURES = (
	Measure("Good level of development (EYFS)", EYFS, ("good_level_of_development",)),
	Measure("Expected standard in reading (KS2)", KS2, ("ks2_reading",)),
	Measure("Expected standard in writing (KS2)", KS2, ("ks2_writing",)),
	Measure("Expected standard in maths (KS2)", KS2, ("ks2_maths",)),
	Measure(
		"Expected standard in reading, writing and maths (KS2)",
		KS2,
		("ks2_reading", "ks2_writing", "ks2_maths"),
	),
	Measure("Grade 4 or above in English and maths (KS4)", KS4, ("english_maths_grade_4",)),
)
ATTAINMENT_8 = "Average Attainment 8 score (KS4)"
NEET_MEASURE = "NEET, % of post-16 young people (Years 12-13)"
# the measures a national comparator can be recorded for (Outcome National Figure.measure options)
NATIONAL_MEASURES = (*(measure.label for measure in MEASURES), ATTAINMENT_8, NEET_MEASURE)
# which record field each key stage's measures read (a record of one key stage leaves the others blank)
FIELDS_BY_KEY_STAGE = {
	EYFS: ("good_level_of_development",),
	KS2: ("ks2_reading", "ks2_writing", "ks2_maths"),
	KS4: ("english_maths_grade_4", "attainment_8"),
	POST_16: ("participation",),
}


# --- the small-number rule --------------------------------------------------------------------------------


def _threshold(threshold: object) -> int:
	if isinstance(threshold, bool) or not isinstance(threshold, numbers.Integral) or threshold < 0:
		raise ValueError(
			f"the suppression threshold must be a whole number of zero or more, got {threshold!r}"
		)
	return int(threshold)


def is_suppressed(count: int, threshold: int) -> bool:
	"""A count below ``threshold`` is not shown (0 or 1 suppress nothing: no count is below 0)."""
	return count < _threshold(threshold)


def suppressed_label(threshold: int) -> str:
	"""What a suppressed count reads: ``"<5"`` for a threshold of 5."""
	return f"<{_threshold(threshold)}"


def count_text(count: int, threshold: int) -> str:
	"""``"1,234"``, or ``"<5"`` when suppressed."""
	return suppressed_label(threshold) if is_suppressed(count, threshold) else f"{count:,}"


def _tenths(value: Decimal) -> Decimal:
	with localcontext() as context:
		context.prec = max(28, value.adjusted() + 4)
		return value.quantize(_TENTH, rounding=ROUND_HALF_UP)


def share_text(part: int, whole: int, threshold: int) -> str:
	"""``part`` as a percentage of ``whole`` (one decimal, half up: ``"75.0%"``); "n/a" without a base; "c" when
	either count is suppressed (a percentage of a small count gives the count away)."""
	if whole <= 0:
		return NOT_APPLICABLE
	if is_suppressed(part, threshold) or is_suppressed(whole, threshold):
		return CONFIDENTIAL
	with localcontext() as context:
		context.prec = 60
		return f"{_tenths(Decimal(part) * 100 / Decimal(whole)):,}%"


def average_text(total: float | Decimal, count: int, threshold: int) -> str:
	"""The mean of ``count`` values summing to ``total`` (one decimal), "n/a" for none, "c" when ``count`` is
	suppressed."""
	if count <= 0:
		return NOT_APPLICABLE
	if is_suppressed(count, threshold):
		return CONFIDENTIAL
	with localcontext() as context:
		context.prec = 60
		return f"{_tenths(Decimal(str(total)) / Decimal(count)):,}"


# --- national comparators ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NationalFigure:
	"""The published national figure for looked-after children: a percentage (points for Attainment 8)."""

	academic_year: str
	measure: str
	value: float
	source: str = ""


def national_figure_for(
	measure: str, academic_year: str, figures: Iterable[NationalFigure]
) -> NationalFigure | None:
	"""The figure for ``measure`` of ``academic_year``, else the latest published before it (the national
	statistics come out a year or more after the year they describe); never a later year's."""
	candidates = [
		figure for figure in figures if figure.measure == measure and figure.academic_year <= academic_year
	]
	return max(candidates, key=lambda figure: figure.academic_year, default=None)


# --- tallying the records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureResult:
	"""One measure for the cohort: children who achieved it, children assessed (recorded yes or no)."""

	label: str
	key_stage: str
	achieved: int
	assessed: int
	national: NationalFigure | None = None


@dataclass(frozen=True)
class OutcomeFigures:
	"""The looked-after cohort's outcomes in one academic year: counts only, never a child."""

	measures: tuple[MeasureResult, ...] = ()
	attainment_8_total: float = 0.0
	attainment_8_count: int = 0
	attainment_8_national: NationalFigure | None = None
	participation: Mapping[str, int] | None = None
	neet_national: NationalFigure | None = None
	cohort_on: date | None = None  # the looked-after cohort is the children looked after on this day

	@property
	def post_16(self) -> int:
		"""Young people in Years 12-13 with their participation recorded."""
		return sum((self.participation or {}).values())


def tally(
	records: Iterable[Mapping],
	academic_year: str = "",
	national: Sequence[NationalFigure] = (),
	cohort_on: date | None = None,
) -> OutcomeFigures:
	"""Each measure's achieved/assessed counts over ``records`` (Key Stage Outcome values as mappings: key_stage
	and the measure fields), the Attainment 8 sum and count, post-16 participation by category, each with the
	national figure for ``academic_year`` (``national_figure_for``). A measure of another key stage on a record
	is ignored."""
	records = list(records)
	results = []
	for measure in MEASURES:
		achieved = assessed = 0
		for record in records:
			if record.get("key_stage") != measure.key_stage:
				continue
			answers = [record.get(field) or "" for field in measure.fields]
			if any(answer not in (YES, NO) for answer in answers):
				continue
			assessed += 1
			achieved += all(answer == YES for answer in answers)
		results.append(
			MeasureResult(
				measure.label,
				measure.key_stage,
				achieved,
				assessed,
				national_figure_for(measure.label, academic_year, national),
			)
		)
	scores = []
	for record in records:
		score = record.get("attainment_8")
		if record.get("key_stage") == KS4 and score is not None and score != "":
			score = float(score)
			if not math.isfinite(score) or not 0 <= score <= 90:
				raise ValueError(f"Attainment 8 must be 0 to 90, got {score!r}")
			scores.append(score)
	participation = dict.fromkeys(PARTICIPATION, 0)
	for record in records:
		if record.get("key_stage") == POST_16 and record.get("participation"):
			label = record["participation"]
			participation[label] = participation.get(label, 0) + 1
	return OutcomeFigures(
		measures=tuple(results),
		attainment_8_total=sum(scores),
		attainment_8_count=len(scores),
		attainment_8_national=national_figure_for(ATTAINMENT_8, academic_year, national),
		participation=participation,
		neet_national=national_figure_for(NEET_MEASURE, academic_year, national),
		cohort_on=cohort_on,
	)
