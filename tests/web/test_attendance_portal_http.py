"""A school sends weekly attendance through the portal, over HTTP, signed in through two-factor
authentication: its own pupils import, another school's pupil is refused by row, another school's upload
is refused outright, and nothing is written without the CSRF token."""

import random
import re
import uuid
from datetime import date, timedelta

import pytest
import requests

pytestmark = pytest.mark.http

CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn(body: str) -> str:
	"""A UPN with the right check letter for its 12 characters (DfE UPN guide, Annex A)."""
	total = sum(int(c) * weight for c, weight in zip(body, range(2, 14), strict=True))
	return CHECK_LETTERS[total % 23] + body


def post(admin: requests.Session, base_url: str, doctype: str, payload: dict) -> dict:
	response = admin.post(f"{base_url}/api/resource/{doctype}", json=payload, timeout=30)
	assert response.status_code == 200, response.text
	return response.json()["data"]


def last_full_week() -> date:
	today = date.today()
	return today - timedelta(days=today.weekday() + 7)


@pytest.fixture(scope="module")
def world(base_url, admin_password, login_as, ensure_user, user_password):
	admin = login_as("Administrator", admin_password)
	run = uuid.uuid4().hex[:6]
	week = last_full_week()
	world = {"week": week, "schools": [], "users": [], "children": [], "upns": []}
	for number in (1, 2):
		urn = f"7{number}{random.randint(1000, 9999)}"
		post(
			admin,
			base_url,
			"School",
			{"urn": urn, "school_name": f"Attendance School {number} {run}", "la": "886"},
		)
		user = ensure_user(
			f"attendance{number}.{run}@school.test", "School Portal User", user_type="Website User"
		)
		post(
			admin,
			base_url,
			"School Contact",
			{"school": urn, "full_name": f"Teacher {number}", "user": user, "email": user},
		)
		pupil_upn = upn(f"8862026{random.randint(10000, 99999)}")
		child = post(
			admin,
			base_url,
			"Child",
			{
				"first_name": f"Attender{number}",
				"last_name": f"Portal{run}",
				"date_of_birth": "2016-05-05",
				"cohort": "Looked After",
				"upn": pupil_upn,
			},
		)["name"]
		post(
			admin,
			base_url,
			"Education Placement",
			{"child": child, "school": urn, "start_date": (week - timedelta(days=28)).isoformat()},
		)
		world["schools"].append(urn)
		world["users"].append(user)
		world["children"].append(child)
		world["upns"].append(pupil_upn)
	world["admin"] = admin
	world["sessions"] = [login_as(user, user_password) for user in world["users"]]
	return world


def csrf_token(session: requests.Session, base_url: str) -> str:
	page = session.get(f"{base_url}/school-portal/attendance", timeout=30)
	assert page.status_code == 200, page.status_code
	match = re.search(r'frappe.csrf_token = "([^"]+)"', page.text)
	assert match, "the attendance page carries no CSRF token"
	return match.group(1)


def academic_year(week: date) -> str:
	friday = week + timedelta(days=4)
	start = friday.year if friday.month >= 9 else friday.year - 1
	return f"{start}-{(start + 1) % 100:02d}"


def upload(session, base_url, school, csv_text, confirm, token=None, week=None):
	week = week or last_full_week()
	return session.post(
		f"{base_url}/api/method/virtual_school.attendance.services.portal_upload",
		data={
			"csv_text": csv_text,
			"school": school,
			"confirm": confirm,
			"academic_year": academic_year(week),
		},
		headers={"X-Frappe-CSRF-Token": token if token is not None else csrf_token(session, base_url)},
		timeout=30,
	)


def weeks_of(world, child) -> list:
	response = world["admin"].get(
		f"{world['base_url']}/api/resource/Attendance Record",
		params={
			"filters": f'[["child", "=", "{child}"]]',
			"fields": '["week_starting", "sessions_attended", "source"]',
		},
		timeout=30,
	)
	assert response.status_code == 200, response.text
	return response.json()["data"]


def test_attendance_page_offers_only_own_school(world, base_url):
	page = world["sessions"][0].get(f"{base_url}/school-portal/attendance", timeout=30)
	assert page.status_code == 200
	assert world["schools"][0] in page.text
	assert world["schools"][1] not in page.text


def test_school_uploads_its_own_pupils_and_other_pupils_are_refused_by_row(world, base_url):
	world["base_url"] = base_url
	session = world["sessions"][0]
	monday = world["week"].strftime("%d/%m/%Y")
	csv_text = (
		"UPN,Week Starting,Session Codes\n"
		f"{world['upns'][0]},{monday},/ \\ / \\ I I / \\ / \\\n"
		f"{world['upns'][1]},{monday},/ \\ / \\ / \\ / \\ / \\\n"
	)
	preview = upload(session, base_url, world["schools"][0], csv_text, 0)
	assert preview.status_code == 200, preview.text
	message = preview.json()["message"]
	assert message["counts"]["create"] == 1 and message["counts"]["rejected"] == 1
	assert message["rejected"][0]["row"] == 3
	assert "Attender2 Portal" not in preview.text  # the other school's pupil is never named
	assert weeks_of(world, world["children"][0]) == []  # a preview writes nothing

	sent = upload(session, base_url, world["schools"][0], csv_text, 1)
	assert sent.status_code == 200, sent.text
	assert sent.json()["message"]["counts"]["create"] == 1
	weeks = weeks_of(world, world["children"][0])
	assert [(w["sessions_attended"], w["source"]) for w in weeks] == [(8, "Portal upload")]
	assert weeks_of(world, world["children"][1]) == []


def test_uploading_for_another_school_is_refused(world, base_url):
	world["base_url"] = base_url
	monday = world["week"].strftime("%d/%m/%Y")
	csv_text = f"UPN,Week Starting,Session Codes\n{world['upns'][1]},{monday},/ \\ / \\ / \\ / \\ / \\\n"
	response = upload(world["sessions"][0], base_url, world["schools"][1], csv_text, 1)
	assert response.status_code == 403, response.text
	assert weeks_of(world, world["children"][1]) == []


def test_upload_without_the_csrf_token_is_refused(world, base_url):
	world["base_url"] = base_url
	monday = (world["week"] - timedelta(days=7)).strftime("%d/%m/%Y")
	csv_text = f"UPN,Week Starting,Session Codes\n{world['upns'][0]},{monday},/ \\ / \\ / \\ / \\ / \\\n"
	response = upload(
		world["sessions"][0],
		base_url,
		world["schools"][0],
		csv_text,
		1,
		token="",
		week=world["week"] - timedelta(days=7),
	)
	assert response.status_code in (400, 403), response.text
	assert all(w["sessions_attended"] != 10 for w in weeks_of(world, world["children"][0]))
