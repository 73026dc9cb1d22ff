"""The permission matrix: every app doctype x every role x every operation, over HTTP with real logins.

EXPECTED below is the single table of what each role may do. It is derived from each doctype's DocPerms
and the caseload hooks in virtual_school/permissions.py. The test fails when

- an app doctype exists on the site without a row here (so a new doctype fails CI until someone decides
  who may do what with it), or a child table without its parent in CHILD_TABLES;
- any role can do more, or less, than its row says, through any of these paths.

Operations (one letter each):
  r read       GET /api/resource/<doctype>/<name>
  l list       GET /api/resource/<doctype> filtered to the sample (a row the hooks hide counts as denied)
  q report     frappe.desk.reportview.get (the desk's list and report views)
  s search     frappe.desk.search.search_link (link fields)
  c create     POST /api/resource/<doctype> (for a child's record: a child on cw_own's caseload)
  w write      PUT /api/resource/<doctype>/<name>
  a attach     upload a private file to the sample (/api/method/upload_file)
  d delete     DELETE /api/resource/<doctype>/<name>
  e export     frappe.desk.reportview.export_query (CSV)
  p print      /printview
  f file       GET the /private/files/... URL of a private file attached to the sample
  u submit     PUT docstatus 1 (submittable doctypes)
  x cancel     PUT docstatus 2 (submittable doctypes)

Roles: head, manager, finance; cw_own (the sample child is on their caseload), cw_other (a caseworker with
another caseload); sw_own (the sample child's social worker: Child.social_worker_user), sw_other (a social
worker of other children); portal_own (School Portal User of the sample child's school), portal_other (of another
school); website (a website user without roles); guest (not signed in).

Single doctypes are checked for read and write only. Child tables are reached only through their parent.
"""

import json
import random
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from conftest import refused

pytestmark = pytest.mark.http

RUN = uuid.uuid4().hex[:6]
TIMEOUT = 30
OPS = "rlqscwadepfux"
ROLES = (
	"head",
	"manager",
	"cw_own",
	"cw_other",
	"sw_own",
	"sw_other",
	"finance",
	"portal_own",
	"portal_other",
	"website",
	"guest",
)
NONE = dict(portal_own="", portal_other="", website="", guest="")

