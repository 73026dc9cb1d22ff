"""Import looked-after children from the DfE SSDA903 return: CSV (header, episodes, reviews) or the XML export.

Never lose a child in care (issue #19). ``virtual_school.domain.ssda903`` reads the files: a child whose identity
is usable (CHILD id, one possible date of birth) is always read, a value that breaks its rule is left out and
becomes a ``QualityIssue``, and only rows that cannot identify a child are rejected. This module compares each
child with the site by the social-care ID (``Child.social_care_id``) and a fingerprint, previews what would be
created, changed and rejected, and writes each child in its own savepoint, keeping the stored value of every
field that failed its rule. It keeps the *Data Quality Issue* records in step with the file: a new problem
opens one issue, the same problem in a re-sent file (whatever row it moved to) updates the one it has, and an
open issue of a child in the file that the file no longer shows is resolved. Re-importing the same files
changes nothing.

Scale (issue #19 item 8: 15,000 children, 60,000 episodes, 50,000 reviews in under 60 s on 2 cores). New
children are written set-based (``_create_children``: built and checked in memory, then multi-row INSERTs
per table and batch); changed children too (``_update_children``: read per batch, checked in memory as
``save()`` checks them, then only the changed columns and rows written); an unchanged one (same fingerprint)
is not touched. The whole import is one transaction: a crash leaves nothing.
**Audit trail**: every created child gets a *Version* like the one Frappe's Data Import leaves (``creation``,
``created_by`` and ``updater_reference``: this import's Import Log), every updated child a Version of the
diff carrying the same reference, even where Frappe skips Versions (tests); the Import Log keeps the files
and the summary. **Workflow Actions** are not created for imported children (``_without_workflow_actions``).
What a site configures to run on each saved Child (a Notification, Webhook, Server Script, Assignment Rule,
Energy Point Rule or Milestone Tracker on Child, or another app's ``doc_events`` handler) is honoured: with
one, children are inserted and saved one by one through the controller (``_reasons_to_save_each``, said in
the summary). None is shipped, so the set-based paths are the ones a site normally takes.
"""

import dataclasses
import functools
import json
import re
from collections import Counter
from contextlib import contextmanager

import frappe
from frappe import _
from frappe.core.doctype.version.version import Version, get_diff
from frappe.desk.notifications import clear_doctype_notifications
from frappe.model import no_value_fields
from frappe.model.naming import make_autoname
from frappe.query_builder import Case
from frappe.utils import cint, cstr, now_datetime

from virtual_school.children.leaving_care import apply_episodes
from virtual_school.children.social_worker import link_social_worker_users
from virtual_school.children.vocabulary import LOOKED_AFTER
from virtual_school.domain import postcode_la, ssda903
from virtual_school.imports import dfe_validator
from virtual_school.permissions import require_roles
from virtual_school.shared import settings
from virtual_school.virtual_school.doctype.import_log import import_log

GENDERS = {"M": "Male", "F": "Female", "U": "Not known"}
ISSUE_DOCTYPE = "Data Quality Issue"
OPEN, RESOLVED = "Open", "Resolved"
TOP_RULES = 5
WORKFLOW_ACTIONS_HOOK = "frappe.workflow.doctype.workflow_action.workflow_action.process_workflow_actions"
# children written per round of set-based inserts (a few multi-row INSERTs each); rows per INSERT statement
CREATE_BATCH = 1000
INSERT_ROWS = 2000
# The Import Log fields that hold each source (``files`` keys of ``read``)
LOG_FIELDS = {
	"header": "header_file",
	"episodes": "episodes_file",
	"reviews": "reviews_file",
	"xml": "source_file",
}


def _files(header=None, episodes=None, reviews=None, xml=None) -> dict:
	files = {"header": header, "episodes": episodes, "reviews": reviews, "xml": xml}
	return {key: value for key, value in files.items() if value is not None}


def read(files: dict) -> ssda903.ReadResult:
	"""The files read as the domain reads them, with the site's LA codes for the UPN and PL_LA checks."""
	known = set(frappe.get_all("Local Authority", pluck="name"))
	if not files.get("xml") and not (files.get("header") and files.get("episodes")):
		frappe.throw(
			_(
				"Attach the header and episodes files (and the reviews file if you have it), or the XML export."
			),
			title=_("Missing File"),
		)
	directory = postcode_la.default_directory()
	derived = _Derivations(directory) if directory.available else None
	try:
		result = ssda903.read_files(
			files, known_la_codes=known, on_date=now_datetime().date(), placement_la_lookup=derived
		)
	except ssda903.MalformedFile as error:
		frappe.throw(_("The SSDA903 files cannot be imported: {0}").format(error), title=_("Malformed File"))
	_flag_shared_upns(result)
	if derived is None:
		result.notes.append(
			_("placement postcodes not mapped to local authorities ({0} is not installed)").format(
				postcode_la.PACKAGE
			)
		)
	elif derived.count:
		result.notes.append(
			_(
				"PL_LA derived from the placement postcode for {0} episodes (ONS Postcode Directory, {1} {2})"
			).format(f"{derived.count:,}", postcode_la.PACKAGE, directory.version or "")
		)
	return result


class _Derivations:
	"""The ONS Postcode Directory's lookup (``postcode_la``: loaded once per process, a letter at a time),
	counting the placement LAs it gave for the import summary."""

	def __init__(self, directory: postcode_la.PostcodeDirectory):
		self.directory = directory
		self.count = 0

	def __call__(self, postcode: str) -> postcode_la.PlacementLA:
		found = self.directory.lookup(postcode)
		if found.la:
			self.count += 1
		return found


