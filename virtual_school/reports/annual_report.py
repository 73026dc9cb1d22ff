"""The Virtual School Head's annual report for an academic year: figures gathered set-based, written as .docx.

The document itself is ``virtual_school.domain.annual_report`` (no Frappe); this module only gathers the
aggregates (one grouped query per topic, no child-level data) and attaches the result.
"""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

import frappe
from frappe import _
from frappe.model.workflow import get_workflow_name
from frappe.query_builder.functions import Count
from frappe.utils import getdate, today
from frappe.utils.file_manager import save_file
from pypika import Table
from pypika.terms import Field

from virtual_school.admissions.vocabulary import PLACED
from virtual_school.attendance.services import TOTALS
from virtual_school.attendance.vocabulary import persistently_absent, severely_absent
from virtual_school.children.vocabulary import (
	ACTIVE,
	CLOSED,
	LEFT_CARE,
	LOOKED_AFTER,
	NOT_OF_SCHOOL_AGE,
	cohort_on,
	looked_after_on,
	looked_after_without_a_school_place,
	of_school_age,
	on_roll_on,
	to_sql,
)
from virtual_school.domain import outcomes, pp_plus_budget, school_days
from virtual_school.domain.annual_report import AnnualReportFigures, annual_report
from virtual_school.peps.vocabulary import DONE_STATES as PEP_DONE_STATES
from virtual_school.peps.vocabulary import has_voice, held_on_time
from virtual_school.permissions import require_roles
from virtual_school.pp_plus.vocabulary import ALLOCATED_KEY_STAGES, APPROVED, COMMITTED_STATES, PAID
from virtual_school.shared import settings
from virtual_school.shared.documents import authority

# a school move is the looked-after cohort's when the child was looked after on the day the placement began
_LOOKED_AFTER_WHEN_MOVED = to_sql(
	looked_after_on(Table("tabChild").as_("c"), Table("tabEducation Placement").as_("p").start_date)
)
# the year's absence bands per child, over the derived table's possible and attended sessions
_PERSISTENT = to_sql(persistently_absent(Field("possible"), Field("attended")))
_SEVERE = to_sql(severely_absent(Field("possible"), Field("attended")))


def _grouped(sql: str, params: dict) -> dict:
	return {key if key is not None else _("Not set"): value for key, value in frappe.db.sql(sql, params)}


def _one(sql: str, params: dict):
	return frappe.db.sql(sql, params)[0][0] or 0


def counted_on(academic_year: str, generated_on: date) -> date:
	"""The day the cohort figures are "as on": the day the report is generated, or the academic year's last
	day when that is earlier (a past year is counted as it was then, not as today, issue #23)."""
	return min(school_days.academic_year_bounds(academic_year)[1], generated_on)


