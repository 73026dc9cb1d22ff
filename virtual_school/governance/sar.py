"""Subject access export: one ZIP of everything the app holds about one child (issue #22, UK GDPR Article 15).

Which records are "about the child" is read from metadata, so a doctype added later is exported without an
edit here: starting from the Child, every app doctype with a Link (or a Dynamic Link) to a record already
found is searched, until nothing new is found (PEPs, claims, exclusions, placements, place requests,
escalations, attendance, data quality issues, and the records pointing at those). A child-table row found
that way whose parent is about several children (a PP+ payment, an impact report, a disposal batch) is
exported as an *excerpt*: the parent's own fields and only the rows about this child.

For each record: its JSON (with its child tables: care episodes, status history, PEP targets…), its attached
files and generated letters, and every Frappe row pointing at it (``security.references.REFERENCES``:
versions, comments including workflow comments, workflow actions, assignments, communications, follows,
tags, view logs…, and shares), then the access log of all of them (``governance.access_log``). Values that
name or describe someone else are listed in ``redaction_review.json`` and marked in the summary .docx; free
text cannot be checked automatically, and the summary says so (``domain.subject_access``).

Only the Virtual School Head and Managers produce one, for a child they may read; the export is logged (an
Access Log row per tracked record, method "Subject Access Export", and a Comment on the Child). The ZIP is
streamed as a download (or written to a path by the bench command), never stored on the site: a stored copy
would be one more copy of the whole file to guard (a File on the Child is readable by the child's
caseworker) and to find at disposal.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

import frappe
from frappe import _
from frappe.model import no_value_fields, table_fields
from frappe.utils import get_datetime, now_datetime, today

from virtual_school.domain import subject_access as rules
from virtual_school.governance import access_log
from virtual_school.permissions import require_roles
from virtual_school.security.references import REFERENCES, app_doctypes
from virtual_school.setup.roles import VIRTUAL_SCHOOL_HEAD, VIRTUAL_SCHOOL_MANAGER
from virtual_school.shared import settings

ROLES = (VIRTUAL_SCHOOL_HEAD, VIRTUAL_SCHOOL_MANAGER)
CHILD = access_log.CHILD
# Frappe rows pointing at a record that are not in security.references.REFERENCES.
MORE_REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {"DocShare": (("share_doctype", "share_name"),)}
# Frappe's own bookkeeping columns: kept in the JSON, left out of the readable summary.
SYSTEM_FIELDS = frozenset(
	{"doctype", "name", "owner", "creation", "modified", "modified_by", "docstatus", "idx"}
)
SKIPPED_TYPES = frozenset({*no_value_fields, "Password"}) - set(table_fields)


@dataclass
class Collected:
	"""What an export holds before it is written."""

	child: str
	records: dict[tuple[str, str], dict] = field(default_factory=dict)  # (doctype, name) -> as_dict
	excerpts: dict[tuple[str, str], dict] = field(
		default_factory=dict
	)  # parent (doctype, name) -> header+rows
	references: dict[str, list[dict]] = field(default_factory=dict)  # Frappe doctype -> rows
	files: list[dict] = field(default_factory=list)
	accesses: list[dict] = field(default_factory=list)


def _link_graph() -> tuple[dict[str, list[tuple[str, str]]], list[tuple[str, str, str]]]:
	"""Who points at what, from metadata: {target doctype: [(doctype, link field)]} and the Dynamic Links."""
	incoming: dict[str, list[tuple[str, str]]] = {}
	dynamic: list[tuple[str, str, str]] = []
	for doctype, row in app_doctypes().items():
		if row.issingle:
			continue
		for df in frappe.get_meta(doctype).fields:
			if df.fieldtype == "Link" and df.options in app_doctypes():
				incoming.setdefault(df.options, []).append((doctype, df.fieldname))
			elif df.fieldtype == "Dynamic Link" and df.options:
				dynamic.append((doctype, df.options, df.fieldname))
	return incoming, dynamic


def collect(child: str) -> Collected:
	"""Every record about the child, found from metadata until nothing new is found."""
	found = Collected(child=child)
	incoming, dynamic = _link_graph()
	tables = {name for name, row in app_doctypes().items() if row.istable}
	seen: dict[str, set[str]] = {CHILD: {child}}
	frontier: dict[str, set[str]] = {CHILD: {child}}
	rows_found: dict[str, set[str]] = {}
	while frontier:
		next_frontier: dict[str, set[str]] = {}
		for target, names in frontier.items():
			searches = [
				(doctype, {fieldname: ["in", sorted(names)]})
				for doctype, fieldname in incoming.get(target, ())
			]
			searches += [
				(doctype, {type_field: target, name_field: ["in", sorted(names)]})
				for doctype, type_field, name_field in dynamic
			]
			for doctype, filters in searches:
				if doctype in tables:
					for row in frappe.get_all(
						doctype, filters=filters, fields=["name", "parent", "parenttype"]
					):
						rows_found.setdefault(doctype, set()).add(row.name)
					continue
				for name in frappe.get_all(doctype, filters=filters, pluck="name"):
					if name not in seen.setdefault(doctype, set()):
						seen[doctype].add(name)
						next_frontier.setdefault(doctype, set()).add(name)
		frontier = next_frontier

	for doctype in sorted(seen, key=lambda name: (name != CHILD, name)):
		for name in sorted(seen[doctype]):
			found.records[(doctype, name)] = frappe.get_doc(doctype, name).as_dict(convert_dates_to_str=True)
	_collect_excerpts(found, rows_found)
	_collect_references(found)
	found.accesses = access_log.accesses_of(found.records)
	return found


def _collect_excerpts(found: Collected, rows_found: dict[str, set[str]]) -> None:
	"""Rows about the child in a parent about several children: the parent's own fields and those rows only."""
	for table, names in sorted(rows_found.items()):
		for row in frappe.get_all(
			table, filters={"name": ["in", sorted(names)]}, fields=["*"], order_by="idx"
		):
			key = (row.parenttype, row.parent)
			if key in found.records or not row.parenttype:
				continue  # the whole parent is about this child and already exported
			if key not in found.excerpts:
				parent = frappe.get_doc(row.parenttype, row.parent).as_dict(convert_dates_to_str=True)
				meta = frappe.get_meta(row.parenttype)
				found.excerpts[key] = {
					**{
						k: v
						for k, v in parent.items()
						if not meta.get_field(k) or meta.get_field(k).fieldtype not in table_fields
					},
					"rows_about_the_child": {},
				}
			found.excerpts[key]["rows_about_the_child"].setdefault(row.parentfield, []).append(
				json.loads(frappe.as_json(row))
			)


