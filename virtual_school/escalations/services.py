"""Escalations: who holds one at each level, and the daily sweep that opens and raises them.

The ladder itself (levels, when to raise) is ``virtual_school.domain.escalation_ladder``. Manual raises
and the sweep both go through the Escalation workflow (``workflows/escalation.json``), so they keep the
same transitions, log and assignments. The sweep selects its work with set-based queries and is
idempotent: run twice the same day, it opens and raises nothing more.
"""

from datetime import date

import frappe
from frappe import _
from frappe.desk.form.assign_to import notify_assignment
from frappe.model.workflow import apply_workflow
from frappe.utils import getdate, today
from pypika.terms import ExistsCriterion

from virtual_school.admissions.place_requests import refresh_place_request_clocks
from virtual_school.admissions.vocabulary import AWAITING, OPEN_STATES
from virtual_school.domain import escalation_ladder
from virtual_school.domain.in_year_outcome import OUTCOME_SCHOOL_DAYS
from virtual_school.escalations.vocabulary import CLOSED, ESCALATABLE, OPEN
from virtual_school.setup import roles
from virtual_school.shared import settings


def holder_for(level: int, child: str | None) -> str | None:
	"""The user who holds an escalation at ``level`` for ``child``."""
	holders = settings.get()
	if level == 1:
		caseworker = child and frappe.db.get_value("Child", child, "caseworker")
		return caseworker or holder_for(2, child)
	if level == 2:
		return (
			holders.escalation_manager
			or first_user_with_role(roles.VIRTUAL_SCHOOL_MANAGER)
			or holder_for(3, child)
		)
	if level == 3:
		return holders.escalation_head or first_user_with_role(roles.VIRTUAL_SCHOOL_HEAD)
	return holders.escalation_director or holder_for(3, child)


def first_user_with_role(role: str) -> str | None:
	user = frappe.qb.DocType("User")
	has_role = frappe.qb.DocType("Has Role")
	found = (
		frappe.qb.from_(user)
		.join(has_role)
		.on((has_role.parent == user.name) & (has_role.parenttype == "User"))
		.select(user.name)
		.where((has_role.role == role) & (user.enabled == 1) & (user.name.notin(["Administrator", "Guest"])))
		.orderby(user.creation)
		.limit(1)
		.run(pluck=True)
	)
	return found[0] if found else None


def open_escalation(
	reference_doctype: str,
	reference_name: str,
	reason: str,
	on_date: date | None = None,
	trigger_key: str | None = None,
):
	"""Open a level-1 escalation on a record (as the current user).

	A scheduled job passes ``trigger_key``, naming the concern (unique on Escalation): if another run of
	the job opened it meanwhile, even at the same moment from another worker, this returns None instead.
	"""
	doc = frappe.get_doc(
		{
			"doctype": "Escalation",
			"reference_doctype": reference_doctype,
			"reference_name": reference_name,
			"reason": reason,
			"trigger_key": trigger_key,
		}
	)
	doc.flags.on_date = on_date
	if not trigger_key:
		return doc.insert(ignore_permissions=True)
	# The unique index on trigger_key is the guard: a run that read before the other committed (its
	# REPEATABLE READ snapshot, taken at its first read, does not show the other's escalation, even after
	# a lock) inserts, and the index refuses it. The check below only spares the usual case an error.
	if frappe.db.exists("Escalation", {"trigger_key": trigger_key}):
		return None
	frappe.db.savepoint("open_escalation")
	try:
		return doc.insert(ignore_permissions=True)
	except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
		frappe.db.rollback(save_point="open_escalation")
		frappe.clear_messages()
		return None


@frappe.whitelist(methods=["POST"])
def raise_escalation(reference_doctype: str, reference_name: str, reason: str) -> str:
	"""The desk's "Raise Escalation" button (PP Plus Claim, Exclusion): a manual level-1 escalation on a
	record. ``open_escalation`` inserts with ``ignore_permissions`` (the daily jobs need it), so a request
	reaching it must first show that the user may create escalations (Finance may not) and may read the
	record: a caseworker escalates only their caseload's records. The child comes from the record
	(``Escalation.validate_reference``), never from the request."""
	frappe.has_permission("Escalation", "create", throw=True)
	if (
		reference_doctype not in ESCALATABLE
		or not frappe.db.exists(reference_doctype, reference_name)
		or not frappe.has_permission(reference_doctype, "read", reference_name)
	):
		frappe.throw(
			_("You cannot escalate {0} {1}.").format(_(reference_doctype), reference_name),
			exc=frappe.PermissionError,
		)
	if not (reason or "").strip():
		frappe.throw(_("Give the reason for the escalation."), title=_("Reason Required"))
	return open_escalation(reference_doctype, reference_name, reason.strip()).name


def opened_names(escalations) -> list[str]:
	"""Names of the escalations a job opened (those another run opened first are None)."""
	return [doc.name for doc in escalations if doc]


def run_daily_sweep(on_date: date | str | None = None) -> dict:
	"""Daily job: refresh place-request clocks, open escalations for overdue requests, raise overdue ones,
	and flag schools that have not answered by the 15-school-day outcome date."""
	on_date = getdate(on_date or today())
	refresh_place_request_clocks(on_date)
	opened = open_escalations_for_overdue_place_requests(on_date)
	raised = raise_overdue_escalations(on_date)
	late_answers = flag_late_answers(on_date)
	return {"opened": opened, "raised": raised, "late_answers": late_answers}


