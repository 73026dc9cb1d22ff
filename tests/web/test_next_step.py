"""Issue #21 in a real browser (Playwright, Debian's chromium, 1366x900): each workflow form says what to do
next before any save. A caseworker opening a new place request is told to add the school to approach, and the
step follows the form as it changes; finance opening a new PP+ payment gets *Add All Approved Claims* as soon
as a school is chosen, and it fills the payment, which
saves once the payment reference is entered. Server side: ``virtual_school/tests/test_next_step.py``.
Screenshots go to test-results/."""

import pytest
from portal_world import build
from test_desk_browser import ARTIFACTS, sign_in

pytestmark = [pytest.mark.http, pytest.mark.browser]

STEP = ".form-message .vs-next-step"


@pytest.fixture(scope="module")
def world(base_url, admin_password, login_as, ensure_user):
	admin = login_as("Administrator", admin_password)
	return build(base_url, admin, ensure_user, "nextstep")  # schools, each with an approved PP+ claim


def shot(page, name: str) -> None:
	ARTIFACTS.mkdir(exist_ok=True)
	page.screenshot(path=str(ARTIFACTS / f"next-step-{name}.png"), full_page=True)


def test_a_caseworker_sees_the_next_step_on_a_new_request(browser, base_url, ensure_user, user_password):
	email = ensure_user("nextstep.caseworker@example.test", "Virtual School Caseworker")
	page = sign_in(browser, base_url, email, user_password)
	page.goto(f"{base_url}/app/school-place-request/new")
	step = page.locator(STEP)
	step.wait_for(timeout=30_000)
	assert "add the schools to approach" in step.inner_text()
	shot(page, "new-request")
	# a school to approach added (as the grid's "Add Row" does): the step follows the unsaved form
	page.evaluate(
		"() => { cur_frm.add_child('approaches', {}); cur_frm.refresh_field('approaches'); cur_frm.dirty(); }"
	)
	page.wait_for_function(
		"s => (document.querySelector(s) || {}).innerText?.includes('save, then Request Place')",
		arg=STEP,
		timeout=30_000,
	)
	shot(page, "new-request-with-school")


def test_finance_adds_all_approved_claims_before_any_save(
	browser, base_url, world, ensure_user, user_password
):
	email = ensure_user("nextstep.finance@example.test", "Virtual School Finance")
	school, claim = world["schools"][0], world["claims"][0]
	page = sign_in(browser, base_url, email, user_password)
	page.goto(f"{base_url}/app/pp-plus-payment/new")
	step = page.locator(STEP)
	step.wait_for(timeout=30_000)
	assert "Choose the school" in step.inner_text()
	field = page.locator('.frappe-control[data-fieldname="school"] input')
	field.fill(school)
	page.locator(".awesomplete [role='option']", has_text=school).first.click(timeout=30_000)
	button = page.get_by_role("button", name="Add All Approved Claims")
	button.wait_for(timeout=30_000)  # on the new, never-saved form
	shot(page, "new-payment")
	button.click()
	page.wait_for_function(
		"c => (cur_frm.doc.claims || []).map(row => row.claim).join() === c", arg=claim, timeout=30_000
	)
	page.wait_for_function(
		"s => (document.querySelector(s) || {}).innerText?.includes('enter the payment reference')",
		arg=STEP,
		timeout=30_000,
	)
	page.locator('.frappe-control[data-fieldname="payment_reference"] input').fill("BACS-NEXT-STEP")
	page.keyboard.press("Control+s")
	page.wait_for_url("**/app/pp-plus-payment/PPP-*", timeout=30_000)  # saved, with the claim
	shot(page, "payment-saved")
