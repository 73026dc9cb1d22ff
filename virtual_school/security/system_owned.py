"""Fields only the code or the workflow sets are immutable from any request (issue #17).

Frappe v15 enforces ``read_only`` in the desk only: ``PUT /api/resource``, ``frappe.client.set_value``,
``frappe.desk.form.save.savedocs`` and ``POST /api/resource`` / ``frappe.client.insert`` copy whatever the
client sends onto the document and save it. A manager refused approval of a claim they submitted rewrote
``submitted_by`` and then approved it; a caseworker rewrote the decision of an approved claim, rated their own
PEP, closed a child without the manager's sign-off (``status``, the workflow's ``update_field``), moved an
escalation onto another caseload's child and moved a school contact to another school.

**The declaration** (``declaration(doctype)``) is data, read from each app doctype's metadata, so a field or
doctype added later is covered without an edit here:

- every field the doctype marks ``read_only`` is owned by the code: nobody sets it from a request. Frappe's
  ``fetch_from`` fields are Frappe's: on every save ``_validate_links`` copies them from their link before
  any hook, so they may change only while their link is set (or be cleared with it);
- a ``read_only`` table is owned whole (rows added, removed or edited); in an editable table, the child
  doctype's own ``read_only`` columns are owned;
- a ``set_only_once`` field is set on insert and never after (Frappe's own rule, refused here first);
- the workflow's state field and every state's ``update_field`` change only through Frappe's
  ``apply_workflow``, with exactly the transition it applies (no self-approval, no skipped ``update_field``);
- ``DECLARED`` adds the fields editable in some roles or states only, each with the roles that may set them.

**Enforcement**, for every role but System Manager (and Administrator), whatever path the request takes
(all of them end in ``Document.save``/``insert``, which run ``before_validate`` then ``validate``):

- ``before_validate`` compares each owned field with the stored value *before the controller runs* (so
  no controller ever reasons on a forged value: the claim's separation-of-duties check reads
  ``submitted_by``). A change to a saved record the user may not make is refused at once with
  ``SystemOwnedFieldError`` (HTTP 403) naming the field;
- on insert the value is compared with empty or the doctype's default; a preset one is put back and
  remembered, and ``validate`` (after the controller's) refuses it unless the controller itself arrived at
  the very value sent (a derived field echoed correctly, e.g. a new Escalation's ``child``).

**Trusted code** needs no marker of its own: ``doc.flags.ignore_permissions`` is set only by server code
(``flags`` is a reserved key Frappe never takes from a request) and Frappe gives it the same meaning for
field-level write permission (``validate_higher_perm_levels`` resets nothing under it). Jobs, imports and the
portal's scoped methods save with it, and controllers set derived fields in ``validate``/``before_save``,
after the snapshot. Frappe's ``apply_workflow`` is recognised on the call stack with the very document and
transition it is applying, so nothing can claim to be it.

**Desk**: owned-by-everyone fields are ``read_only`` in the doctype JSON already (that is the declaration);
the role-dependent ``DECLARED`` fields are made read-only by the form scripts through ``locked_fields``
(``public/js/system_owned.js``).
"""

import sys
from dataclasses import dataclass

import frappe
from frappe import _
from frappe.model import display_fieldtypes, table_fields
from frappe.model.workflow import get_workflow_name
from frappe.utils import cint, cstr, flt, get_datetime, getdate

from virtual_school.setup.roles import VIRTUAL_SCHOOL_HEAD, VIRTUAL_SCHOOL_MANAGER

APP_MODULE = "Virtual School"
EXEMPT_ROLES = ("System Manager",)
CHANGES_FLAG = "vs_system_owned_changes"


class SystemOwnedFieldError(frappe.PermissionError):
	"""A request tried to set a field only the code, the workflow or another role sets."""


