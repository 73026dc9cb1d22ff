"""The Virtual School Head's annual report to the corporate parenting board, written as a .docx file.

``annual_report`` turns one academic year's aggregate figures (``AnnualReportFigures``) into a report with a
title page, an executive summary computed from the figures, and seven sections with tables and matplotlib
charts (DOMAIN.md section 4): the cohort; school places and moves; Personal Education Plans; Pupil Premium
Plus; suspensions and exclusions; children with a social worker and kinship care; escalations.

The figures are counts and sums only: nothing here can hold a child's name, initials or any other
child-level detail. Small numbers can still identify a child, so the report carries the OFFICIAL-SENSITIVE
marking of ``letters`` (whose document helpers it reuses) and a warning not to publish it unsuppressed.
Zero or empty figures never divide by zero: a percentage without a base reads "n/a" and a chart without
data becomes a sentence. Percentages have one decimal place (rounded half up); sums read "£1,234.50".
matplotlib is imported only when a report is written, with the Agg backend. This module imports nothing
from Frappe.
"""

from __future__ import annotations

import dataclasses
import io
import math
import numbers
import textwrap
import warnings
from collections.abc import Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Inches, Pt, RGBColor

from virtual_school.domain import outcomes as outcome_rules
from virtual_school.domain.escalation_ladder import LEVELS
from virtual_school.domain.letters import (
	SECURITY_MARKING,
	Authority,
	_add_run,
	_keep_rows_whole,
	_new_document,
	_paragraph,
	_to_bytes,
	long_date,
	plain_text,
)
from virtual_school.domain.pp_plus_budget import as_decimal, financial_year_bounds, format_money
from virtual_school.domain.school_days import academic_year_bounds

__all__ = [
	"CHILD_WITH_A_SOCIAL_WORKER",
	"COHORTS",
	"KINSHIP_CARE",
	"LOOKED_AFTER",
	"NOT_RECORDED",
	"PREVIOUSLY_LOOKED_AFTER",
	"QA_RATINGS",
	"REPORT_TITLE",
	"SECTION_HEADINGS",
	"AnnualReportFigures",
	"annual_report",
	"percent",
]

REPORT_TITLE = "Virtual School Head's annual report"
LOOKED_AFTER = "Looked After"
PREVIOUSLY_LOOKED_AFTER = "Previously Looked After"
CHILD_WITH_A_SOCIAL_WORKER = "Child with a Social Worker"
KINSHIP_CARE = "Kinship Care"
COHORTS = (LOOKED_AFTER, PREVIOUSLY_LOOKED_AFTER, CHILD_WITH_A_SOCIAL_WORKER, KINSHIP_CARE)
QA_RATINGS = ("Green", "Amber", "Red", "Not rated")
NOT_RECORDED = "Not recorded"
SECTION_HEADINGS = (
	"1 The cohort",
	"2 School places and moves",
	"3 Personal Education Plans",
	"4 Pupil Premium Plus",
	"5 Attendance, suspensions and exclusions",
	"6 Children with a social worker and kinship care",
	"7 Escalations",
	"8 Educational outcomes",
)
# The footer of ``letters`` speaks of "a looked-after child"; this report holds aggregates about many.
_FOOTER_MARKING = f"{SECURITY_MARKING}: aggregate information about children in the council's care"
_NOT_APPLICABLE = "n/a"
_KEY_STAGE_ORDER = ("Early years", "EYFS", "KS1", "KS2", "KS3", "KS4", "KS5", "Post-16", "Post-18")
_COHORT_LABELS = {
	LOOKED_AFTER: "Looked-after children",
	PREVIOUSLY_LOOKED_AFTER: "Previously looked-after children",
	CHILD_WITH_A_SOCIAL_WORKER: "Children with a social worker",
	KINSHIP_CARE: "Children in kinship care",
}
_COHORT_ROLES = {
	LOOKED_AFTER: "Statutory duty: school place, termly PEP, PP+ managed by the virtual school",
	PREVIOUSLY_LOOKED_AFTER: "Advice and information to parents and schools; PP+ paid to schools directly",
	CHILD_WITH_A_SOCIAL_WORKER: "Strategic leadership (since 2021); no individual casework",
	KINSHIP_CARE: "Strategic leadership (since 2024); no individual casework",
}
_QA_MEANINGS = {
	"Green": "Good quality: meets the virtual school's standard",
	"Amber": "Requires improvement",
	"Red": "Inadequate: returned for changes",
	"Not rated": "Not yet quality assured",
}
_NAVY = "#1f3a5f"
_RAG_COLOURS = {"Green": "#2e7d32", "Amber": "#f2a900", "Red": "#c62828", "Not rated": "#9e9e9e"}
_CHART_LIMIT = 12  # bars on one chart; the rest are added together as one bar (tables list them all)
_TENTH = Decimal("0.1")
# the small-number threshold of the report being written (``annual_report`` sets it from the figures): every
# count goes through ``_number`` and every percentage of counts through ``_share``, which read it
_SUPPRESS_BELOW: ContextVar[int] = ContextVar("suppress_below", default=0)


