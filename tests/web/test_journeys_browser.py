"""Issue #21, acceptance: a manager's day in a real browser (Playwright, Debian's chromium, 1366x900). Each
workflow step is offered in the form's Actions menu with the next step written above the form, before any
save fails: a claim the caseworker submitted is reviewed and approved, and a submitted PEP is quality-assured
(Start QA, the QA ratings, Approve). No HTTP error and no console error on the way. Screenshots go to
test-results/ (``journey-*.png``). The caseworker's and finance's first steps: test_next_step.py; the school
user's: test_portal_browser.py; each role's workspace: test_role_workspaces.py."""

from datetime import date

import pytest
from portal_world import build, workflow
from test_desk_browser import ARTIFACTS, sign_in
from test_role_workspaces import realtime_noise

pytestmark = [pytest.mark.http, pytest.mark.browser]

STEP = ".form-message .vs-next-step"


@pytest.fixture(scope="module")
def world(base_url, admin_password, login_as, ensure_user):
	admin = login_as("Administrator", admin_password)
	built = build(
		base_url, admin, ensure_user, "journey"
	)  # schools, children, submitted PEPs, approved claims
	built["admin"] = admin
	return built


def shot(page, name: str) -> None:
	ARTIFACTS.mkdir(exist_ok=True)
	page.screenshot(path=str(ARTIFACTS / f"journey-{name}.png"), full_page=True)


def watch(page) -> list[str]:
	"""Every HTTP error and console error the page meets (a failed save is one)."""
	failures: list[str] = []
	page.on(
		"response",
		lambda response: (
			response.status >= 400
			and not realtime_noise(response.url)
			and failures.append(f"{response.status} {response.url}")
		),
	)
	page.on(
		"console",
		lambda message: (
			message.type == "error"
			and not realtime_noise(message.text)
			and not (message.text.startswith("Failed to load resource") and "404" in message.text)
			and failures.append(f"console: {message.text}")
		),
	)
	return failures


def step_says(page, text: str) -> None:
	page.wait_for_function(
		"([s, t]) => (document.querySelector(s) || {}).innerText?.includes(t)",
		arg=[STEP, text],
		timeout=30_000,
	)


def take_action(page, action: str, state: str) -> None:
	"""The action from the form's Actions menu, as a user clicks it; then the record is in ``state``."""
	page.locator(".actions-btn-group > button").click()
	page.locator(".actions-btn-group .dropdown-menu .dropdown-item", has_text=action).first.click()
	# cur_frm.doc is briefly undefined while the form reloads after an action or a save
	page.wait_for_function(
		"s => { try { return cur_frm && cur_frm.doc && cur_frm.doc.workflow_state === s; } catch (e) { return false; } }",
		arg=state,
		timeout=30_000,
	)


def test_a_manager_reviews_and_approves_a_submitted_claim(
	browser, base_url, world, ensure_user, user_password
):
	admin, school, child = world["admin"], world["schools"][0], world["children"][0]
	response = admin.post(
		f"{base_url}/api/resource/PP Plus Claim",
		json={
			"child": child,
			"school": school,
			"funding_year": world["funding_year"],
			"claim_date": date.today().isoformat(),
			"amount": 120,
			"category": "Tuition",
			"description": f"Reading tutor {world['run']}",
		},
		timeout=30,
	)
	assert response.status_code == 200, response.text
	claim = response.json()["data"]["name"]
	workflow(admin, base_url, "PP Plus Claim", claim, "Submit Claim")
	email = ensure_user("journey.manager@example.test", "Virtual School Manager")
	page = sign_in(browser, base_url, email, user_password)
	failures = watch(page)
	try:
		page.goto(f"{base_url}/app/pp-plus-claim/{claim}")
		step_says(page, "Start Review")
		shot(page, "claim-submitted")
		take_action(page, "Start Review", "Under Review")
		step_says(page, "Approve")
		take_action(page, "Approve", "Approved")
		shot(page, "claim-approved")
		assert failures == [], failures
	finally:
		page.close()


def test_a_manager_quality_assures_a_pep_without_a_failed_save(
	browser, base_url, world, ensure_user, user_password
):
	pep = world["funding_peps"][1]  # submitted by the world's builder, with the child's views
	email = ensure_user("journey.manager@example.test", "Virtual School Manager")
	page = sign_in(browser, base_url, email, user_password)
	failures = watch(page)
	try:
		page.goto(f"{base_url}/app/personal-education-plan/{pep}")
		step_says(page, "Start QA")
		take_action(page, "Start QA", "QA Review")
		# Approve needs the QA rating: the step names it before the manager tries
		step_says(page, "QA Rating")
		shot(page, "pep-qa-review")
		page.evaluate(
			"() => Promise.all([cur_frm.set_value('qa_rating', 'Green'), cur_frm.set_value('qa_voice_rating', 'Green')])"
		)
		step_says(page, "save, then Approve")
		page.keyboard.press("Control+s")
		page.wait_for_function(
			"() => { try { return cur_frm && cur_frm.doc && !cur_frm.doc.__islocal && !cur_frm.is_dirty(); } catch (e) { return false; } }",
			timeout=30_000,
		)
		step_says(page, "Approve from the Actions menu")
		take_action(page, "Approve", "Approved")
		shot(page, "pep-approved")
		assert failures == [], failures
	finally:
		page.close()