def _collect_references(found: Collected) -> None:
	"""Frappe's rows pointing at each record: files, versions, comments, workflow actions, assignments…"""
	by_doctype: dict[str, list[str]] = {}
	for doctype, name in found.records:
		by_doctype.setdefault(doctype, []).append(name)
	for reference, pairs in {**REFERENCES, **MORE_REFERENCES}.items():
		rows: dict[str, dict] = {}
		for type_column, name_column in pairs:
			for doctype, names in by_doctype.items():
				for row in frappe.get_all(
					reference,
					filters={type_column: doctype, name_column: ["in", names]},
					fields=["*"],
					order_by="creation",
				):
					rows[row.name] = row
		if rows:
			found.references[reference] = sorted(rows.values(), key=lambda row: str(row.creation))
	found.files = [row for row in found.references.get("File", []) if not row.is_folder]
	# An Attach field naming a file kept on another record (rare): export that file too.
	urls = {row.file_url for row in found.files}
	for (doctype, _name), values in found.records.items():
		for df in frappe.get_meta(doctype).fields:
			url = values.get(df.fieldname) if df.fieldtype in ("Attach", "Attach Image") else None
			if url and url not in urls:
				urls.add(url)
				found.files += frappe.get_all(
					"File", filters={"file_url": url, "is_folder": 0}, fields=["*"], limit=1
				)


def _label(doctype: str, fieldname: str) -> str:
	df = frappe.get_meta(doctype).get_field(fieldname)
	return _(df.label) if df and df.label else fieldname


def _text(df, value) -> str:
	if df.fieldtype == "Check":
		return _("Yes") if value else _("No")
	if df.fieldtype in ("Text Editor", "HTML Editor"):
		return frappe.utils.strip_html(str(value))
	return str(value)


def _values(doctype: str, values: dict, review: list[dict], name: str, where: str = "") -> tuple:
	"""The record's filled fields in form order, each with its review reason (and noted in ``review``)."""
	out = []
	for df in frappe.get_meta(doctype).fields:
		value = values.get(df.fieldname)
		if df.fieldtype in SKIPPED_TYPES or df.fieldtype in table_fields or value in (None, "", []):
			continue
		reason = rules.review_reason(df.fieldname, df.fieldtype, df.options)
		if reason:
			review.append(
				{
					"doctype": doctype,
					"name": name,
					"where": where,
					"field": df.fieldname,
					"label": df.label,
					"reason": reason,
				}
			)
		out.append(rules.Value(_(df.label or df.fieldname), _text(df, value), reason))
	return tuple(out)


