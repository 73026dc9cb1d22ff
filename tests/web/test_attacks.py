"""Attacks over HTTP with real logins: stored XSS, SQL-ish filters, guessed names, CSRF, workflow actions.

Each test names the guard it checks. The letters' own injection test (a <script> reason written into a
.docx stays text) is tests/test_letters.py::test_free_text_is_xml_safe (tier 1).
"""

import json
import re
import uuid

import pytest
from conftest import refused

pytestmark = pytest.mark.http

RUN = uuid.uuid4().hex[:6]
TIMEOUT = 30
SCRIPT = f'<script>alert("xss{RUN}")</script>'
IMG = f'"><img src=x onerror=alert("img{RUN}")>'
TEMPLATE = "{{ 7*7 }}{% raw %}"
RAW_MARKERS = (f'<script>alert("xss{RUN}")', f'<img src=x onerror=alert("img{RUN}")')


@pytest.fixture(scope="module")
def world(base_url, admin_password, login_as, ensure_user, user_password):
	admin = login_as("Administrator", admin_password)

	def insert(doctype, payload):
		response = admin.post(f"{base_url}/api/resource/{doctype}", json=payload, timeout=TIMEOUT)
		assert response.status_code == 200, f"{doctype}: {response.text[:1500]}"
		return response.json()["data"]

	users = {
		"own": ensure_user("attack.cw1@example.test", "Virtual School Caseworker"),
		"other": ensure_user("attack.cw2@example.test", "Virtual School Caseworker"),
		"manager": ensure_user("attack.manager@example.test", "Virtual School Manager"),
		"finance": ensure_user("attack.finance@example.test", "Virtual School Finance"),
		"portal": ensure_user("attack.portal@school.test", "School Portal User", user_type="Website User"),
	}
	urn = f"6{uuid.uuid4().int % 100000:05d}"
	while admin.get(f"{base_url}/api/resource/School/{urn}", timeout=TIMEOUT).status_code == 200:
		urn = f"6{uuid.uuid4().int % 100000:05d}"
	insert("School", {"urn": urn, "school_name": f"Xss School {RUN} {SCRIPT}", "la": "886"})
	insert(
		"School Contact",
		{
			"school": urn,
			"full_name": "Attack Teacher",
			"contact_role": "Designated Teacher",
			"user": users["portal"],
		},
	)
	own = insert(
		"Child",
		{
			"first_name": f"Own{RUN}{SCRIPT}",
			"last_name": f"Xss{RUN}{IMG}",
			"preferred_name": f"Pref{RUN}{TEMPLATE}",
			"date_of_birth": "2015-02-02",
			"cohort": "Looked After",
			"caseworker": users["own"],
		},
	)
	other = insert(
		"Child",
		{
			"first_name": f"Hidden{RUN}",
			"last_name": f"Other{RUN}",
			"date_of_birth": "2015-02-02",
			"cohort": "Looked After",
			"caseworker": users["other"],
			"carer_name": f"HiddenCarer{RUN}",
		},
	)
	for child in (own, other):
		insert(
			"Education Placement",
			{
				"child": child["name"],
				"school": urn,
				"start_date": "2025-09-01",
				"attendance_basis": "Full time",
			},
		)
	insert("Personal Education Plan", {"child": own["name"], "due_date": "2026-11-30", "child_views": SCRIPT})
	insert(
		"Escalation",
		{"reference_doctype": "Child", "reference_name": own["name"], "child": own["name"], "reason": SCRIPT},
	)
	sessions = {key: login_as(email, user_password) for key, email in users.items()}
	for session in (*sessions.values(), admin):
		session.headers["Connection"] = "close"  # no keep-alive races with gunicorn's 2 s idle close
	return {
		"admin": admin,
		"users": users,
		"sessions": sessions,
		"school": urn,
		"own": own["name"],
		"other": other["name"],
	}


def assert_no_raw_payload(text: str, where: str):
	for marker in RAW_MARKERS:
		assert marker not in text, f"{where} renders the payload unescaped: {marker}"
	assert "49{% raw %}" not in text, f"{where} evaluated a template in data"


# Stored XSS ----------------------------------------------------------------------------------------
# Guard: Frappe sanitises HTML in Data/Text fields on save; portal templates escape with `| e`.


