"""The read-replica check behind ``scripts/replica-demo check`` (a documented benchmark mode, not CI).

On a site whose config sets ``read_from_replica`` / ``replica_host`` / ``replica_db_port``, runs report and
portal reads and one write, and prints, per path, how many SELECTs each server executed (``Com_select``
deltas read with root on each server) and how long the write took to appear on the replica.
"""

import time

import frappe
import pymysql
from frappe.desk import query_report

from virtual_school.devtools import benchmark
from virtual_school.portal.pages import my_pupils


def _status(port: int, root_password: str, name: str) -> int:
	with pymysql.connect(host="127.0.0.1", port=port, user="root", password=root_password) as connection:
		with connection.cursor() as cursor:
			cursor.execute("show global status like %s", name)
			return int(cursor.fetchone()[1])


def _fresh_replica_switch() -> None:
	# frappe.read_only() switches to the replica once per request (frappe.local); this check is one long
	# "request", so forget the previous switch before each call.
	for attribute in ("replica_db", "primary_db"):
		if hasattr(frappe.local, attribute):
			delattr(frappe.local, attribute)


def check(root_password: str, primary_port: int = 3316, replica_port: int = 3317, repeat: int = 20) -> dict:
	def selects() -> dict:
		return {port: _status(port, root_password, "Com_select") for port in (primary_port, replica_port)}

	results = {}

	def delta(label: str, function) -> None:
		before = selects()
		for _ in range(repeat):
			_fresh_replica_switch()
			function()
		after = selects()
		results[label] = {
			"primary": after[primary_port] - before[primary_port],
			"replica": after[replica_port] - before[replica_port],
		}
		print(f"{label:62} primary +{results[label]['primary']:>5}   replica +{results[label]['replica']:>5}")

	conf = frappe.conf
	print(
		f"site {frappe.local.site}: read_from_replica={conf.read_from_replica}, primary "
		f"{conf.db_host}:{conf.db_port}, replica {conf.replica_host}:{conf.replica_db_port}"
	)
	print(
		f"{repeat} x each path: SELECTs executed on each server (Com_select deltas; SHOW STATUS is not a SELECT)"
	)
	delta("nothing (baseline)", lambda: None)
	for report in ("Cohort Overview", "Children Without a School Place", "Exclusions by School"):
		delta(
			f"report {report} (query_report.run, @read_only)",
			lambda report=report: query_report.run(
				report, filters=benchmark.report_filters(report), ignore_prepared_report=True
			),
		)
	portal = benchmark.benchmark_users()["portal"]
	frappe.db.commit()

	def pupils():
		frappe.set_user(portal)
		try:
			my_pupils()
		finally:
			frappe.set_user("Administrator")

	delta(f"portal my_pupils as {portal} (@read_only)", pupils)
	delta(
		"frappe.get_list('Child') (not decorated: primary)",
		lambda: frappe.get_list("Child", limit_page_length=20),
	)

	# A write goes to the primary and replicates.
	_fresh_replica_switch()
	name = frappe.db.get_value("Child", {}, "name")
	marker = f"replica check {time.time():.0f}"
	frappe.db.set_value("Child", name, "legal_status_notes", marker, update_modified=False)
	frappe.db.commit()
	started = time.perf_counter()
	with pymysql.connect(
		host="127.0.0.1", port=replica_port, user="root", password=root_password, database=conf.db_name
	) as replica:
		while True:
			with replica.cursor() as cursor:
				cursor.execute("select legal_status_notes from tabChild where name = %s", name)
				if cursor.fetchone()[0] == marker:
					break
			replica.commit()
			if time.perf_counter() - started > 30:
				raise RuntimeError("the write did not reach the replica within 30 s")
			time.sleep(0.02)
		lag_ms = round((time.perf_counter() - started) * 1000)
		with replica.cursor() as cursor:
			cursor.execute("select count(*) from tabChild")
			replica_children = cursor.fetchone()[0]
	results["write"] = {"child": name, "visible_on_replica_after_ms": lag_ms}
	results["children"] = {"primary": frappe.db.count("Child"), "replica": replica_children}
	print(f"write on the primary (Child {name}) visible on the replica after {lag_ms} ms")
	print(f"children: primary {results['children']['primary']:,}, replica {replica_children:,}")
	return results
