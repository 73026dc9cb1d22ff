"""The whole system runs behind VS_BASE_URL, as scripts/demo and scripts/test serve it (scripts/lib.sh
serve_site): RQ workers take jobs from the short, default and long queues, and Frappe's realtime server
(socket.io, behind the same nginx) delivers an event to a signed-in browser's notification bell.

With gunicorn alone (the demo before issue #21), nothing enqueued ever ran (daily sweeps, background
imports, emails) and the bell never rang; these tests fail then, naming the missing process, rather than
skip. Each job is harmless: a bulk edit of the test's own ToDos (short), Frappe's *Execute* button on the
``monitor.flush`` scheduled job (default), a prepared report of Frappe's table sizes (long).
"""

import json
import time
import uuid

import pytest
import requests
from conftest import login

pytestmark = pytest.mark.http

QUEUES = ("short", "default", "long")
JOB_TIMEOUT = 120  # seconds: a worker imports Frappe per job; on a loaded 2-CPU machine this takes a while
SERVE_HINT = (
	"serve the site with scripts/lib.sh serve_site (scripts/demo; scripts/test tier 3), which starts the "
	"RQ workers and the realtime server with gunicorn"
)


def poll(check, timeout: float, interval: float = 1.0):
	"""check()'s first truthy answer within timeout seconds, else its last (falsy) one."""
	deadline = time.monotonic() + timeout
	while True:
		answer = check()
		if answer or time.monotonic() > deadline:
			return answer
		time.sleep(interval)


@pytest.fixture(scope="module")
def admin(base_url, admin_password) -> requests.Session:
	return login(base_url, "Administrator", admin_password)


@pytest.fixture(scope="module")
def workers(base_url, admin) -> dict[str, list[str]]:
	"""The RQ workers serving each queue (Frappe's RQ Worker list); fails naming a queue nobody serves."""

	def served() -> dict[str, list[str]]:
		response = admin.get(
			f"{base_url}/api/resource/RQ Worker",
			params={"fields": json.dumps(["name", "queue_type", "status"]), "limit_page_length": 0},
			timeout=30,
		)
		assert response.status_code == 200, response.text[:300]
		by_queue: dict[str, list[str]] = {queue: [] for queue in QUEUES}
		for worker in response.json()["data"]:
			for queue in (worker.get("queue_type") or "").split(","):
				by_queue.setdefault(queue, []).append(worker["name"])
		return by_queue

	# A worker registers a few seconds after it starts: wait for them rather than fail a fresh server.
	found = poll(
		lambda: (lambda by_queue: by_queue if all(by_queue[q] for q in QUEUES) else None)(served()), 30
	)
	if not found:
		missing = [queue for queue, names in served().items() if queue in QUEUES and not names]
		pytest.fail(f"No RQ worker serves the {', '.join(missing)} queue(s) behind {base_url}: {SERVE_HINT}")
	return found


@pytest.fixture(scope="module")
def realtime(base_url) -> None:
	"""Frappe's realtime server answers a socket.io handshake at the site's own origin (as the desk connects)."""
	try:
		response = requests.get(
			f"{base_url}/socket.io/", params={"EIO": "4", "transport": "polling"}, timeout=10
		)
	except requests.RequestException as error:
		pytest.fail(f"No realtime server behind {base_url}/socket.io ({error}): {SERVE_HINT}")
	if response.status_code != 200 or not response.text.startswith("0{"):
		pytest.fail(
			f"No realtime server behind {base_url}/socket.io (HTTP {response.status_code}: "
			f"{response.text[:120]!r}): {SERVE_HINT}"
		)


