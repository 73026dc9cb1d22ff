"""A field above the reader's permission level is invisible everywhere, not only as a column (issue #17).

Frappe v15 removes a field the user may not read from the *columns* of a list query
(``DatabaseQuery.apply_fieldlevel_read_permissions``), but never looks at ``filters``, ``or_filters``,
``order_by``, ``group_by`` or field expressions. Finance, who has no permission level 1 on Child, could
therefore list children with ``[["carer_name", "like", "Aria R%"]]`` and recover a carer's name one
character at a time, or sort by it, group by it, or aggregate over it (``sum(if(carer_name like ...))``).
Every generic path ends in ``DatabaseQuery`` with permissions applied: ``frappe.get_list``,
``frappe.client.get_list/get_value/get_count`` (the app's count override), ``/api/resource`` lists, the
report view (``reportview.get/get_count/export_query``), sidebar counts and stats, link search. So the
guard sits there once, for every doctype: before Frappe builds the WHERE clause it refuses, with a
PermissionError naming the field, any reference to a field above the user's level — in the queried
doctype, its child tables (whose level follows the parent) and joined or linked tables. Plain columns
are left to Frappe, which drops them silently (so the desk's list view keeps working).

Expressions are not parsed as SQL: string literals are removed and every remaining identifier, with its
table qualifier when it has one, is compared (case-insensitively, as MariaDB compares column names) with
the restricted fieldnames. An unqualified identifier is compared with the restricted fields of every
table the query may reach, so a name that cannot be resolved is refused rather than trusted.

Frappe's version history has the same hole: ``Version.data`` holds every changed value, old and new.
It is stripped of fields above the reader's level on every path: the form's timeline
(``frappe.desk.form.load.get_versions``, used by ``getdoc``/``get_docinfo``), a Version read as a
document (``RestrictedVersion``, the controller hooks.py gives Version: REST, ``frappe.client.get``,
``getdoc``) and Version lists (``data`` is stripped row by row; it may not be filtered, sorted or
grouped on, nor used in an expression).

Outside ``DatabaseQuery``: the sidebar's ``frappe.desk.listview.get_group_by_count`` (its "Assigned To"
count filters with ``frappe.qb``, without any permission check) checks its filters and field;
``frappe.client.get_value``/``get_single_value`` check single doctypes (read straight from tabSingles,
without Frappe's level check); link search (``search_widget``) drops its own search fields (the title
and search fields from metadata) when restricted instead of refusing the whole search; and the report
view's ``validate_fields`` (also behind ``frappe.client.get_list``), which silently drops some restricted
aggregates, refuses them instead, so every path gives the same answer.
"""

import functools
import json
import os
import re

import frappe
import frappe.client
import frappe.desk.form.load
import frappe.desk.listview
import frappe.desk.reportview
import frappe.desk.search
from frappe import _
from frappe.core.doctype.version.version import Version
from frappe.model import child_table_fields, default_fields, no_value_fields, optional_fields, table_fields
from frappe.model.db_query import DatabaseQuery
from frappe.model.meta import Meta

ADMINISTRATOR = "Administrator"
DEFAULT_ORDER_BY = "KEEP_DEFAULT_ORDERING"  # frappe.database.utils.DefaultOrderBy
STANDARD_FIELDS = frozenset(f.lower() for f in (*default_fields, *child_table_fields, *optional_fields))
# Version.data (every changed value) may be selected, and is then stripped, but never queried on.
VERSION_DATA = "data"
HIDDEN_REF_DOCTYPE = "_vs_ref_doctype"

_IDENT = r"`(?:[^`]|``)+`|[A-Za-z_$][A-Za-z0-9_$]*"
_REFERENCE = re.compile(rf"({_IDENT})(?:\s*\.\s*({_IDENT}))?")
_PLAIN_IDENT = re.compile(rf"^\s*({_IDENT})\s*$")
_PLAIN_COLUMN = re.compile(
	rf"^\s*(?:({_IDENT})\s*\.\s*)?({_IDENT}|\*)(?:\s+as\s+({_IDENT}))?\s*$", flags=re.IGNORECASE
)
_TRAILING_ALIAS = re.compile(rf"\s+as\s+({_IDENT})\s*$", flags=re.IGNORECASE)
# MariaDB string literals (backslash escapes and doubled quotes), removed before looking for identifiers.
_LITERAL = re.compile(r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\"", flags=re.DOTALL)
_MARK = "_vs_restricted_fields"
# A random stamp every Meta gets when Frappe builds it (bytes: left out of Meta.as_dict, kept by pickle).
META_STAMP = "_vs_meta_stamp"
# {(site, kind, doctype, ..., meta stamps, roles): restricted fields}, shared by the requests of a process.
_MAPS: dict[tuple, dict] = {}
MAPS_LIMIT = 4096


