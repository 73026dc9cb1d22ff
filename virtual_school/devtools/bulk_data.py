"""National-scale benchmark data, written with multi-row INSERTs (no controllers, no per-row ``insert()``).

``generate(fraction)`` writes, at ``fraction=1``: ~24,500 schools, 82,000 looked-after children and 400,000
children with a social worker (with status history), ~1.5 M education placements, school place requests in
every state (with approaches and escalations), PEPs, PP+ claims in every state with payment batches, and
exclusions, and this academic year's weekly attendance so far (every looked-after child on roll and a quarter
of the others, as the demo does). Every standard column (name, creation, modified, owner, modified_by, docstatus, idx) is set.

Derived fields are computed here the way the controllers and the daily refresh compute them, so the data
looks as if it had been entered through the desk: ``Child.current_school`` (and name, attendance basis,
placement) is the placement on roll today (``placements.refresh_current_school``), year group and key stage
come from ``school_days`` (``placements.refresh_year_groups``), ``out_of_authority`` is resident LA ≠
responsible LA (``Child.validate``), and the copied names (``child_name``, ``school_name``, ``caseworker_name``)
are the linked records' own. A tier-2 test re-runs the set-based refreshes on a tiny generated set and checks
that nothing changes.

Rows go through the database cursor's ``executemany``, which PyMySQL sends as multi-row INSERT statements.
"""

import random
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import cache

import frappe
from frappe.utils import getdate, now_datetime, today

from virtual_school.admissions.place_requests import refresh_place_request_clocks
from virtual_school.admissions.vocabulary import OPEN_STATES
from virtual_school.attendance.services import (
	absence_concerns,
	escalated_keys,
	half_terms,
	missing_attendance_concerns,
	rebuild_attendance_totals,
	record_name,
)
from virtual_school.children.vocabulary import LOOKED_AFTER, NOT_OF_SCHOOL_AGE
from virtual_school.devtools.demo_sources import (
	OTHER_COHORT_SAMPLE,
	PATTERNS,
	STOPPED,
	week_counts,
	weeks_so_far,
)
from virtual_school.domain import attendance as rules
from virtual_school.domain import gias_mapping, pp_plus_budget, school_days
from virtual_school.pp_plus.vocabulary import COMMITTED_STATES
from virtual_school.setup import roles

MARK = "NAT-"  # social_care_id prefix of generated children: the site "has national data" when present
FULL_SCALE = {"schools": 24_500, "looked_after": 82_000, "with_social_worker": 400_000}
CASELOAD = 60  # looked-after children per caseworker
BENCH_DOMAIN = "national.bench.test"
PORTAL_BENCH_USER = f"portal@{BENCH_DOMAIN}"
CASEWORKER_BENCH_USER = f"caseworker-0001@{BENCH_DOMAIN}"
MANAGER_BENCH_USER = f"manager@{BENCH_DOMAIN}"
BATCH = 5_000
OVERDUE_REASON = "Overdue: opened by the daily sweep."

FIRST_NAMES = (
	"Aaliyah Ada Alfie Amara Amelia Archie Aria Ava Bella Ben Callum Charlie Chloe Daisy Dylan Ella Ellie "
	"Emily Ethan Evie Finley Freddie Freya George Grace Harry Harvey Isaac Isla Ivy Jack Jacob Jake Jasmine "
	"Jayden Kai Lacey Layla Leo Lily Logan Luca Lucas Maisie Mason Mia Millie Mohammed Nathan Noah Olivia "
	"Oscar Phoebe Poppy Reggie Riley Rosie Ruby Sienna Sofia Teddy Theo Tommy Tyler Zara Zain"
).split()
LAST_NAMES = (
	"Ahmed Allen Bailey Baker Begum Bell Brown Carter Clarke Collins Cook Cooper Davies Davis Edwards Evans "
	"Fisher Green Hall Harris Hill Hughes Hussain Jackson James Johnson Jones Khan King Lee Lewis Marshall "
	"Martin Mitchell Moore Morgan Morris Murphy Nowak Parker Patel Phillips Price Roberts Robinson Rogers "
	"Scott Shaw Smith Stevens Taylor Thomas Thompson Turner Walker Ward Watson White Williams Wilson Wood"
).split()


def school_kinds(rows) -> tuple:
	"""(type group, establishment type, admissions route, phase, weight) for each (type group, establishment
	type, phase, weight) row: the admissions route is GIAS mapping's (domain.gias_mapping), never chosen here.
	The demo uses it too, with its own weights."""
	return tuple(
		(group, kind, gias_mapping.admissions_route_for(group, kind), phase, weight)
		for group, kind, phase, weight in rows
	)


