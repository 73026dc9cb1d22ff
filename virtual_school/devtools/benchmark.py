"""``bench --site S virtual-school-benchmark``: time the app's read paths against hand-written SQL floors.

Scales: ``tiny`` (a few hundred generated children, never committed: for the test), ``la`` (the demo
authority, 14,000 children, through ``virtual_school.devtools.demo``) and ``national`` (~482,000 children, 1.5 M
placements, bulk-written by ``virtual_school.devtools.bulk_data``; ``--fraction`` writes a part of it). Data is
generated only when the site lacks it.

Prints one table (median and p95 over N runs, the SQL floor and report ÷ floor; with ``--http``, throughput
and latency percentiles of a loopback HTTP load, see ``virtual_school.devtools.benchmark_http``; with ``--ssda903 N``,
the SSDA903 import of N generated children, see ``virtual_school.devtools.benchmark_import``) and writes it as
JSON for comparison between runs. Timings are printed, never asserted. Every timed path runs inside a savepoint
that is rolled back, so the sweep and the PP+ approval leave the data unchanged.
"""

import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import frappe
from frappe.core.doctype.report.report import get_report_module_dotted_path
from frappe.desk import query_report
from frappe.model.workflow import apply_workflow
from frappe.utils import getdate, today
from pypika import Table

from virtual_school import security
from virtual_school.attendance.services import (
	current_period,
	flag_attendance_concerns,
	missing_attendance_threshold,
	term_starts,
)
from virtual_school.attendance.vocabulary import flagged, matching_exclusion
from virtual_school.calendar.clocks import count_days
from virtual_school.children.placements import refresh_derived_fields
from virtual_school.children.vocabulary import (
	LOOKED_AFTER,
	NOT_OF_SCHOOL_AGE,
	cohort_on,
	looked_after_on,
	looked_after_without_a_school_place,
	to_sql,
	without_a_school_place,
)
from virtual_school.devtools import bulk_data
from virtual_school.devtools.benchmark_http import format_http, run_http_load
from virtual_school.devtools.benchmark_import import format_ssda903, ssda903_timings
from virtual_school.devtools.demo import load_demo_data
from virtual_school.domain import attendance as rules
from virtual_school.domain import school_days
from virtual_school.domain.school_days import DayKind
from virtual_school.escalations.services import run_daily_sweep
from virtual_school.governance import access_log
from virtual_school.peps.services import escalate_overdue_peps
from virtual_school.portal import pages as portal_pages
from virtual_school.pp_plus import vocabulary as pp_plus_vocabulary
from virtual_school.pp_plus.impact import run_daily
from virtual_school.pp_plus.vocabulary import COMMITTED_STATES

SCALES = {
	"tiny": {"fraction": 0.001},
	"la": {"looked_after": 2000, "with_social_worker": 12000},
	"national": {"fraction": 1.0},
}
CHILD_LIST_FIELDS = ["name", "full_name", "current_school_name", "year_group"]


def _timed(function: Callable, runs: int, committed: bool = True) -> list[float]:
	"""Run ``function`` ``runs`` times, undoing its writes after each run.

	On committed data the whole transaction is rolled back: InnoDB keeps the row locks taken after a savepoint
	until the transaction ends, so rolling back only to a savepoint would leave the daily sweep's locks on
	every child for the rest of the benchmark. The tiny scale's data lives in the open transaction (never
	committed), so there only the savepoint is rolled back.
	"""
	times = []
	for _run in range(runs):
		frappe.db.savepoint("vs_benchmark")
		started = time.perf_counter()
		try:
			function()
		finally:
			times.append((time.perf_counter() - started) * 1000)
			if committed:
				frappe.db.rollback()
			else:
				frappe.db.rollback(save_point="vs_benchmark")
	return times


def percentile(ordered: list[float], share: float) -> float:
	return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _summary(times: list[float]) -> dict:
	ordered = sorted(times)
	return {"median_ms": round(statistics.median(ordered), 2), "p95_ms": round(percentile(ordered, 0.95), 2)}


def script_reports() -> list[str]:
	"""Every Script Report of the app (module Virtual School), the ones the benchmark times."""
	return frappe.get_all(
		"Report",
		filters={"module": "Virtual School", "report_type": "Script Report", "disabled": 0},
		pluck="name",
		order_by="name",
	)


