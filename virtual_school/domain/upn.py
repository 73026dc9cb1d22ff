"""DfE Unique Pupil Number (UPN): check letter and validation.

A UPN has 13 characters: check letter + LA code (3) + establishment number (4) + year (2) + serial (3)
(STATUTORY.md section 7; DfE "Unique pupil numbers (UPNs): A guide for schools and local authorities",
v1.2, June 2019, Annex A; UK Government Data Standards Catalogue, UPN v2.0).

- Check letter (school census error 1510): sum of value x position for positions 2 to 13, modulo 23,
  looked up in ``A B C D E F G H J K L M N P Q R T U V W X Y Z`` (no I, O or S).
- Temporary UPN: character 13 is a letter from that same table, which gives its value (A=0, B=1 ...).
- Characters 2-4 (census error 1530) must be "a valid post-April 1999 LA code or a recognised pseudo-LA
  code". A UPN is kept for life, so a child whose UPN was issued by a council since reorganised (Cumbria 909,
  Northamptonshire 928 ...) still has a valid UPN: former codes and pseudo-LA codes are always accepted.

The worked example "Q207000016049" on some MIS help pages is wrong (its sum is 266, so the letter is P).
python-stdnum is not used: its LA list dates from 2011. This module imports nothing from Frappe.
"""

from __future__ import annotations

from collections.abc import Collection

from virtual_school.domain.local_authorities import FORMER_LA_CODES

__all__ = [
	"CHECK_LETTERS",
	"PSEUDO_LA_CODES",
	"UPN_LENGTH",
	"InvalidUPN",
	"check_letter",
	"is_temporary",
	"la_code",
	"normalise_upn",
	"validate_upn",
]

UPN_LENGTH = 13
CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_LETTER_VALUE = {letter: value for value, letter in enumerate(CHECK_LETTERS)}

# Census error 1530 "recognised pseudo-LA codes": 001-005 and 701-708 (DfE pseudo codes) and the Welsh
# authorities 660-681, whose UPNs travel with pupils who move to England.
PSEUDO_LA_CODES: frozenset[str] = frozenset(
	f"{code:03d}" for code in (*range(1, 6), *range(660, 682), *range(701, 709))
)


class InvalidUPN(ValueError):
	"""A UPN that fails the DfE rules. ``reason`` is a stable code for programs; the message is for people.

	Reasons: ``missing``, ``length``, ``characters``, ``temporary_letter``, ``check_letter``, ``la_code``.
	"""

	def __init__(self, message: str, reason: str, upn: str | None = None, expected: str | None = None):
		super().__init__(message)
		self.reason = reason
		self.upn = upn
		self.expected = expected


def normalise_upn(upn: str) -> str:
	"""Strip surrounding spaces and upper-case; no other change (inner spaces stay and are rejected)."""
	return upn.strip().upper()


def _check_body(body: str, first_position: int = 2, upn: str | None = None) -> None:
	"""Raise InvalidUPN unless ``body`` (characters 2-13) has 11 digits then a digit or table letter."""
	for offset, character in enumerate(body[:-1]):
		if not ("0" <= character <= "9"):
			position = first_position + offset
			raise InvalidUPN(
				f"Character {position} of the UPN is '{character}': characters 2 to 12 must be digits.",
				reason="characters",
				upn=upn,
			)
	last = body[-1]
	if "0" <= last <= "9" or last in _LETTER_VALUE:
		return
	if "A" <= last <= "Z":
		raise InvalidUPN(
			f"Character 13 of a temporary UPN must be a letter other than I, O or S; it is '{last}'.",
			reason="temporary_letter",
			upn=upn,
		)
	raise InvalidUPN(
		f"Character 13 of the UPN is '{last}': it must be a digit, or a letter for a temporary UPN.",
		reason="characters",
		upn=upn,
	)


def _weighted_sum(body: str) -> int:
	"""Sum of value x position for positions 2..13; a letter in position 13 takes its table value."""
	total = 0
	for position, character in enumerate(body, start=2):
		value = _LETTER_VALUE[character] if character in _LETTER_VALUE else int(character)
		total += value * position
	return total


def check_letter(first12_after_letter: str) -> str:
	"""The check letter for UPN characters 2-13 (DfE UPN guide Annex A; census error 1510)."""
	body = normalise_upn(first12_after_letter)
	if len(body) != UPN_LENGTH - 1:
		raise InvalidUPN(
			f"The check letter is computed from 12 characters (UPN characters 2 to 13); got {len(body)}.",
			reason="length",
		)
	_check_body(body)
	return CHECK_LETTERS[_weighted_sum(body) % 23]


def validate_upn(upn: str, known_la_codes: Collection[str] | None = None) -> str:
	"""Return the normalised UPN, or raise InvalidUPN saying what is wrong.

	``known_la_codes`` (e.g. the 153 current authorities) turns on the census 1530 check of characters
	2-4; former codes of reorganised councils and pseudo-LA codes are accepted as well.
	"""
	if not isinstance(upn, str) or not upn.strip():
		raise InvalidUPN("The UPN is missing.", reason="missing")
	value = normalise_upn(upn)
	if len(value) != UPN_LENGTH:
		raise InvalidUPN(
			f"A UPN has {UPN_LENGTH} characters; this one has {len(value)}.", reason="length", upn=value
		)
	first = value[0]
	if not ("A" <= first <= "Z"):
		raise InvalidUPN(
			f"Character 1 of the UPN must be the check letter; it is '{first}'.",
			reason="characters",
			upn=value,
		)
	body = value[1:]
	_check_body(body, upn=value)
	expected = CHECK_LETTERS[_weighted_sum(body) % 23]
	if first != expected:
		raise InvalidUPN(
			f"The check letter should be {expected}, not {first}: one of the characters may be mistyped.",
			reason="check_letter",
			upn=value,
			expected=expected,
		)
	if known_la_codes is not None:
		code = value[1:4]
		if code not in known_la_codes and code not in FORMER_LA_CODES and code not in PSEUDO_LA_CODES:
			raise InvalidUPN(
				f"Characters 2 to 4 of the UPN ({code}) are not a recognised local authority code.",
				reason="la_code",
				upn=value,
			)
	return value


def is_temporary(upn: str) -> bool:
	"""True for a valid temporary UPN (a letter in character 13). Raises InvalidUPN if not valid."""
	return validate_upn(upn)[-1].isalpha()


def la_code(upn: str) -> str:
	"""The LA code in characters 2-4 of a valid UPN (the authority that issued it)."""
	return validate_upn(upn)[1:4]
