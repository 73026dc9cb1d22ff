"""Records that point at an app record follow that record's permission (issue #17).

Frappe keeps many rows that name another record by a (doctype, name) pair: attachments (File), the
timeline (Comment, Version, Communication), assignments (ToDo), follows, tags, likes, workflow actions,
notifications. Frappe v15 lets anyone with read permission on such a doctype list every row, whatever
record it points at, so a caseworker's Workflow Action list, or Finance's File list
(``PPC-…-decision-rejected….docx``), named other caseloads' records and their states. And its side
methods (``frappe.desk.like.toggle_like``, ``follow_document``, ``assign_to``, the REST insert of a
ToDo) write such rows, and through them ``_liked_by``, ``_assign`` and "Assigned"/"Liked" comments, on
records the caller cannot read.

One table (``REFERENCES``) and the app's doctypes read from metadata (module "Virtual School", so a
doctype added later is covered) close both directions:

- ``query_conditions``: a row pointing at an app record is listed only when the user may read that record:
  role read permission on its doctype (or a share) and that doctype's own row conditions, built by
  Frappe's ``DatabaseQuery`` exactly as its list would build them.
- ``has_permission``: the same answer for one row, through ``frappe.has_permission`` on the record (any
  ptype: reading, writing, creating or deleting such a row needs read access to what it points at).
- ``validate``: a new row written by a Frappe side method (even one inserting with ignore_permissions, as
  ``toggle_like`` and ``assign_to.add`` do) must point at a record the acting user may read; a follow
  also needs the follower to read it (follow e-mails carry the record's changes). The app's own code,
  which checks scope itself (the portal acting for a school, escalations assigning their holder), and
  Administrator (scheduler jobs) are trusted.
- ``install``: ``toggle_like`` is refused before it writes ``_liked_by`` (un-liking writes it with no
  insert to validate); a new File may not copy, by naming its private URL, content the user cannot open;
  follow e-mails leave out records the follower can no longer read; the whitelisted
  readers ``get_follow_users`` and ``get_reviews`` (which use ``frappe.get_all``) answer only for
  records the caller may read.

Refusals name no record, its state or its owner.
"""

import functools
import sys
import time

import frappe
from frappe import _
from frappe.core.doctype.file.file import File
from frappe.desk import like
from frappe.desk.form import document_follow
from frappe.model.db_query import DatabaseQuery
from frappe.permissions import get_role_permissions
from frappe.social.doctype.energy_point_log import energy_point_log

APP_MODULE = "Virtual School"

# Frappe doctypes whose rows point at another record, each with its (doctype column, name column) pairs.
REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
	"File": (("attached_to_doctype", "attached_to_name"),),
	"Comment": (("reference_doctype", "reference_name"),),
	"ToDo": (("reference_type", "reference_name"),),
	"Version": (("ref_doctype", "docname"),),
	"Workflow Action": (("reference_doctype", "reference_name"),),
	"Document Follow": (("ref_doctype", "ref_docname"),),
	"Communication": (("reference_doctype", "reference_name"),),
	"Communication Link": (("link_doctype", "link_name"),),
	"Tag Link": (("document_type", "document_name"),),
	"Energy Point Log": (("reference_doctype", "reference_name"),),
	"Notification Log": (("document_type", "document_name"),),
	"View Log": (("reference_doctype", "reference_name"),),
	"Submission Queue": (("ref_doctype", "ref_docname"),),
	"Activity Log": (
		("reference_doctype", "reference_name"),
		("timeline_doctype", "timeline_name"),
		("link_doctype", "link_name"),
	),
}

# Rows Frappe's side methods insert on a user's behalf (likes and assignments write comments, follows,
# tags, reviews, attachments, e-mails): checked on insert and when they are moved to another record.
WRITTEN_ON_BEHALF = (
	"Comment",
	"ToDo",
	"Document Follow",
	"File",
	"Tag Link",
	"Energy Point Log",
	"Communication",
)

# Rows that make another user receive the record (follow e-mails): that user must be able to read it too.
RECIPIENT_COLUMN = {"Document Follow": "user"}

