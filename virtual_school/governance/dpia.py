"""The DPIA helper: ``docs/data-protection.md``, written from the doctypes' metadata (issue #22 item 5).

For every field of every app doctype: personal or not (``governance/personal_data.py``, the one hand-written
input), its purpose, lawful basis and Art 9/10 condition, who can read it (the DocPerms and permlevels of
the doctype JSON, the row rules registered in hooks.py), where it leaves the desk (the portal pages and
documents of ``governance/minimisation.py``, desk export and print by DocPerm, the subject access export,
which follows links to the Child) and its retention rule.

Pure: reads the JSON files of ``virtual_school/virtual_school/doctype/`` and hooks.py as text, no site needed,
so ``tests/test_data_protection_doc.py`` (tier 1) regenerates it and fails when the file is stale or a field has
no entry. Writing it also rewrites the README's minimisation table (``minimisation.markdown()``). Regenerate
with either of::

    python -m virtual_school.governance.dpia            # from the repository root
    bench --site SITE execute virtual_school.governance.dpia.write
"""

from __future__ import annotations

import ast
import json
import sys
from collections import Counter
from pathlib import Path

from virtual_school.governance import minimisation
from virtual_school.governance.personal_data import (
	BASES,
	CONDITIONS,
	DOCTYPES,
	FRAPPE_RECORDS,
	RETENTION,
	Record,
)

__all__ = ["OUTPUT", "classification_problems", "load_doctypes", "render", "write"]

APP = Path(__file__).resolve().parents[1]
DOCTYPE_DIR = APP / "virtual_school" / "doctype"
REPORT_DIR = APP / "virtual_school" / "report"
HOOKS = APP / "hooks.py"
OUTPUT = APP.parent / "docs" / "data-protection.md"
README = APP.parent / "README.md"
README_SECTION = "## What the portal and letters show"
README_TABLE_HEADER = "| page or document | shown to |"
CHILD = "Child"
# Fields that hold no value (layout) and child tables (their rows are classified in their own doctype).
NO_VALUE = {"Section Break", "Column Break", "Tab Break", "HTML", "Button", "Heading", "Fold", "Image"}
TABLES = {"Table", "Table MultiSelect"}
ROLE_ORDER = (
	"Virtual School Head",
	"Virtual School Manager",
	"Virtual School Caseworker",
	"Virtual School Finance",
	"System Manager",
)
SHORT = {
	"Virtual School Head": "Head",
	"Virtual School Manager": "Manager",
	"Virtual School Caseworker": "Caseworker",
	"Virtual School Finance": "Finance",
	"System Manager": "System Manager",
}
# Row rules stated in the README (permissions.py) that the DocPerms cannot show.
ROLE_NOTES = {("PP Plus Claim", "Virtual School Finance"): "approved and paid claims only"}


def load_doctypes(directory: Path = DOCTYPE_DIR) -> dict[str, dict]:
	"""Every app doctype's JSON, by name."""
	found = {}
	for path in sorted(directory.glob("*/*.json")):
		data = json.loads(path.read_text(encoding="utf-8"))
		if isinstance(data, dict) and data.get("doctype") == "DocType" and data.get("name"):
			found[data["name"]] = data
	return found


def load_reports(directory: Path = REPORT_DIR) -> dict[str, dict]:
	"""Every app report's JSON (its reference doctype and roles), by name."""
	found = {}
	for path in sorted(directory.glob("*/*.json")):
		data = json.loads(path.read_text(encoding="utf-8"))
		if isinstance(data, dict) and data.get("doctype") == "Report" and data.get("name"):
			found[data["name"]] = data
	return found


def value_fields(meta: dict) -> list[dict]:
	"""The fields that store a value (not layout, not a child table)."""
	return [df for df in meta.get("fields", []) if df.get("fieldtype") not in NO_VALUE | TABLES]


