"""The Personal Education Plan (PEP) export, written as a real .docx file with python-docx.

The PEP is part of a looked-after child's care plan (Care Planning, Placement and Case Review (England)
Regulations 2010, SI 2010/959, reg 4). The school's designated teacher leads on it in school (Children and
Young Persons Act 2008 s20; DfE statutory guidance, February 2018), with the social worker, the carer and the
child; the virtual school quality-assures it (DOMAIN.md "Personal Education Plan"). The document has:

- the title "Personal Education Plan", a details table (child by initials only, school, term, dates and the
  people who contribute), "The child's views", attendance, the statutory content every PEP covers (CPPCR 2010
  Sch 1 para 2: education and training history, conduct, achievements, SEN, leisure interests, the carer's
  role; ``domain.pep_variants.STATUTORY_CONTENT``), the part of the PEP's variant (early years: the setting,
  the Early Years Pupil Premium and the early learning goals; post-16: course, provider, qualification aims,
  16 to 19 Bursary, NEET risk and the next step), a table of SMART targets (each marked if it is funded by
  Pupil Premium Plus, PP+) with a red/amber/green progress rating, an attainment table, and the virtual
  school's quality-assurance rating and comments;
- the OFFICIAL-SENSITIVE marking and layout of ``letters``, whose helpers it reuses.

The child is named by initials only. Narrative text (views, targets, attainment, comments) is printed as
plain text with any of the child's ``withheld_names`` replaced by the initials. This module imports nothing
from Frappe.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from virtual_school.domain import attendance as attendance_rules
from virtual_school.domain.letters import (
	Authority,
	PupilDetails,
	_add_run,
	_check_initials,
	_free_text,
	_keep_rows_whole,
	_new_document,
	_paragraph,
	_pupil_rows,
	_subject_text,
	_to_bytes,
	long_date,
	plain_text,
)
from virtual_school.domain.pep_variants import PepVariant
from virtual_school.domain.pp_plus_budget import format_money

__all__ = [
	"PERSISTENT_ABSENCE_ATTENDANCE",
	"PP_PLUS_FUNDED",
	"RAG_RATINGS",
	"AttainmentRow",
	"EarlyLearningGoalRow",
	"EarlyYearsPart",
	"PepExport",
	"PepTarget",
	"Post16Part",
	"QualificationAimRow",
	"pep_document",
]

RAG_RATINGS = ("Red", "Amber", "Green", "")
PP_PLUS_FUNDED = "Yes (PP+)"  # how a PP+-funded target is marked in the targets table
NOT_PP_PLUS_FUNDED = "No"
NOT_RATED = "Not rated"
NOT_RECORDED = "Not recorded"
# DfE: a pupil is persistently absent when they miss 10% or more of their possible sessions.
# attendance at or below this is persistent absence: the attendance rule, read as a percentage attended
PERSISTENT_ABSENCE_ATTENDANCE = 100.0 - attendance_rules.PERSISTENT_ABSENCE_PERCENT
_TITLE = "Personal Education Plan"


class PepTarget(NamedTuple):
	"""One SMART target: area of need, the target, how success is measured, PP+ funding, progress RAG."""

	area: str
	target: str
	success_measure: str
	pp_plus_funded: bool = False
	progress_rag: str = ""


class AttainmentRow(NamedTuple):
	"""One subject's attainment: current working level and the target level, as the school words them."""

	subject: str
	current: str
	target: str


class EarlyLearningGoalRow(NamedTuple):
	"""One early learning goal of the EYFS framework: its area, the goal, Emerging or Expected, next steps."""

	area: str
	goal: str
	judgement: str
	next_steps: str = ""


class QualificationAimRow(NamedTuple):
	"""One post-16 qualification aim: the qualification, its level, the predicted and the target grade."""

	qualification: str
	level: str
	predicted_grade: str
	target_grade: str


@dataclass(frozen=True)
class EarlyYearsPart:
	"""The early years PEP's own part: the setting, the Early Years Pupil Premium (EYPP) and the goals."""

	setting_type: str = ""
	setting_name: str = ""
	eypp_claimed: bool = False
	eypp_amount: float | None = None
	eypp_use: str = ""
	goals: tuple[EarlyLearningGoalRow, ...] = ()

	def __post_init__(self) -> None:
		object.__setattr__(self, "goals", tuple(EarlyLearningGoalRow(*row) for row in self.goals))