# Install: wrap Frappe's query builder and the few whitelisted methods that bypass it
# ------------------------------------------------------------------------------------


def install() -> None:
	"""Apply the guards on Frappe's functions (once per process, from virtual_school.security.install)."""
	_patch(Meta, "__init__", _stamping_meta_init)
	_patch(DatabaseQuery, "build_conditions", _guarded_build_conditions)
	_patch(DatabaseQuery, "prepare_args", _prepare_args_marking_version_data)
	_patch(DatabaseQuery, "build_and_run", _build_and_run_stripping_version_data)
	_patch(frappe.desk.reportview, "validate_fields", _guarded_validate_fields)
	_patch(frappe.desk.form.load, "get_versions", _stripped_get_versions)
	_patch(frappe.desk.listview, "get_group_by_count", _guarded_get_group_by_count, whitelisted=True)
	_patch(frappe.desk.search, "search_widget", _search_widget_without_restricted_fields, whitelisted=True)
	_patch(frappe.client, "get_value", _guarded_get_value, whitelisted=True)
	_patch(frappe.client, "get_single_value", _guarded_get_single_value, whitelisted=True)


def _patch(owner, name: str, make_wrapper, whitelisted: bool = False) -> None:
	original = getattr(owner, name)
	if getattr(original, _MARK, False):
		return
	wrapper = functools.wraps(original)(make_wrapper(original))
	setattr(wrapper, _MARK, True)
	if whitelisted:
		methods = frappe.allowed_http_methods_for_whitelisted_func.get(original)
		wrapper = frappe.whitelist(methods=methods)(wrapper)
		setattr(wrapper, _MARK, True)
	setattr(owner, name, wrapper)


def _applies(user: str | None) -> bool:
	return (user or frappe.session.user) != ADMINISTRATOR


# Which fields a user may not read
# --------------------------------


def restricted_fields(doctype: str, user: str | None = None, parenttype: str | None = None) -> dict:
	"""{lowercase fieldname: fieldname} of the fields of ``doctype`` above ``user``'s read levels.

	A child table's levels are its parent's (``parenttype``), as in Frappe's own field-level checks; a
	child table named without its parent is read with no level at all.
	"""
	return dict(_restricted_map(doctype, user, parenttype))


def _restricted_map(doctype: str, user: str | None, parenttype: str | None = None) -> dict:
	"""``restricted_fields`` from the process cache (the returned dict is shared: never change it)."""
	try:
		meta = _stamped(frappe.get_meta(doctype))
	except frappe.DoesNotExistError:
		return {}  # no such table: the query fails on its own
	parent_meta = _stamped(frappe.get_meta(parenttype)) if meta.istable and parenttype else None
	stamps = (_stamp(meta), _stamp(parent_meta) if parent_meta else b"")
	key = None
	if None not in stamps:
		key = ("fields", meta.name, parent_meta and parent_meta.name, *stamps, _roles(user))
	return _cached(key, lambda: _compute_restricted(meta, user, parent_meta))


def _compute_restricted(meta, user: str | None, parent_meta) -> dict:
	out = {VERSION_DATA: VERSION_DATA} if meta.name == "Version" else {}
	parenttype = parent_meta.name if parent_meta else None
	parent_table_restricted = False
	if parent_meta:
		# a table field above the reader's level hides every field of its rows
		tables = [df for df in parent_meta.get_table_fields() if df.options == meta.name and df.permlevel]
		if tables:
			levels = _read_levels(parent_meta, user)
			parent_table_restricted = any(df.permlevel not in levels for df in tables)
	if not meta.get_high_permlevel_fields() and not parent_table_restricted:
		return out
	levels = _read_levels(meta, user, parenttype)
	for df in meta.fields:
		if df.fieldtype in no_value_fields and df.fieldtype not in table_fields:
			continue
		if parent_table_restricted or (df.permlevel and df.permlevel not in levels):
			out[df.fieldname.lower()] = df.fieldname
	return out


