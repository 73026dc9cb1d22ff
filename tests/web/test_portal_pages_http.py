"""The school portal over HTTP, signed in through two-factor authentication: every page and every API a
school user can reach returns only their own school's records and never a sensitive field; every write
re-checks the school, whatever names the form sends."""

import json
import re

import pytest
import requests
from conftest import refused
from portal_world import approach_row, build, impact_row, pep_target_row

pytestmark = pytest.mark.http

PAGES = (
	"/school-portal",
	"/school-portal/place-requests",
	"/school-portal/peps",
	"/school-portal/pp-plus",
	"/school-portal/impact-reports",
)
DOCTYPES = (
	"Child",
	"Education Placement",
	"Care Episode",
	"School Place Request",
	"School Place Approach",
	"Personal Education Plan",
	"PEP Target",
	"PP Plus Claim",
	"PP Plus Impact Report",
	"School Contact",
	"Escalation",
	"User",
)


@pytest.fixture(scope="module")
def world(base_url, admin_password, login_as, ensure_user, user_password):
	admin = login_as("Administrator", admin_password)
	world = build(base_url, admin, ensure_user, "pages")
	world["admin"] = admin
	world["sessions"] = [login_as(user, user_password) for user in world["users"]]
	return world


def csrf_token(session: requests.Session, base_url: str) -> str:
	page = session.get(f"{base_url}/school-portal", timeout=30)
	match = re.search(r'frappe.csrf_token = "([^"]+)"', page.text)
	assert match, "the portal page carries no CSRF token"
	return match.group(1)


def call(session, base_url, method, token=None, **data):
	data = {
		key: json.dumps(value) if isinstance(value, dict | list) else value for key, value in data.items()
	}
	return session.post(
		f"{base_url}/api/method/virtual_school.portal.actions.{method}",
		data=data,
		headers={"X-Frappe-CSRF-Token": token or csrf_token(session, base_url)},
		timeout=30,
	)


def assert_no_secrets(world, text: str):
	for secret in world["secrets"]:
		assert secret not in text


def other_school_markers(world, index: int) -> list[str]:
	return [
		world["children"][index],
		f"Pupil{index + 1} Portal{world['run']}",
		world["peps"][index],
		world["requests"][index],
		world["reports"][index],
		world["claims"][index],
	]


def test_portal_needs_two_factor_sign_in(world, base_url, user_password):
	response = requests.post(
		f"{base_url}/api/method/login", data={"usr": world["users"][0], "pwd": user_password}, timeout=30
	)
	assert response.status_code == 200
	assert response.json().get("tmp_id"), "a school user must be asked for the second factor"
	session = requests.Session()
	session.cookies.update(response.cookies)
	# still a guest: sent to sign in (a crash must not pass for this)
	response = session.get(f"{base_url}/school-portal", timeout=30, allow_redirects=False)
	assert response.status_code in (301, 302), response.status_code
	assert response.headers["Location"].startswith("/login"), response.headers["Location"]


@pytest.mark.parametrize("path", PAGES)
def test_each_page_shows_own_school_only(world, base_url, path):
	for index, session in enumerate(world["sessions"]):
		page = session.get(f"{base_url}{path}", timeout=30)
		assert page.status_code == 200, page.text[:500]
		assert_no_secrets(world, page.text)
		for marker in other_school_markers(world, 1 - index):
			assert marker not in page.text, (path, marker)


def test_pages_show_what_the_school_needs(world, base_url):
	session, run = world["sessions"][0], world["run"]
	assert f"Pupil1 Portal{run}" in session.get(f"{base_url}/school-portal", timeout=30).text
	assert world["requests"][0] in session.get(f"{base_url}/school-portal/place-requests", timeout=30).text
	assert world["peps"][0] in session.get(f"{base_url}/school-portal/peps", timeout=30).text
	assert f"Read a chapter book {run}" in session.get(f"{base_url}/school-portal/pp-plus", timeout=30).text
	assert world["reports"][0] in session.get(f"{base_url}/school-portal/impact-reports", timeout=30).text


def test_detail_pages_of_another_school_are_not_found(world, base_url):
	session = world["sessions"][0]
	own = session.get(f"{base_url}/school-portal/pep?name={world['peps'][0]}", timeout=30)
	assert own.status_code == 200
	assert f"Know times tables to 12 {world['run']}" in own.text
	assert_no_secrets(world, own.text)
	for path in (
		f"/school-portal/pep?name={world['peps'][1]}",
		f"/school-portal/impact-report?name={world['reports'][1]}",
	):
		page = session.get(f"{base_url}{path}", timeout=30)
		assert page.status_code == 404, path
		for marker in other_school_markers(world, 1)[1:2]:
			assert marker not in page.text
	assert (
		session.get(
			f"{base_url}/school-portal/impact-report?name={world['reports'][0]}", timeout=30
		).status_code
		== 200
	)