# (type group, establishment type, phase, weight)
SCHOOL_KINDS = school_kinds(
	(
		("Local authority maintained schools", "Community school", "Primary", 34),
		("Local authority maintained schools", "Voluntary aided school", "Primary", 10),
		("Local authority maintained schools", "Foundation school", "Secondary", 4),
		("Academies", "Academy converter", "Primary", 24),
		("Academies", "Academy converter", "Secondary", 14),
		("Free Schools", "Free schools", "Secondary", 2),
		("Special schools", "Community special school", "All-through", 5),
		("Local authority maintained schools", "Pupil referral unit", "Not applicable", 1),
		("Independent schools", "Other independent school", "All-through", 6),
	)
)
LOOKED_AFTER_STATUSES = (
	"C2 - Full care order",
	"C1 - Interim care order",
	"V2 - Single period of accommodation under section 20",
	"E1 - Placement order granted",
)
OTHER_COHORTS = (
	("Child with a Social Worker", ("Child in need plan", "Child protection plan"), 80),
	("Kinship Care", ("Kinship care arrangement",), 10),
	("Previously Looked After", ("Adoption order", "Special guardianship order"), 10),
)
# School place request states, weighted: most requests are closed (placed); open ones in every state.
REQUEST_STATES = (
	("Draft", 3),
	("Requested", 6),
	("Offered", 3),
	("Refused", 3),
	("Escalated", 3),
	("Direction Consulted", 1),
	("Directed", 1),
	("Referred to Secretary of State", 1),
	("Placed", 70),
	("Withdrawn", 9),
)
ESCALATED_STATES = ("Escalated", "Direction Consulted", "Directed", "Referred to Secretary of State")
PEP_STATES = (("Approved", 70), ("Submitted", 8), ("QA Review", 6), ("Returned", 4), ("Draft", 12))
CLAIM_STATES = (
	("Draft", 5),
	("Submitted", 8),
	("Under Review", 5),
	("Returned", 2),
	("Approved", 30),
	("Rejected", 5),
	("Paid", 45),
)
CLAIM_CATEGORIES = ("Tuition", "Mentoring", "Therapy and wellbeing", "Resources", "Enrichment")
EXCLUSION_REASONS = (
	"Persistent or general disruptive behaviour",
	"Verbal abuse or threatening behaviour against an adult",
	"Physical assault against a pupil",
	"Damage",
	"Drug and alcohol related",
)


def has_national_data() -> bool:
	return bool(frappe.db.exists("Child", {"social_care_id": ["like", f"{MARK}%"]}))


def _weighted(rng: random.Random, options: tuple) -> list:
	"""A cumulative-weight table for ``rng.choices`` (cheaper than weights on every call)."""
	values = [option[0] for option in options]
	total, cumulative = 0, []
	for option in options:
		total += option[-1]
		cumulative.append(total)
	return values, cumulative


class Writer:
	"""Multi-row INSERTs with every standard column set; counts rows and time."""

	def __init__(self, now: datetime, owner: str = "Administrator", commit: bool = True):
		self.now, self.owner, self.commit = now, owner, commit
		self.rows = 0
		self.by_doctype: dict[str, int] = defaultdict(int)
		self.insert_seconds = 0.0

	def insert(self, doctype: str, fields: list[str], rows: list[tuple], child: bool = False) -> None:
		"""``rows`` hold ``name`` first, then ``fields``; child rows hold parent, parenttype, parentfield, idx next."""
		if not rows:
			return
		standard = ["name", "creation", "modified", "owner", "modified_by", "docstatus"]
		if child:
			columns = [*standard, "parent", "parenttype", "parentfield", "idx", *fields]
		else:
			columns = [*standard, "idx", *fields]
		sql = "insert into `tab{}` ({}) values ({})".format(
			doctype, ", ".join(f"`{column}`" for column in columns), ", ".join(["%s"] * len(columns))
		)
		now, owner = self.now, self.owner
		started = time.perf_counter()
		cursor = frappe.db._cursor
		for start in range(0, len(rows), BATCH):
			chunk = rows[start : start + BATCH]
			if child:
				cursor.executemany(sql, [(row[0], now, now, owner, owner, row[1], *row[2:]) for row in chunk])
			else:
				cursor.executemany(
					sql, [(row[0], now, now, owner, owner, row[1], 0, *row[2:]) for row in chunk]
				)
		if self.commit:
			frappe.db.commit()
		self.insert_seconds += time.perf_counter() - started
		self.rows += len(rows)
		self.by_doctype[doctype] += len(rows)


def _series_next(prefix: str) -> int:
	found = frappe.db.sql("select current from tabSeries where name = %s", prefix)
	return int(found[0][0] if found else 0) + 1


def _set_series(prefix: str, current: int) -> None:
	if frappe.db.sql("select 1 from tabSeries where name = %s", prefix):
		frappe.db.sql("update tabSeries set current = %s where name = %s", (current, prefix))
	else:
		frappe.db.sql("insert into tabSeries (name, current) values (%s, %s)", (prefix, current))


