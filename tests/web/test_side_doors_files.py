"""Import sources and the annual report over HTTP, with real logins (issue #17: files follow their record).

The Head imports SSDA903 files the way the desk does (New Import Log, upload each file to it, Save, Preview)
and writes the annual report. A caseworker and Finance then ask for each /private/files/... URL: Frappe
serves a private file to whoever may read the record it is attached to, and these records (Import Log,
Annual Report Run) are the Head's and Managers' only, so the answer is 403. The Head and a Manager get it.
"""

import uuid
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.http

FIXTURES = Path(__file__).resolve().parents[2] / "virtual_school" / "tests" / "fixtures" / "ssda903"
RUN = uuid.uuid4().hex[:6]
TIMEOUT = 60


def ok(response: requests.Response) -> dict:
	assert response.status_code == 200, f"{response.request.method} {response.url}: {response.text[:2000]}"
	return response.json()


@pytest.fixture(scope="module")
def sessions(login_as, ensure_user, user_password) -> dict[str, requests.Session]:
	users = {
		"head": ensure_user(f"files.head.{RUN}@example.test", "Virtual School Head"),
		"manager": ensure_user(f"files.manager.{RUN}@example.test", "Virtual School Manager"),
		"caseworker": ensure_user(f"files.cw.{RUN}@example.test", "Virtual School Caseworker"),
		"finance": ensure_user(f"files.finance.{RUN}@example.test", "Virtual School Finance"),
	}
	sessions = {key: login_as(email, user_password) for key, email in users.items()}
	for session in sessions.values():
		session.headers["Connection"] = "close"  # gunicorn closes idle keep-alive connections after 2 s
	return sessions


@pytest.fixture(scope="module")
def private_files(base_url, sessions) -> dict[str, tuple[str, bytes]]:
	"""{what: (file URL, content)}: the SSDA903 sources on an Import Log and the annual report."""
	head = sessions["head"]
	log = ok(
		head.post(f"{base_url}/api/resource/Import Log", json={"import_type": "SSDA903"}, timeout=TIMEOUT)
	)
	name = log["data"]["name"]
	files, urls = {}, {}
	for fieldname, file_name in (("header_file", "header.csv"), ("episodes_file", "episodes.csv")):
		content = (FIXTURES / file_name).read_bytes()
		uploaded = ok(
			head.post(
				f"{base_url}/api/method/upload_file",
				files={"file": (f"ssda903-{RUN}-{file_name}", content, "text/csv")},
				data={"is_private": 1, "doctype": "Import Log", "docname": name, "fieldname": fieldname},
				timeout=TIMEOUT,
			)
		)["message"]
		assert uploaded["file_url"].startswith("/private/files/"), uploaded
		urls[fieldname] = uploaded["file_url"]
		files[f"SSDA903 {file_name}"] = (uploaded["file_url"], content)
	ok(head.put(f"{base_url}/api/resource/Import Log/{name}", json=urls, timeout=TIMEOUT))
	preview = ok(
		head.post(
			f"{base_url}/api/method/virtual_school.virtual_school.doctype.import_log.import_log.preview",
			data={"name": name},
			timeout=TIMEOUT,
		)
	)["message"]
	assert preview["create"] or preview["unchanged"] or preview["update"], preview
	report = ok(
		head.post(
			f"{base_url}/api/method/virtual_school.reports.annual_report.generate",
			data={"academic_year": "2025-26"},
			timeout=TIMEOUT,
		)
	)["message"]
	files["annual report"] = (report["file_url"], None)
	return files


def test_caseworkers_and_finance_are_refused_the_sources_and_the_report(base_url, sessions, private_files):
	for what, (url, _content) in private_files.items():
		for role in ("caseworker", "finance"):
			response = sessions[role].get(f"{base_url}{url}", timeout=TIMEOUT, allow_redirects=False)
			assert response.status_code == 403, f"{role} GET {what} {url}: {response.status_code}"


def test_the_head_and_managers_download_them(base_url, sessions, private_files):
	for what, (url, content) in private_files.items():
		for role in ("head", "manager"):
			response = sessions[role].get(f"{base_url}{url}", timeout=TIMEOUT, allow_redirects=False)
			assert response.status_code == 200, f"{role} GET {what} {url}: {response.status_code}"
			if content is not None:
				assert response.content == content, what
			else:
				assert response.content[:2] == b"PK", what  # a .docx is a zip
