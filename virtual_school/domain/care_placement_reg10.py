"""CPPCR 2010 regulation 10, "Avoidance of disruption in education": a warning for the virtual school, never a
block (STATUTORY.md sections 4 and 11).

The Care Planning, Placement and Case Review (England) Regulations 2010 (SI 2010/959) reg 10: where a looked-
after child is a registered pupil at a school in **key stage 4**, the responsible authority must not make
a change to the child's **care placement** that would disrupt the arrangements for their education until
the **nominated officer** has approved it, having first been satisfied that the education provision
promotes the child's achievement and fits the PEP and that the **designated teacher** and the **IRO** were
consulted. It does not apply (reg 10(3)) to a placement change made in an **emergency**, or to a placement
**terminated under reg 14(3)**.

The regulation gates social care's decision to move the child, not the school place: the virtual school
records what it knows (approval, the DT and IRO consulted, an exception) and is warned when something is
missing, and must never be stopped from finding the child a school. Which officer is nominated is a local
decision; the regulation does not name the VSH. This module imports nothing from Frappe.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = [
	"Reg10Exception",
	"Reg10Missing",
	"Reg10Warning",
	"reg10_warning",
]


class Reg10Exception(str, Enum):
	"""The reg 10(3) exceptions, as a Select field stores them."""

	NONE = "None"
	EMERGENCY = "Emergency placement change"
	REG_14_3_TERMINATION = "Placement terminated under regulation 14(3)"

	def __str__(self) -> str:
		return self.value


class Reg10Missing(str, Enum):
	"""What the record does not show, in the order the regulation needs it."""

	DESIGNATED_TEACHER_CONSULTED = "The designated teacher was consulted"
	IRO_CONSULTED = "The independent reviewing officer was consulted"
	NOMINATED_OFFICER_APPROVAL = "The nominated officer approved the placement change"

	def __str__(self) -> str:
		return self.value


@dataclass(frozen=True)
class Reg10Warning:
	"""A reg 10 warning: what is missing and a sentence for the record. Never a reason to refuse a step."""

	missing: tuple[Reg10Missing, ...]
	message: str


def reg10_warning(
	*,
	in_key_stage_4: bool,
	care_placement_move: bool,
	nominated_officer_approved: bool,
	designated_teacher_consulted: bool,
	iro_consulted: bool,
	exception: Reg10Exception | str = Reg10Exception.NONE,
	disrupts_education: bool = True,
) -> Reg10Warning | None:
	"""A warning when reg 10 applies and the record does not show its steps; otherwise None.

	Reg 10 applies to a ``care_placement_move`` of a child ``in_key_stage_4`` that ``disrupts_education``
	(assumed unless the record says it does not), outside the reg 10(3) ``exception`` s. It is satisfied when
	the nominated officer approved and the designated teacher and IRO were consulted.
	"""
	exception = Reg10Exception(exception)
	if not (in_key_stage_4 and care_placement_move and disrupts_education):
		return None
	if exception is not Reg10Exception.NONE:
		return None
	missing = tuple(
		item
		for item, shown in (
			(Reg10Missing.DESIGNATED_TEACHER_CONSULTED, designated_teacher_consulted),
			(Reg10Missing.IRO_CONSULTED, iro_consulted),
			(Reg10Missing.NOMINATED_OFFICER_APPROVAL, nominated_officer_approved),
		)
		if not shown
	)
	if not missing:
		return None
	message = (
		"A care placement move that disrupts the education of a child in key stage 4 needs the nominated "
		"officer's approval, after the designated teacher and IRO are consulted (CPPCR 2010 reg 10). Not "
		"recorded: " + "; ".join(item.value.lower() for item in missing) + ". This does not stop the search "
		"for a school place."
	)
	return Reg10Warning(missing, message)
