"""Child-table rows follow their parent *record* (issue #17).

Frappe v15 sends every permission check on a child doctype (``istable``) to
``frappe.permissions.has_child_permission``, which ends with
``has_permission(parenttype, doc=getattr(row, "parent_doc", row.parent))``. ``parent_doc`` is a property
that is None on a row fetched on its own, so the parent is checked as a *doctype*: no record, no
``has_permission`` hooks. ``GET /api/resource/<table>/<row>``, ``frappe.client.get`` (``parent=``,
``filters=``) and ``frappe.desk.form.load.getdoc`` on a table therefore gave a caseworker any caseload's
PEP targets, escalation notes, refusal reasons and status history, row name by row name. Lists of a
table (``get_list`` with ``parent=``) apply the table's own permission query conditions, of which a
table has none unless someone writes one.

Closed here, for **every** child doctype of the site, not only the app's: the rule (a row is part of its
parent record) is what Frappe itself means (its ``parent_doc`` branch checks the record when the row was
loaded with it), it costs nothing on the paths that already load the parent, and Frappe's own tables
(``Has Role``, ``Contact Email``, ``Dynamic Link``…) leak their parents the same way.

- ``install``: ``frappe.permissions.has_child_permission`` (the module-level name ``has_permission``
  calls) is wrapped. With a row, Frappe's own check must pass *and* ``has_permission(parenttype, ptype,
  <parent record>)`` (role, user permissions, shares and the caseload hooks); a row whose parent no
  longer exists is refused. The refusal names neither the parent nor its doctype.
- ``query_conditions``: a table's rows are listed only when their parent is one the user may list (the
  parent doctype's own conditions, built by Frappe's ``DatabaseQuery`` exactly as its list builds them,
  or the records shared with the user) and their table field is at a permission level the user reads on
  that parent. Parents are read from metadata (DocField and Custom Field of type Table), so a new table
  is covered without an entry in hooks.py. Non-tables return at once (this runs for every query).
- Website users (School Portal Users included) get no direct access to any child doctype, even of a
  record shared with them: the wrapper refuses them every row and every list of rows (before any query).
  The school portal reads rows through its own scoped methods, never through Frappe's generic ones.

PP Plus Impact Report (one school's term, a row per funded claim, so children of several caseloads) had no
caseload rule, so neither had its rows. Its rule (``virtual_school.permissions``): a caseworker reads and
edits a report only when every row's claim is for a child on their caseload; a report spanning caseloads
is the Head's and Managers' (Finance, who reads every funded claim, keeps reading them); a report without
rows names no child. Per-row hiding inside one report was not chosen: the form loads and saves all rows,
so a caseworker's save would drop the rows they could not see. Schools keep their portal pages, which
read reports through the portal's own scoped methods. The rows follow the report through this module.

A row's permlevel fields already follow the parent's permlevels on every path (Frappe takes a table's
DocPerms from ``parenttype`` in ``Document.apply_fieldlevel_read_permissions`` and from ``parent_doctype``
in ``get_list``'s permitted fields); the tests check it for each restricted row field. One limit: a
table used by two parent doctypes (none of the app's) listed with ``parent=A`` gets A's permlevels for
rows of B too, as the list's query conditions cannot see which parent the caller named.
"""

import functools

import frappe
import frappe.permissions
import frappe.share
from frappe import _
from frappe.model import table_fields
from frappe.model.db_query import DatabaseQuery
from frappe.permissions import get_role_permissions, is_system_user, push_perm_check_log

NOTHING = "1 = 0"


def install() -> None:
	"""Wrap Frappe's ``has_child_permission`` once per process."""
	if not getattr(frappe.permissions.has_child_permission, "vs_parent_record_guard", False):
		frappe.permissions.has_child_permission = _guard(frappe.permissions.has_child_permission)


def _guard(has_child_permission):
	@functools.wraps(has_child_permission)
	def guarded(
		child_doctype,
		ptype="read",
		child_doc=None,
		user=None,
		raise_exception=True,
		parent_doctype=None,
		*,
		debug=False,
	) -> bool:
		user = user or frappe.session.user
		if user != "Administrator" and not is_system_user(user):
			push_perm_check_log(_("Website users have no access to child tables."), debug=debug)
			return False
		allowed = has_child_permission(
			child_doctype, ptype, child_doc, user, raise_exception, parent_doctype, debug=debug
		)
		if not allowed or not child_doc:
			return allowed  # no row: a doctype-level question (lists apply query_conditions below)
		return parent_record_allows(child_doctype, child_doc, ptype, user, debug=debug)

	guarded.vs_parent_record_guard = True
	return guarded


