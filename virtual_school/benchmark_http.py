"""Loopback HTTP load for ``virtual-school-benchmark --http``: the portal page and the REST list, as deployed.

Serves the site with gunicorn on 127.0.0.1 (``scripts/gunicorn_conf.py``, gthread workers; never
``bench serve``) unless ``base_url`` points at a server that is already running. Each concurrency level
opens that many logged-in sessions (``requests`` in threads) and keeps them busy for a bounded time:

- ``GET /school-portal`` as the benchmark School Portal User (the rendered "My Pupils" page);
- ``GET /api/resource/Child`` as a caseworker (Frappe's own list endpoint, the caseload permission query applied).

Two-factor authentication: when the site enforces it for the user's role, each session completes Frappe's
OTP step like an authenticator app would: the benchmark reads the user's TOTP secret in-process
(``frappe.twofactor.get_otpsecret_for_``, the secret Frappe stores for the user) and answers with
``pyotp.TOTP(secret).now()``. No bypass (restricted IP) is configured. This works for the "OTP App" method;
with the SMS or Email method the benchmark reports the login error.

The benchmark users' ``simultaneous_sessions`` is raised so that 50 sessions of one user stay logged in.
"""

import os
import subprocess
import threading
import time
from pathlib import Path

import frappe
from frappe.utils.password import update_password

PASSWORD = "Benchmark-Load-2026!"
PATHS = {
	"portal /school-portal": ("portal", "/school-portal"),
	"REST /api/resource/Child": ("caseworker", "/api/resource/Child"),
}


def prepare_user(user: str) -> str | None:
	"""Known password and room for many sessions; returns the TOTP secret when 2FA applies to the user."""
	from frappe.twofactor import get_otpsecret_for_, set_default, two_factor_is_enabled_for_

	update_password(user, PASSWORD)
	frappe.db.set_value("User", user, {"enabled": 1, "simultaneous_sessions": 200}, update_modified=False)
	for key in ("login_failed_count", "login_failed_time"):  # a lockout left by an earlier failed run
		frappe.cache.hdel(key, user)
	secret = None
	if int(
		frappe.db.get_single_value("System Settings", "enable_two_factor_auth") or 0
	) and two_factor_is_enabled_for_(user):
		secret = get_otpsecret_for_(user)
		set_default(user + "_otplogin", 1)  # as after the first OTP login: no QR code e-mail
	frappe.db.commit()
	return secret


def login(session, base_url: str, user: str, secret: str | None) -> None:
	import pyotp

	response = session.post(f"{base_url}/api/method/login", data={"usr": user, "pwd": PASSWORD}, timeout=30)
	response.raise_for_status()
	body = response.json()
	if body.get("tmp_id"):
		if not secret:
			raise RuntimeError(f"{user}: the site asks for a second factor and no TOTP secret is known")
		response = session.post(
			f"{base_url}/api/method/login",
			data={"usr": user, "pwd": PASSWORD, "otp": pyotp.TOTP(secret).now(), "tmp_id": body["tmp_id"]},
			timeout=30,
		)
		response.raise_for_status()


def load(base_url: str, path: str, user: str, secret: str | None, sessions: int, seconds: float) -> dict:
	"""``sessions`` threads, each logged in, each requesting ``path`` back to back for ``seconds``."""
	import requests

	latencies, errors, lock = [], [], threading.Lock()
	clients = []
	for _number in range(sessions):
		session = requests.Session()
		try:
			login(session, base_url, user, secret)
		except Exception as error:
			errors.append(f"login: {error}")
		clients.append(session)
	start_barrier = threading.Barrier(sessions + 1)
	deadline = [0.0]

	def worker(session):
		mine, my_errors = [], []
		start_barrier.wait()
		while time.perf_counter() < deadline[0]:
			started = time.perf_counter()
			try:
				response = session.get(f"{base_url}{path}", timeout=30, allow_redirects=False)
				if response.status_code != 200:
					my_errors.append(f"HTTP {response.status_code}")
				else:
					mine.append((time.perf_counter() - started) * 1000)
			except Exception as error:
				my_errors.append(type(error).__name__)
		with lock:
			latencies.extend(mine)
			errors.extend(my_errors)

	threads = [threading.Thread(target=worker, args=(client,)) for client in clients]
	for thread in threads:
		thread.start()
	deadline[0] = time.perf_counter() + seconds
	began = time.perf_counter()
	start_barrier.wait()
	for thread in threads:
		thread.join()
	elapsed = time.perf_counter() - began
	for client in clients:
		client.close()
	ordered = sorted(latencies)

	def pct(share):
		return (
			round(ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))], 1) if ordered else None
		)

	return {
		"sessions": sessions,
		"seconds": round(elapsed, 1),
		"requests": len(ordered),
		"throughput_rps": round(len(ordered) / elapsed, 1),
		"p50_ms": pct(0.50),
		"p95_ms": pct(0.95),
		"p99_ms": pct(0.99),
		"errors": len(errors),
		"error_kinds": sorted(set(errors))[:5],
	}