def report_filters(name: str) -> dict:
	"""Each report's default filters, as its desk filter bar sets them (the defaults in its .js)."""
	if name == "Children Without a School Place":
		return {"cohort": LOOKED_AFTER}
	if name == "PP Plus Budget":
		return {"funding_year": _funding_year(), "group_by": "Child"}
	if name == "In-Year Admissions by School":
		return {"from_date": frappe.utils.add_months(today(), -12), "to_date": today()}
	if name == "PEP Compliance":
		return {"group_by": "School"}
	if name == "Attendance Overview":
		return {"group_by": "Cohort"}
	if name == "Who Viewed This Child":  # one child's accesses: the report needs a child
		return {"child": frappe.db.get_value("Child", {}, "name", order_by="modified desc")}
	return {}


def _funding_year() -> str | None:
	# the app's current year, else the latest the bulk data holds (the benchmark may run on any day)
	return pp_plus_vocabulary.current_funding_year() or (
		frappe.db.get_value("PP Plus Funding Year", {}, "name", order_by="label desc")
	)


def _report(name: str) -> Callable:
	return lambda: query_report.run(name, filters=report_filters(name), ignore_prepared_report=True)


def _report_code(name: str) -> Callable:
	"""The report module's own ``execute`` with the same filters: the app's part of a report run, without
	Frappe's fixed cost around it (loading the Report document with its child tables, permission checks)."""

	module = frappe.db.get_value("Report", name, "module")
	execute = frappe.get_attr(get_report_module_dotted_path(module, name) + ".execute")
	return lambda: execute(frappe._dict(report_filters(name)))


def report_figures(name: str) -> list[tuple]:
	"""The report's rows in the shape of its floor query (for the test that compares them)."""

	result = query_report.run(name, filters=report_filters(name), ignore_prepared_report=True)
	data = result["result"]
	if name == "PEP Compliance":  # a group with no PEP record (only children with none) is not in the floor
		data = [row for row in data if isinstance(row, dict) and row.get("due")]
	columns = {
		"PP Plus Budget": (
			"child",
			"child_name",
			"school",
			"school_name",
			"allocation",
			"approved",
			"paid",
			"remaining",
		),
		"Exclusions by School": (
			"school",
			"cohort",
			"children",
			"suspensions",
			"suspension_days",
			"permanent",
		),
		"Cohort Overview": (
			"cohort",
			"children",
			"maintained",
			"academy",
			"independent",
			"without_place",
			"ehc_plans",
			"persistent",
			"severe",
			"suspensions",
			"permanent",
		),
		"PEP Compliance": ("group", "group_name", "due", "on_time", "overdue", "green", "amber", "red"),
		# every column but the median school days to place (counted on the school calendar)
		"In-Year Admissions by School": (
			"school",
			"school_name",
			"admissions_route",
			"requests",
			"offers",
			"refusals",
			"awaiting",
			"placed",
			"directions",
			"referrals",
		),
		# every column but the school days overdue (counted on the school calendar)
		"PP Plus Impact Overdue": (
			"report",
			"school",
			"school_name",
			"funding_year",
			"term",
			"due_date",
			"claims",
			"funding",
			"reminded_on",
			"escalation_level",
		),
		"Attendance Overview": (
			"group_key",
			"children",
			"possible",
			"attended",
			"persistent",
			"severe",
			"unauthorised",
			"suspended",
		),
		# every column but the school days without attendance (the floor selects on the date they reach
		# the threshold instead)
		"Children Missing Education Risk": (
			"child",
			"full_name",
			"school",
			"school_name",
			"caseworker",
			"covered_to",
			"escalation",
		),
		# every column but the school days, which the report counts on the school calendar in Python
		"Children Without a School Place": (
			"child",
			"child_name",
			"cohort",
			"year_group",
			"caseworker",
			"out_of_authority",
			"since",
			"last_school",
			"place_request",
			"request_state",
			"escalation_level",
		),
	}[name]
	figures = [tuple(_plain(row.get(column)) for column in columns) for row in data if isinstance(row, dict)]
	if name == "Attendance Overview" and result.get("chart"):  # the week-by-week chart is figures too
		chart = result["chart"]["data"]
		figures += [
			("week", *week) for week in zip(chart["labels"], chart["datasets"][0]["values"], strict=True)
		]
	return figures