def classification(record: Record) -> dict[str, tuple[bool, str]]:
	"""fieldname -> (personal?, category or reason); a field listed twice keeps the first and is reported."""
	found: dict[str, tuple[bool, str]] = {}
	for category, fieldnames in record.personal.items():
		for fieldname in fieldnames:
			found.setdefault(fieldname, (True, category))
	for reason, fieldnames in record.not_personal.items():
		for fieldname in fieldnames:
			found.setdefault(fieldname, (False, reason))
	return found


def classification_problems(doctypes: dict[str, dict] | None = None) -> list[str]:
	"""Every doctype and field without an entry, every entry without a field, every unknown key."""
	doctypes = load_doctypes() if doctypes is None else doctypes
	problems = []
	for name in sorted(set(doctypes) - set(DOCTYPES)):
		problems.append(f"{name}: no entry in governance/personal_data.py DOCTYPES")
	for name in sorted(set(DOCTYPES) - set(doctypes)):
		problems.append(f"{name}: personal_data.py has an entry but there is no such doctype")
	for name in sorted(set(doctypes) & set(DOCTYPES)):
		record = DOCTYPES[name]
		fields = {df["fieldname"] for df in value_fields(doctypes[name])}
		listed = [f for group in (*record.personal.values(), *record.not_personal.values()) for f in group]
		for fieldname in sorted(fields - set(listed)):
			problems.append(f"{name}.{fieldname}: not classified (personal with a category, or not_personal)")
		for fieldname in sorted(set(listed) - fields):
			problems.append(f"{name}.{fieldname}: classified but the doctype has no such field")
		for fieldname, times in Counter(listed).items():
			if times > 1:
				problems.append(f"{name}.{fieldname}: classified {times} times")
		if record.basis not in BASES:
			problems.append(f"{name}: unknown basis {record.basis!r}")
		if record.retention not in RETENTION:
			problems.append(f"{name}: unknown retention {record.retention!r}")
		personal = {f for group in record.personal.values() for f in group}
		for table, label in (
			(record.special, "special"),
			(record.bases, "bases"),
			(record.purposes, "purposes"),
		):
			for fieldname in sorted(set(table) - personal):
				problems.append(f"{name}.{fieldname}: {label} entry for a field not listed as personal")
		for fieldname, key in record.special.items():
			if key not in CONDITIONS:
				problems.append(f"{name}.{fieldname}: unknown special condition {key!r}")
		for fieldname, key in record.bases.items():
			if key not in BASES:
				problems.append(f"{name}.{fieldname}: unknown basis {key!r}")
	return problems


# --- derived from metadata ------------------------------------------------------------------------------------


def parents_of(doctypes: dict[str, dict]) -> dict[str, list[tuple[str, dict]]]:
	"""Child-table doctype -> [(parent doctype, the table field)]."""
	parents: dict[str, list[tuple[str, dict]]] = {}
	for name, meta in doctypes.items():
		for df in meta.get("fields", []):
			if df.get("fieldtype") in TABLES and df.get("options"):
				parents.setdefault(df["options"], []).append((name, df))
	return parents


def permission_source(name: str, doctypes: dict[str, dict]) -> list[str]:
	"""The doctype whose DocPerms govern this one: itself, or a child table's parents."""
	if doctypes[name].get("istable"):
		return sorted({parent for parent, _df in parents_of(doctypes).get(name, [])})
	return [name]


def readers(name: str, permlevel: int, doctypes: dict[str, dict], right: str = "read") -> list[str]:
	"""Roles with ``right`` at ``permlevel`` (the parent's DocPerms for a child table), in a fixed order."""
	roles = set()
	for source in permission_source(name, doctypes):
		for perm in doctypes[source].get("permissions", []):
			if perm.get(right) and int(perm.get("permlevel") or 0) == permlevel:
				roles.add(perm["role"])
	return sorted(roles, key=lambda role: (ROLE_ORDER.index(role) if role in ROLE_ORDER else 99, role))


