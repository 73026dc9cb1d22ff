"""System-owned fields are immutable from any request (issue #17; virtual_school/security/system_owned.py).

Table-driven from the declaration, which is read from the metadata: every owned field (and owned table, and
owned column of an editable table) of every app doctype, for every app role that may write the record,
through REST ``PUT /api/resource``, ``frappe.client.set_value``, the desk's ``savedocs`` and REST
``POST /api/resource`` (insert), on a real record. A role that may not set the field is refused with
``SystemOwnedFieldError`` and the stored value is unchanged; a role that may (System Manager for the
code's fields, the declared roles for the others) is not refused. A field or doctype added later is in the
loop without an edit here (a new doctype without a sample below gets one built from its metadata).
"""

import itertools
import json
from datetime import date, timedelta

import frappe
from frappe.api import v1 as rest
from frappe.desk.form.save import savedocs
from frappe.model import default_fields, display_fieldtypes, table_fields
from frappe.model.workflow import apply_workflow, get_workflow_name
from frappe.tests.utils import change_settings

from virtual_school.security import system_owned
from virtual_school.security.system_owned import SystemOwnedFieldError, declaration, may_set
from virtual_school.setup import roles
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	finance,
	head,
	make_child,
	make_placement,
	make_school,
	make_user,
	manager,
	one_user_per_role,
)
from virtual_school.virtual_school.doctype.pp_plus_claim.pp_plus_claim import SelfApprovalError

APP_MODULE = "Virtual School"
YEAR = "2025-26"
CLAIM_DATE = date(2025, 10, 1)
PORTAL_USER = "vs.portal.sidedoor@example.test"
SYSTEM_MANAGER = "vs.sysman.sidedoor@example.test"
SKIP_ON_INSERT = ("amended_from",)  # Frappe's own: an insert naming it is an Amend, checked by Frappe


def app_doctypes(istable: int = 0) -> list[str]:
	return frappe.get_all(
		"DocType", filters={"module": APP_MODULE, "istable": istable}, pluck="name", order_by="name"
	)


def role_users() -> dict[str, str]:
	"""One real user per app role."""
	return {
		**one_user_per_role(roles.DESK_ROLES),
		roles.SCHOOL_PORTAL_USER: make_user(PORTAL_USER, roles.SCHOOL_PORTAL_USER, website_user=True),
	}


def normal(df, value):
	return system_owned._normal(df, value)


# --- the four request paths, as Frappe runs them -----------------------------------------------------------


def via_put(doctype: str, name: str, payload: dict):
	"""REST PUT /api/resource/<doctype>/<name> (frappe.api.v1.update_doc)."""
	frappe.local.form_dict = frappe._dict(data=json.dumps(payload, default=str))
	return rest.update_doc(doctype, name)


def via_set_value(doctype: str, name: str, payload: dict):
	"""frappe.client.set_value with a dict of values."""
	return frappe.client.set_value(doctype, name, payload)


def via_savedocs(doctype: str, name: str, payload: dict):
	"""The desk's Save: the whole document as the user loaded it, with the change."""
	doc = frappe.get_doc(doctype, name).as_dict()
	doc.update(payload)
	return savedocs(json.dumps(doc, default=str), "Save")


def via_insert(doctype: str, payload: dict):
	"""REST POST /api/resource/<doctype> (frappe.api.v1.create_doc)."""
	frappe.local.form_dict = frappe._dict(data=json.dumps(payload, default=str))
	return rest.create_doc(doctype)


UPDATE_PATHS = {"PUT": via_put, "set_value": via_set_value, "savedocs": via_savedocs}


