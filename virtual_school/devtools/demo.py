"""Demo data: a believable authority, generated deterministically and in bulk.

``bench --site S virtual-school-demo --children 2000`` creates schools, staff users (with known
passwords, printed at the end), looked-after children and children with a social worker with
placement histories: school moves, gaps without a school, out-of-authority placements. Rows are
written with ``frappe.db.bulk_insert``, not one ``insert()`` each. Re-running it changes nothing.
"""

import random
import time
from datetime import date, timedelta
from types import SimpleNamespace

import frappe
from frappe.model.workflow import apply_workflow
from frappe.query_builder.functions import Max
from frappe.utils import add_days, getdate, now_datetime, today
from frappe.utils.password import update_password

from virtual_school.admissions.routes import refresh_school_routes
from virtual_school.attendance.services import flag_attendance_concerns
from virtual_school.children.leaving_care import apply_episodes
from virtual_school.children.placements import refresh_current_school, refresh_year_groups
from virtual_school.children.social_worker import link_social_worker_users
from virtual_school.children.vocabulary import ACTIVE, LOOKED_AFTER, looked_after_without_a_school_place
from virtual_school.devtools import demo_exclusions, demo_outcomes, demo_pep_variants
from virtual_school.devtools.bulk_data import school_kinds
from virtual_school.devtools.demo_sources import create_attendance, write_source_files
from virtual_school.domain import gias_mapping, pp_plus_budget, school_days, upn
from virtual_school.escalations.services import flag_late_answers, run_daily_sweep
from virtual_school.peps.services import escalate_overdue_peps
from virtual_school.setup import roles
from virtual_school.setup.install import complete_setup_wizard

DEMO_PASSWORD = "VirtualSchool-Demo-2026"
HOME_LA = "886"  # Kent
NEIGHBOUR_LAS = ("887", "845", "938", "210", "208", "209")  # Medway, East Sussex, West Sussex, London
DEMO_MARK = "DEMO-"

STAFF = (
	("head@virtual-school.test", "Helen", "Hart", roles.VIRTUAL_SCHOOL_HEAD),
	("manager@virtual-school.test", "Marcus", "Reed", roles.VIRTUAL_SCHOOL_MANAGER),
	("caseworker1@virtual-school.test", "Chloe", "Bennett", roles.VIRTUAL_SCHOOL_CASEWORKER),
	("caseworker2@virtual-school.test", "Daniel", "Okafor", roles.VIRTUAL_SCHOOL_CASEWORKER),
	("caseworker3@virtual-school.test", "Priya", "Shah", roles.VIRTUAL_SCHOOL_CASEWORKER),
	("finance@virtual-school.test", "Fiona", "Marsh", roles.VIRTUAL_SCHOOL_FINANCE),
	("socialworker1@virtual-school.test", "Sam", "Walker", roles.SOCIAL_WORKER),
	("socialworker2@virtual-school.test", "Tara", "Nkemelu", roles.SOCIAL_WORKER),
)
# how many looked-after children each demo social worker holds (linked by Child.social_worker_user)
SOCIAL_WORKER_CHILDREN = 12
PORTAL_USERS = (
	("dt.oakfield@school.test", "Olivia", "Grant"),
	("dt.riverside@school.test", "Ravi", "Patel"),
)

FIRST_NAMES = (
	"Aaliyah Ada Alfie Amara Amelia Archie Aria Ava Bella Ben Callum Charlie Chloe Daisy Dylan Ella Ellie "
	"Emily Ethan Evie Finley Freddie Freya George Grace Harry Harvey Isaac Isla Ivy Jack Jacob Jake Jasmine "
	"Jayden Kai Kayden Lacey Layla Leo Lily Logan Luca Lucas Maisie Mason Mia Millie Mohammed Nathan Noah "
	"Olivia Oscar Phoebe Poppy Reggie Riley Rosie Ruby Sienna Sofia Teddy Theo Tommy Tyler Zara Zain"
).split()
LAST_NAMES = (
	"Ahmed Allen Bailey Baker Begum Bell Brown Carter Clarke Collins Cook Cooper Davies Davis Edwards Evans "
	"Fisher Green Hall Harris Hill Hughes Hussain Jackson James Johnson Jones Khan King Lee Lewis Marshall "
	"Martin Mitchell Moore Morgan Morris Murphy Nowak Parker Patel Phillips Price Roberts Robinson Rogers "
	"Scott Shaw Smith Stevens Taylor Thomas Thompson Turner Walker Ward Watson White Williams Wilson Wood "
	"Wright Young"
).split()
TOWNS = (
	"Ashford Canterbury Dartford Dover Faversham Folkestone Gravesend Herne Maidstone Margate Ramsgate "
	"Sevenoaks Sittingbourne Tonbridge Whitstable Deal Hythe Tenterden Westerham Swanley"
).split()
# (type group, establishment type, phase, share of schools); the route from GIAS mapping (bulk_data.school_kinds)
SCHOOL_KINDS = school_kinds(
	(
		("Local authority maintained schools", "Community school", "Primary", 30),
		("Local authority maintained schools", "Voluntary aided school", "Primary", 8),
		("Local authority maintained schools", "Foundation school", "Secondary", 6),
		("Academies", "Academy converter", "Primary", 20),
		("Academies", "Academy converter", "Secondary", 16),
		("Free Schools", "Free schools", "Secondary", 5),
		("Special schools", "Community special school", "All-through", 5),
		("Local authority maintained schools", "Pupil referral unit", "Not applicable", 3),
		("Independent schools", "Other independent school", "All-through", 7),
	)
)
COHORTS = (
	(LOOKED_AFTER, "C2 - Full care order"),
	(LOOKED_AFTER, "C1 - Interim care order"),
	(LOOKED_AFTER, "V2 - Single period of accommodation under section 20"),
	(LOOKED_AFTER, "E1 - Placement order granted"),
)


