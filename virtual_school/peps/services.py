"""Personal Education Plans on the site: every looked-after child's PEP obligation, the overdue sweep, the export.

The rules are ``virtual_school.domain.pep_obligation`` on ``pep_due_dates`` (no Frappe): started with the care
plan or within 10 working days of an emergency placement (CPPCR 2010 reg 4; ``Child.emergency_placement``),
ready for the first review 20 working days after entering care (reg 33), reviewed each school term and for
each statutory review (reg 33: 3 months after the first, then 6 months), and (a local rule, a setting) renewed
within N school days of a school move. The obligation belongs to the child, not to a PEP record: a child
looked after on the day (``children.vocabulary.looked_after_on``) with no PEP at all still has one, and one
who left care has none from the day they left. An obligation is met by a PEP meeting held by its due date.
"""

from datetime import date

import frappe
from frappe import _
from frappe.query_builder.functions import Max
from frappe.utils import formatdate, getdate, today
from frappe.utils.file_manager import save_file
from pypika.terms import ExistsCriterion

from virtual_school.calendar.clocks import get_school_calendar
from virtual_school.children.vocabulary import looked_after_on
from virtual_school.domain import pep_document, pep_due_dates, pep_obligation, pep_variants
from virtual_school.escalations.services import open_escalation, opened_names
from virtual_school.escalations.vocabulary import CLOSED
from virtual_school.peps.vocabulary import DONE_STATES
from virtual_school.shared import settings
from virtual_school.shared.documents import authority, pupil


def rules() -> pep_due_dates.PepRules:
	return pep_due_dates.PepRules(school_move_school_days=settings.get().pep_after_school_move_school_days)


CHUNK = 1000


def review_calendar():
	"""The site's calendar with half-terms joined: a PEP is reviewed once per full term."""
	return pep_due_dates.merge_half_terms(get_school_calendar())


def _chunks(names: list[str]):
	for start in range(0, len(names), CHUNK):
		yield names[start : start + CHUNK]


def looked_after_children(on_date: date, names: list[str] | None = None, scope=None) -> list[dict]:
	"""The children looked after on ``on_date`` (optionally only ``names``, or those a ``reports.caseload``
	criterion on the Child table admits), with what their PEP obligation needs."""
	child = frappe.qb.DocType("Child")
	condition = looked_after_on(child, on_date)
	in_scope = scope(child) if scope is not None else None
	if in_scope is not None:
		condition &= in_scope
	query = (
		frappe.qb.from_(child)
		.select(
			child.name,
			child.full_name,
			child.caseworker,
			child.current_school,
			child.current_school_name,
			child.date_entered_care,
			child.emergency_placement,
			child.date_left_care,
		)
		.orderby(child.full_name)
	)
	if names is None:
		return query.where(condition).run(as_dict=True)
	rows = []
	for chunk in _chunks(names):
		rows += query.where(condition & child.name.isin(chunk)).run(as_dict=True)
	return rows


def _grouped_max(doctype: str, field: str, names: list[str], on_date: date) -> dict:
	table = frappe.qb.DocType(doctype)
	found = {}
	for chunk in _chunks(names):
		found.update(
			frappe.qb.from_(table)
			.select(table.child, Max(table[field]))
			.where(table.child.isin(chunk) & (table[field] <= on_date))
			.groupby(table.child)
			.run()
		)
	return found


def _reviews(names: list[str], on_date: date) -> dict[str, list]:
	review = frappe.qb.DocType("Care Review")
	found: dict[str, list] = {}
	for chunk in _chunks(names):
		for parent, review_date in (
			frappe.qb.from_(review)
			.select(review.parent, review.review_date)
			.where(
				(review.parenttype == "Child")
				& (review.parentfield == "care_reviews")
				& review.parent.isin(chunk)
				& (review.review_date <= on_date)
			)
			.run()
		):
			found.setdefault(parent, []).append(getdate(review_date))
	return found


