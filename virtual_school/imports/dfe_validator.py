"""The DfE-rules SSDA903 validator councils run on their return (``csc-validator-be-903``), run on an import.

Why an isolated environment: the validator (MIT, Data to Insight / Social Finance) pins pandas < 2 and
numpy < 1.25; Frappe's environment has numpy 2 (and must keep it), so the validator is never installed there.
``bench virtual-school-install-903-validator`` (and ``scripts/lib.sh``'s install step) builds its own venv at
``~/.local/share/virtual-school/dfe-903-validator`` (``VS_DFE_903_VALIDATOR`` overrides the folder), and this
module runs ``dfe_validator_runner.py`` there as a subprocess on the import's files.

How: the rows the app's reader saw (``ssda903.source_tables``: CSV or XML alike) are written as the
validator's CSV files with exactly its columns (it refuses any other set), so its row numbers map back to
the file's rows. Each rule failure (code and message: the words data teams know) becomes a Data Quality
Issue: child, file, row, the rule's fields and their values, ``"<code> - <message>"``, severity Warning (the
app still wrote what it could; an app Error keeps its severity). Where the app's own rule already flagged the
same child, file, row and field, that issue takes the DfE wording instead of a second issue being opened.

When: it takes ~8 s for a small file and ~2.5 minutes (600 MB) for 15,000 children, so it runs as a
background job (queue "long") after the import commits, on the Import Log's files; its issues are synced
apart from the app's (``rule_code`` "dfe:<code>"), and its outcome is a comment on the Import Log. The
import never fails because the validator is absent, crashes or times out: the summary says which.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from virtual_school.domain import postcode_la, ssda903

PACKAGE = "csc-validator-be-903"
VERSION = "0.1.17"
RUNNER = Path(__file__).resolve().with_name("dfe_validator_runner.py")
TIMEOUT = 30 * 60  # seconds: a national-size return
CHECK_PREFIX = "dfe:"

# The validator's tables and their exact columns (lac_validator/config.py ``column_names``)
TABLES = {
	ssda903.HEADER_FILE: ("Header", ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")),
	ssda903.EPISODES_FILE: ("Episodes", ssda903.EPISODES_COLUMNS),
	ssda903.REVIEWS_FILE: ("Reviews", ssda903.REVIEWS_COLUMNS),
}
FILE_OF_TABLE = {table: file for file, (table, _columns) in TABLES.items()}


def venv_dir() -> Path:
	return Path(
		os.environ.get("VS_DFE_903_VALIDATOR")
		or Path.home() / ".local" / "share" / "virtual-school" / "dfe-903-validator"
	)


def venv_python() -> Path:
	return venv_dir() / "bin" / "python"


def installed_version() -> str | None:
	"""The validator's version in its venv, None when the venv or the package is not there."""
	stamp = venv_dir() / ".installed"
	if not venv_python().exists() or not stamp.is_file():
		return None
	return stamp.read_text(encoding="utf-8").strip() or None


def install(quiet: bool = True) -> str:
	"""Build the validator's venv (``bench virtual-school-install-903-validator``): a fresh venv from the base
	Python of this one, then ``pip install csc-validator-be-903==VERSION`` from the package index."""
	target = venv_dir()
	if target.exists():
		shutil.rmtree(target)
	target.parent.mkdir(parents=True, exist_ok=True)
	base = getattr(sys, "_base_executable", None) or sys.executable
	subprocess.run([base, "-m", "venv", str(target)], check=True)
	command = [str(venv_python()), "-m", "pip", "install", "--disable-pip-version-check"]
	subprocess.run([*command, *(["-q"] if quiet else []), f"{PACKAGE}=={VERSION}"], check=True)
	(target / ".installed").write_text(VERSION, encoding="utf-8")
	return VERSION


def collection_year(on_date: date) -> str:
	"""The SSDA903 collection year a file of ``on_date`` belongs to: the year of the 31 March it ends on."""
	return str(on_date.year + 1 if (on_date.month, on_date.day) >= (4, 1) else on_date.year)


def ons_code(la_code: str | None) -> str | None:
	"""The upper-tier ONS code (the validator's ``localAuthority``) of a DfE LA code."""
	for _name, utla, code in postcode_la.load_districts().values():
		if code == la_code:
			return utla
	return None


def write_inputs(tables: dict, folder: Path) -> dict[str, list[int]]:
	"""Write the validator's CSVs from ``ssda903.source_tables``; answer ``{table: [row number, ...]}``
	(the file's row number of each validator row index)."""
	row_maps = {}
	for file, (table, columns) in TABLES.items():
		if file not in tables:
			continue
		_fieldnames, rows = tables[file]
		buffer = io.StringIO(newline="")
		writer = csv.writer(buffer, lineterminator="\n")
		writer.writerow(columns)
		numbers = []
		for number, row in rows:
			values = [row.get(column) for column in columns]
			writer.writerow(
				["" if value is None or not isinstance(value, str) else value for value in values]
			)
			numbers.append(number)
		(folder / f"{file}.csv").write_text(buffer.getvalue(), encoding="utf-8")
		row_maps[table] = numbers
	authorities = [
		{"LTLA21CD": lad, "LTLA21NM": name, "UTLA21CD": utla, "UTLA21NM": name}
		for lad, (name, utla, _code) in postcode_la.load_districts().items()
	]
	(folder / "authorities.json").write_text(json.dumps(authorities), encoding="utf-8")
	return row_maps


