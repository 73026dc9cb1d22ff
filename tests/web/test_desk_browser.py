"""The desk in a real browser (Playwright driving Debian's chromium): a Virtual School Head signs in and
lands on the Virtual School workspace; a caseworker opens their caseload. Screenshots go to test-results/."""

from pathlib import Path

import pytest

pytestmark = [pytest.mark.http, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"


def sign_in(browser, base_url, email, password, viewport=None):
	page = browser.new_page(viewport=viewport or {"width": 1366, "height": 900})
	page.goto(f"{base_url}/login")
	page.fill("#login_email", email)
	page.fill("#login_password", password)
	page.click(".btn-login")
	page.wait_for_url("**/app/**", timeout=30_000)
	return page


def test_head_lands_on_the_virtual_school_workspace(browser, base_url, ensure_user, user_password):
	email = ensure_user("browser.head@example.test", "Virtual School Head")
	page = sign_in(browser, base_url, email, user_password)
	page.wait_for_selector(".number-widget-box .number", timeout=30_000)
	page.wait_for_timeout(1000)
	ARTIFACTS.mkdir(exist_ok=True)
	page.screenshot(path=str(ARTIFACTS / "desk-head-workspace.png"), full_page=True)
	assert "/app/virtual-school" in page.url
	assert page.locator("text=Children Without a School Place").first.is_visible()


def test_caseworker_opens_the_child_list(browser, base_url, ensure_user, user_password):
	email = ensure_user("browser.caseworker@example.test", "Virtual School Caseworker")
	page = sign_in(browser, base_url, email, user_password)
	page.goto(f"{base_url}/app/child")
	page.wait_for_selector(".page-title", timeout=30_000)
	page.wait_for_timeout(1000)
	ARTIFACTS.mkdir(exist_ok=True)
	page.screenshot(path=str(ARTIFACTS / "desk-caseworker-children.png"), full_page=True)
	assert "Child" in page.locator(".page-title").first.inner_text()