_app_doctypes: dict[str, tuple[float, dict[str, frappe._dict]]] = {}
APP_DOCTYPES_SECONDS = 60  # how long a process trusts its list of the app's doctypes
_parents: dict[tuple[str, str], tuple[str, ...]] = {}


def app_doctypes() -> dict[str, frappe._dict]:
	"""The app's doctypes by name (with ``istable``/``issingle``), read from metadata once per process."""
	site = frappe.local.site
	read_at, cached = _app_doctypes.get(site, (0.0, None))
	if cached is None or time.monotonic() - read_at > APP_DOCTYPES_SECONDS:
		rows = frappe.get_all(
			"DocType", filters={"module": APP_MODULE}, fields=["name", "istable", "issingle"]
		)
		cached = {row.name: row for row in rows}
		if not (frappe.flags.in_install or frappe.flags.in_migrate):  # doctypes are still being synced
			_app_doctypes[site] = (time.monotonic(), cached)
	return cached


def parent_doctypes(table: str) -> tuple[str, ...]:
	"""Doctypes with a Table field of this child doctype (its rows are read through them)."""
	key = (frappe.local.site, table)
	if key not in _parents:
		table_types = ["in", ["Table", "Table MultiSelect"]]
		parents = set(
			frappe.get_all("DocField", filters={"fieldtype": table_types, "options": table}, pluck="parent")
		)
		parents |= set(
			frappe.get_all("Custom Field", filters={"fieldtype": table_types, "options": table}, pluck="dt")
		)
		_parents[key] = tuple(sorted(parents))
	return _parents[key]


def _role_can_read(doctype: str, user: str) -> bool:
	return bool(get_role_permissions(frappe.get_meta(doctype), user=user).get("read"))


def readable_condition(doctype: str, user: str, memo: dict) -> str | None:
	"""SQL on `tab<doctype>` selecting the records the user may read: "" for all of them, None for none.

	The same conditions Frappe's list of that doctype applies: role permission, user permissions, shares
	and every permission query hook (the app's caseload rules, Finance's claim states).
	"""
	if doctype in memo:
		return memo[doctype]
	memo[doctype] = None  # a child table reached again through its own parents reads nothing more
	meta = frappe.get_meta(doctype)
	escaped = frappe.db.escape(doctype)
	if meta.istable:
		rows = []
		for parent in parent_doctypes(doctype):
			condition = readable_condition(parent, user, memo)
			if condition is None:
				continue
			row = f"`tab{doctype}`.`parenttype` = {frappe.db.escape(parent)}"
			if condition:
				row += f" and `tab{doctype}`.`parent` in (select `tab{parent}`.`name` from `tab{parent}` where {condition})"
			rows.append(f"({row})")
		result = "(" + " or ".join(rows) + ")" if rows else None
	elif not _role_can_read(doctype, user):
		# Without a role permission Frappe still opens records shared with the user.
		user_sql = frappe.db.escape(user)
		shared = (
			f"select `share_name` from `tabDocShare` where `share_doctype` = {escaped}"
			f" and `read` = 1 and (`user` = {user_sql} or `everyone` = 1)"
		)
		result = None
		if not meta.issingle and frappe.db.sql(f"{shared} limit 1"):
			result = f"`tab{doctype}`.`name` in ({shared})"
	elif meta.issingle:
		result = ""
	else:
		try:
			result = DatabaseQuery(doctype, user=user).build_match_conditions() or ""
		except frappe.PermissionError:
			result = None
	memo[doctype] = result
	return result