def _flag_shared_upns(result: ssda903.ReadResult) -> None:
	"""A UPN another child already holds (on the site, or earlier in the file) is not written, and flagged.

	A Child's UPN is unique (``Child.validate_not_duplicate``): writing it would refuse the whole child, and a
	looked-after child must never be lost to a typing error in a UPN.
	"""
	upns = [child.upn for child in result.children if child.upn]
	if not upns:
		return
	table = frappe.qb.DocType("Child")
	holders = {}
	for start in range(0, len(upns), 1000):
		for upn, social_care_id in (
			frappe.qb.from_(table)
			.select(table.upn, table.social_care_id)
			.where(table.upn.isin(upns[start : start + 1000]))
			.run()
		):
			holders[upn] = social_care_id
	for index, child in enumerate(result.children):
		if not child.upn:
			continue
		holder = holders.setdefault(child.upn, child.social_care_id)
		if holder == child.social_care_id:
			continue
		result.issues.append(
			ssda903.QualityIssue(
				child.social_care_id,
				ssda903.HEADER_FILE,
				None,
				"UPN",
				child.upn,
				_(
					"UPN {0} is already recorded for another child: not written (check for a duplicate record)"
				).format(child.upn),
				"upn:duplicate",
			)
		)
		result.children[index] = dataclasses.replace(
			child, upn=None, invalid_fields=child.invalid_fields | {"UPN"}
		)


def preview(header=None, episodes=None, reviews=None, xml=None) -> dict:
	"""What an import would do, writing nothing."""
	result = read(_files(header, episodes, reviews, xml))
	plan = _plan(result.children)
	summary = {
		"create": [child.social_care_id for child, _name in plan["create"]],
		"update": [child.social_care_id for child, _name in plan["update"]],
		"unchanged": plan["unchanged"],
		"rejected": [row.as_dict() for row in result.rejected],
		"issues": [issue.as_dict() for issue in result.issues],
		"notes": result.notes,
	}
	summary["summary"] = summary_text(summary, result.issues, preview=True)
	return summary


def import_children(header=None, episodes=None, reviews=None, xml=None, log=None) -> dict:
	"""Create or update every identifiable child, and keep its Data Quality Issues in step with the file."""
	result = read(_files(header, episodes, reviews, xml))
	plan = _plan(result.children)
	summary = {
		"created": [],
		"updated": [],
		"unchanged": plan["unchanged"],
		"rejected": [r.as_dict() for r in result.rejected],
	}
	names = dict(plan["names"])
	reference = _updater_reference(log)
	reasons = _reasons_to_save_each()
	with _without_workflow_actions():
		create = _insert_children if reasons else _create_children
		created, rejected = create([child for child, _name in plan["create"]], reference)
		names.update(created)
		summary["created"] = list(created.values())
		summary["rejected"] += rejected
		update = _save_children if reasons else _update_children
		updated, rejected = update(plan["update"], reference)
		for child, _name in plan["update"]:
			if child.social_care_id not in updated:
				names.pop(child.social_care_id, None)  # refused: listed in the answer and the Import Log
		names.update(updated)
		summary["updated"] = list(updated.values())
		summary["rejected"] += rejected
	written = {child.social_care_id for child in result.children if child.social_care_id in names}
	issues = [issue for issue in result.issues if issue.child in written]
	summary["issues"] = sync_issues(
		issues, {child: names[child] for child in written}, log, "XML" if xml is not None else "CSV"
	)
	summary["notes"] = [*result.notes, _queue_dfe_validator(log)]
	if reasons and (plan["create"] or plan["update"]):
		summary["notes"].append(
			_("children saved one by one, because {0} must run on each").format(", ".join(reasons))
		)
	summary["summary"] = summary_text(summary, issues)
	link_social_worker_users(sorted(names[child] for child in written))
	return summary


def _rejection(child: ssda903.ChildRecord, error: Exception) -> dict:
	return {"child": child.social_care_id, "row": None, "column": "", "reason": str(error)}


def _updater_reference(log) -> dict:
	"""What Frappe's Data Import puts on the records it writes (``doc.flags.updater_reference``): the
	Version of each created or updated child links back to this import's log."""
	return {"doctype": "Import Log", "docname": log.name if log else None, "label": _("SSDA903 import")}


@contextmanager
def _without_workflow_actions():
	"""Frappe's ``process_workflow_actions`` (a ``"*"`` on_update hook, honouring no flag) gives every saved
	Child in a state with a next transition one *Workflow Action* to-do per user of the roles allowed to
	act: thousands of to-dos for one import, and half its time. An imported child's next step is
	the team's (the import summary and the Children list show them), so during the import, in this request
	only (``frappe.local``), the hook is left out; every other hook still runs."""
	hooks = frappe.get_doc_hooks()
	trimmed = {
		doctype: {
			event: [handler for handler in handlers if handler != WORKFLOW_ACTIONS_HOOK]
			for event, handlers in events.items()
		}
		for doctype, events in hooks.items()
	}
	frappe.local.doc_events_hooks = trimmed
	try:
		yield
	finally:
		frappe.local.doc_events_hooks = hooks


def summary_text(summary: dict, issues: list, preview: bool = False) -> str:
	"""One sentence for the team: "2,675 children: 2,640 created, 35 updated, 0 rejected; 1,213 ..."."""

	def count(key):
		value = summary.get(key, [])
		return len(value) if isinstance(value, list | tuple) else value

	created, updated = (count("create"), count("update")) if preview else (count("created"), count("updated"))
	rejected_children = {row.get("child") or f"row {row.get('row')}" for row in summary.get("rejected", [])}
	total = created + updated + count("unchanged")
	text = _("{0} children: {1} {2}, {3} {4}, {5} unchanged, {6} rejected").format(
		f"{total:,}",
		f"{created:,}",
		_("to create") if preview else _("created"),
		f"{updated:,}",
		_("to update") if preview else _("updated"),
		f"{count('unchanged'):,}",
		f"{len(rejected_children):,}",
	)
	if issues:
		by_check = Counter(issue.check for issue in issues)
		examples = {}
		for issue in issues:
			examples.setdefault(issue.check, issue.rule)
		top = "; ".join(
			f"{examples[check]} ({number:,})" for check, number in by_check.most_common(TOP_RULES)
		)
		text += _("; {0} data-quality issues in {1} children; top rules: {2}").format(
			f"{len(issues):,}", f"{len({issue.child for issue in issues}):,}", top
		)
	for note in summary.get("notes") or ():
		text += f"; {note}"
	return text