@dataclass(frozen=True)
class Post16Part:
	"""The post-16 PEP's own part: course and provider, qualification aims, bursary, NEET risk, next step."""

	course: str = ""
	provider: str = ""
	bursary_status: str = ""
	neet_risk: str = ""
	neet_risk_detail: str = ""
	next_step_plans: str = ""
	aims: tuple[QualificationAimRow, ...] = ()

	def __post_init__(self) -> None:
		object.__setattr__(self, "aims", tuple(QualificationAimRow(*row) for row in self.aims))


def _rag(value: object, what: str) -> str:
	"""``Red``, ``Amber``, ``Green`` or ``""`` (any case, spaces trimmed); ValueError for anything else."""
	text = plain_text(value).capitalize()
	if text not in RAG_RATINGS:
		raise ValueError(f"{what} must be Red, Amber, Green or blank, got {value!r}")
	return text


@dataclass(frozen=True)
class PepExport:
	"""What the PEP export shows, beyond the authority and the child's ``PupilDetails``.

	``targets`` and ``attainment`` accept plain tuples in field order and are stored as ``PepTarget`` and
	``AttainmentRow``. RAG values are "Red", "Amber", "Green" or "" (not yet rated); ``attendance_percent`` is
	0-100 or None (not recorded). ``carer`` is a name only: never an address. ValueError for bad values.
	"""

	school_name: str
	academic_year: str
	term: str
	meeting_date: date | None = None
	due_date: date | None = None
	designated_teacher: str = ""
	social_worker: str = ""
	carer: str = ""
	child_views: str = ""
	no_views_reason: str = ""  # why the views are not recorded (domain.pep_voice.NoViewsReason), if not
	attendance_percent: float | None = None
	# CPPCR 2010 Sch 1 para 2 (``pep_variants.STATUTORY_CONTENT`` but attendance): (label, text) in order
	statutory_content: tuple[tuple[str, str], ...] = field(default_factory=tuple)
	variant: str = ""  # a ``PepVariant`` value, or "" for a PEP written before the variants
	early_years: EarlyYearsPart | None = None
	post_16: Post16Part | None = None
	targets: tuple[PepTarget, ...] = field(default_factory=tuple)
	attainment: tuple[AttainmentRow, ...] = field(default_factory=tuple)
	qa_rating: str = ""
	qa_voice_rating: str = ""
	qa_comments: str = ""

	def __post_init__(self) -> None:
		targets = []
		for number, row in enumerate(self.targets, start=1):
			target = PepTarget(*row)
			targets.append(
				target._replace(
					pp_plus_funded=bool(target.pp_plus_funded),
					progress_rag=_rag(target.progress_rag, f"target {number} progress_rag"),
				)
			)
		object.__setattr__(self, "targets", tuple(targets))
		object.__setattr__(self, "attainment", tuple(AttainmentRow(*row) for row in self.attainment))
		object.__setattr__(self, "qa_rating", _rag(self.qa_rating, "qa_rating"))
		object.__setattr__(self, "qa_voice_rating", _rag(self.qa_voice_rating, "qa_voice_rating"))
		if self.variant:
			object.__setattr__(self, "variant", PepVariant(self.variant).value)
		attendance = self.attendance_percent
		if attendance is not None:
			if isinstance(attendance, bool) or not isinstance(attendance, (int, float)):
				raise TypeError(
					f"attendance_percent must be a number or None, got {type(attendance).__name__}"
				)
			if math.isnan(attendance) or not 0 <= attendance <= 100:
				raise ValueError(f"attendance_percent must be between 0 and 100, got {attendance!r}")
			object.__setattr__(self, "attendance_percent", float(attendance))


def _heading(document: Document, text: str) -> None:
	"""A section heading (bold, larger), kept with what follows."""
	paragraph = _paragraph(document, space_after=3)
	_add_run(paragraph, text, bold=True, size=13)
	paragraph.paragraph_format.space_before = Pt(10)
	paragraph.paragraph_format.keep_with_next = True