# fmt: off
EXPECTED = {
	# doctype: {role: the operations it may perform on the sample record}
	"Advice Request":          dict(head="rlqscwaepf", manager="rlqscwaepf", cw_own="rlqscwaepf", cw_other="", finance="", **NONE),
	# an annual report the app writes (annual_report.generate), the .docx attached: Head and Managers only
	"Annual Report Run":       dict(head="rlqsepf", manager="rlqsepf", cw_own="", cw_other="", finance="", **NONE),
	"Attendance Record":       dict(head="rlqscwaepf", manager="rlqscwaepf", cw_own="rlqscwaepf", cw_other="", finance="", **NONE),
	# read-only, written only by the app from the records (attendance.refresh_totals): nobody creates or edits;
	# Frappe lets a reader print (validate_print_permission accepts read)
	"Attendance Term Total":   dict(head="rlqsepf", manager="rlqsepf", cw_own="rlqsepf", cw_other="", finance="", **NONE),
	# read-only like the term totals; a school's week sums all its children: only roles that see every child
	"Attendance Week Total":   dict(head="rlqsepf", manager="rlqsepf", cw_own="", cw_other="", finance="", **NONE),
	"Bank Holiday":            dict(head="rlqscwadepf", manager="rlqsepf", cw_own="rlqsepf", cw_other="rlqsepf", finance="rlqsepf", **NONE),
	# a care-placement move and its reg 10 record (issue #18): a child's record, on the caseload
	"Care Placement Move":     dict(head="rlqscwaepf", manager="rlqscwaepf", cw_own="rlqscwaepf", cw_other="", finance="", **NONE),
	"Child":                   dict(head="rlqscwaepf", manager="rlqscwaepf", cw_own="rlqscwaepf", cw_other="c", finance="rlqspf", **NONE),
	# what the SSDA903 import could not write (issue #19): read-only to all, the caseworker sees their caseload's
	"Data Quality Issue":      dict(head="rlqsepf", manager="rlqsepf", cw_own="rlqsepf", cw_other="", finance="", **NONE),
	# disposal (issue #22): the Head reviews and confirms a batch; the certificate is written by the app only
	"Disposal Batch":          dict(head="rlqscwaepf", manager="rlqsepf", cw_own="", cw_other="", finance="", **NONE),
	"Disposal Certificate":    dict(head="rlqsepf", manager="rlqsepf", cw_own="", cw_other="", finance="", **NONE),
	"Education Placement":     dict(head="rlqscwaepf", manager="rlqscwaepf", cw_own="rlqscwaepf", cw_other="", finance="rlqspf", **NONE),
	"Escalation":              dict(head="rlqscwaepf", manager="rlqscwaepf", cw_own="rlqscwaepf", cw_other="", finance="rlqspf", **NONE),
	"Exclusion":               dict(head="rlqscwaepf", manager="rlqscwaepf", cw_own="rlqscwaepf", cw_other="", finance="", **NONE),
	# one import run with its source files (dates of birth, UPNs, postcodes): Head and Managers only
	"Import Log":              dict(head="rlqscwaepf", manager="rlqscwaepf", cw_own="", cw_other="", finance="", **NONE),
	# a child's result at the end of a key stage (issue #23): a child's record, on the caseload
	"Key Stage Outcome":       dict(head="rlqscwaepf", manager="rlqscwaepf", cw_own="rlqscwaepf", cw_other="", finance="", **NONE),
	"Local Authority":         dict(head="rlqscwaepf", manager="rlqsepf", cw_own="rlqsepf", cw_other="rlqsepf", finance="rlqsepf", **NONE),
	"Personal Education Plan": dict(head="rlqscwaepf", manager="rlqscwaepf", cw_own="rlqscwaepf", cw_other="", finance="", **NONE),
	"PP Plus Claim":           dict(head="rlqscwaepf", manager="rlqscwaepf", cw_own="rlqscwaepf", cw_other="", finance="rlqsepf", **NONE),
	"PP Plus Funding Year":    dict(head="rlqscwaepf", manager="rlqsepf", cw_own="rlqsepf", cw_other="rlqsepf", finance="rlqsepf", **NONE),
	"PP Plus Impact Report":   dict(head="rlqscwaepf", manager="rlqscwaepf", cw_own="rlqswaepf", cw_other="rlqswaepf", finance="rlqsepf", **NONE),
	"PP Plus Payment":         dict(head="rlqsepf", manager="rlqsepf", cw_own="", cw_other="", finance="rlqscwaepfux", **NONE),
	# the retention schedule (issue #22): shipped with one rule per record kind and cohort; the Head edits them,
	# nobody but a System Manager adds one
	"Retention Rule":          dict(head="rlqswaepf", manager="rlqsepf", cw_own="", cw_other="", finance="", **NONE),
	"School":                  dict(head="rlqscwaepf", manager="rlqscwaepf", cw_own="rlqsepf", cw_other="rlqsepf", finance="rlqsepf", **NONE),
	"School Calendar":         dict(head="rlqscwadepf", manager="rlqswaepf", cw_own="rlqsepf", cw_other="rlqsepf", finance="rlqsepf", **NONE),
	"School Contact":          dict(head="rlqscwaepf", manager="rlqscwaepf", cw_own="rlqscwaepf", cw_other="rlqscwaepf", finance="rlqsepf", **NONE),
	"School Place Request":    dict(head="rlqscwaepf", manager="rlqscwaepf", cw_own="rlqscwaepf", cw_other="", finance="rlqspf", **NONE),
	"Virtual School Settings": dict(head="rw", manager="r", cw_own="r", cw_other="r", finance="r", **NONE),
}
# fmt: on

# The Social Worker (issue #23) reads their own children's records (the caseload rule, by
# Child.social_worker_user) and writes only the PEP's social-care part; shared records (schools, local
# authorities) like every desk role. A doctype not listed here is closed to both social workers.
SOCIAL_WORKER = {
	# doctype: (sw_own, sw_other)
	"Attendance Record": ("rlqspf", ""),
	"Attendance Term Total": ("rlqspf", ""),
	"Care Placement Move": ("rlqspf", ""),
	"Child": ("rlqspf", ""),
	"Education Placement": ("rlqspf", ""),
	"Escalation": ("rlqspf", ""),
	"Exclusion": ("rlqspf", ""),
	"Key Stage Outcome": ("rlqspf", ""),
	"Local Authority": ("rlqspf", "rlqspf"),
	"Personal Education Plan": ("rlqswapf", ""),
	"School": ("rlqspf", "rlqspf"),
	"School Place Request": ("rlqspf", ""),
}
for _doctype, _row in EXPECTED.items():
	_row["sw_own"], _row["sw_other"] = SOCIAL_WORKER.get(_doctype, ("", ""))

# Child tables (istable): reached only through the parent's permissions.
CHILD_TABLES = {
	"Care Episode": "Child",
	"Care Review": "Child",
	"Disposal Batch Item": "Disposal Batch",
	"Disposal Certificate Item": "Disposal Certificate",
	"Designated Teacher Training": "School Contact",
	"Child Status History": "Child",
	"Escalation Log": "Escalation",
	"Outcome National Figure": "Virtual School Settings",
	"PEP Attainment": "Personal Education Plan",
	"PEP Early Learning Goal": "Personal Education Plan",
	"PEP Qualification Aim": "Personal Education Plan",
	"PEP Target": "Personal Education Plan",
	"PP Plus Impact Row": "PP Plus Impact Report",
	"PP Plus Payment Claim": "PP Plus Payment",
	"School Calendar Term": "School Calendar",
	"School Closure Day": "School Calendar",
	"School Place Approach": "School Place Request",
}