def query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""Rows pointing at app records the user cannot read are not listed (list, report, REST, get_list)."""
	pairs = REFERENCES.get(doctype)
	if not pairs:
		return ""
	user = user or frappe.session.user
	if user == "Administrator":
		return ""
	app = app_doctypes()
	if not app:
		return ""
	# The app's doctypes as the database holds them now, not as this process cached them: a doctype added by a
	# migrate after the cache was filled then falls under no "allowed" clause below, so its rows are hidden
	# (fail closed) until the cache is refreshed, never listed to everyone.
	listed = f"select `name` from `tabDocType` where `module` = {frappe.db.escape(APP_MODULE)}"
	memo: dict = {}
	conditions = []
	for doctype_column, name_column in pairs:
		column = f"`tab{doctype}`.`{doctype_column}`"
		name = f"`tab{doctype}`.`{name_column}`"
		allowed = [f"({column} is null or {column} not in ({listed}))"]
		for reference in sorted(app):
			condition = readable_condition(reference, user, memo)
			if condition is None:
				continue
			row = f"{column} = {frappe.db.escape(reference)}"
			if condition:
				row += (
					f" and {name} in (select `tab{reference}`.`name` from `tab{reference}` where {condition})"
				)
			allowed.append(f"({row})")
		conditions.append("(" + " or ".join(allowed) + ")")
	return " and ".join(conditions)


def can_read(doctype: str, name: str | None, user: str) -> bool:
	"""Whether the user may read this app record: the single-row counterpart of ``readable_condition``."""
	if user == "Administrator":
		return True
	meta = frappe.get_meta(doctype)
	if meta.issingle or not name:
		return _role_can_read(doctype, user)
	if meta.istable:
		parent = frappe.db.get_value(doctype, name, ["parenttype", "parent"])
		if parent and parent[0] and parent[1]:
			return bool(frappe.has_permission(parent[0], "read", parent[1], user=user))
	elif frappe.db.exists(doctype, name):
		return bool(frappe.has_permission(doctype, "read", str(name), user=user))
	# No such record: readable only to someone who reads every record of the doctype (as in the list).
	return readable_condition(doctype, user, {}) == ""


def references_of(doc) -> list[tuple[str, str | None]]:
	"""The app records a row points at: (doctype, name) pairs."""
	app = app_doctypes()
	return [
		(doc.get(doctype_column), doc.get(name_column))
		for doctype_column, name_column in REFERENCES.get(doc.doctype, ())
		if doc.get(doctype_column) in app
	]


def has_permission(doc, ptype: str | None = None, user: str | None = None):
	"""False for a row pointing at an app record the user cannot read, whatever the ptype; else None."""
	if doc.doctype not in REFERENCES:
		return None
	user = user or frappe.session.user
	if user == "Administrator":
		return None
	for doctype, name in references_of(doc):
		if not can_read(doctype, name, user):
			return False
	return None


def _refuse(user: str | None = None):
	message = (
		_("The record is not open to {0}.").format(user) if user else _("The record is not open to you.")
	)
	frappe.throw(message, frappe.PermissionError, title=_("Not Permitted"))


def _trusted_caller() -> bool:
	"""Whether the write was started by the app's own code rather than by a request or a caller outside it.

	Walks the call stack outwards past Frappe's own frames (the insert, hooks, ``toggle_like``,
	``assign_to.add``…) to the first other frame: the app's modules (not its tests) are trusted, because
	they scope the record themselves; anything else (Frappe's request handler via werkzeug, a job runner,
	a server script, a test) is the user acting through Frappe's generic methods.
	"""
	frame = sys._getframe(1)
	while frame is not None:
		module = frame.f_globals.get("__name__") or ""
		if module == "frappe" or module.startswith(("frappe.", "virtual_school.security")):
			frame = frame.f_back
			continue
		parts = module.split(".")
		return parts[0] == "virtual_school" and not any(
			part == "tests" or part.startswith("test_") for part in parts
		)
	return False


def validate(doc) -> None:
	"""A row written on a user's behalf must point at a record that user may read."""
	if doc.doctype not in WRITTEN_ON_BEHALF:
		return
	user = frappe.session.user
	if doc.doctype == "File" and copies_unreadable_file(doc, user):
		_refuse()
	references = references_of(doc)
	if not references:
		return
	recipient_column = RECIPIENT_COLUMN.get(doc.doctype)
	if not doc.is_new():
		columns = [column for pair in REFERENCES[doc.doctype] for column in pair]
		if recipient_column:
			columns.append(recipient_column)
		if not any(doc.has_value_changed(column) for column in columns):
			return
	recipient = doc.get(recipient_column) if recipient_column else None
	for doctype, name in references:
		if recipient and not can_read(doctype, name, recipient):
			_refuse(recipient)
		if user != "Administrator" and not can_read(doctype, name, user) and not _trusted_caller():
			_refuse()