class World:
	"""Records of every app doctype that has system-owned fields, on caseworker 1's caseload."""

	def __init__(self):
		self.users = role_users()
		self.system_manager = make_user(SYSTEM_MANAGER, "System Manager")
		self.worker, self.other_worker = caseworker(1), caseworker(2)
		self.school = make_school("993101", "Side Door Primary")
		self.other_school = make_school("993102", "Other Side Primary")
		self.child = make_child(
			"Sido",
			caseworker=self.worker,
			date_of_birth=date(2016, 3, 3),
			care_episodes=[{"start_date": date(2020, 1, 6), "placement_la": "886"}],
		)
		self.other_child = make_child("Sida", caseworker=self.other_worker, date_of_birth=date(2016, 4, 4))
		self.unplaced = make_child("Sidu", caseworker=self.worker, date_of_birth=date(2016, 5, 5))
		self.placement = make_placement(self.child.name, self.school, date(2025, 9, 1))
		self.other_placement = make_placement(self.other_child.name, self.other_school, date(2025, 9, 1))
		self.pep = self.new_pep(self.child.name)
		self.other_pep = self.new_pep(self.other_child.name)
		self.claim = self.new_claim()
		self.approved_claim = self.new_claim()
		frappe.db.set_value("PP Plus Claim", self.approved_claim.name, "workflow_state", "Approved")
		self.payment = self.insert(
			{
				"doctype": "PP Plus Payment",
				"school": self.school,
				"funding_year": YEAR,
				"payment_reference": "BACS-SIDE",
				"claims": [{"claim": self.approved_claim.name}],
			}
		)
		self.records: dict[str, str] = {}

	@staticmethod
	def insert(values: dict):
		return frappe.get_doc(values).insert()

	def new_pep(self, child: str):
		return self.insert(
			{
				"doctype": "Personal Education Plan",
				"child": child,
				"due_date": date(2026, 1, 30),
				"meeting_date": date(2025, 11, 3),
				"targets": [{"area": "Maths", "target": "Times tables to 12"}],
				"attainment": [{"subject": "Maths", "current": "4", "target": "5"}],
			}
		)

	def new_claim(self):
		return self.insert(
			{
				"doctype": "PP Plus Claim",
				"child": self.child.name,
				"school": self.school,
				"funding_year": YEAR,
				"claim_date": CLAIM_DATE,
				"amount": 120,
				"category": "Tuition",
				"description": "Maths tuition",
			}
		)

	# One sample record per doctype (a doctype not listed here gets one built from its metadata).
	def sample(self, doctype: str) -> str:
		if doctype not in self.records:
			maker = {
				"Advice Request": lambda: self.insert(
					{
						"doctype": "Advice Request",
						"requester_type": "School",
						"cohort": "Looked After",
						"child": self.child.name,
						"topic": "Admissions",
						"question": "Which school?",
					}
				),
				"Attendance Record": lambda: self.insert(
					{
						"doctype": "Attendance Record",
						"child": self.child.name,
						"school": self.school,
						"week_starting": date(2025, 10, 6),
						"possible_sessions": 10,
						"sessions_attended": 9,
						"authorised_absence": 1,
					}
				),
				"Child": lambda: self.child,
				"Education Placement": lambda: self.placement,
				"Escalation": lambda: self.insert(
					{
						"doctype": "Escalation",
						"reference_doctype": "Personal Education Plan",
						"reference_name": self.pep.name,
						"reason": "Overdue",
					}
				),
				"Exclusion": lambda: self.insert(
					{
						"doctype": "Exclusion",
						"child": self.child.name,
						"school": self.school,
						"exclusion_type": "Suspension",
						"start_date": date(2025, 10, 7),
						"school_days": 1,
						"reason": "Bullying",
					}
				),
				"Import Log": lambda: self.insert({"doctype": "Import Log", "import_type": "GIAS"}),
				# its rows come only from the retention review (governance/disposal.py)
				"Disposal Batch": lambda: self.insert(
					{
						"doctype": "Disposal Batch",
						"items": [
							{
								"record_kind": "Child Case Record",
								"reference_doctype": "Child",
								"reference_name": self.child.name,
								"retention_rule": "Looked-after children's case records",
							}
						],
					}
				),
				"Personal Education Plan": lambda: self.pep,
				"PP Plus Claim": lambda: self.claim,
				"PP Plus Impact Report": lambda: self.insert(
					{
						"doctype": "PP Plus Impact Report",
						"school": self.school,
						"funding_year": YEAR,
						"term": "Autumn",
						"due_date": date(2026, 1, 30),
						"rows": [{"claim": self.claim.name}],
					}
				),
				"PP Plus Payment": lambda: self.payment,
				"School": lambda: frappe.get_doc("School", self.school),
				"School Contact": lambda: self.insert(
					{
						"doctype": "School Contact",
						"school": self.school,
						"full_name": "Dee Teacher",
						"email": "dee.teacher@example.test",
					}
				),
				"School Place Request": lambda: self.insert(
					{
						"doctype": "School Place Request",
						"child": self.unplaced.name,
						"date_needed": date(2026, 1, 5),
						"reason": "Entered care",
						"approaches": [{"school": self.school, "date_asked": date(2026, 1, 5)}],
					}
				),
			}.get(doctype)
			doc = maker() if maker else existing_or_generic(doctype, self)
			self.records[doctype] = doc.name
		return self.records[doctype]

	def other_record(self, doctype: str, not_name: str | None) -> str:
		"""Another record of a doctype for a link to point at: another child on the same caseload (a child on
		another caseload takes the record out of the caseworker's reach, and Frappe refuses that first), but
		another caseload's PEP for an escalation (the issue's attack)."""
		preferred = {
			"Child": self.unplaced.name,
			"School": self.other_school,
			"Personal Education Plan": self.other_pep.name,
			"Education Placement": self.other_placement.name,
			"PP Plus Payment": self.payment.name,
			"User": PORTAL_USER,
		}.get(doctype)
		if preferred and preferred != not_name:
			return preferred
		found = frappe.get_all(
			doctype, filters={"name": ["!=", not_name or ""]}, pluck="name", limit=1, order_by="creation"
		)
		assert found, f"no other {doctype} to point a link at"
		return found[0]