@dataclass(frozen=True)
class Owner:
	"""Who may set a system-owned field from a request (System Manager always may)."""

	roles: tuple[str, ...] = ()  # these roles may set it at any time (unless frozen)
	on_insert: bool = False  # whoever may create the record sets it on insert; nobody changes it after
	frozen_when: tuple[tuple[str, tuple[str, ...]], ...] = ()  # nobody, once a stored field has one of these
	fetched_from: str | None = None  # Frappe copies it from this link field on every save
	workflow: bool = False  # the workflow's state field or an update_field: only apply_workflow sets it


CODE = Owner()
DECIDED_CLAIM = (("workflow_state", ("Approved", "Rejected", "Paid")),)
VS_LEADS = (VIRTUAL_SCHOOL_HEAD, VIRTUAL_SCHOOL_MANAGER)

# Fields a user may edit in the desk in some roles or states only (the rest is read from the metadata).
DECLARED: dict[str, dict[str, Owner]] = {
	# A decision's reason is the decider's: managers and the Head give it while the claim is being decided.
	"PP Plus Claim": {"decision_reason": Owner(roles=VS_LEADS, frozen_when=DECIDED_CLAIM)},
	# Quality assurance is done by managers and the Head, never by the PEP's own caseworker.
	"Personal Education Plan": {
		"qa_rating": Owner(roles=VS_LEADS),
		"qa_voice_rating": Owner(roles=VS_LEADS),
		"qa_comments": Owner(roles=VS_LEADS),
	},
	# The review, and the due date that drives the overdue escalation, are the virtual school's leads'.
	"PP Plus Impact Report": {"review_comments": Owner(roles=VS_LEADS), "due_date": Owner(roles=VS_LEADS)},
	# An escalation stays on the record it was raised on (its level is written onto that record).
	"Escalation": {"reference_doctype": Owner(on_insert=True), "reference_name": Owner(on_insert=True)},
	# Which school a contact (and so a portal user) sees, and whether they still do, is a manager's decision.
	"School Contact": {
		"school": Owner(roles=VS_LEADS, on_insert=True),
		"is_active": Owner(roles=VS_LEADS, on_insert=True),
		"user": Owner(roles=VS_LEADS),
	},
	# A legal hold stops retention review and disposal (governance/retention.py): the leads' decision.
	"Child": {"legal_hold": Owner(roles=VS_LEADS), "legal_hold_reason": Owner(roles=VS_LEADS)},
}
# Frappe's own read-only fields a request legitimately sets: the desk's Amend sets amended_from on the new
# document, and Frappe checks the original is cancelled (Document.validate_amended_from).
FRAMEWORK: dict[str, Owner] = {"amended_from": Owner(on_insert=True)}


def declaration(doctype: str) -> dict[str, Owner]:
	"""{fieldname: Owner} of the doctype's system-owned fields; empty for doctypes outside the app."""
	cache = getattr(frappe.local, "vs_system_owned", None)
	if cache is None:
		cache = frappe.local.vs_system_owned = {}
	if doctype not in cache:
		cache[doctype] = _build_declaration(doctype)
	return cache[doctype]


def _build_declaration(doctype: str) -> dict[str, Owner]:
	meta = frappe.get_meta(doctype)
	if meta.module != APP_MODULE:
		return {}
	owned = {}
	for df in meta.fields:
		if df.fieldtype in display_fieldtypes:
			continue
		if df.fieldname in FRAMEWORK:
			owned[df.fieldname] = FRAMEWORK[df.fieldname]
		elif df.read_only and df.fetch_from and not df.fetch_if_empty and df.fieldtype not in table_fields:
			owned[df.fieldname] = Owner(fetched_from=df.fetch_from.split(".", 1)[0])
		elif df.read_only:
			owned[df.fieldname] = CODE
		elif df.set_only_once:
			owned[df.fieldname] = Owner(on_insert=True)
	workflow = _workflow(doctype)
	if workflow:
		for fieldname in {workflow.workflow_state_field, *(s.update_field for s in workflow.states)}:
			if fieldname and meta.has_field(fieldname):
				owned[fieldname] = Owner(workflow=True)
	owned.update(DECLARED.get(doctype, {}))
	return owned


def _workflow(doctype: str):
	name = get_workflow_name(doctype)
	return frappe.get_cached_doc("Workflow", name) if name else None