# The process cache
# -----------------
# The guard runs on every list query, and reading a doctype's meta is not cheap in Frappe v15 (a Redis
# read and an unpickle per doctype and request: ~0.2-1 ms each for the Child doctype and its tables), so
# the restricted fields are computed once per process for each meta and set of roles. The key holds the
# meta's stamp (``_stamping_meta_init``): Frappe builds a new Meta, hence a new stamp, whenever what the
# fields and levels are made of may have changed, because every such change clears the doctype's cached
# meta: a DocType save, a Custom Field or Property Setter saved or deleted, a Custom DocPerm (role
# permission manager), ``bench clear-cache`` and migrate (``frappe.clear_cache``), in every process alike
# (the meta lives in Redis) and again after the commit or rollback (``clear_doctype_cache``). Clearing a
# child table's meta also clears every doctype with a Table field of it, so a parent's stamp covers its
# tables' fields. A meta without a stamp (built by a process without ``install()``, such as migrate) is
# built again once, stamped, as Frappe builds a missing one (``_stamped``).


def _stamp(meta) -> bytes | None:
	return meta.__dict__.get(META_STAMP)


def _stamped(meta):
	"""The doctype's meta with a stamp: one built by a process without the stamping (migrate, a console)
	is built again and replaces it in Redis, as ``frappe.get_meta`` does when it finds none."""
	if _stamp(meta) is not None or not getattr(Meta.__init__, _MARK, False):
		return meta
	return frappe.get_meta(meta.name, cached=False)


def _stamping_meta_init(original):
	"""Stamp every Meta Frappe builds, so the process cache can tell one build of a doctype from the next."""

	def __init__(self, *args, **kwargs):
		original(self, *args, **kwargs)
		self.__dict__[META_STAMP] = _new_stamp()

	return __init__


def _new_stamp() -> bytes:
	return os.urandom(12)


def _roles(user: str | None) -> frozenset:
	return frozenset(frappe.get_roles(user))


def _cached(key: tuple | None, compute):
	if key is None:
		return compute()
	key = (frappe.local.site, *key)
	found = _MAPS.get(key)
	if found is None:
		found = compute()
		if len(_MAPS) >= MAPS_LIMIT:  # stamps of replaced metas accumulate: start again
			_MAPS.clear()
		_MAPS[key] = found
	return found


def _read_levels(meta, user: str | None, parenttype: str | None = None) -> set[int]:
	return set(
		meta.get_permlevel_access(
			permission_type="read", parenttype=parenttype if meta.istable else None, user=user
		)
	)


def _refuse(fieldname: str, doctype: str, where: str):
	frappe.throw(
		_("Field {0} of {1} cannot be used in {2}: you are not permitted to read it.").format(
			fieldname, _(doctype), where
		),
		frappe.PermissionError,
		title=_("Not permitted"),
	)


def _bundle(meta, user: str, parent_doctype: str | None) -> dict:
	"""{doctype: restricted fields} for a doctype and its child tables (shared: never change it).

	From the process cache, keyed by the doctype's meta stamp and the user's roles: the child tables'
	metas are not read at all once it is filled. A child table is read with its parent's permissions.
	"""
	if meta.istable:
		return {meta.name: _restricted_map(meta.name, user, parent_doctype)}
	meta = _stamped(meta)
	stamp = _stamp(meta)
	if stamp is not None:
		return _cached(("bundle", meta.name, stamp, _roles(user)), lambda: _compute_bundle(meta, user))
	# without install() (no stamps): kept on the (per-request) meta object only
	cache = meta.__dict__.setdefault("_vs_restricted_fields", {})
	key = _roles(user)
	if key not in cache:
		cache[key] = _compute_bundle(meta, user)
	return cache[key]


def _compute_bundle(meta, user: str) -> dict:
	bundle = {meta.name: _restricted_map(meta.name, user)}
	for table in meta.get_table_fields():
		bundle.setdefault(table.options, _restricted_map(table.options, user, meta.name))
	return bundle


