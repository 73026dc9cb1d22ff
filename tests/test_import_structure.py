"""The app's import structure (issue #20): no import cycles, and imports at the top of the module.

Read from the source with ``ast`` (nothing is imported), so a new module is covered without editing this file.
An import inside a function is allowed only with a stated reason: a ``# late import: <reason>`` comment on the
import line or the line above it, or, for a module whose imports are all late for one reason (the bench
command module, which bench loads for every command of every app), a module-level ``# late imports: <reason>``.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = "virtual_school"
PACKAGE = Path(__file__).resolve().parent.parent / APP
# test modules and fixtures are not the app's runtime code
EXCLUDED_PARTS = {"tests", "fixtures"}


def runtime_modules() -> dict[str, Path]:
	modules = {}
	for path in sorted(PACKAGE.rglob("*.py")):
		relative = path.relative_to(PACKAGE.parent).with_suffix("")
		if EXCLUDED_PARTS & set(relative.parts) or relative.name.startswith("test_"):
			continue
		parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
		modules[".".join(parts)] = path
	return modules


def imported_modules(node: ast.AST, current: str, modules: dict[str, Path], is_package: bool) -> list[str]:
	"""The app modules an import statement loads (``from pkg import mod`` counts as importing pkg.mod)."""
	names = []
	if isinstance(node, ast.Import):
		names = [alias.name for alias in node.names]
	elif isinstance(node, ast.ImportFrom):
		base = node.module or ""
		if node.level:
			anchor = current.split(".") if is_package else current.split(".")[:-1]
			anchor = anchor[: len(anchor) - (node.level - 1)]
			base = ".".join([*anchor, base] if base else anchor)
		names = [
			f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names
		]
	found = []
	for name in names:
		# the longest app module the dotted name starts with
		while name and name not in modules:
			name = name.rpartition(".")[0]
		if name and name != APP:
			found.append(name)
	return found


def import_graph() -> dict[str, set[str]]:
	modules = runtime_modules()
	graph = {}
	for name, path in modules.items():
		tree = ast.parse(path.read_text(), filename=str(path))
		targets = set()
		for node in ast.walk(tree):
			if isinstance(node, ast.Import | ast.ImportFrom):
				targets.update(imported_modules(node, name, modules, path.name == "__init__.py"))
		targets.discard(name)
		graph[name] = targets
	return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
	"""Strongly connected components with more than one module (Tarjan)."""
	index, low, stack, on_stack, found = {}, {}, [], set(), []

	def visit(node):
		index[node] = low[node] = len(index)
		stack.append(node)
		on_stack.add(node)
		for target in sorted(graph.get(node, ())):
			if target not in index:
				visit(target)
				low[node] = min(low[node], low[target])
			elif target in on_stack:
				low[node] = min(low[node], index[target])
		if low[node] == index[node]:
			component = []
			while True:
				member = stack.pop()
				on_stack.discard(member)
				component.append(member)
				if member == node:
					break
			if len(component) > 1:
				found.append(sorted(component))

	for node in sorted(graph):
		if node not in index:
			visit(node)
	return found


def late_imports_without_reason() -> list[str]:
	problems = []
	for path in runtime_modules().values():
		source = path.read_text()
		lines = source.splitlines()
		if any(line.startswith("# late imports:") for line in lines):
			continue
		tree = ast.parse(source, filename=str(path))
		for function in ast.walk(tree):
			if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
				continue
			for node in ast.walk(function):
				if isinstance(node, ast.Import | ast.ImportFrom):
					here = lines[node.lineno - 1]
					above = lines[node.lineno - 2] if node.lineno > 1 else ""
					if "# late import:" not in here and "# late import:" not in above:
						problems.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {here.strip()}")
	return problems


def test_the_graph_is_read_from_the_code():
	graph = import_graph()
	# a known edge, so an empty graph (a broken reader) cannot pass the tests below
	assert "virtual_school.domain.school_days" in graph["virtual_school.calendar.clocks"]
	assert len(graph) > 50


def test_no_import_cycles():
	assert cycles(import_graph()) == []


def test_cycle_finder_finds_a_cycle():
	graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
	assert cycles(graph) == [["a", "b", "c"]]


def test_imports_inside_functions_state_their_reason():
	assert late_imports_without_reason() == []
