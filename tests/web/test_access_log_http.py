"""Tier 3: the access log and the subject access export over real HTTP (issue #22).

What tier 2 cannot show: that a GET form load and a REST read are committed (Frappe rolls a GET back unless
told otherwise), that the override of ``make_access_log`` is what Frappe's handler calls, and that the
export arrives as a ZIP download through the desk's POST.
"""

import io
import json
import time
import uuid
import zipfile

import pytest
import test_attacks
from conftest import refused

pytestmark = pytest.mark.http

TIMEOUT = 60
MAKE_ACCESS_LOG = "frappe.core.doctype.access_log.access_log.make_access_log"


@pytest.fixture(scope="module")
def world(base_url, admin_password, login_as, ensure_user, user_password):
	"""test_attacks.py's world under names of its own (a child's name and birth date must be unique)."""
	build = test_attacks.world.__wrapped__
	with pytest.MonkeyPatch.context() as patch:
		patch.setattr(test_attacks, "RUN", uuid.uuid4().hex[:6])
		return build(base_url, admin_password, login_as, ensure_user, user_password)


def logged(world, base_url, child: str, user: str, method: str, expect: int) -> list[dict]:
	"""The log rows, once there are ``expect`` of them: a view is written just after its response is sent
	(``request.after_response``), so a reader may arrive first; waits up to 10 s (a missing row then fails)."""
	if not expect:  # no row expected: give a wrong one the time to arrive
		time.sleep(2)
	deadline = time.monotonic() + 10
	rows = read_log(world, base_url, child, user, method)
	while len(rows) < expect and time.monotonic() < deadline:
		time.sleep(0.2)
		rows = read_log(world, base_url, child, user, method)
	return rows


def read_log(world, base_url, child: str, user: str, method: str) -> list[dict]:
	response = world["admin"].get(
		f"{base_url}/api/resource/Access Log",
		params={
			"filters": json.dumps(
				[
					["export_from", "=", "Child"],
					["reference_document", "=", child],
					["user", "=", user],
					["method", "=", method],
				]
			),
			"fields": json.dumps(["name", "page"]),
		},
		timeout=TIMEOUT,
	)
	assert response.status_code == 200, response.text[:300]
	return response.json()["data"]


def test_a_desk_form_load_is_committed_to_the_log(world, base_url):
	session, child = world["sessions"]["own"], world["own"]
	response = session.get(
		f"{base_url}/api/method/frappe.desk.form.load.getdoc",
		params={"doctype": "Child", "name": child},
		timeout=TIMEOUT,
	)
	assert response.status_code == 200, response.text[:300]
	rows = logged(world, base_url, child, world["users"]["own"], "View", 1)
	assert [row["page"] for row in rows] == [f"/app/child/{child}"]


def test_a_rest_read_is_logged_and_a_refused_one_is_not(world, base_url):
	child = world["own"]
	assert (
		world["sessions"]["own"].get(f"{base_url}/api/resource/Child/{child}", timeout=TIMEOUT).status_code
		== 200
	)
	refused(world["sessions"]["other"].get(f"{base_url}/api/resource/Child/{child}", timeout=TIMEOUT), 403)
	assert len(logged(world, base_url, child, world["users"]["own"], "API Read", 1)) == 1
	assert logged(world, base_url, child, world["users"]["other"], "API Read", 0) == []


def test_a_forged_access_log_row_is_refused(world, base_url):
	session, child = world["sessions"]["other"], world["own"]
	response = session.post(
		f"{base_url}/api/method/{MAKE_ACCESS_LOG}",
		data={"doctype": "Child", "document": child, "method": "View"},
		headers=test_attacks.csrf_header(session, base_url),
		timeout=TIMEOUT,
	)
	refused(response, 403, "PermissionError")
	assert logged(world, base_url, child, world["users"]["other"], "View", 0) == []


def test_the_subject_access_export_downloads_for_a_manager_only(world, base_url):
	child = world["own"]
	for key in ("own", "other", "finance"):
		session = world["sessions"][key]
		response = session.post(
			f"{base_url}/api/method/virtual_school.governance.sar.download",
			data={"child": child},
			headers=test_attacks.csrf_header(session, base_url),
			timeout=TIMEOUT,
		)
		refused(response, 403)
	session = world["sessions"]["manager"]
	response = session.post(
		f"{base_url}/api/method/virtual_school.governance.sar.download",
		data={"child": child},
		headers=test_attacks.csrf_header(session, base_url),
		timeout=TIMEOUT,
	)
	assert response.status_code == 200, response.text[:300]
	assert "attachment" in response.headers.get("Content-Disposition", "")
	archive = zipfile.ZipFile(io.BytesIO(response.content))
	assert f"records/Child/{child}.json" in archive.namelist()
	assert "summary.docx" in archive.namelist()
	assert len(logged(world, base_url, child, world["users"]["manager"], "Subject Access Export", 1)) == 1