# --- the figures -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnnualReportFigures:
	"""One academic year's aggregate figures: counts and sums only, never a child.

	Counts are whole numbers of zero or more; sums of money are ``Decimal`` pounds of zero or more (any
	``int``, ``float``, ``str`` or ``Decimal`` is converted; ValueError for a negative or non-numeric
	figure). Mapping keys are labels (``None`` or blank becomes "Not recorded"); mappings may be empty.
	Cohort counts, key stages, SEN, out of authority and children without a place are as on
	``generated_on``; the rest count events in the academic year. ``pp_plus_approved`` is claims approved
	and awaiting payment, ``pp_plus_paid`` claims paid; ``pp_plus_by_category`` covers both.
	``exclusions_by_cohort`` counts suspensions and permanent exclusions together. ``escalations_by_level``
	is keyed by ladder level (1 Caseworker to 4 Director / DfE). ``pp_plus_funding_year`` ("2025-26",
	optional) names the financial year the PP+ figures are for.
	"""

	academic_year: str
	generated_on: date
	cohort_by_type: dict[str, int]
	looked_after_by_key_stage: dict[str, int]
	out_of_authority: int
	sen_support: int
	ehc_plans: int
	school_moves: int
	children_without_place_now: int
	place_requests: int
	placed: int
	median_school_days_to_place: float | None
	refusals: int
	directions: int
	secretary_of_state_referrals: int
	peps_due: int
	peps_on_time: int
	pep_qa: dict[str, int]
	pp_plus_allocated: Decimal
	pp_plus_approved: Decimal
	pp_plus_paid: Decimal
	pp_plus_by_category: dict[str, Decimal]
	suspensions: int
	suspension_days: int
	permanent_exclusions: int
	exclusions_by_cohort: dict[str, int]
	escalations_opened: int
	escalations_by_level: dict[int, int]
	pp_plus_funding_year: str = ""
	attendance_by_cohort: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)
	# approved PEPs due in the year with the child's views in their own words (domain.pep_voice), and the
	# QA rating of the voice (issue #23)
	peps_with_voice: int = 0
	pep_voice_qa: dict[str, int] = dataclasses.field(default_factory=dict)
	# the day cohort counts are "as on": ``generated_on``, or a past year's last day (issue #23); None: generated_on
	counted_on: date | None = None
	# counts below this read "<5", figures derived from them "c" (``domain.outcomes``; 0 shows everything)
	suppress_below: int = outcome_rules.DEFAULT_SUPPRESS_BELOW
	# the looked-after cohort's recorded outcomes (section 8); None: none recorded
	outcomes: outcome_rules.OutcomeFigures | None = None

	def __post_init__(self) -> None:
		academic_year = self.academic_year.strip() if isinstance(self.academic_year, str) else ""
		academic_year_bounds(academic_year)  # ValueError unless it looks like "2025-26"
		set_ = object.__setattr__
		set_(self, "academic_year", academic_year)
		generated_on = self.generated_on
		if isinstance(generated_on, datetime):
			generated_on = generated_on.date()
		if not isinstance(generated_on, date):
			raise TypeError(f"generated_on must be a date, got {type(self.generated_on).__name__}")
		set_(self, "generated_on", generated_on)
		counted_on = generated_on if self.counted_on is None else self.counted_on
		if isinstance(counted_on, datetime):
			counted_on = counted_on.date()
		if not isinstance(counted_on, date) or counted_on > generated_on:
			raise ValueError(f"counted_on must be a date on or before generated_on, got {self.counted_on!r}")
		set_(self, "counted_on", counted_on)
		if self.outcomes is not None and not isinstance(self.outcomes, outcome_rules.OutcomeFigures):
			raise TypeError(f"outcomes must be OutcomeFigures or None, got {type(self.outcomes).__name__}")
		funding_year = plain_text(self.pp_plus_funding_year)
		if funding_year:
			financial_year_bounds(funding_year)  # ValueError unless it looks like "2025-26"
		set_(self, "pp_plus_funding_year", funding_year)

		for field in fields(self):
			value = getattr(self, field.name)
			if field.name in _COUNT_FIELDS:
				set_(self, field.name, _count(value, field.name))
			elif field.name in _MONEY_FIELDS:
				set_(self, field.name, _money(value, field.name))
			elif field.name in _COUNT_MAPPINGS:
				set_(self, field.name, _labelled(value, field.name, _count))
			elif field.name == "pp_plus_by_category":
				set_(self, field.name, _labelled(value, field.name, _money))
		set_(self, "escalations_by_level", _levels(self.escalations_by_level))
		set_(self, "attendance_by_cohort", _attendance(self.attendance_by_cohort))
		median = self.median_school_days_to_place
		if median is not None:
			if isinstance(median, bool) or not isinstance(median, numbers.Real | Decimal):
				raise TypeError(f"median_school_days_to_place must be a number or None, got {median!r}")
			median = float(median)
			if not math.isfinite(median) or median < 0:
				raise ValueError(f"median_school_days_to_place must be zero or more, got {median!r}")
		set_(self, "median_school_days_to_place", median)

	@property
	def looked_after(self) -> int:
		"""Looked-after children in the cohort."""
		return self.cohort_by_type.get(LOOKED_AFTER, 0)

	@property
	def pp_plus_committed(self) -> Decimal:
		"""PP+ approved (awaiting payment) plus paid."""
		return self.pp_plus_approved + self.pp_plus_paid


_COUNT_FIELDS = frozenset(
	{
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
		"peps_with_voice",
		"suspensions",
		"suspension_days",
		"permanent_exclusions",
		"escalations_opened",
		"suppress_below",
	}
)
_MONEY_FIELDS = frozenset({"pp_plus_allocated", "pp_plus_approved", "pp_plus_paid"})
_COUNT_MAPPINGS = frozenset(
	{"cohort_by_type", "looked_after_by_key_stage", "pep_qa", "pep_voice_qa", "exclusions_by_cohort"}
)


def _count(value: object, what: str) -> int:
	"""A whole number of zero or more (an integral ``float`` or ``Decimal`` from SQL is accepted)."""
	if value is None:
		return 0
	if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
		raise TypeError(f"{what} must be a whole number, got {value!r}")
	if isinstance(value, numbers.Integral):
		number = int(value)
	else:
		if not (math.isfinite(value) if isinstance(value, float) else value.is_finite()) or value != int(
			value
		):
			raise ValueError(f"{what} must be a whole number, got {value!r}")
		number = int(value)
	if number < 0:
		raise ValueError(f"{what} must be zero or more, got {number}")
	return number


def _money(value: object, what: str) -> Decimal:
	"""Pounds as ``Decimal``, zero or more (``None`` is zero)."""
	number = Decimal(0) if value is None else as_decimal(value, what)
	if number < 0:
		raise ValueError(f"{what} must be zero or more, got {number}")
	return number


def _labelled(value: object, what: str, convert) -> dict:
	"""A mapping with plain-text labels (blank or ``None``: "Not recorded"), figures converted and merged."""
	if value is None:
		return {}
	if not isinstance(value, Mapping):
		raise TypeError(f"{what} must be a mapping of label to figure, got {type(value).__name__}")
	result: dict = {}
	for key, figure in value.items():
		label = " ".join(plain_text(key if key is not None else "").split()) or NOT_RECORDED
		number = convert(figure, f"{what}[{label!r}]")
		result[label] = result.get(label, 0) + number
	return result


ATTENDANCE_FIGURES = ("children", "possible", "attended", "persistent", "severe")