def portal_pages(session, base_url) -> dict[str, str]:
	home = session.get(f"{base_url}/school-portal", timeout=TIMEOUT)
	assert home.status_code == 200, home.text[:500]
	pages = {"/school-portal": home.text}
	routes = set(re.findall(r'href="(/school-portal[^"#?]*(?:\?[^"#]*)?)"', home.text))
	for route in sorted(routes)[:30]:
		response = session.get(f"{base_url}{route.replace('&amp;', '&')}", timeout=TIMEOUT)
		# a page the portal links to must open: one that fails would hide its payload from the check
		assert response.status_code == 200, f"{route}: {response.status_code} {response.text[:300]}"
		pages[route] = response.text
		for detail in set(re.findall(r'href="(/school-portal/[a-z-]+\?name=[^"]+)"', response.text)):
			opened = session.get(f"{base_url}{detail.replace('&amp;', '&')}", timeout=TIMEOUT)
			assert opened.status_code == 200, f"{detail}: {opened.status_code} {opened.text[:300]}"
			pages[detail] = opened.text
	return pages


def test_stored_xss_is_escaped_in_portal_pages(world, base_url):
	pages = portal_pages(world["sessions"]["portal"], base_url)
	assert any(f"Xss{RUN}" in text for text in pages.values()), "the pupil is not on the portal at all"
	for route, text in pages.items():
		assert_no_raw_payload(text, route)


def test_stored_xss_is_escaped_in_desk_print_and_api(world, base_url):
	session = world["sessions"]["own"]
	for doctype in ("Child", "Personal Education Plan", "Escalation"):
		names = session.get(
			f"{base_url}/api/resource/{doctype}",
			params={"filters": json.dumps([["child" if doctype != "Child" else "name", "=", world["own"]]])},
			timeout=TIMEOUT,
		).json()["data"]
		assert names
		for row in names:
			page = session.get(
				f"{base_url}/printview", params={"doctype": doctype, "name": row["name"]}, timeout=TIMEOUT
			)
			assert page.status_code == 200
			assert_no_raw_payload(page.text, f"print of {doctype} {row['name']}")


def test_comments_are_sanitised(world, base_url):
	session = world["sessions"]["own"]
	response = session.post(
		f"{base_url}/api/method/frappe.desk.form.utils.add_comment",
		data={
			"reference_doctype": "Child",
			"reference_name": world["own"],
			"content": f"Note {SCRIPT}{IMG}",
			"comment_email": world["users"]["own"],
			"comment_by": "Attack Caseworker",
		},
		timeout=TIMEOUT,
	)
	assert response.status_code == 200, response.text[:500]
	content = response.json()["message"]["content"]
	assert "<script" not in content and "onerror" not in content


# SQL-ish filters and scope widening ----------------------------------------------------------------
# Guard: Frappe's query builder validates fields/order_by; the caseload permission_query_conditions.

WIDENING_PARAMS = [
	{"filters": json.dumps([["name", "=", "x' or '1'='1"]])},
	{"filters": json.dumps([["first_name", "like", "%' or 1=1 -- "]])},
	{"filters": json.dumps({"name": ["!=", ""]})},
	# Not JSON: Frappe fails to parse it (500, JSONDecodeError) before any query runs.
	{"filters": "name != '' or 1=1", "tolerate": "JSONDecodeError"},
	{"filters": json.dumps([["caseworker", "is", "set"]])},
	{"or_filters": json.dumps([["name", "like", "%"], ["caseworker", "!=", "attack.cw1@example.test"]])},
	{"fields": json.dumps(["*"])},
	{"fields": json.dumps(["name", "(select group_concat(first_name) from `tabChild`) as x"])},
	{"fields": json.dumps(["name", "first_name from `tabChild` union select name"])},
	{"fields": json.dumps(["name"]), "order_by": "name; select * from `tabChild`"},
	{"fields": json.dumps(["name"]), "order_by": "(select group_concat(first_name) from `tabChild`)"},
	{"fields": json.dumps(["name"]), "order_by": "if(1=1, name, first_name) desc"},
	# Frappe casts limit_start to an int; the app refuses a negative one (417) before MariaDB sees OFFSET -1.
	{"fields": json.dumps(["name", "first_name"]), "limit_start": -1, "limit_page_length": 100000},
	{"fields": json.dumps(["name"]), "limit": "1000000 union select name from tabChild"},
	{"fields": json.dumps(["caseworker", "count(name) as n"]), "group_by": "caseworker"},
	{"fields": json.dumps(["name"]), "group_by": "name having 1=1 or 1"},
	{"fields": json.dumps(["name"]), "filters": json.dumps([["Child", "name", "in", "', 'x') or ('1"]])},
]