def is_exempt(doc) -> bool:
	"""System Manager and Administrator, and server code that took the responsibility (ignore_permissions)."""
	if doc.flags.ignore_permissions:
		return True
	return frappe.session.user == "Administrator" or bool(set(EXEMPT_ROLES) & set(frappe.get_roles()))


def may_set(owner: Owner, before, roles: set[str]) -> bool:
	"""Whether a user with these roles may set the field on this record (``before`` None: on insert)."""
	if owner.workflow or owner.fetched_from:
		return False  # decided by the workflow or the link, never by role
	if before is not None and any(before.get(field) in values for field, values in owner.frozen_when):
		return False
	if before is None and owner.on_insert:
		return True
	return bool(roles & set(owner.roles))


# --- the two hooks -----------------------------------------------------------------------------------------


def before_validate(doc) -> None:
	"""Refuse a saved record's owned field the request changed; on insert, put it back and remember it."""
	if doc.meta.module != APP_MODULE:
		return  # every other doctype: one attribute read
	if doc.meta.istable:
		# Frappe runs no hook on the rows of a document it saves: this is a row saved on its own
		# (PUT /api/resource/<table>/<row>, POST /api/resource/<table>).
		if doc.get("parenttype"):
			_standalone_row(doc)
		return
	owned = declaration(doc.doctype)
	if not owned or is_exempt(doc):
		return
	before = doc.get_doc_before_save()
	roles = set(frappe.get_roles())
	changes = []
	meta = doc.meta
	for fieldname, owner in owned.items():
		df = meta.get_field(fieldname)
		if df.fieldtype in table_fields:
			changes += _table_changes(doc, df, owner, before, roles)
		elif not may_set(owner, before, roles):
			change = _field_change(doc, doc, df, owner, before)
			if change:
				changes.append(change)
	for df in meta.get_table_fields():
		if df.fieldname not in owned:
			changes += _column_changes(doc, df, before, roles)
	if changes and before is not None:
		_refuse(doc, changes[0])
	for change in changes:  # put back only now: a fetched field was judged by the link it came with
		change.row.set(change.df.fieldname, change.reset)
	if changes:
		doc.flags[CHANGES_FLAG] = changes


def validate(doc) -> None:
	"""Refuse the values a new record was sent with that its controller did not itself arrive at."""
	changes = doc.flags.pop(CHANGES_FLAG, None)
	if not changes:
		return
	for change in changes:
		if change.current() != change.sent:
			_refuse(doc, change)


# --- changes ----------------------------------------------------------------------------------------------


@dataclass
class Change:
	"""A value a request sent for an owned field, and the value it is put back to."""

	row: object  # the document or table row holding the field
	df: object
	owner: Owner
	sent: object  # normalised
	reset: object  # the stored value (on insert: the default) it is put back to
	label: str

	def current(self):
		return _normal(self.df, self.row.get(self.df.fieldname))


@dataclass
class TableChange(Change):
	def current(self):
		return _rows(self.row.get(self.df.fieldname))


def _field_change(doc, row, df, owner: Owner, before):
	"""The Change when ``row``'s field differs from what it may hold (the caller puts it back)."""
	value = _normal(df, row.get(df.fieldname))
	if before is not None:
		stored = before.get(df.fieldname)
		accepted = {_normal(df, stored)}
	else:
		stored = _new_values(row.doctype).get(df.fieldname)
		accepted = {_normal(df, None), _normal(df, stored)}
		if owner.workflow and df.fieldname == _state_field(doc):
			accepted.add(_first_state(doc.doctype))  # the desk sets the first state on a new form
	if value in accepted:
		return None
	if owner.fetched_from:
		if row.get(owner.fetched_from) and not doc.flags.ignore_links:
			return None  # Frappe has just copied it from its link (_validate_links runs before any hook)
		if value == _normal(df, None):
			return None  # cleared with its link
	if owner.workflow and _workflow_sets(doc, df.fieldname, value, before):
		return None
	label = _(df.label or df.fieldname, context=df.parent)
	if row is not doc:
		label = _("{0} in row {1} of {2}").format(label, row.idx, _(doc.meta.get_label(row.parentfield)))
	return Change(row=row, df=df, owner=owner, sent=value, reset=stored, label=label)