def gather_figures(academic_year: str):
	"""The year's figures. "Looked after" is on ``counted_on`` (for cohort counts and children owed a PEP): a
	child who left care before it is not counted, one who came into care after it neither
	(``children.vocabulary.looked_after_on``, issue #18). For a past year every cohort figure reads the
	records as they were on its last day (care dates, placements on roll, the case's status history, date
	of birth for the key stage), not today's derived fields (``_cohort_then``)."""
	start, end = school_days.academic_year_bounds(academic_year)
	generated_on = getdate(today())
	on = counted_on(academic_year, generated_on)
	# the looked-after cohort on that day, as SQL on `tabChild` (the date is the code's, not a user's)
	lac_now = to_sql(looked_after_on(Table("tabChild"), on))
	funding_year = pp_plus_budget.financial_year_of(start)
	params = {
		"start": start,
		"end": end,
		"lac": LOOKED_AFTER,
		"stages": ALLOCATED_KEY_STAGES,  # PP+: looked-after children of Reception to Year 11
		"active": ACTIVE,
		"placed": PLACED,
		"pep_done": PEP_DONE_STATES,
		"fy": funding_year,
		"committed": COMMITTED_STATES,
	}
	placed_days = [
		row[0]
		for row in frappe.db.sql(
			"""select days_without_place from `tabSchool Place Request`
			where workflow_state = %(placed)s and date_needed between %(start)s and %(end)s""",
			params,
		)
	]
	allocation = frappe.db.get_value("PP Plus Funding Year", funding_year, "per_child_allocation") or 0
	if on < generated_on:
		cohort = _cohort_then(on, start, end)
	else:
		cohort = _cohort_now(lac_now, on, start, end, params)
	claims = _grouped(
		"""select workflow_state, sum(amount) from `tabPP Plus Claim`
		where funding_year = %(fy)s and workflow_state in %(committed)s group by workflow_state""",
		params,
	)
	qa = _grouped(
		"""select coalesce(nullif(qa_rating, ''), 'Not rated'), count(*) from `tabPersonal Education Plan`
		where due_date between %(start)s and %(end)s and workflow_state in %(pep_done)s group by 1""",
		params,
	)
	return AnnualReportFigures(
		academic_year=academic_year,
		pp_plus_funding_year=funding_year,
		generated_on=generated_on,
		counted_on=on,
		suppress_below=settings.value("suppress_counts_below"),
		outcomes=gather_outcomes(academic_year, generated_on),
		cohort_by_type=cohort["cohort_by_type"],
		looked_after_by_key_stage=cohort["looked_after_by_key_stage"],
		out_of_authority=cohort["out_of_authority"],
		sen_support=cohort["sen_support"],
		ehc_plans=cohort["ehc_plans"],
		# a move counts when the child was looked after on the day the new placement started (a child who
		# left care is counted for moves made while in care, not for later ones)
		school_moves=_one(
			f"""select count(*) from `tabEducation Placement` p join `tabChild` c on c.name = p.child
			where p.start_date between %(start)s and %(end)s
			and {_LOOKED_AFTER_WHEN_MOVED}""",
			params,
		),
		children_without_place_now=cohort["without_place"],
		place_requests=_one(
			"select count(*) from `tabSchool Place Request` where date_needed between %(start)s and %(end)s",
			params,
		),
		placed=len(placed_days),
		median_school_days_to_place=float(median(placed_days)) if placed_days else None,
		refusals=_one(
			"""select count(*) from `tabSchool Place Approach`
			where response = 'Refused' and date_asked between %(start)s and %(end)s""",
			params,
		),
		directions=_one(
			"""select count(*) from `tabSchool Place Request`
			where direction_notice_on between %(start)s and %(end)s""",
			params,
		),
		secretary_of_state_referrals=_one(
			"""select count(*) from `tabSchool Place Request`
			where secretary_of_state_referred_on between %(start)s and %(end)s""",
			params,
		),
		peps_due=_one(
			"select count(*) from `tabPersonal Education Plan` where due_date between %(start)s and %(end)s",
			params,
		)
		+ cohort["without_pep"],
		peps_on_time=_peps_on_time(start, end),
		pep_qa=qa,
		peps_with_voice=_peps_with_voice(start, end),
		pep_voice_qa=_grouped(
			"""select coalesce(nullif(qa_voice_rating, ''), 'Not rated'), count(*)
			from `tabPersonal Education Plan`
			where due_date between %(start)s and %(end)s and workflow_state in %(pep_done)s group by 1""",
			params,
		),
		pp_plus_allocated=Decimal(str(allocation)) * cohort["school_age_lac"],
		pp_plus_approved=Decimal(str(claims.get(APPROVED, 0))),
		pp_plus_paid=Decimal(str(claims.get(PAID, 0))),
		pp_plus_by_category={
			key: Decimal(str(value))
			for key, value in _grouped(
				"""select category, sum(amount) from `tabPP Plus Claim`
				where funding_year = %(fy)s and workflow_state in %(committed)s group by category""",
				params,
			).items()
		},
		suspensions=_one(
			"""select count(*) from `tabExclusion` where exclusion_type = 'Suspension'
			and start_date between %(start)s and %(end)s""",
			params,
		),
		suspension_days=int(
			_one(
				"""select sum(school_days) from `tabExclusion` where exclusion_type = 'Suspension'
				and start_date between %(start)s and %(end)s""",
				params,
			)
		),
		permanent_exclusions=_one(
			"""select count(*) from `tabExclusion` where exclusion_type = 'Permanent exclusion'
			and start_date between %(start)s and %(end)s""",
			params,
		),
		exclusions_by_cohort=_grouped(
			"""select cohort, count(*) from `tabExclusion` where start_date between %(start)s and %(end)s
			group by cohort""",
			params,
		),
		attendance_by_cohort=attendance_by_cohort(academic_year, on),
		escalations_opened=_one(
			"select count(*) from `tabEscalation` where opened_on between %(start)s and %(end)s", params
		),
		escalations_by_level={
			int(level): count
			for level, count in frappe.db.sql(
				"""select level, count(*) from `tabEscalation` where opened_on between %(start)s and %(end)s
				group by level""",
				params,
			)
		},
	)


