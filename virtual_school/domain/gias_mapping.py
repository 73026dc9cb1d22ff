"""Map the DfE "Get Information About Schools" (GIAS) establishment extract to School records.

Source: the public extract ``edubasealldataYYYYMMDD.csv`` (STATUTORY.md section 8). It is encoded in
Windows-1252 (not documented by the DfE; every public consumer decodes it so), one row per establishment,
with ``(name)`` and ``(code)`` twins for coded columns and dates as dd-mm-yyyy.

The admissions route is the school's family as far as a direction goes (STATUTORY.md sections 3 and 11):
"LA may direct" for maintained mainstream schools with an admission authority (community, voluntary
controlled, voluntary aided, foundation: SSFA 1998 s97A-C, though for the council's own community and VC
schools the council simply admits, which ``admission_route`` decides with the council's LA code); "Ask the
Secretary of State" for academies and free schools (until the council's power to direct academies
commences, also ``admission_route``); "Independent / other" for every establishment with no direction route:
independent schools, colleges, and pupil referral units, nursery schools and maintained special schools,
which have no admission authority for s97A (section 11). The per-request route lives in ``admission_route``.

Rows are mapped one at a time and all-or-nothing: a row that cannot be mapped becomes a ``RejectedRow``
carrying its row number, column and reason, and the rest of the file still maps (DOMAIN.md section 7).
This module imports nothing from Frappe; ``virtual_school.imports.gias`` writes the records.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from os import PathLike
from pathlib import Path
from typing import IO

__all__ = [
	"ADMISSIONS_ROUTES",
	"ASK_SECRETARY_OF_STATE",
	"FINGERPRINT_FIELDS",
	"INDEPENDENT_OR_OTHER",
	"LA_MAY_DIRECT",
	"REQUIRED_COLUMNS",
	"MalformedFile",
	"RejectedRow",
	"admissions_route_for",
	"check_header",
	"map_row",
	"read_gias_csv",
	"record_fingerprint",
]

GIAS_ENCODING = "cp1252"

LA_MAY_DIRECT = "LA may direct"
ASK_SECRETARY_OF_STATE = "Ask the Secretary of State"
INDEPENDENT_OR_OTHER = "Independent / other"
ADMISSIONS_ROUTES = (LA_MAY_DIRECT, ASK_SECRETARY_OF_STATE, INDEPENDENT_OR_OTHER)

# GIAS column -> School record key. Every column is required: a file without one of them is partial, and
# importing it would blank that field on every school.
COLUMN_MAP: dict[str, str] = {
	"URN": "urn",
	"EstablishmentName": "school_name",
	"TypeOfEstablishment (name)": "establishment_type",
	"EstablishmentTypeGroup (name)": "type_group",
	"PhaseOfEducation (name)": "phase",
	"EstablishmentStatus (name)": "status",
	"LA (code)": "la_code",
	"LA (name)": "la_name",
	"Postcode": "postcode",
	"TelephoneNum": "telephone",
	"HeadTitle (name)": "headteacher",
	"HeadFirstName": "headteacher",
	"HeadLastName": "headteacher",
	"SchoolWebsite": "website",
	"Street": "street",
	"Town": "town",
	"OpenDate": "open_date",
	"CloseDate": "close_date",
	"StatutoryLowAge": "statutory_low_age",
	"StatutoryHighAge": "statutory_high_age",
	"UKPRN": "ukprn",
	"Trusts (name)": "trust_name",
}
REQUIRED_COLUMNS: tuple[str, ...] = tuple(COLUMN_MAP)

# The mapped fields an importer stores; ``row_number`` is where the row was, not what it says.
FINGERPRINT_FIELDS: tuple[str, ...] = (
	"urn",
	"school_name",
	"establishment_type",
	"type_group",
	"phase",
	"status",
	"la_code",
	"la_name",
	"postcode",
	"telephone",
	"headteacher",
	"website",
	"street",
	"town",
	"open_date",
	"close_date",
	"statutory_low_age",
	"statutory_high_age",
	"ukprn",
	"trust_name",
	"admissions_route",
)

# GIAS "EstablishmentStatus (name)" -> School.status. "Open, but proposed to close" is still open.
STATUS_MAP = {
	"open": "Open",
	"open, but proposed to close": "Open",
	"closed": "Closed",
	"proposed to open": "Proposed to open",
}

# Maintained mainstream schools with an admission authority: the LA may direct it (SSFA 1998 s97A), or, for
# its own community and VC schools, admits itself. Compared case-insensitively.
_MAINTAINED_TYPES = frozenset(
	{
		"community school",
		"voluntary aided school",
		"voluntary controlled school",
		"foundation school",
	}
)
# Maintained establishments with no admission authority for s97A (STATUTORY.md section 11): PRUs and
# nursery schools take commissioned or nursery places, maintained special schools' places are named in
# EHC plans. No direction route, whatever their group.
_NO_DIRECTION_MAINTAINED_TYPES = frozenset(
	{
		"la nursery school",
		"local authority nursery school",
		"pupil referral unit",
		"community special school",
		"foundation special school",
	}
)
# State-funded schools under a funding agreement with the Secretary of State, beyond those whose type
# starts "Academy" or "Free school": GIAS files these under "Free Schools" (UTCs, studio schools) or
# "Independent schools" (the few remaining city technology colleges).
_SECRETARY_OF_STATE_TYPES = frozenset(
	{"university technical college", "studio schools", "studio school", "city technology college"}
)
_MAINTAINED_GROUPS = frozenset({"local authority maintained schools"})
_SECRETARY_OF_STATE_GROUPS = frozenset({"academies", "free schools"})

_HEAD_TITLES_TO_DROP = frozenset({"not applicable", "not recorded", "n/a"})
_LA_CODE = re.compile(r"[0-9]{3}")
_SPACES = re.compile(r"\s+")
_DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d")


class RejectedRow(ValueError):
	"""A GIAS row that cannot become a School record. ``row_number`` counts the header as row 1."""

	def __init__(self, row_number: int | None, column: str | None, reason: str):
		self.row_number = row_number
		self.column = column
		self.reason = reason
		where = f"Row {row_number}" if row_number is not None else "Row"
		super().__init__(f"{where}, {column}: {reason}" if column else f"{where}: {reason}")

	def as_dict(self) -> dict:
		return {"row": self.row_number, "column": self.column, "reason": self.reason}


class MalformedFile(ValueError):
	"""The file as a whole cannot be read as a GIAS extract (missing columns, empty, undecodable)."""

	def __init__(self, message: str, missing_columns: Iterable[str] = ()):
		super().__init__(message)
		self.missing_columns = list(missing_columns)


def _key(value: str | None) -> str:
	return _SPACES.sub(" ", (value or "").strip()).casefold()


def admissions_route_for(type_group: str | None, establishment_type: str | None) -> str:
	"""How the virtual school gets a refused child in: LA direction, Secretary of State, or neither.

	The establishment type decides first, because GIAS files academy and free special schools under
	"Special schools" and non-maintained special schools there too; the type group decides otherwise.
	"""
	kind = _key(establishment_type)
	group = _key(type_group)
	if kind in _MAINTAINED_TYPES:
		return LA_MAY_DIRECT
	if kind in _NO_DIRECTION_MAINTAINED_TYPES:
		return INDEPENDENT_OR_OTHER
	if kind.startswith(("academy", "free school")) or kind in _SECRETARY_OF_STATE_TYPES:
		return ASK_SECRETARY_OF_STATE
	# Any other type (non-maintained special, independent, FE, secure unit, a type GIAS adds later): only
	# the wholly maintained or wholly state-funded groups say more. "Special schools" mixes all three.
	if group in _MAINTAINED_GROUPS:
		return LA_MAY_DIRECT
	if group in _SECRETARY_OF_STATE_GROUPS:
		return ASK_SECRETARY_OF_STATE
	return INDEPENDENT_OR_OTHER


def _clean(value: object) -> str | None:
	"""Trimmed text with runs of spaces collapsed, or None when empty."""
	if value is None:
		return None
	text = _SPACES.sub(" ", str(value)).strip()
	return text or None


def _parse_date(value: str | None, column: str, row_number: int | None) -> str | None:
	if not value:
		return None
	for date_format in _DATE_FORMATS:
		try:
			return datetime.strptime(value, date_format).date().isoformat()
		except ValueError:
			continue
	raise RejectedRow(row_number, column, f"date {value!r} is not a date in the form dd-mm-yyyy")


def _parse_age(value: str | None, column: str, row_number: int | None) -> int | None:
	if not value:
		return None
	if not value.isascii() or not value.isdigit():
		raise RejectedRow(row_number, column, f"age {value!r} is not a whole number of years")
	return int(value)


def _headteacher(title: str | None, first_name: str | None, last_name: str | None) -> str | None:
	if title and _key(title) in _HEAD_TITLES_TO_DROP:
		title = None
	return _clean(" ".join(part for part in (title, first_name, last_name) if part))


def _postcode(value: str | None) -> str | None:
	return value.upper() if value else None


def map_row(row: dict, row_number: int | None = None) -> dict:
	"""One GIAS row (from csv.DictReader) as a School record dict, or raise RejectedRow.

	Dates come back as ISO strings, ages as int, empty text as None. ``row_number`` is kept in the
	record (not in its fingerprint) so an importer can report later rejections against the file.
	"""
	value = {column: _clean(row.get(column)) for column in REQUIRED_COLUMNS}

	urn = value["URN"]
	if not urn:
		raise RejectedRow(row_number, "URN", "the URN is missing")
	if not (urn.isascii() and urn.isdigit()):
		raise RejectedRow(row_number, "URN", f"URN {urn!r} is not a number")
	school_name = value["EstablishmentName"]
	if not school_name:
		raise RejectedRow(row_number, "EstablishmentName", f"URN {urn} has no establishment name")

	la_code = value["LA (code)"]
	if not la_code:
		raise RejectedRow(row_number, "LA (code)", "the local authority code is missing")
	if not _LA_CODE.fullmatch(la_code):
		raise RejectedRow(row_number, "LA (code)", f"local authority code {la_code!r} is not three digits")
	if la_code == "000":
		raise RejectedRow(row_number, "LA (code)", "local authority code 000 ('Does not apply') names no LA")

	status_text = value["EstablishmentStatus (name)"]
	status = STATUS_MAP.get(_key(status_text))
	if status is None:
		raise RejectedRow(
			row_number, "EstablishmentStatus (name)", f"establishment status {status_text!r} is not known"
		)

	open_date = _parse_date(value["OpenDate"], "OpenDate", row_number)
	close_date = _parse_date(value["CloseDate"], "CloseDate", row_number)
	low_age = _parse_age(value["StatutoryLowAge"], "StatutoryLowAge", row_number)
	high_age = _parse_age(value["StatutoryHighAge"], "StatutoryHighAge", row_number)

	establishment_type = value["TypeOfEstablishment (name)"]
	type_group = value["EstablishmentTypeGroup (name)"]
	return {
		"row_number": row_number,
		"urn": urn,
		"school_name": school_name,
		"establishment_type": establishment_type,
		"type_group": type_group,
		"phase": value["PhaseOfEducation (name)"],
		"status": status,
		"la_code": la_code,
		"la_name": value["LA (name)"],
		"postcode": _postcode(value["Postcode"]),
		"telephone": value["TelephoneNum"],
		"headteacher": _headteacher(value["HeadTitle (name)"], value["HeadFirstName"], value["HeadLastName"]),
		"website": value["SchoolWebsite"],
		"street": value["Street"],
		"town": value["Town"],
		"open_date": open_date,
		"close_date": close_date,
		"statutory_low_age": low_age,
		"statutory_high_age": high_age,
		"ukprn": value["UKPRN"],
		"trust_name": value["Trusts (name)"],
		"admissions_route": admissions_route_for(type_group, establishment_type),
	}


def _tidy_header(name: str | None) -> str:
	return (name or "").lstrip("\ufeff").strip()


def check_header(fieldnames: Iterable[str] | None) -> list[str]:
	"""The required GIAS columns missing from ``fieldnames``, in REQUIRED_COLUMNS order."""
	present = {_tidy_header(name) for name in fieldnames or ()}
	return [column for column in REQUIRED_COLUMNS if column not in present]


def _decode(content: bytes, encoding: str | None) -> str:
	"""GIAS text: Windows-1252, unless the bytes are UTF-8 with a byte-order mark (a re-saved file)."""
	if encoding is None and content.startswith(codecs.BOM_UTF8):
		try:
			return content.decode("utf-8-sig")
		except UnicodeDecodeError:
			pass
	encoding = encoding or GIAS_ENCODING
	try:
		return content.decode(encoding)
	except UnicodeDecodeError as error:
		raise MalformedFile(
			f"the file is not {encoding} text: byte 0x{content[error.start]:02X} at offset {error.start}"
		) from error


def _read_text(source: bytes | bytearray | memoryview | IO | PathLike, encoding: str | None) -> str:
	if isinstance(source, (bytes, bytearray, memoryview)):
		return _decode(bytes(source), encoding)
	if isinstance(source, PathLike):
		return _decode(Path(source).read_bytes(), encoding)
	if isinstance(source, str):
		raise TypeError("read_gias_csv takes bytes, a file object or a pathlib.Path, not a str")
	content = source.read()
	if isinstance(content, str):
		return content.lstrip("\ufeff")
	return _decode(content, encoding)


_SHORT_ROW = object()


def read_gias_csv(
	fileobj_or_bytes: bytes | bytearray | memoryview | IO | PathLike, encoding: str | None = None
) -> tuple[list[dict], list[RejectedRow]]:
	"""Map a whole GIAS extract: ``(records, rejected_rows)``, in file order.

	Bytes (or a binary file, or a path) are decoded as Windows-1252, or as UTF-8 when they start with a
	UTF-8 byte-order mark; pass ``encoding`` to override. A text file object is read as it is. Row numbers
	count the header as row 1, as a spreadsheet shows them. Raises MalformedFile when the file is empty,
	cannot be decoded, or lacks required columns (the message lists them).
	"""
	text = _read_text(fileobj_or_bytes, encoding)
	reader = csv.DictReader(io.StringIO(text, newline=""), restval=_SHORT_ROW)
	fieldnames = reader.fieldnames
	if not fieldnames or not any(_tidy_header(name) for name in fieldnames):
		raise MalformedFile("the file is empty: there is no header row")
	reader.fieldnames = [_tidy_header(name) for name in fieldnames]
	missing = check_header(reader.fieldnames)
	if missing:
		raise MalformedFile(
			"the file is not a complete GIAS establishment extract; missing column(s): " + ", ".join(missing),
			missing_columns=missing,
		)
	width = len(reader.fieldnames)
	records: list[dict] = []
	rejected: list[RejectedRow] = []
	for row_number, row in enumerate(reader, start=2):
		try:
			if None in row:
				raise RejectedRow(
					row_number,
					None,
					f"the row has {width + len(row[None])} values but the header has {width}",
				)
			if any(value is _SHORT_ROW for value in row.values()):
				count = sum(value is not _SHORT_ROW for value in row.values())
				raise RejectedRow(
					row_number, None, f"the row has {count} values but the header has {width} (cut short?)"
				)
			records.append(map_row(row, row_number))
		except RejectedRow as rejection:
			rejected.append(rejection)
	return records, rejected


def _json_default(value: object) -> str:
	if isinstance(value, date):
		return value.isoformat()
	return str(value)


def record_fingerprint(record: dict) -> str:
	"""A stable SHA-256 (hex) of the mapped fields, ignoring row_number: equal iff nothing changed."""
	payload = {field: record.get(field) for field in FINGERPRINT_FIELDS}
	canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=_json_default)
	return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