def _table_changes(doc, df, owner: Owner, before, roles: set[str]) -> list[Change]:
	"""A table owned whole: any row added, removed or edited."""
	if may_set(owner, before, roles):
		return []
	stored = list(before.get(df.fieldname) or []) if before is not None else []
	sent = _rows(doc.get(df.fieldname))
	if sent == _rows(stored):
		return []
	label = _(df.label or df.fieldname, context=df.parent)
	reset = [row.as_dict() for row in stored]
	return [TableChange(row=doc, df=df, owner=owner, sent=sent, reset=reset, label=label)]


def _column_changes(doc, df, before, roles: set[str]) -> list[Change]:
	"""An editable table: its rows' owned columns (new rows start from the child doctype's defaults)."""
	columns = declaration(df.options)
	if not columns:
		return []
	stored = {row.name: row for row in (before.get(df.fieldname) or [])} if before is not None else {}
	child_meta = frappe.get_meta(df.options)
	changes = []
	for row in doc.get(df.fieldname) or []:
		stored_row = stored.get(row.name)
		for fieldname, owner in columns.items():
			column = child_meta.get_field(fieldname)
			if column.fieldtype in table_fields or may_set(owner, stored_row, roles):
				continue
			change = _field_change(doc, row, column, owner, stored_row)
			if change:
				changes.append(change)
	return changes


def _standalone_row(row) -> None:
	"""A table row saved or inserted on its own: its parent's rules for that table apply, refused at once."""
	if is_exempt(row) or not frappe.db.exists("DocType", row.parenttype):
		return
	parent_meta = frappe.get_meta(row.parenttype)
	if parent_meta.module != APP_MODULE:
		return
	parent_owned = declaration(row.parenttype)
	table = parent_meta.get_field(row.parentfield)
	before = row.get_doc_before_save()
	roles = set(frappe.get_roles())
	owner = parent_owned.get(row.parentfield)
	if owner is not None and not may_set(owner, before, roles):
		columns = {df.fieldname: owner for df in _value_fields(row.meta)}
		if before is None:
			_refuse(row, Change(row=row, df=table, owner=owner, sent=None, reset=None, label=_(table.label)))
	else:
		columns = declaration(row.doctype)
	for fieldname, column_owner in columns.items():
		df = row.meta.get_field(fieldname)
		if may_set(column_owner, before, roles):
			continue
		change = _field_change(row, row, df, column_owner, before)
		if change:
			_refuse(row, change)


# --- values -----------------------------------------------------------------------------------------------


def _normal(df, value):
	"""A comparable form of a field's value (the desk and REST send numbers and dates as text)."""
	fieldtype = df.fieldtype
	if fieldtype in table_fields:
		return _rows(value)
	if fieldtype in ("Check", "Int", "Long Int"):
		return cint(value)
	if fieldtype in ("Float", "Currency", "Percent"):
		return round(flt(value), 6)
	if value is None or value == "":
		return ""
	try:
		if fieldtype == "Date":
			return str(getdate(value))
		if fieldtype == "Datetime":
			return str(get_datetime(value))
	except Exception:
		return cstr(value)
	return cstr(value)


def _value_fields(meta) -> list:
	return [
		df
		for df in meta.fields
		if df.fieldtype not in display_fieldtypes and df.fieldtype not in table_fields
	]


def _rows(rows) -> tuple:
	"""A table's rows as comparable tuples (their names and values, in order)."""
	result = []
	for row in rows or []:
		row = row if hasattr(row, "meta") else frappe._dict(row)
		meta = frappe.get_meta(row.doctype) if row.get("doctype") else None
		fields = _value_fields(meta) if meta else []
		result.append((cstr(row.get("name")), tuple(_normal(df, row.get(df.fieldname)) for df in fields)))
	return tuple(result)


