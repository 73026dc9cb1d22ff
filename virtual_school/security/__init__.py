"""Frappe's generic side paths, closed once for every doctype (issue #17).

Frappe v15 guards its documented paths (list, form, REST get) with the app's permission hooks, but several
generic paths bypass them. Each class of side door is closed by one mechanism in one module here, applied
to every doctype of the app by reading metadata, so a doctype added later is covered without edits:

- ``child_rows``: a child-table row is readable only by someone who may read its parent *record*.
- ``restricted_fields``: a field above the reader's permission level cannot be filtered, sorted, grouped
  or aggregated on, and version history is stripped of it.
- ``references``: records that point at an app record (File, Comment, ToDo, Version, Workflow Action,
  Document Follow, likes) follow the permission of the record they point at.
- ``system_owned``: fields only the code or the workflow sets are immutable from any request.
- ``errors``: no traceback reaches a browser outside developer mode.

hooks.py wires the four dispatchers below as Frappe's ``"*"`` hooks; each module may define any of
``install()``, ``query_conditions(user, doctype)``, ``has_permission(doc, ptype, user)``,
``before_validate(doc)`` and ``validate(doc)``. Frappe evaluates ``"*"`` ``has_permission`` hooks *before*
a doctype's own hook and stops at the first answer that is not None, so a module answers False to deny
and None otherwise, never True.
"""

import importlib

MODULES = ("child_rows", "restricted_fields", "references", "system_owned", "errors")

_installed = False
_loaded: tuple | None = None


def _modules() -> tuple:
	"""The guard modules, imported once, on first use."""
	global _loaded
	if _loaded is None:
		_loaded = tuple(importlib.import_module(f"{__name__}.{name}") for name in MODULES)
	return _loaded


def install(*args, **kwargs) -> None:
	"""Apply the modules' guards on Frappe functions once per process (before_request/before_job hooks)."""
	global _installed
	if _installed:
		return
	for module in _modules():
		if hasattr(module, "install"):
			module.install()
	_installed = True


def query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""``permission_query_conditions["*"]``: every module's row conditions for this doctype, ANDed."""
	conditions = []
	for module in _modules():
		if hasattr(module, "query_conditions"):
			condition = module.query_conditions(user, doctype)
			if condition:
				conditions.append(f"({condition})")
	return " and ".join(conditions)


def has_permission(doc, ptype: str | None = None, user: str | None = None, debug: bool = False):
	"""``has_permission["*"]``: False when any module denies, else None (the doctype's own hook decides)."""
	for module in _modules():
		if hasattr(module, "has_permission") and module.has_permission(doc, ptype, user) is False:
			return False
	return None


def before_validate(doc, method: str | None = None) -> None:
	for module in _modules():
		if hasattr(module, "before_validate"):
			module.before_validate(doc)


def validate(doc, method: str | None = None) -> None:
	for module in _modules():
		if hasattr(module, "validate"):
			module.validate(doc)
