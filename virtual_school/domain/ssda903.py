"""Read a council's SSDA903 (children looked after return) header and episodes CSV files.

Source: DfE "Children looked after return 2024 to 2025: guide" (SSDA903), and the DfE validation rules for
the return (STATUTORY.md, "SSDA903 (CLA return)"). The code lists live in the package data file
``data/ssda903_codes.json``; DfE revises them each collection year, so check them each year.

- Header file: one row per child (CHILD, SEX, DOB, ETHNIC, UPN, MOTHER, MC_DOB).
- Episodes file: one row per episode of care (CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC,
  REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN, and PL_LA when present: the placement's local authority,
  from which the site derives where the child lives and so the out-of-authority flag); other columns
  (LA, PL_LOCATION, PL_DISTANCE ...) are ignored.
- Guide: "Episodes of care are the building blocks for a period of care", a period during which the child
  is continuously looked after. REC X1 ends an episode when a new one begins the same day.

Children are all-or-nothing: if any header or episode row of a child fails, the whole child is rejected and
each of its rows is reported (the failing row with its reason, the others pointing at it). An importer never
stores half a care history. This module imports nothing from Frappe.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from itertools import pairwise
from os import PathLike
from pathlib import Path

from virtual_school.domain import gias_mapping
from virtual_school.domain.csv_text import decode_csv_text
from virtual_school.domain.upn import InvalidUPN, validate_upn

__all__ = [
	"CODES_PATH",
	"CODE_LISTS",
	"EPISODES_COLUMNS",
	"HEADER_COLUMNS",
	"OUTSIDE_ENGLAND",
	"WITHIN_PERIOD_REASONS",
	"ChildRecord",
	"Episode",
	"MalformedFile",
	"RejectedRow",
	"load_codes",
	"read_ssda903",
	"record_fingerprint",
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
)

HEADER_FILE = "header"
EPISODES_FILE = "episodes"

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
_SPACES = re.compile(r"\s+")
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
_EARLIEST_DATE = date(1900, 1, 1)


class RejectedRow(gias_mapping.RejectedRow):
	"""An SSDA903 row that was not imported. ``file`` is "header" or "episodes"; rows count the header as 1."""

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
	"""A file that cannot be read as an SSDA903 header or episodes file. ``file`` is None when both fail."""

	def __init__(self, message: str, file: str | None = None, missing_by_file: dict | None = None):
		missing_by_file = missing_by_file or {}
		super().__init__(message, [column for columns in missing_by_file.values() for column in columns])
		self.file = file
		self.missing_by_file = missing_by_file


@dataclass(frozen=True)
class Episode:
	"""One SSDA903 episode of care: a period with the same legal status and placement."""

	start: date
	reason_new: str
	legal_status: str
	category_of_need: str
	placement_type: str
	placement_provider: str | None
	end: date | None
	reason_ceased: str | None
	reason_place_change: str | None
	home_postcode: str | None
	placement_postcode: str | None
	urn: str | None
	placement_la: str | None = None


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
	"""A looked-after child from the SSDA903 header file with its episodes, in date order."""

	social_care_id: str
	sex: str
	date_of_birth: date
	ethnicity: str
	upn: str | None
	episodes: list[Episode] = field(default_factory=list)

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


def _read_table(content: bytes, file: str, required: tuple[str, ...]) -> tuple[_Table, list[str]]:
	if not isinstance(content, (bytes, bytearray, memoryview)):
		raise TypeError(f"read_ssda903 takes the {file} file as bytes, not {type(content).__name__}")
	# A NUL byte is damage, not text: make it a character no SSDA903 field allows, so that row (not the
	# whole file, as csv does on Python 3.10) is rejected.
	text = _decode(bytes(content), file).replace("\x00", "\ufffd")
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
	text = _SPACES.sub(" ", str(value)).strip()
	return text or None


def _is_blank(row: dict) -> bool:
	return all(_clean(value) is None for key, value in row.items() if key is not None) and not row.get(None)


def _check_width(row: dict, width: int, file: str, row_number: int, child: str | None) -> None:
	if None in row:
		raise RejectedRow(
			file,
			row_number,
			None,
			f"the row has {width + len(row[None])} values but the header has {width}",
			child,
		)
	if any(value is _SHORT_ROW for value in row.values()):
		count = sum(value is not _SHORT_ROW for value in row.values())
		raise RejectedRow(
			file,
			row_number,
			None,
			f"the row has {count} values but the header has {width} (cut short?)",
			child,
		)


class _RowReader:
	"""Field parsers for one row; each raises RejectedRow naming the column."""

	def __init__(self, row: dict, file: str, row_number: int, child: str | None, codes: dict):
		self.row = row
		self.file = file
		self.row_number = row_number
		self.child = child
		self.codes = codes

	def reject(self, column: str | None, reason: str) -> RejectedRow:
		return RejectedRow(self.file, self.row_number, column, reason, self.child)

	def text(self, column: str) -> str | None:
		return _clean(self.row.get(column))

	def required(self, column: str, what: str) -> str:
		value = self.text(column)
		if value is None:
			raise self.reject(column, f"the {what} is missing")
		return value

	def date_field(self, column: str, what: str, required: bool = True) -> date | None:
		value = self.text(column) if not required else self.required(column, what)
		if value is None:
			return None
		for date_format in _DATE_FORMATS:
			try:
				parsed = datetime.strptime(value, date_format).date()
			except ValueError:
				continue
			if parsed < _EARLIEST_DATE:
				raise self.reject(column, f"the {what} {value!r} is before 1900")
			return parsed
		raise self.reject(column, f"the {what} {value!r} is not a date in the form dd/mm/yyyy")

	def code_field(self, column: str, code_list: str, what: str, required: bool = True) -> str | None:
		value = self.text(column) if not required else self.required(column, what)
		if value is None:
			return None
		code = value.upper()
		if code not in self.codes[code_list]:
			raise self.reject(column, f"{value!r} is not an SSDA903 {what} code")
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
		raise self.reject(column, f"the {what} {value!r} is not a UK postcode")


def _child_id(row: dict, file: str, row_number: int) -> str:
	value = _clean(row.get("CHILD"))
	if value is None:
		raise RejectedRow(file, row_number, "CHILD", "the child identifier (CHILD) is missing")
	if not _CHILD_ID.fullmatch(value):
		raise RejectedRow(
			file, row_number, "CHILD", f"CHILD {value!r} is not 1 to 10 letters and digits", value
		)
	return value


@dataclass
class _Header:
	row_number: int
	child: str
	sex: str
	date_of_birth: date
	ethnicity: str
	upn: str | None


def _parse_header(
	row: dict, row_number: int, child: str, codes: dict, known_la_codes: Collection[str] | None
) -> _Header:
	"""One header row (SSDA903 guide, header file), or raise RejectedRow."""
	read = _RowReader(row, HEADER_FILE, row_number, child, codes)
	sex = read.code_field("SEX", "sex", "sex")
	date_of_birth = read.date_field("DOB", "date of birth")
	ethnicity = read.code_field("ETHNIC", "ethnicity", "ethnicity")
	upn_text = read.text("UPN")
	upn: str | None = None
	if upn_text is not None and not _UNKNOWN_UPN.fullmatch(upn_text.upper()):
		try:
			upn = validate_upn(upn_text, known_la_codes)
		except InvalidUPN as error:
			raise read.reject("UPN", f"UPN {upn_text!r}: {error}") from error
	if "MOTHER" in row:
		mother = read.text("MOTHER")
		if mother is not None and mother not in ("0", "1"):
			raise read.reject("MOTHER", f"MOTHER {mother!r} must be 0, 1 or blank")
	if "MC_DOB" in row:
		read.date_field("MC_DOB", "date of birth of the mother's child", required=False)
	return _Header(row_number, child, _SEX_NORMALISED.get(sex, sex), date_of_birth, ethnicity, upn)


def _parse_episode(
	row: dict, row_number: int, child: str, codes: dict, known_la_codes: Collection[str] | None = None
) -> Episode:
	"""One episodes row (SSDA903 guide, episodes file), or raise RejectedRow."""
	read = _RowReader(row, EPISODES_FILE, row_number, child, codes)
	start = read.date_field("DECOM", "date the episode commenced (DECOM)")
	reason_new = read.code_field("RNE", "reason_new_episode", "reason for new episode")
	legal_status = read.code_field("LS", "legal_status", "legal status")
	category_of_need = read.code_field("CIN", "category_of_need", "category of need")
	placement_type = read.code_field("PLACE", "placement_type", "placement type")
	provider = read.code_field("PLACE_PROVIDER", "placement_provider", "placement provider", required=False)
	end = read.date_field("DEC", "date the episode ceased (DEC)", required=False)
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
			raise read.reject("URN", f"URN {urn_text!r} is not an Ofsted unique reference number")
	placement_la = read.text("PL_LA")
	if placement_la is not None:
		placement_la = placement_la.upper()
		in_england = _LA_CODE.fullmatch(placement_la) and (
			known_la_codes is None or placement_la in known_la_codes
		)
		if not in_england and placement_la not in OUTSIDE_ENGLAND:
			raise read.reject(
				"PL_LA",
				f"PL_LA {placement_la!r} is not a local authority code (or WAL, SCO, NIR, NUK outside England)",
			)
	if end is not None and end < start:
		raise read.reject(
			"DEC", f"the episode ceased ({end:%d/%m/%Y}) before it commenced ({start:%d/%m/%Y})"
		)
	if end is not None and reason_ceased is None:
		raise read.reject("REC", "the episode has a date ceased (DEC) but no reason episode ceased (REC)")
	if end is None and reason_ceased is not None:
		raise read.reject(
			"DEC", f"the episode has a reason ceased ({reason_ceased}) but no date ceased (DEC)"
		)
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


@dataclass
class _ChildRows:
	headers: list[tuple[int, _Header | RejectedRow]] = field(default_factory=list)
	episodes: list[tuple[int, Episode | RejectedRow]] = field(default_factory=list)


def _cross_check(child: str, rows: _ChildRows) -> list[RejectedRow]:
	"""Checks across a child's rows: one header row, some episodes, dates in order and not overlapping."""
	if not rows.headers:
		return [
			RejectedRow(EPISODES_FILE, number, "CHILD", f"CHILD {child} is not in the header file", child)
			for number, _ in rows.episodes
		]
	failures: list[RejectedRow] = []
	if len(rows.headers) > 1:
		numbers = ", ".join(str(number) for number, _ in rows.headers)
		failures.extend(
			RejectedRow(
				HEADER_FILE, number, "CHILD", f"CHILD {child} is in more than one row ({numbers})", child
			)
			for number, _ in rows.headers
		)
		return failures
	header_number, header = rows.headers[0]
	if not rows.episodes:
		return [RejectedRow(HEADER_FILE, header_number, "CHILD", f"CHILD {child} has no episodes", child)]
	if isinstance(header, RejectedRow) or any(isinstance(item, RejectedRow) for _, item in rows.episodes):
		return []
	for number, episode in rows.episodes:
		if episode.start < header.date_of_birth:
			failures.append(
				RejectedRow(
					EPISODES_FILE,
					number,
					"DECOM",
					f"the episode commenced ({episode.start:%d/%m/%Y}) before the child's date of birth"
					f" ({header.date_of_birth:%d/%m/%Y})",
					child,
				)
			)
	ordered = sorted(rows.episodes, key=lambda item: (item[1].start, item[1].end or date.max, item[0]))
	for (previous_number, previous), (number, episode) in pairwise(ordered):
		if previous.end is None:
			reason = (
				f"the episode commencing {episode.start:%d/%m/%Y} overlaps the open episode in row"
				f" {previous_number} (no date ceased)"
			)
		elif episode.start < previous.end:
			reason = (
				f"the episode commencing {episode.start:%d/%m/%Y} overlaps the episode in row {previous_number}"
				f" ({previous.start:%d/%m/%Y} to {previous.end:%d/%m/%Y})"
			)
		else:
			continue
		failures.append(RejectedRow(EPISODES_FILE, number, "DECOM", reason, child))
	return failures


