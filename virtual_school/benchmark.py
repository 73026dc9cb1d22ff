"""``bench --site S virtual-school-benchmark``: time the app's read paths against hand-written SQL floors.

Prints one table (median and p95 over N runs, the SQL floor and report ÷ floor) and writes it as JSON next
to the site for comparison between runs. Timings are printed, never asserted. Generates the LA-scale demo
dataset first when the site has fewer children than the scale needs.
"""

import json
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import frappe

SCALES = {
	"la": {"looked_after": 2000, "with_social_worker": 12000},
	"national": {"looked_after": 82000, "with_social_worker": 400000},
}


def _timed(function: Callable, runs: int) -> list[float]:
	times = []
	for _run in range(runs):
		started = time.perf_counter()
		function()
		times.append((time.perf_counter() - started) * 1000)
		frappe.db.rollback()
	return times


def _summary(times: list[float]) -> dict:
	ordered = sorted(times)
	p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
	return {"median_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2)}


def _report(name: str, filters: dict | None = None) -> Callable:
	from frappe.desk.query_report import run

	return lambda: run(name, filters=filters or {}, ignore_prepared_report=True)


def floors(funding_year: str | None = None) -> dict[str, Callable]:
	"""One hand-written query per report, returning the report's figures (compared in the tests)."""
	funding_year = funding_year or frappe.db.get_single_value(
		"Virtual School Settings", "current_funding_year"
	)
	return {
		"PP Plus Budget": lambda: frappe.db.sql(
			"""select c.name, coalesce(sum(case when p.workflow_state='Approved' then p.amount end), 0),
				coalesce(sum(case when p.workflow_state='Paid' then p.amount end), 0)
			from `tabChild` c left join `tabPP Plus Claim` p on p.child = c.name and p.funding_year = %s
				and p.workflow_state in ('Approved', 'Paid')
			where (c.cohort = 'Looked After' and c.status = 'Active'
				and c.key_stage in ('EYFS', 'KS1', 'KS2', 'KS3', 'KS4')) or p.name is not null
			group by c.name""",
			funding_year,
		),
		"Exclusions by School": lambda: frappe.db.sql(
			"""select school, cohort, count(distinct child), sum(exclusion_type = 'Suspension'),
				sum(if(exclusion_type = 'Suspension', school_days, 0)), sum(exclusion_type = 'Permanent exclusion')
			from tabExclusion where start_date between %s and %s group by school, school_name, cohort""",
			_academic_year_bounds(),
		),
		"Cohort Overview": lambda: frappe.db.sql(
			"""select c.cohort, count(*), sum(s.admissions_route = 'LA may direct') from tabChild c
			left join tabSchool s on s.name = c.current_school where c.status = 'Active' group by c.cohort"""
		),
		"Children Without a School Place": lambda: frappe.db.sql(
			"""select c.name, max(p.end_date) from tabChild c left join `tabEducation Placement` p on p.child = c.name
			where c.status = 'Active' and c.current_school is null and c.cohort = 'Looked After'
				and c.key_stage not in ('Early years', 'Post-18') group by c.name"""
		),
	}


def _academic_year_bounds():
	from frappe.utils import getdate, today

	from virtual_school.domain import school_days

	return school_days.academic_year_bounds(school_days.academic_year_of(getdate(today())))


def ensure_dataset(scale: str) -> str:
	target = SCALES[scale]
	have = frappe.db.count("Child")
	wanted = target["looked_after"] + target["with_social_worker"]
	if have >= wanted:
		return f"dataset present: {have:,} children"
	from virtual_school.demo import load_demo_data

	return load_demo_data(
		looked_after=target["looked_after"], with_social_worker=target["with_social_worker"]
	)


def run_benchmark(scale: str = "la", runs: int = 5, generate: bool = True) -> dict:
	generated = "not generated"
	if generate:
		generated = ensure_dataset(scale)
		frappe.db.commit()
	funding_year = frappe.db.get_single_value("Virtual School Settings", "current_funding_year") or (
		frappe.db.get_value("PP Plus Funding Year", {}, "name", order_by="label desc")
	)
	caseworker = frappe.db.get_value("Child", {"caseworker": ["is", "set"]}, "caseworker")
	manager = frappe.db.get_value(
		"Has Role", {"role": "Virtual School Manager", "parenttype": "User"}, "parent"
	)

	def as_user(user: str | None, function: Callable) -> Callable:
		def run():
			frappe.set_user(user or "Administrator")
			try:
				function()
			finally:
				frappe.set_user("Administrator")

		return run

	def child_list():
		frappe.get_list(
			"Child", fields=["name", "full_name", "current_school_name", "year_group"], limit_page_length=20
		)

	def daily_sweep():
		from virtual_school.escalations import run_daily_sweep
		from virtual_school.peps import escalate_overdue_peps
		from virtual_school.placements import refresh_derived_fields
		from virtual_school.pp_plus_impact import run_daily

		refresh_derived_fields()
		run_daily_sweep()
		run_daily()
		escalate_overdue_peps()

	paths = {
		"Child list (caseworker)": as_user(caseworker, child_list),
		"Child list (manager)": as_user(manager, child_list),
		"Daily sweep (rolled back)": daily_sweep,
	}
	reports = {
		name: _report(name, {"funding_year": funding_year} if name == "PP Plus Budget" else None)
		for name in (
			"Children Without a School Place",
			"In-Year Admissions by School",
			"PP Plus Budget",
			"PP Plus Impact Overdue",
			"PEP Compliance",
			"Exclusions by School",
			"Cohort Overview",
		)
	}
	floor_queries = floors(funding_year)
	rows = []
	for name, function in {**reports, **paths}.items():
		row = {"path": name, **_summary(_timed(function, runs))}
		if name in floor_queries:
			row["floor_ms"] = _summary(_timed(floor_queries[name], runs))["median_ms"]
			row["ratio"] = round(row["median_ms"] / max(row["floor_ms"], 0.01), 1)
		rows.append(row)
	result = {
		"site": frappe.local.site,
		"scale": scale,
		"runs": runs,
		"children": frappe.db.count("Child"),
		"generated": generated,
		"at": datetime.now().isoformat(timespec="seconds"),
		"rows": rows,
	}
	path = Path(frappe.get_site_path("private", "benchmarks"))
	path.mkdir(parents=True, exist_ok=True)
	out = path / f"benchmark-{scale}-{datetime.now():%Y%m%d-%H%M%S}.json"
	out.write_text(json.dumps(result, indent=1))
	result["json"] = str(out)
	return result


def format_table(result: dict) -> str:
	lines = [
		f"virtual_school benchmark: {result['children']:,} children, scale {result['scale']}, {result['runs']} runs",
		f"{'path':40} {'median ms':>10} {'p95 ms':>10} {'floor ms':>10} {'÷ floor':>8}",
	]
	for row in result["rows"]:
		lines.append(
			f"{row['path']:40} {row['median_ms']:>10.1f} {row['p95_ms']:>10.1f} "
			f"{row.get('floor_ms', float('nan')):>10.1f} {row.get('ratio', float('nan')):>8.1f}"
		)
	lines.append(f"JSON: {result['json']}")
	return "\n".join(lines)