def _cohort_now(lac_now: str, on: date, start: date, end: date, params: dict) -> dict:
	"""This year's cohort figures from today's records and derived fields (status, key stage, current
	school): the same rules as the workspace cards and daily reports."""
	return {
		"cohort_by_type": _grouped(
			# a child who left care (not to a previously looked-after order) keeps their last cohort: left out
			f"""select cohort, count(*) from `tabChild` where status = %(active)s
			and (cohort != %(lac)s or {lac_now}) group by cohort""",
			params,
		),
		"looked_after_by_key_stage": _grouped(
			f"""select key_stage, count(*) from `tabChild` where {lac_now} and status = %(active)s
			group by key_stage""",
			params,
		),
		"out_of_authority": _one(
			f"select count(*) from `tabChild` where {lac_now} and status = %(active)s and out_of_authority = 1",
			params,
		),
		"sen_support": _one(
			f"""select count(*) from `tabChild` where {lac_now} and status = %(active)s
			and sen_provision = 'SEN support'""",
			params,
		),
		"ehc_plans": _one(
			f"""select count(*) from `tabChild` where {lac_now} and status = %(active)s
			and sen_provision = 'EHC plan'""",
			params,
		),
		# the one "without a school place" (children.vocabulary, issue #21): what the workspace card counts
		# and the daily "Children Without a School Place" report lists for the Looked After cohort
		"without_place": _one(
			f"""select count(*) from `tabChild`
			where {to_sql(looked_after_without_a_school_place(Table("tabChild"), on))}""",
			params,
		),
		"without_pep": _children_without_pep(start, end, on),
		"school_age_lac": _one(
			f"""select count(*) from `tabChild` where {lac_now} and status = %(active)s
			and key_stage in %(stages)s""",
			params,
		),
	}


