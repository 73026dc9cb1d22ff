"""The Virtual School Head's annual report for an academic year: figures gathered set-based, written as .docx.

The document itself is ``virtual_school.domain.annual_report`` (no Frappe); this module only gathers the
aggregates (one grouped query per topic, no child-level data) and attaches the result.
"""

from decimal import Decimal
from statistics import median

import frappe
from frappe import _
from frappe.query_builder.functions import Count
from frappe.utils import getdate, today
from frappe.utils.file_manager import save_file
from pypika import Table
from pypika.terms import Field

from virtual_school.admissions.vocabulary import PLACED
from virtual_school.attendance.services import TOTALS
from virtual_school.attendance.vocabulary import persistently_absent, severely_absent
from virtual_school.children.vocabulary import ACTIVE, LOOKED_AFTER, looked_after_on, of_school_age, to_sql
from virtual_school.domain import pp_plus_budget, school_days
from virtual_school.domain.annual_report import AnnualReportFigures, annual_report
from virtual_school.peps.vocabulary import DONE_STATES as PEP_DONE_STATES
from virtual_school.peps.vocabulary import held_on_time
from virtual_school.permissions import require_roles
from virtual_school.pp_plus.vocabulary import ALLOCATED_KEY_STAGES, APPROVED, COMMITTED_STATES, PAID
from virtual_school.shared.documents import authority

# the children the daily "Children Without a School Place" report lists: of school age, no current school
_WITHOUT_A_PLACE = to_sql(of_school_age(Table("tabChild")))
# the year's absence bands per child, over the derived table's possible and attended sessions
_PERSISTENT = to_sql(persistently_absent(Field("possible"), Field("attended")))
_SEVERE = to_sql(severely_absent(Field("possible"), Field("attended")))


def _grouped(sql: str, params: dict) -> dict:
	return {key if key is not None else _("Not set"): value for key, value in frappe.db.sql(sql, params)}


def _one(sql: str, params: dict):
	return frappe.db.sql(sql, params)[0][0] or 0


def gather_figures(academic_year: str):
	"""The year's figures. "Looked after" is on the day the report is generated (for cohort counts), or on
	the year's last day if earlier (children owed a PEP): a child who left care before it is not counted
	(``children.vocabulary.looked_after_on``, issue #18)."""
	start, end = school_days.academic_year_bounds(academic_year)
	generated_on = getdate(today())
	# the looked-after cohort now, as SQL on `tabChild` (the date is the code's, not a user's)
	lac_now = to_sql(looked_after_on(Table("tabChild"), generated_on))
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
	school_age_lac = _one(
		f"""select count(*) from `tabChild` where {lac_now} and status = %(active)s and key_stage in %(stages)s""",
		params,
	)
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
		cohort_by_type=_grouped(
			# a child who left care (not to a previously looked-after order) keeps their last cohort: left out
			f"""select cohort, count(*) from `tabChild` where status = %(active)s
			and (cohort != %(lac)s or {lac_now}) group by cohort""",
			params,
		),
		looked_after_by_key_stage=_grouped(
			f"""select key_stage, count(*) from `tabChild` where {lac_now} and status = %(active)s
			group by key_stage""",
			params,
		),
		out_of_authority=_one(
			f"select count(*) from `tabChild` where {lac_now} and status = %(active)s and out_of_authority = 1",
			params,
		),
		sen_support=_one(
			f"""select count(*) from `tabChild` where {lac_now} and status = %(active)s
			and sen_provision = 'SEN support'""",
			params,
		),
		ehc_plans=_one(
			f"""select count(*) from `tabChild` where {lac_now} and status = %(active)s
			and sen_provision = 'EHC plan'""",
			params,
		),
		school_moves=_one(
			"""select count(*) from `tabEducation Placement` p join `tabChild` c on c.name = p.child
			where c.cohort = %(lac)s and p.start_date between %(start)s and %(end)s""",
			params,
		),
		# the children the daily "Children Without a School Place" report lists (the report's text sends
		# the reader there): Reception to Year 13, not only the PP+ ages
		children_without_place_now=_one(
			f"""select count(*) from `tabChild` where {lac_now} and status = %(active)s
			and current_school is null and {_WITHOUT_A_PLACE}""",
			params,
		),
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
		+ _children_without_pep(start, end, min(end, generated_on)),
		peps_on_time=_peps_on_time(start, end),
		pep_qa=qa,
		pp_plus_allocated=Decimal(str(allocation)) * school_age_lac,
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
		attendance_by_cohort=attendance_by_cohort(academic_year),
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


def attendance_by_cohort(academic_year: str) -> dict:
	"""Per cohort: children with returns, sessions possible and attended, persistently and severely absent."""
	# the year per child from the maintained per-term totals (attendance.refresh_totals), in child order
	# from their covering index: ~160,000 rows a term instead of ~1.66 M weeks (docs/benchmarks.md)
	rows = frappe.db.sql(
		f"""select c.cohort, count(*), sum(a.possible), sum(a.attended),
			sum({_PERSISTENT}),
			sum({_SEVERE})
		from (select child, sum(possible_sessions) possible, sum(sessions_attended) attended
			from `tab{TOTALS}` where academic_year = %s group by child) a
		join `tabChild` c on c.name = a.child
		group by c.cohort""",
		(academic_year,),
	)
	names = ("children", "possible", "attended", "persistent", "severe")
	return {row[0]: dict(zip(names, (int(v or 0) for v in row[1:]), strict=True)) for row in rows}


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