def _summary_record(doctype: str, name: str, values: dict, review: list[dict]) -> rules.Record:
	tables = []
	for df in frappe.get_meta(doctype).fields:
		rows = values.get(df.fieldname) if df.fieldtype in table_fields else None
		if rows:
			tables.append(
				(
					_(df.label or df.fieldname),
					tuple(
						_values(df.options, row, review, name, f"{df.fieldname} row {row.get('idx')}")
						for row in rows
					),
				)
			)
	return rules.Record(doctype, name, _values(doctype, values, review, name), tuple(tables))


def _history(found: Collected, review: list[dict]) -> list[rules.HistoryEntry]:
	"""Versions (the fields each changed), comments (workflow changes among them) and communications, in time order."""
	entries = []
	for row in found.references.get("Version", []):
		data = json.loads(row.data or "{}")
		changed = [_label(row.ref_doctype, change[0]) for change in data.get("changed") or []]
		rows = [
			_label(row.ref_doctype, change[0])
			for change in (data.get("added") or []) + (data.get("removed") or [])
		]
		rows += [_label(row.ref_doctype, change[0]) for change in data.get("row_changed") or []]
		what = (
			_("Changed {0}").format(", ".join(dict.fromkeys(changed + rows)))
			if changed or rows
			else _("Created")
		)
		entries.append(
			(
				row.creation,
				rules.HistoryEntry(str(row.creation), row.owner, f"{row.ref_doctype} {row.docname}", what),
			)
		)
	for reference, text_field in (("Comment", "content"), ("Communication", "content")):
		for row in found.references.get(reference, []):
			text = frappe.utils.strip_html(row.get(text_field) or "")
			reason = rules.FREE_TEXT if text else None
			if reason:
				review.append(
					{
						"doctype": reference,
						"name": row.name,
						"where": f"{row.reference_doctype} {row.reference_name}",
						"field": text_field,
						"label": reference,
						"reason": reason,
					}
				)
			what = row.get("comment_type") or row.get("communication_type") or reference
			entries.append(
				(
					row.creation,
					rules.HistoryEntry(
						str(row.creation),
						row.owner,
						f"{row.reference_doctype} {row.reference_name}",
						_(what),
						text,
						reason,
					),
				)
			)
	entries.sort(key=lambda entry: get_datetime(entry[0]))
	return [entry for _when, entry in entries]


