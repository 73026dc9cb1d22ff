"""Tier 1: the 153 English local authorities shipped as package data (STATUTORY.md section 9)."""

import re
from collections import Counter

import pytest

from virtual_school.domain import local_authorities
from virtual_school.domain.local_authorities import FORMER_LA_CODES, load_local_authorities

REGIONS = {
	"North East": 12,
	"North West": 24,
	"Yorkshire and the Humber": 15,
	"East Midlands": 10,
	"West Midlands": 14,
	"East of England": 11,
	"London": 33,
	"South East": 19,
	"South West": 15,
}


@pytest.fixture(scope="module")
def authorities():
	return load_local_authorities()


def test_there_are_153(authorities):
	assert len(authorities) == local_authorities.ENGLISH_LA_COUNT == 153


def test_codes_are_unique_three_digit_strings(authorities):
	codes = [authority["la_code"] for authority in authorities]
	assert len(set(codes)) == len(codes)
	assert all(re.fullmatch(r"[0-9]{3}", code) for code in codes)
	assert set(authorities[0]) == {"la_code", "la_name", "region"}


def test_post_2019_reorganisations(authorities):
	by_code = {authority["la_code"]: authority["la_name"] for authority in authorities}
	assert by_code["940"] == "North Northamptonshire"
	assert by_code["941"] == "West Northamptonshire"
	assert by_code["942"] == "Cumberland"
	assert by_code["943"] == "Westmorland and Furness"
	assert by_code["838"] == "Dorset"
	assert by_code["839"] == "Bournemouth, Christchurch and Poole"
	assert by_code["815"] == "North Yorkshire"
	assert by_code["933"] == "Somerset"
	for gone in ("909", "928", "835", "836", "837", "820", "875"):
		assert gone not in by_code


def test_well_known_codes(authorities):
	by_code = {authority["la_code"]: authority["la_name"] for authority in authorities}
	assert by_code["201"] == "City of London"
	assert by_code["202"] == "Camden"
	assert by_code["330"] == "Birmingham"
	assert by_code["873"] == "Cambridgeshire"
	assert by_code["938"] == "West Sussex"
	assert by_code["886"] == "Kent"
	assert by_code["420"] == "Isles of Scilly"


def test_region_counts(authorities):
	assert Counter(authority["region"] for authority in authorities) == REGIONS


def test_former_codes_point_at_current_authorities(authorities):
	current = {authority["la_code"] for authority in authorities}
	for former, successors in FORMER_LA_CODES.items():
		assert former not in current
		assert set(successors) <= current


def test_bad_files_are_refused_with_the_line(tmp_path):
	bad_code = tmp_path / "bad_code.csv"
	bad_code.write_text(
		"la_code,la_name,region\n201,City of London,London\n20,Camden,London\n", encoding="utf-8"
	)
	with pytest.raises(ValueError, match="line 3"):
		load_local_authorities(bad_code)
	repeated = tmp_path / "repeated.csv"
	repeated.write_text(
		"la_code,la_name,region\n201,City of London,London\n201,Camden,London\n", encoding="utf-8"
	)
	with pytest.raises(ValueError, match="repeats line 2"):
		load_local_authorities(repeated)
	no_region = tmp_path / "no_region.csv"
	no_region.write_text("la_code,la_name\n201,City of London\n", encoding="utf-8")
	with pytest.raises(ValueError, match="region"):
		load_local_authorities(no_region)