class QueryScope:
	"""The doctypes one query can reach and, per doctype, the fields the user may not read."""

	def __init__(self, doctype: str, user: str, parent_doctype: str | None = None, meta=None):
		self.doctype, self.user = doctype, user
		self.meta = meta if meta is not None else frappe.get_meta(doctype)
		self.parent_doctype = parent_doctype if self.meta.istable else None
		self._bundle = _bundle(self.meta, user, self.parent_doctype)  # shared with other queries
		self._others: dict[str, dict] = {}
		self.doctypes = list(self._bundle)
		self.aliases: dict[str, str] = {}  # lowercase table or alias -> doctype

	def restricted(self, doctype: str) -> dict:
		found = self._bundle.get(doctype)
		if found is not None:
			return found
		if doctype not in self._others:
			parenttype = self.parent_doctype if doctype == self.doctype else self.doctype
			self._others[doctype] = _restricted_map(doctype, self.user, parenttype)
		return self._others[doctype]

	def add_doctype(self, doctype: str, alias: str | None = None) -> None:
		if doctype and doctype not in self.doctypes:
			self.doctypes.append(doctype)
		if alias:
			self.aliases[alias.strip("`").lower()] = doctype

	def add_table(self, table: str, alias: str | None = None) -> None:
		"""A table of the query as Frappe writes it: ```tabChild```."""
		name = table.strip("`")
		if name.startswith("tab"):
			self.add_doctype(name[3:], alias)

	def any_restricted(self) -> bool:
		return any(self.restricted(doctype) for doctype in self.doctypes)

	def union(self) -> dict:
		"""{lowercase fieldname: (fieldname, doctype)} over every reachable doctype."""
		out = {}
		for doctype in self.doctypes:
			for lower, fieldname in self.restricted(doctype).items():
				out.setdefault(lower, (fieldname, doctype))
		return out

	# filters -----------------------------------------------------------------------------------------

	def check_filters(self, filters, where: str, drop: bool = False):
		"""Refuse any filter on a restricted field (or return the filters without them, when ``drop``)."""
		if not filters:
			return filters
		if isinstance(filters, str):
			try:
				filters = json.loads(filters)
			except ValueError:
				self.check_sql(filters, where)
				return filters
		if isinstance(filters, dict):
			for key in filters:
				self.check_fieldname(self.doctype, key, where)
			return filters
		if not isinstance(filters, list | tuple):
			return filters
		kept = []
		for condition in filters:
			try:
				for doctype, fieldname in _filter_targets(self.doctype, condition):
					if doctype is None:
						self.check_sql(fieldname, where)
					else:
						self.check_fieldname(doctype, fieldname, where)
			except frappe.PermissionError:
				if not drop:
					raise
				frappe.clear_last_message()
				continue
			kept.append(condition)
		return kept

	def check_fieldname(self, doctype: str, fieldname, where: str) -> None:
		"""A filter's field as ``frappe.utils.get_filter`` resolves it, or an expression in its place."""
		fieldname = str(fieldname)
		if not _PLAIN_IDENT.match(fieldname):
			self.add_doctype(doctype)
			self.check_sql(fieldname, where)
			return
		lower = fieldname.strip().strip("`").lower()
		if lower in STANDARD_FIELDS:
			return
		self.add_doctype(doctype)
		if lower in (restricted := self.restricted(doctype)):
			_refuse(restricted[lower], doctype, where)
		try:
			meta = self.meta if doctype == self.doctype else frappe.get_meta(doctype)
		except frappe.DoesNotExistError:
			return
		if meta.has_field(fieldname):
			return
		# get_filter moves a field that is not the doctype's to the first child table that has it
		for table in meta.get_table_fields():
			self.add_doctype(table.options)
			if lower in (restricted := self.restricted(table.options)):
				_refuse(restricted[lower], table.options, where)

	# expressions --------------------------------------------------------------------------------------

	def check_sql(self, text, where: str) -> None:
		"""Refuse an SQL fragment (order by, group by, a field expression) naming a restricted field."""
		if not text or not isinstance(text, str):
			return
		union = None
		for qualifier, column in _references(text):
			lower = column.lower()
			if qualifier is not None:
				doctype = self._resolve(qualifier)
				if doctype is not None:
					if lower in (restricted := self.restricted(doctype)):
						_refuse(restricted[lower], doctype, where)
					continue
			if union is None:
				union = self.union()
			if lower in union:
				_refuse(*union[lower], where)

	def _resolve(self, qualifier: str) -> str | None:
		lower = qualifier.lower()
		if lower in self.aliases:
			return self.aliases[lower]
		if lower.startswith("tab"):
			for doctype in self.doctypes:
				if doctype.lower() == lower[3:]:
					return doctype
		for table in self.meta.get_table_fields():
			if table.fieldname.lower() == lower:
				return table.options
		return None  # unknown: compared with every reachable doctype


