"""Tier 1: the DfE-rules SSDA903 validator (``csc-validator-be-903``) mapped onto Data Quality Issues
(issue #19 item 7; ``virtual_school/imports/dfe_validator.py``). The validator itself runs in its own venv
(tier 2 runs it); here its output format, recorded from ``dfe_validator_runner.py`` on the app's fixture
files (``virtual_school/tests/fixtures/ssda903``) with csc-validator-be-903 0.1.17, rules lac2026_27."""

import csv
import io
import json
import stat
from datetime import date
from pathlib import Path

import pytest

from virtual_school.domain import ssda903
from virtual_school.imports import dfe_validator

FIXTURES = Path(__file__).resolve().parents[1] / "virtual_school" / "tests" / "fixtures" / "ssda903"
FILES = {
	"header": (FIXTURES / "header.csv").read_bytes(),
	"episodes": (FIXTURES / "episodes.csv").read_bytes(),
}

# Recorded (trimmed to one of each kind): the runner's stdout on the fixture files
RECORDED = json.loads(
	"""{
 "validator": "0.1.17", "ruleset": "lac2026_27",
 "issues": [
  {"table": "Header", "row": 0, "child": "1001", "code": "101",
   "message": "The child or young person\u2019s reported sex is not valid.", "fields": ["SEX"], "values": {"SEX": "1"}},
  {"table": "Episodes", "row": 15, "child": "1006", "code": "501",
   "message": "A new episode has started before the end date of the previous episode.",
   "fields": ["DEC", "DECOM"], "values": {"DEC": "31/03/2027", "DECOM": "20/07/2022"}},
  {"table": "Episodes", "row": 4, "child": "1001", "code": "392c", "message": "Postcode(s) provided are invalid.",
   "fields": ["HOME_POST", "PL_POST"], "values": {"HOME_POST": "S5 7AU", "PL_POST": "S12 4QZ"}},
  {"table": "Episodes", "row": 4, "child": "1001", "code": "169",
   "message": "Local Authority (LA) of placement is not valid or is missing. Please check a valid postcode has been entered.",
   "fields": ["PL_LA"], "values": {"PL_LA": null}},
  {"table": "Episodes", "row": 13, "child": "1005", "code": "INT03",
   "message": "Internal Check: Child in Episodes does not exist in Header.", "fields": ["CHILD"], "values": {"CHILD": "1005"}},
  {"table": "Episodes", "row": 12, "child": "1004", "code": "144", "message": "The legal status code is not a valid code.",
   "fields": ["LS"], "values": {"LS": "C3"}}
 ],
 "failed_rules": ["231", "233"], "skipped_rules": ["224", "3001", "519"]
}"""
)


@pytest.fixture
def written(tmp_path):
	return tmp_path, dfe_validator.write_inputs(ssda903.source_tables(FILES), tmp_path)


def test_inputs_have_exactly_the_validators_columns_and_map_rows_back(written):
	"""The validator refuses a CSV whose columns are not exactly its own (lac_validator.ingress)."""
	folder, maps = written
	for file, (table, columns) in dfe_validator.TABLES.items():
		if file == "reviews":
			assert not (folder / "reviews.csv").exists()
			continue
		rows = list(csv.reader(io.StringIO((folder / f"{file}.csv").read_text())))
		assert rows[0] == list(columns)
		assert len(rows) - 1 == len(maps[table])
	assert maps["Header"][0] == 2 and maps["Episodes"][:3] == [2, 3, 4]  # CSV rows count the header line
	authorities = json.loads((folder / "authorities.json").read_text())
	assert {
		"LTLA21CD": "E08000039",
		"LTLA21NM": "Sheffield",
		"UTLA21CD": "E08000039",
		"UTLA21NM": "Sheffield",
	} in (authorities)


def test_a_file_with_other_columns_is_written_with_the_validators(tmp_path):
	header = b"\xef\xbb\xbfchild,dob,sex,ethnic,upn\r\n7001,01/09/2012,M,WBRI,UN1\r\n"
	episodes = FILES["episodes"].replace(b"URN\r\n", b"URN,PL_LA\r\n", 1)
	maps = dfe_validator.write_inputs(
		ssda903.source_tables({"header": header, "episodes": episodes}), tmp_path
	)
	rows = list(csv.reader(io.StringIO((tmp_path / "header.csv").read_text())))
	assert rows == [
		list(dfe_validator.TABLES["header"][1]),
		["7001", "M", "01/09/2012", "WBRI", "UN1", "", ""],
	]
	assert maps["Header"] == [2]
	assert "PL_LA" not in (tmp_path / "episodes.csv").read_text().splitlines()[0]


