"""Issue #21 over HTTP with real logins: a save refused by validation answers with its message and no server
traceback, for a caseworker on the desk (``savedocs``) and a school user in the portal (``save_pep``).

Guard: ``virtual_school/security/errors.py`` (every JSON answer scrubbed; Frappe's switch off). In-process:
``virtual_school/tests/test_validation_errors.py`` and ``test_side_doors_errors.py``."""

import json
import re

import pytest
from portal_world import build
from test_attacks import csrf_token_of

pytestmark = pytest.mark.http

TIMEOUT = 30
TRACEBACK = re.compile(r"most recent call last|File \"[^\"]+\", line \d+")
REFUSED = "Attendance must be between 0 and 100%."  # the PEP controller's message (validate_attendance)


@pytest.fixture(scope="module")
def world(base_url, admin_password, login_as, ensure_user, user_password):
	admin = login_as("Administrator", admin_password)
	world = build(base_url, admin, ensure_user, "errors21")
	worker = ensure_user("errors21.cw@example.test", "Virtual School Caseworker")
	child = world["children"][0]
	response = admin.put(
		f"{base_url}/api/resource/Child/{child}", json={"caseworker": worker}, timeout=TIMEOUT
	)
	assert response.status_code == 200, response.text
	world["caseworker"] = login_as(worker, user_password)
	world["school user"] = login_as(world["users"][0], user_password)
	world["school user"].headers["X-Frappe-CSRF-Token"] = csrf_token_of(
		world["school user"], base_url, "/school-portal"
	)
	world["caseworker"].headers["X-Frappe-CSRF-Token"] = csrf_token_of(world["caseworker"], base_url, "/app")
	world["admin"] = admin
	return world


def assert_refused_without_traceback(response, who: str) -> None:
	assert response.status_code == 417, f"{who}: {response.status_code} {response.text[:300]}"
	assert REFUSED in response.text, f"{who} lost the message: {response.text[:300]}"
	assert not TRACEBACK.search(response.text), f"{who} sees a traceback: {response.text[:800]}"
	answer = response.json()
	assert not {"exc", "exception", "_exc_source", "_debug_messages"} & set(answer), (
		f"{who}: {sorted(answer)}"
	)


def test_a_caseworkers_failed_save_shows_the_message_not_the_traceback(world, base_url):
	session = world["caseworker"]
	pep = session.get(f"{base_url}/api/resource/Personal Education Plan/{world['peps'][0]}", timeout=TIMEOUT)
	assert pep.status_code == 200, pep.text  # on the caseworker's caseload: their save reaches validation
	doc = {**pep.json()["data"], "attendance_percent": 130}
	response = session.post(
		f"{base_url}/api/method/frappe.desk.form.save.savedocs",
		data={"doc": json.dumps(doc), "action": "Save"},
		timeout=TIMEOUT,
	)
	assert_refused_without_traceback(response, "caseworker (savedocs)")


def test_a_school_users_failed_save_shows_the_message_not_the_traceback(world, base_url):
	response = world["school user"].post(
		f"{base_url}/api/method/virtual_school.portal.actions.save_pep",
		data={"name": world["peps"][0], "data": json.dumps({"attendance_percent": "130"})},
		timeout=TIMEOUT,
	)
	assert_refused_without_traceback(response, "school user (save_pep)")