def _plain(value):
	if isinstance(value, Decimal | float):
		return float(value)
	if isinstance(value, datetime):
		return value.date()
	return value


def floors(funding_year: str | None = None) -> dict[str, Callable]:
	"""One hand-written query per report, returning the report's figures (compared in the tests)."""
	funding_year = funding_year or _funding_year()

	def plain(sql: str, values=None) -> Callable:
		return lambda: [tuple(_plain(value) for value in row) for row in frappe.db.sql(sql, values or ())]

	start, end = _academic_year_bounds()
	on_date = getdate(today())
	academic_year = school_days.academic_year_of(on_date)
	child = Table("tabChild").as_("c")

	def cohort_of(alias: str) -> str:  # the one spelling of "the cohort on the day", as SQL text
		return to_sql(cohort_on(Table("tabChild").as_(alias), on_date))

	without_place = to_sql(without_a_school_place(child))
	looked_after_c = to_sql(looked_after_on(child, on_date))
	without_looked_after = to_sql(looked_after_without_a_school_place(child, on_date))
	return {
		**attendance_floors(on_date, academic_year),
		"PEP Compliance": plain(
			"""select nullif(p.school, ''), coalesce(max(coalesce(s.school_name, p.school_name)), 'No school'),
				count(*), coalesce(sum(p.workflow_state = 'Approved' and p.completed_on <= p.due_date), 0),
				sum(not p.workflow_state <=> 'Approved' and p.due_date < %(on_date)s),
				sum(p.qa_rating <=> 'Green'), sum(p.qa_rating <=> 'Amber'), sum(p.qa_rating <=> 'Red')
			from `tabPersonal Education Plan` p left join tabSchool s on s.name = p.school
			where p.due_date between %(start)s and %(end)s
			group by p.school order by null""",
			{"start": start, "end": end, "on_date": on_date},
		),
		"In-Year Admissions by School": plain(
			"""select a.school, s.school_name, s.admissions_route, count(*), sum(a.response = 'Offered'),
				sum(a.response = 'Refused'), sum(a.response = 'Awaiting'), coalesce(max(placed.placed), 0),
				coalesce(max(escalated.directions), 0), coalesce(max(escalated.referrals), 0)
			from `tabSchool Place Approach` a
			join `tabSchool Place Request` r on r.name = a.parent and a.parenttype = 'School Place Request'
			join tabSchool s on s.name = a.school
			left join (select r.admitting_school, count(*) placed from `tabSchool Place Request` r
					join `tabSchool Place Approach` a on a.parent = r.name and a.school = r.admitting_school
				where r.workflow_state = 'Placed' and a.date_asked between %(from)s and %(to)s
				group by r.admitting_school) placed on placed.admitting_school = a.school
			left join (select refusing_school, sum(direction_notice_on between %(from)s and %(to)s) directions,
					sum(secretary_of_state_referred_on between %(from)s and %(to)s) referrals
				from `tabSchool Place Request` where refusing_school is not null
				group by refusing_school) escalated on escalated.refusing_school = a.school
			where a.date_asked between %(from)s and %(to)s and r.workflow_state != 'Withdrawn'
			group by a.school, s.school_name, s.admissions_route""",
			{"from": frappe.utils.add_months(on_date, -12), "to": on_date},
		),
		"PP Plus Impact Overdue": plain(
			"""select i.name, i.school, i.school_name, i.funding_year, i.term, i.due_date, count(r.name),
				sum(r.amount), i.reminded_on, i.escalation_level
			from `tabPP Plus Impact Report` i left join `tabPP Plus Impact Row` r
				on r.parent = i.name and r.parenttype = 'PP Plus Impact Report'
			where i.workflow_state not in %(done)s and i.due_date < %(on_date)s group by i.name""",
			{"done": pp_plus_vocabulary.IMPACT_DONE_STATES, "on_date": on_date},
		),
		"PP Plus Budget": plain(
			f"""select b.child, b.child_name, b.school, b.school_name, f.per_child_allocation, b.approved, b.paid,
				greatest(f.per_child_allocation - b.approved - b.paid, 0)
			from (select c.name child, c.full_name child_name, c.current_school school,
					c.current_school_name school_name,
					coalesce(sum(case when p.workflow_state = 'Approved' then p.amount end), 0) approved,
					coalesce(sum(case when p.workflow_state = 'Paid' then p.amount end), 0) paid
				from tabChild c left join `tabPP Plus Claim` p on p.child = c.name and p.funding_year = %(year)s
					and p.workflow_state in %(committed)s
				where {looked_after_c} and c.status = 'Active'
					and c.key_stage in ('EYFS', 'KS1', 'KS2', 'KS3', 'KS4')
				group by c.name
				union all
				select c.name, c.full_name, c.current_school, c.current_school_name,
					coalesce(sum(case when p.workflow_state = 'Approved' then p.amount end), 0),
					coalesce(sum(case when p.workflow_state = 'Paid' then p.amount end), 0)
				from `tabPP Plus Claim` p join tabChild c on c.name = p.child
				where p.funding_year = %(year)s and p.workflow_state in %(committed)s
					and not coalesce({looked_after_c} and c.status = 'Active'
						and c.key_stage in ('EYFS', 'KS1', 'KS2', 'KS3', 'KS4'), false)
				group by c.name) b
			join `tabPP Plus Funding Year` f on f.name = %(year)s
			order by b.approved + b.paid desc, coalesce(b.child_name, b.school_name, ''), b.child""",
			{"year": funding_year, "committed": COMMITTED_STATES},
		),
		"Exclusions by School": plain(
			"""select school, cohort, count(distinct child), sum(exclusion_type = 'Suspension'),
				sum(if(exclusion_type = 'Suspension', school_days, 0)), sum(exclusion_type = 'Permanent exclusion')
			from tabExclusion where start_date between %s and %s group by school, school_name, cohort""",
			(start, end),
		),
		# the children per cohort on the day (``children.vocabulary.cohort_on``: "Left care" apart), then the
		# cohort's exclusions and attendance (a few rows each)
		"Cohort Overview": plain(
			f"""select k.cohort, k.children, k.maintained, k.academy, k.independent, k.without_place, k.ehc_plans,
				coalesce(a.persistent, 0), coalesce(a.severe, 0), coalesce(e.suspensions, 0), coalesce(e.permanent, 0)
			from (select {cohort_of("c")} cohort, count(*) children,
					sum(s.admissions_route <=> 'LA may direct') maintained,
					sum(s.admissions_route <=> 'Ask the Secretary of State') academy,
					sum(s.admissions_route <=> 'Independent / other') independent,
					sum({without_place}) without_place, sum(c.sen_provision = 'EHC plan') ehc_plans
				from tabChild c left join tabSchool s on s.name = c.current_school
				where c.status = 'Active' group by 1) k
			left join (select cohort, sum(exclusion_type = 'Suspension') suspensions,
					sum(exclusion_type = 'Permanent exclusion') permanent
				from tabExclusion where start_date between %s and %s group by cohort) e on e.cohort = k.cohort
			left join (select {cohort_of("ac")} cohort,
					sum(w.possible > 0 and (w.possible - w.attended) * 10 >= w.possible) persistent,
					sum(w.possible > 0 and (w.possible - w.attended) * 2 >= w.possible) severe
				from (select child, sum(possible_sessions) possible, sum(sessions_attended) attended
					from `tabAttendance Term Total` where academic_year = %s group by child) w
				join tabChild ac on ac.name = w.child group by 1) a on a.cohort = k.cohort""",
			(start, end, academic_year),
		),
		# "since" is never before 1 September of the child's Reception year (``school_place_expected_from``)
		"Children Without a School Place": plain(
			f"""select c.name, c.full_name, c.cohort, c.year_group, c.caseworker, c.out_of_authority,
				greatest(coalesce(date_add(last.end_date, interval 1 day),
					least(coalesce(r.date_needed, c.date_entered_care), coalesce(c.date_entered_care, r.date_needed)),
					date(c.creation)),
					date_add(makedate(year(c.date_of_birth) + if(month(c.date_of_birth) <= 8, 4, 5), 1),
						interval 8 month)),
				last.school, r.name, r.workflow_state, coalesce(r.escalation_level, 0)
			from tabChild c
			left join (select p.child, p.school, p.end_date, row_number() over (
					partition by p.child order by p.end_date desc, p.creation desc) position
				from `tabEducation Placement` p join tabChild c on c.name = p.child
				where {without_looked_after} and p.end_date is not null) last
				on last.child = c.name and last.position = 1
			left join (select q.name, q.child, q.date_needed, q.workflow_state, q.escalation_level, row_number() over (
					partition by q.child order by q.creation desc, q.name desc) position
				from `tabSchool Place Request` q
				where q.workflow_state not in ('Placed', 'Withdrawn')) r on r.child = c.name and r.position = 1
			where {without_looked_after}""",
		),
	}


