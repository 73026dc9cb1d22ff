"""The school portal in a real browser (Playwright driving Debian's chromium): a school user signs in with
their password and authenticator code, sees only their own pupils, completes a PEP, asks for PP+, answers
a place request and cannot reach another school's records by URL or by a tampered form.
Screenshots (desktop and 390px phone width) go to test-artifacts/portal/."""

from datetime import date
from pathlib import Path

import pytest
from conftest import otp_code, otp_secret
from portal_world import build, pep_target_row

pytestmark = [pytest.mark.http, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "portal"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def world(base_url, admin_password, login_as, ensure_user):
	admin = login_as("Administrator", admin_password)
	world = build(base_url, admin, ensure_user, "browser")
	world["admin"] = admin
	return world


ICONS_LOADED = "() => !document.querySelector('div.vs-icon-sprite') && !!document.getElementById('icon-menu')"
MENU_ICON_WIDTH = "document.querySelector('use[href=\"#icon-menu\"]').getBBox().width"


def shot(page, name: str):
	ARTIFACTS.mkdir(parents=True, exist_ok=True)
	page.wait_for_timeout(300)
	page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(browser, base_url, email, password, viewport=DESKTOP, screenshot: str | None = None):
	secret = otp_secret(base_url, email)
	page = browser.new_page(viewport=viewport)
	page.goto(f"{base_url}/login")
	page.fill("#login_email", email)
	page.fill("#login_password", password)
	page.click(".btn-login")
	page.wait_for_selector("#login_token", timeout=30_000)
	if screenshot:
		shot(page, screenshot)
	page.fill("#login_token", otp_code(secret))
	page.click("#verify_token")
	page.wait_for_url("**/school-portal**", timeout=30_000)
	return page


def test_school_user_does_their_work_in_the_portal(browser, base_url, world, user_password):
	run = world["run"]
	page = sign_in(browser, base_url, world["users"][0], user_password, screenshot="desktop-0-otp")
	# My pupils: own only, nothing sensitive
	page.wait_for_selector(".school-portal table")
	shot(page, "desktop-1-my-pupils")
	body = page.content()
	assert f"Pupil1 Portal{run}" in body
	assert f"Pupil2 Portal{run}" not in body
	for secret in world["secrets"]:
		assert secret not in body

	# PEP: the school's part, submitted for QA
	page.goto(f"{base_url}/school-portal/peps")
	shot(page, "desktop-2-peps")
	page.click(f"a.pep-row[href*='{world['peps'][0]}']")
	page.wait_for_selector("#pep-form")
	page.fill("#designated_teacher", "Ms Designated")
	page.fill("#meeting_date", date.today().isoformat())
	page.fill("#attendance_percent", "96")
	page.fill("#child_views", "Enjoys science club")
	page.click("#add-attainment")
	page.locator("#attainment .attainment-row .a-current").last.fill("Working towards")
	page.locator("#attainment .attainment-row .a-target").last.fill("Expected standard")
	shot(page, "desktop-3-pep-form")
	page.click("#submit-pep")
	page.wait_for_selector(".alert-info", timeout=30_000)  # now with the virtual school: read-only
	assert "Submitted" in page.inner_text(".school-portal")
	shot(page, "desktop-4-pep-submitted")

	# PP+: a request against a PEP target
	page.goto(f"{base_url}/school-portal/pp-plus")
	page.select_option("#target_row", pep_target_row(world["admin"], base_url, world["funding_peps"][0]))
	page.fill("#amount", "150")
	page.select_option("#category", "Tuition")
	page.fill("#description", f"Reading tutor {run}")
	shot(page, "desktop-5-pp-plus-form")
	page.click("#request-pp-plus")
	page.wait_for_selector(".pp-plus-claim:has-text('£150.00')", timeout=30_000)
	assert "Submitted" in page.inner_text(".pp-plus-claim:has-text('£150.00')")
	shot(page, "desktop-6-pp-plus-requested")

	# Place request: offer a place
	page.goto(f"{base_url}/school-portal/place-requests")
	shot(page, "desktop-7-place-requests")
	card = page.locator(f".place-request[data-request='{world['requests'][0]}']")
	card.locator(".btn-offer").click()
	page.wait_for_selector(
		f".place-request[data-request='{world['requests'][0]}'] .indicator-pill:has-text('Offered')",
		timeout=30_000,
	)
	shot(page, "desktop-8-place-offered")

	# Impact report page renders
	page.goto(f"{base_url}/school-portal/impact-report?name={world['reports'][0]}")
	page.wait_for_selector("#impact-form")
	shot(page, "desktop-9-impact-report")
	page.close()


def test_another_schools_records_are_out_of_reach(browser, base_url, world, user_password):
	page = sign_in(browser, base_url, world["users"][0], user_password)
	# by URL
	response = page.goto(f"{base_url}/school-portal/pep?name={world['peps'][1]}")
	assert response.status == 404
	assert f"Pupil2 Portal{world['run']}" not in page.content()
	shot(page, "desktop-10-other-school-pep-404")
	# by REST from the signed-in browser
	response = page.goto(f"{base_url}/api/resource/Child/{world['children'][1]}")
	assert response.status in (403, 404)
	# by a tampered form: the other school's PEP target put into the PP+ form
	page.goto(f"{base_url}/school-portal/pp-plus")
	theirs = pep_target_row(world["admin"], base_url, world["funding_peps"][1])
	page.evaluate(
		"(value) => { const s = document.getElementById('target_row'); s.options[0].value = value; s.value = value; }",
		theirs,
	)
	page.fill("#amount", "75")
	page.fill("#description", "Tampered request")
	page.click("#request-pp-plus")
	page.wait_for_selector(".modal.show, .msgprint", timeout=30_000)
	shot(page, "desktop-11-tampered-refused")
	claims = world["admin"].get(
		f"{base_url}/api/resource/PP Plus Claim",
		params={"filters": '[["description", "=", "Tampered request"]]'},
		timeout=30,
	)
	assert claims.json()["data"] == []
	page.close()


def test_portal_at_phone_width(browser, base_url, world, user_password):
	page = sign_in(
		browser, base_url, world["users"][1], user_password, viewport=PHONE, screenshot="phone-0-otp"
	)
	for number, path in enumerate(
		(
			"/school-portal",
			"/school-portal/place-requests",
			"/school-portal/peps",
			f"/school-portal/pep?name={world['peps'][1]}",
			"/school-portal/pp-plus",
			f"/school-portal/impact-report?name={world['reports'][1]}",
		),
		start=1,
	):
		response = page.goto(f"{base_url}{path}")
		assert response.status == 200, path
		# Frappe's icon sprites are not in the page but loaded as assets: the navbar's menu icon still draws
		assert "<symbol" not in response.text(), path
		page.wait_for_function(ICONS_LOADED, timeout=30_000)
		assert page.evaluate(MENU_ICON_WIDTH) > 0, path
		assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, path
		shot(page, f"phone-{number}-{path.strip('/').replace('/', '-').split('?')[0] or 'home'}")
	page.close()