@pytest.mark.parametrize("doctype", DOCTYPES)
def test_rest_resource_gives_a_school_user_nothing(world, base_url, doctype):
	session = world["sessions"][0]
	listing = session.get(f"{base_url}/api/resource/{doctype}", params={"limit_page_length": 0}, timeout=30)
	own = [{"name": world["users"][0]}] if doctype == "User" else []  # a user may see their own User
	assert listing.status_code == 403 or listing.json().get("data") in (own, None), listing.text[:300]
	assert_no_secrets(world, listing.text)
	for child in world["children"]:
		response = session.get(f"{base_url}/api/resource/Child/{child}", timeout=30)
		assert response.status_code in (403, 404)
		assert_no_secrets(world, response.text)


@pytest.mark.parametrize(
	("method", "params"),
	[
		("frappe.client.get", {"doctype": "Child", "name": "{child}"}),
		("frappe.client.get_list", {"doctype": "Child", "fields": '["*"]'}),
		("frappe.client.get_list", {"doctype": "Personal Education Plan", "fields": '["*"]'}),
		("frappe.client.get_list", {"doctype": "School Place Request", "fields": '["*"]'}),
		("frappe.client.get_value", {"doctype": "Child", "filters": "{child}", "fieldname": "carer_address"}),
		("frappe.client.get_value", {"doctype": "Child", "filters": "{child}", "fieldname": "legal_status"}),
		("frappe.client.get_count", {"doctype": "Child"}),
		("frappe.client.get_count", {"doctype": "PP Plus Claim"}),
		(
			"frappe.client.validate_link",
			{"doctype": "Child", "docname": "{child}", "fields": '["carer_name"]'},
		),
		(
			"frappe.client.get_single_value",
			{"doctype": "Virtual School Settings", "field": "letter_signatory"},
		),
		("frappe.desk.search.search_link", {"doctype": "Child", "txt": "Portal"}),
		("frappe.desk.reportview.get", {"doctype": "Child", "fields": '["carer_name"]'}),
		("frappe.desk.form.load.getdoc", {"doctype": "Child", "name": "{child}"}),
	],
)
def test_frappe_client_api_leaks_nothing(world, base_url, method, params):
	for child in world["children"]:
		values = {key: value.replace("{child}", child) for key, value in params.items()}
		for session in world["sessions"]:
			response = session.get(f"{base_url}/api/method/{method}", params=values, timeout=30)
			assert_no_secrets(world, response.text)
			if response.status_code != 200:  # a refusal, never a crash that happens to print nothing
				refused(response, 403, "PermissionError")
			elif method.endswith("get_count"):
				assert response.json()["message"] == 0, response.text
			elif response.status_code == 200:
				body = response.json().get("message")
				assert not body or child not in json.dumps(body), (method, response.text[:300])


def test_school_answers_its_own_place_request(world, base_url):
	session, admin = world["sessions"][0], world["admin"]
	approach = approach_row(admin, base_url, world["requests"][0])
	response = call(
		session,
		base_url,
		"answer_place_request",
		request=world["requests"][0],
		approach=approach,
		response="Refused",
	)
	assert response.status_code == 417  # a refusal needs its reason
	response = call(
		session,
		base_url,
		"answer_place_request",
		request=world["requests"][0],
		approach=approach,
		response="Refused",
		refusal_reason="Year group full",
	)
	assert response.status_code == 200, response.text
	assert response.json()["message"]["status"] == "Refused"


def test_tampered_writes_for_another_school_are_refused(world, base_url):
	session, admin = world["sessions"][0], world["admin"]
	theirs = approach_row(admin, base_url, world["requests"][1])
	attempts = [
		(
			"answer_place_request",
			{"request": world["requests"][1], "approach": theirs, "response": "Offered"},
		),
		# own request, other school's approach row
		(
			"answer_place_request",
			{"request": world["requests"][0], "approach": theirs, "response": "Offered"},
		),
		("save_pep", {"name": world["peps"][1], "data": {"designated_teacher": "Intruder"}, "submit": 1}),
		(
			"request_pp_plus",
			{
				"target_row": pep_target_row(admin, base_url, world["funding_peps"][1]),
				"amount": "10",
				"category": "Tuition",
				"description": "Not our pupil",
			},
		),
		("save_impact_report", {"name": world["reports"][1], "rows": [], "submit": 1}),
		(
			"save_impact_report",
			{
				"name": world["reports"][0],
				"rows": [{"name": impact_row(admin, base_url, world["reports"][1]), "impact": "x"}],
			},
		),
	]
	for method, data in attempts:
		response = call(session, base_url, method, **data)
		assert response.status_code in (403, 404, 417), (method, response.status_code, response.text[:300])
		assert_no_secrets(world, response.text)
	request = admin.get(
		f"{base_url}/api/resource/School Place Request/{world['requests'][1]}", timeout=30
	).json()
	assert request["data"]["approaches"][0]["response"] == "Awaiting"
	pep = admin.get(f"{base_url}/api/resource/Personal Education Plan/{world['peps'][1]}", timeout=30).json()
	assert pep["data"].get("designated_teacher") != "Intruder"
	claims = admin.get(
		f"{base_url}/api/resource/PP Plus Claim",
		params={"filters": json.dumps({"child": world["children"][1], "description": "Not our pupil"})},
		timeout=30,
	).json()
	assert claims["data"] == []


