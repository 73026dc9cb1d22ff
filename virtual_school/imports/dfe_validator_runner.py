"""Run the DfE-rules SSDA903 validator (``csc-validator-be-903``) on a folder of CSV files; print JSON.

This script runs in the validator's own isolated environment (``bench virtual-school-install-903-validator``
builds it), never in Frappe's: the validator pins pandas < 2 and numpy < 1.25, which Frappe's environment
must not get. It imports nothing from Frappe or the app. ``virtual_school.imports.dfe_validator`` writes
``header.csv``, ``episodes.csv`` and (optionally) ``reviews.csv`` with exactly the validator's columns
(and ``authorities.json``, see ``_add_authorities``),
runs ``python dfe_validator_runner.py FOLDER COLLECTION_YEAR LA_ONS_CODE`` and reads stdout:

``{"validator": version, "ruleset": "lac2026_27", "issues": [{"table", "row", "child", "code", "message",
"fields", "values"}], "failed_rules": [...], "skipped_rules": [...]}``

``row`` is the validator's row index in its table (0 for the first data row); ``values`` the row's values
of the rule's affected fields, as the validator's own reports show them ("Affected Values").
"""

# late imports: pandas and the validator exist only in the validator's own venv (this script runs there),
# so each function imports what it uses; the module itself must import under Frappe's Python too (tests).

import contextlib
import json
import logging
import math
import sys
from importlib import import_module
from importlib.metadata import version
from pathlib import Path

FILES = ("header.csv", "episodes.csv", "reviews.csv")


def _ruleset(collection_year: str):
	"""The registry for the year (e.g. "2027" -> lac2026_27), or the newest the package has."""
	year = int(collection_year)
	for candidate in range(year, year - 6, -1):
		name = f"lac{candidate - 1}_{str(candidate)[2:]}"
		try:
			return name, import_module(f"lac_validator.rules.{name}").registry
		except ModuleNotFoundError:
			continue
	raise SystemExit(f"no lac_validator ruleset for {collection_year} or the five years before")


def _plain(value):
	if value is None or (isinstance(value, float) and math.isnan(value)):
		return None
	try:
		import pandas

		if pandas.isna(value):
			return None
	except (TypeError, ValueError):
		pass
	return str(value)


def _add_authorities(path: Path) -> None:
	"""Give the validator the district codes its 2021 lookup lacks (the 2023 unitaries, Barnsley and
	Sheffield re-coded in 2024): without them it derives no PL_LA for their postcodes, and rules 169 and 179
	fail every such placement. ``path`` holds records in its own LTLA21CD/UTLA21CD form."""
	if not path.is_file():
		return
	import pandas
	from lac_validator import datastore

	known = set(datastore.la_df["LTLA21CD"])
	missing = [record for record in json.loads(path.read_text()) if record["LTLA21CD"] not in known]
	if missing:
		datastore.la_df = pandas.concat([datastore.la_df, pandas.DataFrame(missing)], ignore_index=True)


def main(folder: str, collection_year: str, local_authority: str) -> dict:
	# the validator logs every rule (and each rule that crashes: ``failed_rules`` says which)
	logging.disable(logging.CRITICAL)
	from lac_validator.lac_validator import LacValidator

	ruleset, registry = _ruleset(collection_year)
	_add_authorities(Path(folder) / "authorities.json")
	files = [
		{"name": name, "description": "This year", "file_content": (Path(folder) / name).read_bytes()}
		for name in FILES
		if (Path(folder) / name).is_file()
	]
	# some rules print(); stdout must carry the JSON only
	with contextlib.redirect_stdout(sys.stderr):
		validator = LacValidator(
			metadata={"collectionYear": collection_year, "localAuthority": local_authority},
			files=files,
			registry=registry,
		)
	issues = []
	for table, frame in validator.ds_results.items():
		if table == "metadata":
			continue
		for column in (column for column in frame.columns if str(column).startswith("ERR_")):
			rule = registry.get(column[4:])
			fields = sorted(rule.affected_fields) if rule else []
			for index in frame.index[frame[column] == True]:  # noqa: E712 (a pandas mask)
				row = frame.loc[index]
				issues.append(
					{
						"table": table,
						"row": int(index),
						"child": _plain(row.get("CHILD")),
						"code": str(rule.code) if rule else column[4:],
						"message": str(rule.message) if rule else "",
						"fields": fields,
						"values": {
							field: _plain(row.get(field)) for field in fields if field in frame.columns
						},
					}
				)
	return {
		"validator": version("csc-validator-be-903"),
		"ruleset": ruleset,
		"issues": issues,
		"failed_rules": [str(code) for code in validator.fails],
		"skipped_rules": [str(code) for code in validator.skips],
	}


if __name__ == "__main__":
	json.dump(main(*sys.argv[1:4]), sys.stdout)