def attendance_floors(on_date, academic_year: str) -> dict[str, Callable]:
	def overview():
		"""Per cohort: children, sessions, persistently / severely absent (from the term totals); and the
		chart's weeks (from the week totals)."""
		rows = frappe.db.sql(
			"""select 'group', coalesce(nullif(c.cohort, ''), 'Not set'), count(*), sum(w.possible),
				sum(w.attended), sum(w.possible > 0 and (w.possible - w.attended) * 10 >= w.possible),
				sum(w.possible > 0 and (w.possible - w.attended) * 2 >= w.possible), sum(w.unauthorised),
				sum(w.suspended)
			from (select child, sum(possible_sessions) possible, sum(sessions_attended) attended,
					sum(unauthorised_absence) unauthorised, sum(suspension_sessions) suspended
				from `tabAttendance Term Total` where academic_year = %(year)s group by child) w
			join tabChild c on c.name = w.child group by c.cohort
			union all
			select 'week', week_starting, sum(possible_sessions), sum(sessions_attended), null, null, null,
				null, null
			from `tabAttendance Week Total` where academic_year = %(year)s group by week_starting""",
			{"year": academic_year},
		)
		return [
			tuple(_plain(value) for value in row[1:])
			if row[0] == "group"
			else (
				"week",
				frappe.utils.formatdate(row[1], "dd MMM"),
				rules.attendance_percent(int(row[2] or 0), int(row[3] or 0)) or 0,
			)
			for row in rows
		]

	def missing_education():
		"""Looked-after children on roll at a school sending returns this year, with none for them since a
		day at least the threshold of school days ago (the date is worked out once on the calendar)."""
		threshold = missing_attendance_threshold()
		if threshold <= 0:
			return []
		cutoff = on_date - timedelta(days=1)
		while count_days(cutoff, on_date, DayKind.SCHOOL) < threshold and cutoff > on_date - timedelta(400):
			cutoff -= timedelta(days=1)
		flagged_c = to_sql(flagged(Table("tabChild").as_("c"), on_date))
		return [
			tuple(_plain(value) for value in row)
			for row in frappe.db.sql(
				f"""select c.name, c.full_name, c.current_school, c.current_school_name, c.caseworker,
					coalesce((select max(a.week_starting) from `tabAttendance Record` a
							where a.child = c.name and a.school = c.current_school) + interval 4 day,
						(select max(p.start_date) from `tabEducation Placement` p
							where p.child = c.name and p.school = c.current_school and p.start_date <= %(on)s
								and (p.end_date is null or p.end_date >= %(on)s)) - interval 1 day) covered_to,
					(select max(e.name) from tabEscalation e where e.reference_doctype = 'Child'
						and e.reference_name = c.name and e.trigger_key like 'missing:%%' and e.status != 'Closed')
				from tabChild c
				where c.status = 'Active' and {flagged_c} and c.current_school is not null
					and exists (select 1 from `tabAttendance Record` s
						where s.school = c.current_school and s.academic_year = %(year)s)
				having covered_to <= %(cutoff)s""",
				{
					"on": on_date,
					"year": current_period(on_date)[0],
					"cutoff": cutoff,
				},
			)
		] + unmatched_suspensions_floor()

	def unmatched_suspensions_floor():
		"""The report's other rows (issue #23 item 5): suspension sessions in this year's returns that no
		Exclusion of the child at that school accounts for, per child and school."""
		year = current_period(on_date)[0]
		record = Table("tabAttendance Record").as_("a")
		unmatched = to_sql(~matching_exclusion(record, term_starts(year)))
		flagged_c = to_sql(flagged(Table("tabChild").as_("c"), on_date))
		return [
			tuple(_plain(value) for value in row)
			for row in frappe.db.sql(
				f"""select a.child, c.full_name, a.school, max(a.school_name), c.caseworker, null, null
				from `tabAttendance Record` a join tabChild c on c.name = a.child
				where a.academic_year = %(year)s and a.suspension_sessions > 0 and c.status = 'Active'
					and {flagged_c} and {unmatched}
				group by a.child, a.school""",
				{"year": year},
			)
		]

	return {"Attendance Overview": overview, "Children Missing Education Risk": missing_education}


