"""Races that happen every run, and a switch that takes one guard out of the app for a test run.

Two connections merely started at the same moment race only by chance: one often finishes before the
other reads, and the test passes with or without its guard. ``run_meeting_at`` holds each connection at
one point of the code under test (the point a guard protects: after the read, before the write) until
every other connection has reached that point too, has finished, or is waiting for a database lock (the
guard doing its job). Without the guard both connections read before either writes, every run.

A connection counts as waiting for a lock when one statement has been running for ``LOCK_WAIT_MS``:
MariaDB shows a site's own database user its connections in ``information_schema.PROCESSLIST`` but not
their lock waits (``INNODB_TRX`` needs the PROCESS privilege). The statements on these paths take a few
milliseconds.

``VS_REMOVE_GUARD=<name>`` (a name in ``GUARDS``) removes that guard from the app's code in the test
process when this module is imported, to show that the guard's test fails without it (docs/testing.md).
"""

import importlib
import inspect
import os
import threading
import time
import types
from contextlib import contextmanager
from typing import NamedTuple
from unittest.mock import patch

import frappe

from virtual_school.tests.utils import run_concurrently

LOCK_WAIT_MS = 300
POLL_SECONDS = 0.02
MEETING_TIMEOUT_SECONDS = 60


class Meeting:
	"""A barrier that does not wait for a connection blocked on a lock (see the module docstring)."""

	def __init__(self, parties: int):
		self.parties = parties
		self.lock = threading.Lock()
		self.connections: dict[int, int] = {}  # thread ident -> MariaDB connection id
		self.arrived: set[int] = set()
		self.finished: set[int] = set()

	def join(self, call):
		"""``call`` as a participant: it registers its connection and, at the end, that it finished."""

		def participant():
			ident = threading.get_ident()
			connection = frappe.db.sql("select connection_id()")[0][0]
			with self.lock:
				self.connections[ident] = connection
			try:
				return call()
			finally:
				with self.lock:
					self.finished.add(ident)

		return participant

	def arrive(self) -> None:
		"""Wait here (first arrival of each participant only) until no other participant can still come."""
		ident = threading.get_ident()
		with self.lock:
			if ident not in self.connections or ident in self.arrived:
				return
			self.arrived.add(ident)
		deadline = time.monotonic() + MEETING_TIMEOUT_SECONDS
		while not self.nobody_else_coming(ident):
			if time.monotonic() > deadline:
				raise TimeoutError("The other connections neither reached the meeting point nor waited")
			time.sleep(POLL_SECONDS)

	def nobody_else_coming(self, ident: int) -> bool:
		with self.lock:
			if len(self.connections) < self.parties:
				return False
			expected = {
				connection
				for other, connection in self.connections.items()
				if other != ident and other not in self.arrived and other not in self.finished
			}
		if not expected:
			return True
		waiting = frappe.db.sql(
			"""select id from information_schema.processlist
			where id in %(ids)s and command = 'Query' and time_ms >= %(ms)s""",
			{"ids": tuple(expected), "ms": LOCK_WAIT_MS},
			pluck=True,
		)
		return expected <= set(waiting)

	@contextmanager
	def at(self, owner, attribute: str):
		"""Participants meet on their first call of ``owner.attribute`` (a function, or a method that may
		not exist yet, like a controller hook), before it runs."""
		original = getattr(owner, attribute, None)

		def meeting_point(*args, **kwargs):
			self.arrive()
			return original(*args, **kwargs) if original else None

		with patch.object(owner, attribute, meeting_point, create=original is None):
			yield


def run_meeting_at(owner, attribute: str, *calls) -> list:
	"""``run_concurrently(*calls)``, the connections meeting at ``owner.attribute`` (see ``Meeting``)."""
	meeting = Meeting(len(calls))
	with meeting.at(owner, attribute):
		return run_concurrently(*(meeting.join(call) for call in calls))


# --- guards, and taking one out --------------------------------------------------------------------------


class Guard(NamedTuple):
	module: str
	text: str  # the guard's source, exactly once in the module
	without: str  # what the module reads like without it
	tests: str  # the tests that must fail without it