def _file_order(file: str) -> int:
	return 0 if file == HEADER_FILE else 1


def read_ssda903(
	header_bytes: bytes,
	episodes_bytes: bytes,
	known_la_codes: Collection[str] | None = None,
	codes: dict[str, dict[str, str]] | None = None,
) -> tuple[list[ChildRecord], list[RejectedRow]]:
	"""Read SSDA903 header and episodes CSV files: ``(children sorted by CHILD, rejected rows)``.

	Bytes are decoded as UTF-8 (a byte-order mark is fine), else Windows-1252. Dates may be dd/mm/yyyy or
	ISO. Codes are checked against ``codes`` (default: load_codes()); UPNs with upn.validate_upn, where
	blank or an unknown-UPN code (UN1-UN10) gives ``upn=None``; ``known_la_codes`` turns on the UPN LA
	check. Episodes need not be sorted in the file but must not overlap. A child is all-or-nothing.
	Raises MalformedFile when a file is empty, undecodable, not CSV, or lacks required columns.
	"""
	codes = codes if codes is not None else load_codes()
	header_table, header_missing = _read_table(header_bytes, HEADER_FILE, HEADER_COLUMNS)
	episodes_table, episodes_missing = _read_table(episodes_bytes, EPISODES_FILE, EPISODES_COLUMNS)
	missing_by_file = {
		file: missing
		for file, missing in ((HEADER_FILE, header_missing), (EPISODES_FILE, episodes_missing))
		if missing
	}
	if missing_by_file:
		message = "; ".join(
			f"the {file} file is missing column(s): {', '.join(missing)}"
			for file, missing in missing_by_file.items()
		)
		only = next(iter(missing_by_file)) if len(missing_by_file) == 1 else None
		raise MalformedFile(message, file=only, missing_by_file=missing_by_file)

	rejected: list[RejectedRow] = []
	by_child: dict[str, _ChildRows] = {}
	for table in (header_table, episodes_table):
		width = len(table.fieldnames)
		for row_number, row in table.rows:
			if _is_blank(row):
				continue
			try:
				child = _child_id(row, table.file, row_number)
			except RejectedRow as rejection:
				rejected.append(rejection)
				continue
			rows = by_child.setdefault(child, _ChildRows())
			try:
				_check_width(row, width, table.file, row_number, child)
				if table.file == HEADER_FILE:
					rows.headers.append(
						(row_number, _parse_header(row, row_number, child, codes, known_la_codes))
					)
				else:
					rows.episodes.append(
						(row_number, _parse_episode(row, row_number, child, codes, known_la_codes))
					)
			except RejectedRow as rejection:
				target = rows.headers if table.file == HEADER_FILE else rows.episodes
				target.append((row_number, rejection))

	children: list[ChildRecord] = []
	for child in sorted(by_child):
		rows = by_child[child]
		failures = [item for _, item in rows.headers + rows.episodes if isinstance(item, RejectedRow)]
		failures.extend(_cross_check(child, rows))
		if not failures:
			_, header = rows.headers[0]
			episodes = _by_start(episode for _, episode in rows.episodes)
			children.append(
				ChildRecord(
					social_care_id=child,
					sex=header.sex,
					date_of_birth=header.date_of_birth,
					ethnicity=header.ethnicity,
					upn=header.upn,
					episodes=episodes,
				)
			)
			continue
		# All-or-nothing: one reason per row, the first found; rows that were fine point at the first failure.
		by_row: dict[tuple[str, int | None], RejectedRow] = {}
		for failure in failures:
			by_row.setdefault((failure.file, failure.row_number), failure)
		first = min(by_row.values(), key=lambda item: (_file_order(item.file), item.row_number or 0))
		for file, numbered in ((HEADER_FILE, rows.headers), (EPISODES_FILE, rows.episodes)):
			for number, _ in numbered:
				if (file, number) not in by_row:
					by_row[(file, number)] = RejectedRow(
						file,
						number,
						None,
						f"child {child} rejected because {first.file} row {first.row_number} failed",
						child,
					)
		rejected.extend(by_row.values())
	rejected.sort(key=lambda item: (_file_order(item.file), item.row_number or 0))
	return children, rejected


def _json_default(value: object) -> str:
	if isinstance(value, date):
		return value.isoformat()
	return str(value)


def record_fingerprint(child: ChildRecord) -> str:
	"""A stable SHA-256 (hex) of the child's stored fields and episodes in date order: equal iff unchanged."""
	payload = asdict(child)
	payload["episodes"] = [asdict(episode) for episode in _by_start(child.episodes)]
	canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=_json_default)
	return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