def load_demo_data(looked_after: int = 2000, with_social_worker: int | None = None, seed: int = 2026) -> str:
	"""Create the demo authority once. Returns a report with the logins to print."""
	started = time.monotonic()
	complete_setup_wizard()
	if frappe.db.exists("Child", {"social_care_id": ["like", f"{DEMO_MARK}%"]}):
		_demo_portal_sign_in()
		added = 0 if frappe.db.count("Attendance Record") else _load_feeds(random.Random(seed))
		if not frappe.db.exists("Child", {"social_worker_user": ("is", "set")}):
			_create_users()  # a demo loaded before social workers were users (issue #23)
			_link_social_workers()
		note = f" Added {added} attendance weeks and the demo source files." if added else ""
		return f"Demo data is already loaded.{note}\n" + _logins_report()

	rng = random.Random(seed)
	with_social_worker = looked_after * 6 if with_social_worker is None else with_social_worker
	_configure_settings()
	schools = _create_schools(rng, count=max(40, min(600, looked_after // 10)))
	caseworkers = _create_users()
	_create_school_contacts(rng, schools)
	child_rows, placement_rows, history_rows = _generate_children(
		rng, schools, caseworkers, looked_after, with_social_worker
	)
	_bulk_insert_children(child_rows, placement_rows, history_rows)
	refresh_current_school()
	refresh_year_groups()
	requests = _create_place_requests(rng, schools)
	run_daily_sweep()
	claims = _create_pp_plus_claims(rng)
	_create_peps_exclusions_and_advice(rng)
	_create_pep_history(rng)
	demo_pep_variants.create_pep_variants(rng)  # early years and post-16 PEPs (issue #23)
	_create_leaving_care_cases(caseworkers)
	_create_reg10_late_answer_and_exam_cases(caseworkers)
	_create_admission_route_cases(caseworkers)
	_link_social_workers()
	demo_exclusions.notify_from_portal(rng, PORTAL_USERS[0][0])  # a school notifies through the portal (#23)
	demo_outcomes.create_outcomes()  # last year's outcomes and annual report (#23 item 7)

	escalate_overdue_peps()
	attendance_rows = _load_feeds(rng)
	frappe.clear_cache()
	seconds = time.monotonic() - started
	rows = len(child_rows) + len(placement_rows) + len(schools) + attendance_rows
	return (
		f"Demo data loaded: {len(schools)} schools, {len(child_rows)} children, {len(placement_rows)} placements, "
		f"{requests} school place requests, {claims} PP+ claims, {attendance_rows} attendance weeks "
		f"in {seconds:.1f} s ({rows / max(seconds, 0.001):,.0f} rows/s).\n" + _logins_report()
	)


def _load_feeds(rng: random.Random) -> int:
	"""A term of attendance (then the daily flags on it) and the SSDA903 and attendance source files."""
	rows = create_attendance(rng)
	flag_attendance_concerns()
	contacts = frappe.get_all("School Contact", filters={"user": PORTAL_USERS[0][0]}, pluck="school")
	schools = frappe.get_all("School", filters={"la": HOME_LA}, pluck="name", limit=200)
	write_source_files(rng, schools, HOME_LA, contacts[0] if contacts else schools[0])
	return rows


def _logins_report() -> str:
	lines = [f"Log in at /login with password {DEMO_PASSWORD} as:"]
	lines += [f"  {email:38} {role}" for email, _first, _last, role in STAFF]
	lines += [f"  {email:38} {roles.SCHOOL_PORTAL_USER} (portal)" for email, _first, _last in PORTAL_USERS]
	return "\n".join(lines)


def _configure_settings() -> None:
	settings = frappe.get_single("Virtual School Settings")
	settings.update(
		{
			"authority_name": "Kent County Council (demo)",
			"la": HOME_LA,
			"virtual_school_name": "Kent Virtual School (demo)",
			"letter_signatory": "Helen Hart",
			"letter_signatory_title": "Virtual School Head",
			# how to reply, on every letter (issue #18 item 8)
			"reply_address": "Sessions House\nCounty Road\nMaidstone\nME14 1XQ",
			"reply_email": "virtual.school@kent-demo.example",
			"reply_telephone": "03000 415000",
			"current_funding_year": _funding_year_label(getdate(today())),
		}
	)
	settings.save(ignore_permissions=True)


def _funding_year_label(on_date: date) -> str:
	start = on_date.year if on_date.month >= 4 else on_date.year - 1
	return f"{start}-{str(start + 1)[-2:]}"


def _create_schools(rng: random.Random, count: int) -> list[dict]:
	kinds = [kind for kind in SCHOOL_KINDS for _ in range(kind[4])]
	existing = set(frappe.get_all("School", pluck="name"))
	schools, rows = [], []
	now = now_datetime()
	for index in range(count):
		group, establishment_type, route, phase, _share = kinds[index % len(kinds)]
		la = HOME_LA if index % 5 else rng.choice(NEIGHBOUR_LAS)
		town = rng.choice(TOWNS)
		suffix = {
			"Primary": "Primary School",
			"Secondary": "Academy" if route != "LA may direct" else "High School",
		}
		name = f"{town} {rng.choice(('St Mary’s', 'Oakfield', 'Riverside', 'Hillview', 'Meadow', 'Castle', 'Park', 'Valley', 'Church', 'Brook'))} {suffix.get(phase, 'School')}"
		if establishment_type == "Pupil referral unit":
			name = f"{town} Pupil Referral Unit"
		urn = str(990000 + index)
		school = {"name": urn, "school_name": name, "la": la, "admissions_route": route, "phase": phase}
		schools.append(school)
		if urn in existing:
			continue
		rows.append(
			(
				urn,
				urn,
				name,
				establishment_type,
				group,
				phase,
				"Open",
				la,
				route,
				f"ME{rng.randint(1, 20)} {rng.randint(1, 9)}AB",
				f"01622 {rng.randint(100000, 999999)}",
				town,
				now,
				now,
				"Administrator",
				"Administrator",
			)
		)
	frappe.db.bulk_insert(
		"School",
		fields=[
			"name",
			"urn",
			"school_name",
			"establishment_type",
			"type_group",
			"phase",
			"status",
			"la",
			"admissions_route",
			"postcode",
			"telephone",
			"town",
			"creation",
			"modified",
			"owner",
			"modified_by",
		],
		values=rows,
	)
	return schools


def _link_social_workers() -> None:
	"""Give each demo social worker a few looked-after children with a school and a PEP (issue #23): their
	email on the child, then the same set-based link the SSDA903 import makes."""
	workers = [
		(email, f"{first} {last}") for email, first, last, role in STAFF if role == roles.SOCIAL_WORKER
	]
	pep = frappe.qb.DocType("Personal Education Plan")
	child = frappe.qb.DocType("Child")
	names = (
		frappe.qb.from_(child)
		.select(child.name)
		.distinct()
		.join(pep)
		.on(pep.child == child.name)
		.where((child.cohort == LOOKED_AFTER) & child.current_school.isnotnull())
		.orderby(child.name)
		.limit(SOCIAL_WORKER_CHILDREN * len(workers))
		.run(pluck=True)
	)
	for number, (email, full_name) in enumerate(workers):
		mine = names[number :: len(workers)]
		if mine:
			frappe.qb.update(child).set(child.social_worker_email, email).set(
				child.social_worker_name, full_name
			).where(child.name.isin(mine)).run()
	link_social_worker_users(names)


def _create_users() -> list[str]:
	caseworkers = []
	for email, first_name, last_name, role in STAFF:
		_ensure_user(email, first_name, last_name, [role], "System User")
		if role == roles.VIRTUAL_SCHOOL_CASEWORKER:
			caseworkers.append(email)
	for email, first_name, last_name in PORTAL_USERS:
		_ensure_user(email, first_name, last_name, [roles.SCHOOL_PORTAL_USER], "Website User")
	_demo_portal_sign_in()
	return caseworkers


def _demo_portal_sign_in() -> None:
	"""School staff sign in with a second factor (setup/security.py), whose first step emails a QR code.
	A demo site has no email, so its portal users are restricted to this machine (127.0.0.1) and Frappe's
	"bypass two-factor for IP-restricted users" is on: they sign in with the password, from here only.
	Never do this on a real site."""
	frappe.db.set_single_value("System Settings", "bypass_2fa_for_retricted_ip_users", 1)
	for email, _first_name, _last_name in PORTAL_USERS:
		frappe.db.set_value("User", email, "restrict_ip", "127.0.0.1")


def _ensure_user(email: str, first_name: str, last_name: str, role_names: list[str], user_type: str) -> None:
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first_name,
				"last_name": last_name,
				"user_type": user_type,
				"send_welcome_email": 0,
				"roles": [{"role": role} for role in role_names],
			}
		)
		user.flags.no_welcome_mail = True
		user.insert(ignore_permissions=True)
	update_password(email, DEMO_PASSWORD)


def _create_school_contacts(rng: random.Random, schools: list[dict]) -> None:
	portal = dict(zip((schools[0]["name"], schools[1]["name"]), PORTAL_USERS, strict=False))
	for position, school in enumerate(schools):
		if frappe.db.exists("School Contact", {"school": school["name"]}):
			continue
		if school["name"] in portal:
			email, first_name, last_name = portal[school["name"]]
		else:
			first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
			email = f"dt{school['name']}@school.test"
		frappe.get_doc(
			{
				"doctype": "School Contact",
				"school": school["name"],
				"full_name": f"{first_name} {last_name}",
				"contact_role": "Designated Teacher",
				"email": email,
				"user": email if school["name"] in portal else None,
				**_designated_teacher_demo(position, getdate(today())),
			}
		).insert(ignore_permissions=True)


def _designated_teacher_demo(position: int, on_date: date) -> dict:
	"""The demo school contact's designated-teacher fields and trainings (issue #23 item 4), chosen by the
	school's position (the demo's random stream is untouched; the portal schools, 0 and 1, are trained): most
	trained in the last two years, one in five of them the head; and each problem the Designated Teacher
	Check finds, by position: training lapsed (7 in every 10), never trained (8), left the school (9 in every
	20) and only a SENCO recorded, no designated teacher (19 in every 20)."""
	induction = {"training_date": on_date - timedelta(days=3 * 365 + position), "kind": "Induction"}
	recent = {
		"training_date": on_date - timedelta(days=20 + (position * 37) % 600),
		"kind": "Virtual School training",
		"provider": "Virtual School",
	}
	fields = {"teacher_status": "Headteacher or acting head" if position % 5 == 4 else "Qualified teacher"}
	kind = position % 10
	if position % 20 == 19:
		return {"contact_role": "SENCO", "teacher_status": None, "trainings": [recent]}
	if kind == 7:
		return {**fields, "trainings": [induction]}
	if kind == 8:
		return {**fields, "trainings": []}
	if kind == 9:
		return {**fields, "is_active": 0, "trainings": [induction, recent]}
	return {**fields, "trainings": [induction, recent]}


def _generate_children(rng, schools, caseworkers, looked_after, with_social_worker):
	"""Rows for tabChild, tabEducation Placement and tabChild Status History, in memory."""
	now = now_datetime()
	on_date = getdate(today())
	home_schools = [s for s in schools if s["la"] == HOME_LA] or schools
	away_schools = [s for s in schools if s["la"] != HOME_LA] or schools
	child_rows, placement_rows, history_rows = [], [], []
	placement_number = 0
	used_names = set()
	total = looked_after + with_social_worker
	for number in range(1, total + 1):
		name = f"CH-{number:05d}"
		is_looked_after = number <= looked_after
		if is_looked_after:
			cohort, legal_status = rng.choice(COHORTS)
		else:
			cohort = rng.choices(
				("Child with a Social Worker", "Kinship Care", "Previously Looked After"),
				weights=(80, 10, 10),
			)[0]
			legal_status = {
				"Child with a Social Worker": rng.choice(("Child in need plan", "Child protection plan")),
				"Kinship Care": "Kinship care arrangement",
				"Previously Looked After": rng.choice(("Adoption order", "Special guardianship order")),
			}[cohort]
		date_of_birth = on_date - timedelta(days=rng.randint(4 * 365 + 30, 17 * 365 + 300))
		first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
		while (first_name, last_name, date_of_birth) in used_names:
			date_of_birth -= timedelta(days=1)
		used_names.add((first_name, last_name, date_of_birth))
		out_of_authority = is_looked_after and rng.random() < 0.3
		resident_la = rng.choice(NEIGHBOUR_LAS) if out_of_authority else HOME_LA
		entered_care = (
			date_of_birth + timedelta(days=rng.randint(200, max(201, (on_date - date_of_birth).days - 30)))
			if is_looked_after
			else None
		)
		state = "Active"
		if is_looked_after:
			state = rng.choices(("Active", "Referred", "Closure Requested"), weights=(92, 6, 2))[0]
		caseworker = caseworkers[number % len(caseworkers)] if is_looked_after else None
		upn_body = f"{HOME_LA}{2000 + number % 7000:04d}{date_of_birth.year % 100:02d}{number % 1000:03d}"
		child_upn = upn.check_letter(upn_body) + upn_body
		child_rows.append(
			{
				"name": name,
				"first_name": first_name,
				"last_name": last_name,
				"full_name": f"{first_name} {last_name}",
				"date_of_birth": date_of_birth,
				"gender": rng.choice(("Female", "Male")),
				"upn": child_upn,
				"sen_provision": rng.choices(("None", "SEN support", "EHC plan"), weights=(60, 25, 15))[0],
				"cohort": cohort,
				"legal_status": legal_status,
				"social_care_id": f"{DEMO_MARK}{number:06d}",
				"date_entered_care": entered_care,
				"responsible_la": HOME_LA,
				"resident_la": resident_la,
				"out_of_authority": int(out_of_authority),
				"caseworker": caseworker,
				"social_worker_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
				"social_worker_email": f"sw{number % 300}@socialcare.test",
				"carer_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
				if is_looked_after
				else None,
				"carer_phone": f"07700 9{rng.randint(10000, 99999)}" if is_looked_after else None,
				"placement_address": f"{rng.randint(1, 200)} {rng.choice(LAST_NAMES)} Road, {rng.choice(TOWNS)}"
				if is_looked_after
				else None,
				"status": "Active",
				"workflow_state": state,
				"creation": now,
				"modified": now,
				"owner": "Administrator",
				"modified_by": "Administrator",
			}
		)
		history_rows.append(
			(
				frappe.generate_hash(length=10),
				name,
				"Child",
				"status_history",
				1,
				state,
				now,
				"Administrator",
				now,
				now,
			)
		)
		# Placement history: up to three schools; some children now have no school place.
		school_pool = away_schools if out_of_authority else home_schools
		start = max(
			date_of_birth + timedelta(days=4 * 365 + 200), on_date - timedelta(days=rng.randint(60, 900))
		)
		moves = rng.choices((1, 2, 3), weights=(60, 30, 10))[0]
		for move in range(moves):
			placement_number += 1
			last = move == moves - 1
			gap_now = last and is_looked_after and rng.random() < 0.06
			end = None
			if not last:
				end = start + timedelta(days=rng.randint(60, 300))
				if end >= on_date:
					end = on_date - timedelta(days=1)
			elif gap_now:
				end = on_date - timedelta(days=rng.randint(5, 60))
			if end and end < start:
				break
			placement_rows.append(
				{
					"name": f"EP-{placement_number:05d}",
					"child": name,
					"child_name": f"{first_name} {last_name}",
					"school": (school := _school_for_age(rng, school_pool, date_of_birth, start))["name"],
					"school_name": school["school_name"],
					"start_date": start,
					"end_date": end,
					"attendance_basis": rng.choices(
						("Full time", "Part time", "Alternative provision"), weights=(90, 6, 4)
					)[0],
					"reason_for_leaving": ("Care placement move" if rng.random() < 0.6 else "Moved school")
					if end
					else None,
					"creation": now,
					"modified": now,
					"owner": "Administrator",
					"modified_by": "Administrator",
				}
			)
			if end is None:
				break
			# Some moves leave a gap of school days without a place before the next school.
			start = add_days(end, rng.choice((1, 1, 1, 8, 20, 35)))
			if getdate(start) > on_date:
				break
			start = getdate(start)
	return child_rows, placement_rows, history_rows


# The phases that teach each stage (GIAS "phase"): Reception to Year 6 at a primary, Years 7 to 13 at a
# secondary (with a sixth form) or a pupil referral unit (secondary age only); all-through schools (special,
# independent) teach every year. A Year 12 pupil at a primary school is a demo a Head would not recognise.
PHASES_FOR_STAGE = {
	"primary": ("Primary", "All-through"),
	"secondary": ("Secondary", "All-through", "Not applicable"),
}


def _school_for_age(rng: random.Random, pool: list[dict], date_of_birth: date, on_date: date) -> dict:
	"""A school from ``pool`` whose phase teaches the child's year group on ``on_date``."""
	year = school_days.year_group(date_of_birth, on_date)
	stage = "primary" if year is None or year <= 6 else "secondary"
	fitting = [school for school in pool if school["phase"] in PHASES_FOR_STAGE[stage]]
	return rng.choice(fitting or pool)


def _bulk_insert_children(
	child_rows: list[dict], placement_rows: list[dict], history_rows: list[tuple]
) -> None:
	for doctype, rows in (("Child", child_rows), ("Education Placement", placement_rows)):
		fields = list(rows[0].keys())
		frappe.db.bulk_insert(doctype, fields=fields, values=[tuple(row[f] for f in fields) for row in rows])
	frappe.db.bulk_insert(
		"Child Status History",
		fields=[
			"name",
			"parent",
			"parenttype",
			"parentfield",
			"idx",
			"state",
			"changed_on",
			"changed_by",
			"creation",
			"modified",
		],
		values=history_rows,
	)
	for prefix, rows in (("CH-", child_rows), ("EP-", placement_rows)):
		_set_series(prefix, max(int(row["name"].removeprefix(prefix)) for row in rows))


def _set_series(prefix: str, current: int) -> None:
	series = frappe.qb.DocType("Series")
	if frappe.db.exists("Series", prefix):
		frappe.qb.update(series).set(series.current, current).where(series.name == prefix).run()
	else:
		frappe.qb.into(series).insert(prefix, current).run()


# The journey each demo request has been through, as workflow actions (see workflows/school_place_request.json).
# The demo council's power to direct academies commenced this many days ago (CWSA 2026 s63, as data).
ACADEMY_POWER_DAYS_AGO = 30
# The demo journeys' school kinds, by the route a looked-after child of this council takes (admissions.routes).
DEMO_ROUTES = {
	"LA may direct": ("Consult and direct the governing body", "Consult and direct the other council"),
	"Ask the Secretary of State": ("Ask the Secretary of State (DfE)",),
}
REQUEST_JOURNEYS = (
	(),
	("Request Place",),
	("Request Place",),
	("Request Place", "Record Refusal"),
	("Request Place", "Record Refusal", "Escalate"),
	("Request Place", "Record Offer"),
	("Request Place", "Record Offer", "Place Child"),
	("Request Place", "Record Refusal", "Escalate", "Consult on Direction"),
	("Request Place", "Record Refusal", "Escalate", "Refer to Secretary of State"),
)


def _create_place_requests(rng: random.Random, schools: list[dict], limit: int = 60) -> int:
	"""School place requests in every state for looked-after children who have no school today."""

	child_table, placement = frappe.qb.DocType("Child"), frappe.qb.DocType("Education Placement")
	# the one "without a school place" (looked after today, of school age, no current school: issue #21)
	waiting = (
		frappe.qb.from_(child_table)
		.select(child_table.name, child_table.year_group, child_table.sen_provision)
		.where(looked_after_without_a_school_place(child_table, getdate(today())))
		.orderby(child_table.name)
		.limit(limit)
		.run(as_dict=True)
	)
	last_end = dict(
		frappe.qb.from_(placement)
		.select(placement.child, Max(placement.end_date))
		.where(placement.child.isin([child.name for child in waiting] or [""]))
		.groupby(placement.child)
		.run()
	)
	# The schools were bulk-inserted past the School controller: derive each one's route (issue #18), then
	# direct only where this council may (never its own community or VC schools, PRUs or special schools).
	refresh_school_routes()
	direction_route = dict(frappe.get_all("School", fields=["name", "direction_route"], as_list=True))
	by_route = {
		route: [s for s in schools if direction_route.get(s["name"]) in routes]
		for route, routes in DEMO_ROUTES.items()
	}
	on_date = getdate(today())
	for number, child in enumerate(waiting):
		journey = REQUEST_JOURNEYS[number % len(REQUEST_JOURNEYS)]
		if child.sen_provision == "EHC plan":
			# a child with an EHC plan changes school through the plan, never by a direction (issue #18)
			journey = tuple(
				a for a in journey if a not in ("Consult on Direction", "Refer to Secretary of State")
			)
		date_needed = getdate(add_days(last_end.get(child.name) or add_days(on_date, -30), 1))
		route = "Ask the Secretary of State" if "Refer to Secretary of State" in journey else "LA may direct"
		if len(by_route[route]) < 2:  # a small demo may have too few schools of the kind: no such journey
			continue
		first, second = rng.sample(by_route[route], 2)
		refused = "Record Refusal" in journey
		offered = "Record Offer" in journey
		approach = {"school": first["name"], "date_asked": date_needed}
		if refused:
			approach.update(
				response="Refused",
				response_date=add_days(date_needed, 4),
				refusal_reason=rng.choice(("Year group full", "Cannot meet needs", "No reason given")),
			)
		elif offered:
			approach.update(response="Offered", response_date=add_days(date_needed, 3))
		doc = frappe.get_doc(
			{
				"doctype": "School Place Request",
				"child": child.name,
				"date_needed": date_needed,
				# opened before the demo's academy commencement date (_create_admission_route_cases), so the
				# academies these requests referred to the Secretary of State keep that route
				"opened_on": min(date_needed, getdate(add_days(on_date, -ACADEMY_POWER_DAYS_AGO - 1))),
				# A KS4 care placement move would need reg 10 approval first; the demo keeps to the others.
				"reason": rng.choice(
					("Entered care", "Exclusion")
					if child.year_group in ("Year 10", "Year 11")
					else ("Entered care", "Care placement move", "Exclusion")
				),
				"approaches": [approach]
				+ (
					[{"school": second["name"], "date_asked": add_days(date_needed, 2)}]
					if number % 3 == 0
					else []
				),
			}
		)
		doc.flags.ignore_permissions = True
		doc.insert()
		for action in journey:
			if action == "Place Child":
				doc.admitting_school, doc.start_date = (
					first["name"],
					min(on_date, getdate(add_days(date_needed, 10))),
				)
			if action == "Consult on Direction":
				doc.direction_consulted_on = min(on_date, getdate(add_days(date_needed, 8)))
			if action == "Refer to Secretary of State":
				doc.secretary_of_state_referred_on = add_days(date_needed, 8)
			if action in ("Place Child", "Consult on Direction", "Refer to Secretary of State"):
				doc.save(ignore_permissions=True)
			doc = apply_workflow(doc, action)
	return len(waiting)


# What happens to each demo PP+ claim, as workflow actions by (role, action).
CLAIM_JOURNEYS = (
	(),
	(("caseworker", "Submit Claim"),),
	(("caseworker", "Submit Claim"), ("manager", "Start Review")),
	(("caseworker", "Submit Claim"), ("manager", "Start Review"), ("manager", "Approve")),
	(("caseworker", "Submit Claim"), ("manager", "Start Review"), ("manager", "Approve")),
	(("caseworker", "Submit Claim"), ("head", "Start Review"), ("head", "Reject")),
)
CLAIM_IDEAS = (
	("Tuition", "One-to-one maths tuition, 12 sessions"),
	("Mentoring", "Weekly learning mentor sessions this term"),
	("Therapy and wellbeing", "Play therapy, 8 sessions"),
	("Resources", "Laptop and reading books for home study"),
	("Enrichment", "Music lessons and instrument hire"),
)


def _create_pp_plus_claims(rng: random.Random, limit: int = 48) -> int:
	"""A funding year and PP+ claims in every state, with one payment batch."""

	on_date = getdate(today())
	label = pp_plus_budget.financial_year_of(on_date)
	if not frappe.db.exists("PP Plus Funding Year", label):
		# The DfE publishes each year's rate; until then the demo repeats 2025-26's £2,630.
		frappe.get_doc({"doctype": "PP Plus Funding Year", "label": label, "rate_per_child": 2630}).insert()
	year = frappe.get_doc("PP Plus Funding Year", label)
	year.top_slice_percent = 20
	year.save()
	frappe.db.set_single_value(
		"Virtual School Settings", {"current_funding_year": label, "manager_approval_limit": 1000}
	)
	start = max(getdate(year.start_date), on_date - timedelta(days=150))
	children = frappe.db.sql(
		"""select c.name, c.caseworker, c.current_school, p.start_date
		from `tabChild` c join `tabEducation Placement` p on p.name = c.current_placement
		where c.cohort = 'Looked After' and c.status = 'Active' and c.caseworker is not null
			and c.key_stage in ('KS1', 'KS2', 'KS3', 'KS4')
		order by c.name limit %s""",
		limit,
		as_dict=True,
	)
	users = {"manager": STAFF[1][0], "head": STAFF[0][0]}
	paid_school, to_pay = None, []
	for number, child in enumerate(children):
		category, description = CLAIM_IDEAS[number % len(CLAIM_IDEAS)]
		claim_date = max(start, getdate(child.start_date)) + timedelta(days=rng.randint(0, 20))
		frappe.set_user(child.caseworker)
		doc = frappe.get_doc(
			{
				"doctype": "PP Plus Claim",
				"child": child.name,
				"school": child.current_school,
				"funding_year": label,
				"claim_date": min(claim_date, on_date),
				"amount": rng.choice((150, 240, 300, 450, 600, 800)),
				"category": category,
				"description": description,
				"pep_target": "Reach the expected standard in reading by the summer term",
			}
		).insert()
		journey = CLAIM_JOURNEYS[number % len(CLAIM_JOURNEYS)]
		for actor, action in journey:
			frappe.set_user(child.caseworker if actor == "caseworker" else users[actor])
			if action == "Reject":
				doc.decision_reason = "Please fund this from the school's own pupil premium budget."
				doc.save()
			doc = apply_workflow(doc, action)
		if doc.workflow_state == "Approved" and paid_school in (None, doc.school):
			paid_school = doc.school
			to_pay.append(doc.name)
	frappe.set_user("Administrator")
	if to_pay:
		frappe.get_doc(
			{
				"doctype": "PP Plus Payment",
				"school": paid_school,
				"funding_year": label,
				"payment_date": on_date,
				"payment_reference": "BACS-DEMO-0001",
				"claims": [{"claim": name} for name in to_pay],
			}
		).insert().submit()
	return len(children)


EXCLUSION_REASONS = (
	"Persistent or general disruptive behaviour",
	"Verbal abuse or threatening behaviour against an adult",
	"Physical assault against a pupil",
	"Damage",
	"Drug and alcohol related",
)


def _create_peps_exclusions_and_advice(rng: random.Random, limit: int = 90) -> None:
	"""PEPs in each state (some overdue), suspensions across cohorts, and advice requests."""

	on_date = getdate(today())
	year = school_days.academic_year_of(on_date)
	year_start = school_days.academic_year_bounds(year)[0]
	children = frappe.get_all(
		"Child",
		filters={
			"status": "Active",
			"current_school": ["is", "set"],
			"key_stage": ["in", ["KS1", "KS2", "KS3", "KS4"]],
		},
		fields=["name", "cohort", "current_school"],
		order_by="name",
		limit_page_length=limit * 4,
	)
	looked_after = [child for child in children if child.cohort == LOOKED_AFTER][:limit]
	states = ("Draft", "Submitted", "QA Review", "Approved", "Approved", "Returned")
	for number, child in enumerate(looked_after):
		state = states[number % len(states)]
		due = on_date + timedelta(days=rng.randint(-40, 40))
		doc = frappe.get_doc(
			{
				"doctype": "Personal Education Plan",
				"child": child.name,
				"due_date": due,
				"academic_year": year,
				"meeting_date": due - timedelta(days=rng.randint(0, 10)) if state != "Draft" else None,
				"designated_teacher": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
				"child_views": "I want to do well in maths and keep my friends.",
				"attendance_percent": rng.choice((82.5, 91.0, 95.5, 98.0)),
				"targets": [
					{
						"area": "Maths",
						"target": "Know times tables to 12 by the end of term",
						"pp_plus_funded": 1,
						"progress_rag": rng.choice(("Red", "Amber", "Green")),
					},
					{
						"area": "Attendance",
						"target": "Attend every day this half-term",
						"progress_rag": "Amber",
					},
				],
				"attainment": [
					{"subject": "Maths", "current": "Working towards", "target": "Expected standard"}
				],
				"qa_rating": rng.choice(("Green", "Amber", "Red")) if state == "Approved" else "",
				"qa_comments": "Please make the attendance target specific." if state == "Returned" else "",
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value(
			"Personal Education Plan",
			doc.name,
			{
				"workflow_state": state,
				"completed_on": due - timedelta(days=1) if state == "Approved" else None,
			},
			update_modified=False,
		)
	for number, child in enumerate(children[: limit // 2]):
		suspension = number % 9 != 0
		frappe.get_doc(
			{
				"doctype": "Exclusion",
				"child": child.name,
				"school": child.current_school,
				"exclusion_type": "Suspension" if suspension else "Permanent exclusion",
				"start_date": max(year_start, on_date - timedelta(days=rng.randint(1, 60))),
				"school_days": rng.choice((1, 2, 3, 5, 8)) if suspension else 0,
				"reason": rng.choice(EXCLUSION_REASONS),
				"vsh_told_on": on_date if number % 3 else None,
			}
		).insert(ignore_permissions=True)
	topics = (
		"Admissions",
		"Attendance",
		"Suspension or exclusion",
		"SEND and EHC plans",
		"Pupil premium plus",
	)
	for number in range(20):
		frappe.get_doc(
			{
				"doctype": "Advice Request",
				"requester_type": ("Parent or carer", "School", "Social worker")[number % 3],
				"cohort": ("Previously Looked After", "Child with a Social Worker", "Kinship Care")[
					number % 3
				],
				"topic": topics[number % len(topics)],
				"question": "How can the virtual school help with this?",
				"advice_given": "We talked through the options and sent the guidance."
				if number % 2
				else None,
			}
		).insert(ignore_permissions=True)


# What a Virtual School sees in a term: most looked-after pupils have a PEP (most approved, some in progress,
# some overdue), some have none yet (the "No PEP" column of PEP Compliance and the missing-PEP escalations).
PEP_COVERAGE = 0.85
CHILD_VIEWS = (
	"I like my school and want to keep my friends.",
	"I want help with reading so I can read to my little brother.",
	"Maths is hard. I want a tutor like last year.",
	"I want to join the football team and go to college after Year 11.",
	"I get worried in big classes. The quiet room helps.",
)


def _create_pep_history(rng: random.Random) -> int:
	"""This term's PEP for most looked-after pupils without one (``PEP_COVERAGE``), set-based: a PEP row and
	one SMART target each, in a realistic spread of states and dates. Returns the number made."""
	on_date = getdate(today())
	year = school_days.academic_year_of(on_date)
	term = "Autumn" if on_date.month >= 9 else "Spring" if on_date.month <= 3 else "Summer"
	child, pep = frappe.qb.DocType("Child"), frappe.qb.DocType("Personal Education Plan")
	children = (
		frappe.qb.from_(child)
		.select(child.name, child.full_name, child.caseworker, child.key_stage, child.current_school)
		.select(child.current_school_name, child.year_group, child.social_worker_name)
		.where(
			(child.cohort == LOOKED_AFTER)
			& (child.status == ACTIVE)
			& child.current_school.isnotnull()
			& child.caseworker.isnotnull()
			& child.name.notin(frappe.qb.from_(pep).select(pep.child))
		)
		.orderby(child.name)
		.run(as_dict=True)
	)
	now = now_datetime()
	series = frappe.qb.DocType("Series")
	current = (frappe.qb.from_(series).select(series.current).where(series.name == "PEP-").run() or [[0]])[0][
		0
	]
	current = int(current or 0)
	peps, targets = [], []
	for child_row in children:
		if rng.random() >= PEP_COVERAGE:
			continue  # no PEP yet: PEP Compliance's "No PEP", the missing-PEP escalation
		current += 1
		name = f"PEP-{current:05d}"
		due = on_date + timedelta(days=rng.randint(-45, 40))
		if due < on_date:
			state = rng.choices(("Approved", "Draft", "Submitted", "Returned"), weights=(80, 10, 6, 4))[0]
		else:
			state = rng.choices(("Draft", "Submitted", "QA Review", "Approved"), weights=(35, 25, 15, 25))[0]
		meeting = None
		if state != "Draft":
			meeting = due + timedelta(days=rng.choice((-12, -9, -7, -5, -3, -1, 0, 0, 3, 6)))
			meeting = min(meeting, on_date)
		completed = (
			min(meeting + timedelta(days=rng.randint(1, 14)), on_date) if state == "Approved" else None
		)
		young = child_row.key_stage in ("EYFS", "KS1") and rng.random() < 0.3
		views = None if young or rng.random() < 0.05 else rng.choice(CHILD_VIEWS)
		peps.append(
			{
				"name": name,
				"child": child_row.name,
				"child_name": child_row.full_name,
				"caseworker": child_row.caseworker,
				"key_stage": child_row.key_stage,
				"school": child_row.current_school,
				"school_name": child_row.current_school_name,
				"academic_year": year,
				"term": term,
				"due_date": due,
				"due_rule": "Termly PEP review (by the last school day of the term)",
				"meeting_date": meeting,
				"completed_on": completed,
				"designated_teacher": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
				"social_worker": child_row.social_worker_name,
				"carer_attended": int(rng.random() < 0.7),
				"attendance_percent": rng.choice((78.0, 86.5, 91.0, 94.5, 97.0, 99.0)),
				"child_views": views,
				"no_views_reason": None
				if views
				else ("Too young to give views" if young else "Declined to give views"),
				"qa_rating": rng.choices(("Green", "Amber", "Red"), weights=(60, 30, 10))[0]
				if state == "Approved"
				else None,
				"qa_voice_rating": rng.choices(("Green", "Amber", "Red"), weights=(55, 35, 10))[0]
				if state == "Approved"
				else None,
				"qa_comments": "Please make the targets specific and dated." if state == "Returned" else None,
				"escalation_level": 0,
				"workflow_state": state,
				"docstatus": 0,
				"creation": now,
				"modified": now,
				"owner": "Administrator",
				"modified_by": "Administrator",
			}
		)
		# a target in an area of the PEP's variant (domain.pep_variants.TARGET_AREAS)
		area, target = rng.choice(
			{
				"EYFS": (
					("Communication and language", "Use new words in play with the carer each day"),
					("Physical development", "Hold a pencil with a tripod grip by half-term"),
					("Attendance", "Attend every morning session this half-term"),
				),
				"KS5": (
					("Course and qualifications", "Hand in every assignment on time this term"),
					("English and maths", "Pass GCSE maths (grade 4) in the November resit"),
					(
						"Next step in education, employment or training",
						"Two apprenticeship applications by March",
					),
				),
			}.get(
				child_row.key_stage,
				(
					("Reading and writing", "Read for 20 minutes each day with the carer"),
					("Maths", "Know times tables to 12 by the end of term"),
					("Attendance", "Attend every day this half-term"),
					("Wellbeing and behaviour", "Meet the school counsellor each week"),
				),
			)
		)
		targets.append(
			{
				"name": frappe.generate_hash(length=10),
				"parent": name,
				"parenttype": "Personal Education Plan",
				"parentfield": "targets",
				"idx": 1,
				"area": area,
				"target": target,
				"pp_plus_funded": int(rng.random() < 0.4),
				"progress_rag": rng.choice(("Red", "Amber", "Green")) if meeting else None,
				"creation": now,
				"modified": now,
				"owner": "Administrator",
				"modified_by": "Administrator",
			}
		)
	for doctype, rows in (("Personal Education Plan", peps), ("PEP Target", targets)):
		if rows:
			fields = list(rows[0])
			frappe.db.bulk_insert(
				doctype, fields=fields, values=[tuple(row[f] for f in fields) for row in rows]
			)
	if peps:
		_set_series("PEP-", current)
	return len(peps)


def _create_leaving_care_cases(caseworkers: list[str]) -> None:
	"""Issue #18: a child who returned home (SSDA903 REC E4A: the looked-after cohort ends, with history, and
	no PEP obligation or new PP+ claim follows) and an emergency placement two weeks ago with no PEP yet (PEPs
	Due shows "No PEP", the start-by date 10 working days after entering care has passed)."""
	on = getdate(today())
	returned = frappe.get_doc(
		{
			"doctype": "Child",
			"first_name": "Rowan",
			"last_name": "Homeward",
			"social_care_id": f"{DEMO_MARK}LEFT-E4A",
			"date_of_birth": date(on.year - 11, 5, 14),
			"cohort": LOOKED_AFTER,
			"legal_status": "V2 - Single period of accommodation under section 20",
			"responsible_la": HOME_LA,
			"resident_la": HOME_LA,
			"caseworker": caseworkers[0],
			"care_episodes": [
				{
					"start_date": add_days(on, -400),
					"legal_status": "V2",
					"end_date": add_days(on, -30),
					"reason_ceased": "E4A",
				}
			],
		}
	)
	apply_episodes(
		returned,
		[
			SimpleNamespace(
				start=getdate(add_days(on, -400)), end=getdate(add_days(on, -30)), reason_ceased="E4A"
			)
		],
		returned.date_of_birth,
		on,
	)
	returned.date_entered_care = add_days(on, -400)
	returned.insert(ignore_permissions=True)
	frappe.get_doc(
		{
			"doctype": "Child",
			"first_name": "Skye",
			"last_name": "Newcome",
			"social_care_id": f"{DEMO_MARK}EMERGENCY-NO-PEP",
			"date_of_birth": date(on.year - 9, 2, 3),
			"cohort": LOOKED_AFTER,
			"legal_status": "L2 - Emergency protection order",
			"date_entered_care": add_days(on, -14),
			"emergency_placement": 1,
			"responsible_la": HOME_LA,
			"resident_la": HOME_LA,
			"caseworker": caseworkers[0],
		}
	).insert(ignore_permissions=True)


def _create_reg10_late_answer_and_exam_cases(caseworkers: list[str]) -> None:
	"""Issue #18 items 6, 7 and 13: a key stage 4 care placement move with no nominated officer's approval
	recorded (a reg 10 warning on the request and in Children Without a School Place, never a block) whose
	school has not answered within 15 school days (the sweep's ToDo); an emergency move (the reg 10(3)
	exception, no warning); and a Year 11 suspension that would miss a public examination (the 15-school-day
	consideration clock)."""
	on = getdate(today())
	school = frappe.get_all("School", filters={"la": HOME_LA, "status": "Open"}, pluck="name", limit=1)
	for number, (last_name, exception) in enumerate(
		(("Mover", "None"), ("Emergency", "Emergency placement change"))
	):
		child = frappe.get_doc(
			{
				"doctype": "Child",
				"first_name": "Jordan",
				"last_name": last_name,
				"social_care_id": f"{DEMO_MARK}REG10-{number}",
				"date_of_birth": date(on.year - 15, 1, 10),  # key stage 4
				"cohort": LOOKED_AFTER,
				"date_entered_care": add_days(on, -700),
				"responsible_la": HOME_LA,
				"resident_la": HOME_LA,
				"caseworker": caseworkers[0],
			}
		).insert(ignore_permissions=True)
		frappe.get_doc(
			{
				"doctype": "Care Placement Move",
				"child": child.name,
				"move_date": add_days(on, -40),
				"reg10_exception": exception,
				"designated_teacher_consulted": 1,
				"nominated_officer": "Sam Nominated (demo)",
			}
		).insert(ignore_permissions=True)
		if school:
			request = frappe.get_doc(
				{
					"doctype": "School Place Request",
					"child": child.name,
					"date_needed": add_days(on, -35),
					"reason": "Care placement move",
					"approaches": [{"school": school[0], "date_asked": add_days(on, -35)}],
				}
			)
			request.flags.ignore_permissions = True
			request.insert()
			apply_workflow(request, "Request Place")
	flag_late_answers(on)
	candidate = frappe.get_all(
		"Child",
		filters={"year_group": "Year 11", "current_school": ["is", "set"], "status": ACTIVE},
		fields=["name", "current_school"],
		limit=1,
		order_by="name",
	)
	if candidate:
		frappe.get_doc(
			{
				"doctype": "Exclusion",
				"child": candidate[0].name,
				"school": candidate[0].current_school,
				"exclusion_type": "Suspension",
				"start_date": on,
				"school_days": 2,
				"reason": "Persistent or general disruptive behaviour",
				"notice_date": on,
				"misses_public_examination": 1,
				"examination_date": add_days(on, 1),
			}
		).insert(ignore_permissions=True)


def _create_admission_route_cases(caseworkers: list[str]) -> None:
	"""Issue #18 items 1-5, one request each (STATUTORY.md section 11): the council's own community school
	refused and the council admits (its decision recorded, no direction); a voluntary aided school directed
	after consultation, notice and the adjudicator window; an academy request opened before the council's
	power to direct academies commenced (it keeps the Secretary of State route) and a second one opened after
	(the trust is consulted); a child with an EHC plan (the plan consultation, response due in 15 days)."""
	on = getdate(today())
	# The demo council records a commencement date for the academy power (CWSA 2026 s63), as a council
	# would once the regulations are made; requests opened before it keep their route.
	commenced = getdate(add_days(on, -ACADEMY_POWER_DAYS_AGO))
	frappe.get_doc("Virtual School Settings").update({"academy_direction_commenced_on": commenced}).save(
		ignore_permissions=True
	)

	def school(urn, name, group, kind):
		if not frappe.db.exists("School", urn):
			frappe.get_doc(
				{
					"doctype": "School",
					"urn": urn,
					"school_name": name,
					"type_group": group,
					"establishment_type": kind,
					"la": HOME_LA,
					"status": "Open",
					"phase": "Primary",
					"town": "Maidstone",
				}
			).insert(ignore_permissions=True)
		return urn

	maintained = "Local authority maintained schools"
	own = school("990801", "Maidstone Castle Community Primary School (demo)", maintained, "Community school")
	aided = school(
		"990802", "Maidstone St Anne’s Voluntary Aided Primary (demo)", maintained, "Voluntary aided school"
	)
	academy = school("990803", "Maidstone Valley Academy (demo)", "Academies", "Academy converter")

	def request(key, first_name, school_name, asked, opened=None, **child_values):
		child = frappe.get_doc(
			{
				"doctype": "Child",
				"first_name": first_name,
				"last_name": "Routeway",
				"social_care_id": f"{DEMO_MARK}ROUTE-{key}",
				"date_of_birth": date(on.year - 8, 3, 9),
				"cohort": LOOKED_AFTER,
				"date_entered_care": add_days(on, -200),
				"responsible_la": HOME_LA,
				"resident_la": HOME_LA,
				"caseworker": caseworkers[0],
				**child_values,
			}
		).insert(ignore_permissions=True)
		doc = frappe.get_doc(
			{
				"doctype": "School Place Request",
				"child": child.name,
				"date_needed": add_days(on, asked),
				"reason": "Entered care",
				"opened_on": add_days(on, opened if opened is not None else asked),
				"approaches": [
					{
						"school": school_name,
						"date_asked": add_days(on, asked),
						"response": "Refused",
						"response_date": add_days(on, asked + 3),
						"refusal_reason": "Year group full",
					}
				],
			}
		)
		doc.flags.ignore_permissions = True
		doc.insert()
		for action in ("Request Place", "Record Refusal", "Escalate"):
			doc = apply_workflow(doc, action)
		return doc

	def act(doc, action, **values):
		doc.update(values)
		doc.save(ignore_permissions=True)
		return apply_workflow(doc, action)

	# The council's own community school refused: the council is its admission authority and admits.
	admitted = request("OWN", "Casey", own, -20)
	act(admitted, "Record Admission Decision", council_admission_decided_on=add_days(on, -12))
	# A voluntary aided school: consulted 30 days ago, notice after the 7 days, directed after the window.
	directed = request("VA", "Devon", aided, -45)
	directed = act(directed, "Consult on Direction", direction_consulted_on=add_days(on, -30))
	directed = act(directed, "Serve Notice of Intention to Direct", direction_notice_on=add_days(on, -22))
	act(directed, "Direct Admission", directed_on=add_days(on, -14))
	# An academy: opened before the commencement date (Secretary of State), and a second one after it.
	before = request("ACADEMY-BEFORE", "Ellis", academy, -60)
	act(before, "Refer to Secretary of State", secretary_of_state_referred_on=add_days(on, -50))
	after = request("ACADEMY-AFTER", "Frankie", academy, -10)
	act(after, "Consult on Direction", direction_consulted_on=add_days(on, -5))
	# A child with an EHC plan: the plan consultation, not a direction.
	ehcp = request("EHCP", "Gray", aided, -8, sen_provision="EHC plan")
	ehcp.update({"ehcp_school": aided, "ehcp_consulted_on": add_days(on, -6), "ehcp_response": "Awaiting"})
	ehcp.save(ignore_permissions=True)
