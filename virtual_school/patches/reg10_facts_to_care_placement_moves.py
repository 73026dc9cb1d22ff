"""Issue #18 item 6: CPPCR 2010 reg 10 facts move from the School Place Request to a Care Placement Move.

Until #18 a request with the reason "Care placement move" held reg 10 itself: ``nominated_officer`` (a
User), ``reg10_approved_on``, ``designated_teacher_consulted`` and ``iro_consulted``; ``reg10_satisfied``
was true when all were recorded. Reg 10 gates social care's move, not the school place, so the facts now
live on the child's *Care Placement Move* (``admissions.reg10``), and the request's old fields are hidden
and read-only. Without this patch every request recorded the old way would show "No Care Placement Move is
recorded" and a reg 10 flag in *Children Without a School Place*, although the approval was recorded.

For each such request with any old fact and no linked move, one Care Placement Move is written for the child
on the request's Date Needed (the move that made a new school necessary), disrupting education (the old
model asked for reg 10 only then), no reg 10(3) exception (the old model had none): the nominated officer's
name, approved when an approval date was recorded, and both consultations as recorded. An existing move of
the child on that day is linked instead. Then the request's flags are worked out again. Idempotent: a
request with a linked move is not read again.
"""

import frappe
from frappe.utils import getdate

from virtual_school.admissions import reg10

# Care Placement Move.reg10_exception: the old model had no exception
NO_EXCEPTION = "None"
REQUEST_FLAGS = ("care_placement_move", "reg10_required", "reg10_satisfied", "reg10_warning")


def execute():
	move_request_reg10_facts()


def move_request_reg10_facts() -> list[str]:
	"""Write a Care Placement Move for each request that holds reg 10 facts the old way; returns the moves
	written (not those linked)."""
	request = frappe.qb.DocType("School Place Request")
	rows = (
		frappe.qb.from_(request)
		.select(
			request.name,
			request.child,
			request.date_needed,
			request.nominated_officer,
			request.reg10_approved_on,
			request.designated_teacher_consulted,
			request.iro_consulted,
		)
		.where(request.reason == reg10.CARE_PLACEMENT_MOVE)
		.where(request.care_placement_move.isnull() | (request.care_placement_move == ""))
		.where(
			(request.nominated_officer.notnull() & (request.nominated_officer != ""))
			| request.reg10_approved_on.notnull()
			| (request.designated_teacher_consulted == 1)
			| (request.iro_consulted == 1)
		)
		.where(request.child.notnull() & request.date_needed.notnull())
		.run(as_dict=True)
	)
	written = []
	for row in rows:
		move_date = getdate(row.date_needed)
		existing = frappe.db.get_value("Care Placement Move", {"child": row.child, "move_date": move_date})
		if not existing:
			move = frappe.get_doc(
				{
					"doctype": "Care Placement Move",
					"child": row.child,
					"move_date": move_date,
					"disrupts_education": 1,
					"reg10_exception": NO_EXCEPTION,
					"nominated_officer": _officer_name(row.nominated_officer),
					"nominated_officer_approved": int(bool(row.reg10_approved_on)),
					"approved_on": row.reg10_approved_on,
					"designated_teacher_consulted": int(bool(row.designated_teacher_consulted)),
					"iro_consulted": int(bool(row.iro_consulted)),
					"notes": f"Reg 10 record moved from School Place Request {row.name} (recorded there before "
					"Care Placement Move existed).",
				}
			)
			move.insert(ignore_permissions=True)
			written.append(move.name)
		doc = frappe.get_doc("School Place Request", row.name)
		reg10.set_request_flags(doc)
		frappe.db.set_value(
			"School Place Request",
			row.name,
			{field: doc.get(field) for field in REQUEST_FLAGS},
			update_modified=False,
		)
	return written


def _officer_name(user: str | None) -> str:
	"""The old field linked a User; the new one holds a name (the officer is often not a user of the app)."""
	if not user:
		return ""
	return frappe.db.get_value("User", user, "full_name") or user
