"""Read a council's SSDA903 (children looked after return) files: CSV (header, episodes, reviews) or XML.

Source: DfE "Children looked after return 2024 to 2025: guide" (SSDA903), and the DfE validation rules for
the return (STATUTORY.md, "SSDA903 (CLA return)"). The code lists live in the package data file
``data/ssda903_codes.json``; DfE revises them each collection year, so check them each year.

- Header file: one row per child (CHILD, SEX, DOB, ETHNIC, UPN, MOTHER, MC_DOB).
- Episodes file: one row per episode of care (CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC,
  REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN, and PL_LA when present: the placement's local authority,
  from which the site derives where the child lives and so the out-of-authority flag); other columns
  (LA, PL_LOCATION, PL_DISTANCE ...) are ignored.
- Reviews file (optional): one row per statutory review of the child's care plan (CHILD, DOB, REVIEW,
  REVIEW_CODE: the child's participation, PN0-PN7).
- XML: the export councils' case-management systems produce for the return, root ``EXPSSDA903``; per child a
  ``CHILD`` element whose ``HEADER`` holds CHILDID, SEX, DOB, ... and the reviews as repeated ``AREVIEW``
  elements, followed by its ``EPISODE`` elements (the placement column is ``PL``). It is read into the same
  three tables, so both formats give the same children, issues and rejections.
- Guide: "Episodes of care are the building blocks for a period of care", a period during which the child
  is continuously looked after. REC X1 ends an episode when a new one begins the same day.

**Identity decides, quality is flagged** (never lose a child in care). A child whose identity is usable (a
CHILD id, one date of birth that is a possible date) is always read. A field that fails its rule is left out
(``None``: the importer keeps the stored value) and becomes a ``QualityIssue`` naming the file, row, column,
value received and the rule broken. An episode whose dates make no sense is kept out and flagged, and the
child is marked ``uncertain``: its derived fields come from the episodes that can be used. Only what prevents
identifying a child rejects it (``RejectedRow``): no CHILD id, no or an impossible date of birth, conflicting
header rows, a row whose values do not line up with its header, or a CHILD with episodes or reviews but no
header row. This module imports nothing from Frappe.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from itertools import pairwise
from os import PathLike
from pathlib import Path
from xml.etree import ElementTree

from virtual_school.domain import gias_mapping
from virtual_school.domain.csv_text import decode_csv_text
from virtual_school.domain.upn import InvalidUPN, validate_upn

__all__ = [
	"CODES_PATH",
	"CODE_LISTS",
	"EPISODES_COLUMNS",
	"ERROR",
	"HEADER_COLUMNS",
	"OUTSIDE_ENGLAND",
	"REVIEWS_COLUMNS",
	"WARNING",
	"WITHIN_PERIOD_REASONS",
	"ChildRecord",
	"Episode",
	"MalformedFile",
	"QualityIssue",
	"ReadResult",
	"RejectedRow",
	"Review",
	"load_codes",
	"read_files",
	"read_ssda903",
	"read_ssda903_xml",
	"record_fingerprint",
	"source_tables",
]

CODES_PATH = Path(__file__).resolve().parent.parent / "data" / "ssda903_codes.json"

# The code lists ssda903_codes.json must hold; "source" there says which year's guide they come from.
CODE_LISTS: tuple[str, ...] = (
	"sex",
	"ethnicity",
	"unknown_upn",
	"reason_new_episode",
	"legal_status",
	"category_of_need",
	"placement_type",
	"placement_provider",
	"reason_episode_ceased",
	"reason_place_change",
	"review_participation",
)

# Required columns. MOTHER and MC_DOB are checked when present but not stored, so a file may omit them.
HEADER_COLUMNS: tuple[str, ...] = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN")
HEADER_OPTIONAL_COLUMNS: tuple[str, ...] = ("MOTHER", "MC_DOB")
EPISODES_COLUMNS: tuple[str, ...] = (
	"CHILD",
	"DECOM",
	"RNE",
	"LS",
	"CIN",
	"PLACE",
	"PLACE_PROVIDER",
	"DEC",
	"REC",
	"REASON_PLACE_CHANGE",
	"HOME_POST",
	"PL_POST",
	"URN",
)

STARTED_TO_BE_LOOKED_AFTER = "S"
# RNE codes for a change within a period of care (guide: legal status and/or placement changed).
WITHIN_PERIOD_REASONS = frozenset({"L", "P", "T", "B", "U"})
SAME_DAY_NEW_EPISODE = "X1"

# SEX was 1/2 up to 2023-24 and is M/F/U from 2024-25; both are stored as M/F/U.
_SEX_NORMALISED = {"1": "M", "2": "F"}
# "Unknown UPN" codes: the SSDA903 guide lists UN1-UN5 (DfE rule 168); UN6-UN10 are accepted as well.
_UNKNOWN_UPN = re.compile(r"UN(?:[1-9]|10)")
_CHILD_ID = re.compile(r"[A-Za-z0-9]{1,10}")
_FULL_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})")
_OUTWARD_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")
_URN = re.compile(r"[A-Z0-9]{1,10}")
_LA_CODE = re.compile(r"[0-9]{3}")
# PL_LA for a placement outside England (SSDA903 guide): Wales, Scotland, Northern Ireland, outside the UK.
OUTSIDE_ENGLAND = frozenset({"WAL", "SCO", "NIR", "NUK"})
_NO_URN = re.compile(r"X+")  # DfE: "XXXXXXX" where there is no Ofsted URN
# dd/mm/yyyy (one-digit day or month allowed) or ISO yyyy-mm-dd; parsed by hand: strptime is ~20x slower
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_EARLIEST_DATE = date(1900, 1, 1)


HEADER_FILE = "header"
EPISODES_FILE = "episodes"
REVIEWS_FILE = "reviews"
REVIEWS_COLUMNS: tuple[str, ...] = ("CHILD", "DOB", "REVIEW", "REVIEW_CODE")
# XML element names that differ from the CSV columns (the DfE XML schema for the return)
XML_RENAMED = {"CHILDID": "CHILD", "PL": "PLACE"}

# QualityIssue.severity: an Error's value was not written (or the episode was kept out); a Warning's was.
ERROR = "Error"
WARNING = "Warning"


class RejectedRow(gias_mapping.RejectedRow):
	"""An SSDA903 row that was not imported because the child cannot be identified from it.

	``file`` is "header", "episodes" or "reviews"; CSV rows count the header line as 1; XML rows count the
	file's CHILD, EPISODE or AREVIEW elements from 1.
	"""

	def __init__(
		self, file: str, row_number: int | None, column: str | None, reason: str, child: str | None = None
	):
		super().__init__(row_number, column, reason)
		self.file = file
		self.child = child
		self.args = (f"{file.capitalize()} file: {self.args[0]}",)

	def as_dict(self) -> dict:
		return {"file": self.file, "child": self.child, **super().as_dict()}


class MalformedFile(gias_mapping.MalformedFile):
	"""A file that cannot be read as an SSDA903 file at all. ``file`` is None when more than one fails."""

	def __init__(self, message: str, file: str | None = None, missing_by_file: dict | None = None):
		missing_by_file = missing_by_file or {}
		super().__init__(message, [column for columns in missing_by_file.values() for column in columns])
		self.file = file
		self.missing_by_file = missing_by_file


@dataclass(frozen=True)
class QualityIssue:
	"""A value that broke a rule: it was not written (Error) or written with a doubt (Warning).

	``check`` names the rule in a stable way (``"code:legal_status"``, ``"upn"``, ``"episode:overlap"``) so
	the importer can recognise the same issue in a later file whatever row it moved to (``key``).
	"""

	child: str
	file: str
	row_number: int | None
	column: str | None
	value: str | None
	rule: str
	check: str
	severity: str = ERROR

	@property
	def key(self) -> str:
		"""Stable identity of the issue: the same problem in a re-sent file has the same key."""
		text = "\x1f".join((self.child, self.file, self.column or "", self.check, self.value or ""))
		return hashlib.sha1(text.encode("utf-8")).hexdigest()

	def as_dict(self) -> dict:
		return {**asdict(self), "key": self.key}


@dataclass(frozen=True)
class Episode:
	"""One SSDA903 episode of care: a period with the same legal status and placement.

	Only ``start`` is certain: a code that failed its list is None (and a QualityIssue says why).
	"""

	start: date
	reason_new: str | None
	legal_status: str | None
	category_of_need: str | None
	placement_type: str | None
	placement_provider: str | None
	end: date | None
	reason_ceased: str | None
	reason_place_change: str | None
	home_postcode: str | None
	placement_postcode: str | None
	urn: str | None
	placement_la: str | None = None


@dataclass(frozen=True)
class Review:
	"""A statutory review of the child's care plan (reviews file: REVIEW, REVIEW_CODE)."""

	date: date
	participation: str | None