def _filter_targets(doctype: str, condition):
	"""(doctype, fieldname) pairs one filter condition names; (None, sql) for a condition as SQL text."""
	if isinstance(condition, str):
		return [(None, condition)]
	if isinstance(condition, dict):
		return [(doctype, key) for key in condition]
	if isinstance(condition, list | tuple):
		if len(condition) >= 4:
			return [(condition[0] or doctype, condition[1])]
		if condition:
			return [(doctype, condition[0])]
	return []


def _references(text: str):
	"""(qualifier or None, column) for every identifier in an SQL fragment, outside string literals."""
	stripped = _LITERAL.sub(" ", text)
	if "'" in stripped or '"' in stripped:
		stripped = text  # unbalanced quotes: look everywhere rather than trust the split
	stripped = _TRAILING_ALIAS.sub("", stripped)
	for match in _REFERENCE.finditer(stripped):
		first, second = match.group(1), match.group(2)
		if second is None:
			yield None, _unquote(first)
		else:
			yield _unquote(first), _unquote(second)


def _unquote(identifier: str) -> str:
	identifier = identifier.strip()
	if identifier.startswith("`") and identifier.endswith("`"):
		return identifier[1:-1].replace("``", "`")
	return identifier


def _is_plain_column(field: str) -> bool:
	"""A column as such (``name``, ```tabChild`.`name```, ``name as n``, ``*``): Frappe drops these itself."""
	return bool(_PLAIN_COLUMN.match(field))


# DatabaseQuery
# -------------


def check_query(query) -> None:
	"""Refuse a list query that filters, sorts, groups or computes on a field the user may not read."""
	if query.flags.ignore_permissions or not _applies(query.user):
		return
	scope = QueryScope(
		query.doctype, query.user or frappe.session.user, query.parent_doctype, meta=query.doctype_meta
	)
	for table in query.tables:
		scope.add_table(table)
	for link in query.link_tables:
		scope.add_table(link.table_name, alias=link.table_alias)
	query.filters = scope.check_filters(query.filters, "filters")
	query.or_filters = scope.check_filters(
		query.or_filters, "or_filters", drop=bool(frappe.flags.get("vs_search_drops_restricted"))
	)
	if not scope.any_restricted():
		return
	if isinstance(query.order_by, str) and query.order_by != DEFAULT_ORDER_BY:
		scope.check_sql(query.order_by, "order_by")
	scope.check_sql(query.group_by, "group_by")
	for field in query.fields or []:
		if isinstance(field, str) and not _is_plain_column(field):
			scope.check_sql(field, "fields")


def _guarded_validate_fields(original):
	"""The report view and frappe.client.get_list drop a restricted aggregate silently: refuse it instead."""

	def validate_fields(data):
		fields = data.get("fields")
		if fields and isinstance(fields, list | tuple) and _applies(None):
			expressions = [f for f in fields if isinstance(f, str) and not _is_plain_column(f)]
			if expressions:
				parent = data.get("parent_doctype") or data.get("parenttype")
				scope = QueryScope(data.doctype, frappe.session.user, parent)
				if scope.any_restricted():
					for field in expressions:
						scope.check_sql(field, "fields")
		return original(data)

	return validate_fields


def _guarded_build_conditions(original):
	def build_conditions(self, *args, **kwargs):
		check_query(self)
		return original(self, *args, **kwargs)

	return build_conditions


def _prepare_args_marking_version_data(original):
	"""A Version list selecting ``data`` also selects ``ref_doctype`` (hidden), to strip each row by it."""

	def prepare_args(self, *args, **kwargs):
		result = original(self, *args, **kwargs)
		self._vs_version_data = None
		if self.doctype != "Version" or self.flags.ignore_permissions or not _applies(self.user):
			return result
		slots = []
		for index, field in enumerate(self.fields):
			match = field and _PLAIN_COLUMN.match(field)
			if match and _unquote(match.group(2)).lower() == VERSION_DATA:
				slots.append((index, _unquote(match.group(3) or match.group(2))))
		if slots:
			result.fields += f", `tabVersion`.`ref_doctype` as `{HIDDEN_REF_DOCTYPE}`"
			self._vs_version_data = (slots, len(self.fields))
		return result

	return prepare_args