def _plan(children: list) -> dict:
	ids = [child.social_care_id for child in children]
	existing = {}
	table = frappe.qb.DocType("Child")
	for start in range(0, len(ids), 1000):
		for row in (
			frappe.qb.from_(table)
			.select(table.name, table.social_care_id, table.ssda903_fingerprint)
			.where(table.social_care_id.isin(ids[start : start + 1000]))
			.run(as_dict=True)
		):
			existing[row.social_care_id] = row
	plan = {"create": [], "update": [], "unchanged": [], "names": []}
	for child in children:
		found = existing.get(child.social_care_id)
		if not found:
			plan["create"].append((child, None))
			continue
		plan["names"].append((child.social_care_id, found.name))
		if found.ssda903_fingerprint == ssda903.record_fingerprint(child):
			plan["unchanged"].append(child.social_care_id)
		else:
			plan["update"].append((child, found.name))
	return plan


def _legal_status_option(code: str | None) -> str | None:
	if not code:
		return None
	options = frappe.get_meta("Child").get_field("legal_status").options.split("\n")
	return next((option for option in options if option.startswith(f"{code} - ")), None)


def _apply(doc, child: ssda903.ChildRecord, new: bool) -> None:
	"""Set the file's values on a Child; a field that failed its rule keeps the stored value (a new child:
	left empty)."""
	if new:
		# SSDA903 carries no names: the team completes them from the social-care system.
		doc.first_name, doc.last_name = _("Child"), child.social_care_id
		doc.cohort = LOOKED_AFTER
	values = {
		"social_care_id": child.social_care_id,
		"date_of_birth": child.date_of_birth,
		"ssda903_fingerprint": ssda903.record_fingerprint(child),
		"care_history_uncertain": 1 if child.uncertain else 0,
	}
	if "SEX" not in child.invalid_fields and child.sex:
		values["gender"] = GENDERS.get(child.sex, "Not known")
	if "UPN" not in child.invalid_fields:
		values["upn"] = child.upn
	doc.update(values)
	if child.episodes:
		# derived from the episodes that can be used; with none usable, the stored history stands
		doc.update(
			{
				"legal_status": _legal_status_option(child.legal_status) or doc.legal_status,
				"date_entered_care": child.date_entered_care,
				"date_left_care": child.date_left_care,
			}
		)
		_set_where_the_child_lives(doc, child.placement_la)
		# leaving care (domain.cohorts): the cohort and leaving date from the episodes, E11/E12/E41/E43-E48
		# previously looked after, any other reason or the 18th birthday the end of the looked-after cohort
		apply_episodes(doc, child.episodes, child.date_of_birth, now_datetime().date())
		doc.set("care_episodes", [_episode_row(episode) for episode in child.episodes])
	elif new:
		_set_where_the_child_lives(doc, None)
	if child.reviews or new:
		doc.set(
			"care_reviews",
			[{"review_date": review.date, "participation": review.participation} for review in child.reviews],
		)


def _insert_children(children: list, reference: dict) -> tuple[dict, list]:
	"""Create each new child through its controller's ``insert()``, one savepoint each: the path when the
	site has something on Child that must run per record (``_reasons_to_save_each``)."""

	def insert(child, _name):
		doc = frappe.new_doc("Child")
		_apply(doc, child, new=True)
		doc.flags.ignore_permissions = True
		# a Version naming the import: insert() keeps one whenever updater_reference is set
		doc.flags.updater_reference = reference
		return doc.insert()

	return _one_by_one([(child, None) for child in children], insert)


def _save_children(pairs: list, reference: dict) -> tuple[dict, list]:
	"""Update each stored child through its controller's ``save()``, one savepoint each: the path when the
	site has something on Child that must run per record (``_reasons_to_save_each``)."""

	def save(child, name):
		doc = frappe.get_doc("Child", name)
		_apply(doc, child, new=False)
		doc.flags.ignore_permissions = True
		doc.flags.updater_reference = reference
		# the audit trail is the import's, not a setting: a Version even where Frappe skips them (in tests)
		return doc.save(ignore_version=False)

	return _one_by_one(pairs, save)


def _one_by_one(pairs: list, write) -> tuple[dict, list]:
	"""``write(child, name)`` each child in a savepoint of its own: ({social-care ID: name}, rejected rows)."""
	written, rejected = {}, []
	for child, name in pairs:
		savepoint = f"ssda903_{frappe.generate_hash(length=8)}"
		frappe.db.savepoint(savepoint)
		try:
			written[child.social_care_id] = write(child, name).name
		except (frappe.ValidationError, frappe.DuplicateEntryError) as error:
			# listed, never silent: the child is named in the answer and the Import Log
			frappe.db.rollback(save_point=savepoint)
			frappe.clear_messages()
			rejected.append(_rejection(child, error))
	return written, rejected


# --- changed children, set-based ---------------------------------------------------------------------------

# Handlers of ``doc_events`` that the set-based update accounts for (``_update_children``): the security hooks
# let code that sets ``ignore_permissions`` through; the social worker check reads fields the import never
# writes; Frappe's Workflow Actions are left out of the import (``_without_workflow_actions``); its
# notification counts are cleared once; no Attach field and no User is written. Any other handler on Child or
# "*" (another app's, or one added later) sends the import through each child's ``save()``.
ACCOUNTED_HANDLERS = frozenset(
	{
		"virtual_school.security.before_validate",
		"virtual_school.security.validate",
		"virtual_school.children.social_worker.validate_child",
		"virtual_school.governance.access_log.on_form_load",
		WORKFLOW_ACTIONS_HOOK,
		"frappe.desk.notifications.clear_doctype_notifications",
		"frappe.core.doctype.file.utils.attach_files_to_document",
		"frappe.core.doctype.user_type.user_type.apply_permissions_for_non_standard_user_type",
		# these two act only where an Assignment Rule, Energy Point Rule or Milestone Tracker names Child
		"frappe.automation.doctype.assignment_rule.assignment_rule.apply",
		"frappe.automation.doctype.assignment_rule.assignment_rule.update_due_date",
		"frappe.social.doctype.energy_point_rule.energy_point_rule.process_energy_points",
		"frappe.automation.doctype.milestone_tracker.milestone_tracker.evaluate_milestone",
	}
)
# What a site configures on a doctype that Frappe runs from ``save()``: with one for Child, each child is saved
AUTOMATIONS = (
	("Notification", {"document_type": "Child", "enabled": 1}),
	("Webhook", {"webhook_doctype": "Child", "enabled": 1}),
	("Server Script", {"reference_doctype": "Child", "script_type": "DocType Event", "disabled": 0}),
	("Assignment Rule", {"document_type": "Child", "disabled": 0}),
	("Energy Point Rule", {"reference_doctype": "Child", "enabled": 1}),
	("Milestone Tracker", {"document_type": "Child", "disabled": 0}),
)
# changed children loaded, checked and written per round
UPDATE_BATCH = 500