def map_output(output: dict, row_maps: dict[str, list[int]]) -> list[ssda903.QualityIssue]:
	"""The runner's JSON as QualityIssues (one per rule and row; the rule's fields and values as the
	validator's own "Affected Values" shows them). Rows of a child without a CHILD id are left out."""
	issues = []
	for item in output.get("issues", []):
		table = item.get("table")
		file = FILE_OF_TABLE.get(table)
		child = (item.get("child") or "").strip()
		if file is None or not child:
			continue
		numbers = row_maps.get(table, [])
		row = item.get("row")
		row_number = numbers[row] if isinstance(row, int) and 0 <= row < len(numbers) else None
		fields = [str(name) for name in item.get("fields") or []]
		values = item.get("values") or {}
		shown = ", ".join(f"{name}: {values.get(name) or ''}" for name in fields if name in values)
		code = str(item.get("code"))
		issues.append(
			ssda903.QualityIssue(
				child=child,
				file=file,
				row_number=row_number,
				column=", ".join(fields)[:140] or None,
				value=shown or None,
				rule=f"{code} - {item.get('message') or ''}".strip(),
				check=f"{CHECK_PREFIX}{code}",
				severity=ssda903.WARNING,
			)
		)
	return issues


def merge(app_issues: list, dfe_issues: list) -> tuple[dict[str, str], list]:
	"""De-duplicate with the app's own rules: ``({app issue key: DfE wording}, the DfE issues left)``.

	A DfE failure on the same child, file, row and field as an app issue is that issue (it keeps its key
	and severity, and takes the DfE wording); the others are issues of their own.
	"""
	by_place = {}
	for issue in app_issues:
		if issue.column and issue.row_number is not None:
			by_place.setdefault((issue.child, issue.file, issue.row_number, issue.column), issue)
	reworded, left = {}, []
	for issue in dfe_issues:
		fields = [name.strip() for name in (issue.column or "").split(",")]
		same = next(
			(
				by_place[place]
				for place in ((issue.child, issue.file, issue.row_number, name) for name in fields)
				if place in by_place
			),
			None,
		)
		if same is None:
			left.append(issue)
		else:
			reworded.setdefault(same.key, issue.rule)
	return reworded, left


NOT_INSTALLED, NOT_RUN, FAILED, RAN = "not installed", "not run", "failed", "ran"


@dataclass
class Outcome:
	"""What a run did: ``status`` (NOT_INSTALLED, NOT_RUN, FAILED or RAN), ``detail`` (why, for the two
	failures: the error's own words), the issues, the rules the validator could not run on this data."""

	status: str
	detail: str = ""
	issues: list = field(default_factory=list)
	failed_rules: list = field(default_factory=list)
	version: str | None = None
	ruleset: str | None = None

	@property
	def ran(self) -> bool:
		return self.status == RAN


def run(files: dict, la_code: str | None, on_date: date, timeout: int = TIMEOUT) -> Outcome:
	"""Run the validator on the import's files. Never raises: an absent, crashing or slow validator is an
	Outcome that says so."""
	version = installed_version()
	if not version:
		return Outcome(NOT_INSTALLED)
	try:
		tables = ssda903.source_tables(files)
	except ssda903.MalformedFile as error:
		return Outcome(NOT_RUN, str(error), version=version)
	with tempfile.TemporaryDirectory(prefix="vs-903-validator-") as folder:
		row_maps = write_inputs(tables, Path(folder))
		command = [
			str(venv_python()),
			str(RUNNER),
			folder,
			collection_year(on_date),
			ons_code(la_code) or "",
		]
		try:
			done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
		except (OSError, subprocess.TimeoutExpired) as error:
			return Outcome(FAILED, f"{type(error).__name__}: {error}"[:500], version=version)
	if done.returncode != 0:
		last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
		return Outcome(FAILED, f"exit {done.returncode}: {last}"[:500], version=version)
	try:
		output = json.loads(done.stdout)
		issues = map_output(output, row_maps)
	except (ValueError, TypeError, AttributeError) as error:
		return Outcome(FAILED, f"unreadable output ({error})"[:500], version=version)
	return Outcome(
		RAN,
		"",
		issues,
		[str(code) for code in output.get("failed_rules", [])],
		output.get("validator") or version,
		output.get("ruleset"),
	)


def reword(issues: list, wording: dict[str, str]) -> list:
	"""The app's issues with the DfE wording where the validator flagged the same place (for new issues)."""
	return [
		dataclasses.replace(issue, rule=wording[issue.key]) if issue.key in wording else issue
		for issue in issues
	]