DIED = "E2"  # REC E2, "Died" (SSDA903 reason episode ceased)


def date_of_death(episodes: Iterable[Episode]) -> date | None:
	"""The date the child died, when their latest episode ceased with REC E2 (its DEC); else None.

	CPPCR 2010 reg 50 keeps a looked-after child's case record for 15 years beginning with the date of death
	when they died before 18 (``retention``), so the import records it (``Child.date_of_death``).
	"""
	ordered = _by_start(episodes)
	if not ordered:
		return None
	latest = ordered[-1]
	return (
		latest.end
		if latest.end is not None and (latest.reason_ceased or "").strip().upper() == DIED
		else None
	)


def _by_start(episodes: Iterable[Episode]) -> list[Episode]:
	return sorted(episodes, key=lambda episode: (episode.start, episode.end or date.max))


def _continues_period(previous: Episode, episode: Episode) -> bool:
	"""Whether ``episode`` continues the period of care of ``previous`` (SSDA903 guide, periods of care).

	A new period starts with RNE S, or after an episode that ended with the child leaving care (REC other
	than X1). Otherwise the period continues if the episode starts the day the previous one ended, or its
	RNE says it is a change within a period (L, P, T, B, U).
	"""
	if episode.reason_new == STARTED_TO_BE_LOOKED_AFTER:
		return False
	if previous.end is None:
		return True
	if previous.reason_ceased not in (None, SAME_DAY_NEW_EPISODE):
		return False
	return episode.start == previous.end or episode.reason_new in WITHIN_PERIOD_REASONS