def _reasons_to_save_each() -> list[str]:
	"""What on this site must run in each child's ``insert()`` or ``save()``: configured automations on Child,
	and ``doc_events`` handlers the set-based paths do not account for. Empty: the set-based paths are exact."""
	reasons = []
	for doctype, filters in AUTOMATIONS:
		if frappe.db.table_exists(doctype) and frappe.get_all(doctype, filters=filters, limit=1):
			reasons.append(_("a {0} on Child").format(_(doctype)))
	hooks = frappe.get_doc_hooks()
	for doctype in ("*", "Child"):
		for event, handlers in (hooks.get(doctype) or {}).items():
			reasons += [
				_("the {0} hook {1}").format(event, handler)
				for handler in handlers
				if handler not in ACCOUNTED_HANDLERS
			]
	return reasons


def _update_children(pairs: list, reference: dict) -> tuple[dict, list]:
	"""Update the changed children set-based: ({social-care ID: name}, rejected rows).

	Per round of ``UPDATE_BATCH`` children, each stored Child is read with its rows in one query per table
	(locked: a desk save waits for the import, then finds the record modified), given the file's values in
	memory (``_apply``) and checked as ``Document.save`` checks it: the Child controller's derived fields,
	date checks and status history (``set_derived``, with the stored record as the one before the save),
	Frappe's mandatory, select, length and link checks, and the duplicate check by name and date of birth
	(``_check_batch``). Then only what changed is written: the changed columns of each Child, the care
	episodes and reviews that are not in the file any more (deleted) or new in it (inserted) — rows the file
	repeats keep their names — and the new status-history rows; each child gets one *Version* with
	Frappe's own diff (``get_diff``) and this import's ``updater_reference``. A child that fails a check is
	not written and is listed as rejected. Everything is in the caller's transaction.
	"""
	updated, rejected = {}, []
	now, user = now_datetime(), frappe.session.user
	for start in range(0, len(pairs), UPDATE_BATCH):
		batch = pairs[start : start + UPDATE_BATCH]
		stored = _load_children([name for _child, name in batch])
		docs = []
		for child, name in batch:
			if name not in stored:
				rejected.append(_rejection(child, _("The child's record was deleted during the import.")))
				continue
			try:
				docs.append((child, _changed(child, stored[name], reference)))
			except frappe.ValidationError as error:
				frappe.clear_messages()
				rejected.append(_rejection(child, error))
		docs, refused = _check_batch(docs)
		rejected += refused
		_write_changes([doc for _child, doc in docs], now, user)
		updated.update({child.social_care_id: doc.name for child, doc in docs})
	if updated:
		_forget_cached(sorted(updated.values()))
		clear_doctype_notifications("Child")
	return updated, rejected


def _load_children(names: list[str]) -> dict[str, dict]:
	"""{name: the Child as ``frappe.get_doc`` takes it}, with its rows, one query per table, locked."""
	table = frappe.qb.DocType("Child")
	data = {
		row.name: {**row, "doctype": "Child"}
		for row in frappe.qb.from_(table)
		.select("*")
		.where(table.name.isin(names))
		.for_update()
		.run(as_dict=True)
	}
	for df in frappe.get_meta("Child").get_table_fields():
		rows = frappe.qb.DocType(df.options)
		for row in (
			frappe.qb.from_(rows)
			.select("*")
			.where(
				rows.parent.isin(names) & (rows.parenttype == "Child") & (rows.parentfield == df.fieldname)
			)
			.orderby(rows.parent)
			.orderby(rows.idx)
			.run(as_dict=True)
		):
			if row.parent in data:
				data[row.parent].setdefault(df.fieldname, []).append(row)
	return data


def _document(data: dict):
	"""A Document from ``_load_children``'s data, not sharing a dict with it (Frappe writes into them)."""
	copy = {
		key: [dict(row) for row in value] if isinstance(value, list) else value for key, value in data.items()
	}
	return frappe.get_doc(copy)


def _changed(child: ssda903.ChildRecord, data: dict, reference: dict):
	"""The stored Child with the file's values, checked as ``save()`` would (see ``_update_children``)."""
	before = _document(data)
	doc = _document(data)
	_apply(doc, child, new=False)
	_keep_repeated_rows(doc, before)
	doc.flags.ignore_permissions = True
	doc.flags.updater_reference = reference
	doc._doc_before_save = before
	doc.set_derived()
	doc._validate_mandatory()
	# the Child and its new rows: a row the file repeats was checked when it was written
	for row in (doc, *(row for row in doc.get_all_children() if not row.name)):
		_checked_values(row)
	return doc


def _row_content(row) -> tuple:
	return tuple(cstr(row.get(df.fieldname)) for df in row.meta.fields if df.fieldtype not in no_value_fields)


def _keep_repeated_rows(doc, before) -> None:
	"""A care episode or review the file repeats keeps its stored row (and name): only what changed is
	written, and the Version lists only the rows added and removed."""
	for df in doc.meta.get_table_fields():
		stored = {}
		for row in before.get(df.fieldname) or ():
			stored.setdefault(_row_content(row), []).append(row)
		for row in doc.get(df.fieldname) or ():
			if row.name:
				continue
			same = stored.get(_row_content(row))
			if same:
				kept = same.pop(0)
				row.update({"name": kept.name, "creation": kept.creation, "owner": kept.owner})
				row.__dict__.pop("__islocal", None)


