"""Fields above a user's permission level cannot be filtered, sorted, grouped or computed on (issue #17).

Table-driven from metadata: every field with permission level > 0 of every app doctype (child tables
included, whose level follows the parent), every role of the app's DocPerms that reads the doctype but
not that level, and every generic path (frappe.get_list, frappe.client.get_list/get_value/get_count,
report view get/get_count/export, sidebar counts and stats, link search), with the field in filters,
or_filters, order_by, group_by, a field expression and an aggregate. Each must be refused with a
PermissionError naming the field; each role that has the level runs the same calls unrefused.

Version history is stripped of those fields for the readers without the level (form timeline, Version
as a document, Version lists). The guards live in virtual_school/security/restricted_fields.py.
"""

import json
from collections import defaultdict
from functools import partial

import frappe
from frappe.model import no_value_fields

from virtual_school import security
from virtual_school.tests.utils import VirtualSchoolTestCase, make_child, make_user

MODULE = "Virtual School"
NOT_APP_ROLES = {"Administrator", "Guest", "All"}
TEXT_TYPES = ("Data", "Small Text", "Text", "Long Text")


def read_levels_by_role(doctype: str) -> dict[str, set[int]]:
	"""{role: levels it reads} from the doctype's DocPerms (Custom DocPerms included, as Frappe loads them)."""
	levels = defaultdict(set)
	for perm in frappe.get_meta(doctype).permissions:
		if perm.read and perm.role not in NOT_APP_ROLES:
			levels[perm.role].add(perm.permlevel or 0)
	return levels


def restricted_targets() -> list[frappe._dict]:
	"""Every field above level 0 with a value, of every app doctype, and where it is queried from.

	A top-level field is queried on its doctype; a child table's field through each parent that holds
	the table (and directly, as ?parent= does), with the parent's DocPerms deciding who has the level.
	"""
	app_doctypes = frappe.get_all(
		"DocType", filters={"module": MODULE}, fields=["name", "istable", "issingle"]
	)
	parents = defaultdict(list)
	for row in app_doctypes:
		if not row.istable:
			for table in frappe.get_meta(row.name).get_table_fields():
				parents[table.options].append(row.name)
	targets = []
	for row in app_doctypes:
		for df in frappe.get_meta(row.name).get_high_permlevel_fields():
			if df.fieldtype in no_value_fields:
				continue
			for query_doctype in parents[row.name] if row.istable else [row.name]:
				targets.append(
					frappe._dict(
						doctype=row.name,
						fieldname=df.fieldname,
						permlevel=df.permlevel,
						fieldtype=df.fieldtype,
						query_doctype=query_doctype,
						child=bool(row.istable),
						single=bool(row.issingle),
					)
				)
	return targets


def roles_for(target) -> tuple[list[str], list[str]]:
	"""(roles that read the doctype but not the field's level, roles that read the level too)."""
	levels = read_levels_by_role(target.query_doctype)
	lacking = sorted(role for role, have in levels.items() if 0 in have and target.permlevel not in have)
	having = sorted(role for role, have in levels.items() if 0 in have and target.permlevel in have)
	return lacking, having


def secret_value(df, mark: str) -> str:
	"""A unique value the field accepts (a Data field may be a phone number or an email address)."""
	digits = "".join(str(ord(c) % 10) for c in frappe.generate_hash(length=8))
	if df.options == "Phone":
		return f"+44 7{mark}{digits}"
	if df.options == "Email":
		return f"secret{mark}{digits}@example.test"
	return f"Secret{mark}{digits}"


def role_user(role: str) -> str:
	return make_user(f"rf.{frappe.scrub(role)}@example.test", role)


def call(cmd: str, **kwargs):
	"""A whitelisted method as an HTTP request reaches it: the app's overrides, the whitelist, form_dict."""
	for hook in reversed(frappe.get_hooks("override_whitelisted_methods", {}).get(cmd, [])):
		cmd = hook
		break
	method = frappe.get_attr(cmd)
	frappe.is_whitelisted(method)
	frappe.local.form_dict = frappe._dict(kwargs)
	return frappe.call(method, **kwargs)


