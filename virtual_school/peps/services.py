"""Personal Education Plans on the site: due dates from the child's records, the overdue sweep, the export.

The rules are ``virtual_school.domain.pep_due_dates`` (no Frappe): started with the care plan or within 10
working days of an emergency placement, ready for the first review 20 working days after entering care,
reviewed each school term, and (a local rule, a setting) renewed within N school days of a school move.
"""

from datetime import date

import frappe
from frappe import _
from frappe.query_builder.functions import Coalesce, Max
from frappe.utils import formatdate, getdate, today
from frappe.utils.file_manager import save_file
from pypika.terms import ExistsCriterion

from virtual_school.calendar.clocks import get_school_calendar
from virtual_school.domain import pep_document, pep_due_dates
from virtual_school.escalations.services import open_escalation, opened_names
from virtual_school.escalations.vocabulary import CLOSED
from virtual_school.peps.vocabulary import DONE_STATES
from virtual_school.shared import settings
from virtual_school.shared.documents import authority, pupil


def rules() -> pep_due_dates.PepRules:
	return pep_due_dates.PepRules(school_move_school_days=settings.get().pep_after_school_move_school_days)


def next_due_for(child: str, on_date: date | None = None) -> pep_due_dates.DueDate | None:
	"""The child's next PEP obligation, from their care dates, last completed PEP and last school move."""
	on_date = getdate(on_date or today())
	entered_care = frappe.db.get_value("Child", child, "date_entered_care")
	pep = frappe.qb.DocType("Personal Education Plan")
	placement = frappe.qb.DocType("Education Placement")
	last_pep = (
		frappe.qb.from_(pep)
		.select(Max(Coalesce(pep.meeting_date, pep.completed_on)))
		.where((pep.child == child) & pep.workflow_state.isin(DONE_STATES))
		.run()[0][0]
	)
	last_move = (
		frappe.qb.from_(placement)
		.select(Max(placement.start_date))
		.where((placement.child == child) & (placement.start_date <= on_date))
		.run()[0][0]
	)
	return pep_due_dates.next_pep_due(
		date_entered_care=getdate(entered_care) if entered_care else None,
		emergency=False,
		last_pep_date=getdate(last_pep) if last_pep else None,
		last_school_move=getdate(last_move) if last_move else None,
		# Terms are stored as half-terms; a PEP is reviewed once per full term.
		calendar=pep_due_dates.merge_half_terms(get_school_calendar()),
		on_date=on_date,
		rules=rules(),
	)


def escalate_overdue_peps(on_date: date | str | None = None) -> list[str]:
	"""Daily: one open escalation for each PEP past its due date and not yet approved (idempotent)."""
	on_date = getdate(on_date or today())
	pep = frappe.qb.DocType("Personal Education Plan")
	escalation = frappe.qb.DocType("Escalation")
	open_one = (
		frappe.qb.from_(escalation)
		.select(escalation.name)
		.where(
			(escalation.reference_doctype == "Personal Education Plan")
			& (escalation.reference_name == pep.name)
			& (escalation.status != CLOSED)
		)
	)
	overdue = (
		frappe.qb.from_(pep)
		.select(pep.name, pep.child_name, pep.due_date)
		.where(pep.workflow_state.notin(DONE_STATES) & (pep.due_date < on_date) & ~ExistsCriterion(open_one))
		.run(as_dict=True)
	)
	return opened_names(
		open_escalation(
			"Personal Education Plan",
			row.name,
			_("The PEP for {0} was due on {1} and is not approved.").format(
				row.child_name, formatdate(row.due_date)
			),
			on_date,
			f"pep-overdue:{row.name}:{on_date}",
		)
		for row in overdue
	)


@frappe.whitelist()
def export_pep(name: str) -> dict:
	"""Write the PEP as .docx (child by initials) and attach it, private, to the PEP."""
	plan = frappe.get_doc("Personal Education Plan", name)
	plan.check_permission("read")
	export = pep_document.PepExport(
		school_name=plan.school_name or "",
		academic_year=plan.academic_year or "",
		term=plan.term or "",
		meeting_date=getdate(plan.meeting_date) if plan.meeting_date else None,
		due_date=getdate(plan.due_date) if plan.due_date else None,
		designated_teacher=plan.designated_teacher or "",
		social_worker=plan.social_worker or "",
		carer=_("Contributed") if plan.carer_attended else "",
		child_views=plan.child_views or "",
		attendance_percent=plan.attendance_percent,
		targets=tuple(
			pep_document.PepTarget(
				row.area,
				row.target or "",
				row.success_measure or "",
				bool(row.pp_plus_funded),
				row.progress_rag or "",
			)
			for row in plan.targets
		),
		attainment=tuple(
			pep_document.AttainmentRow(row.subject, row.current or "", row.target or "")
			for row in plan.attainment
		),
		qa_rating=plan.qa_rating or "",
		qa_comments=plan.qa_comments or "",
	)
	try:
		content = pep_document.pep_document(authority(), pupil(plan.child, plan.name), export)
	except ValueError as error:
		frappe.throw(_("The PEP cannot be exported yet: {0}").format(error), title=_("Export Not Ready"))
	saved = save_file(f"{plan.name}-{today()}.docx", content, plan.doctype, plan.name, is_private=1)
	return {"file_url": saved.file_url, "file": saved.name}


@frappe.whitelist()
def attainment_history(child: str) -> list[dict]:
	"""Attainment per subject, PEP by PEP (oldest first), for the Child form's progress table."""
	frappe.has_permission("Child", "read", child, throw=True)
	pep = frappe.qb.DocType("Personal Education Plan")
	row = frappe.qb.DocType("PEP Attainment")
	return (
		frappe.qb.from_(pep)
		.join(row)
		.on((row.parent == pep.name) & (row.parenttype == "Personal Education Plan"))
		.select(
			pep.name.as_("pep"),
			pep.academic_year,
			pep.term,
			pep.workflow_state,
			row.subject,
			row.current,
			row.target,
		)
		.where(pep.child == child)
		.orderby(pep.due_date)
		.orderby(row.idx)
		.run(as_dict=True)
	)