def _attendance(value: object) -> dict[str, dict[str, int]]:
	"""Cohort -> {children, possible, attended, persistent, severe} (sessions and children; counts)."""
	if value is None:
		return {}
	if not isinstance(value, Mapping):
		raise TypeError(f"attendance_by_cohort must be a mapping, got {type(value).__name__}")
	result = {}
	for key, figures in value.items():
		label = " ".join(plain_text(key if key is not None else "").split()) or NOT_RECORDED
		if not isinstance(figures, Mapping):
			raise TypeError(
				f"attendance_by_cohort[{label!r}] must be a mapping of {', '.join(ATTENDANCE_FIGURES)}"
			)
		counts = {
			name: _count(figures.get(name, 0), f"attendance_by_cohort[{label!r}][{name!r}]")
			for name in ATTENDANCE_FIGURES
		}
		if (
			counts["attended"] > counts["possible"]
			or counts["severe"] > counts["persistent"]
			or counts["persistent"] > counts["children"]
		):
			raise ValueError(f"attendance_by_cohort[{label!r}] is inconsistent: {counts}")
		result[label] = counts
	return result


def _levels(value: object) -> dict[int, int]:
	"""Escalation counts keyed by whole-number ladder level, in level order."""
	if value is None:
		return {}
	if not isinstance(value, Mapping):
		raise TypeError(
			f"escalations_by_level must be a mapping of level to count, got {type(value).__name__}"
		)
	result: dict[int, int] = {}
	for key, figure in value.items():
		level = _count(
			int(key) if isinstance(key, str) and key.strip().isdigit() else key, "escalation level"
		)
		result[level] = result.get(level, 0) + _count(figure, f"escalations_by_level[{level}]")
	return dict(sorted(result.items()))


# --- formatting ------------------------------------------------------------------------------------------


def _tenths(value: Decimal) -> Decimal:
	"""``value`` rounded half up to one decimal place, however large."""
	with localcontext() as context:
		context.prec = max(28, value.adjusted() + 4)
		return value.quantize(_TENTH, rounding=ROUND_HALF_UP)


def percent(part: int | Decimal, whole: int | Decimal) -> str:
	"""``part`` as a percentage of ``whole`` with one decimal, rounded half up (``"75.0%"``); "n/a" for 0."""
	whole = Decimal(whole)
	if whole <= 0:
		return _NOT_APPLICABLE
	with localcontext() as context:
		context.prec = 60
		value = Decimal(part) * 100 / whole
	return f"{_tenths(value):,}%"


def _number(value: int) -> str:
	"""A count with thousands separators, or "<5" below the report's threshold (``domain.outcomes``)."""
	return outcome_rules.count_text(value, _SUPPRESS_BELOW.get())


def _hidden(count: int) -> bool:
	"""The count is below the report's small-number threshold."""
	return outcome_rules.is_suppressed(count, _SUPPRESS_BELOW.get())


def _share(part: int, whole: int) -> str:
	"""``percent`` of two counts, or "c" when either is suppressed (a percentage gives a small count away)."""
	return outcome_rules.share_text(part, whole, _SUPPRESS_BELOW.get())


def _of(count: int, singular: str, plural: str | None = None) -> str:
	"""``1 child``, ``2,000 children``, ``<5 children``."""
	return f"{_number(count)} {singular if count == 1 and not _hidden(count) else (plural or singular + 's')}"


def _one_decimal(value: float | Decimal) -> str:
	"""``12`` -> ``12``, ``12.5`` -> ``12.5``, ``12.25`` -> ``12.3``."""
	rounded = _tenths(Decimal(str(value)))
	return f"{rounded:,.0f}" if rounded == rounded.to_integral_value() else f"{rounded:,}"


def _ratio(part: int, whole: int) -> str:
	"""``part / whole`` with one decimal, n/a when ``whole`` is zero, "c" when either is suppressed."""
	if whole <= 0:
		return _NOT_APPLICABLE
	if _hidden(part) or _hidden(whole):
		return outcome_rules.CONFIDENTIAL
	with localcontext() as context:
		context.prec = 60
		return _one_decimal(Decimal(part) / Decimal(whole))


def _per_hundred(part: int, whole: int) -> str:
	"""``part`` per 100 of ``whole`` with one decimal, n/a, or "c" when suppressed."""
	return _share(part, whole).removesuffix("%")


def _ordered(mapping: Mapping, preferred: Sequence) -> list[tuple]:
	"""Items in ``preferred`` order (present ones only), then the rest by label."""
	first = [(key, mapping[key]) for key in preferred if key in mapping]
	rest = sorted(
		((key, value) for key, value in mapping.items() if key not in preferred), key=lambda i: str(i[0])
	)
	return first + rest


def _looked_after(count: int) -> str:
	"""``1 looked-after child``, ``7 looked-after children``."""
	return _of(count, "looked-after child", "looked-after children")


def _opened(count: int) -> str:
	"""``1 escalation was opened``, ``95 escalations were opened``."""
	return f"{_of(count, 'escalation')} {'was' if count == 1 else 'were'} opened"


def _cohort_label(cohort: str) -> str:
	return _COHORT_LABELS.get(cohort, cohort)


def _list_text(parts: Sequence[str]) -> str:
	"""``a``, ``a and b``, ``a, b and c``."""
	if len(parts) <= 1:
		return "".join(parts)
	return f"{', '.join(parts[:-1])} and {parts[-1]}"


# --- document building -----------------------------------------------------------------------------------


def _style_document(document: Document) -> None:
	"""Arial headings in the council's navy (the default template's headings use a theme font)."""
	for name, size in (("Title", 26), ("Heading 1", 15), ("Heading 2", 12)):
		style = document.styles[name]
		style.font.name = "Arial"
		style.font.size = Pt(size)
		style.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
		fonts = style.element.rPr.rFonts
		for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
			fonts.attrib.pop(qn(attribute), None)
		fonts.set(qn("w:eastAsia"), "Arial")
	for section in document.sections:
		# A report has a title page, not a letterhead: every page gets the marking and the one-line header.
		section.different_first_page_header_footer = False
		for footer in (section.footer, section.first_page_footer):
			runs = footer.paragraphs[0].runs
			if runs:
				runs[0].text = _FOOTER_MARKING
	document.core_properties.comments = _FOOTER_MARKING


def _heading(document: Document, text: str, level: int = 1) -> None:
	"""A Word heading (shows in the navigation pane), kept with what follows."""
	heading = document.add_heading(level=level)
	_add_run(heading, plain_text(text))
	heading.paragraph_format.keep_with_next = True
	heading.paragraph_format.space_before = Pt(14 if level == 1 else 8)