def test_a_job_runs_on_each_queue(base_url, admin, workers):
	marker = f"demo-processes-{uuid.uuid4().hex[:8]}"
	failures = []

	# short: Frappe's bulk edit enqueues on the short queue from 20 documents up.
	response = admin.post(
		f"{base_url}/api/method/frappe.client.insert_many",
		data={"docs": json.dumps([{"doctype": "ToDo", "description": f"{marker} {n}"} for n in range(20)])},
		timeout=60,
	)
	assert response.status_code == 200, response.text[:300]
	todos = response.json()["message"]
	response = admin.post(
		f"{base_url}/api/method/frappe.desk.doctype.bulk_update.bulk_update.submit_cancel_or_update_docs",
		data={
			"doctype": "ToDo",
			"docnames": json.dumps(todos),
			"action": "update",
			"data": json.dumps({"description": f"{marker} done"}),
		},
		timeout=60,
	)
	assert response.status_code == 200, response.text[:300]

	# default: the desk's Execute button on a scheduled job (Frappe's own harmless monitor flush).
	job_type = admin.get(f"{base_url}/api/resource/Scheduled Job Type/monitor.flush", timeout=30)
	assert job_type.status_code == 200, job_type.text[:300]
	last_run = job_type.json()["data"].get("last_execution")
	response = admin.post(
		f"{base_url}/api/method/frappe.core.doctype.scheduled_job_type.scheduled_job_type.execute_event",
		data={"doc": json.dumps({"name": "monitor.flush"})},
		timeout=30,
	)
	assert response.status_code == 200, response.text[:300]

	# long: a prepared report (the desk's "generate in background").
	response = admin.post(
		f"{base_url}/api/resource/Prepared Report",
		json={"report_name": "Database Storage Usage By Tables", "filters": "{}"},
		timeout=30,
	)
	assert response.status_code == 200, response.text[:300]
	report = response.json()["data"]["name"]

	def short_done():
		rows = admin.get(
			f"{base_url}/api/resource/ToDo",
			params={
				"filters": json.dumps([["name", "in", todos], ["description", "=", f"{marker} done"]]),
				"limit_page_length": 0,
			},
			timeout=30,
		).json()["data"]
		return len(rows) == len(todos)

	def default_done():
		data = admin.get(f"{base_url}/api/resource/Scheduled Job Type/monitor.flush", timeout=30).json()[
			"data"
		]
		return data.get("last_execution") not in (None, last_run)

	def long_done():
		data = admin.get(f"{base_url}/api/resource/Prepared Report/{report}", timeout=30).json()["data"]
		return data["status"] if data["status"] in ("Completed", "Error") else None

	try:
		if not poll(short_done, JOB_TIMEOUT):
			failures.append("short: the bulk edit of 20 ToDos never ran")
		if not poll(default_done, JOB_TIMEOUT):
			failures.append("default: the scheduled job monitor.flush never ran")
		status = poll(long_done, JOB_TIMEOUT)
		if status != "Completed":
			failures.append(f"long: the prepared report {report} is {status or 'still queued'}")
		assert not failures, f"Jobs that did not run behind {base_url} (workers: {workers}): {failures}"
	finally:
		for name in todos:
			admin.delete(f"{base_url}/api/resource/ToDo/{name}", timeout=30)


def test_a_realtime_event_reaches_a_signed_in_browser(
	browser, base_url, admin, realtime, ensure_user, user_password
):
	"""A caseworker's desk connects to the realtime server; a notification made for them (as Frappe's
	assignments and alerts make them) reaches the open page at once and lights the bell, no reload."""
	email = ensure_user("realtime.caseworker@example.test", "Virtual School Caseworker")
	session = login(base_url, email, user_password)  # completes two-factor when the role needs it
	# The bell starts "seen", as after the user last opened it, so lighting it is the event's doing.
	response = session.post(
		f"{base_url}/api/method/frappe.desk.doctype.notification_settings.notification_settings.set_seen_value",
		data={"value": 1, "user": email},
		timeout=30,
	)
	assert response.status_code == 200, response.text[:300]
	context = browser.new_context(viewport={"width": 1366, "height": 900})
	try:
		context.add_cookies([{"name": c.name, "value": c.value, "url": base_url} for c in session.cookies])
		page = context.new_page()
		# The bell listens for "notification" before it first lists the user's notifications: wait for that.
		with page.expect_response(
			lambda r: "notification_log.get_notification_logs" in r.url, timeout=30_000
		):
			page.goto(f"{base_url}/app")
		try:
			page.wait_for_function(
				"() => window.frappe?.realtime?.socket?.connected === true", timeout=30_000
			)
		except Exception:  # Playwright's TimeoutError: say what is missing, not where it waited
			pytest.fail(f"The desk's realtime socket never connected to {base_url}/socket.io: {SERVE_HINT}")
		page.evaluate(
			"""() => {
				window.vsReceived = [];
				frappe.realtime.on("notification", () => window.vsReceived.push(Date.now()));
			}"""
		)
		bell = page.locator(".dropdown-notifications")
		assert page.evaluate("() => window.vsReceived.length") == 0
		assert not bell.locator(".notifications-unseen").first.is_visible()

		subject = f"Realtime check {uuid.uuid4().hex[:8]}"
		response = admin.post(
			f"{base_url}/api/resource/Notification Log",
			json={"for_user": email, "subject": subject, "type": "Alert"},
			timeout=30,
		)
		assert response.status_code == 200, response.text[:300]

		try:
			page.wait_for_function("() => window.vsReceived.length > 0", timeout=30_000)
		except Exception:  # Playwright's TimeoutError
			pytest.fail(
				f"The realtime server at {base_url}/socket.io took the desk's connection, but the notification "
				"published for the user never reached the page (is it subscribed to the site's redis_queue?)"
			)
		bell.locator(".notifications-unseen").first.wait_for(state="visible", timeout=15_000)
		bell.get_by_text(subject).first.wait_for(state="attached", timeout=15_000)
	finally:
		context.close()
