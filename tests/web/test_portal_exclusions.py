"""Schools notify exclusions through the portal (issue #23 item 5), over HTTP with a real two-factor portal login:
the page lists the school's own pupils only, the notification creates the Exclusion with its clocks and is
confirmed on the page, another school's pupil is refused whatever the form sends, and hostile text comes back
inert (escaped by the portal renderer's autoescaping; tier 2: test_side_doors_portal_escaping)."""

import json
import uuid
from datetime import date

import pytest
from portal_world import build
from test_portal_pages_http import assert_no_secrets, call, csrf_token

pytestmark = pytest.mark.http

RUN = uuid.uuid4().hex[:6]
PAGE = "/school-portal/exclusions"
SCRIPT = f'<script>alert("exc{RUN}")</script>'
IMG = f'"><img src=x onerror=alert("img{RUN}")>'
RAW_MARKERS = (f'<script>alert("exc{RUN}")', f'<img src=x onerror=alert("img{RUN}")')
REASON = "Persistent or general disruptive behaviour"


@pytest.fixture(scope="module")
def world(base_url, admin_password, login_as, ensure_user, user_password):
	admin = login_as("Administrator", admin_password)
	world = build(base_url, admin, ensure_user, "exclusions")
	world["admin"] = admin
	world["sessions"] = [login_as(user, user_password) for user in world["users"]]
	return world


def notify(world, base_url, index: int = 0, **values):
	data = {
		"child": world["children"][index],
		"exclusion_type": "Suspension",
		"start_date": date.today().isoformat(),
		"school_days": "2",
		"reason": REASON,
		"description": f"Left the classroom {RUN}",
		**values,
	}
	return call(world["sessions"][index], base_url, "notify_exclusion", **data)


def exclusions_of(world, base_url, child: str) -> list[dict]:
	response = world["admin"].get(
		f"{base_url}/api/resource/Exclusion",
		params={
			"filters": json.dumps({"child": child}),
			"fields": json.dumps(["name", "school", "vsh_told_on", "consideration_rule", "description"]),
			"limit_page_length": 0,
		},
		timeout=30,
	)
	assert response.status_code == 200, response.text
	return response.json()["data"]


def test_the_page_offers_the_schools_own_pupils_only(world, base_url):
	for index, session in enumerate(world["sessions"]):
		page = session.get(f"{base_url}{PAGE}", timeout=30)
		assert page.status_code == 200, page.text[:500]
		assert f'value="{world["children"][index]}"' in page.text
		assert world["children"][1 - index] not in page.text
		assert f"Pupil{2 - index} Portal{RUN}" not in page.text
		assert_no_secrets(world, page.text)
		assert PAGE in session.get(f"{base_url}/school-portal", timeout=30).text  # in the portal's menu


def test_a_school_notifies_an_exclusion_and_sees_it_confirmed(world, base_url):
	response = notify(world, base_url)
	assert response.status_code == 200, response.text[:500]
	name = response.json()["message"]["name"]
	[record] = [row for row in exclusions_of(world, base_url, world["children"][0]) if row["name"] == name]
	assert record["school"] == world["schools"][0]  # the pupil's school, not a value from the form
	assert record["vsh_told_on"] == date.today().isoformat()
	assert record["consideration_rule"]  # the controller's governors' clock ran
	own = world["sessions"][0].get(f"{base_url}{PAGE}", params={"notified": name}, timeout=30).text
	assert 'id="exclusion-notified"' in own and name in own
	other = world["sessions"][1].get(f"{base_url}{PAGE}", params={"notified": name}, timeout=30).text
	assert name not in other and 'id="exclusion-notified"' not in other


def test_another_schools_pupil_is_refused_whatever_the_form_sends(world, base_url):
	before = exclusions_of(world, base_url, world["children"][1])
	for child in (world["children"][1], [world["children"][1]], f"{world['children'][1]}' or '1'='1"):
		response = notify(world, base_url, child=child if isinstance(child, str) else json.dumps(child))
		assert response.status_code in (403, 404, 417), (child, response.status_code, response.text[:300])
		assert_no_secrets(world, response.text)
	assert exclusions_of(world, base_url, world["children"][1]) == before


def test_hostile_input_is_refused_or_rendered_inert(world, base_url):
	for values in (
		{"reason": SCRIPT},
		{"exclusion_type": IMG},
		{"school_days": "2; drop table tabExclusion"},
		{"start_date": SCRIPT},
	):
		response = notify(world, base_url, **values)
		assert response.status_code == 417, (values, response.status_code, response.text[:300])
		for marker in RAW_MARKERS:
			assert marker not in response.text
	response = notify(world, base_url, start_date="2000-01-01")
	assert response.status_code == 417
	three_days_ago = date.fromordinal(date.today().toordinal() - 3).isoformat()
	response = notify(
		world, base_url, description=f"Hostile {RUN} {SCRIPT}{IMG}{{{{ 7*7 }}}}", start_date=three_days_ago
	)
	assert response.status_code == 200, response.text[:500]
	page = world["sessions"][0].get(f"{base_url}{PAGE}", timeout=30).text
	assert f"Hostile {RUN}" in page  # the description is on the page ...
	for marker in RAW_MARKERS:  # ... as text only
		assert marker not in page, f"{PAGE} renders the payload unescaped: {marker}"
	assert ">49<" not in page and "49{" not in page  # data is never a template


def test_notifying_needs_post_and_the_csrf_token(world, base_url):
	session = world["sessions"][0]
	data = {
		"child": world["children"][0],
		"exclusion_type": "Permanent exclusion",
		"start_date": date.today().isoformat(),
		"reason": REASON,
		"description": "No token",
	}
	method = f"{base_url}/api/method/virtual_school.portal.actions.notify_exclusion"
	assert session.post(method, data=data, timeout=30).status_code in (400, 403)
	assert session.get(method, params=data, timeout=30).status_code in (403, 405)
	assert "No token" not in json.dumps(exclusions_of(world, base_url, world["children"][0]))
	assert call(session, base_url, "notify_exclusion", token=csrf_token(session, base_url), **data).ok
