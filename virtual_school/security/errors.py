"""No server traceback reaches a browser outside developer mode (issue #17, side door 8; issue #21).

Frappe v15 sends the traceback of a failed request to whoever made it, guests included, while System Settings'
``allow_error_traceback`` is on, which is its default: ``exc`` (and ``exception``) in every JSON error, a
``frappe.throw`` validation message included, which the desk and the portal print in the browser console; the
website's error page (``/printview`` of a missing record, any page whose code raises, 404s among them). A
traceback names the server's paths and code, sometimes values of the record being saved.

- ``turn_off_error_tracebacks`` (install and every migrate, from ``setup/install.py``) switches Frappe's own
  setting off, and ``validate`` keeps it off when System Settings is saved: Frappe then answers with the
  message and the exception's type only, on every path that reads the setting (JSON errors, the error page,
  the "Server Error" page).
- ``install`` wraps ``frappe.utils.response.as_json`` (every JSON answer) for what the setting does not cover:
  a setting turned on again by a database write, ``frappe.client.bulk_update`` answering each failed document
  with its traceback, a print format's Jinja error thrown with the traceback in its message, the traceback
  Frappe writes into an "Action Failed" comment, the SQL of a failed query in Frappe's debug log. Outside
  developer mode every answer loses ``exc``, ``_exc_source``, ``exception`` and the debug log
  (``_debug_messages``), and traceback text in its messages becomes a short note; so does
  traceback text anywhere in the answer's data, except for a System Manager, whose work is reading Frappe's
  logs (Error Log, Scheduled Job Log) stored with their tracebacks.

- ``install`` also refuses a negative ``limit_start``/``limit_page_length`` in any list query with a
  validation error (417): Frappe casts them to integers and hands ``OFFSET -1`` to MariaDB, whose syntax error
  was a server error (500) quoting the query.

Developer mode (``frappe.conf.developer_mode``) keeps Frappe's behaviour for a System Manager only: a school user
or a caseworker never gets a traceback, whatever the site's mode (issue #21). Errors are logged as before (Frappe's
Error Log, with the traceback): only the answer to the browser changes.
"""

import functools
import json
import re

import frappe
from frappe import _
from frappe.model.db_query import DatabaseQuery
from frappe.utils import cint
from frappe.utils import response as frappe_response

SETTING = "allow_error_traceback"
# Python's traceback header, and Frappe's with local variables (frappe.get_traceback(with_context=True)).
TRACEBACK_HEADERS = ("Traceback (most recent call last)", "Traceback with variables (most recent call last)")
# A traceback: its header, the indented frame lines, and the exception's line.
TRACEBACK_TEXT = re.compile(
	r"Traceback (?:with variables )?\(most recent call last\):[^\n]*\n(?:[ \t][^\n]*\n|\n)*[^\n]*"
)
# Frappe's traceback of the error, and its debug log (``frappe.log``: e.g. the SQL of a query that failed, with
# the permission conditions in it), developer output printed in the browser's console.
RESPONSE_KEYS = ("exc", "_exc_source", "exception", "_debug_messages", "debug")
# The answer's messages (v1: JSON text of JSON texts; v2: lists) and errors: scrubbed for every user.
MESSAGE_KEYS = ("_server_messages", "messages", "errors", "_error_message")


def traceback_allowed() -> bool:
	return bool(frappe.conf.developer_mode)


def turn_off_error_tracebacks() -> None:
	"""Install and migrate: Frappe's own switch off, unless the site is in developer mode."""
	if not traceback_allowed() and frappe.db.get_single_value("System Settings", SETTING):
		frappe.db.set_single_value("System Settings", SETTING, 0)


def validate(doc) -> None:
	"""Saving System Settings cannot turn tracebacks back on outside developer mode."""
	if doc.doctype != "System Settings" or traceback_allowed() or not doc.get(SETTING):
		return
	doc.set(SETTING, 0)
	frappe.msgprint(_("Error tracebacks are shown only on sites in developer mode."), alert=True)


def has_traceback(text: str) -> bool:
	return any(header in text for header in TRACEBACK_HEADERS)


def redact(text: str) -> str:
	return TRACEBACK_TEXT.sub(_("(server error details withheld)"), text)


def scrub(value):
	"""The value with every traceback in it replaced; text holding JSON is scrubbed inside and stays JSON."""
	if isinstance(value, str):
		if not has_traceback(value):
			return value
		try:
			decoded = json.loads(value)
		except ValueError:
			return redact(value)
		return json.dumps(scrub(decoded)) if isinstance(decoded, list | dict | str) else redact(value)
	if isinstance(value, list):
		return [scrub(item) for item in value]
	if isinstance(value, dict):
		return {key: scrub(item) for key, item in value.items()}
	return value


def scrub_response(payload: dict, data_too: bool) -> dict:
	"""A JSON answer without Frappe's traceback keys (v1: top level; v2: each of ``errors``) and without
	traceback text in its messages; in its data too unless ``data_too`` is False."""
	for key in RESPONSE_KEYS:
		payload.pop(key, None)
	for error in payload.get("errors") or []:
		if isinstance(error, dict):
			error.pop("exception", None)
	if data_too:
		return scrub(payload)
	for key in MESSAGE_KEYS:
		if key in payload:
			payload[key] = scrub(payload[key])
	return payload


def _has_traceback_keys(payload) -> bool:
	return isinstance(payload, dict) and (
		any(key in payload for key in RESPONSE_KEYS)
		or any(isinstance(error, dict) and "exception" in error for error in payload.get("errors") or [])
	)


def _guarded_as_json(as_json):
	def guarded():
		# Frappe's: adds exc and the message logs to frappe.local.response, then dumps it
		response = as_json()
		if traceback_allowed() and "System Manager" in frappe.get_roles():
			return response  # a developer's own site: the developer reads it; no one else does (issue #21)
		data = response.get_data()
		if _has_traceback_keys(frappe.local.response) or any(h.encode() in data for h in TRACEBACK_HEADERS):
			payload = json.loads(data)
			if isinstance(payload, dict):
				data_too = "System Manager" not in frappe.get_roles()
				response.set_data(json.dumps(scrub_response(payload, data_too), separators=(",", ":")))
		return response

	guarded.virtual_school_guard = True
	guarded.__wrapped__ = as_json
	return guarded


def install() -> None:
	"""Every JSON answer Frappe builds goes through ``_guarded_as_json`` (``build_response`` looks ``as_json``
	up in its module on each call)."""
	if not getattr(frappe_response.as_json, "virtual_school_guard", False):
		frappe_response.as_json = _guarded_as_json(frappe_response.as_json)
	if not getattr(DatabaseQuery.execute, "virtual_school_guard", False):
		DatabaseQuery.execute = _execute_with_valid_limits(DatabaseQuery.execute)


def _execute_with_valid_limits(execute):
	@functools.wraps(execute)
	def guarded(self, *args, **kwargs):
		for key in ("limit_start", "limit_page_length", "start", "page_length", "limit"):
			value = kwargs.get(key)
			if value not in (None, "") and cint(value) < 0:
				frappe.throw(
					_("{0} must be zero or more.").format(key),
					frappe.ValidationError,
					title=_("Invalid list"),
				)
		return execute(self, *args, **kwargs)

	guarded.virtual_school_guard = True
	return guarded