def obligations(children: list[dict], on_date: date) -> dict[str, pep_obligation.PepObligation]:
	"""Each child's PEP obligation on ``on_date`` (rows of ``looked_after_children``), set-based: one query
	per source (last PEP meeting held, last school move, statutory reviews), then the pure rule per child."""
	on_date = getdate(on_date)
	names = [row.name for row in children]
	if not names:
		return {}
	meetings = _grouped_max("Personal Education Plan", "meeting_date", names, on_date)
	moves = _grouped_max("Education Placement", "start_date", names, on_date)
	reviews = _reviews(names, on_date)
	calendar, pep_rules = review_calendar(), rules()
	return {
		row.name: pep_obligation.pep_obligation(
			on_date=on_date,
			date_entered_care=getdate(row.date_entered_care) if row.date_entered_care else None,
			emergency=bool(row.emergency_placement),
			last_pep_meeting_date=getdate(meetings[row.name]) if meetings.get(row.name) else None,
			last_school_move=getdate(moves[row.name]) if moves.get(row.name) else None,
			calendar=calendar,
			left_care_on=getdate(row.date_left_care) if row.date_left_care else None,
			review_dates=reviews.get(row.name, ()),
			rules=pep_rules,
		)
		for row in children
	}


def obligation_for(child: str, on_date: date | None = None) -> pep_obligation.PepObligation | None:
	"""The child's PEP obligation on ``on_date`` (today by default): the next due and those missed; None
	when the child is not looked after on the day (no statutory PEP)."""
	on_date = getdate(on_date or today())
	return obligations(looked_after_children(on_date, [child]), on_date).get(child)


def next_due_for(child: str, on_date: date | None = None) -> pep_due_dates.DueDate | None:
	"""The obligation a new PEP (its meeting on ``on_date``) is due for: the next one that can still be met.

	Never a missed one (issue #21: a new PEP for a child whose initial PEP was missed in 2022 was "due
	10-10-2022", overdue the moment it was made); the missed ones stay missed (``obligation_for``,
	shown on the form by ``shared.next_step``). None when the
	child is not looked after on the day or the calendar cannot date it."""
	found = obligation_for(child, on_date)
	return pep_obligation.due_for_new_pep(found) if found else None


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
	) + escalate_children_without_pep(on_date)


# New missing-PEP escalations opened per daily run, the longest overdue first: the first run after an upgrade
# (or an import of children the team has not met) would otherwise open one per child in one morning and
# flood the level-1 holders; the PEPs Due report lists every child without a PEP at once.
MISSING_PEP_ESCALATIONS_PER_DAY = 100


def escalate_children_without_pep(on_date: date, scope=None) -> list[str]:
	"""One open escalation on each looked-after child with no PEP record at all whose first obligation has
	passed (the child's, not a record's: issue #18). Keyed by that due date, so once per child until a PEP
	meeting is held; at most ``MISSING_PEP_ESCALATIONS_PER_DAY`` new ones a day, the longest overdue first.
	``scope`` (a criterion on the Child table, as ``looked_after_children`` takes) narrows the children: the
	daily job takes them all."""
	pep = frappe.qb.DocType("Personal Education Plan")

	def without_any_pep(child):
		criterion = ~ExistsCriterion(frappe.qb.from_(pep).select(pep.name).where(pep.child == child.name))
		narrowed = scope(child) if scope is not None else None
		return criterion if narrowed is None else criterion & narrowed

	children = looked_after_children(on_date, scope=without_any_pep)
	found = obligations(children, on_date)
	escalation = frappe.qb.DocType("Escalation")
	already = set(
		frappe.qb.from_(escalation)
		.select(escalation.reference_name)
		.where(
			(escalation.reference_doctype == "Child")
			& escalation.trigger_key.like("pep-missing:%")
			& (escalation.status != CLOSED)
		)
		.run(pluck=True)
	)
	children = sorted(
		(row for row in children if found[row.name].missed and row.name not in already),
		key=lambda row: (found[row.name].missed[0].due, row.name),
	)[:MISSING_PEP_ESCALATIONS_PER_DAY]
	return opened_names(
		open_escalation(
			"Child",
			row.name,
			_("{0} has no PEP: one was due on {1} ({2}).").format(
				row.full_name, formatdate(found[row.name].missed[0].due), _(found[row.name].missed[0].rule)
			),
			on_date,
			f"pep-missing:{row.name}:{found[row.name].missed[0].due}",
		)
		for row in children
		if found[row.name].missed
	)