def _write_changes(docs: list, now, user: str) -> None:
	"""Write what changed in each Child (columns, rows), and its Version, in set-based statements."""
	stamp = {"modified": now, "modified_by": user}
	inserts, deletes, columns, versions = {}, {}, {}, []
	for doc in docs:
		before = doc.get_doc_before_save()
		for df in doc.meta.get_table_fields():
			stored_idx = {old.name: old.idx for old in before.get(df.fieldname) or ()}
			kept = set()
			for row in doc.get(df.fieldname) or ():
				if not row.name:
					row.update(
						{
							"name": make_autoname("hash", row.doctype),
							"parent": doc.name,
							"parenttype": doc.doctype,
							"parentfield": df.fieldname,
							"creation": now,
							"owner": user,
							"docstatus": 0,
							**stamp,
						}
					)
					inserts.setdefault(row.doctype, []).append(row)
					continue
				kept.add(row.name)
				if row.idx != stored_idx[row.name]:  # a repeated row moved: a new episode came before it
					table = frappe.qb.DocType(row.doctype)
					frappe.qb.update(table).set(table.idx, row.idx).where(table.name == row.name).run()
			deletes.setdefault(df.options, []).extend(name for name in stored_idx if name not in kept)
		diff = get_diff(before, doc)
		old, new = (
			before.get_valid_dict(convert_dates_to_str=True),
			doc.get_valid_dict(convert_dates_to_str=True),
		)
		columns[doc.name] = {column: value for column, value in new.items() if value != old.get(column)}
		columns[doc.name].update(stamp)
		doc.update(stamp)
		if diff and (diff.changed or diff.added or diff.removed or diff.row_changed):
			Version.set_impersonator(diff)
			versions.append(
				{
					"name": make_autoname("hash", "Version"),
					"ref_doctype": doc.doctype,
					"docname": doc.name,
					"data": frappe.as_json(diff, indent=None, separators=(",", ":")),
					"creation": now,
					"owner": user,
					"docstatus": 0,
					**stamp,
				}
			)
	_update_columns("Child", columns)
	for doctype, names in deletes.items():
		table = frappe.qb.DocType(doctype)
		for start in range(0, len(names), INSERT_ROWS):
			frappe.qb.from_(table).delete().where(table.name.isin(names[start : start + INSERT_ROWS])).run()
	for doctype, rows in inserts.items():
		_insert_rows(doctype, [row.get_valid_dict(convert_dates_to_str=True) for row in rows])
	_insert_rows("Version", versions)


def _update_columns(doctype: str, changes: dict[str, dict]) -> None:
	"""Set each record's changed columns ({name: {column: value}}), ``INSERT_ROWS`` records per UPDATE: one
	``case`` per column over the records that changed it, every other record keeping its value."""
	table = frappe.qb.DocType(doctype)
	names = list(changes)
	for start in range(0, len(names), INSERT_ROWS):
		chunk = names[start : start + INSERT_ROWS]
		query = frappe.qb.update(table).where(table.name.isin(chunk))
		for column in dict.fromkeys(column for name in chunk for column in changes[name]):
			value = Case()
			for name in chunk:
				if column in changes[name]:
					value = value.when(table.name == name, changes[name][column])
			query = query.set(table[column], value.else_(table[column]))
		query.run()


def _forget_cached(names: list[str]) -> None:
	"""``frappe.clear_document_cache`` for many children: now, and again after the commit or rollback."""
	keys = [frappe.get_document_cache_key("Child", name) for name in names]

	def clear():
		frappe.cache.delete_value(keys)

	clear()
	frappe.db.after_commit.add(clear)
	frappe.db.after_rollback.add(clear)


# --- new children, set-based -------------------------------------------------------------------------------


def _create_children(children: list, reference: dict) -> tuple[dict, list]:
	"""Create the new children in batches of multi-row INSERTs: ({social-care ID: name}, rejected rows).

	Each Child is built as a Document in memory and given what ``Document.insert`` gives it: Frappe's
	defaults, mandatory, select and length checks (``_validate_mandatory``, ``_validate_selects``,
	``_validate_length``, also on its rows), links that exist (one query per linked doctype and batch),
	the Child controller's derived fields, date checks and status history (its own methods), a name from
	the doctype's series (one counter update per batch) and a *Version* like the one Frappe's Data Import
	leaves (``creation`` with ``updater_reference``: this import's log). The controller's per-record
	queries are done per batch instead: the UPN check (the reader's, with the site's LA codes), and the
	duplicate checks (a UPN held by another child is flagged by ``_flag_shared_upns``; the same name and
	date of birth is looked up here). The security package's validate hooks let code that sets
	``ignore_permissions`` through (``security.system_owned.is_exempt``), so they have nothing to check.
	Not run: Frappe's Workflow Actions (see ``_without_workflow_actions``) and the per-row savepoint; a
	child that fails a check is built but never inserted, and listed as rejected. Everything is in the
	caller's transaction: a crash leaves nothing.
	"""
	created, rejected = {}, []
	for start in range(0, len(children), CREATE_BATCH):
		batch = children[start : start + CREATE_BATCH]
		docs = []
		for child in batch:
			try:
				docs.append((child, _build(child)))
			except frappe.ValidationError as error:
				frappe.clear_messages()
				rejected.append(_rejection(child, error))
		docs, refused = _check_batch(docs)
		rejected += refused
		names = _reserve_names(len(docs))
		for (child, doc), name in zip(docs, names, strict=True):
			doc.name = name
			created[child.social_care_id] = name
		_insert_docs([doc for _child, doc in docs], reference)
	return created, rejected