def _build_and_run_stripping_version_data(original):
	def build_and_run(self, *args, **kwargs):
		self._vs_version_data = None
		result = original(self, *args, **kwargs)
		marked = getattr(self, "_vs_version_data", None)
		if not marked or not self.run or not isinstance(result, list | tuple):
			return result
		slots, hidden = marked
		stripper = VersionStripper(self.user or frappe.session.user)
		rows = []
		for row in result:
			if isinstance(row, dict):
				ref_doctype = row.pop(HIDDEN_REF_DOCTYPE, None)
				for _index, key in slots:
					if key in row:
						row[key] = stripper.strip(ref_doctype, row[key])
				rows.append(row)
			else:
				values = list(row)
				ref_doctype = values.pop(hidden) if len(values) > hidden else None
				for index, _key in slots:
					values[index] = stripper.strip(ref_doctype, values[index])
				rows.append(tuple(values) if isinstance(row, tuple) else values)
		return rows

	return build_and_run


# Version history
# ---------------


class VersionStripper:
	"""Removes from Version data every value of a field above the reader's level (and its child rows')."""

	def __init__(self, user: str | None = None):
		self.user = user or frappe.session.user
		self._plans: dict[str, tuple | None] = {}

	def plan(self, ref_doctype: str | None):
		"""(restricted parent fields, {table fieldname: restricted child fields or None = whole table})."""
		if ref_doctype not in self._plans:
			self._plans[ref_doctype] = self._make_plan(ref_doctype)
		return self._plans[ref_doctype]

	def _make_plan(self, ref_doctype):
		if not ref_doctype or not frappe.db.exists("DocType", ref_doctype):
			return (None, None)  # unknown: nothing can be kept safely
		meta = frappe.get_meta(ref_doctype)
		levels = _read_levels(meta, self.user)
		parent = {df.fieldname for df in meta.fields if df.permlevel and df.permlevel not in levels}
		tables = {}
		for table in meta.get_table_fields():
			if table.permlevel and table.permlevel not in levels:
				tables[table.fieldname] = None
				continue
			child = frappe.get_meta(table.options)
			tables[table.fieldname] = {
				df.fieldname for df in child.fields if df.permlevel and df.permlevel not in levels
			}
		if not parent and not any(v is None or v for v in tables.values()):
			return None  # the reader sees every field
		return (parent, tables)

	def strip(self, ref_doctype: str | None, data):
		plan = self.plan(ref_doctype)
		if plan is None or not data:
			return data
		parent, tables = plan
		if parent is None:
			return "{}" if isinstance(data, str) else {}
		try:
			parsed = json.loads(data) if isinstance(data, str) else data
		except ValueError:
			return "{}"
		if not isinstance(parsed, dict):
			return "{}"
		stripped = self.strip_parsed(parsed, parent, tables)
		return (
			json.dumps(stripped, separators=(",", ":"), sort_keys=True, default=str)
			if isinstance(data, str)
			else stripped
		)

	@staticmethod
	def strip_parsed(data: dict, parent: set, tables: dict) -> dict:
		def table_rule(entry):
			return tables.get(entry[0], set()) if entry and isinstance(entry[0], str) else set()

		out = dict(data)
		out["changed"] = [entry for entry in data.get("changed") or [] if not (entry and entry[0] in parent)]
		for key in ("added", "removed"):
			rows = []
			for entry in data.get(key) or []:
				rule = table_rule(entry)
				if rule is None:
					continue
				if rule and len(entry) > 1 and isinstance(entry[1], dict):
					entry = [entry[0], {k: v for k, v in entry[1].items() if k not in rule}]
				rows.append(entry)
			out[key] = rows
		row_changed = []
		for entry in data.get("row_changed") or []:
			rule = table_rule(entry)
			if rule is None:
				continue
			if rule and len(entry) > 3 and isinstance(entry[3], list):
				changes = [change for change in entry[3] if not (change and change[0] in rule)]
				if not changes:
					continue
				entry = [*entry[:3], changes, *entry[4:]]
			row_changed.append(entry)
		out["row_changed"] = row_changed
		return out


def has_changes(data) -> bool:
	try:
		parsed = json.loads(data) if isinstance(data, str) else data
	except ValueError:
		return False
	if not isinstance(parsed, dict):
		return False
	if not any(key in parsed for key in ("changed", "added", "removed", "row_changed")):
		return True  # a creation record (updater_reference, created_by): nothing was stripped
	return any(parsed.get(key) for key in ("changed", "added", "removed", "row_changed"))


