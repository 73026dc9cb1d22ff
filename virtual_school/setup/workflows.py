"""Workflows as files: every ``virtual_school/workflows/*.json`` is synced into the site.

Frappe v15 does not import Workflow documents from module folders (``frappe.model.sync`` has no
``workflow`` in ``IMPORTABLE_DOCTYPES``), so this module does it, on ``after_sync`` (install) and
``after_migrate`` (every ``bench migrate``).

One file holds one Workflow, in the shape ``bench export-fixtures`` gives a Workflow document:

	{
		"workflow_name": "Child Case", "document_type": "Child", "is_active": 1,
		"send_email_alert": 0, "workflow_state_field": "workflow_state",
		"states": [{"state": "Referred", "doc_status": "0", "allow_edit": "Virtual School Caseworker",
		            "style": "Info"}, ...],
		"transitions": [{"state": "Referred", "action": "Accept", "next_state": "Active",
		                 "allowed": "Virtual School Manager", "allow_self_approval": 1}, ...]
	}

A state may carry ``style`` (a Workflow State style: Primary, Info, Success, Warning, Danger, Inverse);
missing Workflow State and Workflow Action Master records are created. The sync creates the Workflow or
updates it in place when the file differs, leaves it alone when it does not, and never duplicates.
"""

import json
from pathlib import Path
from typing import Any

import frappe
from frappe import _

WORKFLOW_FIELDS = (
	"document_type",
	"is_active",
	"override_status",
	"send_email_alert",
	"workflow_state_field",
)
STATE_FIELDS = (
	"state",
	"doc_status",
	"update_field",
	"update_value",
	"allow_edit",
	"message",
	"next_action_email_template",
	"is_optional_state",
	"avoid_status_override",
)
TRANSITION_FIELDS = ("state", "action", "next_state", "allowed", "allow_self_approval", "condition")
STATE_STYLES = ("", "Primary", "Info", "Success", "Warning", "Danger", "Inverse")
DOC_STATUSES = ("0", "1", "2")

DEFAULTS = {
	"is_active": 1,
	"override_status": 0,
	"send_email_alert": 0,
	"workflow_state_field": "workflow_state",
	"doc_status": "0",
	"is_optional_state": 0,
	"avoid_status_override": 0,
	"allow_self_approval": 1,
}


class WorkflowFileError(frappe.ValidationError):
	"""A workflow file is malformed or refers to something that does not exist."""


def workflows_folder() -> Path:
	return Path(frappe.get_app_path("virtual_school", "workflows"))


def sync_workflows(folder: str | Path | None = None) -> dict[str, list[str]]:
	"""Sync every ``*.json`` in ``folder`` (default: the app's workflows folder), in name order.

	Returns the workflow names by outcome: ``created``, ``updated``, ``unchanged``.
	"""
	summary: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": []}
	folder = Path(folder) if folder else workflows_folder()
	for path in sorted(folder.glob("*.json")):
		definition = load_workflow_file(path)
		outcome = sync_workflow(definition, source=_display_path(path))
		summary[outcome].append(definition["workflow_name"])
	return summary


def load_workflow_file(path: Path) -> dict[str, Any]:
	"""Read and check one workflow file; errors name the file."""
	try:
		definition = json.loads(path.read_text(encoding="utf-8"))
	except (OSError, ValueError) as error:
		_fail(_display_path(path), _("cannot be read as JSON ({0})").format(error))
	if not isinstance(definition, dict):
		_fail(_display_path(path), _("must hold one JSON object (a single Workflow)"))
	if definition.get("doctype", "Workflow") != "Workflow":
		_fail(_display_path(path), _("has doctype {0}; expected Workflow").format(definition.get("doctype")))
	for key in ("workflow_name", "document_type", "states", "transitions"):
		if not definition.get(key):
			_fail(_display_path(path), _("has no {0}").format(key))
	if not isinstance(definition["states"], list) or not isinstance(definition["transitions"], list):
		_fail(_display_path(path), _("states and transitions must be lists"))
	return definition


