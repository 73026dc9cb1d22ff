"""Tier 1: mapping the GIAS establishment extract to School records (STATUTORY.md sections 3 and 8)."""

import codecs
import io
from pathlib import Path

import pytest

from virtual_school.domain import gias_mapping
from virtual_school.domain.gias_mapping import (
	ASK_SECRETARY_OF_STATE,
	INDEPENDENT_OR_OTHER,
	LA_MAY_DIRECT,
	MalformedFile,
	RejectedRow,
)

FIXTURE = Path(__file__).resolve().parents[1] / "virtual_school" / "tests" / "fixtures" / "gias_sample.csv"


def good_row(**changes) -> dict:
	row = {
		"URN": "103412",
		"LA (code)": "330",
		"LA (name)": "Birmingham",
		"EstablishmentName": "Brookfields Primary School",
		"TypeOfEstablishment (name)": "Community school",
		"EstablishmentTypeGroup (name)": "Local authority maintained schools",
		"EstablishmentStatus (name)": "Open",
		"OpenDate": "",
		"CloseDate": "",
		"PhaseOfEducation (name)": "Primary",
		"StatutoryLowAge": "3",
		"StatutoryHighAge": "11",
		"Trusts (name)": "",
		"UKPRN": "10076543",
		"Street": "Fernley Road",
		"Town": "Birmingham",
		"Postcode": "B11 3NL",
		"SchoolWebsite": "www.brookfields.bham.sch.uk",
		"TelephoneNum": "01214642240",
		"HeadTitle (name)": "Mrs",
		"HeadFirstName": "Anita",
		"HeadLastName": "Sharma",
	}
	row.update(changes)
	return row


@pytest.fixture(scope="module")
def sample():
	records, rejected = gias_mapping.read_gias_csv(FIXTURE.read_bytes())
	return {record["urn"]: record for record in records}, rejected


def test_fixture_is_windows_1252_not_utf8():
	content = FIXTURE.read_bytes()
	assert "’".encode("cp1252") in content
	with pytest.raises(UnicodeDecodeError):
		content.decode("utf-8")


def test_reads_the_sample_extract(sample):
	records, rejected = sample
	assert len(records) == 14
	assert len(rejected) == 1


def test_curly_apostrophe_and_accents_decode(sample):
	records, _ = sample
	st_marys = records["118620"]
	assert st_marys["school_name"] == "St Mary’s Catholic Primary School"
	assert st_marys["street"] == "Queen’s Road"
	assert st_marys["headteacher"] == "Mr Seán O’Connell"


def test_map_row_fields(sample):
	records, _ = sample
	assert records["103412"] == {
		"row_number": 2,
		"urn": "103412",
		"school_name": "Brookfields Primary School",
		"establishment_type": "Community school",
		"type_group": "Local authority maintained schools",
		"phase": "Primary",
		"status": "Open",
		"la_code": "330",
		"la_name": "Birmingham",
		"postcode": "B11 3NL",
		"telephone": "01214642240",
		"headteacher": "Mrs Anita Sharma",
		"website": "www.brookfields.bham.sch.uk",
		"street": "Fernley Road",
		"town": "Birmingham",
		"open_date": None,
		"close_date": None,
		"statutory_low_age": 3,
		"statutory_high_age": 11,
		"ukprn": "10076543",
		"trust_name": None,
		"admissions_route": LA_MAY_DIRECT,
	}


def test_dates_statuses_and_tidying(sample):
	records, _ = sample
	assert records["104620"]["status"] == "Closed"
	assert records["104620"]["close_date"] == "2019-08-31"
	assert records["137045"]["open_date"] == "2011-08-01"
	assert records["137045"]["trust_name"] == "Fens Learning Trust"
	assert records["123780"]["status"] == "Open"  # "Open, but proposed to close"
	assert records["150321"]["status"] == "Proposed to open"
	assert records["150321"]["headteacher"] is None
	assert records["148210"]["postcode"] == "LA9 6BT"
	assert records["130456"]["headteacher"] == "Julia Hart"  # title "Not applicable" dropped
	assert records["130456"]["la_name"] == "Bournemouth, Christchurch and Poole"


