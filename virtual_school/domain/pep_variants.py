"""PEPs for every age (issue #23 item 3): early years, school age and post-16, chosen from the child's age.

Sources:

- The PEP is part of the care plan and covers the content of CPPCR 2010 (SI 2010/959) Sch 1 para 2 for every
  child, whatever their age: the educational and training history (institutions attended, **attendance and
  conduct** record, achievements, special educational needs), the current arrangements (including special
  educational provision, SEN support or an EHC plan), planned changes, leisure interests, and the role of the
  carer in promoting the child's education and leisure interests (``STATUTORY_CONTENT``).
- DfE "Promoting the education of looked-after children and previously looked-after children" (statutory
  guidance, February 2018) asks virtual school heads to see that PEPs start in early years settings and
  continue after Year 11 for young people in education or training; councils run three PEP forms for this
  (early years, school age, post-16), as the commercial ePEP systems do.
- Early years: the EYFS statutory framework (DfE, in force from September 2021 and re-issued since) sets
  seven areas of learning and 17 early learning goals, each judged **Emerging** or **Expected** in the EYFS
  profile at the end of the Reception year (``EARLY_LEARNING_GOALS``, ``EYFS_JUDGEMENTS``). A looked-after child
  attracts the Early Years Pupil Premium (DfE "Early years entitlements: operational guidance"): the PEP records
  whether it is claimed, the amount and its use. Amounts change yearly and are never written here.
- Post-16: Years 12 and 13 (a young person of compulsory participation age, Education and Skills Act 2008
  Part 1): course, provider, qualification aims with predicted and target grades, attendance, the 16 to 19
  Bursary Fund (looked-after young people are in its "defined vulnerable groups", ESFA guide to the bursary),
  the risk of becoming NEET and the plan for the next step.

The variant comes from the English school year (``school_days.year_group``: the age on the 31 August before the
academic year) on the PEP's due date: **Early years** before Year 1 (the EYFS runs to the end of Reception;
a child under 2 is early years too: the obligation rules, not the variant, decide whether a PEP is due),
**School age** Years 1 to 11, **Post-16** from Year 12 (also a young person still in education past Year 13:
the variant never refuses a PEP the obligation rules ask for).

This module imports nothing from Frappe. Its messages are English templates with ``{0}`` placeholders, which
the controller passes through ``_()`` before formatting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum

from virtual_school.domain import school_days


class PepVariant(str, Enum):
	"""A PEP's form, by the child's school year. Values are what the DocType Select stores."""

	EARLY_YEARS = "Early years"
	SCHOOL_AGE = "School age"
	POST_16 = "Post-16"


FIRST_SCHOOL_AGE_YEAR = 1  # Year 1: the EYFS ends with Reception (year group 0)
FIRST_POST_16_YEAR = 12


def variant_for(date_of_birth: date, on_date: date) -> PepVariant:
	"""The PEP variant for a child born on ``date_of_birth`` whose PEP is due on ``on_date``."""
	group = school_days.year_group(date_of_birth, on_date)
	if group is None:
		# younger than Reception (nursery age and below) or past Year 13
		label = school_days.year_group_label(date_of_birth, on_date)
		return PepVariant.EARLY_YEARS if label == "Early years" else PepVariant.POST_16
	if group < FIRST_SCHOOL_AGE_YEAR:
		return PepVariant.EARLY_YEARS
	if group < FIRST_POST_16_YEAR:
		return PepVariant.SCHOOL_AGE
	return PepVariant.POST_16


# --- scales ---------------------------------------------------------------------------------------------

EYFS_JUDGEMENTS = ("Emerging", "Expected")

# EYFS statutory framework: the seven areas of learning and their 17 early learning goals, in its order.
EARLY_LEARNING_GOALS: dict[str, tuple[str, ...]] = {
	"Communication and language": ("Listening, attention and understanding", "Speaking"),
	"Personal, social and emotional development": (
		"Self-regulation",
		"Managing self",
		"Building relationships",
	),
	"Physical development": ("Gross motor skills", "Fine motor skills"),
	"Literacy": ("Comprehension", "Word reading", "Writing"),
	"Mathematics": ("Number", "Numerical patterns"),
	"Understanding the world": ("Past and present", "People, culture and communities", "The natural world"),
	"Expressive arts and design": ("Creating with materials", "Being imaginative and expressive"),
}

PRIMARY_SCALE = "Working towards / Expected standard / Greater depth"
SECONDARY_SCALE = "GCSE grade 9-1"
SECONDARY_KEY_STAGES = ("KS3", "KS4", "KS5")
EYFS_SCALE = " / ".join(EYFS_JUDGEMENTS)
POST_16_SCALE = "Qualification aims: predicted and target grade"


def attainment_scale(variant: PepVariant | str, key_stage: str | None) -> str:
	"""The scale a PEP's subject attainment is recorded on: EYFS judgements in early years, the primary or
	GCSE scale at school age (by key stage, as before the variants), GCSE grades for post-16 English and maths
	(the qualification aims carry their own grades)."""
	if variant == PepVariant.EARLY_YEARS:
		return EYFS_SCALE
	if variant == PepVariant.POST_16 or key_stage in SECONDARY_KEY_STAGES:
		return SECONDARY_SCALE
	return PRIMARY_SCALE


SETTING_TYPES = (
	"Nursery",
	"Childminder",
	"School nursery or Reception class",
	"Pre-school or playgroup",
	"Not yet in a setting",
)
BURSARY_STATUSES = (
	"Eligible, not yet applied",
	"Applied, awaiting a decision",
	"Awarded and being paid",
	"Not eligible",
)
# The areas a PEP's SMART targets are set in, by variant ("each with its own attainment scale and targets"):
# early years by the EYFS areas of learning; school age as before the variants; post-16 by the parts of a 16 to
# 19 study programme (DfE "16 to 19 study programmes" guidance: the qualification aims, English and maths
# where grade 4 is not yet held, work experience) and the next step. Attendance, wellbeing and Other on every
# PEP. PEP Target.area offers their union (``ALL_TARGET_AREAS``); the form and the portal offer the variant's.
COMMON_TARGET_AREAS = ("Attendance", "Wellbeing and behaviour", "Other")
TARGET_AREAS: dict[PepVariant, tuple[str, ...]] = {
	PepVariant.EARLY_YEARS: (*EARLY_LEARNING_GOALS, *COMMON_TARGET_AREAS),
	PepVariant.SCHOOL_AGE: (
		"Reading and writing",
		"Maths",
		"Attendance",
		"Wellbeing and behaviour",
		"Social and emotional",
		"Preparing for adulthood",
		"Other",
	),
	PepVariant.POST_16: (
		"Course and qualifications",
		"English and maths",
		"Work experience",
		"Preparing for adulthood",
		"Next step in education, employment or training",
		*COMMON_TARGET_AREAS,
	),
}
# school age first: the order PEP Target.area lists them in
ALL_TARGET_AREAS = tuple(
	dict.fromkeys(
		area
		for variant in (PepVariant.SCHOOL_AGE, PepVariant.EARLY_YEARS, PepVariant.POST_16)
		for area in TARGET_AREAS[variant]
	)
)


def target_areas(variant: PepVariant | str | None) -> tuple[str, ...]:
	"""The target areas a PEP of ``variant`` offers; every area for a PEP without a variant (before #23), or
	with a value that is not one (written past validation): the page still renders and submission names it."""
	try:
		return TARGET_AREAS[PepVariant(variant)]
	except ValueError:
		return ALL_TARGET_AREAS


def offered_target_areas(variant: PepVariant | str | None, kept: Iterable[str | None] = ()) -> list[str]:
	"""The areas to offer on a PEP's targets: its variant's, then any area its saved targets already hold
	(a target written before the variants keeps its area until someone changes it; submission names it)."""
	areas = list(target_areas(variant))
	return areas + [area for area in dict.fromkeys(kept) if area and area not in areas]


NEET_RISKS = ("Low", "Medium", "High")
NEET_RISKS_NEEDING_DETAIL = ("Medium", "High")
QUALIFICATION_LEVELS = ("Entry level", "Level 1", "Level 2", "Level 3", "Level 4 or above")

# CPPCR 2010 Sch 1 para 2, field by field, for every variant (``attendance_percent`` and the carer's role,
# ``carer_role_in_learning``, existed before the variants; ``sen_provision`` is the child's, fetched).
STATUTORY_CONTENT: dict[str, str] = {
	"education_history": "Education and Training History",
	"attendance_percent": "Attendance This Term (%)",
	"conduct_record": "Conduct Record",
	"achievements": "Achievements",
	"sen_provision": "SEN Provision",
	"sen_detail": "SEN Support or EHC Plan",
	"leisure_interests": "Leisure Interests",
	"carer_role_in_learning": "Carer's Role in Supporting Learning",
}

# What each variant needs to be submitted, field by field (label as on the form): the fields every PEP
# needs, then the variant's own. Tables need at least one complete row.
COMMON_REQUIRED: dict[str, str] = {"meeting_date": "Meeting Date", "targets": "Targets"}
REQUIRED: dict[PepVariant, dict[str, str]] = {
	PepVariant.EARLY_YEARS: {
		"ey_setting_type": "Early Years Setting",
		"early_learning_goals": "Areas of Learning and Early Learning Goals",
	},
	PepVariant.SCHOOL_AGE: {},
	PepVariant.POST_16: {
		"post16_course": "Course",
		"post16_provider": "Provider",
		"attendance_percent": "Attendance This Term (%)",
		"qualification_aims": "Qualification Aims",
		"bursary_status": "16 to 19 Bursary",
		"neet_risk": "NEET Risk",
		"next_step_plans": "Plans for the Next Step",
	},
}
# Fields required only when another says so: (field, label, condition field, values that require it).
CONDITIONAL: dict[PepVariant, tuple[tuple[str, str, str, tuple], ...]] = {
	PepVariant.EARLY_YEARS: (
		("eypp_amount", "EYPP Amount", "eypp_claimed", (1, True, "1")),
		("eypp_use", "How the EYPP Is Used", "eypp_claimed", (1, True, "1")),
	),
	PepVariant.SCHOOL_AGE: (),
	PepVariant.POST_16: (("neet_risk_detail", "NEET Risk Detail", "neet_risk", NEET_RISKS_NEEDING_DETAIL),),
}
# The fields of the variant sections (hidden for the other variants), for the form and the portal.
VARIANT_FIELDS: dict[PepVariant, tuple[str, ...]] = {
	PepVariant.EARLY_YEARS: (
		"ey_setting_type",
		"ey_setting_name",
		"eypp_claimed",
		"eypp_amount",
		"eypp_use",
		"early_learning_goals",
	),
	PepVariant.SCHOOL_AGE: (),
	PepVariant.POST_16: (
		"post16_course",
		"post16_provider",
		"qualification_aims",
		"bursary_status",
		"neet_risk",
		"neet_risk_detail",
		"next_step_plans",
	),
}


@dataclass(frozen=True)
class Problem:
	"""A reason a PEP cannot be saved or submitted: an English template and its arguments."""

	template: str
	args: tuple = ()

	def text(self, translate=str) -> str:
		"""The message, each argument passed through ``translate`` (a tuple of labels joined by commas)."""
		return translate(self.template).format(
			*(
				", ".join(translate(str(item)) for item in arg)
				if isinstance(arg, tuple)
				else translate(str(arg))
				for arg in self.args
			)
		)


def _empty(value) -> bool:
	if value is None:
		return True
	if isinstance(value, str):
		return not value.strip()
	if isinstance(value, (list, tuple)):
		return not value
	return False


def goal_problems(rows: Iterable[Mapping]) -> list[Problem]:
	"""Early learning goal rows that do not fit the framework: a goal of another area, an unknown judgement."""
	problems = []
	for number, row in enumerate(rows, start=1):
		area, goal, judgement = row.get("area"), row.get("goal"), row.get("judgement")
		if area not in EARLY_LEARNING_GOALS:
			problems.append(Problem("Row {0}: {1} is not an EYFS area of learning.", (number, area or "")))
		elif goal not in EARLY_LEARNING_GOALS[area]:
			problems.append(
				Problem("Row {0}: {1} is not an early learning goal of {2}.", (number, goal or "", area))
			)
		if judgement and judgement not in EYFS_JUDGEMENTS:
			problems.append(Problem("Row {0}: judge the goal Emerging or Expected.", (number,)))
	return problems


def target_area_problems(variant: PepVariant | str, rows: Iterable[Mapping]) -> list[Problem]:
	"""Targets set in an area of another variant (a "Maths" target on an early years PEP: "Mathematics")."""
	areas = target_areas(variant)
	wrong = [(number, row.get("area")) for number, row in enumerate(rows, 1) if row.get("area") not in areas]
	if not wrong:
		return []
	return [
		Problem(
			"Targets: row {0} is set in {1}, not an area of the {2} PEP; choose one of {3}.",
			(
				tuple(str(number) for number, _area in wrong),
				tuple(area or "" for _number, area in wrong),
				PepVariant(variant).value,
				areas,
			),
		)
	]


def _incomplete_rows(fieldname: str, rows: list[Mapping]) -> list[int]:
	if fieldname == "early_learning_goals":
		needed = ("area", "goal", "judgement")
	elif fieldname == "qualification_aims":
		needed = ("qualification", "predicted_grade", "target_grade")
	elif fieldname == "targets":
		needed = ("area", "target")
	else:
		return []
	return [number for number, row in enumerate(rows, 1) if any(_empty(row.get(key)) for key in needed)]


ROW_NEEDS = {
	"early_learning_goals": "an area, a goal and a judgement (Emerging or Expected)",
	"qualification_aims": "the qualification, a predicted grade and a target grade",
	"targets": "an area and the target",
}


def submission_problems(variant: PepVariant | str, values: Mapping) -> list[Problem]:
	"""What stops a PEP of this variant being submitted (empty when it may be). ``values`` maps fieldnames
	to values; tables are lists of row mappings."""
	variant = PepVariant(variant)
	required = {**COMMON_REQUIRED, **REQUIRED[variant]}
	missing = [label for fieldname, label in required.items() if _empty(values.get(fieldname))]
	for fieldname, label, condition, when in CONDITIONAL[variant]:
		if values.get(condition) in when and _empty(values.get(fieldname)):
			missing.append(label)
	problems = []
	if missing:
		problems.append(
			Problem("{0} PEP: fill in {1} before submitting it.", (variant.value, tuple(missing)))
		)
	for fieldname, label in required.items():
		rows = values.get(fieldname)
		if isinstance(rows, (list, tuple)) and rows:
			incomplete = _incomplete_rows(fieldname, rows)
			if incomplete:
				problems.append(
					Problem(
						"{0}: complete row {1} ({2}) or remove it.",
						(label, tuple(incomplete), ROW_NEEDS[fieldname]),
					)
				)
	problems += target_area_problems(variant, values.get("targets") or [])
	if variant == PepVariant.EARLY_YEARS:
		problems += goal_problems(values.get("early_learning_goals") or [])
		if values.get("eypp_claimed") in (1, True, "1") and not _empty(values.get("eypp_amount")):
			if float(values.get("eypp_amount") or 0) <= 0:
				problems.append(Problem("EYPP Amount: enter the amount claimed, more than zero."))
	return problems