@dataclass
class ChildRecord:
	"""A looked-after child from the header with its usable episodes (in date order) and reviews.

	``invalid_fields`` names the header fields that failed their rule (None here; the importer keeps what it
	has); ``uncertain`` says some episode was kept out, so the derived dates may be wrong.
	"""

	social_care_id: str
	sex: str | None
	date_of_birth: date
	ethnicity: str | None
	upn: str | None
	episodes: list[Episode] = field(default_factory=list)
	reviews: list[Review] = field(default_factory=list)
	invalid_fields: frozenset[str] = frozenset()
	uncertain: bool = False

	@property
	def latest_episode(self) -> Episode | None:
		ordered = _by_start(self.episodes)
		return ordered[-1] if ordered else None

	@property
	def date_entered_care(self) -> date | None:
		"""Start of the first episode of the latest continuous period of care (the earliest the files show)."""
		ordered = _by_start(self.episodes)
		if not ordered:
			return None
		first = 0
		for index in range(1, len(ordered)):
			if not _continues_period(ordered[index - 1], ordered[index]):
				first = index
		return ordered[first].start

	@property
	def date_left_care(self) -> date | None:
		"""End of the last episode if it ended with a reason other than X1 (the child left care), else None."""
		latest = self.latest_episode
		if latest is None or latest.end is None or not latest.reason_ceased:
			return None
		if latest.reason_ceased == SAME_DAY_NEW_EPISODE:
			return None
		return latest.end

	@property
	def legal_status(self) -> str | None:
		"""LS of the latest episode."""
		latest = self.latest_episode
		return latest.legal_status if latest else None

	@property
	def placement_la(self) -> str | None:
		"""PL_LA of the latest episode: where the child lives (an LA code, or WAL/SCO/NIR/NUK)."""
		latest = self.latest_episode
		return latest.placement_la if latest else None

	@property
	def placement_postcode(self) -> str | None:
		"""PL_POST of the latest episode."""
		latest = self.latest_episode
		return latest.placement_postcode if latest else None

	def is_looked_after_on(self, day: date) -> bool:
		"""True if an episode covers ``day``: DECOM <= day < DEC (an episode ends on its DEC)."""
		return any(
			episode.start <= day and (episode.end is None or day < episode.end) for episode in self.episodes
		)


@dataclass
class ReadResult:
	"""What a read found: the children (sorted by CHILD), the rows that could not be used, the issues."""

	children: list[ChildRecord]
	rejected: list[RejectedRow]
	issues: list[QualityIssue]
	notes: list[str] = field(default_factory=list)  # what the importer adds for the summary


def load_codes(path: str | PathLike | None = None) -> dict[str, dict[str, str]]:
	"""The SSDA903 code lists, ``{list name: {code: label}}``, without the "source" note.

	Raises ValueError if the file lacks one of CODE_LISTS or a list is not a mapping of text to text.
	"""
	data = json.loads(Path(path or CODES_PATH).read_text(encoding="utf-8"))
	codes: dict[str, dict[str, str]] = {}
	for name, values in data.items():
		if name == "source":
			continue
		if not isinstance(values, dict) or not all(
			isinstance(code, str) and isinstance(label, str) for code, label in values.items()
		):
			raise ValueError(f"SSDA903 code list {name!r} is not a mapping of codes to labels")
		codes[name] = dict(values)
	missing = [name for name in CODE_LISTS if name not in codes]
	if missing:
		raise ValueError("SSDA903 code file lacks list(s): " + ", ".join(missing))
	return codes


# --- reading -------------------------------------------------------------------------------------------


def _decode(content: bytes, file: str) -> str:
	try:
		return decode_csv_text(content)
	except ValueError as error:
		raise MalformedFile(f"the {file} file is {error}", file=file) from error


def _tidy_header(name: str | None) -> str:
	return (name or "").lstrip("\ufeff").strip().upper()


_SHORT_ROW = object()


@dataclass
class _Table:
	file: str
	fieldnames: list[str]
	rows: list[tuple[int, dict]]  # (row number, row); row None-key / _SHORT_ROW values mark bad widths


def _bytes(content: object, file: str) -> bytes:
	if not isinstance(content, (bytes, bytearray, memoryview)):
		raise TypeError(f"the SSDA903 {file} file must be bytes, not {type(content).__name__}")
	return bytes(content)


def _read_table(content: bytes, file: str, required: tuple[str, ...]) -> tuple[_Table, list[str]]:
	# A NUL byte is damage, not text: make it a character no SSDA903 field allows, so that row (not the
	# whole file, as csv does on Python 3.10) is flagged.
	text = _decode(_bytes(content, file), file).replace("\x00", "\ufffd")
	try:
		reader = csv.DictReader(io.StringIO(text, newline=""), restval=_SHORT_ROW)
		fieldnames = reader.fieldnames
		if not fieldnames or not any(_tidy_header(name) for name in fieldnames):
			raise MalformedFile(f"the {file} file is empty: there is no header row", file=file)
		reader.fieldnames = [_tidy_header(name) for name in fieldnames]
		rows = list(enumerate(reader, start=2))
	except csv.Error as error:
		raise MalformedFile(f"the {file} file is not readable CSV: {error}", file=file) from error
	present = set(reader.fieldnames)
	missing = [column for column in required if column not in present]
	return _Table(file, list(reader.fieldnames), rows), missing


def _clean(value: object) -> str | None:
	if value is None or value is _SHORT_ROW:
		return None
	text = str(value).strip()
	if not text:
		return None
	if "  " in text or "\t" in text or "\n" in text or "\r" in text:
		text = " ".join(text.split())
	return text