def parent_record_allows(child_doctype: str, row, ptype: str, user: str, *, debug: bool = False) -> bool:
	"""Whether the user has ``ptype`` on the record the row belongs to (Frappe has already passed the row)."""
	if isinstance(row, str):
		row = frappe.db.get_value(child_doctype, row, ("parenttype", "parent"), as_dict=True)
		if not row:
			return True  # no such row: nothing to read (Frappe's doctype-level answer stands)
	elif getattr(row, "parent_doc", None) is not None:
		return True  # loaded with its parent: Frappe checked that very record
	if not row.get("parent"):
		return True  # a new row not attached to any record yet: nothing of a record to read
	try:
		parent = frappe.get_doc(row.parenttype, row.parent)
	except frappe.DoesNotExistError:
		frappe.clear_last_message()
		parent = None
	# raise_exception=False: Frappe's own refusal message would name the parent record
	if parent is None or not frappe.permissions.has_permission(
		row.parenttype, ptype, doc=parent, user=user, raise_exception=False, debug=debug
	):
		push_perm_check_log(_("The record this row belongs to is not open to you."), debug=debug)
		return False
	return True


def query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""Rows of a child table: only those of parent records the user may list, at a level they read."""
	if not doctype or not frappe.get_meta(doctype).istable:
		return ""
	user = user or frappe.session.user
	if user == "Administrator":
		return ""
	rows = []
	for parent in parent_doctypes(doctype):
		parent_meta = frappe.get_meta(parent)
		if parent_meta.istable:
			continue
		fields = readable_table_fields(parent_meta, doctype, user)
		if not fields:
			continue
		condition = listable_condition(parent, user)
		if condition is None:
			continue
		table = f"`tab{doctype}`"
		row = (
			f"{table}.`parenttype` = {frappe.db.escape(parent)}"
			f" and {table}.`parentfield` in ({', '.join(frappe.db.escape(field) for field in fields)})"
		)
		if parent_meta.issingle:
			row += f" and {table}.`parent` = {frappe.db.escape(parent)}"
		elif condition:
			row += (
				f" and {table}.`parent` in (select `tab{parent}`.`name` from `tab{parent}` where {condition})"
			)
		rows.append(f"({row})")
	return "(" + " or ".join(rows) + ")" if rows else NOTHING


def parent_doctypes(table: str) -> list[str]:
	"""Doctypes with a Table field of this child doctype, from metadata (cached for the request)."""
	cache = getattr(frappe.local, "vs_child_row_parents", None)
	if cache is None:
		cache = frappe.local.vs_child_row_parents = {}
	if table not in cache:
		types = ["in", list(table_fields)]
		parents = set(
			frappe.get_all(
				"DocField",
				filters={"parenttype": "DocType", "fieldtype": types, "options": table},
				pluck="parent",
			)
		)
		parents |= set(
			frappe.get_all("Custom Field", filters={"fieldtype": types, "options": table}, pluck="dt")
		)
		cache[table] = sorted(parents)
	return cache[table]


def readable_table_fields(parent_meta, table: str, user: str) -> list[str]:
	"""The parent's Table fields of this table whose permission level the user reads on the parent."""
	levels = parent_meta.get_permlevel_access("read", user=user)
	return [
		df.fieldname
		for df in parent_meta.get_table_fields()
		if df.options == table and (not df.permlevel or df.permlevel in levels)
	]


def listable_condition(parent: str, user: str) -> str | None:
	"""SQL on `tab<parent>` for the records the user may list: "" for all of them, None for none.

	The conditions Frappe's own list of the parent applies: with role read permission, the owner
	constraint, user permissions, every permission query hook and shares; without it, only records
	shared with the user (still narrowed by the hooks). Role "select" alone reads no row.
	"""
	meta = frappe.get_meta(parent)
	query = DatabaseQuery(parent, user=user)
	query.reference_doctype = parent  # as DatabaseQuery.execute sets it, for user permissions
	if get_role_permissions(meta, user=user).get("read"):
		if meta.issingle:
			return ""
		try:
			return query.build_match_conditions() or ""
		except frappe.PermissionError:
			return None
	if meta.issingle:
		return None
	shared = frappe.share.get_shared(parent, user, rights=["read"])
	if not shared:
		return None
	condition = f"`tab{parent}`.`name` in ({', '.join(frappe.db.escape(name) for name in shared)})"
	if hooks := query.get_permission_query_conditions():
		condition += f" and ({hooks})"
	return condition
