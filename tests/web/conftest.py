"""Tier 3: the site served on 127.0.0.1 by scripts/test (VS_BASE_URL). Every module here sets pytestmark = pytest.mark.http."""

import os

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
	session = requests.Session()
	response = session.post(f"{base_url}/api/method/login", data={"usr": user, "pwd": password}, timeout=30)
	response.raise_for_status()
	return session


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
