"""Tier 1: every module of the pure domain layer imports nothing from Frappe, so each can be tested without a
site (house rule). Table-driven from the package: a module added next year is covered without editing this."""

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parent.parent / "virtual_school" / "domain"


def _imported_roots(path: Path) -> set[str]:
	roots = set()
	for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
		if isinstance(node, ast.Import):
			roots.update(alias.name.split(".")[0] for alias in node.names)
		elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
			roots.add(node.module.split(".")[0])
	return roots


def test_the_domain_package_has_modules():
	assert len(list(DOMAIN.glob("*.py"))) > 10


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda path: path.name)
def test_domain_module_imports_no_frappe(path):
	assert "frappe" not in _imported_roots(path)