def _table(
	document: Document,
	headings: Sequence[str],
	rows: Iterable[Sequence[str]],
	widths: Sequence[float],
	*,
	total: Sequence[str] | None = None,
	caption: str = "",
) -> None:
	"""A grid with a bold heading row (repeated on each page), text left and figures right, optional total."""
	if caption:
		_paragraph(document, caption, bold=True, space_after=3).paragraph_format.keep_with_next = True
	table = document.add_table(rows=1, cols=len(headings))
	table.style = document.styles["Table Grid"]
	table.alignment = WD_TABLE_ALIGNMENT.CENTER
	table.autofit = False
	for column, width in zip(table.columns, widths, strict=True):
		column.width = Cm(width)
	all_rows = [list(row) for row in rows]
	if total is not None:
		all_rows.append(list(total))
	for index, (cell, label) in enumerate(zip(table.rows[0].cells, headings, strict=True)):
		cell.width = Cm(widths[index])
		_add_run(cell.paragraphs[0], label, bold=True)
		if index and not _is_text_column(label):
			cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
	for row_number, row in enumerate(all_rows):
		is_total = total is not None and row_number == len(all_rows) - 1
		for index, (cell, text) in enumerate(zip(table.add_row().cells, row, strict=True)):
			cell.width = Cm(widths[index])
			_add_run(cell.paragraphs[0], text, bold=is_total)
			if index and not _is_text_column(headings[index]):
				cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
	_keep_rows_whole(table, together=len(all_rows) <= 12, header_row=True)
	_paragraph(document, space_after=0)


def _is_text_column(heading: str) -> bool:
	"""Descriptive columns (left-aligned) as opposed to figures (right-aligned)."""
	return heading in {"Held by", "What it means", "Virtual school's role"}


def _figures_table(document: Document, rows: Sequence[tuple[str, str]], *, caption: str = "") -> None:
	"""A two-column table: measure, figure."""
	_table(document, ("Measure", "Figure"), rows, (11.6, 5.0), caption=caption)


# --- charts ----------------------------------------------------------------------------------------------


def _chart_label(text: str, width: int = 22) -> str:
	"""A chart label: wrapped, with ``$`` escaped so matplotlib never reads it as mathematics."""
	return textwrap.fill(text.replace("$", r"\$"), width=width, max_lines=3, placeholder="...")


def _limit(items: list[tuple[str, float]], other: str) -> list[tuple[str, float]]:
	"""At most ``_CHART_LIMIT`` bars: the largest, with the rest added together as ``other``."""
	if len(items) <= _CHART_LIMIT:
		return items
	ranked = sorted(items, key=lambda item: item[1], reverse=True)
	kept, rest = ranked[: _CHART_LIMIT - 1], ranked[_CHART_LIMIT - 1 :]
	return [*kept, (f"{other} ({len(rest)})", sum(value for _, value in rest))]


def _bar_chart(
	items: Sequence[tuple[str, float]],
	*,
	title: str,
	axis_label: str,
	money: bool = False,
	colours: Sequence[str] | None = None,
	horizontal: bool = False,
	counts: bool = False,
) -> bytes | None:
	"""A bar chart as PNG bytes, or None when there is nothing above zero to draw. ``counts``: a bar below
	the small-number threshold is drawn empty and labelled "<5" (its height would give it away)."""
	values = [float(value) for _, value in items]
	if not values or not any(value > 0 for value in values):
		return None
	hidden = [counts and _hidden(int(value)) for value in values]
	values = [0.0 if hide else value for value, hide in zip(values, hidden, strict=True)]
	top = max(values) or 1.0
	# late import: matplotlib takes ~0.5 s to load and only the annual report draws charts
	from matplotlib.backends.backend_agg import FigureCanvasAgg
	from matplotlib.figure import Figure  # late import: as above
	from matplotlib.ticker import FuncFormatter, MaxNLocator  # late import: as above

	def show(value: float) -> str:
		return f"£{value:,.0f}" if money else f"{value:,.0f}"

	labels = [_chart_label(label, 28 if horizontal else 16) for label, _ in items]
	colours = list(colours) if colours else [_NAVY] * len(items)
	height = min(9.0, max(3.0, 0.55 * len(items) + 1.4)) if horizontal else 4.0
	figure = Figure(figsize=(8, height), dpi=150, layout="constrained")
	FigureCanvasAgg(figure)
	axes = figure.add_subplot()
	positions = list(range(len(items)))
	if horizontal:
		bars = axes.barh(positions, values, color=colours)
		axes.set_yticks(positions, labels=labels)
		axes.invert_yaxis()
		axes.set_xlabel(axis_label)
		axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: show(value)))
		axes.set_xlim(0, top * 1.22)
		axes.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
	else:
		bars = axes.bar(positions, values, color=colours)
		axes.set_xticks(positions, labels=labels)
		axes.set_ylabel(axis_label)
		axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: show(value)))
		axes.set_ylim(0, top * 1.15)
		axes.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
	axes.bar_label(
		bars,
		labels=[_number(0) if hide else show(value) for value, hide in zip(values, hidden, strict=True)],
		padding=3,
		fontsize=9,
	)
	axes.set_title(title.replace("$", r"\$"), fontsize=12, loc="left", color=_NAVY)
	for side in ("top", "right"):
		axes.spines[side].set_visible(False)
	axes.tick_params(labelsize=9)
	buffer = io.BytesIO()
	with warnings.catch_warnings():
		# A label in a script the chart font lacks is drawn as boxes; the table beside it has the text.
		warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
		figure.savefig(buffer, format="png", metadata={"Software": None})
	return buffer.getvalue()


def _picture(document: Document, png: bytes | None, *, caption: str, no_data: str) -> None:
	"""The chart at 6 inches wide with a caption and alt text, or the ``no_data`` sentence instead."""
	if png is None:
		_paragraph(document, no_data).runs[0].italic = True
		return
	document.add_picture(io.BytesIO(png), width=Inches(6))
	picture = document.paragraphs[-1]
	picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
	picture.paragraph_format.keep_with_next = True
	document.inline_shapes[-1]._inline.docPr.set("descr", plain_text(caption))
	label = _paragraph(document, caption, space_after=10)
	label.alignment = WD_ALIGN_PARAGRAPH.CENTER
	label.runs[0].italic = True
	label.runs[0].font.size = Pt(9)


# --- the report ------------------------------------------------------------------------------------------


def _period(academic_year: str) -> str:
	start, end = academic_year_bounds(academic_year)
	return f"{long_date(start)} to {long_date(end)}"