def build_zip(found: Collected, produced_by: str, produced_at: datetime) -> bytes:
	"""The ZIP: records, excerpts, history, files, access log, redaction review, manifest and summary."""
	review: list[dict] = []
	child = found.records[(CHILD, found.child)]
	summary_records = [
		_summary_record(doctype, name, values, review) for (doctype, name), values in found.records.items()
	]
	for (doctype, name), values in found.excerpts.items():
		rows = tuple(
			(
				f"{_label(doctype, parentfield)} ({_('rows about the child only')})",
				tuple(
					_values(
						frappe.get_meta(doctype).get_field(parentfield).options,
						row,
						review,
						name,
						parentfield,
					)
					for row in table
				),
			)
			for parentfield, table in values["rows_about_the_child"].items()
		)
		summary_records.append(rules.Record(doctype, name, _values(doctype, values, review, name), rows))
	history = _history(found, review)

	buffer = io.BytesIO()
	written_files = []
	with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
		for (doctype, name), values in found.records.items():
			archive.writestr(f"records/{_safe(doctype)}/{_safe(name)}.json", frappe.as_json(values))
		for (doctype, name), values in found.excerpts.items():
			archive.writestr(f"records/{_safe(doctype)}/{_safe(name)}.excerpt.json", frappe.as_json(values))
		for reference, rows in found.references.items():
			if reference != "File":
				archive.writestr(f"history/{_safe(reference)}.json", frappe.as_json(rows))
		archive.writestr("files.json", frappe.as_json(found.files))
		used = set()
		for row in found.files:
			record = f"{row.attached_to_doctype} {row.attached_to_name}"
			review.append(
				{
					"doctype": "File",
					"name": row.name,
					"where": record,
					"field": "content",
					"label": row.file_name,
					"reason": rules.FREE_TEXT,
				}
			)
			try:
				content = frappe.get_doc("File", row.name).get_content()
			except Exception:
				content = None
			if content is None or (row.file_url or "").startswith(("http://", "https://")):
				written_files.append(
					(record, f"{row.file_name} ({_('not on this site: not in the ZIP')})", 0)
				)
				continue
			if isinstance(content, str):
				content = content.encode()
			path = f"files/{_safe(row.attached_to_doctype or 'unattached')}/{_safe(row.attached_to_name or '-')}/{_safe(row.file_name or row.name)}"
			while path in used:
				path = re.sub(r"(\.[^./]*)?$", lambda m: f"-{row.name}{m.group(0)}", path, count=1)
			used.add(path)
			archive.writestr(path, content)
			written_files.append((record, row.file_name, len(content)))
		archive.writestr("access_log.json", frappe.as_json(found.accesses))
		archive.writestr("redaction_review.json", frappe.as_json(review))
		manifest = {
			"child": found.child,
			"produced_by": produced_by,
			"produced_at": str(produced_at),
			"records": {
				doctype: sum(1 for key in found.records if key[0] == doctype)
				for doctype in dict.fromkeys(key[0] for key in found.records)
			},
			"excerpts": [f"{doctype} {name}" for doctype, name in found.excerpts],
			"files": len(found.files),
			"history": {
				reference: len(rows) for reference, rows in found.references.items() if reference != "File"
			},
			"accesses": len(found.accesses),
			"values_to_review": len(review),
			"not_detected": rules.NOT_DETECTED,
		}
		archive.writestr("manifest.json", json.dumps(manifest, indent=1))
		summary = rules.Summary(
			authority=settings.get().authority_name or "",
			child_name=child.get("full_name")
			or " ".join(filter(None, (child.get("first_name"), child.get("last_name")))),
			child_reference=found.child,
			date_of_birth=str(child.get("date_of_birth") or ""),
			produced_by=produced_by,
			produced_at=produced_at,
			records=tuple(summary_records),
			files=tuple(written_files),
			history=tuple(history),
			accesses=tuple(
				rules.Access(
					str(row.viewed_at),
					row.user or "",
					f"{row.reference_doctype} {row.reference_name}",
					row.method or "",
					row.route or "",
				)
				for row in found.accesses
			),
			flagged=len(review),
			notes=tuple(
				_(
					"{0} {1}: only its rows about this child are exported; the rest is about other children."
				).format(doctype, name)
				for doctype, name in found.excerpts
			),
		)
		archive.writestr("summary.docx", rules.summary_document(summary))
	return buffer.getvalue()


def _safe(part: str) -> str:
	"""A name as one safe path segment inside the ZIP."""
	return re.sub(r"[^\w.@ -]+", "_", str(part)).strip(". ") or "_"


def check_access(child: str) -> None:
	"""Only the Head and Managers, and only for a child they may read (the caseload rules apply as everywhere)."""
	require_roles(*ROLES)
	if not frappe.db.exists(CHILD, child):
		frappe.throw(_("Child {0} was not found.").format(child), frappe.DoesNotExistError)
	frappe.has_permission(CHILD, "read", child, throw=True)


def export(child: str, route: str) -> tuple[str, bytes]:
	"""Check, collect, write and log one export; returns (file name, ZIP bytes)."""
	check_access(child)
	produced_at = now_datetime()
	user = frappe.session.user
	found = collect(child)
	content = build_zip(found, user, produced_at)
	tracked = [key for key in found.records if key[0] in access_log.TRACKED_DOCTYPES]
	access_log.record(tracked, access_log.SUBJECT_ACCESS_EXPORT, route, file_type="ZIP", with_request=True)
	frappe.get_doc(CHILD, child).add_comment(
		"Info",
		_("Subject access export produced by {0}: {1} records, {2} files, {3} recorded reads.").format(
			user, len(found.records) + len(found.excerpts), len(found.files), len(found.accesses)
		),
	)
	return f"subject-access-{_safe(child)}-{today()}.zip", content


@frappe.whitelist(methods=["POST"])
def download(child: str) -> None:
	"""The Child form's *Subject Access Export* button: the ZIP as a download (POST, so it carries the CSRF token)."""
	name, content = export(child, "/api/method/virtual_school.governance.sar.download")
	frappe.local.response.filename = name
	frappe.local.response.filecontent = content
	frappe.local.response.type = "download"


def export_to_path(child: str, path: str, user: str | None = None) -> tuple[str, int]:
	"""The bench command: export as ``user`` (a Head or Manager; Administrator when not given) to ``path``."""
	frappe.set_user(user or "Administrator")
	_name, content = export(child, "bench virtual-school-subject-access")
	with open(path, "wb") as file:
		file.write(content)
	return path, len(content)