def _academic_year_bounds():
	return school_days.academic_year_bounds(school_days.academic_year_of(getdate(today())))


def ensure_dataset(scale: str, fraction: float | None = None, log=print) -> dict:
	"""Generate the scale's data unless the site has it. ``tiny`` is never committed."""
	if scale == "la":
		target = SCALES["la"]
		have = frappe.db.count("Child")
		if have >= target["looked_after"] + target["with_social_worker"]:
			return {"generated": False, "note": f"dataset present: {have:,} children"}

		started = time.perf_counter()
		note = load_demo_data(
			looked_after=target["looked_after"], with_social_worker=target["with_social_worker"]
		)
		frappe.db.commit()
		return {
			"generated": True,
			"seconds": round(time.perf_counter() - started, 1),
			"note": note.splitlines()[0],
		}
	if bulk_data.has_national_data():
		return {
			"generated": False,
			"note": f"dataset present: {frappe.db.count('Child'):,} children",
			"attendance": bulk_data.attendance_if_missing(log=log),
		}
	fraction = fraction or SCALES[scale]["fraction"]
	stats = bulk_data.generate(fraction=fraction, commit=scale != "tiny", log=log)
	stats["generated"] = True
	if fraction < 1:
		stats["extrapolated_full_scale_seconds"] = round(stats["seconds"] / fraction)
	return stats