@functools.lru_cache(maxsize=65536)
def _parse_date(value: str) -> tuple[date | None, str | None]:
	"""(date, None), or (None, why not): dd/mm/yyyy or ISO, a real day, from 1900 on. Cached: a return
	repeats the same few thousand dates."""
	uk = _UK_DATE.fullmatch(value)
	iso = None if uk else _ISO_DATE.fullmatch(value)
	if uk:
		day, month, year = (int(part) for part in uk.groups())
	elif iso:
		year, month, day = (int(part) for part in iso.groups())
	else:
		return None, f"{value!r} is not a date in the form dd/mm/yyyy"
	try:
		parsed = date(year, month, day)
	except ValueError:
		return None, f"{value!r} is not a date in the form dd/mm/yyyy"
	if parsed < _EARLIEST_DATE:
		return None, f"{value!r} is before 1900"
	return parsed, None


def _is_blank(row: dict) -> bool:
	return all(_clean(value) is None for key, value in row.items() if key is not None) and not row.get(None)


def _width_problem(row: dict, width: int) -> str | None:
	if None in row:
		return f"the row has {width + len(row[None])} values but the header has {width}"
	if any(value is _SHORT_ROW for value in row.values()):
		count = sum(value is not _SHORT_ROW for value in row.values())
		return f"the row has {count} values but the header has {width} (cut short?)"
	return None


class _RowReader:
	"""Field parsers for one row: a value that breaks its rule is recorded as an issue and read as None."""

	def __init__(self, row: dict, file: str, row_number: int, child: str, codes: dict, issues: list):
		self.row = {key: _clean(value) for key, value in row.items() if key is not None}
		self.file = file
		self.row_number = row_number
		self.child = child
		self.codes = codes
		self.issues = issues
		self.invalid: set[str] = set()

	def flag(self, column: str | None, rule: str, check: str, severity: str = ERROR) -> None:
		value = self.text(column) if column else None
		self.issues.append(
			QualityIssue(self.child, self.file, self.row_number, column, value, rule, check, severity)
		)
		if column and severity == ERROR:
			self.invalid.add(column)

	def text(self, column: str) -> str | None:
		return self.row.get(column)

	def parse_date(self, column: str) -> tuple[date | None, str | None]:
		"""(date, None), or (None, why not) for a value that is not a date from 1900 on."""
		value = self.text(column)
		if value is None:
			return None, None
		return _parse_date(value)

	def date_field(self, column: str, what: str, required: bool = False) -> date | None:
		value, problem = self.parse_date(column)
		if problem:
			self.flag(column, f"the {what} {problem}", "date")
		elif value is None and required:
			self.flag(column, f"the {what} is missing", "missing")
		return value

	def code_field(self, column: str, code_list: str, what: str, required: bool = True) -> str | None:
		value = self.text(column)
		if value is None:
			if required:
				self.flag(column, f"the {what} is missing", "missing")
			return None
		code = value.upper()
		if code not in self.codes[code_list]:
			self.flag(column, f"{value!r} is not an SSDA903 {what} code", f"code:{code_list}")
			return None
		return code

	def postcode(self, column: str, what: str) -> str | None:
		value = self.text(column)
		if value is None:
			return None
		upper = value.upper()
		full = _FULL_POSTCODE.fullmatch(upper)
		if full:
			return f"{full.group(1)} {full.group(2)}"
		if _OUTWARD_POSTCODE.fullmatch(upper):
			return upper
		self.flag(column, f"the {what} {value!r} is not a UK postcode", "postcode")
		return None


@dataclass
class _Header:
	row_number: int
	child: str
	sex: str | None
	date_of_birth: date
	ethnicity: str | None
	upn: str | None
	invalid: frozenset[str]


def _identity_problem(read: _RowReader, on_date: date | None) -> tuple[date | None, str | None]:
	"""The child's date of birth, or why the row cannot identify a child."""
	date_of_birth, problem = read.parse_date("DOB")
	if problem:
		return None, f"the date of birth {problem}"
	if date_of_birth is None:
		return None, "the date of birth (DOB) is missing"
	if on_date is not None and date_of_birth > on_date:
		return None, f"the date of birth {date_of_birth:%d/%m/%Y} is in the future"
	return date_of_birth, None


def _parse_header(read: _RowReader, date_of_birth: date, known_la_codes: Collection[str] | None) -> _Header:
	"""One header row (SSDA903 guide, header file) whose identity is usable."""
	sex = read.code_field("SEX", "sex", "sex")
	ethnicity = read.code_field("ETHNIC", "ethnicity", "ethnicity")
	upn_text = read.text("UPN")
	upn: str | None = None
	if upn_text is None:
		read.flag(
			"UPN", "the UPN is missing (use UN1 to UN5 when the child has none yet)", "missing", WARNING
		)
	elif not _UNKNOWN_UPN.fullmatch(upn_text.upper()):
		try:
			upn = validate_upn(upn_text, known_la_codes)
		except InvalidUPN as error:
			read.flag("UPN", f"UPN {upn_text!r}: {error}", "upn")
	if "MOTHER" in read.row:
		mother = read.text("MOTHER")
		if mother is not None and mother not in ("0", "1"):
			read.flag("MOTHER", f"MOTHER {mother!r} must be 0, 1 or blank", "mother", WARNING)
	if "MC_DOB" in read.row:
		read.date_field("MC_DOB", "date of birth of the mother's child")
	return _Header(
		read.row_number,
		read.child,
		_SEX_NORMALISED.get(sex, sex) if sex else None,
		date_of_birth,
		ethnicity,
		upn,
		frozenset(read.invalid),
	)


_KEPT_OUT = " (episode kept out)"


