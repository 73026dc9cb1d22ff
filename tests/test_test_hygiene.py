"""Tier 1: the tier-2 tests act as users through ``frappe.set_user`` and change settings in a way that is
put back (issue #20 item 5, docs/testing.md).

* ``frappe.session.user = ...`` (or ``frappe.local.session...``) swaps the name only: ``frappe.set_user``
  also resets the user's roles, permissions cache and ``frappe.local.session.data``, so a test that assigns
  the name runs with the previous user's rights and proves nothing about the user it names.
* ``frappe.db.set_single_value`` (or ``frappe.db.set_value`` on a Single) writes behind the settings' controller
  and leaves the in-process value cache (``frappe.db.value_cache``, ``frappe.local.system_settings``) holding
  the new value after the test's rollback, so later tests in the same run read it. Tests use
  ``frappe.tests.utils.change_settings``, which saves and restores. A test whose point *is* such a write (an
  administrator's or an attacker's write behind the app's back) says so on the call's line:
  ``# hygiene: <reason>``.

Pure ``ast`` and ``tokenize``, no Frappe import. Table-driven from the tree: a test file added next year is
scanned without editing this.
"""

import ast
import io
import json
import re
import tokenize
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "virtual_school"
EXEMPT = re.compile(r"#\s*hygiene:\s*\S")

# Assigning any of these (or ``<one>["user"]``) bypasses frappe.set_user.
SESSION_TARGETS = {
	"frappe.session.user",
	"frappe.local.session.user",
	"frappe.local.session",
	"frappe.session",
}
SESSION_SUBSCRIPTED = {"frappe.session", "frappe.local.session"}
# Single doctypes a test might write with frappe.db.set_value: the app's own (from their JSON) and the
# framework's settings the app's tests touch.
FRAMEWORK_SINGLES = {"System Settings", "Website Settings"}


def tier2_test_files() -> list[Path]:
	"""Every module of the tier-2 suite: virtual_school/tests/ (helpers included) and the doctype and report
	tests next to their controllers."""
	files = set((APP / "tests").rglob("*.py"))
	files |= set((APP / "virtual_school").rglob("test_*.py"))
	return sorted(files)


def app_singles() -> set[str]:
	singles = set(FRAMEWORK_SINGLES)
	for path in (APP / "virtual_school" / "doctype").glob("*/*.json"):
		meta = json.loads(path.read_text(encoding="utf-8"))
		if isinstance(meta, dict) and meta.get("doctype") == "DocType" and meta.get("issingle"):
			singles.add(meta["name"])
	return singles


def dotted(node: ast.AST) -> str | None:
	"""``frappe.db.set_single_value`` for the expression that spells it, else None."""
	parts = []
	while isinstance(node, ast.Attribute):
		parts.append(node.attr)
		node = node.value
	if isinstance(node, ast.Name):
		parts.append(node.id)
		return ".".join(reversed(parts))
	return None


def exempt_lines(source: str) -> set[int]:
	"""Line numbers carrying a ``# hygiene: <reason>`` comment (a real comment, not text in a string)."""
	return {
		token.start[0]
		for token in tokenize.generate_tokens(io.StringIO(source).readline)
		if token.type == tokenize.COMMENT and EXEMPT.search(token.string)
	}


def assigned_targets(node: ast.AST) -> list[ast.AST]:
	if isinstance(node, ast.Assign):
		targets = list(node.targets)
	elif isinstance(node, ast.AugAssign | ast.AnnAssign):
		targets = [node.target]
	else:
		return []
	flat = []
	while targets:
		target = targets.pop()
		if isinstance(target, ast.Tuple | ast.List):
			targets.extend(target.elts)
		elif isinstance(target, ast.Starred):
			targets.append(target.value)
		else:
			flat.append(target)
	return flat


def session_aliases(tree: ast.AST) -> set[str]:
	"""Names bound to the session object itself (``session = frappe.local.session``)."""
	return {
		target.id
		for node in ast.walk(tree)
		if isinstance(node, ast.Assign) and dotted(node.value) in SESSION_SUBSCRIPTED
		for target in node.targets
		if isinstance(target, ast.Name)
	}