def benchmark_users() -> dict[str, str | None]:
	"""The caseworker, manager and portal user the benchmark acts as (the generated ones when present)."""

	def user_with(role: str, preferred: str) -> str | None:
		if frappe.db.exists("User", preferred):
			return preferred
		return frappe.db.get_value(
			"Has Role", {"role": role, "parenttype": "User", "parent": ["like", "%@%"]}, "parent"
		)

	caseworker = bulk_data.CASEWORKER_BENCH_USER
	if not frappe.db.exists("Child", {"caseworker": caseworker}):
		caseworker = frappe.db.get_value("Child", {"caseworker": ["is", "set"]}, "caseworker")
	return {
		"caseworker": caseworker,
		"manager": user_with("Virtual School Manager", bulk_data.MANAGER_BENCH_USER),
		"portal": ensure_portal_contact(),
	}


def ensure_portal_contact() -> str | None:
	"""Link the benchmark portal user to the school with the most looked-after pupils on roll."""
	user = bulk_data.PORTAL_BENCH_USER
	if not frappe.db.exists("User", user):
		return frappe.db.get_value("School Contact", {"user": ["is", "set"], "is_active": 1}, "user")
	if not frappe.db.exists("School Contact", {"user": user}):
		school = frappe.db.sql(
			"""select current_school from tabChild where cohort = 'Looked After' and status = 'Active'
			and current_school is not null group by current_school order by count(*) desc limit 1"""
		)
		if not school:
			return None
		frappe.get_doc(
			{
				"doctype": "School Contact",
				"school": school[0][0],
				"full_name": "Benchmark Designated Teacher",
				"contact_role": "Designated Teacher",
				"email": user,
				"user": user,
			}
		).insert(ignore_permissions=True)
	return user


