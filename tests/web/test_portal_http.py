"""The school portal over HTTP with real logins: own school's pupils only, nothing sensitive in the page."""

import re
import uuid

import pytest
import requests

pytestmark = pytest.mark.http
RUN = uuid.uuid4().hex[:6]


@pytest.fixture(scope="module")
def portal(base_url, admin_password, login_as, ensure_user, user_password):
	admin = login_as("Administrator", admin_password)

	def post(doctype, payload):
		response = admin.post(f"{base_url}/api/resource/{doctype}", json=payload, timeout=30)
		assert response.status_code == 200, response.text
		return response.json()["data"]["name"]

	schools = []
	for number in (1, 2):
		urn = (
			f"99{RUN[:3].encode().hex()[:3]}{number}"[:6]
			if False
			else f"9{number}{abs(hash(RUN)) % 10000:04d}"
		)
		if admin.get(f"{base_url}/api/resource/School/{urn}", timeout=30).status_code != 200:
			post("School", {"urn": urn, "school_name": f"Web Portal School {number} {RUN}", "la": "886"})
		schools.append(urn)
	users = [
		ensure_user(f"portal{number}.http@school.test", "School Portal User", user_type="Website User")
		for number in (1, 2)
	]
	for user, school in zip(users, schools, strict=True):
		post("School Contact", {"school": school, "full_name": user, "user": user, "email": user})
	children = []
	for number, school in enumerate(schools, start=1):
		child = post(
			"Child",
			{
				"first_name": f"Pupil{number}",
				"last_name": f"Web{RUN}",
				"date_of_birth": f"2016-04-0{number}",
				"cohort": "Looked After",
				"carer_name": f"Carer{number} Secret",
			},
		)
		post("Education Placement", {"child": child, "school": school, "start_date": "2025-09-03"})
		children.append(child)
	return {"sessions": [login_as(user, user_password) for user in users], "children": children}


def test_portal_lists_only_own_pupils(portal, base_url):
	page = portal["sessions"][0].get(f"{base_url}/school-portal", timeout=30)
	assert page.status_code == 200
	assert f"Pupil1 Web{RUN}" in page.text
	assert f"Pupil2 Web{RUN}" not in page.text
	assert "Carer1 Secret" not in page.text


def test_other_school_sees_its_own_only(portal, base_url):
	page = portal["sessions"][1].get(f"{base_url}/school-portal", timeout=30)
	assert f"Pupil2 Web{RUN}" in page.text
	assert f"Pupil1 Web{RUN}" not in page.text


def test_icon_sprites_are_cacheable_assets_not_inlined(portal, base_url):
	"""Frappe's base.html inlines ~320 KB of icon sprites in every page; the portal loads them as assets."""
	page = portal["sessions"][0].get(f"{base_url}/school-portal", timeout=30)
	assert "<symbol" not in page.text
	assert len(page.content) < 60_000
	sources = re.findall(r'<div class="vs-icon-sprite" data-src="([^"]+)"', page.text)
	assert len(sources) == 2, sources
	symbols = set()
	for source in sources:
		assert source.startswith("/assets/frappe/icons/") and "?v=" in source
		sprite = requests.get(f"{base_url}{source}", timeout=30)
		assert sprite.status_code == 200
		assert "max-age" in sprite.headers.get("Cache-Control", ""), sprite.headers
		symbols |= set(re.findall(r'<symbol[^>]*\sid="([^"]+)"', sprite.text))
	used = set(re.findall(r'<use href="#([^"]+)"', page.text))
	assert used and not used - symbols, used - symbols


def test_portal_users_cannot_read_children_through_the_api(portal, base_url):
	session = portal["sessions"][0]
	for child in portal["children"]:
		assert session.get(f"{base_url}/api/resource/Child/{child}", timeout=30).status_code == 403


def test_guest_is_sent_to_login(base_url):
	response = requests.get(f"{base_url}/school-portal", timeout=30, allow_redirects=False)
	assert response.status_code in (301, 302)
	assert "/login" in response.headers["Location"]