def row_rules() -> set[str]:
	"""Doctypes whose rows a caseworker sees only for their caseload (``permission_query_conditions`` in hooks)."""
	tree = ast.parse(HOOKS.read_text(encoding="utf-8"))
	for node in tree.body:
		if isinstance(node, ast.Assign) and any(
			isinstance(target, ast.Name) and target.id == "permission_query_conditions"
			for target in node.targets
		):
			return {key for key in ast.literal_eval(node.value) if key != "*"}
	return set()


def role_list(name: str, roles: list[str], narrowed: bool) -> str:
	labels = []
	for role in roles:
		label = SHORT.get(role, role)
		note = ROLE_NOTES.get((name, role))
		if note:
			label += f" ({note})"
		elif narrowed and role == "Virtual School Caseworker":
			label += " (caseload only)"
		labels.append(label)
	return ", ".join(labels) or "nobody at the desk"


def subject_access_reach(doctypes: dict[str, dict]) -> dict[str, str]:
	"""Doctypes the subject access export collects: records linking (transitively) to the Child in full, child
	tables with their parent, a table row linking to a found record as an excerpt of its parent
	(``governance/sar.py collect``)."""
	reach = {CHILD: "whole record"}
	changed = True
	while changed:
		changed = False
		for name, meta in doctypes.items():
			if name in reach or meta.get("issingle"):
				continue
			links = any(
				(df.get("fieldtype") == "Link" and df.get("options") in reach)
				or df.get("fieldtype") == "Dynamic Link"
				for df in meta.get("fields", [])
			)
			if links and not meta.get("istable"):
				reach[name] = "whole record"
				changed = True
			elif links and meta.get("istable"):
				for parent, _df in parents_of(doctypes).get(name, []):
					if parent not in reach:
						reach[parent] = "excerpt: the rows about the child"
						changed = True
				reach[name] = "rows about the child"
				changed = True
	for name, meta in doctypes.items():  # tables of a record exported whole come with it
		if meta.get("istable") and name not in reach:
			if any(reach.get(parent) == "whole record" for parent, _df in parents_of(doctypes).get(name, [])):
				reach[name] = "with its record"
	return reach


def outside_the_desk(name: str, fieldname: str, shown: dict[tuple[str, str], list[str]]) -> str:
	places = [
		f"{place} ({condition})" if condition else place
		for place, condition in shown.get((name, fieldname), [])
	]
	return "; ".join(places) if places else "—"


# --- the document ---------------------------------------------------------------------------------------------


def _cell(text: str) -> str:
	return str(text).replace("|", "\\|").replace("\n", " ")