FUNDING_YEAR = "2026-27"
CLAIM_DATE = "2026-10-01"


def unique_digits(length: int) -> str:
	return "".join(random.choice("0123456789") for _ in range(length))


class Admin:
	"""Administrator's REST session, to build the world the roles are tested against."""

	def __init__(self, base_url: str, session: requests.Session):
		self.base_url, self.session = base_url, session

	def url(self, path: str) -> str:
		return f"{self.base_url}{path}"

	def insert(self, doctype: str, payload: dict) -> dict:
		response = self.session.post(self.url(f"/api/resource/{doctype}"), json=payload, timeout=TIMEOUT)
		assert response.status_code == 200, f"{doctype}: {response.text[:2000]}"
		return response.json()["data"]

	def get(self, doctype: str, name: str) -> dict | None:
		response = self.session.get(self.url(f"/api/resource/{doctype}/{name}"), timeout=TIMEOUT)
		return response.json()["data"] if response.status_code == 200 else None

	def workflow(self, session: requests.Session, doctype: str, name: str, action: str) -> dict:
		doc = self.get(doctype, name)
		response = session.post(
			self.url("/api/method/frappe.model.workflow.apply_workflow"),
			data={"doc": json.dumps(doc), "action": action},
			timeout=TIMEOUT,
		)
		assert response.status_code == 200, f"{action} on {name}: {response.text[:2000]}"
		return response.json()["message"]

	def attach_private_file(self, doctype: str, name: str) -> tuple[str, str]:
		token = f"private-{doctype}-{RUN}-{uuid.uuid4().hex}"
		response = self.session.post(
			self.url("/api/method/upload_file"),
			files={"file": (f"evidence-{uuid.uuid4().hex[:8]}.txt", token.encode(), "text/plain")},
			data={"is_private": 1, "doctype": doctype, "docname": name},
			timeout=TIMEOUT,
		)
		assert response.status_code == 200, response.text[:2000]
		file_url = response.json()["message"]["file_url"]
		assert file_url.startswith("/private/files/"), file_url
		return file_url, token


def ensure_plain_website_user(admin: Admin, email: str, password: str) -> str:
	if not admin.get("User", email):
		admin.insert(
			"User",
			{"email": email, "first_name": "Plain", "user_type": "Website User", "send_welcome_email": 0},
		)
	response = admin.session.put(
		admin.url(f"/api/resource/User/{email}"), json={"new_password": password}, timeout=TIMEOUT
	)
	assert response.status_code == 200, response.text
	return email


_worlds: dict[str, dict] = {}  # one world per run and site: other modules import the fixture (names use RUN)


@pytest.fixture(scope="module")
def world(base_url, admin_password, login_as, ensure_user, user_password):
	if base_url in _worlds:
		return _worlds[base_url]
	admin = Admin(base_url, login_as("Administrator", admin_password))
	users = {
		"head": ensure_user("matrix.head@example.test", "Virtual School Head"),
		"manager": ensure_user("matrix.manager@example.test", "Virtual School Manager"),
		"cw_own": ensure_user("matrix.cw1@example.test", "Virtual School Caseworker"),
		"cw_other": ensure_user("matrix.cw2@example.test", "Virtual School Caseworker"),
		"sw_own": ensure_user("matrix.sw1@example.test", "Social Worker"),
		"sw_other": ensure_user("matrix.sw2@example.test", "Social Worker"),
		"finance": ensure_user("matrix.finance@example.test", "Virtual School Finance"),
		"portal_own": ensure_user(
			"matrix.portal1@school.test", "School Portal User", user_type="Website User"
		),
		"portal_other": ensure_user(
			"matrix.portal2@school.test", "School Portal User", user_type="Website User"
		),
		"website": ensure_plain_website_user(admin, "matrix.website@example.test", user_password),
	}
	schools = []
	for number in (1, 2):
		urn = free_name(admin, "School", f"8{number}", 4)
		admin.insert("School", {"urn": urn, "school_name": f"Matrix School {number} {RUN}", "la": "886"})
		schools.append(urn)
	for key, school in (("portal_own", schools[0]), ("portal_other", schools[1])):
		admin.insert(
			"School Contact",
			{
				"school": school,
				"full_name": f"Teacher {key}",
				"contact_role": "Designated Teacher",
				"user": users[key],
				"email": users[key],
			},
		)
	if not admin.get("PP Plus Funding Year", FUNDING_YEAR):
		admin.insert(
			"PP Plus Funding Year", {"label": FUNDING_YEAR, "rate_per_child": 2630, "top_slice_percent": 0}
		)
	sessions = {key: login_as(email, user_password) for key, email in users.items()}
	sessions["guest"] = requests.Session()
	for session in (*sessions.values(), admin.session):
		# No keep-alive: gunicorn closes idle connections after 2 s, which races with reuse on a busy box.
		session.headers["Connection"] = "close"

	def new_child(first_name: str, **values) -> str:
		child = admin.insert(
			"Child",
			{
				"first_name": first_name,
				"last_name": f"Matrix{RUN}",
				"date_of_birth": "2016-03-14",
				"cohort": "Looked After",
				"caseworker": users["cw_own"],
				"social_worker_user": users["sw_own"],
				**values,
			},
		)["name"]
		admin.insert(
			"Education Placement",
			{
				"child": child,
				"school": schools[0],
				"start_date": "2025-09-01",
				"end_date": "2027-08-31",
				"attendance_basis": "Full time",
			},
		)
		return child

	child = new_child(
		"Ada",
		carer_name=f"Carer{RUN}",
		placement_address=f"{RUN} Secret Street",
		care_episodes=[{"start_date": "2024-01-01", "placement_postcode": f"ZZ{RUN}"}],
		care_reviews=[{"review_date": "2017-11-23", "participation": "PN1"}],  # a date no other record holds
	)
	# One further child per role for the create checks (a placement, a plan, a claim each).
	create_children = {role: new_child(f"Create{role.replace('_', '')}") for role in ROLES}
	placement = admin.session.get(
		admin.url("/api/resource/Education Placement"),
		params={"filters": json.dumps([["child", "=", child]])},
		timeout=TIMEOUT,
	).json()["data"][0]["name"]

	def approved_claim(child_name: str) -> str:
		claim = admin.insert("PP Plus Claim", claim_payload(child_name, schools[0]))["name"]
		admin.workflow(sessions["cw_own"], "PP Plus Claim", claim, "Submit Claim")
		admin.workflow(sessions["manager"], "PP Plus Claim", claim, "Start Review")
		admin.workflow(sessions["head"], "PP Plus Claim", claim, "Approve")
		return claim

	world = {
		"admin": admin,
		"users": users,
		"sessions": sessions,
		"schools": schools,
		"child": child,
		"create_children": create_children,
		"placement": placement,
		"claims": [approved_claim(child), approved_claim(child)],
	}
	_worlds[base_url] = world
	return world