def generate(fraction: float = 1.0, seed: int = 2026, log=None, commit: bool = True) -> dict:
	"""Write the national dataset (or ``fraction`` of it). Returns counts, seconds and rows/s."""
	log = log or (lambda message: None)
	started = time.perf_counter()
	rng = random.Random(seed)
	on_date = getdate(today())
	now = now_datetime()
	writer = Writer(now, commit=commit)
	scale = {key: max(1, round(value * fraction)) for key, value in FULL_SCALE.items()}
	scale["schools"] = max(scale["schools"], 20)
	funding_year = _ensure_funding_year(on_date)

	las = frappe.get_all("Local Authority", pluck="name", order_by="name") or ["886"]
	schools = _schools(rng, writer, las, scale["schools"])
	log(f"schools: {len(schools):,}")
	caseworkers = _users(writer, max(1, scale["looked_after"] // CASELOAD), schools[0])
	children = _children_and_placements(rng, writer, schools, caseworkers, las, scale, on_date)
	log(f"children and placements: {writer.rows:,} rows")
	_place_requests_and_escalations(rng, writer, children, schools, on_date)
	_peps(rng, writer, children, on_date)
	_claims_and_payments(rng, writer, children, funding_year, on_date)
	_exclusions(rng, writer, children, on_date)
	attendance(rng, writer, on_date)
	settle(writer, on_date)
	if commit:
		frappe.db.commit()
	seconds = time.perf_counter() - started
	return {
		"fraction": fraction,
		"rows": writer.rows,
		"by_doctype": dict(writer.by_doctype),
		"seconds": round(seconds, 1),
		"insert_seconds": round(writer.insert_seconds, 1),
		"rows_per_second": round(writer.rows / max(seconds, 0.001)),
	}


def _ensure_funding_year(on_date: date) -> str:
	label = pp_plus_budget.financial_year_of(on_date)
	if not frappe.db.exists("PP Plus Funding Year", label):
		frappe.get_doc({"doctype": "PP Plus Funding Year", "label": label, "rate_per_child": 2630}).insert(
			ignore_permissions=True
		)
	if not frappe.db.get_single_value("Virtual School Settings", "current_funding_year"):
		frappe.db.set_single_value("Virtual School Settings", "current_funding_year", label)
	return label


def _schools(rng, writer, las, count) -> list[dict]:
	kinds, cumulative = _weighted(rng, SCHOOL_KINDS)
	kinds = list(SCHOOL_KINDS)
	first_urn = 300000 + int(frappe.db.sql("select count(*) from tabSchool")[0][0])
	schools, rows = [], []
	for index in range(count):
		group, establishment_type, route, phase, _weight = rng.choices(kinds, cum_weights=cumulative)[0]
		urn = str(first_urn + index)
		la = las[index % len(las)]
		name = f"{rng.choice(LAST_NAMES)} {'Academy' if group == 'Academies' else phase + ' School'} {urn}"
		schools.append({"name": urn, "school_name": name, "la": la, "route": route})
		rows.append(
			(
				urn,
				0,
				urn,
				name,
				"Open",
				route,
				la,
				establishment_type,
				group,
				phase,
				f"0{rng.randint(1000, 9999)} 000000",
			)
		)
	writer.insert(
		"School",
		[
			"urn",
			"school_name",
			"status",
			"admissions_route",
			"la",
			"establishment_type",
			"type_group",
			"phase",
			"telephone",
		],
		rows,
	)
	return schools


def _users(writer, count: int, portal_school: dict) -> list[tuple[str, str]]:
	"""Caseworkers (bulk), one manager and one portal user for the benchmark. Returns (email, full name)."""
	existing = set(frappe.get_all("User", filters={"name": ["like", f"%@{BENCH_DOMAIN}"]}, pluck="name"))
	users, user_rows, role_rows = [], [], []
	for number in range(1, count + 1):
		email = f"caseworker-{number:04d}@{BENCH_DOMAIN}"
		first, last = FIRST_NAMES[number % len(FIRST_NAMES)], LAST_NAMES[number % len(LAST_NAMES)]
		users.append((email, f"{first} {last}"))
		if email in existing:
			continue
		user_rows.append(
			(email, 0, email, first, last, f"{first} {last}", "System User", 1, "en", "Europe/London")
		)
		role_rows.append(
			(frappe.generate_hash(length=12), 0, email, "User", "roles", 1, roles.VIRTUAL_SCHOOL_CASEWORKER)
		)
	# Dated a day back: Frappe refuses to create more users while over 60 were created in the last hour.
	users_writer = Writer(writer.now - timedelta(days=1), commit=writer.commit)
	users_writer.insert(
		"User",
		["email", "first_name", "last_name", "full_name", "user_type", "enabled", "language", "time_zone"],
		user_rows,
	)
	users_writer.insert("Has Role", ["role"], role_rows, child=True)
	writer.rows += users_writer.rows
	writer.insert_seconds += users_writer.insert_seconds
	for doctype, count in users_writer.by_doctype.items():
		writer.by_doctype[doctype] += count
	for email, role, user_type in (
		(MANAGER_BENCH_USER, roles.VIRTUAL_SCHOOL_MANAGER, "System User"),
		(PORTAL_BENCH_USER, roles.SCHOOL_PORTAL_USER, "Website User"),
	):
		if email not in existing:
			frappe.flags.in_import = True  # the bulk-written caseworkers would trip User's creation throttle
			user = frappe.get_doc(
				{
					"doctype": "User",
					"email": email,
					"first_name": "Benchmark",
					"last_name": role,
					"user_type": user_type,
					"enabled": 1,
					"send_welcome_email": 0,
					"roles": [{"role": role}],
				}
			)
			user.flags.no_welcome_mail = True
			try:
				user.insert(ignore_permissions=True)
			finally:
				frappe.flags.in_import = False
	return users


@cache
def _year_group(date_of_birth: date, on_date: date) -> tuple[str, str]:
	return (
		school_days.year_group_label(date_of_birth, on_date),
		school_days.key_stage_label(date_of_birth, on_date),
	)


def _children_and_placements(rng, writer, schools, caseworkers, las, scale, on_date) -> list[tuple]:
	"""Children, their status history and placement histories; current school derived as the refresh does."""
	looked_after, total = scale["looked_after"], scale["looked_after"] + scale["with_social_worker"]
	schools_by_la = defaultdict(list)
	for school in schools:
		schools_by_la[school["la"]].append(school)
	school_las = [la for la in las if schools_by_la.get(la)]
	cohorts, cohort_weights = _weighted(rng, OTHER_COHORTS)
	legal = {cohort: statuses for cohort, statuses, _weight in OTHER_COHORTS}
	first_child, first_placement = _series_next("CH-"), _series_next("EP-")
	placement_number = first_placement - 1
	child_rows, history_rows, placement_rows, children = [], [], [], []
	genders = ("Female", "Male")
	sen = ("None", "None", "None", "SEN support", "EHC plan")
	bases = ("Full time",) * 18 + ("Part time", "Alternative provision")
	moves_choice = (1, 2, 3, 4, 5, 6)
	moves_cumulative = (15, 35, 60, 80, 92, 100)
	randint, random_, choice = rng.randint, rng.random, rng.choice
	for offset in range(total):
		number = first_child + offset
		name = f"CH-{number:06d}"
		is_looked_after = offset < looked_after
		if is_looked_after:
			cohort, legal_status = LOOKED_AFTER, choice(LOOKED_AFTER_STATUSES)
			state = "Active" if random_() < 0.93 else choice(("Referred", "Closure Requested"))
			caseworker, caseworker_name = caseworkers[offset % len(caseworkers)]
		else:
			cohort = rng.choices(cohorts, cum_weights=cohort_weights)[0]
			legal_status, state = choice(legal[cohort]), "Active"
			caseworker = caseworker_name = None
		date_of_birth = on_date - timedelta(days=randint(3 * 365, 18 * 365))
		year_group, key_stage = _year_group(date_of_birth, on_date)
		first_name, last_name = choice(FIRST_NAMES), choice(LAST_NAMES)
		responsible = school_las[offset % len(school_las)]
		resident = choice(school_las) if is_looked_after and random_() < 0.3 else responsible
		entered_care = date_of_birth + timedelta(days=randint(100, 900)) if is_looked_after else None
		# Placement history, built backwards from today: the last one is on roll unless the child is in a gap.
		current = None
		if key_stage not in NOT_OF_SCHOOL_AGE:
			pool = schools_by_la[resident]
			earliest = date_of_birth + timedelta(days=4 * 365 + 240)
			moves = rng.choices(moves_choice, cum_weights=moves_cumulative)[0]
			in_gap = is_looked_after and random_() < 0.06
			end = on_date - timedelta(days=randint(5, 60)) if in_gap else None
			start = (end or on_date) - timedelta(days=randint(30, 700))
			history = []
			for _move in range(moves):
				if start < earliest:
					if history:
						break
					# the first school place of a Reception child: this term, not this week
					start = min(earliest, (end or on_date) - timedelta(days=30))
				placement_number += 1
				school = choice(pool)
				history.append((f"EP-{placement_number:07d}", school, start, end, choice(bases)))
				end = start - timedelta(days=choice((1, 1, 1, 3, 8, 20, 35)))
				start = end - timedelta(days=randint(60, 500))
			for index, (placement, school, start, end, basis) in enumerate(history):
				reason = None if end is None else ("Care placement move" if index % 2 else "Moved school")
				placement_rows.append(
					(
						placement,
						f"{first_name} {last_name}",
						name,
						school["name"],
						school["school_name"],
						start,
						end,
						basis,
						reason,
					)
				)
			if history and history[0][3] is None:
				current = history[0]
		child_rows.append(
			(
				name,
				first_name,
				last_name,
				f"{first_name} {last_name}",
				date_of_birth,
				choice(genders),
				choice(sen),
				cohort,
				legal_status,
				f"{MARK}{number:07d}",
				entered_care,
				responsible,
				resident,
				int(resident != responsible),
				caseworker,
				caseworker_name,
				year_group,
				key_stage,
				current and current[1]["name"],
				current and current[1]["school_name"],
				current and current[4],
				current and current[0],
				"Active",
				state,
			)
		)
		history_rows.append(
			(
				frappe.generate_hash(length=12),
				0,
				name,
				"Child",
				"status_history",
				1,
				state,
				writer.now,
				"Administrator",
			)
		)
		children.append(
			(
				name,
				f"{first_name} {last_name}",
				cohort,
				caseworker,
				year_group,
				key_stage,
				current and current[1],
				is_looked_after,
				current and current[2],
			)
		)
		if len(placement_rows) >= 50_000:
			_flush_children(writer, child_rows, history_rows, placement_rows)
	_flush_children(writer, child_rows, history_rows, placement_rows)
	_set_series("CH-", first_child + total - 1)
	_set_series("EP-", placement_number)
	return children


def _flush_children(writer, child_rows, history_rows, placement_rows) -> None:
	writer.insert(
		"Child",
		[
			"first_name",
			"last_name",
			"full_name",
			"date_of_birth",
			"gender",
			"sen_provision",
			"cohort",
			"legal_status",
			"social_care_id",
			"date_entered_care",
			"responsible_la",
			"resident_la",
			"out_of_authority",
			"caseworker",
			"caseworker_name",
			"year_group",
			"key_stage",
			"current_school",
			"current_school_name",
			"current_attendance_basis",
			"current_placement",
			"status",
			"workflow_state",
		],
		[(row[0], 0, *row[1:]) for row in child_rows],
	)
	writer.insert("Child Status History", ["state", "changed_on", "changed_by"], history_rows, child=True)
	writer.insert(
		"Education Placement",
		[
			"child_name",
			"child",
			"school",
			"school_name",
			"start_date",
			"end_date",
			"attendance_basis",
			"reason_for_leaving",
		],
		[(row[0], 0, *row[1:]) for row in placement_rows],
	)
	child_rows.clear()
	history_rows.clear()
	placement_rows.clear()


def _place_requests_and_escalations(rng, writer, children, schools, on_date) -> None:
	"""Open requests for looked-after children without a place; closed (placed/withdrawn) ones for others."""
	states, cumulative = _weighted(rng, REQUEST_STATES)
	number, escalation = _series_next("SPR-") - 1, _series_next("ESC-") - 1
	requests, approaches, escalations = [], [], []
	by_route = defaultdict(list)
	for school in schools:
		by_route[school["route"]].append(school)
	for child in children:
		name, child_name, cohort, caseworker, year_group, key_stage, school, is_looked_after, _basis = child
		if not is_looked_after or key_stage in NOT_OF_SCHOOL_AGE:
			continue
		if school is None:
			state = rng.choices(states, cum_weights=cumulative)[0]
			while state in ("Placed", "Withdrawn"):
				state = rng.choices(states, cum_weights=cumulative)[0]
		elif rng.random() < 0.08:
			state = "Placed" if rng.random() < 0.9 else "Withdrawn"
		else:
			continue
		number += 1
		request = f"SPR-{number:06d}"
		date_needed = on_date - timedelta(days=rng.randint(5, 80))
		asked = rng.choice(by_route["LA may direct"] or schools)
		refused = state in ("Refused", *ESCALATED_STATES)
		offered = state in ("Offered", "Placed")
		level = {
			"Escalated": 1,
			"Direction Consulted": 2,
			"Directed": 2,
			"Referred to Secretary of State": 2,
		}.get(state, 0)
		admitting = school if state == "Placed" else None
		requests.append(
			(
				request,
				0,
				name,
				child_name,
				caseworker,
				year_group,
				key_stage,
				cohort,
				date_needed,
				rng.choice(("Entered care", "Care placement move", "Exclusion")),
				date_needed + timedelta(days=28),
				int(offered),
				int(refused),
				asked["name"] if refused else None,
				asked["route"] if refused else None,
				level,
				admitting and admitting["name"],
				admitting and admitting["school_name"],
				state,
			)
		)
		response = "Refused" if refused else "Offered" if offered else "Awaiting"
		approaches.append(
			(
				frappe.generate_hash(length=12),
				0,
				request,
				"School Place Request",
				"approaches",
				1,
				asked["name"],
				asked["school_name"],
				asked["route"],
				date_needed,
				response,
				date_needed + timedelta(days=4) if response != "Awaiting" else None,
			)
		)
		if level:
			escalation += 1
			escalations.append(
				(
					f"ESC-{escalation:06d}",
					0,
					"School Place Request",
					request,
					name,
					child_name,
					level,
					"Open",
					caseworker,
					date_needed + timedelta(days=10),
					on_date + timedelta(days=rng.randint(1, 10)),
					date_needed + timedelta(days=10),
					"School place refused; no place within the target.",
					"Level 1 - Caseworker" if level == 1 else "Level 2 - VS Manager",
				)
			)
	writer.insert(
		"School Place Request",
		[
			"child",
			"child_name",
			"caseworker",
			"year_group",
			"key_stage",
			"cohort",
			"date_needed",
			"reason",
			"target_date",
			"has_offer",
			"has_refusal",
			"refusing_school",
			"refusing_school_route",
			"escalation_level",
			"admitting_school",
			"admitting_school_name",
			"workflow_state",
		],
		requests,
	)
	writer.insert(
		"School Place Approach",
		["school", "school_name", "admissions_route", "date_asked", "response", "response_date"],
		approaches,
		child=True,
	)
	writer.insert(
		"Escalation",
		[
			"reference_doctype",
			"reference_name",
			"child",
			"child_name",
			"level",
			"status",
			"escalation_owner",
			"opened_on",
			"due_date",
			"last_raised_on",
			"reason",
			"workflow_state",
		],
		escalations,
	)
	_set_series("SPR-", number)
	_set_series("ESC-", escalation)


def _peps(rng, writer, children, on_date) -> None:
	"""Two PEPs per looked-after child at school: last term's (mostly approved) and this term's."""
	states, cumulative = _weighted(rng, PEP_STATES)
	year = school_days.academic_year_of(on_date)
	number, rows = _series_next("PEP-") - 1, []
	for child in children:
		name, child_name, _cohort, caseworker, _year_group, key_stage, school, is_looked_after, _basis = child
		if not is_looked_after or school is None:
			continue
		for term, due_offset in (("Summer", -150), ("Autumn", rng.randint(-30, 45))):
			number += 1
			due = on_date + timedelta(days=due_offset)
			state = "Approved" if due_offset == -150 else rng.choices(states, cum_weights=cumulative)[0]
			rows.append(
				(
					f"PEP-{number:06d}",
					0,
					name,
					child_name,
					caseworker,
					key_stage,
					school["name"],
					school["school_name"],
					year,
					term,
					due,
					due - timedelta(days=3) if state != "Draft" else None,
					due - timedelta(days=1) if state == "Approved" else None,
					0,
					state,
				)
			)
	writer.insert(
		"Personal Education Plan",
		[
			"child",
			"child_name",
			"caseworker",
			"key_stage",
			"school",
			"school_name",
			"academic_year",
			"term",
			"due_date",
			"meeting_date",
			"completed_on",
			"escalation_level",
			"workflow_state",
		],
		rows,
	)
	_set_series("PEP-", number)


def _claims_and_payments(rng, writer, children, funding_year, on_date) -> None:
	"""About one PP+ claim per looked-after child at school, in every state; paid ones in one batch per school."""
	states, cumulative = _weighted(rng, CLAIM_STATES)
	number, payment_number = _series_next("PPC-") - 1, _series_next("PPP-") - 1
	claims, paid_by_school = [], defaultdict(list)
	for child in children:
		name, child_name, _cohort, caseworker, _year_group, key_stage, school, is_looked_after, _basis = child
		if (
			not is_looked_after
			or school is None
			or key_stage not in ("KS1", "KS2", "KS3", "KS4")
			or rng.random() < 0.1
		):
			continue
		number += 1
		claim = f"PPC-{number:06d}"
		state = rng.choices(states, cum_weights=cumulative)[0]
		amount = rng.choice((150, 240, 300, 450, 600, 800))
		category = rng.choice(CLAIM_CATEGORIES)
		claim_date = on_date - timedelta(days=rng.randint(10, 150))
		claims.append(
			[
				claim,
				0,
				name,
				child_name,
				caseworker,
				school["name"],
				school["school_name"],
				funding_year,
				claim_date,
				pp_plus_budget.term_of(claim_date),
				amount,
				category,
				"Support agreed at the PEP meeting",
				"Reach the expected standard in reading",
				caseworker,
				caseworker if state != "Draft" else None,
				MANAGER_BENCH_USER if state in ("Approved", "Rejected", "Paid") else None,
				on_date - timedelta(days=5) if state in ("Approved", "Rejected", "Paid") else None,
				None,
				state,
			]
		)
		if state == "Paid":
			paid_by_school[school["name"]].append((claims[-1], school))
	payments, payment_claims = [], []
	for school_name, paid in paid_by_school.items():
		payment_number += 1
		payment = f"PPP-{payment_number:06d}"
		school = paid[0][1]
		for idx, (claim, _school) in enumerate(paid, start=1):
			claim[-2] = payment
			payment_claims.append(
				(
					frappe.generate_hash(length=12),
					1,
					payment,
					"PP Plus Payment",
					"claims",
					idx,
					claim[0],
					claim[2],
					claim[11],
					claim[10],
				)
			)
		payments.append(
			(
				payment,
				1,
				school_name,
				school["school_name"],
				funding_year,
				on_date - timedelta(days=3),
				f"BACS-BENCH-{payment_number:06d}",
				sum(claim[10] for claim, _school in paid),
			)
		)
	writer.insert(
		"PP Plus Claim",
		[
			"child",
			"child_name",
			"caseworker",
			"school",
			"school_name",
			"funding_year",
			"claim_date",
			"term",
			"amount",
			"category",
			"description",
			"pep_target",
			"requester",
			"submitted_by",
			"approver",
			"decided_on",
			"payment",
			"workflow_state",
		],
		[tuple(claim) for claim in claims],
	)
	# Payments are submitted documents: docstatus 1 for the parent and its rows.
	writer.insert(
		"PP Plus Payment",
		["school", "school_name", "funding_year", "payment_date", "payment_reference", "total"],
		payments,
	)
	writer.insert(
		"PP Plus Payment Claim", ["claim", "child", "category", "amount"], payment_claims, child=True
	)
	_set_series("PPC-", number)
	_set_series("PPP-", payment_number)


def _exclusions(rng, writer, children, on_date) -> None:
	"""Suspensions (and a few permanent exclusions) for ~5% of children at school, this academic year."""
	year_start = school_days.academic_year_bounds(school_days.academic_year_of(on_date))[0]
	span = max(1, (on_date - year_start).days)
	number, rows = _series_next("EXC-") - 1, []
	for child in children:
		name, child_name, cohort, caseworker, _year_group, _key_stage, school, _looked_after, _basis = child
		if school is None or rng.random() >= 0.05:
			continue
		number += 1
		suspension = rng.random() < 0.93
		rows.append(
			(
				f"EXC-{number:06d}",
				0,
				name,
				child_name,
				cohort,
				caseworker,
				school["name"],
				school["school_name"],
				"Suspension" if suspension else "Permanent exclusion",
				year_start + timedelta(days=rng.randint(0, span)),
				rng.choice((1, 1, 2, 3, 5)) if suspension else 0,
				rng.choice(EXCLUSION_REASONS),
			)
		)
	writer.insert(
		"Exclusion",
		[
			"child",
			"child_name",
			"cohort",
			"caseworker",
			"school",
			"school_name",
			"exclusion_type",
			"start_date",
			"school_days",
			"reason",
		],
		rows,
	)
	_set_series("EXC-", number)


ATTENDANCE_FIELDS = (
	"child",
	"child_name",
	"cohort",
	"school",
	"school_name",
	"source",
	"week_starting",
	"academic_year",
	"term",
	"possible_sessions",
	"sessions_attended",
	"authorised_absence",
	"unauthorised_absence",
	"suspension_sessions",
	"attendance_percent",
)


def attendance(rng: random.Random, writer: Writer, on_date: date) -> int:
	"""This academic year's weeks so far for the pupils on roll, with the demo's absence patterns
	(``demo_sources``): every looked-after child and a sample of the other cohorts."""

	weeks = [
		(monday, days, rules.week_academic_year(monday), rules.term_for_week(monday, half_terms()))
		for monday, days in weeks_so_far(on_date)
	]
	if not weeks:
		return 0
	pupils = frappe.db.sql(
		"""select c.name, c.full_name, c.cohort, c.current_school, c.current_school_name, p.start_date
		from tabChild c join `tabEducation Placement` p on p.name = c.current_placement
		where c.status = 'Active' and c.current_school is not null and c.social_care_id like %s
		order by c.name""",
		f"{MARK}%",
	)
	patterns, pattern_weights = _weighted(rng, tuple((pattern, pattern[0]) for pattern in PATTERNS))
	random_, uniform = rng.random, rng.uniform
	rows, written = [], 0
	for child, child_name, cohort, school, school_name, start_date in pupils:
		if cohort != LOOKED_AFTER and random_() > OTHER_COHORT_SAMPLE:
			continue
		pattern = rng.choices(patterns, cum_weights=pattern_weights)[0]
		rate = uniform(pattern[1], pattern[2])
		pupil_weeks = [week for week in weeks if week[0] + timedelta(days=4) >= start_date]
		if pattern is PATTERNS[-1]:
			pupil_weeks = pupil_weeks[:-STOPPED]
		for monday, days, academic_year, term in pupil_weeks:
			counts = week_counts(rng, 2 * days, rate)
			rows.append(
				(
					record_name(child, school, monday),
					0,
					child,
					child_name,
					cohort,
					school,
					school_name,
					"Desk import",
					monday,
					academic_year,
					term,
					counts.possible,
					counts.attended,
					counts.authorised,
					counts.unauthorised,
					counts.suspended,
					rules.attendance_percent(counts.possible, counts.attended),
				)
			)
		if len(rows) >= 50_000:
			writer.insert("Attendance Record", list(ATTENDANCE_FIELDS), rows)
			written, rows = written + len(rows), []
	writer.insert("Attendance Record", list(ATTENDANCE_FIELDS), rows)
	# the totals the reports read (Attendance Term Total, Week Total): a set-based rebuild per year written
	rebuild_attendance_totals(sorted({academic_year for _monday, _days, academic_year, _term in weeks}))
	return written + len(rows)


def attendance_if_missing(log=None) -> dict:
	"""Add the attendance weeks (and settle their daily flags) to a national dataset generated without them."""
	if frappe.db.sql(
		"""select 1 from `tabAttendance Record` a join tabChild c on c.name = a.child
		where c.social_care_id like %s limit 1""",
		f"{MARK}%",
	):
		return {
			"generated": False,
			"note": f"attendance present: {frappe.db.count('Attendance Record'):,} weeks",
		}
	started = time.perf_counter()
	writer = Writer(now_datetime())
	on_date = getdate(today())
	rows = attendance(random.Random(2026), writer, on_date)
	(log or (lambda message: None))(f"attendance: {rows:,} weeks")
	settled = settle(writer, on_date)
	frappe.db.commit()
	seconds = time.perf_counter() - started
	return {
		"generated": True,
		"attendance_weeks": rows,
		"settled": settled,
		"seconds": round(seconds, 1),
		"rows_per_second": round(writer.rows / max(seconds, 0.001)),
	}


def settle(writer: Writer | None = None, on_date: date | None = None) -> dict:
	"""Bring the data to the state the daily jobs leave it in, in bulk (idempotent).

	A live site runs the daily sweep every day, so on any given morning it has little to do: the few
	requests, PEPs and impact reports that became overdue overnight. Generated data has never been swept, so
	this writes what the earlier sweeps would have: place-request clocks (the app's own set-based refresh), a
	level-1 escalation for each overdue open place request and unapproved PEP without one (held by the
	child's caseworker, as ``escalations.holder_for`` picks), one for each attendance concern the daily flags
	would open (``attendance.absence_concerns`` and ``missing_attendance_concerns``, with their trigger keys),
	and an accepted impact report for each school and ended term with funded claims. Without this the benchmark's "daily sweep" would time months of
	catch-up through per-document inserts instead of one day.
	"""

	on_date = on_date or getdate(today())
	writer = writer or Writer(now_datetime())
	refresh_place_request_clocks(on_date)
	overdue = frappe.db.sql(
		"""select 'School Place Request', r.name, r.child, r.child_name, c.caseworker, r.target_date
		from `tabSchool Place Request` r left join tabChild c on c.name = r.child
		where r.workflow_state in %(open)s and r.target_date < %(on_date)s and not exists (
			select 1 from tabEscalation e where e.reference_doctype = 'School Place Request'
				and e.reference_name = r.name and e.status != 'Closed')
		union all
		select 'Personal Education Plan', p.name, p.child, p.child_name, c.caseworker, p.due_date
		from `tabPersonal Education Plan` p left join tabChild c on c.name = p.child
		where p.workflow_state != 'Approved' and p.due_date < %(on_date)s and not exists (
			select 1 from tabEscalation e where e.reference_doctype = 'Personal Education Plan'
				and e.reference_name = p.name and e.status != 'Closed')""",
		{"open": OPEN_STATES, "on_date": on_date},
	)
	to_open = [
		(doctype, name, child, child_name, caseworker, due + timedelta(days=1), OVERDUE_REASON, None)
		for doctype, name, child, child_name, caseworker, due in overdue
	] + [
		("Child", child, child, child_name, caseworker, on_date, reason, key)
		for child, child_name, caseworker, reason, key in _attendance_concerns(on_date)
	]
	first = _series_next("ESC-")
	rows = [
		(
			f"ESC-{number:06d}",
			0,
			doctype,
			name,
			child,
			child_name,
			1,
			"Open",
			caseworker or MANAGER_BENCH_USER,
			opened_on,
			on_date + timedelta(days=1 + number % 7),
			reason,
			"Level 1 - Caseworker",
			key,
		)
		for number, (doctype, name, child, child_name, caseworker, opened_on, reason, key) in enumerate(
			to_open, start=first
		)
	]
	writer.insert(
		"Escalation",
		[
			"reference_doctype",
			"reference_name",
			"child",
			"child_name",
			"level",
			"status",
			"escalation_owner",
			"opened_on",
			"due_date",
			"reason",
			"workflow_state",
			"trigger_key",
		],
		rows,
	)
	_set_series("ESC-", first - 1 + len(rows))
	combinations = frappe.db.sql(
		"""select distinct c.school, c.school_name, c.funding_year, c.term from `tabPP Plus Claim` c
		where c.workflow_state in %(funded)s and not exists (select 1 from `tabPP Plus Impact Report` r
			where r.school = c.school and r.funding_year = c.funding_year and r.term = c.term)""",
		{"funded": COMMITTED_STATES},
	)
	claims = defaultdict(list)
	for claim, child, category, amount, school, funding_year, term in frappe.db.sql(
		"""select name, child, category, amount, school, funding_year, term from `tabPP Plus Claim`
		where workflow_state in %(funded)s order by name""",
		{"funded": COMMITTED_STATES},
	):
		claims[(school, funding_year, term)].append((claim, child, category, amount))
	report_number, reports, report_rows = _series_next("PPIR-") - 1, [], []
	for school, school_name, funding_year, term in combinations:
		term_end = pp_plus_budget.term_bounds(funding_year, term)[1]
		if term_end >= on_date:
			continue
		report_number += 1
		report = f"PPIR-{report_number:06d}"
		due = term_end + timedelta(days=28)
		reports.append(
			(
				report,
				0,
				school,
				school_name,
				funding_year,
				term,
				term_end,
				due,
				due - timedelta(days=7),
				"Accepted",
			)
		)
		for idx, (claim, child, category, amount) in enumerate(claims[(school, funding_year, term)], start=1):
			report_rows.append(
				(
					frappe.generate_hash(length=12),
					0,
					report,
					"PP Plus Impact Report",
					"rows",
					idx,
					claim,
					child,
					category,
					amount,
					"As agreed at the PEP meeting.",
					"Good progress against the target.",
				)
			)
	writer.insert(
		"PP Plus Impact Report",
		[
			"school",
			"school_name",
			"funding_year",
			"term",
			"term_end",
			"due_date",
			"submitted_on",
			"workflow_state",
		],
		reports,
	)
	writer.insert(
		"PP Plus Impact Row",
		["claim", "child", "category", "amount", "what_was_done", "impact"],
		report_rows,
		child=True,
	)
	_set_series("PPIR-", report_number)
	return {"escalations": len(rows), "impact_reports": len(reports)}


def _attendance_concerns(on_date: date) -> list[tuple]:
	"""(child, name, caseworker, reason, trigger key) for the attendance concerns the daily flags would open
	and have not: persistent or severe absence this term, returns stopped."""

	concerns = absence_concerns(on_date) + missing_attendance_concerns(on_date)
	done = escalated_keys([concern.key for concern in concerns])
	concerns = [concern for concern in concerns if concern.key not in done]
	if not concerns:
		return []
	children = {
		name: (full_name, caseworker)
		for name, full_name, caseworker in frappe.db.sql(
			"select name, full_name, caseworker from tabChild where name in %s",
			[tuple({concern.child for concern in concerns})],
		)
	}
	return [(concern.child, *children[concern.child], concern.reason(), concern.key) for concern in concerns]


def generate_if_missing(fraction: float = 0.01) -> dict | str:
	"""For scripts (``bench execute``): generate ``fraction`` of the national dataset unless present."""
	if has_national_data():
		return f"national data present: {frappe.db.count('Child'):,} children"
	return generate(fraction=fraction)