def existing_or_generic(doctype: str, world: World):
	"""A single, an existing record (settings, calendars, funding years) or one built from the metadata."""
	meta = frappe.get_meta(doctype)
	if meta.issingle:
		return frappe.get_doc(doctype)
	found = frappe.get_all(doctype, pluck="name", limit=1, order_by="creation desc")
	if found:
		return frappe.get_doc(doctype, found[0])
	values = {"doctype": doctype}
	for df in meta.fields:
		if not df.reqd or df.fieldtype in display_fieldtypes or df.fieldtype in table_fields:
			continue
		if df.fieldtype == "Link":
			values[df.fieldname] = world.other_record(df.options, None)
		elif df.fieldtype == "Select":
			values[df.fieldname] = next(o for o in (df.options or "").split("\n") if o)
		elif df.fieldtype in ("Date", "Datetime"):
			values[df.fieldname] = date(2025, 10, 6)
		elif df.fieldname == "academic_year":  # a label the records check ("2025-26")
			values[df.fieldname] = "2025-26"
		elif df.fieldtype in ("Int", "Float", "Currency", "Percent", "Check"):
			values[df.fieldname] = 1
		else:
			values[df.fieldname] = f"Sample {frappe.generate_hash(length=6)}"
	return frappe.get_doc(values).insert()


# --- what is tried -----------------------------------------------------------------------------------------


def targets(doctype: str):
	"""(kind, fieldname, column, owner): owned fields, owned tables and owned columns of editable tables."""
	meta = frappe.get_meta(doctype)
	owned = declaration(doctype)
	for fieldname, owner in owned.items():
		kind = "table" if meta.get_field(fieldname).fieldtype in table_fields else "field"
		yield kind, fieldname, None, owner
	for table in meta.get_table_fields():
		if table.fieldname not in owned:
			for column, owner in declaration(table.options).items():
				yield "column", table.fieldname, column, owner


def tampered(doc, df, world: World):
	"""A valid value different from the stored one (a link points at another, real record)."""
	current = doc.get(df.fieldname)
	fieldtype = df.fieldtype
	if fieldtype == "Link" and df.options == "Workflow State":
		workflow = frappe.get_cached_doc("Workflow", get_workflow_name(doc.doctype))
		return next(s.state for s in reversed(workflow.states) if s.state != current)
	if fieldtype == "Link" and df.options == "DocType":
		return "Child" if current != "Child" else "Personal Education Plan"
	if fieldtype == "Link":
		return world.other_record(df.options, current)
	if fieldtype == "Dynamic Link":
		return world.other_record(doc.get(df.options), current)
	if fieldtype == "Select":
		return next(o for o in reversed((df.options or "").split("\n")) if o and o != current)
	if fieldtype == "Check":
		return 0 if current else 1
	if fieldtype in ("Int", "Long Int", "Float", "Currency", "Percent"):
		return (current or 0) + 7
	if fieldtype == "Date":
		return (frappe.utils.getdate(current) if current else date(2026, 2, 2)) + timedelta(days=9)
	if fieldtype == "Datetime":
		return "2031-01-01 09:30:00"
	if fieldtype == "Code" and df.options == "JSON":
		return '{"tampered": true}'
	if fieldtype in ("Attach", "Attach Image"):
		return "/private/files/tampered.txt"
	if df.options == "Email":
		return "tampered@example.test"
	return f"Tampered {df.fieldname}"


def rows_of(doc, fieldname: str) -> list[dict]:
	return [row.as_dict() for row in doc.get(fieldname) or []]


