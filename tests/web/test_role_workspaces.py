"""Issue #21: each role signs in to its own workspace in a real browser (Playwright driving Debian's chromium),
its number cards show figures, Frappe's own workspaces are not in its sidebar, and nothing fails on the way:
no HTTP error from the server (a caseworker used to get two 403s from ``frappe.desk.desk_page.getpage``
while Frappe routed them to the System Manager-only setup wizard) and no console error. Screenshots go to
test-results/."""

from pathlib import Path

import pytest

pytestmark = [pytest.mark.http, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"
# role: (its workspace's route, a card that must show a figure); setup/workspaces.py ROLE_WORKSPACES
ROLE_WORKSPACES = {
	"Virtual School Caseworker": ("my-caseload", "My PEPs Due Soon"),
	"Virtual School Manager": ("approvals", "PEPs Awaiting QA"),
	"Virtual School Head": ("virtual-school-head", "PEPs Held on Time"),
	"Virtual School Finance": ("finance", "Claims Awaiting Payment"),
	"Social Worker": ("my-children", "PEPs Needing My Part"),
}
FRAPPE_WORKSPACES = ("Users", "Website", "Tools", "Integrations", "Build")


def realtime_noise(text: str) -> bool:
	"""The socket.io client's reconnect errors when the site runs without Frappe's realtime server."""
	return "socket.io" in text


def watch(page) -> list[str]:
	"""Every HTTP error (with what was posted) and console error the page meets; a failed save is one."""
	failures: list[str] = []
	page.on(
		"response",
		lambda response: (
			response.status >= 400
			and not realtime_noise(response.url)
			and failures.append(f"{response.status} {response.url} {response.request.post_data or ''}")
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


@pytest.mark.parametrize("role", list(ROLE_WORKSPACES))
def test_each_role_lands_on_its_workspace_without_errors(browser, base_url, ensure_user, user_password, role):
	route, card = ROLE_WORKSPACES[role]
	email = ensure_user(f"browser.ws.{route}@example.test", role)
	page = browser.new_page(viewport={"width": 1366, "height": 900})
	failures = watch(page)
	try:
		page.goto(f"{base_url}/login")
		page.fill("#login_email", email)
		page.fill("#login_password", user_password)
		page.click(".btn-login")
		page.wait_for_url(f"**/app/{route}", timeout=30_000)
		widget = page.locator(".number-widget-box", has_text=card).first
		widget.locator(".number").wait_for(timeout=30_000)
		page.wait_for_timeout(1500)
		ARTIFACTS.mkdir(exist_ok=True)
		page.screenshot(path=str(ARTIFACTS / f"workspace-{route}.png"), full_page=True)
		sidebar = page.locator(".desk-sidebar").inner_text()
		for name in FRAPPE_WORKSPACES:
			assert name not in sidebar.split("\n"), f"{role} sees Frappe's {name} workspace"
		assert failures == [], failures
	finally:
		page.close()