def _grid(
	document: Document, headings: Sequence[str], rows: Iterable[Sequence[str]], widths: Sequence[float]
):
	"""A table with a bold heading row repeated on each page, rows never split across pages."""
	table = document.add_table(rows=1, cols=len(headings))
	table.style = document.styles["Table Grid"]
	table.autofit = False
	for column, width in zip(table.columns, widths, strict=True):
		column.width = Cm(width)  # the grid, which LibreOffice reads
	for cell, label, width in zip(table.rows[0].cells, headings, widths, strict=True):
		cell.width = Cm(width)
		_add_run(cell.paragraphs[0], label, bold=True)
	count = 0
	for row in rows:
		count += 1
		for cell, text, width in zip(table.add_row().cells, row, widths, strict=True):
			cell.width = Cm(width)
			_add_run(cell.paragraphs[0], text)
	_keep_rows_whole(table, together=count <= 6, header_row=True)
	_paragraph(document, space_after=0)
	return table


def _label_table(document: Document, rows: Iterable[tuple[str, str]]) -> None:
	"""A two-column (label, value) table like ``letters``' details table, under the caller's heading."""
	table = document.add_table(rows=0, cols=2)
	table.style = document.styles["Table Grid"]
	table.autofit = False
	table.columns[0].width, table.columns[1].width = Cm(5.0), Cm(11.6)
	for label, value in rows:
		if not plain_text(value):
			continue
		label_cell, value_cell = table.add_row().cells
		label_cell.width, value_cell.width = Cm(5.0), Cm(11.6)
		_add_run(label_cell.paragraphs[0], label, bold=True)
		_add_run(value_cell.paragraphs[0], value)
	_keep_rows_whole(table, together=True)
	_paragraph(document, space_after=0)


def _attendance_text(percent: float | None) -> str:
	if percent is None:
		return "Attendance: not recorded."
	text = f"Attendance: {percent:.1f}%."
	if percent <= PERSISTENT_ABSENCE_ATTENDANCE:
		text += (
			" This is persistent absence (missing 10% or more of possible sessions, the DfE measure): the PEP "
			"should say what will be done to improve attendance."
		)
	return text


def _early_years_part(document: Document, pupil: PupilDetails, part: EarlyYearsPart) -> None:
	_heading(document, "Early years")
	if part.eypp_claimed:
		amount = format_money(part.eypp_amount) if part.eypp_amount is not None else NOT_RECORDED
		eypp = f"Claimed: {amount}"
	else:
		eypp = "Not claimed"
	_label_table(
		document,
		[
			("Early years setting", plain_text(part.setting_type) or NOT_RECORDED),
			("Setting name", _free_text(part.setting_name, pupil)),
			("Early Years Pupil Premium", eypp),
			("How the EYPP is used", _free_text(part.eypp_use, pupil) if part.eypp_claimed else ""),
		],
	)
	_heading(document, "Early learning goals")
	if part.goals:
		_grid(
			document,
			("Area of learning", "Early learning goal", "Judgement", "Next steps"),
			(
				(
					plain_text(row.area),
					plain_text(row.goal),
					plain_text(row.judgement) or "Not yet judged",
					_free_text(row.next_steps, pupil),
				)
				for row in part.goals
			),
			(4.0, 4.4, 2.6, 5.6),
		)
	else:
		_paragraph(document, "No early learning goals have been recorded.")


def _post_16_part(document: Document, pupil: PupilDetails, part: Post16Part) -> None:
	_heading(document, "Post-16")
	neet = plain_text(part.neet_risk) or NOT_RECORDED
	if part.neet_risk_detail:
		neet = f"{neet}: {_free_text(part.neet_risk_detail, pupil)}"
	_label_table(
		document,
		[
			("Course", _free_text(part.course, pupil) or NOT_RECORDED),
			("Provider", _free_text(part.provider, pupil) or NOT_RECORDED),
			("16 to 19 Bursary", plain_text(part.bursary_status) or NOT_RECORDED),
			("Risk of becoming NEET", neet),
			("Plans for the next step", _free_text(part.next_step_plans, pupil) or NOT_RECORDED),
		],
	)
	_heading(document, "Qualification aims")
	if part.aims:
		_grid(
			document,
			("Qualification", "Level", "Predicted grade", "Target grade"),
			(
				(
					_free_text(row.qualification, pupil),
					plain_text(row.level),
					plain_text(row.predicted_grade),
					plain_text(row.target_grade),
				)
				for row in part.aims
			),
			(7.0, 3.2, 3.2, 3.2),
		)
	else:
		_paragraph(document, "No qualification aims have been recorded.")