def test_writes_need_post_and_the_csrf_token(world, base_url):
	session = world["sessions"][0]
	token = csrf_token(session, base_url)
	data = {"name": world["peps"][0], "data": json.dumps({"designated_teacher": "No Token"})}
	no_token = session.post(
		f"{base_url}/api/method/virtual_school.portal.actions.save_pep", data=data, timeout=30
	)
	assert no_token.status_code in (400, 403)
	by_get = session.get(
		f"{base_url}/api/method/virtual_school.portal.actions.save_pep", params=data, timeout=30
	)
	assert by_get.status_code in (403, 405)
	assert call(session, base_url, "save_pep", token=token, **data).status_code == 200


def test_school_requests_pp_plus_and_sees_it(world, base_url):
	session, admin = world["sessions"][0], world["admin"]
	target = pep_target_row(admin, base_url, world["funding_peps"][0])
	too_much = call(
		session,
		base_url,
		"request_pp_plus",
		target_row=target,
		amount="99999",
		category="Tuition",
		description="x",
	)
	assert too_much.status_code == 417
	response = call(
		session,
		base_url,
		"request_pp_plus",
		target_row=target,
		amount="120",
		category="Tuition",
		description="Reading tutor",
	)
	assert response.status_code == 200, response.text
	claim = response.json()["message"]["name"]
	page = session.get(f"{base_url}/school-portal/pp-plus", timeout=30).text
	assert claim in page and "Reading tutor" not in world["secrets"]
	assert claim not in world["sessions"][1].get(f"{base_url}/school-portal/pp-plus", timeout=30).text


def test_portal_test_support_is_for_administrator_only(world, base_url):
	response = world["sessions"][0].post(
		f"{base_url}/api/method/virtual_school.devtools.test_support.otp_secret",
		data={"user": world["users"][1]},
		headers={"X-Frappe-CSRF-Token": csrf_token(world["sessions"][0], base_url)},
		timeout=30,
	)
	assert response.status_code == 403


def test_desk_invites_a_school_contact_to_the_portal(world, base_url, login_as, ensure_user, user_password):
	admin = world["admin"]
	email = f"invite.{world['run']}@school.test"
	contact = admin.post(
		f"{base_url}/api/resource/School Contact",
		json={"school": world["schools"][0], "full_name": "Invited Teacher", "email": email},
		timeout=30,
	).json()["data"]
	caseworker = login_as(
		ensure_user("portal.caseworker@example.test", "Virtual School Caseworker"), user_password
	)
	refused = caseworker.post(  # giving portal access is a manager's decision
		f"{base_url}/api/method/run_doc_method",
		data={"dt": "School Contact", "dn": contact["name"], "method": "invite_to_portal"},
		timeout=30,
	)
	assert refused.status_code == 403, refused.text
	manager = login_as(
		ensure_user("portal.invite.manager@example.test", "Virtual School Manager"), user_password
	)
	for _attempt in range(2):  # idempotent
		response = manager.post(
			f"{base_url}/api/method/run_doc_method",
			data={"dt": "School Contact", "dn": contact["name"], "method": "invite_to_portal"},
			timeout=30,
		)
		assert response.status_code == 200, response.text
	user = admin.get(f"{base_url}/api/resource/User/{email}", timeout=30).json()["data"]
	assert user["user_type"] == "Website User"
	assert [row["role"] for row in user["roles"]] == ["School Portal User"]
	linked = admin.get(f"{base_url}/api/resource/School Contact/{contact['name']}", timeout=30).json()["data"]
	assert linked["user"] == email
	school_user = world["sessions"][0]
	refused = school_user.post(
		f"{base_url}/api/method/run_doc_method",
		data={"dt": "School Contact", "dn": contact["name"], "method": "invite_to_portal"},
		headers={"X-Frappe-CSRF-Token": csrf_token(school_user, base_url)},
		timeout=30,
	)
	assert refused.status_code == 403