def _build(child: ssda903.ChildRecord):
	"""A new Child in memory, as its controller's validate would leave it (see ``_create_children``)."""
	doc = frappe.new_doc("Child")
	_apply(doc, child, new=True)
	doc.flags.ignore_permissions = True
	doc.before_insert()
	doc.set_derived()  # the controller's validate, less its two per-record queries (``_check_batch``)
	# named when inserted (``_reserve_names``): a refused child takes no number from the series
	doc.name = f"new-child-{child.social_care_id}"
	for row in doc.get_all_children():
		row.parent = doc.name
	doc._validate_mandatory()
	# the rows to insert, each checked against its column's length (``_validate_length``, on the same dict)
	doc.flags.import_rows = [(row, _checked_values(row)) for row in (doc, *doc.get_all_children())]
	return doc


def _checked_values(row) -> dict:
	"""The row's column values, after Frappe's select check and length check (``_validate_length``) on them."""
	row._validate_selects()
	values = row.get_valid_dict(convert_dates_to_str=True)
	for fieldname, limit in _varchar_limits(row.doctype).items():
		if len(cstr(values.get(fieldname))) > limit:
			row.throw_length_exceeded_error(row.meta.get_field(fieldname), limit, values[fieldname])
	return values


@functools.cache
def _varchar_limits(doctype: str) -> dict[str, int]:
	"""{fieldname: longest value} of the doctype's varchar columns, as ``_validate_length`` reads them."""
	limits = {}
	for df in frappe.get_meta(doctype).fields:
		column_type, length = (frappe.db.type_map.get(df.fieldtype) or (None, None))[:2]
		if column_type == "varchar":
			limits[df.fieldname] = cint(df.get("length")) or cint(length)
	return limits


def _check_batch(docs: list) -> tuple[list, list]:
	"""The checks that need the database, once per batch: links exist; no other child already recorded with
	the same name and date of birth (``Child.validate_not_duplicate``)."""
	refused = {}
	rows = [(child, row) for child, doc in docs for row in (doc, *doc.get_all_children())]
	link_fields = {row.doctype: row.meta.get_link_fields() for _child, row in rows}
	wanted = {}
	for _child, row in rows:
		for df in link_fields[row.doctype]:
			value = row.get(df.fieldname)
			if value:
				wanted.setdefault(df.options, set()).add(value)
	existing = {
		doctype: set(frappe.get_all(doctype, filters={"name": ["in", list(values)]}, pluck="name"))
		for doctype, values in wanted.items()
	}
	for child, row in rows:
		for df in link_fields[row.doctype]:
			value = row.get(df.fieldname)
			if value and value not in existing[df.options]:
				refused.setdefault(
					child.social_care_id, _("Could not find {0}: {1}").format(_(df.label), value)
				)
	table = frappe.qb.DocType("Child")
	last_names = [doc.last_name for _child, doc in docs]
	same = {}
	for start in range(0, len(last_names), 1000):
		for name, first, last, born in (
			frappe.qb.from_(table)
			.select(table.name, table.first_name, table.last_name, table.date_of_birth)
			.where(table.last_name.isin(last_names[start : start + 1000]))
			.run()
		):
			same.setdefault((first, last, str(born)), set()).add(name)
	for child, doc in docs:
		if same.get((doc.first_name, doc.last_name, str(doc.date_of_birth)), set()) - {doc.name}:
			refused.setdefault(
				child.social_care_id,
				_(
					"A child named {0} born on {1} is already recorded. Ask a manager to check for a duplicate."
				).format(doc.full_name, doc.date_of_birth),
			)
	kept = [(child, doc) for child, doc in docs if child.social_care_id not in refused]
	return kept, [
		{"child": child, "row": None, "column": "", "reason": reason} for child, reason in refused.items()
	]


_SERIES = re.compile(r"format:([^{}]*)\{(#+)\}")


def _reserve_names(count: int, doctype: str = "Child") -> list[str]:
	"""``count`` names from the doctype's series (``format:CH-{#####}``) with one counter update, as
	``frappe.model.naming.getseries`` takes them one at a time (row lock, then increment)."""
	if not count:
		return []
	match = _SERIES.fullmatch(frappe.get_meta(doctype).autoname or "")
	if not match:
		frappe.throw(
			_("The {0} naming rule is not a numbered series: the import cannot name records.").format(
				_(doctype)
			)
		)
	prefix, digits = match.group(1), len(match.group(2))
	series = frappe.qb.DocType("Series")
	current = frappe.qb.from_(series).where(series.name == prefix).for_update().select(series.current).run()
	if current and current[0][0] is not None:
		first = int(current[0][0]) + 1
		frappe.qb.update(series).set(series.current, series.current + count).where(
			series.name == prefix
		).run()
	else:
		first = 1
		frappe.qb.into(series).columns(series.name, series.current).insert(prefix, count).run()
	return [f"{prefix}{number:0{digits}d}" for number in range(first, first + count)]


def _insert_docs(docs: list, reference: dict) -> None:
	"""One multi-row INSERT per table and ``INSERT_ROWS`` rows: the Children, their rows, their Versions."""
	now, user = now_datetime(), frappe.session.user
	by_doctype = {}
	versions = []
	for doc in docs:
		stamp = {"creation": now, "modified": now, "owner": user, "modified_by": user, "docstatus": 0}
		for row, values in doc.flags.import_rows:
			if row is doc:
				values.update(stamp, name=doc.name)
			else:
				# Frappe names table rows by hash and numbers them per table (idx set by append)
				values.update(stamp, name=make_autoname("hash", row.doctype), parent=doc.name)
			row.update(values)
			by_doctype.setdefault(row.doctype, []).append(values)
		if doc.meta.track_changes:
			data = {"creation": str(now), "updater_reference": reference, "created_by": user}
			versions.append(
				{
					"name": make_autoname("hash", "Version"),
					"ref_doctype": doc.doctype,
					"docname": doc.name,
					"data": json.dumps(data, separators=(",", ":")),
					"creation": now,
					"modified": now,
					"owner": user,
					"modified_by": user,
					"docstatus": 0,
				}
			)
	for doctype, rows in by_doctype.items():
		_insert_rows(doctype, rows)
	_insert_rows("Version", versions)