@pytest.mark.parametrize(
	("urn", "route"),
	[
		("103412", LA_MAY_DIRECT),  # community school
		("118620", LA_MAY_DIRECT),  # voluntary aided
		("123780", LA_MAY_DIRECT),  # voluntary controlled
		# No admission authority for s97A (STATUTORY.md section 11): no direction route.
		("126123", INDEPENDENT_OR_OTHER),  # foundation special school, "Special schools" group
		("131900", INDEPENDENT_OR_OTHER),  # pupil referral unit
		("137045", ASK_SECRETARY_OF_STATE),  # academy converter
		("141980", ASK_SECRETARY_OF_STATE),  # free school
		("148210", ASK_SECRETARY_OF_STATE),  # academy special converter, "Special schools" group
		("147711", ASK_SECRETARY_OF_STATE),  # alternative provision academy
		("125301", INDEPENDENT_OR_OTHER),  # independent school
		("126150", INDEPENDENT_OR_OTHER),  # non-maintained special school, "Special schools" group
		("130456", INDEPENDENT_OR_OTHER),  # further education college
	],
)
def test_admissions_route_in_the_sample(sample, urn, route):
	records, _ = sample
	assert records[urn]["admissions_route"] == route


@pytest.mark.parametrize(
	("group", "kind", "route"),
	[
		("Local authority maintained schools", "Foundation school", LA_MAY_DIRECT),
		("Local authority maintained schools", "LA nursery school", INDEPENDENT_OR_OTHER),
		("Local authority maintained schools", "Pupil referral unit", INDEPENDENT_OR_OTHER),
		("Special schools", "Community special school", INDEPENDENT_OR_OTHER),
		("Special schools", "Free schools special", ASK_SECRETARY_OF_STATE),
		("Free Schools", "University technical college", ASK_SECRETARY_OF_STATE),
		("Free Schools", "Studio schools", ASK_SECRETARY_OF_STATE),
		("Academies", "Academy 16-19 converter", ASK_SECRETARY_OF_STATE),
		("Independent schools", "Other independent special school", INDEPENDENT_OR_OTHER),
		("Universities", "Higher education institutions", INDEPENDENT_OR_OTHER),
		("Welsh schools", "Welsh establishment", INDEPENDENT_OR_OTHER),
		("Other types", "Secure units", INDEPENDENT_OR_OTHER),
		("Online provider", "Online provider", INDEPENDENT_OR_OTHER),
		("Academies", None, ASK_SECRETARY_OF_STATE),
		("Local authority maintained schools", "", LA_MAY_DIRECT),
		("Special schools", None, INDEPENDENT_OR_OTHER),
		(None, None, INDEPENDENT_OR_OTHER),
		("  academies ", "ACADEMY CONVERTER", ASK_SECRETARY_OF_STATE),
	],
)
def test_admissions_route_for(group, kind, route):
	assert gias_mapping.admissions_route_for(group, kind) == route


def test_rejected_row_in_the_file_carries_row_number_column_and_reason(sample):
	_, rejected = sample
	[row] = rejected
	assert isinstance(row, ValueError)
	assert row.row_number == 16
	assert row.column == "URN"
	assert row.reason == "the URN is missing"
	assert str(row) == "Row 16, URN: the URN is missing"
	assert row.as_dict() == {"row": 16, "column": "URN", "reason": "the URN is missing"}


@pytest.mark.parametrize(
	("changes", "column", "reason_part"),
	[
		({"URN": "10341A"}, "URN", "not a number"),
		({"EstablishmentName": "  "}, "EstablishmentName", "no establishment name"),
		({"LA (code)": ""}, "LA (code)", "missing"),
		({"LA (code)": "33"}, "LA (code)", "not three digits"),
		({"LA (code)": "000"}, "LA (code)", "000"),
		({"EstablishmentStatus (name)": "Dormant"}, "EstablishmentStatus (name)", "not known"),
		({"OpenDate": "31-02-2020"}, "OpenDate", "dd-mm-yyyy"),
		({"CloseDate": "next summer"}, "CloseDate", "dd-mm-yyyy"),
		({"StatutoryLowAge": "four"}, "StatutoryLowAge", "whole number"),
	],
)
def test_map_row_rejections(changes, column, reason_part):
	with pytest.raises(RejectedRow) as error:
		gias_mapping.map_row(good_row(**changes), row_number=42)
	assert error.value.row_number == 42
	assert error.value.column == column
	assert reason_part in error.value.reason


