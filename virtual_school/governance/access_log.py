"""Who looked at a child's records: every single-record read of a Child, PEP, Exclusion or PP+ Claim (issue #22).

Frappe's own **Access Log** holds the log (user, timestamp, ``export_from`` = doctype, ``reference_document``
= name, ``method`` = how, ``page`` = the route it was read through). Frappe already writes one there for every
print and PDF of a record (``www/printview.py``, before it checks permission, so a refused attempt appears
too) and for every private file downloaded; the app adds the other reads:

- a desk form load (``getdoc``): the ``onload`` document event of each tracked doctype (``on_form_load``);
- a REST read of one record (``/api/resource/<doctype>/<name>``, ``/api/v2/document/…``,
  ``frappe.client.get``): the ``after_request`` hook;
- a school portal page showing a record (``record_portal_view``, called by ``portal/pages.py``);
- a subject access export (``governance/sar.py``), one row per record exported.

Lists are not logged (a list is a search, not a view of a child's file), so the caseworker's Child list and
the portal's pupil list cost nothing. A view costs one multi-row ``INSERT`` and its commit, run by Frappe
after the response has been sent (``request.after_response``), so the reader does not wait for it; not
Frappe's deferred insert, which is lost if Redis restarts or the scheduler is off (an audit log must not lose
rows). Only in read-only maintenance mode (``frappe.flags.read_only``), where no write is possible, does a
row go through the deferred insert, as Frappe's own logs do. Frappe's ``View Log`` (doctypes with *Track Views*) is not used: its rows carry no
route, ``getdoc`` sends every row of it back with each form load, and it inserts a full document.

Access Log is read-only for every role but System Manager (Frappe's DocPerm: no role may create or write
it). Frappe v15 whitelists ``make_access_log`` to any signed-in user, so anyone could write a row saying any
record was viewed; hooks.py routes it to ``make_access_log`` here, which keeps only what Frappe's desk sends
(a print or export of a report the user may run) and refuses a row naming a record.

Head and Managers read the log through the *Who Viewed This Child* report (``accesses_of``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from urllib.parse import unquote

import frappe
from frappe import _
from frappe.core.doctype.access_log.access_log import _make_access_log
from frappe.deferred_insert import deferred_insert
from frappe.utils import now

ACCESS_LOG = "Access Log"
CHILD = "Child"
# Records whose every single-record read is logged; each but Child links its child.
TRACKED_DOCTYPES = (CHILD, "Personal Education Plan", "Exclusion", "PP Plus Claim")

# How a record was read (Access Log.method); Frappe writes "Print" (print view, PDF) and file downloads itself.
VIEW = "View"
API_READ = "API Read"
PORTAL_VIEW = "Portal View"
SUBJECT_ACCESS_EXPORT = "Subject Access Export"
PRINT = "Print"
DOWNLOAD = "Download"

# What a desk client may still log through make_access_log: its own print or export of a report.
CLIENT_LOGGED_METHODS = ("Print", "Export", "PDF")

_COLUMNS = (
	"name",
	"creation",
	"modified",
	"owner",
	"modified_by",
	"docstatus",
	"idx",
	"user",
	"timestamp",
	"export_from",
	"reference_document",
	"method",
	"file_type",
	"page",
)

_COLUMN_LIST = ", ".join(f"`{column}`" for column in _COLUMNS)
_ROW_PLACEHOLDERS = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"


def record(
	records: Iterable[tuple[str, str]],
	method: str,
	route: str,
	file_type: str | None = None,
	with_request: bool = False,
) -> int:
	"""Log that the session user read these (doctype, name) records: one INSERT for all of them.

	During a request the row is written and committed after the response has gone (Frappe's
	``request.after_response``), so the reader waits for nothing; ``with_request`` writes it on the
	request's own transaction instead (an export, committed with its comment). Outside a request (bench
	command, job, test) it is written on the caller's transaction. Returns the number of rows.
	"""
	user = frappe.session.user
	stamp = now()
	rows = [
		# in _COLUMNS order: name, creation, modified, owner, modified_by, docstatus, idx, then the log's own
		(
			frappe.generate_hash(length=10),
			stamp,
			stamp,
			user,
			user,
			0,
			0,
			user,
			stamp,
			doctype,
			str(name),
			method,
			file_type,
			route,
		)
		for doctype, name in dict.fromkeys(records)
		if doctype and name
	]
	if not rows:
		return 0
	if frappe.flags.read_only:  # read-only maintenance mode: Redis, written by Frappe's scheduler later
		deferred_insert(ACCESS_LOG, [dict(zip(_COLUMNS, row, strict=True)) for row in rows])
		return len(rows)
	request = getattr(frappe.local, "request", None)
	after_response = getattr(request, "after_response", None)
	if after_response is not None and not with_request and not frappe.flags.in_test:
		after_response.add(functools.partial(_write_after_response, rows))
		return len(rows)
	_insert(rows)
	frappe.local.flags.commit = True  # a GET is otherwise rolled back
	return len(rows)


def _insert(rows: list[tuple]) -> None:
	# Parameterised SQL: the same INSERT built with frappe.qb measured 2.5 ms against 0.85 ms for this one.
	frappe.db.sql(
		f"insert into `tabAccess Log` ({_COLUMN_LIST}) values {', '.join([_ROW_PLACEHOLDERS] * len(rows))}",
		[value for row in rows for value in row],
	)


def _write_after_response(rows: list[tuple]) -> None:
	"""Run by Frappe after the response was sent, before the request's connection closes."""
	try:
		_insert(rows)
		frappe.db.commit()  # nosemgrep: the request's own transaction has ended
	except Exception:
		frappe.db.rollback()
		frappe.log_error(title=_("Access log: a read could not be logged"))