def claim_payload(child: str, school: str) -> dict:
	return {
		"child": child,
		"school": school,
		"funding_year": FUNDING_YEAR,
		"claim_date": CLAIM_DATE,
		"amount": 100,
		"category": "Tuition",
		"description": f"Matrix tuition {RUN}",
	}


def free_name(admin: Admin, doctype: str, prefix: str, digits: int) -> str:
	"""A name no record of ``doctype`` has yet (URNs and LA codes are chosen, not generated)."""
	while True:
		name = prefix + unique_digits(digits)
		if not admin.get(doctype, name):
			return name


NAMED_BY_YEAR = ("Bank Holiday", "PP Plus Funding Year", "School Calendar")


def free_year(admin: Admin) -> int:
	"""A far-future year no funding year or school calendar is named after yet (the tier-3 site is reused
	between local runs, and a random pick could meet one left by an earlier run)."""
	while True:
		year = random.randint(2200, 2900)
		label = f"{year}-{(year + 1) % 100:02d}"
		if not admin.get("PP Plus Funding Year", label) and not admin.get("School Calendar", label):
			return year


def free_la_code(admin: Admin) -> str:
	return free_name(admin, "Local Authority", "", 3)


def sample_payload(doctype: str, world: dict, role: str | None = None) -> dict:
	"""A valid new record: the sample (role None) or one a role tries to create."""
	child = world["create_children"][role] if role else world["child"]
	school = world["schools"][0]
	tag = f"{RUN}{role or 'sample'}"
	year = free_year(world["admin"]) if doctype in NAMED_BY_YEAR else 2200
	payloads = {
		"Advice Request": {
			"requested_on": "2026-01-05",
			"requester_type": "School",
			"cohort": "Previously Looked After",
			"child": child,
			"topic": "Admissions",
			"question": f"Question {tag}",
		},
		"Annual Report Run": {"academic_year": "2025-26"},
		"Attendance Record": {
			"child": child,
			"school": school,
			"week_starting": "2026-01-05",
			"possible_sessions": 10,
			"sessions_attended": 9,
			"authorised_absence": 1,
		},
		"Attendance Term Total": {
			"academic_year": "2025-26",
			"term": "Spring",
			"child": child,
			"school": school,
			"possible_sessions": 10,
			"sessions_attended": 10,
			"weeks": 1,
		},
		"Attendance Week Total": {
			"academic_year": "2025-26",
			"term": "Spring",
			"week_starting": "2026-01-19",
			"school": school,
			"possible_sessions": 10,
			"sessions_attended": 10,
			"children": 1,
		},
		"Care Placement Move": {"child": child, "move_date": "2026-01-05"},
		"Key Stage Outcome": {
			"child": child,
			"academic_year": "2025-26",
			"key_stage": "KS2",
			"ks2_reading": "Yes",
		},
		"Data Quality Issue": {
			"child": child,
			"status": "Open",
			"severity": "Error",
			"rule": f"Matrix rule {tag}",
			"rule_code": "matrix",
			"issue_key": f"matrix-{tag}-{uuid.uuid4().hex[:8]}",
		},
		"Disposal Batch": {"notes": f"Matrix {tag}"},
		"Disposal Certificate": {"disposal_batch": f"DISP-MATRIX-{tag}", "total_records": 1},
		"Retention Rule": {
			"rule_name": f"Matrix rule {tag}",
			"record_kind": "Access Log",
			"authority": "Local",
			"basis": "Last Activity",
			"period_years": 2,
			"source": "Matrix",
		},
		"Bank Holiday": {
			"holiday_date": f"{year}-0{random.randint(1, 9)}-{random.randint(10, 28)}",
			"title": f"Holiday {tag}",
		},
		"Child": {
			"first_name": "New",
			"last_name": f"Matrix{tag}",
			"date_of_birth": "2016-05-05",
			"cohort": "Looked After",
		},
		"Education Placement": {
			"child": child,
			"school": school,
			"start_date": "2020-09-01",
			"end_date": "2021-07-20",
			"attendance_basis": "Full time",
		},
		"Escalation": {
			"reference_doctype": "Child",
			"reference_name": child,
			"child": child,
			"reason": f"Reason {tag}",
		},
		"Exclusion": {
			"child": child,
			"school": school,
			"exclusion_type": "Suspension",
			"school_days": 1,
			"start_date": "2026-01-06",
			"reason": "Verbal abuse or threatening behaviour against an adult",
		},
		"Import Log": {"import_type": "GIAS"},
		"Local Authority": {"la_code": free_la_code(world["admin"]), "la_name": f"Authority {tag}"},
		"Personal Education Plan": {"child": child, "due_date": "2026-11-30"},
		"PP Plus Claim": claim_payload(child, school),
		"PP Plus Funding Year": {"label": f"{year}-{(year + 1) % 100:02d}", "rate_per_child": 2630},
		"PP Plus Impact Report": {
			"school": school,
			"funding_year": FUNDING_YEAR,
			"term": "Autumn",
			"due_date": "2027-01-31",
		},
		"PP Plus Payment": {
			"school": school,
			"funding_year": FUNDING_YEAR,
			"payment_date": "2026-11-01",
			"payment_reference": f"BACS-{tag}",
			"claims": [{"claim": world["claims"][0 if role is None else 1]}],
		},
		"School": {
			"urn": free_name(world["admin"], "School", "7", 5),
			"school_name": f"School {tag}",
			"la": "886",
		},
		"School Calendar": {
			"academic_year": f"{year}-{(year + 1) % 100:02d}",
			"terms": [
				{"term_name": "Autumn", "start_date": f"{year}-09-03", "end_date": f"{year}-12-18"},
			],
		},
		"School Contact": {"school": school, "full_name": f"Contact {tag}", "contact_role": "SENCO"},
		"School Place Request": {"child": child, "date_needed": "2027-09-06", "reason": "Entered care"},
	}
	return payloads[doctype]