def is_session_user(target: ast.AST, aliases: set[str]) -> bool:
	name = dotted(target)
	if name in SESSION_TARGETS or name in {f"{alias}.user" for alias in aliases}:
		return True
	return (
		isinstance(target, ast.Subscript)
		and dotted(target.value) in SESSION_SUBSCRIPTED | aliases
		and isinstance(target.slice, ast.Constant)
		and target.slice.value == "user"
	)


def writes_a_single(call: ast.Call, singles: set[str]) -> bool:
	name = dotted(call.func)
	if name == "frappe.db.set_single_value":
		return True
	if name == "frappe.db.set_value" and call.args:
		first = call.args[0]
		return isinstance(first, ast.Constant) and first.value in singles
	return False


def violations(source: str, singles: set[str] | None = None) -> list[str]:
	"""``line: what`` for each session-user assignment and each unexplained write to a Single."""
	singles = app_singles() if singles is None else singles
	tree = ast.parse(source)
	exempt = exempt_lines(source)
	aliases = session_aliases(tree)
	found = []
	for node in ast.walk(tree):
		for target in assigned_targets(node):
			if is_session_user(target, aliases):
				found.append(f"{node.lineno}: assigns {ast.unparse(target)}; use frappe.set_user")
		if isinstance(node, ast.Call) and writes_a_single(node, singles):
			if not exempt & set(range(node.lineno, (node.end_lineno or node.lineno) + 1)):
				found.append(
					f"{node.lineno}: {ast.unparse(node.func)} leaves the setting changed; use "
					"frappe.tests.utils.change_settings, or say why on the line: # hygiene: <reason>"
				)
	return sorted(found, key=lambda line: int(line.split(":")[0]))


def test_the_scan_finds_the_tier2_suite():
	files = tier2_test_files()
	assert len(files) > 30
	assert APP / "tests" / "utils.py" in files
	assert any(path.parent.parent.name == "doctype" for path in files)
	assert any(path.parent.parent.name == "report" for path in files)
	assert "Virtual School Settings" in app_singles()


@pytest.mark.parametrize("path", tier2_test_files(), ids=lambda path: str(path.relative_to(APP)))
def test_tier2_file_uses_set_user_and_restores_settings(path):
	assert violations(path.read_text(encoding="utf-8")) == []


SINGLES = {"Virtual School Settings", "System Settings"}


@pytest.mark.parametrize(
	"source",
	[
		'frappe.session.user = "a@b.test"',
		'frappe.local.session.user = "a@b.test"',
		'frappe.local.session = frappe._dict(user="a@b.test")',
		'frappe.session["user"] = "a@b.test"',
		'old, frappe.session.user = frappe.session.user, "a@b.test"',
		'session = frappe.local.session\nsession.user = "a@b.test"',
		'frappe.db.set_single_value("Virtual School Settings", "la", "373")',
		'frappe.db.set_single_value("System Settings", "session_expiry", "04:00")  # set it',
		'frappe.db.set_value("Virtual School Settings", None, "la", "373")',
		'frappe.db.set_value("System Settings", "System Settings", {"session_expiry": "04:00"})',
		'frappe.db.set_single_value(\n\t"Virtual School Settings", "la", "# hygiene: in a string"\n)',
		'frappe.db.set_single_value("System Settings", "x", 1)  # hygiene:',
	],
)
def test_a_violation_is_found(source):
	assert len(violations(source, SINGLES)) == 1


@pytest.mark.parametrize(
	"source",
	[
		"user = frappe.session.user",
		"self.assertEqual(frappe.session.user, 'Administrator')",
		'frappe.set_user("a@b.test")',
		"if frappe.session.user == 'Guest': pass",
		"frappe.local.session_obj = None",
		'session = frappe.local.session\nuser = session.user\nother.user = "a@b.test"',
		'frappe.db.set_value("Role", "All", "two_factor_auth", 0)',
		'frappe.db.set_value("Child", name, "cohort", "Looked After")',
		'frappe.db.get_single_value("System Settings", "session_expiry")',
		'frappe.db.set_single_value("System Settings", "x", 1)  # hygiene: the write behind the app is the test',
		'frappe.db.set_single_value(\n\t"System Settings", "x", 1\n)  # hygiene: the write is what is tested',
		'with change_settings("Virtual School Settings", {"la": "373"}):\n\tpass',
	],
)
def test_a_legitimate_use_is_not_flagged(source):
	assert violations(source, SINGLES) == []