def change_for(doc, kind: str, fieldname: str, column: str | None, owner, world: World) -> dict:
	"""The request payload that sets the target to a tampered value."""
	meta = doc.meta
	if kind == "table":
		rows = rows_of(doc, fieldname)
		new_row = {
			k: v for k, v in (rows[-1] if rows else {}).items() if k not in (*default_fields, "parent")
		}
		return {fieldname: [*rows, new_row]}
	if kind == "column":
		rows = rows_of(doc, fieldname)
		assert rows, f"the {doc.doctype} sample needs a row in {fieldname}"
		child = doc.get(fieldname)[0]
		rows[0][column] = tampered(child, child.meta.get_field(column), world)
		if owner.fetched_from:
			rows[0][owner.fetched_from] = None  # Frappe fetches it again while its link is set
		return {fieldname: rows}
	df = meta.get_field(fieldname)
	payload = {fieldname: tampered(doc, df, world)}
	if owner.fetched_from:
		payload[owner.fetched_from] = None
	for partner in meta.get("fields", {"fieldtype": "Dynamic Link", "options": fieldname}):
		payload[partner.fieldname] = world.other_record(payload[fieldname], doc.get(partner.fieldname))
	return payload


def insert_payload(doc, kind: str, fieldname: str, column: str | None, owner, world: World) -> dict:
	"""A new record like the sample (none of its owned values), the target set to a value that is neither
	empty nor the new record's default (those are what a new record may carry)."""
	values = {}
	owned = declaration(doc.doctype)
	for df in doc.meta.fields:
		if df.fieldtype in display_fieldtypes or (
			df.fieldname in owned and not owned[df.fieldname].on_insert
		):
			continue
		if df.fieldtype in table_fields:
			columns = declaration(df.options)
			values[df.fieldname] = [
				{k: v for k, v in row.items() if k not in (*default_fields, "parent", *columns)}
				for row in rows_of(doc, df.fieldname)
			]
		else:
			values[df.fieldname] = doc.get(df.fieldname)
	unique(doc.doctype, values)
	new = frappe.new_doc(doc.doctype)
	new.update(values)
	for fieldname_, value in change_for(new, kind, fieldname, column, owner, world).items():
		if isinstance(value, list):  # a table: new rows
			value = [{k: v for k, v in row.items() if k not in (*default_fields, "parent")} for row in value]
		values[fieldname_] = value
	return {"doctype": doc.doctype, **values}


_copies = itertools.count(1)


def unique(doctype: str, values: dict) -> None:
	"""A copy of a sample must be insertable: another name where a field names the record."""
	n = next(_copies)
	year = 2300 + n
	academic_year = f"{year}-{(year + 1) % 100:02d}"
	tweaks = {
		"Child": {"last_name": frappe.generate_hash(length=8).title()},
		"Attendance Record": {"week_starting": date(2025, 10, 13) + timedelta(weeks=n % 50)},
		"School": {"urn": f"98{n:04d}"},
		"PP Plus Funding Year": {"label": academic_year},
		"Key Stage Outcome": {"academic_year": academic_year},  # one a child, year and key stage
		"Bank Holiday": {"holiday_date": date(year, 1, 2)},
		"School Calendar": {
			"academic_year": academic_year,
			"terms": [
				{"term_name": "Autumn", "start_date": date(year, 9, 3), "end_date": date(year, 12, 18)}
			],
			"closures": [],
		},
	}
	autoname = frappe.get_meta(doctype).autoname or ""
	assert doctype in tweaks or not autoname.startswith("field:"), f"say how to copy {doctype} in unique()"
	values.update(tweaks.get(doctype, {}))


def target_value(doc, kind: str, fieldname: str, column: str | None):
	if kind == "column":
		row = doc.get(fieldname)[0]
		return normal(row.meta.get_field(column), row.get(column))
	return normal(doc.meta.get_field(fieldname), doc.get(fieldname))


def stored(doctype: str, name: str, kind: str, fieldname: str, column: str | None):
	doc = frappe.get_doc(doctype, name)
	df = doc.meta.get_field(fieldname)
	if kind == "column":
		row = doc.get(fieldname)[0]
		return normal(row.meta.get_field(column), row.get(column))
	return normal(df, doc.get(fieldname))


