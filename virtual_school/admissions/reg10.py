"""CPPCR 2010 reg 10 on the site: recorded on the child's *Care Placement Move*, shown as a warning on the
School Place Request and in *Children Without a School Place*, never a refusal (STATUTORY.md section 11).

Reg 10 gates social care's decision to move the child (the nominated officer's approval after the
designated teacher and the IRO are consulted; reg 10(3): not in an emergency or a reg 14(3) termination),
not the school place. The rule is ``virtual_school.domain.care_placement_reg10.reg10_warning``. The facts
live on a separate *Care Placement Move* record, not on the Child's Care Episode rows, because the SSDA903
import rewrites those rows on every re-import.
"""

import frappe
from frappe import _

from virtual_school.domain.care_placement_reg10 import reg10_warning

KEY_STAGE_4 = "KS4"  # Child.key_stage for Years 10 and 11 (domain.school_days.key_stage_for)
CARE_PLACEMENT_MOVE = "Care placement move"  # School Place Request.reason option


def refresh_move(doc) -> None:
	"""Care Placement Move: the key stage at the move, whether reg 10 applies, and what is not recorded."""
	if doc.is_new() or doc.has_value_changed("child") or not doc.key_stage:
		doc.key_stage = frappe.db.get_value("Child", doc.child, "key_stage")
	if not doc.nominated_officer_approved:
		doc.approved_on = None
	in_ks4 = doc.key_stage == KEY_STAGE_4
	doc.reg10_applies = int(
		in_ks4 and bool(doc.disrupts_education) and (doc.reg10_exception or "None") == "None"
	)
	warning = _warning_for(doc, in_ks4)
	doc.reg10_warning = _(warning.message) if warning else ""


def _warning_for(move, in_ks4: bool):
	return reg10_warning(
		in_key_stage_4=in_ks4,
		care_placement_move=True,
		nominated_officer_approved=bool(move.nominated_officer_approved),
		designated_teacher_consulted=bool(move.designated_teacher_consulted),
		iro_consulted=bool(move.iro_consulted),
		exception=move.reg10_exception or "None",
		disrupts_education=bool(move.disrupts_education),
	)


def latest_move(child: str, on_or_before) -> dict | None:
	"""The child's care placement move nearest before ``on_or_before`` (else their latest one)."""
	fields = [
		"name",
		"move_date",
		"nominated_officer_approved",
		"designated_teacher_consulted",
		"iro_consulted",
		"reg10_exception",
		"disrupts_education",
	]
	for filters in (
		{"child": child, "move_date": ["<=", on_or_before]},
		{"child": child},
	):
		found = frappe.get_all(
			"Care Placement Move",
			filters=filters,
			fields=fields,
			order_by="move_date desc, creation desc",
			limit=1,
		)
		if found:
			return found[0]
	return None


def set_request_flags(request) -> None:
	"""School Place Request: a flag and a warning, never a block. ``reg10_required``: a care placement move
	of a key stage 4 pupil; ``reg10_satisfied``: the move's record shows approval and both consultations, or
	a reg 10(3) exception. Read with the system's rights: the flag must not depend on who saves."""
	request.reg10_required = int(request.reason == CARE_PLACEMENT_MOVE and request.key_stage == KEY_STAGE_4)
	request.care_placement_move = None
	request.reg10_warning = ""
	if request.reason != CARE_PLACEMENT_MOVE:
		request.reg10_satisfied = 1
		return
	move = latest_move(request.child, request.date_needed) if request.child else None
	if move:
		request.care_placement_move = move.name
		warning = _warning_for(move, request.key_stage == KEY_STAGE_4)
		request.reg10_warning = _(warning.message) if warning else ""
	elif request.reg10_required:
		request.reg10_warning = _(
			"No Care Placement Move is recorded for this child: record whether the nominated officer "
			"approved the move and the designated teacher and IRO were consulted, or the regulation 10(3) "
			"exception (CPPCR 2010 reg 10). This does not stop the search for a school place."
		)
	request.reg10_satisfied = int(not request.reg10_warning)