def _parse_episode(
	read: _RowReader, known_la_codes: Collection[str] | None = None, placement_la_lookup=None
) -> Episode | None:
	"""One episodes row (SSDA903 guide, episodes file), or None when its dates make it unusable."""
	start, start_problem = read.parse_date("DECOM")
	end, end_problem = read.parse_date("DEC")
	if start is None:
		rule = f"the date the episode commenced (DECOM) {start_problem or 'is missing'}"
		read.flag("DECOM", rule + _KEPT_OUT, "episode:start")
		return None
	if end_problem:
		read.flag("DEC", f"the date the episode ceased (DEC) {end_problem}{_KEPT_OUT}", "episode:end")
		return None
	if end is not None and end < start:
		read.flag(
			"DEC",
			f"the episode ceased ({end:%d/%m/%Y}) before it commenced ({start:%d/%m/%Y}){_KEPT_OUT}",
			"episode:order",
		)
		return None
	reason_new = read.code_field("RNE", "reason_new_episode", "reason for new episode")
	legal_status = read.code_field("LS", "legal_status", "legal status")
	category_of_need = read.code_field("CIN", "category_of_need", "category of need")
	placement_type = read.code_field("PLACE", "placement_type", "placement type")
	provider = read.code_field("PLACE_PROVIDER", "placement_provider", "placement provider", required=False)
	reason_ceased = read.code_field("REC", "reason_episode_ceased", "reason episode ceased", required=False)
	place_change = read.code_field(
		"REASON_PLACE_CHANGE", "reason_place_change", "reason for placement change", required=False
	)
	home_postcode = read.postcode("HOME_POST", "home postcode")
	placement_postcode = read.postcode("PL_POST", "placement postcode")
	urn_text = read.text("URN")
	urn = None
	if urn_text is not None:
		urn = urn_text.upper().replace(" ", "")
		if _NO_URN.fullmatch(urn):
			urn = None
		elif not _URN.fullmatch(urn):
			read.flag("URN", f"URN {urn_text!r} is not an Ofsted unique reference number", "urn")
			urn = None
	placement_la = read.text("PL_LA")
	if placement_la is not None:
		placement_la = placement_la.upper()
		in_england = _LA_CODE.fullmatch(placement_la) and (
			known_la_codes is None or placement_la in known_la_codes
		)
		if not in_england and placement_la not in OUTSIDE_ENGLAND:
			read.flag(
				"PL_LA",
				f"PL_LA {placement_la!r} is not a local authority code (or WAL, SCO, NIR, NUK outside England)",
				"placement_la",
			)
			placement_la = None
	if placement_la is None and placement_postcode and placement_la_lookup and "PL_LA" not in read.invalid:
		placement_la = _derive_placement_la(read, placement_postcode, known_la_codes, placement_la_lookup)
	if end is not None and reason_ceased is None and "REC" not in read.invalid:
		read.flag(
			"REC", "the episode has a date ceased (DEC) but no reason episode ceased (REC)", "episode:rec"
		)
	if end is None and reason_ceased is not None:
		# An open episode with a reason ceased filled in: read as open (the child is still looked after).
		read.flag(
			"REC",
			f"the episode has a reason ceased ({reason_ceased}) but no date ceased (DEC): read as still open",
			"episode:open_with_rec",
		)
		reason_ceased = None
	return Episode(
		start=start,
		reason_new=reason_new,
		legal_status=legal_status,
		category_of_need=category_of_need,
		placement_type=placement_type,
		placement_provider=provider,
		end=end,
		reason_ceased=reason_ceased,
		reason_place_change=place_change,
		home_postcode=home_postcode,
		placement_postcode=placement_postcode,
		urn=urn,
		placement_la=placement_la,
	)


def _derive_placement_la(
	read: _RowReader, postcode: str, known_la_codes: Collection[str] | None, lookup
) -> str | None:
	"""PL_LA from the placement postcode where the row gives none, as the DfE and its validator derive it
	(``postcode_la``: ONS Postcode Directory; ``lookup(postcode)`` answers a ``postcode_la.PlacementLA``).

	The 903 episodes file has no PL_LA column (the DfE derives it), so where the column is absent a full
	postcode's authority is taken without a flag, and a postcode that gives none is left to the DfE rules on
	postcodes (392c, 169: ``imports.dfe_validator``). Flagged (Warning): a value derived from a postcode
	district or sector alone (all of whose postcodes lie in one authority: a guess the team should check),
	and, where the file has a PL_LA column and this row left it blank, every derived value and every
	postcode that gives no authority.
	"""
	found = lookup(postcode)
	la, problem = found.la, found.problem
	if (
		la is not None
		and la not in OUTSIDE_ENGLAND
		and known_la_codes is not None
		and la not in known_la_codes
	):
		la, problem = None, f"its local authority {la} is not in the site's list"
	column_given = "PL_LA" in read.row
	if la is None and not column_given:
		return None
	if la is None:
		rule = f"PL_LA could not be derived from the placement postcode {postcode}: {problem}"
		read.issues.append(
			QualityIssue(
				read.child,
				read.file,
				read.row_number,
				"PL_LA",
				postcode,
				rule,
				"placement_la:not_derived",
				WARNING,
			)
		)
		return None
	if column_given or found.precision != "postcode":
		what = {"sector": "postcode sector", "district": "postcode district"}.get(found.precision, "postcode")
		named = f"{la} ({found.name})" if found.name else la
		rule = f"PL_LA {named} derived from the placement {what} {postcode} (ONS Postcode Directory)"
		read.issues.append(
			QualityIssue(
				read.child,
				read.file,
				read.row_number,
				"PL_LA",
				postcode,
				rule,
				"placement_la:derived",
				WARNING,
			)
		)
	return la


