"""Tier 3: the site served on 127.0.0.1 by scripts/test (VS_BASE_URL). Every module here sets pytestmark = pytest.mark.http."""

import os
from pathlib import Path

import pytest
import requests


@pytest.fixture(scope="session")
def base_url() -> str:
	url = os.environ.get("VS_BASE_URL")
	if not url:
		pytest.fail("VS_BASE_URL is not set: run tier 3 through scripts/test")
	return url.rstrip("/")


@pytest.fixture(scope="session")
def admin_password() -> str:
	return os.environ.get("VS_ADMIN_PASSWORD", "admin")


def login(base_url: str, user: str, password: str) -> requests.Session:
	"""Sign in like a browser, completing Frappe's two-factor (OTP App) step when the user's role needs it."""
	session = requests.Session()
	secret = otp_secret(base_url, user) if user != "Administrator" else None
	response = session.post(f"{base_url}/api/method/login", data={"usr": user, "pwd": password}, timeout=30)
	response.raise_for_status()
	tmp_id = response.json().get("tmp_id")
	if tmp_id:  # two-factor: the code an authenticator app would show for this user now
		response = session.post(
			f"{base_url}/api/method/login",
			data={"usr": user, "pwd": password, "otp": otp_code(secret), "tmp_id": tmp_id},
			timeout=30,
		)
		response.raise_for_status()
	return session


_admin_sessions: dict[str, requests.Session] = {}


def otp_secret(base_url: str, user: str) -> str:
	"""The user's OTP secret, read on the site as Administrator (test sites only; see portal_test_support).

	It also marks the user's authenticator app as set up, so Frappe asks for its code rather than emailing
	a QR code (test sites send no email).
	"""
	for _attempt in range(2):
		admin = _admin_sessions.get(base_url)
		if admin is None:
			admin = _admin_sessions[base_url] = login(
				base_url, "Administrator", os.environ.get("VS_ADMIN_PASSWORD", "admin")
			)
		response = admin.post(
			f"{base_url}/api/method/virtual_school.devtools.test_support.otp_secret",
			data={"user": user},
			timeout=30,
		)
		if response.status_code in (401, 403):  # the cached admin session ended: sign in again
			_admin_sessions.pop(base_url, None)
			continue
		response.raise_for_status()
		return response.json()["message"]
	response.raise_for_status()
	return ""


def otp_code(secret: str) -> str:
	"""The current TOTP code for an OTP secret, as an authenticator app shows it (pyotp, as Frappe uses)."""
	import time

	import pyotp

	totp = pyotp.TOTP(secret)
	if time.time() % totp.interval > totp.interval - 5:  # too close to the next code: wait for it
		time.sleep(totp.interval - time.time() % totp.interval + 0.5)
	return totp.now()


def refused(response: requests.Response, status: int, exc_type: str | None = None) -> None:
	"""The request was refused the way Frappe refuses it (this status; this exception, when Frappe names
	one in its JSON answer), so a server error or a crash never passes for a refusal."""
	where = f"{response.request.method} {response.url}"
	assert response.status_code == status, (
		f"{where}: {response.status_code}, not {status}: {response.text[:300]}"
	)
	if exc_type:
		try:
			named = response.json().get("exc_type")
		except ValueError:
			named = None
		assert named == exc_type, f"{where}: refused with {named}, not {exc_type}: {response.text[:300]}"


@pytest.fixture(scope="session")
def login_as(base_url):
	"""Log in as a user and return the session: ``login_as(email, password)``."""
	return lambda user, password: login(base_url, user, password)


@pytest.fixture()
def admin_session(base_url, admin_password) -> requests.Session:
	return login(base_url, "Administrator", admin_password)


USER_PASSWORD = "Rest-Test-Password-2026!"


@pytest.fixture(scope="session")
def user_password() -> str:
	"""The password ensure_user gives every user it makes."""
	return USER_PASSWORD


@pytest.fixture(scope="session")
def ensure_user(base_url, admin_password):
	"""Create (or reset) a user with one role and USER_PASSWORD through the REST API, as Administrator."""
	admin = login(base_url, "Administrator", admin_password)

	def ensure(email: str, role: str, user_type: str = "System User") -> str:
		if admin.get(f"{base_url}/api/resource/User/{email}", timeout=30).status_code != 200:
			response = admin.post(
				f"{base_url}/api/resource/User",
				json={
					"email": email,
					"first_name": email.split("@")[0],
					"user_type": user_type,
					"send_welcome_email": 0,
					"roles": [{"role": role}],
				},
				timeout=30,
			)
			assert response.status_code == 200, response.text
		response = admin.put(
			f"{base_url}/api/resource/User/{email}", json={"new_password": USER_PASSWORD}, timeout=30
		)
		assert response.status_code == 200, response.text
		return email

	return ensure


CHROMIUM = os.environ.get("VS_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
	"""Debian's chromium driven by Playwright (its own browser download cannot work here)."""
	import playwright.sync_api as playwright  # in the tools venv: an ImportError is a broken setup, not a skip

	if not Path(CHROMIUM).exists():
		pytest.fail(f"{CHROMIUM} is missing: scripts/test installs Debian's chromium for tier 3")
	with playwright.sync_playwright() as driver:
		browser = driver.chromium.launch(
			executable_path=CHROMIUM,
			args=[
				"--no-sandbox",
				"--disable-gpu",
				"--disable-background-networking",
				"--disable-component-update",
			],
		)
		yield browser
		browser.close()