def _title_page(document: Document, authority: Authority, figures: AnnualReportFigures) -> None:
	"""Authority, title, academic year, board, author and date; then a page break."""
	for _ in range(3):
		_paragraph(document, space_after=12)

	def centred(text: str, *, size: float, bold: bool = False, after: float = 6) -> None:
		if not plain_text(text):
			return
		paragraph = _paragraph(document, space_after=after)
		_add_run(paragraph, plain_text(text), bold=bold, size=size)
		paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

	centred(authority.name, size=22, bold=True)
	centred(authority.virtual_school_name, size=14, after=36)
	title = document.add_heading(level=0)
	_add_run(title, REPORT_TITLE)
	title.alignment = WD_ALIGN_PARAGRAPH.CENTER
	centred(f"Academic year {figures.academic_year}", size=16, bold=True, after=2)
	centred(_period(figures.academic_year), size=11, after=30)
	centred("Report to the Corporate Parenting Board", size=13, after=30)
	signatory = ", ".join(
		part for part in (plain_text(authority.signatory), plain_text(authority.signatory_title)) if part
	)
	if signatory:
		centred(f"Prepared by {signatory}", size=11, after=2)
	centred(long_date(figures.generated_on), size=11, after=48)
	centred(SECURITY_MARKING, size=12, bold=True, after=2)
	centred(
		"This report contains aggregate figures only: it names no child. Small numbers may still identify "
		"a child, so do not publish it or share it beyond the board without suppressing them.",
		size=9,
	)
	if figures.suppress_below > 1:
		centred(
			f"Counts below {figures.suppress_below} are shown as "
			f'"{outcome_rules.suppressed_label(figures.suppress_below)}", and percentages, rates and averages '
			f'computed from them as "{outcome_rules.CONFIDENTIAL}" (statistical disclosure control).',
			size=9,
		)
	document.add_page_break()


def _summary(document: Document, authority: Authority, figures: AnnualReportFigures) -> None:
	"""The executive summary paragraphs and key-figures table, all computed from the figures."""
	f = figures
	lac = f.looked_after
	on = long_date(f.counted_on)
	committed = percent(f.pp_plus_committed, f.pp_plus_allocated)
	_heading(document, "Executive summary")
	others = [
		_of(f.cohort_by_type.get(cohort, 0), singular, plural)
		for cohort, singular, plural in (
			(PREVIOUSLY_LOOKED_AFTER, "previously looked-after child", "previously looked-after children"),
			(CHILD_WITH_A_SOCIAL_WORKER, "child with a social worker", "children with a social worker"),
			(KINSHIP_CARE, "child in kinship care", "children in kinship care"),
		)
	]
	sentences = [
		f"On {on} {plain_text(authority.name)} was corporate parent to "
		f"{_looked_after(lac)}; the virtual school also supported "
		f"{_list_text(others)}.",
	]
	if lac:
		sentences.append(
			f"{_number(f.out_of_authority)} looked-after children ({_share(f.out_of_authority, lac)}) were "
			f"living outside the authority; {_number(f.sen_support)} ({_share(f.sen_support, lac)}) had SEN "
			f"support and {_number(f.ehc_plans)} ({_share(f.ehc_plans, lac)}) an EHC plan."
		)
	if f.peps_due:
		sentences.append(
			f"{_number(f.peps_on_time)} of the {_of(f.peps_due, 'PEP')} due in the year "
			f"({_share(f.peps_on_time, f.peps_due)}) were completed on time."
		)
	else:
		sentences.append("No Personal Education Plans fell due in the year.")
	sentences.append(
		f"{format_money(f.pp_plus_paid)} of Pupil Premium Plus was paid to schools and "
		f"{format_money(f.pp_plus_approved)} more approved, against an allocation of "
		f"{format_money(f.pp_plus_allocated)} ({committed} committed)."
	)
	if f.place_requests:
		median = (
			f"; the median time to place was {_one_decimal(f.median_school_days_to_place)} school days"
			if f.median_school_days_to_place is not None
			else ""
		)
		sentences.append(
			f"The virtual school made {_of(f.place_requests, 'in-year school place request')} and "
			f"{_number(f.placed)} ({_share(f.placed, f.place_requests)}) ended in a place{median}."
		)
	else:
		sentences.append("The virtual school made no in-year school place requests.")
	if f.children_without_place_now:
		sentences.append(f"{_looked_after(f.children_without_place_now)} had no school place on {on}.")
	sentences.append(
		f"Children in the cohort received {_of(f.suspensions, 'suspension')} "
		f"({_of(f.suspension_days, 'school day')} lost) and "
		f"{_of(f.permanent_exclusions, 'permanent exclusion')}; {_opened(f.escalations_opened)}."
	)
	_paragraph(document, " ".join(sentences))
	_figures_table(
		document,
		[
			("Looked-after children", _number(lac)),
			("PEPs completed on time", _share(f.peps_on_time, f.peps_due)),
			("PP+ paid to schools", format_money(f.pp_plus_paid)),
			("Median school days to place", _median_days(f)),
			("Looked-after children without a school place", _number(f.children_without_place_now)),
			(
				"Suspensions / permanent exclusions",
				f"{_number(f.suspensions)} / {_number(f.permanent_exclusions)}",
			),
		],
		caption="Key figures",
	)


def _days(median: float | None) -> str:
	return _NOT_APPLICABLE if median is None else _one_decimal(median)


def _median_days(f: AnnualReportFigures) -> str:
	"""The median time to place, "c" when the children placed are too few to show."""
	if f.median_school_days_to_place is not None and _hidden(f.placed):
		return outcome_rules.CONFIDENTIAL
	return _days(f.median_school_days_to_place)