def _parse_review(read: _RowReader, date_of_birth: date) -> Review | None:
	when, problem = read.parse_date("REVIEW")
	if when is None:
		read.flag("REVIEW", f"the review date {problem or 'is missing'} (review kept out)", "review:date")
		return None
	if when < date_of_birth:
		read.flag(
			"REVIEW",
			f"the review ({when:%d/%m/%Y}) is before the child's birth (review kept out)",
			"review:order",
		)
		return None
	listed_dob, _ = read.parse_date("DOB")
	if listed_dob is not None and listed_dob != date_of_birth:
		read.flag(
			"DOB",
			f"the date of birth {listed_dob:%d/%m/%Y} differs from the header's {date_of_birth:%d/%m/%Y}",
			"review:dob",
			WARNING,
		)
	participation = read.code_field(
		"REVIEW_CODE", "review_participation", "review participation", required=False
	)
	return Review(when, participation)


@dataclass
class _ChildRows:
	headers: list[tuple[int, dict]] = field(default_factory=list)
	episodes: list[tuple[int, dict]] = field(default_factory=list)
	reviews: list[tuple[int, dict]] = field(default_factory=list)
	width_problems: dict[tuple[str, int], str] = field(default_factory=dict)


def _file_order(file: str) -> int:
	return {HEADER_FILE: 0, EPISODES_FILE: 1, REVIEWS_FILE: 2}.get(file, 3)


def _reject_all(child: str, rows: _ChildRows, first: RejectedRow) -> list[RejectedRow]:
	"""The child's every row, each pointing at the row that made the child unidentifiable."""
	rejected = [first]
	for file, numbered in (
		(HEADER_FILE, rows.headers),
		(EPISODES_FILE, rows.episodes),
		(REVIEWS_FILE, rows.reviews),
	):
		for number, _ in numbered:
			if (file, number) != (first.file, first.row_number):
				rejected.append(
					RejectedRow(
						file,
						number,
						None,
						f"child {child} cannot be identified: {first.file} row {first.row_number}: {first.reason}",
						child,
					)
				)
	return rejected


def _read_child(
	child: str,
	rows: _ChildRows,
	codes: dict,
	known_la_codes: Collection[str] | None,
	on_date: date | None,
	issues: list[QualityIssue],
	placement_la_lookup=None,
) -> ChildRecord | list[RejectedRow]:
	"""One child from its rows, or the rejected rows when its identity is not usable."""
	if not rows.headers:
		return [
			RejectedRow(file, number, "CHILD", f"CHILD {child} is not in the header file", child)
			for file, numbered in ((EPISODES_FILE, rows.episodes), (REVIEWS_FILE, rows.reviews))
			for number, _ in numbered
		]
	found: list[tuple[_RowReader, date]] = []
	for number, row in rows.headers:
		problem = rows.width_problems.get((HEADER_FILE, number))
		read = _RowReader(row, HEADER_FILE, number, child, codes, issues)
		date_of_birth, identity_problem = _identity_problem(read, on_date)
		problem = problem or identity_problem
		if problem:
			column = None if (HEADER_FILE, number) in rows.width_problems else "DOB"
			return _reject_all(child, rows, RejectedRow(HEADER_FILE, number, column, problem, child))
		found.append((read, date_of_birth))
	births = {date_of_birth for _, date_of_birth in found}
	if len(births) > 1:
		numbers = ", ".join(str(number) for number, _ in rows.headers)
		first_number = rows.headers[0][0]
		reason = f"CHILD {child} is in more than one header row ({numbers}) with different dates of birth"
		return _reject_all(child, rows, RejectedRow(HEADER_FILE, first_number, "DOB", reason, child))
	read, date_of_birth = found[0]
	if len(found) > 1:
		numbers = ", ".join(str(number) for number, _ in rows.headers)
		read.flag(
			"CHILD",
			f"CHILD {child} is in more than one header row ({numbers}): the first is read",
			"duplicate",
			WARNING,
		)
	header = _parse_header(read, date_of_birth, known_la_codes)

	usable: list[tuple[int, Episode]] = []
	uncertain = False
	for number, row in rows.episodes:
		read = _RowReader(row, EPISODES_FILE, number, child, codes, issues)
		problem = rows.width_problems.get((EPISODES_FILE, number))
		if problem:
			read.flag(None, problem + _KEPT_OUT, "episode:width")
			uncertain = True
			continue
		episode = _parse_episode(read, known_la_codes, placement_la_lookup)
		if episode is None:
			uncertain = True
			continue
		if episode.start < date_of_birth:
			read.flag(
				"DECOM",
				f"the episode commenced ({episode.start:%d/%m/%Y}) before the child's date of birth"
				f" ({date_of_birth:%d/%m/%Y}){_KEPT_OUT}",
				"episode:before_birth",
			)
			uncertain = True
			continue
		usable.append((number, episode))
	kept: list[tuple[int, Episode]] = []
	for number, episode in sorted(usable, key=lambda item: (item[1].start, item[1].end or date.max, item[0])):
		if kept:
			previous_number, previous = kept[-1]
			overlap = None
			if previous.end is None:
				overlap = f"overlaps the open episode in row {previous_number} (no date ceased)"
			elif episode.start < previous.end:
				overlap = (
					f"overlaps the episode in row {previous_number}"
					f" ({previous.start:%d/%m/%Y} to {previous.end:%d/%m/%Y})"
				)
			if overlap:
				issues.append(
					QualityIssue(
						child,
						EPISODES_FILE,
						number,
						"DECOM",
						f"{episode.start:%d/%m/%Y}",
						f"the episode commencing {episode.start:%d/%m/%Y} {overlap}{_KEPT_OUT}",
						"episode:overlap",
					)
				)
				uncertain = True
				continue
		kept.append((number, episode))
	if not rows.episodes:
		issues.append(
			QualityIssue(
				child,
				HEADER_FILE,
				header.row_number,
				"CHILD",
				child,
				f"CHILD {child} has no episodes of care",
				"no_episodes",
				WARNING,
			)
		)
	elif not kept:
		issues.append(
			QualityIssue(
				child,
				HEADER_FILE,
				header.row_number,
				"CHILD",
				child,
				f"none of the episodes of CHILD {child} can be used",
				"no_usable_episodes",
				WARNING,
			)
		)

	reviews: list[Review] = []
	for number, row in rows.reviews:
		read = _RowReader(row, REVIEWS_FILE, number, child, codes, issues)
		problem = rows.width_problems.get((REVIEWS_FILE, number))
		if problem:
			read.flag(None, problem + " (review kept out)", "review:width")
			continue
		review = _parse_review(read, date_of_birth)
		if review is not None:
			reviews.append(review)
	return ChildRecord(
		social_care_id=child,
		sex=header.sex,
		date_of_birth=date_of_birth,
		ethnicity=header.ethnicity,
		upn=header.upn,
		episodes=_by_start(episode for _, episode in kept),
		reviews=sorted(set(reviews), key=lambda review: (review.date, review.participation or "")),
		invalid_fields=header.invalid,
		uncertain=uncertain,
	)