def desk_route(doctype: str, name: str) -> str:
	"""The desk route of a record's form, as Frappe's router spells it (/app/personal-education-plan/…)."""
	return f"/app/{doctype.lower().replace(' ', '-')}/{name}"


def on_form_load(doc, method: str | None = None) -> None:
	"""``onload`` document event: Frappe runs it when ``getdoc`` sends a form to the desk (after its permission
	check) and again when ``savedocs`` sends the saved form back; only the first is a new view."""
	if getattr(doc, "_action", None) or doc.is_new():
		return
	record([(doc.doctype, doc.name)], VIEW, desk_route(doc.doctype, doc.name))


def after_request(response=None, request=None) -> None:
	"""``after_request`` hook: a successful REST read of one tracked record.

	``GET /api/resource/<doctype>/<name>``, ``GET /api/v2/document/<doctype>/<name>`` and
	``/api/method/frappe.client.get`` with a name. Every other request pays a few string tests."""
	if request is None or response is None or response.status_code != 200:
		return
	target = single_record_read(request.method, request.path or "")
	if not target or target[0] not in TRACKED_DOCTYPES or frappe.session.user == "Guest":
		return
	record([target], API_READ, request.path)


def single_record_read(method: str, path: str) -> tuple[str, str] | None:
	"""The (doctype, name) a REST request reads as one record, else None (lists, writes, other paths)."""
	if path == "/api/method/frappe.client.get":
		form = frappe.local.form_dict or {}
		doctype, name = form.get("doctype"), form.get("name")
		return (doctype, name) if isinstance(doctype, str) and isinstance(name, str) and name else None
	if method != "GET" or not path.startswith(("/api/resource/", "/api/v2/document/")):
		return None
	parts = path.split("/")  # ["", "api", "resource", doctype, name]
	if len(parts) != 5 or not parts[4]:
		return None
	return unquote(parts[3]), unquote(parts[4])


def record_portal_view(records: Iterable[tuple[str, str]]) -> int:
	"""A school portal page showed these records (the page's route from the request)."""
	request = getattr(frappe.local, "request", None)
	route = request.full_path.rstrip("?") if request is not None else _portal_route_from_form_dict()
	return record(records, PORTAL_VIEW, route)


def _portal_route_from_form_dict() -> str:
	path = getattr(frappe.local, "path", None) or "school-portal"
	name = (getattr(frappe.local, "form_dict", None) or {}).get("name")
	return f"/{path}" + (f"?name={name}" if name else "")