def app_doctypes(admin: Admin) -> list[dict]:
	response = admin.session.get(
		admin.url("/api/resource/DocType"),
		params={
			"filters": json.dumps([["module", "=", "Virtual School"]]),
			"fields": json.dumps(["name", "istable", "issingle", "is_submittable"]),
			"limit_page_length": 100000,
		},
		timeout=TIMEOUT,
	)
	assert response.status_code == 200, response.text
	return response.json()["data"]


def test_every_app_doctype_has_a_row(world):
	doctypes = app_doctypes(world["admin"])
	assert doctypes, "no app doctypes found"
	missing = sorted(
		row["name"]
		for row in doctypes
		if (row["name"] not in CHILD_TABLES if row["istable"] else row["name"] not in EXPECTED)
	)
	assert not missing, f"add these doctypes to EXPECTED or CHILD_TABLES in {__file__}: {missing}"
	for role_row in EXPECTED.values():
		assert set(role_row) == set(ROLES)
		for allowed in role_row.values():
			assert set(allowed.replace(" ", "")) <= set(OPS)


class Probe:
	"""Runs one operation as one role and says whether it was allowed."""

	def __init__(self, world: dict, doctype: str, meta: dict):
		self.world, self.doctype, self.meta = world, doctype, meta
		self.admin: Admin = world["admin"]

	def url(self, path: str) -> str:
		return self.admin.url(path)

	def outcome(self, response: requests.Response, allowed_codes=(200,)) -> str:
		if response.status_code in allowed_codes:
			return "allow"
		if response.status_code in (401, 403):
			return "deny"
		return f"error {response.status_code}: {response.text[:300]}"

	def run(self, session, role: str, op: str, name: str, file: tuple[str, str]) -> str:
		doctype = self.doctype
		if op == "r":
			return self.outcome(session.get(self.url(f"/api/resource/{doctype}/{name}"), timeout=TIMEOUT))
		if op == "l":
			response = session.get(
				self.url(f"/api/resource/{doctype}"),
				params={"filters": json.dumps([["name", "=", name]]), "limit_page_length": 0},
				timeout=TIMEOUT,
			)
			if response.status_code == 200:
				return "allow" if name in {row["name"] for row in response.json()["data"]} else "deny"
			return self.outcome(response)
		if op == "q":
			response = session.post(
				self.url("/api/method/frappe.desk.reportview.get"),
				data={
					"doctype": doctype,
					"fields": json.dumps([f"`tab{doctype}`.`name`"]),
					"filters": json.dumps([[doctype, "name", "=", name]]),
				},
				timeout=TIMEOUT,
			)
			if response.status_code == 200:
				message = response.json().get("message") or {}
				values = message.get("values", []) if isinstance(message, dict) else []
				return "allow" if name in {row[0] for row in values} else "deny"
			return self.outcome(response)
		if op == "s":
			response = session.get(
				self.url("/api/method/frappe.desk.search.search_link"),
				params={"doctype": doctype, "txt": name, "page_length": 50},
				timeout=TIMEOUT,
			)
			if response.status_code == 200:
				found = {row.get("value") for row in response.json().get("message") or []}
				return "allow" if name in found else "deny"
			return self.outcome(response)
		if op == "c":
			payload = sample_payload(doctype, self.world, role)
			response = session.post(self.url(f"/api/resource/{doctype}"), json=payload, timeout=TIMEOUT)
			return self.outcome(response)
		if op == "w":
			response = session.put(self.url(f"/api/resource/{doctype}/{name}"), json={}, timeout=TIMEOUT)
			return self.outcome(response)
		if op == "a":
			response = session.post(
				self.url("/api/method/upload_file"),
				files={"file": (f"upload-{role}-{RUN}.txt", b"uploaded evidence", "text/plain")},
				data={"is_private": 1, "doctype": doctype, "docname": name},
				timeout=TIMEOUT,
			)
			return self.outcome(response)
		if op == "d":
			response = session.delete(self.url(f"/api/resource/{doctype}/{name}"), timeout=TIMEOUT)
			outcome = self.outcome(response, allowed_codes=(200, 202))
			if outcome == "deny" and self.admin.get(doctype, name) is None:
				return "error: the delete was refused, yet the record is gone"
			return outcome
		if op in "ux":
			docstatus = 1 if op == "u" else 2
			before = self.admin.get(doctype, name)
			response = session.put(
				self.url(f"/api/resource/{doctype}/{name}"), json={"docstatus": docstatus}, timeout=TIMEOUT
			)
			outcome = self.outcome(response)
			after = self.admin.get(doctype, name)
			if outcome == "deny" and (after or {}).get("modified") != (before or {}).get("modified"):
				return "error: the submit or cancel was refused, yet the record changed"
			return outcome
		if op == "e":
			response = session.post(
				self.url("/api/method/frappe.desk.reportview.export_query"),
				data={
					"doctype": doctype,
					"file_format_type": "CSV",
					"fields": json.dumps([f"`tab{doctype}`.`name`"]),
					"filters": json.dumps([[doctype, "name", "=", name]]),
				},
				timeout=TIMEOUT,
			)
			if response.status_code == 200:
				return "allow" if name in response.text else "deny"
			return self.outcome(response)
		if op == "p":
			response = session.get(
				self.url("/printview"),
				params={"doctype": doctype, "name": name, "trigger_print": 0},
				timeout=TIMEOUT,
			)
			if response.status_code == 404 and RUN not in response.text:
				return "deny"  # Frappe's printview answers "not found" when print is not permitted
			return self.outcome(response)
		if op == "f":
			file_url, token = file
			response = session.get(self.url(file_url), timeout=TIMEOUT, allow_redirects=False)
			if response.status_code == 200:
				return "allow" if token in response.text else "deny"
			if response.status_code in (301, 302, 404):
				return "deny" if token not in response.text else f"error {response.status_code}"
			return self.outcome(response)
		raise AssertionError(op)