def _cohort_then(on: date, start: date, end: date) -> dict:
	"""A past year's cohort figures as they were on ``on`` (its last day), from dated records only: children
	looked after that day (care dates), whose case was not closed that day (the last
	workflow state in the status history on or before it: ``Child.status`` is today's), key stage from the
	date of birth on that day, a school place from the placements on roll that day, a PEP due in the year.
	Out of authority and SEN provision have no history: they are today's values for the children of then
	(the report says so). One grouped query; the groups are dates of birth and flags, never a child."""
	child = Table("tabChild").as_("c")
	day_after = on + timedelta(days=1)
	case_states = frappe.get_all(
		"Workflow Document State", filters={"parent": get_workflow_name("Child")}, pluck="state"
	) or [ACTIVE, CLOSED]
	placement = Table("tabEducation Placement").as_("p")
	params = {
		"on": on,
		"day_after": day_after,
		"start": start,
		"end": end,
		"lac": LOOKED_AFTER,
		"left_care": LEFT_CARE,
		"active": ACTIVE,
		"closed": CLOSED,
		"case_states": tuple(case_states),
	}
	# the case's workflow state on the day: the last state change recorded before the day after
	state_then = """coalesce((select h.state from `tabChild Status History` h
		where h.parent = c.name and h.parenttype = 'Child' and h.parentfield = 'status_history'
		and h.state in %(case_states)s and h.changed_on < %(day_after)s
		order by h.changed_on desc, h.idx desc limit 1), %(active)s)"""
	# not when the record was created: an authority that starts with the app (or imports SSDA903 history)
	# still reports past years from the dates the records hold
	open_then = f"{state_then} != %(closed)s"
	cohort_then = to_sql(cohort_on(child, on))
	cohort_by_type = _grouped(
		f"""select cohort_then, count(*) from (select {cohort_then} as cohort_then from `tabChild` c
		where {open_then}) t where cohort_then != %(left_care)s group by cohort_then""",
		params,
	)
	rows = frappe.db.sql(
		f"""select c.date_of_birth, c.out_of_authority, c.sen_provision,
			exists(select 1 from `tabEducation Placement` p where p.child = c.name
				and {to_sql(on_roll_on(placement, on))}) as placed,
			exists(select 1 from `tabPersonal Education Plan` e where e.child = c.name
				and e.due_date between %(start)s and %(end)s) as has_pep,
			count(*)
		from `tabChild` c
		where {open_then} and {to_sql(looked_after_on(child, on))}
		group by 1, 2, 3, 4, 5""",
		params,
	)
	by_stage, totals = Counter(), Counter()
	for date_of_birth, out_of_authority, sen, placed, has_pep, count in rows:
		stage = school_days.key_stage_label(getdate(date_of_birth), on)
		by_stage[stage] += count
		totals["out_of_authority"] += count if out_of_authority else 0
		totals["sen_support"] += count if sen == "SEN support" else 0
		totals["ehc_plans"] += count if sen == "EHC plan" else 0
		of_age = stage not in NOT_OF_SCHOOL_AGE
		totals["without_place"] += count if of_age and not placed else 0
		totals["without_pep"] += count if of_age and not has_pep else 0
		totals["school_age_lac"] += count if stage in ALLOCATED_KEY_STAGES else 0
	figures = (
		"out_of_authority",
		"sen_support",
		"ehc_plans",
		"without_place",
		"without_pep",
		"school_age_lac",
	)
	return {
		"cohort_by_type": cohort_by_type,
		"looked_after_by_key_stage": dict(by_stage),
		**{key: totals[key] for key in figures},
	}


def outcomes_cohort_day(academic_year: str, generated_on: date) -> date:
	"""The looked-after cohort whose outcomes the report gives: looked after on 31 March of the academic year
	(the SSDA903 year end the DfE's outcome statistics count), or today if that is still to come."""
	return min(date(school_days.academic_year_bounds(academic_year)[1].year, 3, 31), generated_on)


def gather_outcomes(academic_year: str, generated_on: date) -> outcomes.OutcomeFigures:
	"""The cohort's Key Stage Outcomes recorded for the year, tallied (``domain.outcomes.tally``) with the
	national figures from the settings. The records are read only to count them here; the figures hold counts."""
	outcome = frappe.qb.DocType("Key Stage Outcome")
	child = frappe.qb.DocType("Child")
	fields = (
		"key_stage",
		*dict.fromkeys(f for names in outcomes.FIELDS_BY_KEY_STAGE.values() for f in names),
	)
	cohort_day = outcomes_cohort_day(academic_year, generated_on)
	records = (
		frappe.qb.from_(outcome)
		.join(child)
		.on(child.name == outcome.child)
		.select(*(outcome[field] for field in fields))
		.where((outcome.academic_year == academic_year) & looked_after_on(child, cohort_day))
		.run(as_dict=True)
	)
	for record in records:
		record["attainment_8"] = record["attainment_8"] or None  # a blank Float column holds 0
	national = [
		outcomes.NationalFigure(row.academic_year, row.measure, row.national_figure, row.source or "")
		for row in frappe.get_all(
			"Outcome National Figure",
			filters={"parenttype": settings.DOCTYPE, "parentfield": "outcome_national_figures"},
			fields=["academic_year", "measure", "national_figure", "source"],
		)
	]
	return outcomes.tally(records, academic_year, national, cohort_day)