@pytest.mark.parametrize("params", WIDENING_PARAMS, ids=range(len(WIDENING_PARAMS)))
def test_resource_filters_cannot_widen_the_caseload(world, base_url, params):
	session = world["sessions"]["own"]
	params = dict(params)
	tolerate = params.pop("tolerate", None)
	for method, url in (
		("GET", f"{base_url}/api/resource/Child"),
		("POST", f"{base_url}/api/method/frappe.client.get_list"),
		("POST", f"{base_url}/api/method/frappe.desk.reportview.get"),
	):
		data = {"doctype": "Child", **params}
		if method == "GET":
			response = session.get(url, params=params, timeout=TIMEOUT)
		else:
			response = session.post(url, data=data, timeout=TIMEOUT)
		if not (tolerate and tolerate in response.text):
			assert response.status_code < 500, f"{method} {url} {params}: {response.text[:500]}"
		assert f"Hidden{RUN}" not in response.text and f"Other{RUN}" not in response.text, (
			f"{method} {url} {params} leaks another caseworker's child"
		)
		assert "attack.cw2@example.test" not in response.text


def test_counts_and_group_by_are_scoped(world, base_url):
	session = world["sessions"]["own"]
	scoped = json.dumps([["last_name", "like", f"%{RUN}%"]])
	count = session.get(
		f"{base_url}/api/method/frappe.client.get_count",
		params={"doctype": "Child", "filters": scoped},
		timeout=TIMEOUT,
	)
	assert count.json()["message"] == 1
	count = session.post(
		f"{base_url}/api/method/frappe.desk.reportview.get_count",
		data={"doctype": "Child", "filters": scoped},
		timeout=TIMEOUT,
	)
	assert count.json()["message"] == 1
	groups = session.post(
		f"{base_url}/api/method/frappe.desk.listview.get_group_by_count",
		data={"doctype": "Child", "current_filters": scoped, "field": "caseworker"},
		timeout=TIMEOUT,
	)
	assert groups.status_code == 200
	assert "attack.cw2@example.test" not in groups.text


def test_single_value_and_link_helpers_are_scoped(world, base_url):
	session, other = world["sessions"]["own"], world["other"]
	attempts = [
		session.get(
			f"{base_url}/api/method/frappe.client.get_value",
			params={
				"doctype": "Child",
				"filters": json.dumps({"last_name": f"Other{RUN}"}),
				"fieldname": "first_name",
			},
			timeout=TIMEOUT,
		),
		session.get(
			f"{base_url}/api/method/frappe.client.get_value",
			params={
				"doctype": "Child",
				"filters": other,
				"fieldname": "(select first_name from tabChild limit 1)",
			},
			timeout=TIMEOUT,
		),
		session.get(
			f"{base_url}/api/method/frappe.client.get",
			params={"doctype": "Child", "name": other},
			timeout=TIMEOUT,
		),
		session.get(
			f"{base_url}/api/method/frappe.desk.form.load.getdoc",
			params={"doctype": "Child", "name": other},
			timeout=TIMEOUT,
		),
		session.get(
			f"{base_url}/api/method/frappe.desk.form.utils.validate_link",
			params={"doctype": "Child", "docname": other, "fields": json.dumps(["first_name", "carer_name"])},
			timeout=TIMEOUT,
		),
		session.get(
			f"{base_url}/api/method/frappe.desk.search.search_link",
			params={"doctype": "Child", "txt": "%", "page_length": 1000},
			timeout=TIMEOUT,
		),
		session.get(
			f"{base_url}/api/method/frappe.desk.search.search_link",
			params={"doctype": "Child", "txt": "' or 1=1 -- ", "page_length": 1000},
			timeout=TIMEOUT,
		),
		session.get(
			f"{base_url}/api/resource/Version",
			params={"filters": json.dumps([["docname", "=", other]]), "fields": json.dumps(["*"])},
			timeout=TIMEOUT,
		),
		session.get(
			f"{base_url}/api/resource/Comment",
			params={"filters": json.dumps([["reference_name", "=", other]]), "fields": json.dumps(["*"])},
			timeout=TIMEOUT,
		),
		session.get(
			f"{base_url}/api/resource/Education Placement",
			params={"filters": json.dumps([["child", "=", other]]), "fields": json.dumps(["*"])},
			timeout=TIMEOUT,
		),
	]
	for response in attempts:
		assert response.status_code < 500, f"{response.url}: {response.text[:300]}"
		for secret in (f"Hidden{RUN}", f"Other{RUN}", f"HiddenCarer{RUN}"):
			assert secret not in response.text, f"{response.url} leaks {secret}"