def flag_late_answers(on_date: date) -> list[str]:
	"""Every School Place Approach still awaiting an answer after its outcome date (15 school days, School
	Admissions Code 2021; ``domain.in_year_outcome``) on an open request: one ToDo to the request's
	caseworker, once per approach. The approach's ``late_answer_flagged_on`` is claimed with a conditional
	update first, so two sweeps (or two workers) never notify twice."""
	approach = frappe.qb.DocType("School Place Approach")
	request = frappe.qb.DocType("School Place Request")
	late = (
		frappe.qb.from_(approach)
		.join(request)
		.on((approach.parent == request.name) & (approach.parenttype == "School Place Request"))
		.select(
			approach.name,
			approach.school,
			approach.school_name,
			approach.date_asked,
			approach.outcome_due,
			request.name.as_("request"),
			request.child,
			request.child_name,
		)
		.where(
			request.workflow_state.isin(OPEN_STATES)
			& (approach.response == AWAITING)
			& approach.outcome_due.isnotnull()
			& (approach.outcome_due < on_date)
			& approach.late_answer_flagged_on.isnull()
		)
		.orderby(approach.outcome_due)
		.run(as_dict=True)
	)
	flagged = []
	for row in late:
		frappe.db.sql(
			"""update `tabSchool Place Approach` set late_answer_flagged_on = %s
			where name = %s and late_answer_flagged_on is null""",
			(on_date, row.name),
		)
		if not frappe.db._cursor.rowcount:
			continue  # another sweep claimed it first
		owner = holder_for(1, row.child)
		if owner:
			todo = frappe.get_doc(
				{
					"doctype": "ToDo",
					"allocated_to": owner,
					"reference_type": "School Place Request",
					"reference_name": row.request,
					"date": on_date,
					"priority": "High",
					"description": _(
						"{0} has not answered the request for {1} made on {2}: the outcome was due by {3} "
						"({4} school days, School Admissions Code 2021). Chase the school or escalate."
					).format(
						row.school_name or row.school,
						row.child_name or row.child,
						frappe.utils.formatdate(row.date_asked),
						frappe.utils.formatdate(row.outcome_due),
						OUTCOME_SCHOOL_DAYS,
					),
				}
			).insert(ignore_permissions=True)
			# a ToDo inserted directly reaches no bell: notify as Frappe's assign_to.add does (issue #21)
			notify_assignment(
				frappe.session.user,
				owner,
				todo.reference_type,
				todo.reference_name,
				"ASSIGN",
				todo.description,
			)
		flagged.append(row.name)
	return flagged


def open_escalations_for_overdue_place_requests(on_date: date) -> list[str]:
	request = frappe.qb.DocType("School Place Request")
	escalation = frappe.qb.DocType("Escalation")
	already_escalated = (
		frappe.qb.from_(escalation)
		.select(escalation.name)
		.where(
			(escalation.reference_doctype == "School Place Request")
			& (escalation.reference_name == request.name)
			& (escalation.status != CLOSED)
		)
	)
	overdue = (
		frappe.qb.from_(request)
		.select(request.name, request.child_name, request.days_without_place, request.target_date)
		.where(
			request.workflow_state.isin(OPEN_STATES)
			& request.target_date.isnotnull()
			& (request.target_date < on_date)
			& ~ExistsCriterion(already_escalated)
		)
		.run(as_dict=True)
	)
	opened = []
	for row in overdue:
		reason = _(
			"{0} has been without a school place for {1} school days; the target date was {2}."
		).format(row.child_name, row.days_without_place, frappe.utils.formatdate(row.target_date))
		opened.append(
			open_escalation(
				"School Place Request", row.name, reason, on_date, f"place-request:{row.name}:{on_date}"
			)
		)
	return opened_names(opened)


def raise_overdue_escalations(on_date: date) -> list[str]:
	escalation = frappe.qb.DocType("Escalation")
	candidates = (
		frappe.qb.from_(escalation)
		.select(escalation.name, escalation.level, escalation.due_date, escalation.last_raised_on)
		.where(
			(escalation.status == OPEN)
			& (escalation.level < escalation_ladder.TOP_LEVEL)
			& (escalation.due_date < on_date)
			& (escalation.last_raised_on.isnull() | (escalation.last_raised_on < on_date))
		)
		.run(as_dict=True)
	)
	raised = []
	for row in candidates:
		if not escalation_ladder.should_raise(row.level, getdate(row.due_date), row.last_raised_on, on_date):
			continue
		doc = frappe.get_doc("Escalation", row.name, for_update=True)
		# Another run may have raised it while this one waited for the row lock: decide again.
		if doc.status != OPEN or not escalation_ladder.should_raise(
			doc.level, getdate(doc.due_date), doc.last_raised_on and getdate(doc.last_raised_on), on_date
		):
			continue
		doc.flags.on_date = on_date
		doc.flags.note = _("Raised by the daily sweep: due {0}.").format(
			frappe.utils.formatdate(row.due_date)
		)
		apply_workflow(doc, "Raise")
		raised.append(row.name)
	return raised