def test_each_rule_failure_is_one_issue_in_the_dfe_words(written):
	_folder, maps = written
	issues = dfe_validator.map_output(RECORDED, maps)
	by_rule = {issue.check: issue for issue in issues}
	assert set(by_rule) == {"dfe:101", "dfe:501", "dfe:392c", "dfe:169", "dfe:INT03", "dfe:144"}
	sex = by_rule["dfe:101"]
	assert (sex.child, sex.file, sex.row_number, sex.column, sex.value, sex.severity) == (
		"1001",
		"header",
		2,
		"SEX",
		"SEX: 1",
		ssda903.WARNING,
	)
	assert sex.rule == "101 - The child or young person\u2019s reported sex is not valid."
	overlap = by_rule["dfe:501"]
	assert (overlap.file, overlap.row_number, overlap.column, overlap.value) == (
		"episodes",
		17,
		"DEC, DECOM",
		"DEC: 31/03/2027, DECOM: 20/07/2022",
	)
	assert by_rule["dfe:169"].value == "PL_LA: "


def test_output_for_other_tables_or_without_a_child_is_left_out(written):
	_folder, maps = written
	odd = {
		"issues": [
			{
				"table": "OC2",
				"row": 0,
				"child": "1001",
				"code": "X",
				"message": "m",
				"fields": [],
				"values": {},
			},
			{
				"table": "Header",
				"row": 0,
				"child": None,
				"code": "Y",
				"message": "m",
				"fields": [],
				"values": {},
			},
			{
				"table": "Header",
				"row": 99,
				"child": "1001",
				"code": "Z",
				"message": "m",
				"fields": [],
				"values": {},
			},
		]
	}
	(issue,) = dfe_validator.map_output(odd, maps)
	assert (issue.check, issue.row_number, issue.column) == ("dfe:Z", None, None)


def test_a_failure_where_the_app_already_flagged_the_field_rewords_that_issue(written):
	_folder, maps = written
	app = ssda903.read_files(FILES).issues
	ls = next(issue for issue in app if issue.column == "LS")
	wording, left = dfe_validator.merge(app, dfe_validator.map_output(RECORDED, maps))
	assert wording[ls.key] == "144 - The legal status code is not a valid code."
	overlap = next(issue for issue in app if issue.check == "episode:overlap")
	assert wording[overlap.key].startswith("501 - ")  # DECOM is one of 501's fields
	assert {issue.check for issue in left} == {"dfe:101", "dfe:392c", "dfe:169", "dfe:INT03"}
	assert dfe_validator.reword(app, wording)[app.index(ls)].rule == wording[ls.key]


@pytest.mark.parametrize(
	("day", "year"),
	[(date(2027, 3, 31), "2027"), (date(2027, 4, 1), "2028"), (date(2026, 12, 3), "2027")],
)
def test_the_collection_year_ends_on_31_march(day, year):
	assert dfe_validator.collection_year(day) == year


def test_the_validators_local_authority_is_the_upper_tier_ons_code():
	assert dfe_validator.ons_code("373") == "E08000039"
	assert dfe_validator.ons_code("886") == "E10000016"
	assert dfe_validator.ons_code("942") == "E06000063"
	assert dfe_validator.ons_code("999") is None


def test_an_absent_validator_is_an_outcome_not_an_error(tmp_path, monkeypatch):
	monkeypatch.setenv("VS_DFE_903_VALIDATOR", str(tmp_path / "none"))
	outcome = dfe_validator.run(FILES, "373", date(2026, 12, 3))
	assert (outcome.status, outcome.ran, outcome.issues) == (dfe_validator.NOT_INSTALLED, False, [])


def fake_validator(folder: Path, script: str) -> None:
	(folder / "bin").mkdir(parents=True)
	python = folder / "bin" / "python"
	python.write_text("#!/bin/sh\n" + script)
	python.chmod(python.stat().st_mode | stat.S_IEXEC)
	(folder / ".installed").write_text(dfe_validator.VERSION)


@pytest.mark.parametrize(
	("script", "detail"),
	[
		("echo 'Traceback: boom' >&2; exit 3\n", "exit 3: Traceback: boom"),
		("echo 'not json'\n", "unreadable output"),
		("sleep 5\n", "TimeoutExpired"),
	],
)
def test_a_crashing_or_slow_validator_is_an_outcome_not_an_error(tmp_path, monkeypatch, script, detail):
	fake_validator(tmp_path, script)
	monkeypatch.setenv("VS_DFE_903_VALIDATOR", str(tmp_path))
	outcome = dfe_validator.run(FILES, "373", date(2026, 12, 3), timeout=2)
	assert (outcome.status, outcome.issues) == (dfe_validator.FAILED, [])
	assert detail in outcome.detail


def test_a_recorded_run_maps_through_run(tmp_path, monkeypatch):
	"""run() writes the inputs, calls the runner with the year and LA, and maps its stdout."""
	fake_validator(
		tmp_path,
		'[ "$3" = 2027 ] && [ "$4" = E08000039 ] && [ -f "$2/header.csv" ] || exit 9\n'
		f"cat <<'EOF'\n{json.dumps(RECORDED)}\nEOF\n",
	)
	monkeypatch.setenv("VS_DFE_903_VALIDATOR", str(tmp_path))
	outcome = dfe_validator.run(FILES, "373", date(2026, 12, 3))
	assert (outcome.status, outcome.ruleset, outcome.failed_rules) == ("ran", "lac2026_27", ["231", "233"])
	assert len(outcome.issues) == len(RECORDED["issues"])
