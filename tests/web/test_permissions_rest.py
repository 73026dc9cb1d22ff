"""Caseload and field-level permissions through the REST API, with real logins (tier 3)."""

import json
import uuid

import pytest
import requests
from conftest import refused

pytestmark = pytest.mark.http

RUN = uuid.uuid4().hex[:6]


def create_child(admin, base_url, first_name, caseworker=None, **values):
	payload = {
		"first_name": first_name,
		"last_name": f"Rest{RUN}",
		"date_of_birth": "2015-03-14",
		"cohort": "Looked After",
		"caseworker": caseworker,
		"carer_name": f"Carer of {first_name}",
		"placement_address": "1 Secret Street",
		**values,
	}
	response = admin.post(f"{base_url}/api/resource/Child", json=payload, timeout=30)
	assert response.status_code == 200, response.text
	return response.json()["data"]["name"]


@pytest.fixture(scope="module")
def world(base_url, admin_password, login_as, ensure_user, user_password):
	admin = login_as("Administrator", admin_password)
	users = {
		"own": ensure_user("rest.caseworker1@example.test", "Virtual School Caseworker"),
		"other": ensure_user("rest.caseworker2@example.test", "Virtual School Caseworker"),
		"manager": ensure_user("rest.manager@example.test", "Virtual School Manager"),
		"finance": ensure_user("rest.finance@example.test", "Virtual School Finance"),
		"portal": ensure_user("rest.portal@example.test", "School Portal User", user_type="Website User"),
	}
	children = {
		"own": create_child(admin, base_url, "Ada", users["own"]),
		"other": create_child(admin, base_url, "Ben", users["other"]),
		"nobody": create_child(admin, base_url, "Cal"),
	}
	sessions = {key: login_as(email, user_password) for key, email in users.items()}
	return {"users": users, "children": children, "sessions": sessions}


def listed(session, base_url, **params):
	params = {
		key: json.dumps(value) if not isinstance(value, str) else value for key, value in params.items()
	}
	response = session.get(
		f"{base_url}/api/resource/Child", params={"limit_page_length": 0, **params}, timeout=30
	)
	assert response.status_code == 200, response.text
	return {row["name"] for row in response.json()["data"]}


def test_caseworker_lists_only_their_caseload(world, base_url):
	names = listed(world["sessions"]["own"], base_url, filters=[["last_name", "=", f"Rest{RUN}"]])
	assert names == {world["children"]["own"]}


def test_caseworker_filters_cannot_widen_the_scope(world, base_url):
	session = world["sessions"]["own"]
	other = world["children"]["other"]
	assert listed(session, base_url, filters=[["name", "=", other]]) == set()
	assert (
		listed(session, base_url, or_filters=[["name", "=", other], ["caseworker", "is", "not set"]]) == set()
	)
	assert listed(session, base_url, filters=[["caseworker", "=", world["users"]["other"]]]) == set()


def test_caseworker_cannot_read_another_child_by_name(world, base_url):
	session = world["sessions"]["own"]
	for name in (world["children"]["other"], world["children"]["nobody"]):
		response = session.get(f"{base_url}/api/resource/Child/{name}", timeout=30)
		refused(response, 403, "PermissionError")
		assert "Secret Street" not in response.text

	def full_name(child):
		return session.get(
			f"{base_url}/api/method/frappe.client.get_value",
			params={"doctype": "Child", "filters": json.dumps({"name": child}), "fieldname": "full_name"},
			timeout=30,
		)

	# frappe.client.get_value reads through the permitted list: another caseload's child is not found (an
	# empty answer), while their own child's name comes back, so the empty answer is not a failure.
	response = full_name(world["children"]["other"])
	assert (response.status_code, response.json()) == (200, {"message": {}}), response.text[:300]
	response = full_name(world["children"]["own"])
	assert (response.status_code, response.json()) == (200, {"message": {"full_name": f"Ada Rest{RUN}"}})


def test_caseworker_link_search_and_report_view_are_scoped(world, base_url):
	session = world["sessions"]["own"]
	response = session.get(
		f"{base_url}/api/method/frappe.desk.search.search_link",
		params={"doctype": "Child", "txt": f"Rest{RUN}", "page_length": 50},
		timeout=30,
	)
	assert response.status_code == 200
	found = {row["value"] for row in response.json()["message"]}
	assert found == {world["children"]["own"]}

	response = session.post(
		f"{base_url}/api/method/frappe.desk.reportview.get",
		data={
			"doctype": "Child",
			"fields": json.dumps(["name"]),
			"filters": json.dumps([["last_name", "=", f"Rest{RUN}"]]),
		},
		timeout=30,
	)
	assert response.status_code == 200
	values = response.json()["message"].get("values", [])
	assert {row[0] for row in values} == {world["children"]["own"]}


def test_print_of_another_caseworkers_child_is_refused(world, base_url):
	session = world["sessions"]["own"]

	def printed(child):
		return session.get(f"{base_url}/printview", params={"doctype": "Child", "name": child}, timeout=30)

	# Frappe's /printview answers "not found" (404) when print is not permitted
	response = printed(world["children"]["other"])
	refused(response, 404)
	assert "Secret Street" not in response.text and f"Ben Rest{RUN}" not in response.text
	response = printed(world["children"]["own"])  # their own child prints: the 404 above is the refusal
	assert response.status_code == 200 and f"Ada Rest{RUN}" in response.text


def test_manager_sees_every_child_and_their_carer(world, base_url):
	session = world["sessions"]["manager"]
	names = listed(session, base_url, filters=[["last_name", "=", f"Rest{RUN}"]])
	assert names == set(world["children"].values())
	doc = session.get(f"{base_url}/api/resource/Child/{world['children']['other']}", timeout=30).json()[
		"data"
	]
	assert doc["carer_name"] == "Carer of Ben"


def test_finance_never_receives_restricted_fields(world, base_url):
	session = world["sessions"]["finance"]
	name = world["children"]["own"]
	response = session.get(f"{base_url}/api/resource/Child/{name}", timeout=30)
	assert response.status_code == 200
	assert "Carer of Ada" not in response.text and "Secret Street" not in response.text
	response = session.get(
		f"{base_url}/api/resource/Child",
		params={
			"fields": json.dumps(["name", "carer_name", "placement_address"]),
			"filters": json.dumps([["name", "=", name]]),
		},
		timeout=30,
	)
	assert "Carer of Ada" not in response.text and "Secret Street" not in response.text


def test_portal_user_and_guest_cannot_use_the_desk_api(world, base_url):
	for session in (world["sessions"]["portal"], requests.Session()):
		response = session.get(f"{base_url}/api/resource/Child", timeout=30)
		assert response.status_code == 403
		response = session.get(f"{base_url}/api/resource/Child/{world['children']['own']}", timeout=30)
		assert response.status_code == 403
