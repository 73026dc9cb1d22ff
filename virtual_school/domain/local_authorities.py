"""The 153 English local authorities and their DfE LA codes (package data ``data/local_authorities.csv``).

The codes are the three-digit DfE "LA (code)" values used in GIAS, the school census and UPNs. Every English
authority must appoint a Virtual School Head (Children Act 1989 s22(3B)); "All 153 local authorities"
make the CIN return (STATUTORY.md section 9). The list is as after the 2019-2023 reorganisations:
Dorset 838 and Bournemouth, Christchurch and Poole 839 (2019); North Northamptonshire 940 and West
Northamptonshire 941 (2021); Cumberland 942 and Westmorland and Furness 943 (2023); North Yorkshire 815
and Somerset 933 kept their codes. This module imports nothing from Frappe.
"""

from __future__ import annotations

import csv
import re
from os import PathLike
from pathlib import Path

__all__ = [
	"DEFAULT_PATH",
	"ENGLISH_LA_COUNT",
	"FORMER_LA_CODES",
	"load_local_authorities",
]

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "local_authorities.csv"
ENGLISH_LA_COUNT = 153
COLUMNS = ("la_code", "la_name", "region")

# Post-April-1999 codes of authorities that no longer exist, with their successors. They still appear in
# UPNs (a UPN is kept for life) and in GIAS history, but are not current authorities.
FORMER_LA_CODES: dict[str, tuple[str, ...]] = {
	"820": ("822", "823"),  # Bedfordshire, to April 2009: Bedford, Central Bedfordshire
	"835": ("838", "839"),  # Dorset (county), to April 2019: Dorset; Christchurch to BCP
	"836": ("839",),  # Poole, to April 2019: Bournemouth, Christchurch and Poole
	"837": ("839",),  # Bournemouth, to April 2019: Bournemouth, Christchurch and Poole
	"875": ("895", "896"),  # Cheshire, to April 2009: Cheshire East, Cheshire West and Chester
	"909": ("942", "943"),  # Cumbria, to April 2023: Cumberland, Westmorland and Furness
	"928": ("940", "941"),  # Northamptonshire, to April 2021: North and West Northamptonshire
}

_LA_CODE = re.compile(r"[0-9]{3}")


def load_local_authorities(path: str | PathLike[str] | None = None) -> list[dict]:
	"""Read the authorities CSV: a list of ``{"la_code", "la_name", "region"}`` in file order.

	Raises ValueError naming the line for a missing column, a code that is not three digits, a repeated
	code or an empty name or region.
	"""
	source = Path(path) if path is not None else DEFAULT_PATH
	with source.open(encoding="utf-8", newline="") as handle:
		reader = csv.DictReader(handle)
		missing = [column for column in COLUMNS if column not in (reader.fieldnames or ())]
		if missing:
			raise ValueError(f"{source.name}: missing column(s) {', '.join(missing)}")
		authorities: list[dict] = []
		seen: dict[str, int] = {}
		for line, row in enumerate(reader, start=2):
			code = (row["la_code"] or "").strip()
			name = (row["la_name"] or "").strip()
			region = (row["region"] or "").strip()
			if not _LA_CODE.fullmatch(code):
				raise ValueError(f"{source.name} line {line}: LA code {code!r} is not three digits")
			if code in seen:
				raise ValueError(f"{source.name} line {line}: LA code {code} repeats line {seen[code]}")
			if not name or not region:
				raise ValueError(f"{source.name} line {line}: LA {code} has no name or no region")
			seen[code] = line
			authorities.append({"la_code": code, "la_name": name, "region": region})
	return authorities
