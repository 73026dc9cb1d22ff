"""The child's voice in the Personal Education Plan (issue #23 item 2).

The council must ascertain the wishes and feelings of a child it looks after before deciding anything about
them, and give them due consideration "having regard to his age and understanding" (Children Act 1989
s22(4)(a) and s22(5)(a)); the PEP, part of the care plan (CPPCR 2010 reg 5 and Sch 1 para 2), records them
(DfE "Promoting the education of looked-after children and previously looked-after children", February
2018). So a PEP is submitted with the child's views in their own words, or with the reason they are not
recorded (the child's age or understanding, their communication needs, or that they declined, each a
decision someone can be held to), and quality assurance rates the voice as well as the plan.

This module imports nothing from Frappe.
"""

from __future__ import annotations

from enum import Enum


class NoViewsReason(str, Enum):
	"""Why a PEP has no views in the child's own words. Values are what the DocType Select stores."""

	TOO_YOUNG = "Too young to give views"
	UNDERSTANDING = "Not able to, given their understanding or communication needs"
	DECLINED = "Declined to give views"
	OTHER = "Other (explain)"


RAG = ("Red", "Amber", "Green")
MIN_VIEWS_CHARACTERS = 10  # "ok", "n/a", "-" are not the child's voice


def has_voice(views: str | None) -> bool:
	"""True when the views say something: at least a few words once spaces are ignored."""
	return len("".join((views or "").split())) >= MIN_VIEWS_CHARACTERS


def submission_problems(
	views: str | None, no_views_reason: str | None, no_views_detail: str | None
) -> list[str]:
	"""What stops a PEP being submitted for lack of the child's voice (empty when it may be submitted)."""
	if has_voice(views):
		return []
	if not no_views_reason:
		return [
			"Record the child's views in their own words, or say why they are not recorded "
			"(for example their age or understanding)."
		]
	if no_views_reason not in {reason.value for reason in NoViewsReason}:
		return [f"Unknown reason for no views: {no_views_reason}."]
	if no_views_reason == NoViewsReason.OTHER.value and not (no_views_detail or "").strip():
		return ["Explain why the child's views are not recorded."]
	return []


def approval_problems(qa_voice_rating: str | None) -> list[str]:
	"""What stops QA approving a PEP: the child's voice must be rated alongside the plan."""
	if qa_voice_rating not in RAG:
		return ["Rate the child's voice (Red, Amber or Green) before approving the PEP."]
	return []
