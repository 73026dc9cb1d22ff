"""Loopback HTTP load for ``virtual-school-benchmark --http``: the portal page and the REST list, as deployed.

Serves the site with gunicorn on 127.0.0.1 (``scripts/gunicorn_conf.py``, gthread workers; never
``bench serve``) unless ``base_url`` points at a server that is already running. Each concurrency level
opens that many logged-in sessions (threads, each with its own keep-alive connection) and keeps them busy:

- ``GET /school-portal`` as the benchmark School Portal User (the rendered "My Pupils" page);
- ``GET /api/resource/Child`` as a caseworker (Frappe's own list endpoint, the caseload permission query applied).

Two-factor authentication: when the site enforces it for the user's role, each session completes Frappe's
OTP step like an authenticator app would: the benchmark reads the user's TOTP secret in-process
(``frappe.twofactor.get_otpsecret_for_``, the secret Frappe stores for the user) and answers with
``pyotp.TOTP(secret).now()``. No bypass (restricted IP) is configured. This works for the "OTP App" method;
with the SMS or Email method the benchmark reports the login error.

The benchmark users' ``simultaneous_sessions`` is raised so that 50 sessions of one user stay logged in.
"""

import http.client
import os
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import frappe
import pyotp
import requests
from frappe.twofactor import get_otpsecret_for_, set_default, two_factor_is_enabled_for_
from frappe.utils.password import update_password

PASSWORD = "Benchmark-Load-2026!"
PATHS = {
	"portal /school-portal": ("portal", "/school-portal"),
	"REST /api/resource/Child": ("caseworker", "/api/resource/Child"),
}


def prepare_user(user: str) -> str | None:
	"""Known password and room for many sessions; returns the TOTP secret when 2FA applies to the user."""

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


class Connection:
	"""One logged-in session's keep-alive connection, through the standard library's ``http.client``.

	The load client shares the server's 2 cores: ``requests`` spends ~1.3 ms of CPU on each request, a plain
	``http.client`` connection a fraction of that, which leaves the server the CPU it would have with the
	client on another machine (both paths alike). The session's cookies come from a ``requests`` login.
	"""

	def __init__(self, base_url: str, cookies: str):
		parts = urlsplit(base_url)
		self.secure = parts.scheme == "https"  # --base-url may name a server behind TLS
		self.host, self.port = parts.hostname, parts.port or (443 if self.secure else 80)
		self.headers = {"Cookie": cookies, "Accept": "*/*"}
		self.connection = None

	def get(self, path: str) -> int:
		"""GET ``path``, the body read in full; returns the status."""
		if self.connection is None:
			kind = http.client.HTTPSConnection if self.secure else http.client.HTTPConnection
			self.connection = kind(self.host, self.port, timeout=30)
		try:
			self.connection.request("GET", path, headers=self.headers)
			response = self.connection.getresponse()
			response.read()
		except Exception:
			self.close()
			raise
		if response.will_close:
			self.close()
		return response.status

	def close(self) -> None:
		if self.connection is not None:
			self.connection.close()
			self.connection = None


class Sessions:
	"""``count`` logged-in sessions of one user (each its own login and connection), kept for a load level."""

	def __init__(self, base_url: str, user: str, secret: str | None, count: int):
		self.login_errors, self.clients = [], []
		for _number in range(count):
			with requests.Session() as session:
				try:
					login(session, base_url, user, secret)
				except Exception as error:
					self.login_errors.append(f"login: {error}")
				cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)
			self.clients.append(Connection(base_url, cookies))

	def drop_connections(self) -> None:
		"""Close the connections (the sessions stay signed in): a round starts on new connections rather than
		on keep-alive connections the server may close while they sat idle."""
		for client in self.clients:
			client.close()

	def run(self, path: str, seconds: float) -> tuple[list[float], list[str], float]:
		"""Each session requests ``path`` back to back for ``seconds``: (latencies in ms, errors, elapsed s)."""
		self.drop_connections()
		latencies, errors, lock = [], [], threading.Lock()
		start_barrier = threading.Barrier(len(self.clients) + 1)
		deadline = [0.0]

		def worker(client: Connection):
			mine, my_errors = [], []
			start_barrier.wait()
			while time.perf_counter() < deadline[0]:
				started = time.perf_counter()
				try:
					status = client.get(path)
					if status != 200:
						my_errors.append(f"HTTP {status}")
					else:
						mine.append((time.perf_counter() - started) * 1000)
				except Exception as error:
					my_errors.append(f"{type(error).__name__}: {str(error)[:120]}")
			with lock:
				latencies.extend(mine)
				errors.extend(my_errors)

		threads = [threading.Thread(target=worker, args=(client,)) for client in self.clients]
		for thread in threads:
			thread.start()
		deadline[0] = time.perf_counter() + seconds
		began = time.perf_counter()
		start_barrier.wait()
		for thread in threads:
			thread.join()
		return latencies, errors, time.perf_counter() - began