@frappe.whitelist()
def _statutory_content(plan) -> tuple[tuple[str, str], ...]:
	"""CPPCR 2010 Sch 1 para 2 as the export prints it, labels and choices translated (attendance has its own
	section)."""
	rows = []
	for fieldname, label in pep_variants.STATUTORY_CONTENT.items():
		if fieldname == "attendance_percent":
			continue
		value = plan.get(fieldname) or ""
		if value and plan.meta.get_field(fieldname).fieldtype == "Select":
			value = _(value)
		rows.append((_(label), value))
	return tuple(rows)


def export_pep(name: str) -> dict:
	"""Write the PEP as .docx (child by initials) and attach it, private, to the PEP."""
	plan = frappe.get_doc("Personal Education Plan", name)
	plan.check_permission("read")
	# a value that is not a variant (written past validation) prints no variant part rather than failing
	variant = plan.pep_variant if plan.pep_variant in {v.value for v in pep_variants.PepVariant} else ""
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
		no_views_reason=(
			" ".join(filter(None, (_(plan.no_views_reason), plan.no_views_detail)))
			if plan.no_views_reason
			else ""
		),
		attendance_percent=plan.attendance_percent,
		statutory_content=_statutory_content(plan),
		variant=variant,
		# the variant's own part only (an early years or post-16 PEP): a school-age PEP prints neither
		early_years=_early_years_part(plan) if variant == pep_variants.PepVariant.EARLY_YEARS.value else None,
		post_16=_post_16_part(plan) if variant == pep_variants.PepVariant.POST_16.value else None,
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
		qa_voice_rating=plan.qa_voice_rating or "",
		qa_comments=plan.qa_comments or "",
	)
	try:
		content = pep_document.pep_document(authority(), pupil(plan.child, plan.name), export)
	except ValueError as error:
		frappe.throw(_("The PEP cannot be exported yet: {0}").format(error), title=_("Export Not Ready"))
	saved = save_file(f"{plan.name}-{today()}.docx", content, plan.doctype, plan.name, is_private=1)
	return {"file_url": saved.file_url, "file": saved.name}


def _early_years_part(plan) -> pep_document.EarlyYearsPart:
	return pep_document.EarlyYearsPart(
		setting_type=_(plan.ey_setting_type) if plan.ey_setting_type else "",
		setting_name=plan.ey_setting_name or "",
		eypp_claimed=bool(plan.eypp_claimed),
		eypp_amount=plan.eypp_amount if plan.eypp_claimed and plan.eypp_amount else None,
		eypp_use=plan.eypp_use or "",
		goals=tuple(
			pep_document.EarlyLearningGoalRow(
				_(row.area), _(row.goal), _(row.judgement) if row.judgement else "", row.next_steps or ""
			)
			for row in plan.early_learning_goals
		),
	)


def _post_16_part(plan) -> pep_document.Post16Part:
	return pep_document.Post16Part(
		course=plan.post16_course or "",
		provider=plan.post16_provider or "",
		bursary_status=_(plan.bursary_status) if plan.bursary_status else "",
		neet_risk=_(plan.neet_risk) if plan.neet_risk else "",
		neet_risk_detail=plan.neet_risk_detail or "",
		next_step_plans=plan.next_step_plans or "",
		aims=tuple(
			pep_document.QualificationAimRow(
				row.qualification,
				_(row.level) if row.level else "",
				row.predicted_grade or "",
				row.target_grade or "",
			)
			for row in plan.qualification_aims
		),
	)


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