def cases(target) -> list[tuple[str, str, object]]:
	"""(path, where the field is, thunk) for every path and every place of the field."""
	doctype, field = target.doctype, target.fieldname
	if target.single:
		return [
			(
				"client.get_value",
				"fields",
				partial(call, "frappe.client.get_value", doctype=doctype, fieldname=field),
			),
			(
				"client.get_single_value",
				"fields",
				partial(call, "frappe.client.get_single_value", doctype=doctype, field=field),
			),
			(
				"client.get_value",
				"filters",
				partial(
					call,
					"frappe.client.get_value",
					doctype=doctype,
					fieldname="name",
					filters=json.dumps({field: "x"}),
				),
			),
		]
	out = list_cases(target.query_doctype, None, target)
	if target.child:
		out += list_cases(doctype, target.query_doctype, target)  # the table on its own (?parent=)
	return out


SEARCHABLE_TYPES = ("Data", "Small Text", "Text", "Long Text")  # a text secret can be stored and searched


def probe(target) -> tuple[str, str]:
	"""A filter every value of the field passes (Frappe refuses ``like`` on a date: "not a valid date")."""
	return ("is", "set") if target.fieldtype in ("Date", "Datetime", "Time") else ("like", "%")


def list_cases(queried: str, parent: str | None, target) -> list[tuple[str, str, object]]:
	"""The list paths on ``queried`` (a child table named with its ``parent``, or a doctype)."""
	doctype, field = target.doctype, target.fieldname
	through_parent = target.child and parent is None
	# the table's own field bare when it is queried on its own, else qualified as the desk writes it
	column = field if parent else f"`tab{doctype}`.`{field}`"
	flt = [doctype, field, *probe(target)] if through_parent else [field, *probe(target)]
	join = [f"`tab{doctype}`.`name` as vs_row"] if through_parent else []  # joins the child table
	expression = f"sum(if(`tab{queried}`.`name` is not null and {column} like 'a%', 1, 0)) as vs_n"
	kinds = {
		"filters": dict(fields=["name", *join], filters=[flt]),
		"or_filters": dict(fields=["name", *join], or_filters=[flt, ["name", "like", "%"]]),
		"order_by": dict(fields=["name", *join], order_by=f"{column} desc"),
		"group_by": dict(fields=[f"count(`tab{queried}`.`name`) as vs_n", *join], group_by=column),
		"fields": dict(fields=[expression, *join]),
		# bare and quoted: Frappe v15 parses no other aggregate of a column (max(`tabX`.`f`) fails for all)
		"aggregate": dict(fields=[f"max(`{field}`) as vs_n"]),
	}
	if through_parent:
		del kinds["aggregate"]  # a child table's column cannot be named bare through its parent
	out = []
	for where, args in kinds.items():
		out.append(
			(
				f"frappe.get_list({queried})",
				where,
				partial(frappe.get_list, queried, parent_doctype=parent, limit=5, **args),
			)
		)
		out.append(
			(
				f"client.get_list({queried})",
				where,
				partial(
					call,
					"frappe.client.get_list",
					doctype=queried,
					parent=parent,
					limit_page_length=5,
					**_json(args),
				),
			)
		)
	if parent:
		return out  # the remaining paths are the desk's, on the doctype itself
	for where, args in kinds.items():
		out.append(
			(
				"reportview.get",
				where,
				partial(call, "frappe.desk.reportview.get", doctype=queried, **_json(args)),
			)
		)
		out.append(
			(
				"reportview.export_query",
				where,
				partial(
					call,
					"frappe.desk.reportview.export_query",
					doctype=queried,
					file_format_type="CSV",
					title="export",
					**_json(args),
				),
			)
		)
	for where in ("filters", "or_filters"):
		args = {k: v for k, v in kinds[where].items() if k != "fields"}
		out.append(
			(
				"reportview.get_count",
				where,
				partial(call, "frappe.desk.reportview.get_count", doctype=queried, **_json(args)),
			)
		)
	filters = json.dumps([flt])
	group_by_count = partial(call, "frappe.desk.listview.get_group_by_count", doctype=queried)
	sidebar_stats = partial(call, "frappe.desk.reportview.get_sidebar_stats", doctype=queried)
	out += [
		(
			"client.get_count",
			"filters",
			partial(call, "frappe.client.get_count", doctype=queried, filters=filters),
		),
		(
			"client.get_value",
			"filters",
			partial(call, "frappe.client.get_value", doctype=queried, fieldname="name", filters=filters),
		),
		(
			"client.get_value",
			"fields",
			partial(
				call,
				"frappe.client.get_value",
				doctype=queried,
				fieldname=json.dumps([expression, *join]),
				filters="{}",
			),
		),
		(
			"sidebar get_group_by_count",
			"filters",
			partial(group_by_count, current_filters=filters, field="owner"),
		),
		(
			"sidebar get_group_by_count (assigned to)",
			"filters",
			partial(group_by_count, current_filters=filters, field="assigned_to"),
		),
		("sidebar get_sidebar_stats", "filters", partial(sidebar_stats, stats='["owner"]', filters=filters)),
		(
			"search.search_link",
			"filters",
			partial(call, "frappe.desk.search.search_link", doctype=queried, txt="", filters=filters),
		),
		(
			"search.search_widget",
			"filters",
			partial(call, "frappe.desk.search.search_widget", doctype=queried, txt="a", filters=filters),
		),
	]
	if not target.child:  # the sidebar groups and counts the doctype's own fields
		out += [
			(
				"sidebar get_group_by_count",
				"group_by",
				partial(group_by_count, current_filters="[]", field=field),
			),
			("sidebar get_sidebar_stats", "group_by", partial(sidebar_stats, stats=json.dumps([field]))),
		]
	return out