def attendance_total_sample(admin: Admin, world: dict) -> str:
	"""The totals row the app writes when the sample Attendance Record is saved (it cannot be created)."""
	week = {"week_starting": "2026-01-12"}  # not the Attendance Record sample's week (that test made it)
	record = admin.insert("Attendance Record", {**sample_payload("Attendance Record", world), **week})
	response = admin.session.get(
		admin.url("/api/resource/Attendance Term Total"),
		params={
			"filters": json.dumps(
				[
					["child", "=", record["child"]],
					["school", "=", record["school"]],
					["academic_year", "=", record["academic_year"]],
				]
			)
		},
		timeout=TIMEOUT,
	)
	assert response.status_code == 200, response.text[:2000]
	rows = response.json()["data"]
	assert len(rows) == 1, rows
	return rows[0]["name"]


def attendance_week_total_sample(admin: Admin, world: dict) -> str:
	"""The week totals row the app writes when an Attendance Record of the sample's school is saved."""
	week = {"week_starting": "2026-01-19"}  # a week no other sample uses
	record = admin.insert("Attendance Record", {**sample_payload("Attendance Record", world), **week})
	response = admin.session.get(
		admin.url("/api/resource/Attendance Week Total"),
		params={
			"filters": json.dumps(
				[["school", "=", record["school"]], ["week_starting", "=", record["week_starting"]]]
			)
		},
		timeout=TIMEOUT,
	)
	assert response.status_code == 200, response.text[:2000]
	rows = response.json()["data"]
	assert len(rows) == 1, rows
	return rows[0]["name"]