GUARDS = {
	"escalation-raise-lock": Guard(
		"virtual_school.escalations.services",
		'doc = frappe.get_doc("Escalation", row.name, for_update=True)',
		'doc = frappe.get_doc("Escalation", row.name)',
		"virtual_school.tests.test_concurrent_jobs (the raise test)",
	),
	"escalation-raise-recheck": Guard(
		"virtual_school.escalations.services",
		"if doc.status != OPEN or not escalation_ladder.should_raise(",
		"if False and not escalation_ladder.should_raise(",
		"virtual_school.tests.test_concurrent_jobs (the raise test)",
	),
	"pp-plus-child-lock": Guard(
		"virtual_school.pp_plus.budget",
		"\tlock_child_budget(child)\n\tyear = ",
		"\tyear = ",
		"virtual_school.virtual_school.doctype.pp_plus_claim.test_pp_plus_claim (TestConcurrentApproval)",
	),
	"pp-plus-locking-read": Guard(
		"virtual_school.pp_plus.budget",
		"""f" where {' and '.join(conditions)} lock in share mode",""",
		"""f" where {' and '.join(conditions)}",""",
		"virtual_school.virtual_school.doctype.pp_plus_claim.test_pp_plus_claim (TestConcurrentApproval)",
	),
	"pp-plus-payment-lock": Guard(
		"virtual_school.virtual_school.doctype.pp_plus_payment.pp_plus_payment",
		"from `tabPP Plus Claim` where name in %(names)s for update",
		"from `tabPP Plus Claim` where name in %(names)s",
		"virtual_school.virtual_school.doctype.pp_plus_claim.test_pp_plus_claim (TestConcurrentPayment)",
	),
	# Not a lock but a design: each upload adds its difference to the totals rows (an upsert by name)
	# instead of rewriting those rows from the records, a locking read of the index ranges the other
	# upload is inserting into.
	"attendance-totals-by-difference": Guard(
		"virtual_school.attendance.services",
		"\t\t_add_to_totals(doctype, added, removed)\n",
		"\t\ttable = _TOTALS_TABLES[doctype]\n"
		"\t\tfor key in sorted({tuple(k) for r in (*added, *removed) if (k := _key_of(table, r))}, key=str):\n"
		"\t\t\twhere = ' and '.join(f'{c} <=> %({c})s' for c in table.key)\n"
		"\t\t\tvalues = dict(zip(table.key, key, strict=True))\n"
		"\t\t\tfrappe.db.sql(f'delete from `tab{doctype}` where {where}', values)\n"
		"\t\t\t_insert_totals(doctype, where, values)\n",
		"virtual_school.tests.test_attendance_week_totals (TestConcurrentWrites)",
	),
}


def remove_guard(name: str) -> None:
	"""Recompile the guard's module with its text replaced, and give every function and method of the
	loaded module the new code (callers that imported a function by name run the new code too)."""
	guard = GUARDS[name]
	module = importlib.import_module(guard.module)
	source = inspect.getsource(module)
	if source.count(guard.text) != 1:
		raise ValueError(f"{name}: the guard's text is not exactly once in {guard.module}")
	namespace = {"__name__": module.__name__, "__file__": module.__file__}
	exec(compile(source.replace(guard.text, guard.without), module.__file__, "exec"), namespace)
	for attribute, old in vars(module).items():
		new = namespace.get(attribute)
		if isinstance(old, types.FunctionType) and isinstance(new, types.FunctionType):
			old.__code__ = new.__code__
		elif isinstance(old, type) and isinstance(new, type) and old.__module__ == module.__name__:
			for method, function in vars(old).items():
				replacement = vars(new).get(method)
				if isinstance(function, types.FunctionType) and isinstance(replacement, types.FunctionType):
					function.__code__ = replacement.__code__
	print(f"VS_REMOVE_GUARD: {name} removed from {guard.module} for this run")


if os.environ.get("VS_REMOVE_GUARD"):
	remove_guard(os.environ["VS_REMOVE_GUARD"])