def _cohort_section(document: Document, f: AnnualReportFigures) -> None:
	_heading(document, SECTION_HEADINGS[0])
	total = sum(f.cohort_by_type.values())
	_paragraph(
		document,
		"The virtual school is the council's team for the education of the children it is corporate parent "
		"to. Its duty to looked-after children is statutory (Children Act 1989, section 22(3A)); for "
		"previously looked-after children it gives advice and information; for children with a social "
		"worker and children in kinship care its role is strategic. Counts are as on "
		f"{long_date(f.counted_on)}.",
	)
	cohorts = _ordered(f.cohort_by_type, COHORTS)
	_table(
		document,
		("Cohort", "Children", "% of all", "Virtual school's role"),
		(
			(_cohort_label(cohort), _number(count), _share(count, total), _COHORT_ROLES.get(cohort, ""))
			for cohort, count in cohorts
		),
		(4.6, 2.2, 2.0, 7.8),
		total=("All cohorts", _number(total), _share(total, total), ""),
		caption="Table 1.1: children known to the virtual school, by cohort",
	)
	_picture(
		document,
		_bar_chart(
			[(_cohort_label(cohort), count) for cohort, count in cohorts],
			title="Children known to the virtual school, by cohort",
			axis_label="Children",
			counts=True,
		),
		caption="Figure 1: children known to the virtual school, by cohort",
		no_data="No cohort figures were recorded, so there is no cohort chart.",
	)

	lac = f.looked_after
	_heading(document, "Looked-after children", level=2)
	_figures_table(
		document,
		[
			("Looked-after children", _number(lac)),
			("Living outside the authority (out of authority)", _number(f.out_of_authority)),
			("Out of authority, % of looked-after children", _share(f.out_of_authority, lac)),
			("With SEN support", _number(f.sen_support)),
			("SEN support, % of looked-after children", _share(f.sen_support, lac)),
			("With an education, health and care (EHC) plan", _number(f.ehc_plans)),
			("EHC plan, % of looked-after children", _share(f.ehc_plans, lac)),
		],
		caption="Table 1.2: looked-after children: placement and special educational needs",
	)
	stages = _ordered(f.looked_after_by_key_stage, _KEY_STAGE_ORDER)
	if stages:
		stage_total = sum(count for _, count in stages)
		_table(
			document,
			("Key stage", "Looked-after children", "% of looked-after children"),
			((stage, _number(count), _share(count, stage_total)) for stage, count in stages),
			(6.6, 5.0, 5.0),
			total=("All key stages", _number(stage_total), _share(stage_total, stage_total)),
			caption="Table 1.3: looked-after children by key stage",
		)
	else:
		_paragraph(document, "No key stage figures were recorded for looked-after children.")


def _places_section(document: Document, f: AnnualReportFigures) -> None:
	_heading(document, SECTION_HEADINGS[1])
	_paragraph(
		document,
		"When a looked-after child needs a new school in-year, the virtual school asks schools to admit "
		"them. The admission authority must give the outcome in writing within 15 school days (School "
		"Admissions Code 2021). If a maintained school refuses, the council may direct it to admit "
		"(School Standards and Framework Act 1998, section 97A); it cannot direct an academy, so it asks "
		"the Secretary of State for Education to do so.",
	)
	_figures_table(
		document,
		[
			("Looked-after children who started at a new school (school moves)", _number(f.school_moves)),
			("In-year school place requests", _number(f.place_requests)),
			("Requests that ended in a place", _number(f.placed)),
			("Placed, % of requests", _share(f.placed, f.place_requests)),
			("Median time to place (school days)", _median_days(f)),
			("Refusals by schools", _number(f.refusals)),
			("Directions to maintained schools (s97A)", _number(f.directions)),
			("Requests to the Secretary of State (academies)", _number(f.secretary_of_state_referrals)),
			(
				f"Looked-after children without a school place on {long_date(f.counted_on)}",
				_number(f.children_without_place_now),
			),
		],
		caption="Table 2.1: school places and moves",
	)
	if f.median_school_days_to_place is None:
		_paragraph(
			document, "No child was placed through a place request this year, so there is no time to place."
		)
	else:
		_paragraph(
			document,
			f"Half of the children placed waited {_median_days(f)} school days or fewer "
			"from the date their place was needed.",
		)
	if f.children_without_place_now:
		_paragraph(
			document,
			f"On {long_date(f.counted_on)}, "
			f"{_looked_after(f.children_without_place_now)} had no school "
			"place. Each is tracked daily on the virtual school's 'children without a school place' report.",
		)
	else:
		_paragraph(
			document,
			f"Every looked-after child of school age had a school place on {long_date(f.counted_on)}.",
		)


def _pep_section(document: Document, f: AnnualReportFigures) -> None:
	_heading(document, SECTION_HEADINGS[2])
	_paragraph(
		document,
		"Every looked-after child has a Personal Education Plan (PEP), reviewed each school term. The "
		"virtual school quality-assures each PEP and rates it green, amber or red.",
	)
	late = max(f.peps_due - f.peps_on_time, 0)
	_figures_table(
		document,
		[
			("PEPs due in the year", _number(f.peps_due)),
			("Completed on time", _number(f.peps_on_time)),
			("Completed on time, % of PEPs due", _share(f.peps_on_time, f.peps_due)),
			("Late or not completed", _number(late)),
		],
		caption="Table 3.1: PEP timeliness",
	)
	ratings = _ordered(f.pep_qa, QA_RATINGS)
	rated = sum(count for rating, count in ratings if rating != "Not rated")
	total = sum(count for _, count in ratings)
	if ratings:
		_table(
			document,
			("QA rating", "PEPs", "% of all", "What it means"),
			(
				(rating, _number(count), _share(count, total), _QA_MEANINGS.get(rating, ""))
				for rating, count in ratings
			),
			(3.2, 2.4, 2.4, 8.6),
			total=("All", _number(total), _share(total, total), ""),
			caption="Table 3.2: PEP quality assurance ratings",
		)
	green = f.pep_qa.get("Green", 0)
	if rated:
		_paragraph(
			document,
			f"Of the {_of(rated, 'PEP')} rated, {_number(green)} ({_share(green, rated)}) were green.",
		)
	if total:
		voices = _ordered(f.pep_voice_qa, QA_RATINGS)
		voice_green = f.pep_voice_qa.get("Green", 0)
		voice_rated = sum(count for rating, count in voices if rating != "Not rated")
		rated_text = (
			f" Quality assurance rated the child's voice green in {_number(voice_green)} of the "
			f"{_of(voice_rated, 'PEP')} it rated ({_share(voice_green, voice_rated)})."
			if voice_rated
			else ""
		)
		_paragraph(
			document,
			f"The child's views, in their own words, were recorded in {_number(f.peps_with_voice)} of the "
			f"{_of(total, 'completed PEP')} ({_share(f.peps_with_voice, total)}).{rated_text}",
		)
	_picture(
		document,
		_bar_chart(
			ratings,
			title="PEP quality assurance ratings",
			axis_label="PEPs",
			counts=True,
			colours=[_RAG_COLOURS.get(rating, _NAVY) for rating, _ in ratings],
		),
		caption="Figure 2: PEP quality assurance ratings",
		no_data="No PEP quality assurance ratings were recorded, so there is no ratings chart.",
	)