def copies_unreadable_file(doc, user: str) -> bool:
	"""A new File naming another File's private URL, without uploading the content, copies that content.

	Frappe v15 reads the bytes from the URL and serves them to the new row's owner (or to readers of the
	record it is attached to): a POST of ``{"file_url": "/private/files/PPC-…-decision-rejected.docx"}``,
	an Attach field set to that URL or ``add_attachments`` would hand anyone a decision letter whose name
	they can guess. The copy is allowed only to someone who may already read one of the rows for that URL.
	"""
	if user == "Administrator" or not doc.is_new() or doc.is_folder:
		return False
	if doc.flags.vs_content_uploaded is not False:  # uploaded bytes (or inserted before install())
		return False
	if not (doc.file_url or "").startswith("/private/"):
		return False
	existing = frappe.get_all(
		"File", filters={"file_url": doc.file_url, "name": ["!=", doc.name or ""]}, pluck="name", limit=50
	)
	if not existing:
		return False
	readable = any(frappe.has_permission("File", "read", name, user=user) for name in existing)
	return not readable and not _trusted_caller()


# Guards on Frappe's side methods, applied once per process by virtual_school.security.install().


def _require_readable(doctype, name) -> None:
	if doctype in app_doctypes() and not can_read(doctype, name, frappe.session.user):
		_refuse()


def _guard_toggle_like(toggle):
	@functools.wraps(toggle)
	def guarded(doctype, name, add, user=None):
		_require_readable(doctype, name)
		return toggle(doctype, name, add, user)

	guarded.vs_guarded = True
	return guarded


def _guard_followed_documents(followed):
	@functools.wraps(followed)
	def guarded(user):
		return [
			row
			for row in followed(user)
			if row.ref_doctype not in app_doctypes() or can_read(row.ref_doctype, row.ref_docname, user)
		]

	guarded.vs_guarded = True
	return guarded


def _guard_reader(reader, doctype_arg: str, name_arg: str):
	"""A whitelisted reader taking (doctype, name): refused for a record the caller cannot read."""

	@functools.wraps(reader)
	def guarded(*args, **kwargs):
		bound = dict(zip((doctype_arg, name_arg), args, strict=False)) | kwargs
		_require_readable(bound.get(doctype_arg), bound.get(name_arg))
		return reader(*args, **kwargs)

	guarded.vs_guarded = True
	return frappe.whitelist()(guarded)


def _mark_uploaded_content(before_insert):
	"""Remember whether bytes came with a new File: its before_insert reads them from file_url otherwise."""

	@functools.wraps(before_insert)
	def guarded(self):
		self.flags.vs_content_uploaded = bool(self.get("content"))
		return before_insert(self)

	guarded.vs_guarded = True
	return guarded


def install() -> None:
	if not getattr(File.before_insert, "vs_guarded", False):
		File.before_insert = _mark_uploaded_content(File.before_insert)
	if not getattr(like._toggle_like, "vs_guarded", False):
		like._toggle_like = _guard_toggle_like(like._toggle_like)
	if not getattr(document_follow.get_document_followed_by_user, "vs_guarded", False):
		document_follow.get_document_followed_by_user = _guard_followed_documents(
			document_follow.get_document_followed_by_user
		)
	for module, reader, doctype_arg, name_arg in (
		(document_follow, "get_follow_users", "doctype", "doc_name"),
		(energy_point_log, "get_reviews", "doctype", "docname"),
	):
		if not getattr(getattr(module, reader), "vs_guarded", False):
			setattr(module, reader, _guard_reader(getattr(module, reader), doctype_arg, name_arg))