def run_benchmark(
	scale: str = "la",
	runs: int = 5,
	generate: bool = True,
	fraction: float | None = None,
	http: dict | None = None,
	json_path: str | None = None,
	write_json: bool = True,
	inprocess: bool = True,
	ssda903: int = 0,
	log=lambda message: None,
) -> dict:
	security.install()  # as before_request does: the lists are timed with every side-door guard on
	generation = {"generated": False, "note": "not generated"}
	if generate:
		generation = ensure_dataset(scale, fraction, log=log)
		log(f"data: {json.dumps(generation)}")
	funding_year = _funding_year()
	users = benchmark_users()
	committed = scale != "tiny"
	if committed:
		frappe.db.commit()

	def as_user(user: str | None, function: Callable) -> Callable:
		def run():
			frappe.set_user(user or "Administrator")
			try:
				function()
			finally:
				frappe.set_user("Administrator")

		return run

	def child_list():
		frappe.get_list("Child", fields=CHILD_LIST_FIELDS, limit_page_length=20)

	def child_list_floor(user):
		return lambda: frappe.db.sql(
			"""select name, full_name, current_school_name, year_group from tabChild
			where caseworker = %s order by modified desc limit 20""",
			user,
		)

	def my_pupils():
		portal_pages.my_pupils()

	def daily_sweep():
		refresh_derived_fields()
		run_daily_sweep()
		run_daily()
		escalate_overdue_peps()
		flag_attendance_concerns()

	paths = {
		"Child list (caseworker)": as_user(users["caseworker"], child_list),
		"Child list (manager)": as_user(users["manager"], child_list),
		**_access_log_paths(users, as_user),
		"Portal my pupils": as_user(users["portal"], my_pupils),
		"PP+ approval": as_user(users["manager"], _pp_plus_approval(users["manager"])),
		"Daily sweep (rolled back)": daily_sweep,
	}
	reports = {name: _report(name) for name in script_reports()}
	floor_queries = {
		**floors(funding_year),
		"Child list (caseworker)": child_list_floor(users["caseworker"]),
		"Child list (manager)": lambda: frappe.db.sql(
			"select name, full_name, current_school_name, year_group from tabChild order by modified desc limit 20"
		),
	}
	rows = []
	for name, function in {**reports, **paths}.items() if inprocess else ():
		log(f"timing {name}")
		row = {"path": name, **_summary(_timed(function, runs, committed))}
		if name in floor_queries:
			row["floor_ms"] = _summary(_timed(floor_queries[name], runs, committed))["median_ms"]
			row["ratio"] = round(row["median_ms"] / max(row["floor_ms"], 0.01), 1)
			if name in reports:
				row["app_ms"] = _summary(_timed(_report_code(name), runs, committed))["median_ms"]
				row["app_ratio"] = round(row["app_ms"] / max(row["floor_ms"], 0.01), 1)
		rows.append(row)
	result = {
		"site": frappe.local.site,
		"scale": scale,
		"runs": runs,
		"children": frappe.db.count("Child"),
		"placements": frappe.db.count("Education Placement"),
		"schools": frappe.db.count("School"),
		"generation": generation,
		"users": users,
		"machine": _machine(),
		"at": datetime.now().isoformat(timespec="seconds"),
		"rows": rows,
	}
	if ssda903 > 0:
		try:
			result["ssda903"] = ssda903_timings(ssda903, log=log, committed=committed)
		except Exception as error:  # keep the other figures when the import fails
			result["ssda903_error"] = repr(error)
	if http is not None:
		if scale != "tiny":
			frappe.db.commit()
		log("\n" + format_table(result))
		try:
			result["http"] = run_http_load(users=users, log=log, **http)
		except Exception as error:  # keep the in-process figures when the HTTP part fails
			result["http_error"] = repr(error)
	if write_json:
		path = Path(json_path) if json_path else _default_json_path(scale)
		try:
			path.parent.mkdir(parents=True, exist_ok=True)
			path.write_text(json.dumps(result, indent=1, default=str))
			result["json"] = str(path)
		except OSError as error:  # keep the figures of a long run when the path is not writable
			result["json_error"] = repr(error)
	return result


def _default_json_path(scale: str) -> Path:
	return (
		Path(frappe.get_site_path("private", "benchmarks"))
		/ f"benchmark-{scale}-{datetime.now():%Y%m%d-%H%M%S}.json"
	)