def test_guessing_names_finds_nothing(world, base_url):
	"""Names are sequential (CH-00042): walking the neighbours of a known name opens none of them."""
	session = world["sessions"]["own"]
	caseload = {
		row["name"]
		for row in session.get(
			f"{base_url}/api/resource/Child", params={"limit_page_length": 100000}, timeout=TIMEOUT
		).json()["data"]
	}
	number = int(world["other"].split("-")[1])
	for guess in range(max(1, number - 5), number + 3):
		name = f"CH-{guess:05d}"
		if name in caseload:
			continue
		response = session.get(f"{base_url}/api/resource/Child/{name}", timeout=TIMEOUT)
		assert response.status_code in (403, 404), f"{name}: {response.status_code}"
	for session_key in ("portal", "finance"):
		response = world["sessions"][session_key].get(
			f"{base_url}/api/resource/Personal Education Plan/PEP-00001", timeout=TIMEOUT
		)
		assert response.status_code in (403, 404)


# CSRF -----------------------------------------------------------------------------------------------
# Guard: Frappe's CSRF check for signed-in sessions (frappe.auth.validate_csrf_token; never set
# ignore_csrf in site_config).


def csrf_token_of(session, base_url, page) -> str:
	text = session.get(f"{base_url}{page}", timeout=TIMEOUT).text
	match = re.search(r'csrf_token\s*=\s*"([^"]+)"', text) or re.search(
		r'name="csrf_token"\s+content="([^"]+)"', text
	)
	assert match, f"no CSRF token in {page}"
	return match.group(1)


def test_desk_post_without_csrf_token_is_refused(world, base_url, login_as, user_password):
	session = login_as(world["users"]["own"], user_password)  # its own session: /app sets a CSRF token
	token = csrf_token_of(session, base_url, "/app")
	url = f"{base_url}/api/method/frappe.client.set_value"
	data = {
		"doctype": "Child",
		"name": world["own"],
		"fieldname": "social_worker_name",
		"value": f"CSRF{RUN}",
	}
	refused = session.post(url, data=data, timeout=TIMEOUT)
	assert refused.status_code in (400, 403), refused.text[:300]
	refused = session.post(url, data=data, headers={"X-Frappe-CSRF-Token": "forged"}, timeout=TIMEOUT)
	assert refused.status_code in (400, 403), refused.text[:300]
	admin = world["admin"]
	stored = admin.get(f"{base_url}/api/resource/Child/{world['own']}", timeout=TIMEOUT).json()["data"]
	assert stored.get("social_worker_name") != f"CSRF{RUN}"
	accepted = session.post(url, data=data, headers={"X-Frappe-CSRF-Token": token}, timeout=TIMEOUT)
	assert accepted.status_code == 200, accepted.text[:300]


def test_portal_post_without_csrf_token_is_refused(world, base_url, login_as, user_password):
	session = login_as(world["users"]["portal"], user_password)
	token = csrf_token_of(session, base_url, "/school-portal")
	url = f"{base_url}/api/method/virtual_school.portal.actions.save_pep"
	pep = (
		world["admin"]
		.get(
			f"{base_url}/api/resource/Personal Education Plan",
			params={"filters": json.dumps([["child", "=", world["own"]]])},
			timeout=TIMEOUT,
		)
		.json()["data"][0]["name"]
	)
	data = {"name": pep, "data": json.dumps({})}
	refused = session.post(url, data=data, timeout=TIMEOUT)
	assert refused.status_code in (400, 403), refused.text[:300]
	assert "CSRF" in refused.text or "csrf" in refused.text.lower()
	with_token = session.post(url, data=data, headers={"X-Frappe-CSRF-Token": token}, timeout=TIMEOUT)
	assert "CSRFTokenError" not in with_token.text


# Workflow actions the role lacks ----------------------------------------------------------------------
# Guard: Frappe's workflow transition check (allowed role per transition) and the app's approval checks.