def _stripped_get_versions(original):
	"""The form timeline's versions (getdoc, get_docinfo), stripped; a version left empty is not shown."""

	def get_versions(doc):
		versions = original(doc)
		if not versions or not _applies(None):
			return versions
		stripper = VersionStripper()
		out = []
		for version in versions:
			stripped = stripper.strip(doc.doctype, version.get("data"))
			if stripped is not version.get("data"):
				if not has_changes(stripped):
					continue
				version = frappe._dict(version, data=stripped)
			out.append(version)
		return out

	return get_versions


class RestrictedVersion(Version):
	"""Version, read as a document (REST, frappe.client.get, the form), without values above the reader's level.

	hooks.py ``override_doctype_class``: every path that reads one document calls
	``apply_fieldlevel_read_permissions`` before sending it.
	"""

	def apply_fieldlevel_read_permissions(self):
		if _applies(None) and self.data:
			self.data = VersionStripper().strip(self.ref_doctype, self.data)
		return super().apply_fieldlevel_read_permissions()


# Whitelisted methods that do not end in DatabaseQuery
# ----------------------------------------------------


def _guarded_get_group_by_count(original):
	"""Sidebar counts: the "Assigned To" count filters with frappe.qb, outside DatabaseQuery."""

	def get_group_by_count(doctype, current_filters, field):
		if _applies(None):
			scope = QueryScope(doctype, frappe.session.user)
			scope.check_filters(frappe.parse_json(current_filters), "filters")
			if field == "assigned_to":
				return _assigned_to_counts(doctype, frappe.parse_json(current_filters))
			scope.check_fieldname(doctype, field, "group_by")
		return original(doctype, current_filters, field)

	return get_group_by_count


def _assigned_to_counts(doctype: str, filters) -> list[dict]:
	"""Frappe's "Assigned To" sidebar count, over the records the user may list (Frappe's own counts the
	ToDos of every record matching the filters, with no permission check at all)."""
	if not frappe.has_permission(doctype, "read") and not frappe.has_permission(doctype, "select"):
		raise frappe.PermissionError(_("Not permitted"))
	records = frappe.get_list(
		doctype, filters=filters, fields=[f"`tab{doctype}`.`name`"], limit_page_length=0, order_by="", run=0
	)
	return frappe.db.sql(
		f"""select `tabToDo`.`allocated_to` as name, count(*) as count
		from `tabToDo` join `tabUser` on `tabUser`.`name` = `tabToDo`.`allocated_to`
		where `tabToDo`.`status` != 'Cancelled' and `tabUser`.`user_type` = 'System User'
			and `tabToDo`.`reference_type` = %s and `tabToDo`.`reference_name` in ({records})
		group by `tabToDo`.`allocated_to` order by count desc limit 50""",
		doctype,
		as_dict=True,
	)


def _search_widget_without_restricted_fields(original):
	"""Link search: its own search fields are dropped when restricted; the caller's filters are checked."""

	def search_widget(*args, **kwargs):
		frappe.flags.vs_search_drops_restricted = (frappe.flags.get("vs_search_drops_restricted") or 0) + 1
		try:
			return original(*args, **kwargs)
		finally:
			frappe.flags.vs_search_drops_restricted -= 1

	return search_widget


def _check_single(doctype, fields, filters) -> None:
	"""Single doctypes are read straight from tabSingles, without Frappe's field-level check."""
	if not _applies(None) or not isinstance(doctype, str) or not frappe.get_meta(doctype).issingle:
		return
	scope = QueryScope(doctype, frappe.session.user)
	for field in fields if isinstance(fields, list | tuple) else [fields]:
		if isinstance(field, str):
			scope.check_sql(field, "fields")
	if isinstance(filters, dict):
		scope.check_filters(filters, "filters")


def _guarded_get_value(original):
	def get_value(doctype, fieldname, filters=None, as_dict=True, debug=False, parent=None):
		try:
			fields = frappe.parse_json(fieldname)
		except (TypeError, ValueError):
			fields = [fieldname]
		_check_single(doctype, fields, frappe.utils.get_safe_filters(filters))
		return original(doctype, fieldname, filters=filters, as_dict=as_dict, debug=debug, parent=parent)

	return get_value


def _guarded_get_single_value(original):
	def get_single_value(doctype, field):
		_check_single(doctype, field, None)
		return original(doctype, field)

	return get_single_value