def _new_values(doctype: str) -> dict:
	"""A new document's defaults, as Frappe's insert fills them in (Document._set_defaults)."""
	cache = getattr(frappe.local, "vs_system_owned_defaults", None)
	if cache is None:
		cache = frappe.local.vs_system_owned_defaults = {}
	key = (doctype, frappe.session.user)
	if key not in cache:
		cache[key] = frappe.new_doc(doctype, as_dict=True)
	return cache[key]


# --- the workflow -----------------------------------------------------------------------------------------


def _state_field(doc) -> str | None:
	workflow = _workflow(doc.doctype)
	return workflow.workflow_state_field if workflow else None


def _first_state(doctype: str) -> str:
	workflow = _workflow(doctype)
	return workflow.states[0].state if workflow and workflow.states else ""


def _workflow_sets(doc, fieldname: str, value, before) -> bool:
	"""Whether Frappe's apply_workflow is applying a transition to this very document that sets this value."""
	transition = _applying_transition(doc)
	if not transition or before is None:
		return False
	workflow = _workflow(doc.doctype)
	if before.get(workflow.workflow_state_field) != transition.get("state"):
		return False
	if fieldname == workflow.workflow_state_field:
		return value == transition.get("next_state")
	state = next((s for s in workflow.states if s.state == transition.get("next_state")), None)
	return bool(state and state.update_field == fieldname and value == cstr(state.update_value))


def _applying_transition(doc):
	"""The transition ``frappe.model.workflow.apply_workflow`` is applying to ``doc``, if it is on the stack.

	apply_workflow loads the document from the database, sets the state field and the next state's
	update_field, then saves: its frame holds that document (``doc``) and the transition it checked
	(``transition``, after get_transitions and has_approval_access). Nothing a request sends can create it.
	"""
	frame = sys._getframe(1)
	try:
		while frame is not None:
			if (
				frame.f_code.co_name == "apply_workflow"
				and frame.f_globals.get("__name__") == "frappe.model.workflow"
				and frame.f_locals.get("doc") is doc
			):
				return frame.f_locals.get("transition")
			frame = frame.f_back
		return None
	finally:
		del frame


# --- refusal and the desk ---------------------------------------------------------------------------------


def _refuse(doc, change: Change) -> None:
	owner = change.owner
	if owner.workflow:
		message = _("{0} is set by the workflow: use its actions.").format(frappe.bold(change.label))
	elif owner.frozen_when:
		message = _("{0} cannot be changed now: {1} is {2}.").format(
			frappe.bold(change.label),
			_(doc.meta.get_label(owner.frozen_when[0][0])),
			_(cstr(doc.get(owner.frozen_when[0][0]))),
		)
	elif owner.roles:
		message = _("Only {0} may change {1}.").format(
			", ".join(_(role) for role in owner.roles), frappe.bold(change.label)
		)
	elif owner.on_insert:
		message = _("{0} is set when the {1} is created and cannot be changed.").format(
			frappe.bold(change.label), _(doc.doctype)
		)
	else:
		message = _(
			"{0} is set by the system, not by hand, and cannot be changed. If the form has been open for a "
			"while, reload it."
		).format(frappe.bold(change.label))
	frappe.throw(message, exc=SystemOwnedFieldError, title=_("Field Not Editable"))


@frappe.whitelist()
def locked_fields(doctype: str, name: str | None = None) -> list[str]:
	"""Desk: the ``DECLARED`` fields of this record (or a new one) the user may not set now.

	The doctype's read-only fields are read-only on the form already; these depend on the role or state.
	"""
	if name:
		doc = frappe.get_doc(doctype, name)
		doc.check_permission("read")
	else:
		frappe.has_permission(doctype, "read", throw=True)
		doc = frappe.new_doc(doctype)
	if is_exempt(doc):
		return []
	before = doc if name else None
	roles = set(frappe.get_roles())
	return [
		fieldname
		for fieldname, owner in DECLARED.get(doctype, {}).items()
		if not may_set(owner, before, roles)
	]
