"""No server traceback in an answer outside developer mode (issue #17 side door 8, issue #21): each guard of
``virtual_school/security/errors.py`` on its own. The same over HTTP, as a guest, a school user and a
caseworker: ``tests/web/test_side_doors_errors.py``."""

import json
from unittest import mock

import frappe
import frappe.client
from frappe.utils import set_request
from frappe.utils.response import build_response, report_error

from virtual_school.security import errors
from virtual_school.setup import install
from virtual_school.tests.utils import VirtualSchoolTestCase, caseworker

SETTING = "allow_error_traceback"
TRACE_MARKERS = ("(most recent call last)", 'File "')


def fresh_settings() -> None:
	"""Forget System Settings cached in this process (request-local, the document and value caches)."""
	if hasattr(frappe.local, "system_settings"):
		del frappe.local.system_settings
	frappe.clear_document_cache("System Settings", "System Settings")
	frappe.db.value_cache.pop("System Settings", None)


def developer_mode(on: bool):
	return mock.patch.dict(frappe.local.conf, {"developer_mode": int(on)})


class TestNoTracebacks(VirtualSchoolTestCase):
	def setUp(self):
		super().setUp()
		self.had_request = hasattr(frappe.local, "request")
		self.request = getattr(frappe.local, "request", None)
		self.response = frappe.local.response
		errors.install()

	def tearDown(self):
		frappe.local.response = self.response
		frappe.local.message_log, frappe.local.error_log, frappe.local.debug_log = [], [], []
		frappe.local.form_dict = frappe._dict()
		if self.had_request:
			frappe.local.request = self.request
		elif hasattr(frappe.local, "request"):
			del frappe.local.request
		super().tearDown()
		fresh_settings()

	def reopen_the_switch(self) -> None:
		"""Frappe's switch on again behind the app's back (a database write, not a System Settings save)."""
		frappe.db.set_single_value("System Settings", SETTING, 1)  # hygiene: the write under test
		fresh_settings()
		self.assertTrue(frappe.get_system_settings(SETTING))

	def answer(
		self, exception: Exception, status: int, path: str = "/api/method/virtual_school.anything"
	) -> str:
		"""Frappe's JSON answer to a request (``path``) that raised ``exception``, as ``handle_exception`` builds it."""
		set_request(method="POST", path=path)
		frappe.local.form_dict = frappe._dict(
			cmd="virtual_school.anything"
		)  # as an API call (Frappe prints less)
		frappe.local.response = frappe._dict(docs=[])
		frappe.local.message_log, frappe.local.error_log = [], []
		try:
			if isinstance(exception, frappe.ValidationError):
				frappe.throw(str(exception), type(exception))
			raise exception
		except Exception:
			return report_error(status).get_data(as_text=True)

	def assert_no_traceback(self, text: str, where: str) -> None:
		for marker in TRACE_MARKERS:
			self.assertNotIn(marker, text, f"{where} carries a traceback: {text[:600]}")

	def test_install_and_migrate_turn_frappes_switch_off(self):
		self.reopen_the_switch()
		install.after_migrate()
		fresh_settings()
		self.assertEqual(frappe.db.get_single_value("System Settings", SETTING), 0)

	def test_developer_mode_keeps_frappes_switch(self):
		self.reopen_the_switch()
		with developer_mode(True):
			errors.turn_off_error_tracebacks()
		self.assertEqual(frappe.db.get_single_value("System Settings", SETTING, cache=False), 1)

	def test_saving_system_settings_cannot_turn_tracebacks_on(self):
		settings = frappe.get_single("System Settings")
		settings.set(SETTING, 1)
		settings.save()
		fresh_settings()
		self.assertEqual(frappe.db.get_single_value("System Settings", SETTING), 0)
		with developer_mode(True):
			settings = frappe.get_single("System Settings")
			settings.set(SETTING, 1)
			settings.save()
		fresh_settings()
		self.assertEqual(frappe.db.get_single_value("System Settings", SETTING), 1)

	def test_error_answers_carry_the_message_never_the_traceback(self):
		"""Even with Frappe's switch back on: the central guard on every JSON answer (v1 and v2 API)."""
		self.reopen_the_switch()
		cases = (
			(frappe.ValidationError("The meeting date is required."), 417, "/api/method/x"),
			(KeyError("unexpected"), 500, "/api/method/x"),
			(frappe.ValidationError("The meeting date is required."), 417, "/api/v2/method/x"),
			(KeyError("unexpected"), 500, "/api/v2/method/x"),
		)
		for exception, status, path in cases:
			with self.subTest(exception=repr(exception), path=path):
				body = self.answer(exception, status, path)
				self.assert_no_traceback(body, f"{path} {exception!r}")
				answer = json.loads(body)
				self.assertFalse({"exc", "exception", "_exc_source"} & set(answer), answer)
				if "/v2/" in path:
					self.assertEqual(answer["errors"][0]["type"], type(exception).__name__)
					self.assertNotIn("exception", answer["errors"][0])
				else:
					self.assertEqual(answer["exc_type"], type(exception).__name__)
				if isinstance(exception, frappe.ValidationError):
					self.assertIn("The meeting date is required.", body)

	def test_the_sql_of_a_failed_query_is_not_sent(self):
		"""Frappe puts the SQL of a query that failed (with the permission conditions in it) in its debug log."""
		set_request(method="GET", path="/api/resource/Child")
		frappe.local.response = frappe._dict(docs=[])
		frappe.local.message_log, frappe.local.error_log, frappe.local.debug_log = [], [], []
		try:
			frappe.db.sql("select name from tabChild where caseworker = 'vs-secret-condition' limit -1")
		except Exception:
			body = report_error(500).get_data(as_text=True)
		self.assertNotIn("vs-secret-condition", body)
		self.assertFalse({"_debug_messages", "debug"} & set(json.loads(body)), body)

	def test_developer_mode_keeps_the_traceback(self):
		self.reopen_the_switch()
		with developer_mode(True):
			body = self.answer(KeyError("unexpected"), 500)
		self.assertIn("Traceback (most recent call last)", json.loads(body)["exc"])

	def test_tracebacks_frappe_returns_as_data_are_withheld(self):
		"""``frappe.client.bulk_update`` answers each failed document with its traceback, whatever the switch: withheld
		from everyone but a System Manager (who reads Frappe's logs, stored with their tracebacks, as data)."""
		frappe.set_user(caseworker(1))
		result = frappe.client.bulk_update(json.dumps([{"doctype": "Child", "docname": "CH-NOPE"}]))
		self.assertIn("Traceback (most recent call last)", result["failed_docs"][0]["exc"])  # Frappe's answer
		for user, withheld in ((caseworker(1), True), ("Administrator", False)):
			frappe.set_user(user)
			set_request(method="POST", path="/api/method/frappe.client.bulk_update")
			frappe.local.response = frappe._dict(
				docs=[], message=result, exc="Traceback (most recent call last):"
			)
			body = build_response("json").get_data(as_text=True)
			answer = json.loads(body)
			self.assertNotIn("exc", answer)  # an error's traceback: never, for anyone
			if withheld:
				self.assert_no_traceback(body, "bulk_update")
			else:
				self.assertIn("Traceback (most recent call last)", answer["message"]["failed_docs"][0]["exc"])
			self.assertEqual(answer["message"]["failed_docs"][0]["doc"]["docname"], "CH-NOPE")

	def test_unexpected_errors_are_still_logged_with_their_traceback(self):
		"""Frappe's own handler answers without the traceback and still writes it to the Error Log."""
		from frappe.app import handle_exception
		from frappe.deferred_insert import save_to_db

		self.reopen_the_switch()
		marker = f"vs-unexpected-{frappe.generate_hash(length=8)}"
		set_request(method="POST", path="/api/method/virtual_school.anything")
		frappe.local.form_dict = frappe._dict(cmd="virtual_school.anything")
		frappe.local.response = frappe._dict(docs=[])
		try:
			raise KeyError(marker)
		except KeyError as error:
			response = handle_exception(error)
		self.assertEqual(response.status_code, 500)
		self.assert_no_traceback(response.get_data(as_text=True), "handle_exception's answer")
		save_to_db()  # Frappe defers the Error Log insert to its scheduler; here, now
		logged = frappe.get_all("Error Log", filters={"method": ["like", f"%{marker}%"]}, pluck="error")
		self.assertEqual(len(logged), 1, "the unexpected error is in the Error Log")
		self.assertTrue(errors.has_traceback(logged[0]), logged[0][:300])
		self.assertIn(marker, logged[0])

	def test_redaction_keeps_the_text_around_a_traceback(self):
		try:
			raise ValueError("broken")
		except ValueError:
			trace = frappe.get_traceback()
		text = errors.redact(f"<pre>template</pre><pre>{trace}</pre> after")
		self.assert_no_traceback(text, "redacted text")
		self.assertTrue(text.startswith("<pre>template</pre><pre>"))
		self.assertTrue(text.endswith("</pre> after"))


class TestMalformedListArguments(VirtualSchoolTestCase):
	def test_a_negative_offset_is_a_validation_error_not_a_database_error(self):
		"""Without the guard MariaDB gets ``OFFSET -1`` and answers a syntax error (HTTP 500)."""
		frappe.set_user(caseworker())
		for arguments in ({"limit_start": -1}, {"limit_page_length": -5}, {"start": "-2"}):
			with self.subTest(**arguments), self.assertRaises(frappe.ValidationError):
				frappe.get_list("Child", fields=["name"], **arguments)
		self.assertIsInstance(
			frappe.get_list("Child", fields=["name"], limit_start=0, limit_page_length=1), list
		)
