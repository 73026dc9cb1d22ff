"""Demo data from the two feeds a virtual school lives on: weekly attendance from schools and the
looked-after list from social care (SSDA903).

- ``create_attendance``: this academic year's weeks so far for the children on roll (every looked-after
  child and a sample of the other cohorts), with the absence patterns a real cohort has (most attending,
  some persistently or severely absent, a few suspended, a few whose school stopped sending returns), so
  the Attendance Overview, the missing-education report and the daily flags all show real figures.
- ``write_source_files``: 903-shaped header and episodes files (new children, plus rows with the usual
  mistakes) and a school's attendance return, saved as private files on draft Import Logs (Head and Managers only)
  so the team can try the SSDA903 import and the attendance import/portal upload on the demo site.
"""

import random
from datetime import date, timedelta

import frappe
from frappe.utils import getdate, today

from virtual_school.attendance.services import apply_plan, record_row
from virtual_school.calendar.clocks import get_school_calendar
from virtual_school.children.vocabulary import LOOKED_AFTER
from virtual_school.devtools.ssda903_extract import csv_bytes, large_extract
from virtual_school.domain import attendance as rules
from virtual_school.domain import school_days, ssda903, upn
from virtual_school.virtual_school.doctype.import_log.import_log import attach_source, new_log

OTHER_COHORT_SAMPLE = 0.25
# (share of children, lowest and highest attendance rate)
PATTERNS = ((0.70, 0.95, 1.0), (0.18, 0.80, 0.92), (0.05, 0.30, 0.55), (0.07, 0.90, 1.0))
STOPPED = 3  # the last pattern: the school stopped sending this child's returns three weeks ago


def weeks_so_far(on_date: date) -> list[tuple[date, int]]:
	"""(Monday, school days) for each completed week of the academic year up to ``on_date``."""
	calendar = get_school_calendar()
	first_day, _last = school_days.academic_year_bounds(school_days.academic_year_of(on_date))
	monday = first_day - timedelta(days=first_day.weekday())
	weeks = []
	while monday + timedelta(days=4) < on_date:
		days = sum(school_days.is_school_day(monday + timedelta(days=d), calendar) for d in range(5))
		if days and rules.week_academic_year(monday) == school_days.academic_year_of(on_date):
			weeks.append((monday, days))
		monday += timedelta(days=7)
	return weeks


def create_attendance(rng: random.Random, on_date: date | None = None) -> int:
	"""Weekly attendance records for this academic year so far; returns how many were written."""
	on_date = getdate(on_date or today())
	weeks = weeks_so_far(on_date)
	if not weeks:
		return 0
	child = frappe.qb.DocType("Child")
	placement = frappe.qb.DocType("Education Placement")
	on_roll = (
		frappe.qb.from_(child)
		.join(placement)
		.on((placement.child == child.name) & (placement.school == child.current_school))
		.select(
			child.name,
			child.full_name,
			child.upn,
			child.cohort,
			child.current_school,
			child.current_school_name,
			placement.start_date,
		)
		.where(
			(child.status == "Active")
			& child.current_school.isnotnull()
			& placement.end_date.isnull()
			& child.upn.isnotnull()
		)
		.run(as_dict=True)
	)
	rows, seen = [], set()
	for pupil in on_roll:
		if pupil.name in seen or (pupil.cohort != LOOKED_AFTER and rng.random() > OTHER_COHORT_SAMPLE):
			continue
		seen.add(pupil.name)
		pattern = rng.choices(PATTERNS, weights=[share for share, _low, _high in PATTERNS])[0]
		rate = rng.uniform(pattern[1], pattern[2])
		pupil_weeks = [(m, d) for m, d in weeks if m + timedelta(days=4) >= getdate(pupil.start_date)]
		if pattern is PATTERNS[-1]:
			pupil_weeks = pupil_weeks[:-STOPPED]
		for monday, days in pupil_weeks:
			week = rules.WeekReturn(0, pupil.upn, monday, week_counts(rng, 2 * days, rate))
			rows.append(record_row(week, pupil, pupil.current_school, pupil.current_school_name))
	apply_plan({"create": rows, "update": [], "unchanged": [], "rejected": []}, "Desk import")
	return len(rows)


def week_counts(rng: random.Random, possible: int, rate: float) -> rules.SessionCounts:
	attended = sum(rng.random() < rate for _ in range(possible))
	missed = possible - attended
	suspended = min(missed, 2 * rng.randint(1, 2)) if missed and rng.random() < 0.03 else 0
	unauthorised = rng.randint(0, missed - suspended) if missed - suspended else 0
	return rules.SessionCounts(possible, attended, missed - unauthorised, unauthorised, suspended)


# --- source files ----------------------------------------------------------------------------------------