@frappe.whitelist()
def make_access_log(
	doctype=None,
	document=None,
	method=None,
	file_type=None,
	report_name=None,
	filters=None,
	page=None,
	columns=None,
):
	"""Frappe's whitelisted ``make_access_log``, narrowed (``override_whitelisted_methods`` in hooks.py).

	Frappe v15 lets any signed-in user write an Access Log row with any doctype, record, method and page,
	so a caseworker could put "viewed" rows on any child's log, or fill the table with megabytes of HTML.
	Frappe's desk calls it only to log the print or export of a query report; that is all it may do here, and
	the row names the report's own document type, never one the client chose.
	"""
	if document or page or columns or method not in CLIENT_LOGGED_METHODS or not report_name:
		frappe.throw(_("Only the print or export of a report can be logged here."), frappe.PermissionError)
	if not frappe.db.exists("Report", report_name):
		frappe.throw(_("Only the print or export of a report can be logged here."), frappe.PermissionError)
	report = frappe.get_cached_doc("Report", report_name)
	if not report.is_permitted():
		frappe.throw(_("You cannot run this report."), frappe.PermissionError)
	_make_access_log(
		doctype=report.ref_doctype,
		method=method,
		file_type=file_type,
		report_name=report_name,
		filters=filters,
	)


def child_records(child: str) -> list[tuple[str, str]]:
	"""The tracked records of a child: the Child and its PEPs, exclusions and claims (read from metadata)."""
	records = [(CHILD, child)]
	for doctype in TRACKED_DOCTYPES:
		if doctype == CHILD:
			continue
		for fieldname in child_link_fields(doctype):
			records.extend(
				(doctype, name) for name in frappe.get_all(doctype, filters={fieldname: child}, pluck="name")
			)
	return list(dict.fromkeys(records))


def child_link_fields(doctype: str) -> list[str]:
	return [
		field.fieldname
		for field in frappe.get_meta(doctype).fields
		if field.fieldtype == "Link" and field.options == CHILD
	]


def accesses_of(records: Iterable[tuple[str, str]], limit: int | None = None) -> list[dict]:
	"""Every logged read of these records and of the files attached to them, newest first.

	Access Log rows (the app's and Frappe's prints and file downloads) and Frappe's View Log rows (doctypes a
	site has set to *Track Views*). Uses the ``reference_document_export_from_index`` on Access Log.
	"""
	records = list(dict.fromkeys(records))
	if not records:
		return []
	file_rows = _attached_files(records)
	by_doctype: dict[str, list[str]] = {}
	for doctype, name in [*records, *(("File", row.name) for row in file_rows)]:
		by_doctype.setdefault(doctype, []).append(name)

	log = frappe.qb.DocType(ACCESS_LOG)
	condition = None
	for doctype, names in by_doctype.items():
		term = (log.export_from == doctype) & log.reference_document.isin(names)
		condition = term if condition is None else condition | term
	query = (
		frappe.qb.from_(log)
		.select(
			log.name,
			log.creation.as_("viewed_at"),
			log.user,
			log.export_from.as_("reference_doctype"),
			log.reference_document.as_("reference_name"),
			log.method,
			log.file_type,
			log.page.as_("route"),
		)
		.where(condition)
		.orderby(log.creation, order=frappe.qb.desc)
	)
	if limit:
		query = query.limit(limit)
	rows = query.run(as_dict=True)

	view = frappe.qb.DocType("View Log")
	condition = None
	for doctype, names in by_doctype.items():
		term = (view.reference_doctype == doctype) & view.reference_name.isin(names)
		condition = term if condition is None else condition | term
	rows += (
		frappe.qb.from_(view)
		.select(
			view.name,
			view.creation.as_("viewed_at"),
			view.viewed_by.as_("user"),
			view.reference_doctype,
			view.reference_name,
		)
		.where(condition)
		.run(as_dict=True)
	)
	for row in rows:
		if not row.get("method"):  # Frappe logs a private file download without a method
			row.method = DOWNLOAD if row.reference_doctype == "File" else VIEW
		if row.method == PRINT and not row.get("route"):
			row.route = "/printview"
	rows.sort(key=lambda row: row.viewed_at, reverse=True)
	return rows[:limit] if limit else rows


def _attached_files(records: list[tuple[str, str]]) -> list:
	file = frappe.qb.DocType("File")
	condition = None
	by_doctype: dict[str, list[str]] = {}
	for doctype, name in records:
		by_doctype.setdefault(doctype, []).append(name)
	for doctype, names in by_doctype.items():
		term = (file.attached_to_doctype == doctype) & file.attached_to_name.isin(names)
		condition = term if condition is None else condition | term
	return frappe.qb.from_(file).select(file.name).where(condition).run(as_dict=True)
