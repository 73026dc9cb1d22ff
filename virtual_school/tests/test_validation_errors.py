"""Issue #21: a failed save shows its message and never a server traceback, to anyone but a System Manager, even
on a site in developer mode (``security/errors.py``). Over HTTP as a caseworker and a school user:
``tests/web/test_validation_errors.py``; the rest of the guard: ``test_side_doors_errors.py``."""

import json
from unittest import mock

import frappe
from frappe.utils import set_request
from frappe.utils.response import report_error

from virtual_school.security import errors
from virtual_school.tests.test_side_doors_errors import fresh_settings
from virtual_school.tests.utils import VirtualSchoolTestCase, caseworker


class TestDeveloperModeTracebacks(VirtualSchoolTestCase):
	def setUp(self):
		super().setUp()
		self.response, self.form_dict = frappe.local.response, frappe.local.form_dict
		self.had_request = hasattr(frappe.local, "request")
		self.request = getattr(frappe.local, "request", None)
		errors.install()
		# developer mode turns Frappe's own switch on: the traceback is in Frappe's answer
		self.enterContext(mock.patch.dict(frappe.local.conf, {"developer_mode": 1}))
		frappe.db.set_single_value(
			"System Settings", "allow_error_traceback", 1
		)  # hygiene: rolled back after each test
		fresh_settings()

	def tearDown(self):
		frappe.local.response, frappe.local.form_dict = self.response, self.form_dict
		frappe.local.message_log, frappe.local.error_log = [], []
		if self.had_request:
			frappe.local.request = self.request
		elif hasattr(frappe.local, "request"):
			del frappe.local.request
		super().tearDown()
		fresh_settings()

	def failed_save(self, user: str) -> dict:
		"""Frappe's JSON answer to a save refused by validation, as ``frappe.app.handle_exception`` builds it."""
		frappe.set_user(user)
		set_request(method="POST", path="/api/method/frappe.desk.form.save.savedocs")
		frappe.local.form_dict = frappe._dict(cmd="frappe.desk.form.save.savedocs")
		frappe.local.response = frappe._dict(docs=[])
		frappe.local.message_log, frappe.local.error_log = [], []
		try:
			frappe.throw("Attendance must be between 0 and 100%.", title="Invalid Attendance")
		except frappe.ValidationError:
			return json.loads(report_error(417).get_data(as_text=True))

	def test_no_traceback_for_a_caseworker_in_developer_mode(self):
		answer = self.failed_save(caseworker(1))
		self.assertFalse({"exc", "exception", "_exc_source"} & set(answer), answer)
		self.assertNotIn("most recent call last", json.dumps(answer))
		self.assertIn("Attendance must be between 0 and 100%.", json.dumps(answer))

	def test_a_system_manager_keeps_it_in_developer_mode(self):
		self.assertIn("most recent call last", self.failed_save("Administrator").get("exc", ""))