def sync_workflow(definition: dict[str, Any], source: str) -> str:
	"""Create or update one Workflow from its file definition. Returns created, updated or unchanged."""
	_check_references(definition, source)
	_ensure_states_and_actions(definition)
	wanted = _normalise(definition)
	name = definition["workflow_name"]

	if not frappe.db.exists("Workflow", name):
		doc = frappe.get_doc({"doctype": "Workflow", "workflow_name": name, **wanted})
		doc.insert(ignore_permissions=True)
		return "created"

	doc = frappe.get_doc("Workflow", name)
	if _normalise(doc.as_dict()) == wanted:
		return "unchanged"
	doc.update({key: wanted[key] for key in WORKFLOW_FIELDS})
	doc.set("states", wanted["states"])
	doc.set("transitions", wanted["transitions"])
	doc.save(ignore_permissions=True)
	return "updated"


def _normalise(definition: dict[str, Any]) -> dict[str, Any]:
	"""The comparable content of a workflow: its own fields and its rows, with defaults filled in."""

	def value(row: dict, field: str) -> Any:
		raw = row.get(field)
		if raw is None or raw == "":
			raw = DEFAULTS.get(field, "")
		return str(raw) if field == "doc_status" else raw

	normalised = {field: value(definition, field) for field in WORKFLOW_FIELDS}
	normalised["states"] = [{f: value(row, f) for f in STATE_FIELDS} for row in definition["states"]]
	normalised["transitions"] = [
		{f: value(row, f) for f in TRANSITION_FIELDS} for row in definition["transitions"]
	]
	for row in normalised["states"] + normalised["transitions"]:
		for field in ("is_optional_state", "avoid_status_override", "allow_self_approval"):
			if field in row:
				row[field] = int(row[field] or 0)
	return normalised


def _check_references(definition: dict[str, Any], source: str) -> None:
	if not frappe.db.exists("DocType", definition["document_type"]):
		_fail(source, _("names DocType {0}, which does not exist").format(definition["document_type"]))
	state_names = set()
	for index, row in enumerate(definition["states"], start=1):
		if not row.get("state") or not row.get("allow_edit"):
			_fail(source, _("state row {0} needs state and allow_edit").format(index))
		if str(row.get("doc_status", "0")) not in DOC_STATUSES:
			_fail(
				source,
				_("state {0} has doc_status {1}; use 0, 1 or 2").format(row["state"], row["doc_status"]),
			)
		if row.get("style", "") not in STATE_STYLES:
			_fail(source, _("state {0} has unknown style {1}").format(row["state"], row["style"]))
		_check_role(row["allow_edit"], source)
		state_names.add(row["state"])
	for index, row in enumerate(definition["transitions"], start=1):
		for key in ("state", "action", "next_state", "allowed"):
			if not row.get(key):
				_fail(source, _("transition row {0} has no {1}").format(index, key))
		for key in ("state", "next_state"):
			if row[key] not in state_names:
				_fail(
					source,
					_("transition row {0} uses state {1}, which is not in states").format(index, row[key]),
				)
		_check_role(row["allowed"], source)


def _check_role(role: str, source: str) -> None:
	if not frappe.db.exists("Role", role):
		_fail(source, _("names Role {0}, which does not exist").format(role))


def _ensure_states_and_actions(definition: dict[str, Any]) -> None:
	for row in definition["states"]:
		style = row.get("style", "")
		if not frappe.db.exists("Workflow State", row["state"]):
			frappe.get_doc(
				{"doctype": "Workflow State", "workflow_state_name": row["state"], "style": style}
			).insert(ignore_permissions=True)
		elif style and frappe.db.get_value("Workflow State", row["state"], "style") != style:
			frappe.db.set_value("Workflow State", row["state"], "style", style)
	for action in {row["action"] for row in definition["transitions"]}:
		if not frappe.db.exists("Workflow Action Master", action):
			frappe.get_doc({"doctype": "Workflow Action Master", "workflow_action_name": action}).insert(
				ignore_permissions=True
			)


def _display_path(path: Path) -> str:
	"""The file as a reader finds it: relative to the app's repository when it is the app's own."""
	app_root = Path(frappe.get_app_path("virtual_school")).parent
	try:
		return str(path.resolve().relative_to(app_root.resolve()))
	except ValueError:
		return str(path)


def _fail(source: str, problem: str) -> None:
	frappe.throw(
		_("Workflow file {0} {1}").format(source, problem),
		exc=WorkflowFileError,
		title=_("Invalid workflow file"),
	)
