"""Disposal of records past their retention period, confirmed by the Virtual School Head per batch (issue #22).

Nothing is disposed of automatically: the Head fills a *Disposal Batch* from the Retention Review
(``add_records_past_retention``), removes what should stay, and confirms (``dispose``). Disposal re-checks
every record on the day, server-side: a child on **legal hold** stops the whole batch (``LegalHoldError``),
as does any record no longer past its retention (a rule edited, a contact reactivated): ``NotDueError``.

**Erasing a child** (``erase``) finds every record about them from metadata, so a doctype added later is
covered without an edit here:

- every document with a Link to the child, or to a document already found, or a Dynamic Link to one (an
  Escalation on a place request), transitively, is deleted with Frappe's ``delete_doc`` (its child tables,
  its controller's ``on_trash``/``after_delete``, which keep derived totals right), permanently: no
  *Deleted Document* copy;
- rows of child tables that link to them from a record that stays (a PP+ payment's claim line, an impact
  report's row) are deleted, and that record's version history has their identifiers replaced;
- every row that points at them by (doctype, name): File (and the file on disk, by ``delete_doc``),
  Version, Comment (and Frappe's own "Deleted" feed comment, which names them), ToDo, Communication,
  Document Follow, Tag Link, View Log, Access Log, Notification Log, Workflow Action, Energy Point Log,
  Activity Log, DocShare, User Permission, Error Log, Email Queue, Route History, and any other doctype's
  Dynamic Link.

What remains is a *Disposal Certificate*: how many records of each document type, when, confirmed by whom,
under which rules, and no name, date of birth or identifier. The batch itself (which named them) is erased.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import frappe
from frappe import _
from frappe.model import table_fields
from frappe.utils import add_days, getdate, now_datetime, today

from virtual_school.domain.retention import RecordKind
from virtual_school.governance import retention
from virtual_school.permissions import require_roles
from virtual_school.security import references
from virtual_school.setup.roles import SCHOOL_PORTAL_USER, VIRTUAL_SCHOOL_HEAD

BATCH = "Disposal Batch"
CERTIFICATE = "Disposal Certificate"
# Frappe rows that point at a record by (doctype column, name column) whatever their field types (File's
# attached_to_name is Data, not a Dynamic Link): erased with the record. Dynamic Links are found from metadata.
# The side-door guard's table (the rows that follow the record they point at), plus the rows only disposal
# touches: logs, shares, permissions and the copies Frappe keeps of deleted records.
REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
	**references.REFERENCES,
	"Access Log": (("export_from", "reference_document"),),
	"DocShare": (("share_doctype", "share_name"),),
	"User Permission": (("allow", "for_value"),),
	"Deleted Document": (("deleted_doctype", "deleted_name"),),
	"Error Log": (("reference_doctype", "reference_name"),),
	"Email Queue": (("reference_doctype", "reference_name"),),
	# another draft batch listing the same record (this batch's own rows go with it)
	"Disposal Batch Item": (("reference_doctype", "reference_name"),),
}


# Logs that quote records in free text (checked for the children's identifiers, not by reference).
TEXT_LOGS: dict[str, tuple[str, ...]] = {"Error Log": ("error",), "Email Queue": ("message",)}


class LegalHoldError(frappe.ValidationError):
	"""A record in the batch is on legal hold: nothing in the batch is disposed of."""


class NotDueError(frappe.ValidationError):
	"""A record in the batch is not past its retention period on the day of disposal."""


# --- the Head's two actions -------------------------------------------------------------------------------


@frappe.whitelist(methods=["POST"])
def add_records_past_retention(batch: str) -> int:
	"""Add to a draft batch every record the Retention Review lists today; returns how many were added."""
	require_roles(VIRTUAL_SCHOOL_HEAD)
	doc = frappe.get_doc(BATCH, batch)
	listed = {(item.reference_doctype, item.reference_name or None) for item in doc.items}
	added = 0
	for due in retention.due_records(today()):
		if (due.reference_doctype, due.reference_name) in listed:
			continue
		doc.append(
			"items",
			{
				"record_kind": due.record_kind,
				"reference_doctype": due.reference_doctype,
				"reference_name": due.reference_name,
				"retention_rule": due.retention_rule,
				"retention_end": due.retention_end,
				"records": due.records,
			},
		)
		added += 1
	doc.review_date = today()
	doc.flags.ignore_permissions = True  # the rows' read-only values are the review's (security/system_owned)
	doc.save()
	return added


@frappe.whitelist(methods=["POST"])
def dispose(batch: str) -> str:
	"""Erase every record of the batch, leave a Disposal Certificate, erase the batch; returns the certificate.

	Virtual School Head only (checked here, whatever the batch's permissions say). All or nothing: one
	transaction, and any record on legal hold or no longer due stops the whole batch.
	"""
	require_roles(VIRTUAL_SCHOOL_HEAD)
	doc = frappe.get_doc(BATCH, batch, for_update=True)
	if not doc.items:
		frappe.throw(_("The batch has no records to dispose of."), title=_("Nothing to Dispose Of"))
	on_date = getdate(today())
	check_legal_holds(doc)
	due = {
		(record.reference_doctype, record.reference_name): record for record in retention.due_records(on_date)
	}
	not_due = [item for item in doc.items if (item.reference_doctype, item.reference_name or None) not in due]
	if not_due:
		frappe.throw(
			_("Not past its retention period on {0}: {1}. Remove it from the batch.").format(
				on_date,
				", ".join(f"{_(item.reference_doctype)} {item.reference_name or ''}" for item in not_due),
			),
			exc=NotDueError,
			title=_("Not Due for Disposal"),
		)

	counts: Counter = Counter()
	rules: dict[str, int] = Counter()
	by_kind: dict[str, list] = defaultdict(list)
	for item in doc.items:  # what each record is, and its rule, as the review says today (not as stored)
		record = due[(item.reference_doctype, item.reference_name or None)]
		by_kind[record.record_kind].append(record)
		rules[record.retention_rule] += 1
	if by_kind.get(RecordKind.CHILD_CASE_RECORD.value):
		counts += erase(
			"Child", [item.reference_name for item in by_kind[RecordKind.CHILD_CASE_RECORD.value]]
		)
	if by_kind.get(RecordKind.SCHOOL_CONTACT.value):
		counts += erase_school_contacts(
			[item.reference_name for item in by_kind[RecordKind.SCHOOL_CONTACT.value]]
		)
	for item in by_kind.get(RecordKind.IMPORT_SOURCE_FILE.value, []):
		counts += erase_import_files(item.reference_name)
	for item in by_kind.get(RecordKind.ACCESS_LOG.value, []):
		bound = retention.access_log_bound(item.retention_rule, on_date)  # the whole log up to the bound
		counts[item.reference_doctype] += _delete_rows(
			item.reference_doctype, {"creation": ("<", add_days(bound, 1))}
		)

	counts.pop("Disposal Batch Item", None)  # the batch's own rows naming the records: erased with it below
	certificate = write_certificate(doc, counts, rules)
	erase(BATCH, [doc.name])  # it names what was disposed of
	return certificate


def check_legal_holds(doc) -> None:
	"""Refuse the batch when any child in it is on legal hold (read locked: a hold set meanwhile waits)."""
	children = [item.reference_name for item in doc.items if item.reference_doctype == "Child"]
	if not children:
		return
	child = frappe.qb.DocType("Child")
	held = (
		frappe.qb.from_(child)
		.select(child.name)
		.where(child.name.isin(children) & (child.legal_hold == 1))
		.for_update()
		.run(pluck=True)
	)
	if held:
		frappe.throw(
			_("On legal hold: {0}. Nothing in this batch was disposed of.").format(", ".join(held)),
			exc=LegalHoldError,
			title=_("Legal Hold"),
		)


def write_certificate(batch, counts: Counter, rules: Counter) -> str:
	rule_lines = []
	for rule_name, records in sorted(rules.items()):
		rule = frappe.db.get_value(retention.RULE_DOCTYPE, rule_name, ["authority", "source"], as_dict=True)
		rule_lines.append(
			_("{0} ({1}, {2} record(s) listed): {3}").format(
				rule_name, _(rule.authority), records, rule.source
			)
		)
	certificate = frappe.get_doc(
		{
			"doctype": CERTIFICATE,
			"disposed_on": now_datetime(),
			"disposed_by": frappe.session.user,
			"requested_by": batch.owner,
			"disposal_batch": batch.name,
			"total_records": sum(counts.values()),
			"rules": "\n".join(rule_lines),
			"notes": batch.notes,
			"kinds": [
				{"document_type": doctype, "records": number}
				for doctype, number in sorted(counts.items())
				if number
			],
		}
	)
	certificate.insert(ignore_permissions=True)
	return certificate.name


# --- erasing ----------------------------------------------------------------------------------------------


def erase(doctype: str, names: list[str]) -> Counter:
	"""Delete these records and every record and trace about them; returns how many of each doctype."""
	names = [name for name in names if name]
	counts: Counter = Counter()
	if not names:
		return counts
	found = _records_about(doctype, names)
	child_identifiers = _child_identifiers(found)  # read before the children are deleted
	identifiers = sorted(
		{name for names in found.values() for name in names} | set(child_identifiers), key=len, reverse=True
	)
	kept_parents: dict[str, set[str]] = defaultdict(set)
	# what points at them first (counted here: delete_doc would remove some of it uncounted)
	for record_doctype, record_names in found.items():
		counts += _erase_references(record_doctype, list(record_names))
	# deepest first, the records asked for last (their controllers' after_delete may read them)
	for record_doctype, record_names in reversed(list(found.items())):
		for table in _child_tables(record_doctype):
			counts[table] += frappe.db.count(
				table, {"parenttype": record_doctype, "parent": ("in", list(record_names))}
			)
		for name in sorted(record_names):
			_delete_document(record_doctype, name)
		counts[record_doctype] += len(record_names)
		_erase_deleted_feed(record_doctype, list(record_names))
		for table, fieldname in _table_links(record_doctype):
			rows = frappe.qb.DocType(table)
			for parenttype, parent in (
				frappe.qb.from_(rows)
				.select(rows.parenttype, rows.parent)
				.where(rows[fieldname].isin(list(record_names)))
				.run()
			):
				kept_parents[parenttype].add(parent)
			counts[table] += _delete_rows(table, {fieldname: ("in", list(record_names))})
	counts += _erase_logs_mentioning(identifiers)
	_scrub_versions(kept_parents, identifiers)
	return counts


def _records_about(doctype: str, names: list[str]) -> dict[str, set[str]]:
	"""{doctype: names}: these records and every document linking to one of them, transitively, in order."""
	found: dict[str, set[str]] = {}
	pending = [(doctype, set(names))]
	while pending:
		record_doctype, record_names = pending.pop(0)
		new = record_names - found.get(record_doctype, set())
		if not new:
			continue
		found.setdefault(record_doctype, set()).update(new)
		for linking_doctype, condition in _document_links(record_doctype):
			linked = frappe.get_all(
				linking_doctype, filters={**condition(list(new))}, pluck="name", order_by="name"
			)
			if linked:
				pending.append((linking_doctype, set(linked)))
	return found


def _document_links(doctype: str):
	"""(doctype, filters for names) of every non-table document type that links to ``doctype``."""
	links = []
	for parent, fieldname in _link_fields(doctype, "Link"):
		if not _is_table(parent) and parent not in REFERENCES:
			links.append((parent, lambda names, f=fieldname: {f: ("in", names)}))
	for parent, fieldname, type_field in _dynamic_link_fields():
		if not _is_table(parent) and parent not in REFERENCES:
			links.append((parent, lambda names, f=fieldname, t=type_field: {t: doctype, f: ("in", names)}))
	return links


def _table_links(doctype: str) -> list[tuple[str, str]]:
	"""(child table doctype, field) of every table row that links to ``doctype`` (the rows are about it)."""
	return [(parent, fieldname) for parent, fieldname in _link_fields(doctype, "Link") if _is_table(parent)]


def _link_fields(doctype: str, fieldtype: str) -> list[tuple[str, str]]:
	docfield, custom = frappe.qb.DocType("DocField"), frappe.qb.DocType("Custom Field")
	standard = (
		frappe.qb.from_(docfield)
		.select(docfield.parent, docfield.fieldname)
		.where((docfield.fieldtype == fieldtype) & (docfield.options == doctype))
		.run()
	)
	customised = (
		frappe.qb.from_(custom)
		.select(custom.dt, custom.fieldname)
		.where((custom.fieldtype == fieldtype) & (custom.options == doctype))
		.run()
	)
	return [(parent, fieldname) for parent, fieldname in {*standard, *customised} if _has_table(parent)]


def _dynamic_link_fields() -> list[tuple[str, str, str]]:
	docfield = frappe.qb.DocType("DocField")
	rows = (
		frappe.qb.from_(docfield)
		.select(docfield.parent, docfield.fieldname, docfield.options)
		.where(docfield.fieldtype == "Dynamic Link")
		.run()
	)
	return [(parent, fieldname, options) for parent, fieldname, options in rows if _has_table(parent)]


def _has_table(doctype: str) -> bool:
	meta = frappe.get_meta(doctype)
	return not (meta.issingle or meta.is_virtual) and frappe.db.table_exists(doctype)


def _is_table(doctype: str) -> bool:
	return bool(frappe.get_meta(doctype).istable)


def _delete_document(doctype: str, name: str) -> None:
	if frappe.get_meta(doctype).is_submittable and frappe.db.get_value(doctype, name, "docstatus") == 1:
		frappe.db.set_value(doctype, name, "docstatus", 2, update_modified=False)  # erased, not amended
	frappe.delete_doc(
		doctype, name, force=True, ignore_permissions=True, delete_permanently=True, ignore_missing=True
	)


def _erase_references(doctype: str, names: list[str]) -> Counter:
	"""Every Frappe row that points at these records (files with their content on disk)."""
	counts: Counter = Counter()
	pairs = [
		(ref, type_field, name_field)
		for ref, columns in REFERENCES.items()
		for type_field, name_field in columns
	]
	pairs += [
		(parent, type_field, name_field)
		for parent, name_field, type_field in _dynamic_link_fields()
		if parent in REFERENCES or _is_table(parent)
	]
	for reference, type_field, name_field in dict.fromkeys(pairs):
		if not frappe.db.table_exists(reference) or not all(
			frappe.db.has_column(reference, column) for column in (type_field, name_field)
		):
			continue
		filters = {type_field: doctype, name_field: ("in", names)}
		if reference == "File":
			files = frappe.get_all("File", filters=filters, pluck="name")
			for file in files:  # Frappe's File.on_trash removes the file from disk when no other row uses it
				frappe.delete_doc("File", file, ignore_permissions=True, delete_permanently=True, force=True)
			counts["File"] += len(files)
			continue
		if not _is_table(reference):
			rows = frappe.get_all(reference, filters=filters, pluck="name")
			for table in _child_tables(reference):
				if rows:
					_delete_rows(table, {"parenttype": reference, "parent": ("in", rows)})
		counts[reference] += _delete_rows(reference, filters)
	counts["Route History"] += _erase_routes(doctype, names)
	return +counts


def _erase_deleted_feed(doctype: str, names: list[str]) -> None:
	"""Frappe's ``delete_doc`` leaves a "Deleted" comment naming each record it deleted (``insert_feed``)."""
	subjects = [f"{_(doctype)} {name}" for name in names]
	frappe.db.delete(
		"Comment", {"comment_type": "Deleted", "reference_doctype": doctype, "subject": ("in", subjects)}
	)


def _erase_routes(doctype: str, names: list[str]) -> int:
	"""The desk's Route History keeps each form opened (``app/child/CH-00042``)."""
	route = frappe.qb.DocType("Route History")
	slugs = {doctype, frappe.scrub(doctype).replace("_", "-")}  # "Form/Child/CH-1" and "app/child/CH-1"
	pattern = "(^|/)({})/({})($|/)".format(
		"|".join(re.escape(slug) for slug in slugs), "|".join(re.escape(name) for name in names)
	)
	matches = frappe.qb.from_(route).select(route.name).where(route.route.regexp(pattern)).run(pluck=True)
	if matches:
		frappe.db.delete("Route History", {"name": ("in", matches)})
	return len(matches)


def _delete_rows(doctype: str, filters: dict) -> int:
	"""Delete the rows matching ``filters``; how many (``frappe.db.delete`` does not say)."""
	count = frappe.db.count(doctype, filters)
	if count:
		frappe.db.delete(doctype, filters)
	return count


def _child_tables(doctype: str) -> list[str]:
	return [df.options for df in frappe.get_meta(doctype).fields if df.fieldtype in table_fields]


def _child_identifiers(found: dict[str, set[str]]) -> list[str]:
	"""The children's ids, full names, UPNs and social care ids."""
	if not found.get("Child"):
		return []
	values = set()
	for row in frappe.get_all(
		"Child",
		filters={"name": ("in", list(found["Child"]))},
		fields=["name", "full_name", "upn", "social_care_id"],
	):
		values |= {value for value in row.values() if value}
	return sorted(values)


def _erase_logs_mentioning(identifiers: list[str]) -> Counter:
	"""Frappe's logs that quote a record in free text, not by reference: an Error Log's traceback shows
	the local variables (a child's name among them), an Email Queue row holds the message sent."""
	counts: Counter = Counter()
	for doctype, columns in TEXT_LOGS.items():
		if not identifiers or not frappe.db.table_exists(doctype):
			continue
		table = frappe.qb.DocType(doctype)
		condition = None
		for column in columns:
			for identifier in identifiers:
				term = table[column].like(f"%{identifier.replace('%', '').replace('_', '')}%")
				condition = term if condition is None else condition | term
		names = frappe.qb.from_(table).select(table.name).where(condition).run(pluck=True)
		if names:
			for child_table in _child_tables(doctype):
				frappe.db.delete(child_table, {"parenttype": doctype, "parent": ("in", names)})
			frappe.db.delete(doctype, {"name": ("in", names)})
			counts[doctype] += len(names)
	return counts


def _scrub_versions(parents: dict[str, set[str]], identifiers: list[str]) -> None:
	"""A record that stays (a payment) keeps its history, with the erased rows' identifiers replaced."""
	version = frappe.qb.DocType("Version")
	for parent_doctype, parent_names in parents.items():
		if parent_doctype == BATCH:
			continue
		rows = (
			frappe.qb.from_(version)
			.select(version.name, version.data)
			.where((version.ref_doctype == parent_doctype) & version.docname.isin(list(parent_names)))
			.run(as_dict=True)
		)
		for row in rows:
			data = row.data or ""
			for identifier in identifiers:
				data = data.replace(frappe.as_json(identifier), '"(disposed)"')
			if data != row.data:
				frappe.db.set_value("Version", row.name, "data", data, update_modified=False)


def erase_school_contacts(names: list[str]) -> Counter:
	"""A contact and its traces; its portal user too, once no other School Contact links them."""
	users = set(frappe.get_all("School Contact", filters={"name": ("in", names)}, pluck="user")) - {None, ""}
	counts = erase("School Contact", names)
	for user in sorted(users):
		if frappe.db.exists("School Contact", {"user": user}):
			continue
		roles = set(frappe.get_all("Has Role", filters={"parent": user, "parenttype": "User"}, pluck="role"))
		if roles <= {SCHOOL_PORTAL_USER}:  # a desk user is not a portal user to erase
			frappe.delete_doc("User", user, force=True, ignore_permissions=True, delete_permanently=True)
			counts["User"] += 1
	return counts


def erase_import_files(import_log: str) -> Counter:
	"""The source files of an import (the log, its counts and rejected rows stay)."""
	counts: Counter = Counter()
	files = frappe.get_all(
		"File", filters={"attached_to_doctype": "Import Log", "attached_to_name": import_log}, pluck="name"
	)
	for file in files:
		frappe.delete_doc("File", file, ignore_permissions=True, delete_permanently=True, force=True)
	counts["File"] += len(files)
	attach_fields = [
		df.fieldname
		for df in frappe.get_meta("Import Log").fields
		if df.fieldtype in ("Attach", "Attach Image")
	]
	if attach_fields:
		frappe.db.set_value("Import Log", import_log, dict.fromkeys(attach_fields), update_modified=False)
	return counts