def _read_tables(
	tables: list[_Table],
	known_la_codes: Collection[str] | None,
	codes: dict[str, dict[str, str]] | None,
	on_date: date | None,
	placement_la_lookup=None,
) -> ReadResult:
	codes = codes if codes is not None else load_codes()
	rejected: list[RejectedRow] = []
	by_child: dict[str, _ChildRows] = {}
	for table in tables:
		width = len(table.fieldnames)
		for row_number, row in table.rows:
			if _is_blank(row):
				continue
			child = _clean(row.get("CHILD"))
			if child is None:
				rejected.append(
					RejectedRow(table.file, row_number, "CHILD", "the child identifier (CHILD) is missing")
				)
				continue
			if not _CHILD_ID.fullmatch(child):
				rejected.append(
					RejectedRow(
						table.file,
						row_number,
						"CHILD",
						f"CHILD {child!r} is not 1 to 10 letters and digits",
						child,
					)
				)
				continue
			rows = by_child.setdefault(child, _ChildRows())
			problem = _width_problem(row, width) if width else None
			if problem:
				rows.width_problems[(table.file, row_number)] = problem
			{HEADER_FILE: rows.headers, EPISODES_FILE: rows.episodes, REVIEWS_FILE: rows.reviews}[
				table.file
			].append((row_number, row))

	# Each row is held once: the tables give their rows up to the children, and each child's rows are
	# let go as it is read, so the rows and the records read from them are never both whole in memory.
	for table in tables:
		table.rows = []
	children: list[ChildRecord] = []
	issues: list[QualityIssue] = []
	for child in sorted(by_child):
		result = _read_child(
			child, by_child.pop(child), codes, known_la_codes, on_date, issues, placement_la_lookup
		)
		if isinstance(result, ChildRecord):
			children.append(result)
		else:
			rejected.extend(result)
	rejected.sort(key=lambda item: (_file_order(item.file), item.row_number or 0))
	issues.sort(
		key=lambda item: (item.child, _file_order(item.file), item.row_number or 0, item.column or "")
	)
	return ReadResult(children, rejected, issues)


def read_ssda903(
	header_bytes: bytes,
	episodes_bytes: bytes,
	reviews_bytes: bytes | None = None,
	known_la_codes: Collection[str] | None = None,
	codes: dict[str, dict[str, str]] | None = None,
	on_date: date | None = None,
	placement_la_lookup=None,
) -> ReadResult:
	"""Read SSDA903 header, episodes and (optionally) reviews CSV files.

	Bytes are decoded as UTF-8 (a byte-order mark is fine), else Windows-1252; column names in any case.
	Dates may be dd/mm/yyyy or ISO. Codes are checked against ``codes`` (default: load_codes()); UPNs with
	upn.validate_upn, where an unknown-UPN code (UN1-UN10) gives ``upn=None``; ``known_la_codes`` turns on
	the UPN LA check; ``on_date`` (today) turns on the future-birth check; ``placement_la_lookup``
	(``postcode_la.PostcodeDirectory.lookup``) derives a missing PL_LA from PL_POST. Episodes need not be sorted.
	Raises MalformedFile when a file is empty, undecodable, not CSV, or lacks required columns (named).
	"""
	specs = [(header_bytes, HEADER_FILE, HEADER_COLUMNS), (episodes_bytes, EPISODES_FILE, EPISODES_COLUMNS)]
	if reviews_bytes is not None:
		specs.append((reviews_bytes, REVIEWS_FILE, REVIEWS_COLUMNS))
	tables, missing_by_file = [], {}
	for content, file, required in specs:
		table, missing = _read_table(content, file, required)
		tables.append(table)
		if missing:
			missing_by_file[file] = missing
	if missing_by_file:
		message = "; ".join(
			f"the {file} file is missing column(s): {', '.join(missing)}"
			for file, missing in missing_by_file.items()
		)
		only = next(iter(missing_by_file)) if len(missing_by_file) == 1 else None
		raise MalformedFile(message, file=only, missing_by_file=missing_by_file)
	return _read_tables(tables, known_la_codes, codes, on_date, placement_la_lookup)


