"""What to do next on a workflow record, said on the form (issue #21: "workflow steps with no visible next action").

Frappe v15 offers a workflow action only when its transition's ``condition`` holds on the *saved* record
(``frappe.model.workflow.get_transitions``), and none at all on a new one: a false condition just hides the
Actions button, so a caseworker saw no way on until they guessed which field the condition wanted. ``next_step``
reads the same workflow (``workflows/*.json``) and says, for the user's roles and the form's current values:

- the actions ready now (from the Actions menu, once the form is saved);
- for each action still blocked, what is missing: each ``and``-term of its condition that is false, named by
  the field's label (or a phrase in ``NEEDS`` for a field the system derives); a term on a derived field
  with no phrase (a route the record is not on, ``direction_possible``) means the action does not apply;
- the roles whose action it is when the user has none.

It works from metadata, so a workflow or condition added later is covered. A feature adds its own lines for its
doctype through the ``next_step_extras`` hook (a new PEP's due date and the obligations missed before it:
``peps/next_step.py``).
"""

from __future__ import annotations

import ast
import json

import frappe
from frappe import _
from frappe.model.workflow import get_workflow_name, get_workflow_safe_globals
from frappe.utils import escape_html, formatdate, getdate

# A false condition on a field the system derives is explained by what the user does to set it.
NEEDS = {
	("School Place Request", "approaches"): "the schools to approach, in Schools Approached",
	("School Place Request", "has_offer"): "a school's answer Offered in Schools Approached",
	(
		"School Place Request",
		"has_refusal",
	): "a school's answer Refused, with its reason, in Schools Approached",
}


def condition_terms(condition: str) -> list[ast.expr]:
	"""The ``and``-terms of a transition condition (the whole condition when it is not an ``and``)."""
	body = ast.parse(condition.strip(), mode="eval").body
	if isinstance(body, ast.BoolOp) and isinstance(body.op, ast.And):
		return list(body.values)
	return [body]


def doc_fields(term: ast.expr) -> list[str]:
	"""The fields a term reads: ``doc.field`` and ``doc.get("field")``."""
	fields = []
	for node in ast.walk(term):
		if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "doc":
			if node.attr != "get":
				fields.append(node.attr)
		elif (
			isinstance(node, ast.Call)
			and isinstance(node.func, ast.Attribute)
			and node.func.attr == "get"
			and isinstance(node.func.value, ast.Name)
			and node.func.value.id == "doc"
			and node.args
			and isinstance(node.args[0], ast.Constant)
		):
			fields.append(node.args[0].value)
	return fields


def _holds(term: ast.expr, values: dict) -> bool:
	return bool(
		frappe.safe_eval(ast.unparse(term), get_workflow_safe_globals(), {"doc": frappe._dict(values)})
	)


def missing_for(doctype: str, condition: str | None, values: dict) -> list[str] | None:
	"""What the condition still needs, as phrases ([] when it holds); None when the action does not apply to
	this record (a false term the user cannot change by filling a field)."""
	if not condition:
		return []
	meta = frappe.get_meta(doctype)
	needs = []
	for term in condition_terms(condition):
		if _holds(term, values):
			continue
		fields = doc_fields(term)
		if isinstance(term, ast.Attribute | ast.Call) and len(fields) == 1:
			phrase = NEEDS.get((doctype, fields[0]))
			field = meta.get_field(fields[0])
			if phrase:
				needs.append(_(phrase))
				continue
			if field and not field.read_only:
				needs.append(_(field.label))
				continue
		return None
	return needs


def _and_list(items: list[str]) -> str:
	if len(items) < 2:
		return "".join(items)
	return _("{0} and {1}").format(", ".join(items[:-1]), items[-1])


def _or_list(items: list[str]) -> str:
	if len(items) < 2:
		return "".join(items)
	return _("{0} or {1}").format(", ".join(items[:-1]), items[-1])


def _load(doc: str | dict) -> dict:
	values = json.loads(doc) if isinstance(doc, str) else dict(doc or {})
	if not isinstance(values, dict) or not values.get("doctype"):
		frappe.throw(_("The form could not be read."))
	return values


def _check_access(values: dict) -> bool:
	"""Read permission on the stored record, or create permission for a new one; True when new."""
	doctype, name = values["doctype"], values.get("name")
	if frappe.get_meta(doctype).module != "Virtual School":
		raise frappe.PermissionError
	is_new = bool(values.get("__islocal")) or not name or not frappe.db.exists(doctype, name)
	if not frappe.has_permission(doctype, "create" if is_new else "read", None if is_new else name):
		raise frappe.PermissionError
	return is_new


def steps(values: dict, is_new: bool) -> dict:
	"""The next step of the record ``values`` (a form's doc) for the current user; see the module docstring."""
	doctype = values["doctype"]
	workflow_name = get_workflow_name(doctype)
	if not workflow_name:
		return {"state": None, "ready": [], "blocked": {}, "waiting": {}}
	workflow = frappe.get_cached_doc("Workflow", workflow_name)
	field = workflow.workflow_state_field
	state = (
		workflow.states[0].state if is_new else frappe.db.get_value(doctype, values["name"], field)
	) or workflow.states[0].state
	values = {**values, field: state}
	roles = set(frappe.get_roles())
	ready, blocked, waiting = [], {}, {}
	for transition in workflow.transitions:
		if transition.state != state:
			continue
		needs = missing_for(doctype, transition.condition, values)
		if needs is None:
			continue
		if transition.allowed not in roles:
			waiting.setdefault(transition.action, []).append(transition.allowed)
		elif not needs:
			if transition.action not in ready:
				ready.append(transition.action)
		else:
			blocked[transition.action] = needs
	waiting = {
		action: roles for action, roles in waiting.items() if action not in ready and action not in blocked
	}
	return {"state": state, "ready": ready, "blocked": blocked, "waiting": waiting}


def message(found: dict, unsaved: bool) -> str:
	lines = []
	if found["ready"]:
		actions = _or_list([_(action) for action in found["ready"]])
		lines.append(
			_("Next step: save, then {0} from the Actions menu.").format(actions)
			if unsaved
			else _("Next step: {0} from the Actions menu.").format(actions)
		)
	for action, needs in found["blocked"].items():
		lines.append(_("To {0}, add {1}.").format(_(action), _and_list(needs)))
	if not lines and found["waiting"]:
		for action, roles in found["waiting"].items():
			lines.append(
				_("Waiting for {0} to {1}.").format(
					_or_list([_(role) for role in dict.fromkeys(roles)]), _(action)
				)
			)
	return "<br>".join(escape_html(line) for line in lines)


def extras(doctype: str) -> list:
	"""A feature's own lines for its doctype's form, from the ``next_step_extras`` hook (doctype: dotted paths
	of ``fn(values, is_new) -> list[str]``, lines already HTML-escaped), so this mechanism imports no feature."""
	return [frappe.get_attr(path) for path in frappe.get_hooks("next_step_extras", {}).get(doctype, [])]


@frappe.whitelist()
def next_step(doc: str | dict) -> dict:
	"""The form's intro: what to do next on this record (``message``, HTML-escaped) and the parts of it."""
	values = _load(doc)
	is_new = _check_access(values)
	found = steps(values, is_new)
	lines = [message(found, is_new or bool(values.get("__unsaved")))]
	for extra in extras(values["doctype"]):
		lines += extra({**values, "workflow_state": found["state"]}, is_new)
	return {**found, "message": "<br>".join(line for line in lines if line)}