def summary(sessions: int, latencies: list[float], errors: list[str], elapsed: float) -> dict:
	ordered = sorted(latencies)

	def pct(share):
		return (
			round(ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))], 1) if ordered else None
		)

	return {
		"sessions": sessions,
		"seconds": round(elapsed, 1),
		"requests": len(ordered),
		"throughput_rps": round(len(ordered) / elapsed, 1) if elapsed else 0.0,
		"p50_ms": pct(0.50),
		"p95_ms": pct(0.95),
		"p99_ms": pct(0.99),
		"errors": len(errors),
		"error_kinds": sorted(set(errors))[:5],
	}


def load_level(
	base_url: str, paths: dict, sessions: int, seconds: float, rounds: int = 3, warm_up: float = 2.0
) -> list[dict]:
	"""One concurrency level for several paths, measured fairly against each other.

	``paths``: {label: (path, user, TOTP secret or None)}. Every path gets ``sessions`` logged-in sessions;
	each is first warmed up for ``warm_up`` seconds (not counted: every gunicorn worker has then served
	it, so no worker's first render or cold cache lands in the figures); then the paths take turns for
	``rounds`` rounds of ``seconds / rounds`` each, so a slow spell of a shared machine falls on all of
	them alike. Throughput is each path's requests over its own measured time.
	"""
	clients = {
		label: Sessions(base_url, user, secret, sessions) for label, (_path, user, secret) in paths.items()
	}
	totals = {label: ([], list(clients[label].login_errors), 0.0) for label in paths}
	for label, (path, _user, _secret) in paths.items():
		if warm_up:
			clients[label].run(path, warm_up)
	for _round in range(rounds):
		for label, (path, _user, _secret) in paths.items():
			latencies, errors, elapsed = clients[label].run(path, seconds / rounds)
			previous = totals[label]
			totals[label] = (previous[0] + latencies, previous[1] + errors, previous[2] + elapsed)
	for client in clients.values():
		client.drop_connections()
	return [{"path": label, "user": paths[label][1], **summary(sessions, *totals[label])} for label in paths]


class Gunicorn:
	"""gunicorn on 127.0.0.1:port for this site, with the deployed config (scripts/gunicorn_conf.py)."""

	def __init__(self, port: int, workers: int, threads: int):
		self.port, self.workers, self.threads = port, workers, threads
		self.process = None

	def __enter__(self):
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
	rounds: int = 3,
	warm_up: float = 2.0,
	log=lambda message: None,
) -> dict:
	secrets = {role: prepare_user(users[role]) for role in ("portal", "caseworker") if users.get(role)}

	paths = {
		label: (path, users[role], secrets.get(role))
		for label, (role, path) in PATHS.items()
		if users.get(role)
	}

	def measure(url: str) -> list[dict]:
		rows = []
		for sessions in concurrency:
			log(
				f"HTTP {', '.join(paths)} x {sessions} sessions: {rounds} rounds of {seconds / rounds:.1f} s each"
			)
			rows.extend(load_level(url, paths, sessions, seconds, rounds=rounds, warm_up=warm_up))
		return rows

	result = {
		"server": base_url or f"gunicorn 127.0.0.1:{port}, {workers} workers x {threads} threads (gthread)",
		"seconds_per_level": seconds,
		"rounds": rounds,
		"warm_up_seconds": warm_up,
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
		f"HTTP load: {http['server']}; per level and path {http['seconds_per_level']} s in "
		f"{http.get('rounds', 1)} rounds taken in turns, after {http.get('warm_up_seconds', 0)} s of warm-up; "
		f"2FA completed with TOTP for: "
		f"{', '.join(role for role, on in http['two_factor'].items() if on) or 'nobody (not enabled)'}",
		f"{'path':30} {'sessions':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}",
	]
	for row in http["rows"]:
		lines.append(
			f"{row['path']:30} {row['sessions']:>8} {row['throughput_rps']:>8.1f} {row['p50_ms'] or 0:>8.1f} "
			f"{row['p95_ms'] or 0:>8.1f} {row['p99_ms'] or 0:>8.1f} {row['errors']:>7}"
		)
	for sessions, ratio in portal_to_rest(http["rows"]).items():
		lines.append(f"portal ÷ REST throughput at {sessions} sessions: {ratio:.2f}")
	return "\n".join(lines)


def portal_to_rest(rows: list[dict]) -> dict[int, float]:
	"""The portal page's throughput as a share of the REST list's, per concurrency level."""
	by_level = {}
	for row in rows:
		by_level.setdefault(row["sessions"], {})[row["path"]] = row["throughput_rps"]
	portal, rest = list(PATHS)
	return {
		sessions: paths[portal] / paths[rest]
		for sessions, paths in by_level.items()
		if paths.get(portal) and paths.get(rest)
	}