def _machine() -> dict:
	try:
		load = os.getloadavg()
	except OSError:
		load = None
	return {
		"cpus": os.cpu_count(),
		"python": platform.python_version(),
		"mariadb": frappe.db.sql("select version()")[0][0],
		"innodb_buffer_pool_mb": int(frappe.db.sql("select @@innodb_buffer_pool_size")[0][0]) // 2**20,
		"load_average_at_start": load,
	}


def _access_log_paths(users: dict, as_user: Callable) -> dict[str, Callable]:
	"""What the access log (issue #22, ``governance/access_log.py``) adds to a request. A list is never logged:
	its only cost is the ``after_request`` hook's check that the request is not a single-record read. A view
	writes one Access Log row, after the response has gone; timed here as written on the request's own
	transaction, an upper bound of what the reader could wait for. Rolled back like every path."""
	child = frappe.db.get_value("Child", {"caseworker": users["caseworker"]}, "name") or frappe.db.get_value(
		"Child", {}, "name"
	)
	list_request = frappe._dict(method="GET", path="/api/resource/Child", full_path="/api/resource/Child?")
	ok = frappe._dict(status_code=200)

	def list_check():
		access_log.after_request(ok, list_request)

	def one_view():
		access_log.record([("Child", child)], access_log.VIEW, f"/app/child/{child}")

	def portal_view():
		access_log.record([("Child", child)], access_log.PORTAL_VIEW, "/school-portal/pep")

	return {
		"Access log: list request check (caseworker)": as_user(users["caseworker"], list_check),
		"Access log: one view written (caseworker)": as_user(users["caseworker"], one_view),
		"Access log: portal view written (school user)": as_user(users["portal"], portal_view),
	}


def _pp_plus_approval(manager: str | None) -> Callable:
	"""Approve one claim under review (within the manager's limit), as the manager; rolled back by _timed."""
	claim = frappe.db.get_value(
		"PP Plus Claim",
		{"workflow_state": "Under Review", "amount": ["<=", 1000]},
		"name",
		order_by="name desc",
	)

	def approve():
		if not claim:
			return

		apply_workflow(frappe.get_doc("PP Plus Claim", claim), "Approve")

	return approve


def format_table(result: dict) -> str:
	lines = [
		f"virtual_school benchmark on {result['site']}: {result['children']:,} children, {result['placements']:,} "
		f"placements, {result['schools']:,} schools; scale {result['scale']}, {result['runs']} runs",
	]
	generation = result.get("generation") or {}
	if generation.get("generated") and "rows" in generation:
		lines.append(
			f"generated {generation['rows']:,} rows in {generation['seconds']} s "
			f"({generation['rows_per_second']:,} rows/s, fraction {generation['fraction']})"
		)
	lines.append(
		f"{'path':40} {'median ms':>10} {'p95 ms':>10} {'floor ms':>10} {'÷ floor':>8} {'app ms':>8} {'app ÷':>6}"
	)
	for row in result["rows"]:
		lines.append(
			f"{row['path']:40} {row['median_ms']:>10.1f} {row['p95_ms']:>10.1f} "
			f"{row.get('floor_ms', float('nan')):>10.1f} {row.get('ratio', float('nan')):>8.1f} "
			f"{row.get('app_ms', float('nan')):>8.1f} {row.get('app_ratio', float('nan')):>6.1f}"
		)
	if any("app_ms" in row for row in result["rows"]):
		lines.append(
			"app ms: the report module's own execute() with the same filters, without Frappe's fixed cost of a "
			"report run (frappe.desk.query_report.run loads the Report document and checks permissions)"
		)
	if result.get("ssda903"):
		lines.append(format_ssda903(result["ssda903"]))
	if result.get("ssda903_error"):
		lines.append(f"SSDA903 import failed: {result['ssda903_error']}")
	if result.get("http"):
		lines.append(format_http(result["http"]))
	if result.get("http_error"):
		lines.append(f"HTTP load failed: {result['http_error']}")
	if result.get("json"):
		lines.append(f"JSON: {result['json']}")
	if result.get("json_error"):
		lines.append(f"JSON not written: {result['json_error']}")
	return "\n".join(lines)