def csrf_header(session, base_url) -> dict:
	"""The session's CSRF token, sent with the action: once a page has given the session one, Frappe refuses
	a POST without it (CSRFTokenError, 400) before any permission is checked."""
	for page in ("/app", "/school-portal"):
		text = session.get(f"{base_url}{page}", timeout=TIMEOUT).text
		match = re.search(r'csrf_token\s*=\s*"([^"]+)"', text) or re.search(
			r'name="csrf_token"\s+content="([^"]+)"', text
		)
		if match and match.group(1) != "None":
			return {"X-Frappe-CSRF-Token": match.group(1)}
	return {}


def apply(session, base_url, admin, doctype, name, action):
	doc = admin.get(f"{base_url}/api/resource/{doctype}/{name}", timeout=TIMEOUT).json()["data"]
	return session.post(
		f"{base_url}/api/method/frappe.model.workflow.apply_workflow",
		data={"doc": json.dumps(doc), "action": action},
		headers=csrf_header(session, base_url),
		timeout=TIMEOUT,
	)


def state(admin, base_url, doctype, name):
	return admin.get(f"{base_url}/api/resource/{doctype}/{name}", timeout=TIMEOUT).json()["data"][
		"workflow_state"
	]


def record(admin, base_url, doctype, name) -> dict:
	"""The record as stored now (its state, its last change), to show a refusal changed nothing."""
	response = admin.get(f"{base_url}/api/resource/{doctype}/{name}", timeout=TIMEOUT)
	assert response.status_code == 200, response.text[:300]
	data = response.json()["data"]
	return {"workflow_state": data["workflow_state"], "modified": data["modified"]}


def test_workflow_actions_the_role_lacks_are_refused(world, base_url):
	admin, sessions, child = world["admin"], world["sessions"], world["own"]
	# The caseworker may request closure but not approve it; finance and the portal may do neither.
	if state(admin, base_url, "Child", child) == "Referred":
		assert apply(sessions["own"], base_url, admin, "Child", child, "Accept Case").status_code == 200
	# Another caseworker's child: they cannot even read it (403 PermissionError), and it is unchanged.
	other_before = record(admin, base_url, "Child", world["other"])
	response = apply(sessions["own"], base_url, admin, "Child", world["other"], "Accept Case")
	refused(response, 403, "PermissionError")
	assert record(admin, base_url, "Child", world["other"]) == other_before
	assert apply(sessions["own"], base_url, admin, "Child", child, "Request Closure").status_code == 200
	assert state(admin, base_url, "Child", child) == "Closure Requested"
	before = record(admin, base_url, "Child", child)
	# Readers of the child without the transition's role: Frappe's WorkflowTransitionError (417); those
	# who cannot read it (another caseload, the portal): PermissionError (403).
	for key, status, exc_type in (
		("own", 417, "WorkflowTransitionError"),
		("other", 403, "PermissionError"),
		("finance", 417, "WorkflowTransitionError"),
		("portal", 403, "PermissionError"),
	):
		response = apply(sessions[key], base_url, admin, "Child", child, "Approve Closure")
		refused(response, status, exc_type)
		assert record(admin, base_url, "Child", child) == before, (
			f"{key}'s refused approval changed the child"
		)
	# Someone else's child: even an action the role has is refused.
	response = apply(sessions["own"], base_url, admin, "Child", world["other"], "Request Closure")
	refused(response, 403, "PermissionError")
	assert record(admin, base_url, "Child", world["other"]) == other_before
	assert apply(sessions["manager"], base_url, admin, "Child", child, "Keep Open").status_code == 200


def test_file_list_does_not_name_other_caseloads_files(world, base_url):
	"""A private file on another caseworker's child: its content is refused and its row is not listed."""
	admin = world["admin"]
	response = admin.post(
		f"{base_url}/api/method/upload_file",
		files={"file": (f"Hidden{RUN} school report.txt", b"secret report", "text/plain")},
		data={"is_private": 1, "doctype": "Child", "docname": world["other"]},
		timeout=TIMEOUT,
	)
	assert response.status_code == 200, response.text[:500]
	file_url = response.json()["message"]["file_url"]
	session = world["sessions"]["own"]
	assert session.get(f"{base_url}{file_url}", timeout=TIMEOUT).status_code in (403, 404)
	listed = session.get(
		f"{base_url}/api/resource/File",
		params={
			"filters": json.dumps([["attached_to_name", "=", world["other"]]]),
			"fields": json.dumps(["*"]),
		},
		timeout=TIMEOUT,
	)
	assert f"Hidden{RUN}" not in listed.text