def render(doctypes: dict[str, dict] | None = None) -> str:
	doctypes = load_doctypes() if doctypes is None else doctypes
	shown = minimisation.where_shown()
	narrowed = row_rules()
	sar = subject_access_reach(doctypes)
	out = [
		"# Data protection: every personal field the app stores",
		"",
		"<!-- Generated by virtual_school/governance/dpia.py from the doctypes' metadata and",
		"     virtual_school/governance/personal_data.py. Do not edit: edit those and regenerate with",
		"     `python -m virtual_school.governance.dpia` (repository root) or",
		"     `bench --site SITE execute virtual_school.governance.dpia.write`.",
		"     tests/test_data_protection_doc.py fails when this file is stale or a field has no entry. -->",
		"",
		"A helper for the council's Data Protection Impact Assessment (UK GDPR Art 35) and record of processing",
		"(Art 30). For each app doctype: whose data it holds, why, the lawful basis, who can read it, where it",
		"leaves the desk, and how long it is kept; then each field. The controller is the council; the lawful",
		"bases and retention periods are the defaults the app ships with: confirm them with your Data Protection",
		"Officer and records manager.",
		"",
		"- **Who can read**: roles with read permission at the field's permission level (DocPerms in the doctype",
		"  JSON; a child table follows its parent). *Caseload only*: the rows are narrowed by",
		"  `virtual_school/permissions.py` (hooks `permission_query_conditions`). Level 1 fields (restricted) are",
		"  also hidden from filters, sorts, counts and version history for roles without level 1 (SECURITY.md).",
		"- **Shown outside the desk**: the school portal pages and generated documents that show the field",
		"  (`virtual_school/governance/minimisation.py`, checked by `virtual_school/tests/test_minimisation.py`).",
		"  Besides these, a role with *export* permission can export the doctype's list from the desk, a role",
		"  with *print* permission can print a record, and the **subject access export** (`governance/sar.py`)",
		"  includes every field of every record about the child (column *SAR*), flagged for redaction review",
		"  where it names someone else.",
		"- **Special category / criminal offence data** (Art 9, Art 10): the condition is named per field.",
		"",
		"## Lawful bases (UK GDPR Art 6)",
		"",
	]
	out += [f"- `{key}`: {text}." for key, text in BASES.items()]
	out += ["", "## Conditions for special category and criminal offence data", ""]
	out += [f"- `{key}`: {text}." for key, text in CONDITIONS.items()]
	out += ["", "## Retention", ""]
	out += [
		"Rules are *Retention Rule* records (editable by the Head); disposal is confirmed by the Head per batch",
		"and leaves an anonymous *Disposal Certificate* (`governance/retention.py`, `governance/disposal.py`).",
		"",
	]
	out += [f"- `{key}`: {text}." for key, text in RETENTION.items()]

	personal_doctypes = []
	other = []
	for name in sorted(doctypes):
		record = DOCTYPES.get(name)
		if record and record.personal:
			personal_doctypes.append(name)
		else:
			other.append(name)
	counts: Counter = Counter()
	for name in personal_doctypes:
		for category, fieldnames in DOCTYPES[name].personal.items():
			counts[category] += len(fieldnames)
	out += ["", "## Summary", ""]
	out.append(
		f"{sum(counts.values())} personal fields in {len(personal_doctypes)} doctypes; "
		f"{len(other)} doctypes hold none."
	)
	out += ["", "| category | fields |", "|---|---|"]
	out += [f"| {category} | {counts[category]} |" for category in sorted(counts)]

	for name in personal_doctypes:
		out += _doctype_section(name, doctypes, shown, narrowed, sar)

	reports = load_reports()
	out += ["", "## Desk reports", ""]
	out.append(
		"Script Reports show personal data to the roles named in their JSON, from the doctype they are based"
	)
	out.append("on; a caseworker's rows are their caseload (`virtual_school/reports/caseload.py`).")
	out += ["", "| report | based on | roles |", "|---|---|---|"]
	for report_name, report in reports.items():
		roles = sorted(
			(row["role"] for row in report.get("roles", [])),
			key=lambda role: (ROLE_ORDER.index(role) if role in ROLE_ORDER else 99, role),
		)
		out.append(f"| {report_name} | {report.get('ref_doctype') or '—'} | {role_list('', roles, True)} |")

	out += ["", "## Frappe's records about the app's records", ""]
	out.append(
		"Not app doctypes, so not listed field by field: each points at an app record and is readable only by"
	)
	out.append("users who may read that record (`virtual_school/security/`); disposal removes them with it.")
	out += ["", "| Frappe doctype | what it holds | basis | retention |", "|---|---|---|---|"]
	for frappe_doctype, (holds, basis, retention) in FRAPPE_RECORDS.items():
		out.append(f"| {frappe_doctype} | {_cell(holds)} | {_cell(basis)} | {_cell(retention)} |")

	out += ["", "## Doctypes with no personal data", ""]
	for name in other:
		record = DOCTYPES.get(name)
		reasons = (
			"; ".join(
				f"{reason}: {', '.join(f'`{f}`' for f in fields)}"
				for reason, fields in record.not_personal.items()
			)
			if record
			else "no entry"
		)
		out.append(f"- **{name}** ({record.purpose if record else ''}): {reasons}.")
	return "\n".join(out) + "\n"


