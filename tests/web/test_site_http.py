"""The served site answers, logs in, and shows the Virtual School workspace (issue 4 acceptance)."""

import pytest
import requests

pytestmark = pytest.mark.http


def test_ping_answers(base_url):
	response = requests.get(f"{base_url}/api/method/ping", timeout=30)
	assert response.status_code == 200
	assert response.json()["message"] == "pong"


def test_wrong_password_is_refused(base_url):
	response = requests.post(
		f"{base_url}/api/method/login", data={"usr": "Administrator", "pwd": "not-the-password"}, timeout=30
	)
	assert response.status_code == 401


def test_administrator_logs_in_and_sees_the_workspace(admin_session, base_url):
	response = admin_session.get(f"{base_url}/api/resource/Workspace/Virtual School", timeout=30)
	assert response.status_code == 200
	workspace = response.json()["data"]
	assert workspace["module"] == "Virtual School"
	assert workspace["public"] == 1

	sidebar = admin_session.post(
		f"{base_url}/api/method/frappe.desk.desktop.get_workspace_sidebar_items", timeout=30
	)
	assert sidebar.status_code == 200
	assert "Virtual School" in [page["name"] for page in sidebar.json()["message"]["pages"]]


def test_desk_page_loads_for_administrator(admin_session, base_url):
	response = admin_session.get(f"{base_url}/app/virtual-school", timeout=30)
	assert response.status_code == 200
	assert "frappe.boot" in response.text or "boot" in response.text


def test_guest_cannot_read_school_calendars(base_url):
	response = requests.get(f"{base_url}/api/resource/School Calendar", timeout=30)
	assert response.status_code == 403