def _pp_plus_section(document: Document, f: AnnualReportFigures) -> None:
	_heading(document, SECTION_HEADINGS[3])
	if f.pp_plus_funding_year:
		start, end = financial_year_bounds(f.pp_plus_funding_year)
		year = f"the {f.pp_plus_funding_year} funding year ({long_date(start)} to {long_date(end)})"
	else:
		year = "the funding year"
	_paragraph(
		document,
		"Pupil Premium Plus (PP+) for looked-after children is managed by the virtual school head and "
		"allocated to schools against the targets in each child's PEP. The grant runs by financial year "
		f"(1 April to 31 March); these figures are for {year}. PP+ for previously looked-after children is "
		"paid to schools directly and is not included.",
	)
	committed = f.pp_plus_committed
	remaining = f.pp_plus_allocated - committed
	_figures_table(
		document,
		[
			("Allocated", format_money(f.pp_plus_allocated)),
			("Approved, awaiting payment", format_money(f.pp_plus_approved)),
			("Paid to schools", format_money(f.pp_plus_paid)),
			("Committed (approved and paid)", format_money(committed)),
			("Committed, % of allocation", percent(committed, f.pp_plus_allocated)),
			("Paid, % of allocation", percent(f.pp_plus_paid, f.pp_plus_allocated)),
			("Not yet committed", format_money(remaining)),
		],
		caption="Table 4.1: Pupil Premium Plus",
	)
	if remaining < 0:
		_paragraph(
			document,
			f"Approved and paid claims exceed the allocation by {format_money(-remaining)}.",
		)
	categories = sorted(f.pp_plus_by_category.items(), key=lambda item: (-item[1], item[0]))
	category_total = sum((amount for _, amount in categories), Decimal(0))
	if categories:
		_table(
			document,
			("Category", "Approved and paid", "% of total"),
			(
				(category, format_money(amount), percent(amount, category_total))
				for category, amount in categories
			),
			(7.6, 5.0, 4.0),
			total=("All categories", format_money(category_total), percent(category_total, category_total)),
			caption="Table 4.2: PP+ approved and paid, by category",
		)
	_picture(
		document,
		_bar_chart(
			_limit([(category, float(amount)) for category, amount in categories], "Other categories"),
			title="PP+ approved and paid, by category",
			axis_label="Pounds",
			money=True,
			horizontal=True,
		),
		caption="Figure 3: PP+ approved and paid, by category",
		no_data="No PP+ was approved or paid by category, so there is no spending chart.",
	)


def _exclusions_section(document: Document, f: AnnualReportFigures) -> None:
	_heading(document, SECTION_HEADINGS[4])
	_attendance_table(document, f)
	_paragraph(
		document,
		"Suspensions and permanent exclusions of children in the virtual school's cohorts, from the "
		"notifications schools send. Rates are per 100 children in the cohort on "
		f"{long_date(f.counted_on)}.",
	)
	_figures_table(
		document,
		[
			("Suspensions", _number(f.suspensions)),
			("School days lost to suspension", _number(f.suspension_days)),
			("Average days per suspension", _ratio(f.suspension_days, f.suspensions)),
			("Permanent exclusions", _number(f.permanent_exclusions)),
		],
		caption="Table 5.2: suspensions and permanent exclusions",
	)
	cohorts = _ordered(f.exclusions_by_cohort, COHORTS)
	if cohorts:
		total = sum(count for _, count in cohorts)
		_table(
			document,
			("Cohort", "Suspensions and exclusions", "Per 100 children"),
			(
				(_cohort_label(cohort), _number(count), _per_hundred(count, f.cohort_by_type.get(cohort, 0)))
				for cohort, count in cohorts
			),
			(7.6, 5.0, 4.0),
			total=("All cohorts", _number(total), _per_hundred(total, sum(f.cohort_by_type.values()))),
			caption="Table 5.3: suspensions and permanent exclusions by cohort",
		)
	else:
		_paragraph(document, "No suspensions or exclusions were recorded by cohort.")


def _attendance_table(document: Document, f: AnnualReportFigures) -> None:
	_paragraph(
		document,
		"Attendance from the weekly returns schools send: sessions attended as a share of possible "
		"sessions. A child is persistently absent when they miss 10% or more of their possible sessions, "
		"severely absent at 50% or more (DfE measures).",
	)
	cohorts = _ordered(f.attendance_by_cohort, COHORTS)
	if not cohorts:
		_paragraph(document, "No attendance returns were received in the year.")
		return
	_table(
		document,
		("Cohort", "Children", "Attendance", "Persistently absent", "Severely absent"),
		(
			(
				_cohort_label(cohort),
				_number(figures["children"]),
				# sessions are the children's: shown only when the children are
				_share(figures["children"], figures["children"])
				if _hidden(figures["children"])
				else percent(figures["attended"], figures["possible"]),
				f"{_number(figures['persistent'])} ({_share(figures['persistent'], figures['children'])})",
				f"{_number(figures['severe'])} ({_share(figures['severe'], figures['children'])})",
			)
			for cohort, figures in cohorts
		),
		(5.2, 2.6, 2.8, 3.4, 3.4),
		caption="Table 5.1: attendance by cohort",
	)


def _strategic_section(document: Document, f: AnnualReportFigures) -> None:
	_heading(document, SECTION_HEADINGS[5])
	_paragraph(
		document,
		"Since September 2021 the virtual school head has led strategically on the education of children "
		"with a social worker (children in need and children on a child protection plan), and since 2024 "
		"of children in kinship care (DfE guidance). The role is to give these cohorts visibility and to "
		"champion their attendance, inclusion and progress, not individual casework, so this section gives "
		"counts only.",
	)
	rows = []
	for cohort in (CHILD_WITH_A_SOCIAL_WORKER, KINSHIP_CARE):
		children = f.cohort_by_type.get(cohort, 0)
		exclusions = f.exclusions_by_cohort.get(cohort, 0)
		rows.append(
			(
				_cohort_label(cohort),
				_number(children),
				_number(exclusions),
				_per_hundred(exclusions, children),
			)
		)
	_table(
		document,
		("Cohort", "Children", "Suspensions and exclusions", "Per 100 children"),
		rows,
		(6.0, 3.2, 4.2, 3.2),
		caption="Table 6.1: children with a social worker and in kinship care",
	)