def _leaves(element: ElementTree.Element) -> dict[str, str | None]:
	"""The element's leaf values by tag (not descending into EPISODE or AREVIEW children)."""
	values: dict[str, str | None] = {}
	for node in element:
		if node.tag in ("EPISODE", "AREVIEW"):
			continue
		if len(node):
			for key, value in _leaves(node).items():
				values.setdefault(key, value)
		else:
			values.setdefault(XML_RENAMED.get(node.tag.upper(), node.tag.upper()), node.text)
	return values


def read_ssda903_xml(
	content: bytes,
	known_la_codes: Collection[str] | None = None,
	codes: dict[str, dict[str, str]] | None = None,
	on_date: date | None = None,
	placement_la_lookup=None,
) -> ReadResult:
	"""Read the SSDA903 XML export (root EXPSSDA903) into the same children, issues and rejections as CSV.

	Rows are numbered per table in file order: the Nth CHILD element is header row N, the Nth EPISODE
	element episodes row N, the Nth AREVIEW reviews row N. A missing element reads as an empty value.
	"""
	return _read_tables(_xml_tables(content), known_la_codes, codes, on_date, placement_la_lookup)


def _xml_tables(content: bytes) -> list[_Table]:
	"""The XML export's header, episodes and reviews tables, rows numbered as ``read_ssda903_xml`` says."""
	data = _bytes(content, "XML")
	if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
		raise MalformedFile("the XML file declares a DOCTYPE or entities, which an SSDA903 export never does")
	try:
		root = ElementTree.fromstring(data)
	except ElementTree.ParseError as error:
		raise MalformedFile(f"the XML file is not well-formed XML: {error}") from error
	if root.tag.upper() != "EXPSSDA903":
		raise MalformedFile(f"the XML file's root element is {root.tag!r}, not EXPSSDA903")
	header = _Table(HEADER_FILE, [], [])
	episodes = _Table(EPISODES_FILE, [], [])
	reviews = _Table(REVIEWS_FILE, [], [])
	for child_element in root:
		if child_element.tag.upper() != "CHILD":
			continue
		values = _leaves(child_element)
		header.rows.append((len(header.rows) + 1, values))
		identity = {"CHILD": values.get("CHILD"), "DOB": values.get("DOB")}
		for node in child_element.iter():
			if node.tag.upper() == "EPISODE":
				episodes.rows.append((len(episodes.rows) + 1, {**identity, **_leaves(node)}))
			elif node.tag.upper() == "AREVIEW":
				reviews.rows.append((len(reviews.rows) + 1, {**identity, **_leaves(node)}))
	if not header.rows:
		raise MalformedFile("the XML file holds no CHILD elements")
	return [header, episodes, reviews]


def read_files(
	files: dict[str, bytes],
	known_la_codes: Collection[str] | None = None,
	codes: dict[str, dict[str, str]] | None = None,
	on_date: date | None = None,
	placement_la_lookup=None,
) -> ReadResult:
	"""Either ``{"xml": bytes}`` or ``{"header": …, "episodes": …, "reviews": … (optional)}``."""
	if files.get("xml") is not None:
		return read_ssda903_xml(files["xml"], known_la_codes, codes, on_date, placement_la_lookup)
	return read_ssda903(
		files.get("header"),
		files.get("episodes"),
		files.get("reviews"),
		known_la_codes,
		codes,
		on_date,
		placement_la_lookup,
	)


def source_tables(files: dict[str, bytes]) -> dict[str, tuple[list[str], list[tuple[int, dict]]]]:
	"""The rows as the reader sees them, ``{"header"|"episodes"|"reviews": (columns, [(row number, row)])}``
	(column names tidied, XML leaves renamed as for reading; rows numbered as in issues): what the DfE
	validator is given (``imports.dfe_validator``), so its row numbers map back to the same rows."""
	if files.get("xml") is not None:
		tables = _xml_tables(files["xml"])
	else:
		tables = [
			_read_table(files[file], file, ())[0]
			for file in (HEADER_FILE, EPISODES_FILE, REVIEWS_FILE)
			if files.get(file) is not None
		]
	return {table.file: (table.fieldnames, table.rows) for table in tables}


def _json_default(value: object) -> str:
	if isinstance(value, date):
		return value.isoformat()
	if isinstance(value, frozenset | set):
		# as str() writes it, in sorted order: str() follows string hashes, which differ between processes
		return f"frozenset({{{', '.join(repr(item) for item in sorted(value))}}})" if value else "frozenset()"
	return str(value)


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
	return tuple(item.name for item in fields(kind))


def _values(record) -> dict:
	"""``dataclasses.asdict`` for these flat records, without its deep copies (a fifth of an import's time)."""
	return {name: getattr(record, name) for name in _field_names(type(record))}


def record_fingerprint(child: ChildRecord) -> str:
	"""A stable SHA-256 (hex) of the child's stored fields and episodes in date order: equal iff unchanged."""
	payload = _values(child)
	payload["episodes"] = [_values(episode) for episode in _by_start(child.episodes)]
	payload["reviews"] = [_values(review) for review in child.reviews]
	canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=_json_default)
	return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