def ssda903_files(rng: random.Random, on_date: date, schools: list[str], home_la: str) -> tuple[bytes, bytes]:
	"""Header and episodes files for 24 children new to the site, plus three rows with common mistakes:
	an unknown legal status, an episode ending before it starts, and a child with no header row."""
	header = [[*ssda903.HEADER_COLUMNS, *ssda903.HEADER_OPTIONAL_COLUMNS]]
	episodes = [list(ssda903.EPISODES_COLUMNS)]
	ethnic = ("WBRI", "WOTH", "MWBC", "BAFR", "ASIN", "OOTH")
	for number in range(1, 25):
		child = f"90{number:04d}"
		born = on_date - timedelta(days=rng.randint(5 * 365, 15 * 365))
		body = f"{home_la}9{number:03d}{born.year % 100:02d}{number:03d}"
		header.append(
			[
				child,
				rng.choice("MF"),
				f"{born:%d/%m/%Y}",
				rng.choice(ethnic),
				upn.check_letter(body) + body,
				"",
				"",
			]
		)
		started = on_date - timedelta(days=rng.randint(60, 900))
		moved = started + timedelta(days=rng.randint(20, 50))
		episodes.append(
			[
				child,
				f"{started:%d/%m/%Y}",
				"S",
				"V2",
				"N1",
				"U6",
				"PR1",
				f"{moved:%d/%m/%Y}",
				"X1",
				"",
				"CT1 1AA",
				"CT2 7NR",
				rng.choice(schools),
			]
		)
		episodes.append(
			[
				child,
				f"{moved:%d/%m/%Y}",
				"L",
				"C2",
				"N1",
				"U4",
				"PR1",
				"",
				"",
				"",
				"CT1 1AA",
				"ME15 6AA",
				rng.choice(schools),
			]
		)
	started = on_date - timedelta(days=100)
	header.append(["900025", "F", "01/02/2015", "WBRI", "UN1", "", ""])
	episodes.append(["900025", f"{started:%d/%m/%Y}", "S", "Q9", "N1", "U6", "PR1", "", "", "", "", "", ""])
	header.append(["900026", "M", "03/04/2013", "WBRI", "UN1", "", ""])
	episodes.append(
		[
			"900026",
			f"{started:%d/%m/%Y}",
			"S",
			"C2",
			"N1",
			"U6",
			"PR1",
			f"{started - timedelta(days=5):%d/%m/%Y}",
			"E4A",
			"",
			"",
			"",
			"",
		]
	)
	episodes.append(["900099", f"{started:%d/%m/%Y}", "S", "C2", "N1", "U6", "PR1", "", "", "", "", "", ""])
	return csv_bytes(header), csv_bytes(episodes)


def large_ssda903_extract(
	children: int,
	seed: int = 903,
	on_date: date | None = None,
	home_la: str = "373",
	id_prefix: str = "L",
	changed: bool = False,
) -> tuple[bytes, bytes, bytes]:
	"""Header, episodes (with PL_LA) and reviews files for a large council, as of the site's today unless
	``on_date`` is given (``devtools.ssda903_extract.large_extract``; ``changed``: the same children, every one
	of them changed). The issue #19 scale case is ``large_ssda903_extract(15000)``: ~60,000 episodes, ~50,000
	reviews."""
	return large_extract(
		children,
		on_date or getdate(today()),
		seed=seed,
		home_la=home_la,
		id_prefix=id_prefix,
		changed=changed,
	)


def attendance_file(school: str, on_date: date) -> bytes | None:
	"""The school's return for its pupils' last completed week, as register codes (a portal upload)."""
	weeks = weeks_so_far(on_date)
	if not weeks:
		return None
	monday, days = weeks[-1]
	pupils = frappe.get_all(
		"Child", filters={"current_school": school, "status": "Active", "upn": ["is", "set"]}, pluck="upn"
	)
	rows = [["UPN", "Week Starting", "Session Codes"]]
	for number, pupil_upn in enumerate(sorted(pupils)):
		marks = ["/", "\\"] * days
		if number % 4 == 1:
			marks[2:4] = ["I", "I"]
		if number % 6 == 2:
			marks[-1] = "N"
		rows.append([pupil_upn, f"{monday:%d/%m/%Y}", " ".join(marks)])
	rows.append(["A123456789012", f"{monday:%d/%m/%Y}", "/ \\ / \\"])  # fails its check letter
	return csv_bytes(rows)


def write_source_files(rng: random.Random, schools: list[str], home_la: str, portal_school: str) -> list[str]:
	"""Save the demo source files, private, on draft Import Logs (one SSDA903, one attendance) to try the
	imports with: open the log, Preview, Import. Returns the new files' URLs."""

	on_date = getdate(today())
	header, episodes = ssda903_files(rng, on_date, schools, home_la)
	runs = [
		(
			"SSDA903",
			{},
			[
				("header_file", "demo-ssda903-header.csv", header),
				("episodes_file", "demo-ssda903-episodes.csv", episodes),
			],
		)
	]
	returns = attendance_file(portal_school, on_date)
	if returns:
		runs.append(
			(
				"Attendance",
				{"academic_year": school_days.academic_year_of(on_date), "school": portal_school},
				[("source_file", f"demo-attendance-{portal_school}.csv", returns)],
			)
		)
	urls = []
	for import_type, values, files in runs:
		if frappe.db.exists("File", {"file_name": files[0][1], "attached_to_doctype": "Import Log"}):
			continue
		log = new_log(import_type, "Desk", **values)
		urls.extend(
			attach_source(log, fieldname, file_name, content) for fieldname, file_name, content in files
		)
	return urls