def retention_rule_sample(admin: Admin) -> str:
	"""One of the shipped rules: every record kind (and cohort) has its one rule already, so none is added."""
	response = admin.session.get(
		admin.url("/api/resource/Retention Rule"),
		params={"filters": json.dumps([["record_kind", "=", "Access Log"]])},
		timeout=TIMEOUT,
	)
	assert response.status_code == 200, response.text[:2000]
	rows = response.json()["data"]
	assert len(rows) == 1, rows
	return rows[0]["name"]


@pytest.mark.parametrize("doctype", sorted(EXPECTED))
def test_matrix(world, doctype):
	admin: Admin = world["admin"]
	metas = {row["name"]: row for row in app_doctypes(admin)}
	# A doctype in EXPECTED missing from the site is a stale matrix or an unmigrated site, never a skip.
	assert doctype in metas, f"{doctype} is in EXPECTED but not on this site"
	meta = metas[doctype]
	expected = {role: set(allowed.replace(" ", "")) for role, allowed in EXPECTED[doctype].items()}
	probe = Probe(world, doctype, meta)

	if meta["issingle"]:
		name, file, ops = doctype, None, "rw"
	else:
		if doctype == "Child":
			name = world["child"]
		elif doctype == "Education Placement":
			name = world["placement"]
		elif doctype == "PP Plus Claim":
			name = world["claims"][0]
		elif doctype == "Attendance Term Total":
			name = attendance_total_sample(admin, world)
		elif doctype == "Attendance Week Total":
			name = attendance_week_total_sample(admin, world)
		elif doctype == "Retention Rule":
			name = retention_rule_sample(admin)
		else:
			name = admin.insert(doctype, sample_payload(doctype, world))["name"]
		file = admin.attach_private_file(doctype, name)
		ops = "rlqscwaepf"  # ops that leave the sample in place; delete, submit, cancel come after

	outcomes: dict[tuple[str, str], str] = {}

	def run_role(role):
		session = world["sessions"][role]
		return {(role, op): probe.run(session, role, op, name, file) for op in ops}

	with ThreadPoolExecutor(max_workers=4) as pool:
		for result in pool.map(run_role, ROLES):
			outcomes.update(result)

	if not meta["issingle"]:
		# State-changing operations, one role at a time; roles expected to succeed go last.
		staged = (("u", "x") if meta["is_submittable"] else ()) + ("d",)
		for op in staged:
			for role in sorted(ROLES, key=lambda role: op in expected[role]):
				target = name
				if op == "d" and op in expected[role]:
					target = admin.insert(doctype, sample_payload(doctype, world))["name"]
				outcomes[(role, op)] = probe.run(world["sessions"][role], role, op, target, file)

	problems = []
	for (role, op), outcome in sorted(outcomes.items()):
		want = "allow" if op in expected[role] else "deny"
		if outcome != want:
			problems.append(f"{doctype:24} {role:13} {op}: expected {want}, got {outcome}")
	assert not problems, "\n" + "\n".join(problems)