def _doctype_section(name, doctypes, shown, narrowed, sar) -> list[str]:
	record = DOCTYPES[name]
	meta = doctypes[name]
	fields = {df["fieldname"]: df for df in value_fields(meta)}
	sources = permission_source(name, doctypes)
	is_narrowed = any(source in narrowed for source in sources)
	levels = sorted({int(df.get("permlevel") or 0) for df in fields.values()})
	out = ["", f"## {name}", ""]
	kind = "child table of " + ", ".join(sources) if meta.get("istable") else "doctype"
	out.append(f"- **About**: {record.about} ({kind}). **Purpose**: {record.purpose}.")
	out.append(f"- **Lawful basis**: `{record.basis}`. **Retention**: `{record.retention}`.")
	for level in levels:
		label = "level 0" if level == 0 else f"level {level} (restricted)"
		out.append(
			f"- **Who can read, {label}**: {role_list(name, readers(name, level, doctypes), is_narrowed)}."
		)
	exporters = role_list(name, readers(name, 0, doctypes, "export"), is_narrowed)
	printers = role_list(name, readers(name, 0, doctypes, "print"), is_narrowed)
	out.append(
		f"- **Desk export**: {exporters}. **Print**: {printers}. **SAR**: {sar.get(name, 'not about a child')}."
	)
	out += [
		"",
		"| field | label | category | level | purpose (if not the record's) | basis | Art 9/10 | shown outside the desk |",
	]
	out.append("|---|---|---|---|---|---|---|---|")
	classified = classification(record)
	for fieldname, df in fields.items():
		personal, category = classified.get(fieldname, (False, "not classified"))
		if not personal:
			continue
		out.append(
			"| "
			+ " | ".join(
				_cell(value)
				for value in (
					f"`{fieldname}`",
					df.get("label") or fieldname,
					category,
					int(df.get("permlevel") or 0),
					record.purposes.get(fieldname, "—"),
					f"`{record.bases.get(fieldname, record.basis)}`",
					f"`{record.special[fieldname]}`" if fieldname in record.special else "—",
					outside_the_desk(name, fieldname, shown),
				)
			)
			+ " |"
		)
	not_personal = [
		(f, reason) for f, (personal, reason) in classified.items() if not personal and f in fields
	]
	if not_personal:
		grouped: dict[str, list[str]] = {}
		for fieldname, reason in not_personal:
			grouped.setdefault(reason, []).append(f"`{fieldname}`")
		out.append("")
		out.append(
			"Not personal: "
			+ "; ".join(f"{', '.join(names)} ({reason})" for reason, names in grouped.items())
			+ "."
		)
	return out


def readme_with_table(readme: str) -> str:
	"""The README with its minimisation table (section "What the portal and letters show") rewritten from
	``minimisation.markdown()``; unchanged when the section or its table is not there."""
	section = readme.find(README_SECTION)
	start = readme.find(README_TABLE_HEADER, section) if section != -1 else -1
	if start == -1:
		return readme
	end = readme.find("\n\n", start)
	end = len(readme) if end == -1 else end + 1
	return readme[:start] + minimisation.markdown() + readme[end:]


def write(path: str | None = None) -> str:
	"""Write the document (``docs/data-protection.md`` by default) and the README's minimisation table;
	returns the document's path."""
	target = Path(path) if path else OUTPUT
	target.write_text(render(), encoding="utf-8")
	if README.exists():
		text = README.read_text(encoding="utf-8")
		updated = readme_with_table(text)
		if updated != text:
			README.write_text(updated, encoding="utf-8")
	return str(target)


def main(argv: list[str]) -> int:
	problems = classification_problems()
	if problems:
		print("\n".join(problems), file=sys.stderr)
		return 1
	if "--check" in argv:
		stale = not OUTPUT.exists() or OUTPUT.read_text(encoding="utf-8") != render()
		stale = stale or readme_with_table(README.read_text(encoding="utf-8")) != README.read_text(
			encoding="utf-8"
		)
		print(f"{OUTPUT} is {'stale' if stale else 'up to date'}")
		return int(stale)
	print(write())
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