def attendance_by_cohort(academic_year: str, on_date=None) -> dict:
	"""Per cohort on ``on_date`` (today; ``children.vocabulary.cohort_on``: a child who left care is under
	"Left care", not Looked After): children with returns, sessions possible and attended, persistently and
	severely absent."""
	cohort = to_sql(cohort_on(Table("tabChild").as_("c"), getdate(on_date or today())))
	# the year per child from the maintained per-term totals (attendance.refresh_totals), in child order
	# from their covering index: ~160,000 rows a term instead of ~1.66 M weeks (docs/benchmarks.md)
	rows = frappe.db.sql(
		f"""select {cohort} as cohort, count(*), sum(a.possible), sum(a.attended),
			sum({_PERSISTENT}),
			sum({_SEVERE})
		from (select child, sum(possible_sessions) possible, sum(sessions_attended) attended
			from `tab{TOTALS}` where academic_year = %s group by child) a
		join `tabChild` c on c.name = a.child
		group by 1""",
		(academic_year,),
	)
	names = ("children", "possible", "attended", "persistent", "severe")
	return {row[0]: dict(zip(names, (int(v or 0) for v in row[1:]), strict=True)) for row in rows}


def _peps_with_voice(start, end) -> int:
	"""Completed PEPs due in the year with the child's views in their own words (``peps.vocabulary.has_voice``),
	over the same PEPs as the QA table (issue #23)."""
	pep = frappe.qb.DocType("Personal Education Plan")
	return (
		frappe.qb.from_(pep)
		.select(Count(pep.name))
		.where(pep.due_date[start:end] & pep.workflow_state.isin(PEP_DONE_STATES) & has_voice(pep))
		.run()[0][0]
	)


def _peps_on_time(start, end) -> int:
	"""PEPs due in the year whose meeting was held by the due date (the statutory test; QA may follow)."""
	pep = frappe.qb.DocType("Personal Education Plan")
	return (
		frappe.qb.from_(pep)
		.select(Count(pep.name))
		.where(pep.due_date[start:end] & held_on_time(pep))
		.run()[0][0]
	)


def _children_without_pep(start, end, on_date) -> int:
	"""Looked-after children of school age (active cases) on ``on_date`` with no PEP due in the year: each
	owed at least one (the obligation is the child's, issue #18), counted as a PEP due and not on time."""
	child = frappe.qb.DocType("Child")
	pep = frappe.qb.DocType("Personal Education Plan")
	with_pep = frappe.qb.from_(pep).select(pep.child).where(pep.due_date[start:end])
	return (
		frappe.qb.from_(child)
		.select(Count(child.name))
		.where(
			looked_after_on(child, on_date)
			& (child.status == ACTIVE)
			& of_school_age(child)
			& child.name.notin(with_pep)
		)
		.run()[0][0]
	)


def write_annual_report(academic_year: str) -> bytes:
	return annual_report(authority(), gather_figures(academic_year))


@frappe.whitelist()
def generate(academic_year: str | None = None) -> dict:
	"""Desk button: write the report and keep it (private) on a new Annual Report Run, which only the Head
	and Managers read (a file is downloadable by whoever reads the record it is attached to)."""
	require_roles("System Manager", "Virtual School Head", "Virtual School Manager")
	academic_year = academic_year or school_days.academic_year_of(getdate(today()))
	try:
		school_days.academic_year_bounds(academic_year)
	except ValueError:
		frappe.throw(_("Academic Year must look like 2025-26."), title=_("Invalid Academic Year"))
	content = write_annual_report(academic_year)
	run = frappe.get_doc(
		{
			"doctype": "Annual Report Run",
			"academic_year": academic_year,
			"generated_by": frappe.session.user,
			"generated_on": frappe.utils.now(),
		}
	).insert(ignore_permissions=True)  # the roles were checked above; nobody creates a run by hand
	saved = save_file(
		f"virtual-school-annual-report-{academic_year}.docx",
		content,
		run.doctype,
		run.name,
		is_private=1,
		df="report_file",
	)
	run.db_set("report_file", saved.file_url)
	return {"file_url": saved.file_url, "file": saved.name, "annual_report_run": run.name}