def test_restricted_fields_never_reach_finance(world, base_url):
	"""Carer and placement details (permlevel 1, also in the Care Episode table) are not sent to finance."""
	child = world["child"]
	secrets = (f"Carer{RUN}", f"{RUN} Secret Street", f"ZZ{RUN}")
	finance = world["sessions"]["finance"]
	responses = [
		finance.get(f"{base_url}/api/resource/Child/{child}", timeout=TIMEOUT),
		finance.get(
			f"{base_url}/api/resource/Child",
			params={"fields": json.dumps(["*"]), "filters": json.dumps([["name", "=", child]])},
			timeout=TIMEOUT,
		),
		finance.get(
			f"{base_url}/api/resource/Child",
			params={
				"fields": json.dumps(["name", "carer_name", "placement_address"]),
				"filters": json.dumps([["name", "=", child]]),
			},
			timeout=TIMEOUT,
		),
		finance.post(
			f"{base_url}/api/method/frappe.desk.reportview.get",
			data={
				"doctype": "Child",
				"fields": json.dumps(["`tabChild`.`name`", "`tabChild`.`carer_name`"]),
				"filters": json.dumps([["Child", "name", "=", child]]),
			},
			timeout=TIMEOUT,
		),
		finance.get(
			f"{base_url}/api/method/frappe.client.get_value",
			params={"doctype": "Child", "filters": child, "fieldname": "carer_name"},
			timeout=TIMEOUT,
		),
		finance.get(
			f"{base_url}/api/method/frappe.desk.form.load.getdoc",
			params={"doctype": "Child", "name": child},
			timeout=TIMEOUT,
		),
		finance.get(f"{base_url}/printview", params={"doctype": "Child", "name": child}, timeout=TIMEOUT),
		finance.get(
			f"{base_url}/api/resource/Care Episode",
			params={
				"parent": "Child",
				"fields": json.dumps(["*"]),
				"filters": json.dumps([["parent", "=", child]]),
			},
			timeout=TIMEOUT,
		),
	]
	for response in responses:
		for secret in secrets:
			assert secret not in response.text, f"{response.request.method} {response.url} leaks {secret}"
	# The roles with level 1 do get them (so the check above is not vacuous).
	own = world["sessions"]["cw_own"].get(f"{base_url}/api/resource/Child/{child}", timeout=TIMEOUT)
	assert own.status_code == 200, own.text[:500]
	assert [secret for secret in secrets if secret not in own.text] == []


def names_of(session, base_url: str, doctype: str, names: set[str]) -> set[str]:
	"""Which of these names the session can list (POST: the list may be too long for a URL)."""
	response = session.post(
		f"{base_url}/api/method/frappe.client.get_list",
		data={
			"doctype": doctype,
			"fields": json.dumps(["name"]),
			"filters": json.dumps([["name", "in", sorted(names)]]),
			"limit_page_length": 100000,
		},
		timeout=TIMEOUT,
	)
	if response.status_code == 403:  # the role may not list the doctype at all (PermissionError)
		refused(response, 403, "PermissionError")
		return set()
	assert response.status_code == 200, f"{doctype}: {response.status_code} {response.text[:300]}"
	return {row["name"] for row in response.json()["message"]}


def single_readable(session, base_url: str, doctype: str, names: set[str]) -> set[str]:
	"""A Single's rows name it as their parent: readable when the session may read the Single itself."""
	response = session.get(f"{base_url}/api/resource/{doctype}/{doctype}", timeout=TIMEOUT)
	if response.status_code == 403:
		refused(response, 403, "PermissionError")
		return set()
	assert response.status_code == 200, f"{doctype}: {response.status_code} {response.text[:300]}"
	return names & {doctype}


@pytest.mark.parametrize("child_table", sorted(CHILD_TABLES))
def test_child_tables_are_not_readable_directly(world, base_url, child_table):
	"""A child table's rows are read with the parent: never listed on their own by anyone but admin."""
	parent = CHILD_TABLES[child_table]
	for role in ROLES:
		session = world["sessions"][role]
		for params in ({}, {"parent": parent}):
			response = session.get(
				f"{base_url}/api/resource/{child_table}",
				params={"fields": json.dumps(["*"]), "limit_page_length": 100000, **params},
				timeout=TIMEOUT,
			)
			if response.status_code == 403:  # refused as Frappe refuses: PermissionError, never a crash
				refused(response, 403, "PermissionError")
				continue
			assert response.status_code == 200, (
				f"{role} {params}: {response.status_code} {response.text[:300]}"
			)
			parents = {row.get("parent") for row in response.json()["data"]}
			if not parents:
				continue
			# Rows whose parent was deleted under them (tests that clean up with frappe.db.delete) name no one.
			single = world["admin"].session.get(f"{base_url}/api/resource/DocType/{parent}", timeout=TIMEOUT)
			readable_by = single_readable if single.json()["data"]["issingle"] else names_of
			parents &= readable_by(world["admin"].session, base_url, parent, parents)
			# If a role may list rows through the parent, they must be rows of parents it can read.
			readable = readable_by(session, base_url, parent, parents)
			assert parents <= readable, f"{role} lists {child_table} rows of {sorted(parents - readable)[:5]}"


def test_pdf_download_follows_the_caseload(world, base_url):
	"""The PDF route (frappe.utils.print_format.download_pdf) asks the same hooks as /printview."""
	url = f"{base_url}/api/method/frappe.utils.print_format.download_pdf"
	params = {"doctype": "Child", "name": world["child"]}
	for role in ("cw_other", "portal_own", "portal_other", "website", "guest"):
		response = world["sessions"][role].get(url, params=params, timeout=TIMEOUT)
		assert response.status_code in (403, 404), f"{role}: {response.status_code}"
		assert not response.content.startswith(b"%PDF")
	own = world["sessions"]["cw_own"].get(url, params=params, timeout=120)
	# scripts/test installs Debian's wkhtmltopdf (Frappe v15's PDF renderer): a failure here is not a skip.
	assert own.status_code == 200, f"cw_own: {own.status_code} {own.text[:500]}"
	assert own.content.startswith(b"%PDF")