def test_missing_column_is_a_malformed_file_naming_it():
	content = FIXTURE.read_bytes().replace(b",TelephoneNum,", b",Telephone,", 1)
	with pytest.raises(MalformedFile) as error:
		gias_mapping.read_gias_csv(content)
	assert error.value.missing_columns == ["TelephoneNum"]
	assert "TelephoneNum" in str(error.value)


def test_check_header():
	header = list(good_row())
	assert gias_mapping.check_header(header) == []
	assert gias_mapping.check_header(["\ufeffURN", *header[1:]]) == []
	assert gias_mapping.check_header([c for c in header if c not in ("URN", "UKPRN")]) == ["URN", "UKPRN"]
	assert gias_mapping.check_header(None) == list(gias_mapping.REQUIRED_COLUMNS)


def test_empty_and_undecodable_files():
	with pytest.raises(MalformedFile, match="empty"):
		gias_mapping.read_gias_csv(b"")
	with pytest.raises(MalformedFile, match="cp1252"):
		gias_mapping.read_gias_csv(b"URN,EstablishmentName\r\n1,\x81\r\n")


def test_utf8_with_bom_is_decoded_as_utf8():
	text = FIXTURE.read_bytes().decode("cp1252")
	records, _ = gias_mapping.read_gias_csv(codecs.BOM_UTF8 + text.encode("utf-8"))
	names = {record["urn"]: record["school_name"] for record in records}
	assert names["118620"] == "St Mary’s Catholic Primary School"
	assert len(records) == 14


def test_accepts_binary_and_text_files_and_paths():
	from_binary, _ = gias_mapping.read_gias_csv(io.BytesIO(FIXTURE.read_bytes()))
	from_text, _ = gias_mapping.read_gias_csv(io.StringIO(FIXTURE.read_bytes().decode("cp1252")))
	from_path, _ = gias_mapping.read_gias_csv(FIXTURE)
	assert from_binary == from_text == from_path
	with pytest.raises(TypeError):
		gias_mapping.read_gias_csv(str(FIXTURE))


def test_short_and_long_rows_are_rejected_not_guessed():
	lines = FIXTURE.read_bytes().split(b"\r\n")
	cut = lines[1].rsplit(b",", 3)[0]
	extra = lines[2] + b",surplus"
	content = b"\r\n".join([lines[0], cut, extra, lines[3]]) + b"\r\n"
	records, rejected = gias_mapping.read_gias_csv(content)
	assert [record["row_number"] for record in records] == [4]
	assert [(row.row_number, row.column) for row in rejected] == [(2, None), (3, None)]
	assert "cut short" in rejected[0].reason


def test_fingerprint_is_stable_and_sees_changes(sample):
	records, _ = sample
	record = records["137045"]
	fingerprint = gias_mapping.record_fingerprint(record)
	assert len(fingerprint) == 64
	moved = {**record, "row_number": 999}
	assert gias_mapping.record_fingerprint(moved) == fingerprint
	reordered = dict(reversed(list(record.items())))
	assert gias_mapping.record_fingerprint(reordered) == fingerprint
	assert gias_mapping.record_fingerprint({**record, "telephone": "01354000000"}) != fingerprint
	assert gias_mapping.record_fingerprint({**record, "close_date": "2026-08-31"}) != fingerprint
	# Same file read twice: the same fingerprints, so an importer leaves every school untouched.
	again, _ = gias_mapping.read_gias_csv(FIXTURE.read_bytes())
	assert [gias_mapping.record_fingerprint(r) for r in again] == [
		gias_mapping.record_fingerprint(r) for r in records.values()
	]