def _insert_rows(doctype: str, rows: list[dict]) -> None:
	"""Parameterised multi-row INSERTs; the columns are the table's own (``frappe.db.get_table_columns``)."""
	if not rows:
		return
	known = set(frappe.db.get_table_columns(doctype))
	columns = [column for column in rows[0] if column in known]
	placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
	names = ", ".join(f"`{column}`" for column in columns)
	for start in range(0, len(rows), INSERT_ROWS):
		chunk = rows[start : start + INSERT_ROWS]
		frappe.db.sql(
			f"insert into `tab{doctype}` ({names}) values {', '.join([placeholders] * len(chunk))}",
			[row.get(column) for row in chunk for column in columns],
		)


def _episode_row(episode: ssda903.Episode) -> dict:
	return {
		"start_date": episode.start,
		"reason_new_episode": episode.reason_new,
		"legal_status": episode.legal_status,
		"placement_type": episode.placement_type,
		"placement_provider": episode.placement_provider,
		"placement_postcode": episode.placement_postcode,
		"placement_la": episode.placement_la,
		"urn": episode.urn,
		"end_date": episode.end,
		"reason_ceased": episode.reason_ceased,
		"reason_place_change": episode.reason_place_change,
	}


def _set_where_the_child_lives(doc, placement_la: str | None) -> None:
	"""The return comes from the responsible authority; the latest PL_LA says where the child lives
	(Child derives the out-of-authority flag from the two; outside England it is always set)."""
	doc.responsible_la = doc.responsible_la or settings.get().la
	if placement_la and placement_la not in ssda903.OUTSIDE_ENGLAND:
		doc.resident_la = placement_la


def sync_issues(
	issues: list, names: dict[str, str], log=None, source_format: str = "CSV", dfe: bool = False
) -> dict:
	"""Keep the Data Quality Issues of the children in this file in step with it (set-based).

	``names`` maps each written child's social-care ID to its Child. A new problem inserts one issue; one
	already recorded (same key) is seen again, reopened if it was resolved; an open issue of these children
	that the file no longer shows is resolved. The app's own rules and the DfE validator's (``dfe``: rule
	codes "dfe:…", synced by its background job) are kept in step apart. Returns the counts.
	"""
	table = frappe.qb.DocType(ISSUE_DOCTYPE)
	prefix = f"{dfe_validator.CHECK_PREFIX}%"
	family = (
		table.rule_code.like(prefix) if dfe else (table.rule_code.isnull() | table.rule_code.not_like(prefix))
	)
	existing = {}
	children = list(names.values())
	for start in range(0, len(children), 1000):
		for row in (
			frappe.qb.from_(table)
			.select(table.name, table.issue_key, table.status)
			.where(table.child.isin(children[start : start + 1000]))
			.where(family)
			.run(as_dict=True)
		):
			existing[row.issue_key] = row
	now = now_datetime()
	user = frappe.session.user
	log_name = log.name if log else None
	child_table = frappe.qb.DocType("Child")
	full_names = {}
	for start in range(0, len(children), 1000):
		full_names.update(
			frappe.qb.from_(child_table)
			.select(child_table.name, child_table.full_name)
			.where(child_table.name.isin(children[start : start + 1000]))
			.run()
		)
	source_file = _source_file_names(log)
	seen, new_rows = set(), []
	for issue in issues:
		if issue.key in seen:
			continue  # the same problem twice in one file (e.g. a repeated row) is one issue
		seen.add(issue.key)
		if issue.key in existing:
			continue
		new_rows.append(
			{
				"child": names[issue.child],
				"child_name": full_names.get(names[issue.child]),
				"social_care_id": issue.child,
				"status": OPEN,
				"severity": issue.severity,
				"rule": issue.rule,
				"rule_code": issue.check,
				"source_column": issue.column,
				"value_received": issue.value,
				"source_format": source_format,
				"source_table": issue.file,
				"source_file": source_file.get(issue.file if source_format == "CSV" else "xml"),
				"row_number": issue.row_number,
				"first_import_log": log_name,
				"first_seen_on": now,
				"last_import_log": log_name,
				"last_seen_on": now,
				"issue_key": issue.key,
				"owner": user,
				"modified_by": user,
			}
		)
	# one multi-row INSERT per INSERT_ROWS issues, named from their series (as db_insert did one by one)
	for row, name in zip(new_rows, _reserve_names(len(new_rows), ISSUE_DOCTYPE), strict=True):
		row.update({"name": name, "creation": now, "modified": now})
	_insert_rows(
		ISSUE_DOCTYPE,
		[frappe.get_doc({"doctype": ISSUE_DOCTYPE, **row}).get_valid_dict() for row in new_rows],
	)
	again = [existing[key].name for key in seen if key in existing]
	reopened = sum(1 for key in seen if key in existing and existing[key].status == RESOLVED)
	resolved = [row.name for key, row in existing.items() if key not in seen and row.status == OPEN]
	for start in range(0, len(again), 1000):
		(
			frappe.qb.update(table)
			.set(table.status, OPEN)
			.set(table.last_seen_on, now)
			.set(table.last_import_log, log_name)
			.set(table.resolved_on, None)
			.set(table.resolved_by_import_log, None)
			.where(table.name.isin(again[start : start + 1000]))
			.run()
		)
	for start in range(0, len(resolved), 1000):
		(
			frappe.qb.update(table)
			.set(table.status, RESOLVED)
			.set(table.resolved_on, now)
			.set(table.resolved_by_import_log, log_name)
			.where(table.name.isin(resolved[start : start + 1000]))
			.run()
		)
	return {
		"opened": len(new_rows),
		"seen_again": len(again) - reopened,
		"reopened": reopened,
		"resolved": len(resolved),
		"open": len(seen),
		"children": len({issue.child for issue in issues}),
	}


def _queue_dfe_validator(log) -> str:
	"""Queue the DfE validator on this import's files (``run_dfe_validator``, after the commit), and say so.

	Never in the request: it takes minutes on a large return (``imports.dfe_validator``)."""
	version = dfe_validator.installed_version()
	if not version:
		return _("DfE validator not run: not installed (bench virtual-school-install-903-validator)")
	if not log:
		return _("DfE validator not run: no Import Log holds the files")
	frappe.enqueue(
		"virtual_school.imports.ssda903.run_dfe_validator",
		queue="long",
		timeout=dfe_validator.TIMEOUT + 120,
		enqueue_after_commit=True,
		log_name=log.name,
	)
	return _("DfE validator ({0} {1}) queued: its issues follow, and a comment on this Import Log").format(
		dfe_validator.PACKAGE, version
	)