class TestSystemOwnedFields(VirtualSchoolTestCase):
	def run_as(self, user: str, call):
		frappe.set_user(user)
		try:
			return call()
		finally:
			frappe.set_user("Administrator")
			frappe.local.form_dict = frappe._dict()
			frappe.clear_messages()

	def assert_refused(self, user, call, where: str, fetched: bool = False):
		expected = (SystemOwnedFieldError, frappe.PermissionError) if fetched else SystemOwnedFieldError
		try:
			self.run_as(user, call)
		except expected:
			return
		except Exception as error:
			self.fail(f"{where}: refused by something else than the guard: {error!r}")
		self.fail(f"{where}: not refused")

	def assert_not_refused(self, user, call, where: str):
		"""Not refused by the guard (the controller may still object to the value: not this test's matter)."""
		frappe.db.savepoint("system_owned_allowed")
		try:
			self.run_as(user, call)
		except SystemOwnedFieldError as error:
			self.fail(f"{where}: refused ({error})")
		except (frappe.ValidationError, frappe.PermissionError):
			pass  # the controller's or Frappe's own objection to the value
		finally:
			frappe.db.rollback(save_point="system_owned_allowed")

	def test_every_owned_field_is_refused_on_every_path_to_every_role_that_may_not_set_it(self):
		world = World()
		tried = refused = 0
		for doctype in app_doctypes():
			meta = frappe.get_meta(doctype)
			if not declaration(doctype) and not any(declaration(t.options) for t in meta.get_table_fields()):
				continue
			writers = {
				role: user
				for role, user in world.users.items()
				if frappe.has_permission(doctype, "write", user=user)
				or frappe.has_permission(doctype, "create", user=user)
			}
			if not writers:
				# Nobody but the code writes it (Frappe refuses every role); nothing of the guard to see.
				continue
			name = world.sample(doctype)
			for kind, fieldname, column, owner in targets(doctype):
				target = f"{doctype}.{fieldname}" + (f"[].{column}" if column else "")
				for role, user in writers.items():
					doc = frappe.get_doc(doctype, name)
					user_roles = set(frappe.get_roles(user))
					row = doc.get(fieldname)[0] if kind == "column" and doc.get(fieldname) else None
					before = row if kind == "column" else doc
					allowed = may_set(owner, before, user_roles)
					change = change_for(doc, kind, fieldname, column, owner, world)
					was = stored(doctype, name, kind, fieldname, column)
					for path, via in UPDATE_PATHS.items():
						if not frappe.has_permission(doctype, "write", doc=name, user=user):
							break
						where = f"{target} by {role} via {path}"
						call = lambda via=via: via(doctype, name, change)  # noqa: E731
						tried += 1
						if allowed:
							self.assert_not_refused(user, call, where)
							continue
						if self.reset_by_frappe(doc, kind, fieldname, user):
							self.run_as(
								user, call
							)  # Frappe puts back a permlevel field the user cannot write
						else:
							self.assert_refused(user, call, where, fetched=bool(owner.fetched_from))
							refused += 1
						self.assertEqual(stored(doctype, name, kind, fieldname, column), was, where)
					if kind != "field" and not meta.issingle:
						tried += self.try_row_paths(doc, kind, fieldname, column, owner, user, role, world)
					if meta.issingle or fieldname in SKIP_ON_INSERT:
						continue
					if not frappe.has_permission(doctype, "create", user=user):
						continue
					payload = insert_payload(doc, kind, fieldname, column, owner, world)
					where = f"{target} by {role} via insert"
					tried += 1
					if may_set(owner, None, user_roles):
						self.assert_not_refused(user, lambda p=payload: via_insert(doctype, p), where)
					elif not owner.fetched_from and not self.reset_by_frappe(doc, kind, fieldname, user):
						refused += self.assert_insert_refused(user, payload, kind, fieldname, column, where)
				self.try_frozen(doctype, name, kind, fieldname, column, owner, writers, world, target)
				self.try_system_manager(doctype, name, kind, fieldname, column, owner, world, target)
		self.assertGreater(refused, 300, f"{tried} attempts, {refused} refused")

	def assert_insert_refused(self, user, payload, kind, fieldname, column, where) -> bool:
		"""Refused; or, where the controller itself computes that very value, the same as a plain insert's."""
		doctype = payload["doctype"]
		frappe.db.savepoint("system_owned_insert")
		try:
			try:
				inserted = self.run_as(user, lambda: via_insert(doctype, payload))
			except SystemOwnedFieldError:
				return True
			except Exception as error:
				self.fail(f"{where}: refused by something else than the guard: {error!r}")
			control = json.loads(json.dumps(payload, default=str))
			if kind == "column":
				control[fieldname][0].pop(column)
			else:
				control.pop(fieldname)
			unique(doctype, control)
			plain = self.run_as(user, lambda: via_insert(doctype, control))
			self.assertEqual(
				target_value(frappe.get_doc(doctype, inserted.name), kind, fieldname, column),
				target_value(frappe.get_doc(doctype, plain.name), kind, fieldname, column),
				f"{where}: kept a value the code does not set",
			)
			return False
		finally:
			frappe.db.rollback(save_point="system_owned_insert")

	def reset_by_frappe(self, doc, kind, fieldname, user) -> bool:
		"""A field above the user's write level: Frappe restores it before any hook (no refusal to see)."""
		df = doc.meta.get_field(fieldname)
		if kind != "field" or not df.permlevel:
			return False
		frappe.set_user(user)
		try:
			return df.permlevel not in doc.get_permlevel_access("write")
		finally:
			frappe.set_user("Administrator")

	def try_row_paths(self, doc, kind, fieldname, column, owner, user, role, world) -> int:
		"""A table row saved on its own: PUT /api/resource/<table>/<row> and set_value on the row."""
		rows = doc.get(fieldname)
		if not rows or not frappe.has_permission(doc.doctype, "write", doc=doc.name, user=user):
			return 0
		row = rows[0]
		if kind == "table":
			df = next(f for f in row.meta.fields if f.fieldtype not in display_fieldtypes)
			payload = {df.fieldname: tampered(row, df, world)}
			if may_set(owner, doc, set(frappe.get_roles(user))):
				return 0
		else:
			df = row.meta.get_field(column)
			payload = {column: tampered(row, df, world)}
			if owner.fetched_from:
				payload[owner.fetched_from] = None
			if may_set(owner, row, set(frappe.get_roles(user))):
				return 0
		was = normal(df, row.get(df.fieldname))
		for path, via in (("row PUT", via_put), ("row set_value", via_set_value)):
			where = f"{doc.doctype}.{fieldname}[].{df.fieldname} by {role} via {path}"
			self.assert_refused(
				user,
				lambda via=via: via(row.doctype, row.name, payload),
				where,
				fetched=bool(owner.fetched_from),
			)
			self.assertEqual(normal(df, frappe.db.get_value(row.doctype, row.name, df.fieldname)), was, where)
		if kind != "table":
			return 2
		# A row inserted on its own into a table owned whole (POST /api/resource/<table>); Frappe may refuse
		# creating a bare row itself first: either way, no row is added.
		count = frappe.db.count(row.doctype, {"parent": doc.name, "parentfield": fieldname})
		new_row = {"parent": doc.name, "parenttype": doc.doctype, "parentfield": fieldname, **payload}
		where = f"{doc.doctype}.{fieldname} by {role} via row insert"
		self.assert_refused(user, lambda: via_insert(row.doctype, new_row), where, fetched=True)
		self.assertEqual(
			frappe.db.count(row.doctype, {"parent": doc.name, "parentfield": fieldname}), count, where
		)
		return 3

	def try_frozen(self, doctype, name, kind, fieldname, column, owner, writers, world, target):
		"""Once frozen (a decided claim), even the roles that may set it are refused."""
		for field, values in owner.frozen_when:
			frappe.db.savepoint("system_owned_frozen")
			frappe.db.set_value(doctype, name, field, values[0], update_modified=False)
			for role, user in writers.items():
				if set(owner.roles) & set(frappe.get_roles(user)) and frappe.has_permission(
					doctype, "write", doc=name, user=user
				):
					doc = frappe.get_doc(doctype, name)
					change = change_for(doc, kind, fieldname, column, owner, world)
					for path, via in UPDATE_PATHS.items():
						self.assert_refused(
							user,
							lambda via=via: via(doctype, name, change),
							f"{target} ({values[0]}) by {role} via {path}",
						)
			frappe.db.rollback(save_point="system_owned_frozen")

	def try_system_manager(self, doctype, name, kind, fieldname, column, owner, world, target):
		"""System Manager may set any of them (the controller and Frappe may still object)."""
		doc = frappe.get_doc(doctype, name)
		if kind == "column" and not doc.get(fieldname):
			return
		change = change_for(doc, kind, fieldname, column, owner, world)
		self.assert_not_refused(
			world.system_manager, lambda: via_put(doctype, name, change), f"{target} by System Manager"
		)

	def test_the_declaration_covers_every_read_only_field_and_the_workflows(self):
		"""Every read-only, set-only-once or workflow field of every app doctype (tables too) is declared."""
		checked = 0
		for doctype in app_doctypes(0) + app_doctypes(1):
			meta = frappe.get_meta(doctype)
			owned = declaration(doctype)
			for df in meta.fields:
				if df.fieldtype in display_fieldtypes:
					continue
				if df.read_only or df.set_only_once:
					checked += 1
					self.assertIn(df.fieldname, owned, f"{doctype}.{df.fieldname} is read-only but not owned")
			workflow_name = get_workflow_name(doctype)
			if workflow_name:
				workflow = frappe.get_doc("Workflow", workflow_name)
				for fieldname in {workflow.workflow_state_field, *(s.update_field for s in workflow.states)}:
					if fieldname:
						self.assertTrue(owned[fieldname].workflow, f"{doctype}.{fieldname}")
		for doctype, fields in system_owned.DECLARED.items():
			meta = frappe.get_meta(doctype)
			for fieldname in fields:
				self.assertTrue(
					meta.has_field(fieldname), f"DECLARED names {doctype}.{fieldname}: no such field"
				)
		self.assertGreater(checked, 100)
		self.assertEqual(declaration("User"), {}, "Frappe's own doctypes are not governed")

	def test_claim_workflow_end_to_end_and_submitted_by_cannot_be_rewritten(self):
		world = World()
		second = make_user("vs.manager2@example.test", roles.VIRTUAL_SCHOOL_MANAGER)
		self.enterContext(change_settings("Virtual School Settings", {"manager_approval_limit": 1000}))
		claim = frappe.get_doc("PP Plus Claim", world.new_claim().name)
		claim.db_set(
			"requester", world.worker
		)  # raised by the caseworker (the world inserts as Administrator)
		self.run_as(
			manager(), lambda: apply_workflow(frappe.get_doc("PP Plus Claim", claim.name), "Submit Claim")
		)
		self.run_as(
			manager(), lambda: apply_workflow(frappe.get_doc("PP Plus Claim", claim.name), "Start Review")
		)
		with self.assertRaises(SelfApprovalError):
			self.run_as(
				manager(), lambda: apply_workflow(frappe.get_doc("PP Plus Claim", claim.name), "Approve")
			)
		# The attack: the submitter rewrites submitted_by, then approves.
		with self.assertRaises(SystemOwnedFieldError):
			self.run_as(
				manager(), lambda: via_put("PP Plus Claim", claim.name, {"submitted_by": world.worker})
			)
		self.assertEqual(frappe.db.get_value("PP Plus Claim", claim.name, "submitted_by"), manager())
		with self.assertRaises(SelfApprovalError):
			self.run_as(
				manager(), lambda: apply_workflow(frappe.get_doc("PP Plus Claim", claim.name), "Approve")
			)
		# A workflow state sent by hand is refused even where the transition exists: apply_workflow only.
		with self.assertRaises(SystemOwnedFieldError):
			self.run_as(second, lambda: via_put("PP Plus Claim", claim.name, {"workflow_state": "Approved"}))
		self.run_as(second, lambda: apply_workflow(frappe.get_doc("PP Plus Claim", claim.name), "Approve"))
		claim.reload()
		self.assertEqual((claim.workflow_state, claim.approver), ("Approved", second))
		self.assertEqual(claim.decided_on, frappe.utils.getdate())
		# Decided: the caseworker cannot rewrite the decision; nor can a manager rewrite its reason.
		for user, values in (
			(world.worker, {"approver": world.worker}),
			(world.worker, {"decided_on": "2025-10-02"}),
			(world.worker, {"decision_reason": "Rewritten"}),
			(second, {"decision_reason": "Rewritten"}),
		):
			with self.assertRaises(SystemOwnedFieldError, msg=str(values)):
				self.run_as(user, lambda values=values: via_put("PP Plus Claim", claim.name, values))
		claim.reload()
		self.assertEqual((claim.approver, claim.decision_reason or ""), (second, ""))

	def test_child_closure_needs_the_managers_sign_off(self):
		world = World()
		child = world.child.name
		self.run_as(world.worker, lambda: apply_workflow(frappe.get_doc("Child", child), "Accept Case"))
		with self.assertRaises(SystemOwnedFieldError):
			self.run_as(world.worker, lambda: via_put("Child", child, {"status": "Closed"}))
		self.run_as(world.worker, lambda: apply_workflow(frappe.get_doc("Child", child), "Request Closure"))
		with self.assertRaises(SystemOwnedFieldError):
			self.run_as(world.worker, lambda: via_set_value("Child", child, {"status": "Closed"}))
		with self.assertRaises(
			SystemOwnedFieldError
		):  # the transition exists for managers: still not by hand
			self.run_as(
				manager(), lambda: via_put("Child", child, {"workflow_state": "Closed", "status": "Closed"})
			)
		self.assertEqual(
			frappe.db.get_value("Child", child, ["status", "workflow_state"]), ("Active", "Closure Requested")
		)
		self.run_as(manager(), lambda: apply_workflow(frappe.get_doc("Child", child), "Approve Closure"))
		self.assertEqual(
			frappe.db.get_value("Child", child, ["status", "workflow_state"]), ("Closed", "Closed")
		)
		history = frappe.get_doc("Child", child).status_history
		self.assertEqual([row.state for row in history][-1], "Closed")

	def test_escalations_stay_on_their_record_and_their_ladder(self):
		world = World()
		escalation = world.sample("Escalation")
		with self.assertRaises(SystemOwnedFieldError):
			self.run_as(
				world.worker,
				lambda: via_put("Escalation", escalation, {"reference_name": world.other_pep.name}),
			)
		self.assertEqual(frappe.db.get_value("Escalation", escalation, "reference_name"), world.pep.name)
		self.assertFalse(
			frappe.db.get_value("Personal Education Plan", world.other_pep.name, "escalation_level")
		)
		self.run_as(world.worker, lambda: apply_workflow(frappe.get_doc("Escalation", escalation), "Raise"))
		self.assertEqual(frappe.db.get_value("Escalation", escalation, "level"), 2)
		self.assertEqual(
			frappe.db.get_value("Personal Education Plan", world.pep.name, "escalation_level"), 2
		)

	def test_a_fetched_field_follows_its_link(self):
		"""Frappe copies fetch_from fields from their link before any hook; without the link, none is sent."""
		world = World()
		pep = world.pep.name
		with self.assertRaises(SystemOwnedFieldError):
			self.run_as(
				world.worker,
				lambda: via_put(
					"Personal Education Plan", pep, {"school": None, "school_name": "Forged School"}
				),
			)
		self.run_as(
			world.worker, lambda: via_put("Personal Education Plan", pep, {"school": world.other_school})
		)
		self.assertEqual(
			frappe.db.get_value("Personal Education Plan", pep, "school_name"),
			frappe.db.get_value("School", world.other_school, "school_name"),
		)

	def test_a_derived_value_sent_with_a_new_record_is_kept_only_when_the_code_agrees(self):
		world = World()
		new = {
			"doctype": "Escalation",
			"reference_doctype": "Personal Education Plan",
			"reference_name": world.pep.name,
			"reason": "Late",
		}
		echoed = {"child": world.child.name, "level": 1, "status": "Open"}
		right = self.run_as(world.worker, lambda: via_insert("Escalation", {**new, **echoed}))
		self.assertEqual((right.child, right.level), (world.child.name, 1))
		for forged in ({"level": 3}, {"status": "Closed"}, {"escalation_owner": world.other_worker}):
			with self.assertRaises(SystemOwnedFieldError, msg=str(forged)):
				self.run_as(world.worker, lambda forged=forged: via_insert("Escalation", {**new, **forged}))

	def test_the_desk_locks_the_declared_fields_the_user_may_not_set(self):
		world = World()
		locked = system_owned.locked_fields
		pep = world.pep.name
		self.assertEqual(
			sorted(self.run_as(world.worker, lambda: locked("Personal Education Plan", pep))),
			["qa_comments", "qa_rating", "qa_voice_rating"],
		)
		self.assertEqual(self.run_as(manager(), lambda: locked("Personal Education Plan", pep)), [])
		contact = world.sample("School Contact")
		self.assertEqual(self.run_as(world.worker, lambda: locked("School Contact")), ["user"])
		self.assertEqual(
			sorted(self.run_as(world.worker, lambda: locked("School Contact", contact))),
			["is_active", "school", "user"],
		)
		frappe.db.set_value("PP Plus Claim", world.claim.name, "workflow_state", "Approved")
		self.assertEqual(
			self.run_as(manager(), lambda: locked("PP Plus Claim", world.claim.name)), ["decision_reason"]
		)
		self.assertEqual(
			self.run_as(world.system_manager, lambda: locked("PP Plus Claim", world.claim.name)), []
		)
		with self.assertRaises(frappe.PermissionError):
			self.run_as(caseworker(2), lambda: locked("Personal Education Plan", pep))