class Gunicorn:
	"""gunicorn on 127.0.0.1:port for this site, with the deployed config (scripts/gunicorn_conf.py)."""

	def __init__(self, port: int, workers: int, threads: int):
		self.port, self.workers, self.threads = port, workers, threads
		self.process = None

	def __enter__(self):
		import requests

		bench = Path(frappe.utils.get_bench_path())
		config = Path(frappe.get_app_path("virtual_school")).parent / "scripts" / "gunicorn_conf.py"
		env = {
			**os.environ,
			"VS_SITE": frappe.local.site,
			"VS_WEB_WORKERS": str(self.workers),
			"VS_WEB_THREADS": str(self.threads),
		}
		self.log = open(Path(frappe.get_site_path("logs")) / f"benchmark-gunicorn-{self.port}.log", "a")
		self.process = subprocess.Popen(
			[
				str(bench / "env" / "bin" / "gunicorn"),
				"--config",
				str(config),
				"--bind",
				f"127.0.0.1:{self.port}",
				"frappe.app:application_with_statics()",
			],
			cwd=bench / "sites",
			env=env,
			stdout=self.log,
			stderr=subprocess.STDOUT,
		)
		url = f"http://127.0.0.1:{self.port}"
		for _attempt in range(120):
			try:
				if requests.get(f"{url}/api/method/ping", timeout=2).ok:
					return url
			except requests.RequestException:
				pass
			if self.process.poll() is not None:
				raise RuntimeError(f"gunicorn exited, see {self.log.name}")
			time.sleep(0.5)
		raise RuntimeError(f"gunicorn did not answer on {url}")

	def __exit__(self, *exc):
		if self.process and self.process.poll() is None:
			self.process.terminate()
			try:
				self.process.wait(timeout=20)
			except subprocess.TimeoutExpired:
				self.process.kill()
		self.log.close()


def run_http_load(
	users: dict,
	base_url: str | None = None,
	port: int = 8031,
	workers: int = 4,
	threads: int = 4,
	concurrency: tuple[int, ...] = (1, 20, 50),
	seconds: float = 15,
	log=lambda message: None,
) -> dict:
	secrets = {role: prepare_user(users[role]) for role in ("portal", "caseworker") if users.get(role)}

	def measure(url: str) -> list[dict]:
		rows = []
		for sessions in concurrency:
			for label, (role, path) in PATHS.items():
				if not users.get(role):
					continue
				log(f"HTTP {label} x {sessions} sessions for {seconds} s")
				rows.append(
					{
						"path": label,
						"user": users[role],
						**load(url, path, users[role], secrets.get(role), sessions, seconds),
					}
				)
		return rows

	result = {
		"server": base_url or f"gunicorn 127.0.0.1:{port}, {workers} workers x {threads} threads (gthread)",
		"seconds_per_level": seconds,
		"two_factor": {role: bool(secret) for role, secret in secrets.items()},
	}
	if base_url:
		result["rows"] = measure(base_url.rstrip("/"))
	else:
		with Gunicorn(port, workers, threads) as url:
			result["rows"] = measure(url)
	return result


def format_http(http: dict) -> str:
	lines = [
		f"HTTP load: {http['server']}, {http['seconds_per_level']} s per level; 2FA completed with TOTP for: "
		f"{', '.join(role for role, on in http['two_factor'].items() if on) or 'nobody (not enabled)'}",
		f"{'path':30} {'sessions':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}",
	]
	for row in http["rows"]:
		lines.append(
			f"{row['path']:30} {row['sessions']:>8} {row['throughput_rps']:>8.1f} {row['p50_ms'] or 0:>8.1f} "
			f"{row['p95_ms'] or 0:>8.1f} {row['p99_ms'] or 0:>8.1f} {row['errors']:>7}"
		)
	return "\n".join(lines)
