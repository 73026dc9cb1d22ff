"""The tests whose result depends on today's date, and the dates to run them on (scripts/test's "dates" tier).

A test that reads the clock, or exercises code that does, can pass on most days and fail on the few where
a rule turns over: 31 August / 1 September (the academic year), 31 March / 1 April (the financial year and
PP+ funding year), a bank holiday inside a term, the Monday after a half-term. scripts/test runs these tests
again with the process clock set to each of those dates (Debian's faketime; docs/testing.md):

* tier 1: the test module of every domain module that reads the clock, and every tier-1 test module that
  reads it itself (``tier1_modules``);
* tier 2: every test module that reads the clock itself, plus ``EXTRA_TIER2``: ``bench run-tests --module
  virtual_school.tests.date_edges`` runs them as one suite (``load_tests``).

Selected by reading the source, so a test written next year that reads the clock is covered without
editing a list. No Frappe import: the tools venv runs ``python -m virtual_school.tests.date_edges``.
"""

import re
import sys
from datetime import date, timedelta
from pathlib import Path

APP = Path(__file__).resolve().parent.parent  # virtual_school/
ROOT = APP.parent

# today(), nowdate(), now_datetime(), now(), getdate() with no argument; date.today(), datetime.now().
CLOCK = re.compile(
	r"\b(today|nowdate|now_datetime|now|getdate)\(\)|\bdate\.today\(|\bdatetime\.(now|today)\("
)

# Tier-2 modules that depend on the date without reading it in their source. Every tier-2 module run on
# each edge date (November 2026, docs/testing.md) failed only where its own source reads the clock; the
# factories' relative defaults (make_child: born 10 years, in care 400 days before today) hold on any date.
# Run again in December 2026 (issue #20): the bulk generator's attendance weeks (none on 1 September) in
# test_attendance_week_totals, now frozen at mid_autumn(); listed so the dates tier keeps checking the pin.
EXTRA_TIER2: tuple[str, ...] = ("virtual_school.tests.test_attendance_week_totals",)


def reads_clock(path: Path) -> bool:
	return bool(CLOCK.search(path.read_text(encoding="utf-8")))


def tier1_modules() -> list[str]:
	"""Tier-1 test files (relative to the checkout) to run on each edge date."""
	tests = ROOT / "tests"
	found = {tests / f"test_{module.name}" for module in (APP / "domain").glob("*.py") if reads_clock(module)}
	found |= {path for path in tests.glob("test_*.py") if reads_clock(path)}
	return sorted(str(path.relative_to(ROOT)) for path in found if path.exists())


def tier2_modules() -> list[str]:
	"""Dotted names of the tier-2 test modules to run on each edge date."""
	found = set(EXTRA_TIER2)
	for path in APP.rglob("test_*.py"):
		if reads_clock(path):
			found.add(".".join(path.relative_to(ROOT).with_suffix("").parts))
	return sorted(found)


def edge_dates(today: date | None = None) -> list[tuple[str, date]]:
	"""The edge dates of the academic year the real clock is in (its School Calendar exists on a site
	installed today), by name."""
	from virtual_school.domain import school_days

	today = today or date.today()
	start = today.year if today >= date(today.year, 9, 1) else today.year - 1
	terms = school_days.standard_term_pattern(f"{start}-{str(start + 1)[2:]}")
	early_may = min(day for day in school_days.england_bank_holidays([start + 1]) if day.month == 5)
	return [
		("year-end", date(start + 1, 8, 31)),
		("year-start", date(start + 1, 9, 1)),
		("financial-year-end", date(start + 1, 3, 31)),
		("financial-year-start", date(start + 1, 4, 1)),
		("bank-holiday-in-term", early_may),
		("half-term-monday", terms[0]["end_date"] + timedelta(days=3)),  # the Monday after Autumn 1
	]


def load_tests(loader, tests, pattern):
	"""``bench run-tests --module virtual_school.tests.date_edges``: the tier-2 modules above."""
	import importlib
	import unittest

	suite = unittest.TestSuite()
	for name in tier2_modules():
		suite.addTests(loader.loadTestsFromModule(importlib.import_module(name)))
	return suite


if __name__ == "__main__":
	what = sys.argv[1] if len(sys.argv) > 1 else ""
	if what == "dates":
		for name, day in edge_dates():
			print(name, day.isoformat())
	elif what == "tier1":
		print("\n".join(tier1_modules()))
	elif what == "tier2":
		print("\n".join(tier2_modules()))
	else:
		sys.exit("usage: python -m virtual_school.tests.date_edges dates|tier1|tier2")