def _escalations_section(document: Document, f: AnnualReportFigures) -> None:
	_heading(document, SECTION_HEADINGS[6])
	_paragraph(
		document,
		"Cases that stall (a school place refused, a PEP overdue, a PP+ claim or impact report not returned) "
		"are escalated up a ladder: caseworker, virtual school manager, virtual school head, then the "
		"Director of Children's Services or the Department for Education. Each level has a due date in "
		"school days; an escalation still open when it falls due moves up one level.",
	)
	holders = {level.number: level.holder for level in LEVELS}
	levels = dict(f.escalations_by_level)
	for number in holders:
		levels.setdefault(number, 0)
	levels = dict(sorted(levels.items()))
	counted = sum(levels.values())
	_table(
		document,
		("Level", "Held by", "Escalations", "% of all"),
		(
			(
				f"Level {number}",
				holders.get(number, "Level not on the ladder"),
				_number(count),
				_share(count, counted),
			)
			for number, count in levels.items()
		),
		(2.6, 7.6, 3.2, 3.2),
		total=("All levels", "", _number(counted), _share(counted, counted)),
		caption="Table 7.1: escalations opened in the year, by level reached",
	)
	senior = sum(count for number, count in levels.items() if number >= 3)
	_paragraph(
		document,
		f"{_opened(f.escalations_opened)} in the year; {_number(senior)} ({_share(senior, counted)}) "
		"reached the virtual school head or above.",
	)


def _national(figure: outcome_rules.NationalFigure | None, unit: str = "%") -> str:
	"""``57.0% (2023-24)``, or "not recorded"."""
	if figure is None:
		return "not recorded"
	return f"{_one_decimal(figure.value)}{unit} ({figure.academic_year})"


def _outcomes_section(document: Document, f: AnnualReportFigures) -> None:
	_heading(document, SECTION_HEADINGS[7])
	o = f.outcomes
	recorded = o is not None and (
		any(result.assessed for result in o.measures) or o.attainment_8_count or o.post_16
	)
	cohort_day = f" on {long_date(o.cohort_on)}" if o is not None and o.cohort_on else ""
	_paragraph(
		document,
		f"Results at the end of each key stage for the children looked after{cohort_day} (the year end of "
		"the DfE's outcome statistics), beside the latest national figure published for looked-after "
		"children in England, from the DfE's 'Outcomes for children in need, including children looked "
		"after by local authorities in England'. A child counts in a measure when their result for it is "
		"recorded.",
	)
	if not recorded:
		_paragraph(document, "No outcomes were recorded for the looked-after cohort in the year.")
		return
	rows = [
		(
			result.label,
			_number(result.assessed),
			_number(result.achieved),
			_share(result.achieved, result.assessed),
			_national(result.national),
		)
		for result in o.measures
	]
	rows.append(
		(
			outcome_rules.ATTAINMENT_8,
			_number(o.attainment_8_count),
			"",
			outcome_rules.average_text(o.attainment_8_total, o.attainment_8_count, f.suppress_below),
			_national(o.attainment_8_national, unit=""),
		)
	)
	_table(
		document,
		("Measure", "Children assessed", "Achieved", "% (average)", "Looked after nationally"),
		rows,
		(6.4, 2.4, 2.2, 2.4, 3.2),
		caption="Table 8.1: attainment of the looked-after cohort",
	)
	participation = _ordered(o.participation or {}, outcome_rules.PARTICIPATION)
	_table(
		document,
		("Post-16 participation", "Young people", "% of young people"),
		((label, _number(count), _share(count, o.post_16)) for label, count in participation),
		(7.6, 4.0, 5.0),
		total=("All in Years 12 and 13", _number(o.post_16), _share(o.post_16, o.post_16)),
		caption="Table 8.2: what looked-after young people in Years 12 and 13 were doing",
	)
	neet = (o.participation or {}).get(outcome_rules.NEET, 0)
	nationally = (
		f"; nationally {_national(o.neet_national)} of looked-after young people" if o.neet_national else ""
	)
	_paragraph(
		document,
		f"{_number(neet)} of the {_of(o.post_16, 'young person', 'young people')} in Years 12 and 13 "
		f"({_share(neet, o.post_16)}) were not in education, employment or training (NEET){nationally}.",
	)
	sources = {}
	for figure in (
		*(result.national for result in o.measures),
		o.attainment_8_national,
		o.neet_national,
	):
		if figure is not None and plain_text(figure.source):
			sources.setdefault((figure.academic_year, plain_text(figure.source)), None)
	for year, source in sources:
		_paragraph(document, f"National figures {year}: {source}", space_after=2).runs[0].font.size = Pt(9)


def _closing(document: Document, authority: Authority, f: AnnualReportFigures) -> None:
	_heading(document, "About this report")
	_paragraph(
		document,
		f"The figures were taken from the virtual school's records on {long_date(f.generated_on)} for the "
		f"{f.academic_year} academic year ({_period(f.academic_year)}). They are aggregates: no child is "
		"named or identified. Time to place is counted in school days, from the date a place was needed.",
	)
	if f.counted_on < f.generated_on:
		_paragraph(
			document,
			f"The cohort figures are as on {long_date(f.counted_on)}, the last day of the academic year, from "
			"the dates on the records (care, school placements, the case's status history) and not from "
			"today's: a child who came into care later is not counted, one who has left care since is. "
			"Whether a child lived outside the authority and their SEN provision are kept without a history, "
			f"so they are as recorded on {long_date(f.generated_on)}.",
		)
	for line, bold in (
		(authority.signatory, True),
		(authority.signatory_title, False),
		(authority.virtual_school_name, False),
		(authority.name, False),
	):
		if plain_text(line):
			_paragraph(document, line, bold=bold, space_after=0)


def annual_report(authority: Authority, figures: AnnualReportFigures) -> bytes:
	"""The Virtual School Head's annual report for ``figures.academic_year`` as a .docx file's bytes."""
	import matplotlib  # late import: matplotlib is heavy and only needed here

	matplotlib.use("Agg")
	if not isinstance(figures, AnnualReportFigures):
		raise TypeError(f"figures must be AnnualReportFigures, got {type(figures).__name__}")
	subject = f"{REPORT_TITLE} {figures.academic_year}"
	threshold = _SUPPRESS_BELOW.set(figures.suppress_below)
	try:
		return _write(authority, figures, subject)
	finally:
		_SUPPRESS_BELOW.reset(threshold)


def _write(authority: Authority, figures: AnnualReportFigures, subject: str) -> bytes:
	document = _new_document(authority, subject=subject, letter_date=figures.generated_on)
	_style_document(document)
	_title_page(document, authority, figures)
	_summary(document, authority, figures)
	_cohort_section(document, figures)
	_places_section(document, figures)
	_pep_section(document, figures)
	_pp_plus_section(document, figures)
	_exclusions_section(document, figures)
	_strategic_section(document, figures)
	_escalations_section(document, figures)
	_outcomes_section(document, figures)
	_closing(document, authority, figures)
	return _to_bytes(document)