def pep_document(authority: Authority, pupil: PupilDetails, plan: PepExport) -> bytes:
	"""The PEP as a .docx file's bytes: details, child's views, attendance, the statutory content, the
	variant's part, targets, attainment and QA.

	The child appears by initials only (ValueError if ``pupil.initials`` is missing or looks like a name).
	"""
	initials = _check_initials(pupil)
	school = plain_text(plan.school_name)
	term = plain_text(plan.term)
	year = plain_text(plan.academic_year)
	when = ", ".join(part for part in (f"{term} term" if term else "", year) if part)
	stamp = plan.meeting_date or plan.due_date or date.today()
	document = _new_document(authority, subject=_subject_text(_TITLE, pupil), letter_date=stamp)

	title = _paragraph(document, space_after=2)
	_add_run(title, _TITLE, bold=True, size=20)
	title.alignment = WD_ALIGN_PARAGRAPH.CENTER
	subtitle = _paragraph(document, space_after=10)
	_add_run(subtitle, " | ".join(part for part in (f"Pupil {initials}", school, when) if part), size=12)
	subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER

	_heading(document, "PEP details")
	_label_table(
		document,
		[
			*_pupil_rows(pupil),
			("Our reference", plain_text(pupil.reference)),
			("School", school),
			("Academic year", year),
			("Term", term),
			("PEP meeting date", long_date(plan.meeting_date) if plan.meeting_date else "Not yet held"),
			("PEP due by", long_date(plan.due_date) if plan.due_date else ""),
			("Designated teacher", plain_text(plan.designated_teacher)),
			("Social worker", plain_text(plan.social_worker)),
			("Carer", plain_text(plan.carer)),
		],
	)

	_heading(document, "The child's views")
	views = _free_text(plan.child_views, pupil)
	if views:
		_paragraph(document, views)
	if plan.no_views_reason:  # a few words ("n/a") may stand beside the reason they are all there is
		reason = _free_text(plan.no_views_reason, pupil)
		_paragraph(document, f"Why the child's views are not recorded: {reason}.")
	elif not views:
		_paragraph(document, "The child's views have not been recorded.")

	_heading(document, "Attendance")
	_paragraph(document, _attendance_text(plan.attendance_percent))

	if plan.statutory_content:
		_heading(document, "Education, conduct and interests")
		_label_table(
			document,
			[(label, _free_text(text, pupil) or NOT_RECORDED) for label, text in plan.statutory_content],
		)
	if plan.variant == PepVariant.EARLY_YEARS.value:
		_early_years_part(document, pupil, plan.early_years or EarlyYearsPart())
	elif plan.variant == PepVariant.POST_16.value:
		_post_16_part(document, pupil, plan.post_16 or Post16Part())

	_heading(document, "SMART targets")
	if plan.targets:
		_grid(
			document,
			("Area", "Target", "How success will be measured", "PP+ funded", "Progress (RAG)"),
			(
				(
					_free_text(target.area, pupil),
					_free_text(target.target, pupil),
					_free_text(target.success_measure, pupil),
					PP_PLUS_FUNDED if target.pp_plus_funded else NOT_PP_PLUS_FUNDED,
					target.progress_rag or NOT_RATED,
				)
				for target in plan.targets
			),
			(2.6, 5.2, 4.6, 2.0, 2.2),
		)
		funded = sum(target.pp_plus_funded for target in plan.targets)
		_paragraph(
			document,
			f"{funded} of {len(plan.targets)} target{'' if len(plan.targets) == 1 else 's'} "
			f"{'is' if funded == 1 else 'are'} funded by Pupil Premium Plus (PP+).",
		)
	else:
		_paragraph(document, "No targets have been recorded.")

	_heading(document, "Attainment")
	if plan.attainment:
		_grid(
			document,
			("Subject", "Current", "Target"),
			(
				(
					_free_text(row.subject, pupil),
					_free_text(row.current, pupil),
					_free_text(row.target, pupil),
				)
				for row in plan.attainment
			),
			(5.6, 5.5, 5.5),
		)
	else:
		_paragraph(document, "No attainment has been recorded.")

	_heading(document, "Virtual school quality assurance")
	_label_table(
		document,
		[
			("QA rating", plan.qa_rating or NOT_RATED),
			("The child's voice", plan.qa_voice_rating or NOT_RATED),
			("Comments", _free_text(plan.qa_comments, pupil) or "None"),
			("Quality assured by", plain_text(authority.virtual_school_name)),
		],
	)
	return _to_bytes(document)