def run_dfe_validator(log_name: str) -> dict:
	"""Background job: the DfE validator on an Import Log's files; its failures become Data Quality Issues.

	A failure on the place (child, file, row, field) of one of the app's own open issues from this import
	gives that issue the DfE wording instead of opening a second; the rest are synced as the validator's own
	(``sync_issues(dfe=True)``: re-running adds no duplicate, and resolves what a corrected file no longer
	shows). The outcome, ran or not and why, is a comment on the log. Never raises for the validator's sake.
	"""
	log = frappe.get_doc("Import Log", log_name)
	files = _log_files(log)
	outcome = dfe_validator.run(files, settings.get().la, now_datetime().date())
	if not outcome.ran:
		text = _("DfE validator ({0}) {1}: {2}").format(
			dfe_validator.PACKAGE, _(outcome.status), outcome.detail
		)
		log.add_comment("Comment", text)
		return {"status": outcome.status, "detail": outcome.detail}
	header = ssda903.source_tables(files).get(ssda903.HEADER_FILE, ([], []))[1]
	ids = sorted({(row.get("CHILD") or "").strip() for _number, row in header} - {""})
	child = frappe.qb.DocType("Child")
	names = {}
	for start in range(0, len(ids), 1000):
		names.update(
			frappe.qb.from_(child)
			.select(child.social_care_id, child.name)
			.where(child.social_care_id.isin(ids[start : start + 1000]))
			.run()
		)
	issue = frappe.qb.DocType(ISSUE_DOCTYPE)
	own = []
	children = list(names.values())
	for start in range(0, len(children), 1000):
		own += (
			frappe.qb.from_(issue)
			.select(
				issue.issue_key.as_("key"),
				issue.social_care_id.as_("child"),
				issue.source_table.as_("file"),
				issue.row_number,
				issue.source_column.as_("column"),
			)
			.where(issue.child.isin(children[start : start + 1000]))
			.where(issue.status == OPEN)
			.where(issue.rule_code.isnull() | issue.rule_code.not_like(f"{dfe_validator.CHECK_PREFIX}%"))
			.run(as_dict=True)
		)
	wording, left = dfe_validator.merge(own, [found for found in outcome.issues if found.child in names])
	for key, rule in wording.items():
		frappe.qb.update(issue).set(issue.rule, rule).where(issue.issue_key == key).run()
	counts = sync_issues(left, names, log, "XML" if files.get("xml") else "CSV", dfe=True)
	text = _(
		"DfE validator ({0} {1}, rules {2}): {3} rule failures; {4} issues opened, {5} resolved; {6} of the"
		" app's own issues take the DfE wording"
	).format(
		dfe_validator.PACKAGE,
		outcome.version,
		outcome.ruleset,
		f"{len(outcome.issues):,}",
		f"{counts['opened']:,}",
		f"{counts['resolved']:,}",
		f"{len(wording):,}",
	)
	if outcome.failed_rules:
		text += _("; rules that could not run on this data: {0}").format(", ".join(outcome.failed_rules))
	log.add_comment("Comment", text)
	return {"status": outcome.status, "issues": counts, "reworded": len(wording)}


def _source_file_names(log) -> dict:
	if not log:
		return {}
	return {key: (log.get(field) or "").rsplit("/", 1)[-1] or None for key, field in LOG_FIELDS.items()}


def _file_content(file_url: str | None) -> bytes | None:
	if not file_url:
		return None
	file_doc = frappe.get_doc("File", {"file_url": file_url})
	file_doc.check_permission("read")
	content = file_doc.get_content()
	return content if isinstance(content, bytes) else content.encode()


@frappe.whitelist()
def preview_files(
	header_url: str | None = None,
	episodes_url: str | None = None,
	reviews_url: str | None = None,
	xml_url: str | None = None,
) -> dict:
	"""Desk API (files the user may open): what an import would do, writing nothing."""
	require_roles(*import_log.IMPORT_ROLES)
	return preview(*(_file_content(url) for url in (header_url, episodes_url, reviews_url, xml_url)))


def _log_files(log) -> dict:
	return {key: log.source_bytes(field) for key, field in LOG_FIELDS.items() if log.get(field)}


def plan_log(log) -> tuple:
	"""An Import Log's SSDA903 run: (preview, apply)."""
	files = _log_files(log)
	return preview(**files), lambda: import_children(**files, log=log)


@frappe.whitelist(methods=["POST"])
def import_files(
	header_url: str | None = None,
	episodes_url: str | None = None,
	reviews_url: str | None = None,
	xml_url: str | None = None,
) -> dict:
	"""Desk API: import uploaded files, recorded on a new Import Log that keeps them (Head/Manager only)."""
	require_roles(*import_log.IMPORT_ROLES)
	log = frappe.get_doc(
		{
			"doctype": "Import Log",
			"import_type": "SSDA903",
			"channel": "Desk",
			"header_file": header_url,
			"episodes_file": episodes_url,
			"reviews_file": reviews_url,
			"source_file": xml_url,
		}
	).insert()
	return import_log.run(log.name)


def import_from_bench(
	header: tuple[str, bytes] | None = None,
	episodes: tuple[str, bytes] | None = None,
	reviews: tuple[str, bytes] | None = None,
	xml: tuple[str, bytes] | None = None,
) -> dict:
	"""``bench virtual-school-import-ssda903``: import local files, kept on an Import Log like a desk import."""
	log = import_log.new_log("SSDA903", "Bench")
	sources = {"header": header, "episodes": episodes, "reviews": reviews, "xml": xml}
	for key, source in sources.items():
		if source:
			import_log.attach_source(log, LOG_FIELDS[key], *source)
	result = import_children(**{key: source[1] for key, source in sources.items() if source}, log=log)
	log.record_result(result)
	return {**result, "import_log": log.name}
