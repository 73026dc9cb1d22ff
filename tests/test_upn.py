"""Tier 1: DfE UPN check letter and validation (STATUTORY.md section 7)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from virtual_school.domain import upn
from virtual_school.domain.local_authorities import load_local_authorities

CURRENT_LA_CODES = frozenset(authority["la_code"] for authority in load_local_authorities())


def test_check_letter_of_python_stdnum_vector():
	# 8x2 + 1x4 + 2x5 + 5x10 + 1x13 = 93; 93 mod 23 = 1 -> B
	assert upn.check_letter("801200005001") == "B"
	assert upn.validate_upn("B801200005001") == "B801200005001"


def test_mis_help_page_example_is_wrong_the_letter_is_p():
	# Sum is 266 (not 267 as Arbor and Juniper print): 266 mod 23 = 13 -> P.
	assert upn.check_letter("207000016049") == "P"
	assert upn.validate_upn("P207000016049") == "P207000016049"
	with pytest.raises(upn.InvalidUPN) as error:
		upn.validate_upn("Q207000016049")
	assert error.value.reason == "check_letter"
	assert error.value.expected == "P"
	assert "should be P, not Q" in str(error.value)


def test_validate_normalises_spaces_and_case():
	assert upn.validate_upn("  b801200005001 \n") == "B801200005001"


@pytest.mark.parametrize("value", ["", "   ", None])
def test_missing(value):
	with pytest.raises(upn.InvalidUPN) as error:
		upn.validate_upn(value)
	assert error.value.reason == "missing"


@pytest.mark.parametrize("value", ["B80120000500", "B8012000050012"])
def test_wrong_length_says_how_long(value):
	with pytest.raises(upn.InvalidUPN) as error:
		upn.validate_upn(value)
	assert error.value.reason == "length"
	assert f"has {len(value)}" in str(error.value)


@pytest.mark.parametrize(
	("value", "position"),
	[
		("B80120000X001", "Character 10"),
		("B801 00005001", "Character 5"),
		("B8012000050\u06611", "Character 12"),
	],
)
def test_illegal_characters_name_the_position(value, position):
	with pytest.raises(upn.InvalidUPN) as error:
		upn.validate_upn(value)
	assert error.value.reason == "characters"
	assert position in str(error.value)


def test_first_character_must_be_a_letter():
	with pytest.raises(upn.InvalidUPN) as error:
		upn.validate_upn("1801200005001")
	assert error.value.reason == "characters"
	assert "Character 1" in str(error.value)


def test_temporary_upn_letter_takes_its_table_value():
	body = "80120000500A"  # A = 0 in position 13: sum 16 + 4 + 10 + 50 = 80; 80 mod 23 = 11 -> M
	assert upn.check_letter(body) == "M"
	assert upn.validate_upn("M" + body) == "M80120000500A"
	assert upn.is_temporary("M80120000500A") is True
	assert upn.is_temporary("B801200005001") is False
	# Z = 22 in position 13 adds 286: (80 + 286) mod 23 = 21 -> Y
	assert upn.check_letter("80120000500Z") == "Y"


@pytest.mark.parametrize("letter", ["I", "O", "S"])
def test_temporary_upn_last_letter_must_be_in_the_table(letter):
	with pytest.raises(upn.InvalidUPN) as error:
		upn.validate_upn("A80120000500" + letter)
	assert error.value.reason == "temporary_letter"
	assert f"it is '{letter}'" in str(error.value)


def test_check_letter_never_uses_i_o_or_s():
	assert len(upn.CHECK_LETTERS) == 23
	assert not set("IOS") & set(upn.CHECK_LETTERS)


def test_la_code_and_known_codes():
	assert upn.la_code("B801200005001") == "801"
	assert upn.validate_upn("B801200005001", known_la_codes=CURRENT_LA_CODES) == "B801200005001"


def test_unknown_la_code_is_rejected_when_codes_are_given():
	body = "999200005001"
	value = upn.check_letter(body) + body
	assert upn.validate_upn(value) == value  # no list given: no LA check
	with pytest.raises(upn.InvalidUPN) as error:
		upn.validate_upn(value, known_la_codes=CURRENT_LA_CODES)
	assert error.value.reason == "la_code"
	assert "(999)" in str(error.value)


@pytest.mark.parametrize("code", ["909", "928", "836", "001", "660", "702"])
def test_former_and_pseudo_la_codes_stay_valid_for_life(code):
	# A UPN issued by Cumbria (909) before April 2023 is still the child's UPN (census error 1530 list).
	body = code + "200005001"
	value = upn.check_letter(body) + body
	assert upn.validate_upn(value, known_la_codes=CURRENT_LA_CODES) == value


def test_check_letter_rejects_a_bad_body():
	with pytest.raises(upn.InvalidUPN) as error:
		upn.check_letter("80120000500")
	assert error.value.reason == "length"
	with pytest.raises(upn.InvalidUPN) as error:
		upn.check_letter("8012000050X1")
	assert error.value.reason == "characters"


def test_invalid_upn_is_a_value_error():
	assert issubclass(upn.InvalidUPN, ValueError)


DIGITS = st.text(alphabet="0123456789", min_size=11, max_size=11)
LAST = st.sampled_from("0123456789" + upn.CHECK_LETTERS)


@given(digits=DIGITS, last=LAST, data=st.data())
def test_property_check_letter_makes_valid_and_any_single_digit_change_breaks_it(digits, last, data):
	body = digits + last
	value = upn.check_letter(body) + body
	assert upn.validate_upn(value) == value
	digit_positions = [index for index, character in enumerate(value) if character.isdigit()]
	index = data.draw(st.sampled_from(digit_positions), label="position")
	replacement = data.draw(st.sampled_from([d for d in "0123456789" if d != value[index]]), label="digit")
	changed = value[:index] + replacement + value[index + 1 :]
	with pytest.raises(upn.InvalidUPN) as error:
		upn.validate_upn(changed)
	assert error.value.reason == "check_letter"


@given(digits=DIGITS, last=LAST)
def test_property_wrong_check_letter_names_the_right_one(digits, last):
	body = digits + last
	right = upn.check_letter(body)
	wrong = next(letter for letter in upn.CHECK_LETTERS if letter != right)
	with pytest.raises(upn.InvalidUPN) as error:
		upn.validate_upn(wrong + body)
	assert error.value.expected == right