def _json(args: dict) -> dict:
	"""Arguments as a browser sends them: lists as JSON."""
	return {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in args.items()}


def outcome(thunk):
	"""None when the call succeeds, else the exception it raised."""
	frappe.local.response = frappe._dict(docs=[])
	frappe.clear_messages()
	try:
		thunk()
	except Exception as error:
		return error
	finally:
		frappe.clear_messages()
	return None


class TestRestrictedFieldsInQueries(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		security.install()
		for doctype in frappe.get_all("DocType", filters={"module": MODULE}, pluck="name"):
			for role in read_levels_by_role(doctype):
				role_user(role)  # every app role's user, committed before any test writes data
		cls.targets = restricted_targets()
		for target in cls.targets:
			lacking, having = roles_for(target)
			target.lacking = [role_user(role) for role in lacking]
			target.having = [role_user(role) for role in having]

	def test_the_table_is_not_empty(self):
		"""The app has restricted fields (carer, placement, a care episode's postcode, a contact's user)."""
		self.assertTrue(self.targets)
		self.assertTrue(any(t.lacking for t in self.targets), "no role lacks any level: nothing is tested")
		self.assertTrue(any(t.child for t in self.targets), "no child-table field is tested")

	def test_roles_without_the_level_are_refused_on_every_path(self):
		checked = 0
		for target in self.targets:
			for user in target.lacking:
				frappe.set_user(user)
				for path, where, thunk in cases(target):
					with self.subTest(
						field=f"{target.doctype}.{target.fieldname}", user=user, path=path, where=where
					):
						error = outcome(thunk)
						self.assertIsInstance(error, frappe.PermissionError, f"not refused: {error!r}")
						self.assertIn(target.fieldname, str(error))
						checked += 1
		self.assertGreater(checked, 0)

	def test_roles_with_the_level_are_not_refused(self):
		for target in self.targets:
			for user in target.having:
				frappe.set_user(user)
				for path, where, thunk in cases(target):
					with self.subTest(
						field=f"{target.doctype}.{target.fieldname}", user=user, path=path, where=where
					):
						error = outcome(thunk)
						if path == "reportview.export_query" and isinstance(error, frappe.PermissionError):
							# a role without Export on the doctype: Frappe's own refusal, after the query ran
							self.assertFalse(frappe.permissions.can_export(target.query_doctype))
							self.assertNotIn(target.fieldname, str(error))
							continue
						self.assertIsNone(error, f"{path} {where} failed for a role with the level")

	def test_administrator_is_not_restricted(self):
		frappe.set_user("Administrator")
		for target in self.targets:
			if not target.single and not target.child:
				frappe.get_list(target.query_doctype, filters=[[target.fieldname, *probe(target)]], limit=1)

	def test_single_doctypes_guard_their_restricted_fields(self):
		"""get_value/get_single_value read a single straight from tabSingles, without Frappe's level check.

		No single of the app has a restricted field yet, so each single's first value field is raised to
		level 1 in this request's metadata; a role that reads the single without level 1 is refused.
		"""
		singles = frappe.get_all("DocType", filters={"module": MODULE, "issingle": 1}, pluck="name")
		checked = 0
		for single in singles:
			readers = [r for r, have in read_levels_by_role(single).items() if have == {0}]
			fields = [df for df in frappe.get_meta(single).fields if df.fieldtype not in no_value_fields]
			if not readers or not fields:
				continue
			user = role_user(sorted(readers)[0])
			frappe.set_user(user)  # a fresh request cache: the meta below is the one the calls read
			meta = frappe.get_meta(single)
			df = meta.get_field(fields[0].fieldname)
			df.permlevel = 1
			meta.__dict__.pop("high_permlevel_fields", None)
			target = frappe._dict(doctype=single, fieldname=df.fieldname, single=True, child=False)
			try:
				for path, where, thunk in cases(target):
					with self.subTest(single=single, path=path, where=where):
						error = outcome(thunk)
						self.assertIsInstance(error, frappe.PermissionError, f"not refused: {error!r}")
						self.assertIn(df.fieldname, str(error))
						checked += 1
			finally:
				frappe.set_user("Administrator")  # drops the altered meta with the request cache
		self.assertGreater(checked, 0, "no single doctype with a reader to test")

	def test_restricted_search_fields_are_dropped_from_link_search(self):
		"""A restricted title or search field is not matched for users without its level (no refusal)."""
		candidates = [
			t
			for t in self.targets
			if t.lacking and t.having and not t.child and not t.single and t.fieldtype in SEARCHABLE_TYPES
		]
		target = next((t for t in candidates if t.query_doctype == "Child"), candidates[0])
		frappe.set_user("Administrator")
		secret = f"Needle{frappe.generate_hash(length=8)}"
		name = None
		if target.query_doctype == "Child":
			name = make_child("Search", **{target.fieldname: secret}).name
		else:
			name = frappe.get_all(target.query_doctype, pluck="name", limit=1)
			if not name:
				self.skipTest(f"no {target.query_doctype} record to search")
			name = name[0]
			frappe.db.set_value(target.query_doctype, name, target.fieldname, secret, update_modified=False)

		def search_as(user: str) -> list[str]:
			"""Link search as ``user``, with the field added to the doctype's search fields for this request."""
			frappe.set_user(user)  # clears the request cache: the meta below is the one search_widget reads
			meta = frappe.get_meta(target.query_doctype)
			meta.search_fields = ",".join(filter(None, [meta.search_fields, target.fieldname]))
			try:
				rows = call("frappe.desk.search.search_link", doctype=target.query_doctype, txt=secret)
			finally:
				frappe.set_user("Administrator")  # and the altered meta is dropped with the cache
			return [row["value"] for row in rows]

		self.assertNotIn(name, search_as(target.lacking[0]))
		reader = next(
			u for u in target.having if frappe.has_permission(target.query_doctype, "read", name, user=u)
		)
		self.assertIn(name, search_as(reader), "the search field matches for a role with the level")


class TestVersionHistoryIsStripped(VirtualSchoolTestCase):
	"""Version data (old and new values) keeps no field above the reader's level, on every read path."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		security.install()
		meta = frappe.get_meta("Child")
		cls.restricted = [df for df in meta.get_high_permlevel_fields() if df.fieldtype in TEXT_TYPES]
		cls.table = next(
			t for t in meta.get_table_fields() if frappe.get_meta(t.options).get_high_permlevel_fields()
		)
		cls.child_restricted = [
			df
			for df in frappe.get_meta(cls.table.options).get_high_permlevel_fields()
			if df.fieldtype in TEXT_TYPES
		]
		# roles from the DocPerms: one reading Child without level 1, one with it (an app role first)
		roles = sorted(
			read_levels_by_role("Child").items(), key=lambda item: (item[0] == "System Manager", item[0])
		)
		cls.reader = role_user(next(r for r, have in roles if 0 in have and 1 not in have))
		cls.full_readers = [role_user(r) for r, have in roles if {0, 1} <= have]

	def setUp(self):
		super().setUp()
		self.assertTrue(self.restricted and self.child_restricted)
		tag = frappe.generate_hash(length=6)
		self.old = {df.fieldname: secret_value(df, "1") for df in self.restricted}
		self.new = {df.fieldname: secret_value(df, "2") for df in self.restricted}
		self.row_old = {df.fieldname: secret_value(df, "3") for df in self.child_restricted}
		self.row_new = {df.fieldname: secret_value(df, "4") for df in self.child_restricted}
		self.row_added = {df.fieldname: secret_value(df, "5") for df in self.child_restricted}
		child = make_child(
			"Version", **self.old, **{self.table.fieldname: [{"start_date": "2024-01-01", **self.row_old}]}
		)
		doc = frappe.get_doc("Child", child.name)
		doc.update(self.new)
		doc.preferred_name = f"Visible{tag}"
		doc.get(self.table.fieldname)[0].update(self.row_new)
		doc.append(self.table.fieldname, {"start_date": "2025-01-01", **self.row_added})
		doc.save(ignore_version=False)  # Frappe skips versions in tests unless asked
		self.child = doc.name
		# a role with level 1 that may open this child (a caseworker only sees their caseload)
		self.full_reader = next(
			u for u in self.full_readers if frappe.has_permission("Child", "read", doc, user=u)
		)
		self.visible = doc.preferred_name
		self.versions = frappe.get_all(
			"Version", filters={"ref_doctype": "Child", "docname": doc.name}, pluck="name"
		)
		self.assertTrue(self.versions)
		self.secrets = [
			*self.old.values(),
			*self.new.values(),
			*self.row_old.values(),
			*self.row_new.values(),
			*self.row_added.values(),
		]
		for version in self.versions:  # the readers may read these Versions (who may is another guard's job)
			frappe.share.add_docshare(
				"Version", version, self.reader, flags={"ignore_share_permission": True}
			)
			frappe.share.add_docshare(
				"Version", version, self.full_reader, flags={"ignore_share_permission": True}
			)

	def read_paths(self) -> dict[str, str]:
		"""Everything each path sends about the versions, as text."""
		from frappe.desk.form import load

		out = {}
		frappe.local.response = frappe._dict(docs=[])
		load.getdoc("Child", self.child)
		out["getdoc docinfo"] = frappe.as_json(frappe.response.docinfo.versions)
		frappe.local.response = frappe._dict(docs=[])
		call("frappe.desk.form.load.get_docinfo", doctype="Child", name=self.child)
		out["get_docinfo"] = frappe.as_json(frappe.response.docinfo.versions)
		out["client.get"] = frappe.as_json(
			[call("frappe.client.get", doctype="Version", name=v) for v in self.versions]
		)
		docs = []
		for version in self.versions:
			doc = frappe.get_doc("Version", version)
			doc.apply_fieldlevel_read_permissions()  # what REST /api/resource/Version/<name> sends
			docs.append(doc.as_dict())
		out["Version document"] = frappe.as_json(docs)
		filters = json.dumps([["docname", "=", self.child]])
		out["client.get_list"] = frappe.as_json(
			call("frappe.client.get_list", doctype="Version", fields='["name", "data"]', filters=filters)
		)
		out["get_list as_list"] = frappe.as_json(
			frappe.get_list(
				"Version", fields=["data", "docname"], filters={"docname": self.child}, as_list=True
			)
		)
		out["get_list pluck"] = frappe.as_json(
			frappe.get_list("Version", pluck="data", filters={"docname": self.child})
		)
		out["reportview.get"] = frappe.as_json(
			call(
				"frappe.desk.reportview.get",
				doctype="Version",
				fields='["`tabVersion`.`data` as d"]',
				filters=filters,
			)
		)
		out["client.get_value"] = frappe.as_json(
			call("frappe.client.get_value", doctype="Version", fieldname="data", filters=filters)
		)
		return out

	def test_a_reader_without_the_level_gets_no_restricted_value(self):
		frappe.set_user(self.reader)
		for path, text in self.read_paths().items():
			with self.subTest(path=path):
				self.assertIn(self.visible, text, "the version itself is still shown")
				for secret in self.secrets:
					self.assertNotIn(secret, text)
				for df in self.restricted + self.child_restricted:
					self.assertNotIn(f'"{df.fieldname}"', text.replace('\\"', '"'))

	def test_a_reader_with_the_level_gets_every_value(self):
		frappe.set_user(self.full_reader)
		for path, text in self.read_paths().items():
			with self.subTest(path=path):
				for secret in self.secrets:
					self.assertIn(secret, text)

	def test_version_data_cannot_be_queried(self):
		frappe.set_user(self.reader)
		for kwargs in (
			{"filters": [["data", "like", f"%{self.secrets[0][:6]}%"]]},
			{"or_filters": [["data", "like", "%a%"]]},
			{"order_by": "data desc"},
			{"fields": ["name", "locate('Old', data) as at"]},
		):
			with self.subTest(**{k: str(v) for k, v in kwargs.items()}):
				with self.assertRaises(frappe.PermissionError) as refused:
					frappe.get_list("Version", **kwargs)
				self.assertIn("data", str(refused.exception))


class TestAssignedToSidebarCount(VirtualSchoolTestCase):
	def test_assigned_to_counts_only_records_the_user_may_list(self):
		"""Frappe's sidebar "Assigned To" count filters with frappe.qb and no permission check: another
		caseload's children (found by a name filter) were counted per assignee."""
		from frappe.desk.listview import get_group_by_count

		from virtual_school.tests.utils import caseworker

		marker = frappe.generate_hash(length=8).title()
		own = make_child(last_name=f"Own{marker}", caseworker=caseworker(1))
		other = make_child(last_name=f"Other{marker}", caseworker=caseworker(2))
		for child in (own, other):
			frappe.get_doc(
				{
					"doctype": "ToDo",
					"allocated_to": caseworker(1),
					"reference_type": "Child",
					"reference_name": child.name,
					"description": "check",
				}
			).insert(ignore_permissions=True)
		filters = json.dumps([["Child", "last_name", "like", f"%{marker}"]])
		frappe.set_user(caseworker(1))
		counts = {row["name"]: row["count"] for row in get_group_by_count("Child", filters, "assigned_to")}
		self.assertEqual(counts, {caseworker(1): 1})
		frappe.set_user("Administrator")
		counts = {row["name"]: row["count"] for row in get_group_by_count("Child", filters, "assigned_to")}
		self.assertEqual(counts, {caseworker(1): 2})
