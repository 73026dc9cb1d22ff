# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""Cohort Overview honours every filter its JavaScript declares (it ignored its filters: issue #20).

The declared filters are read from ``cohort_overview.js``; each must have a check in ``FILTER_CHECKS``, so a
filter added to the page without being honoured (and tested) fails here."""

import re
from datetime import date, timedelta
from pathlib import Path

import frappe

from virtual_school.children.vocabulary import KINSHIP_CARE
from virtual_school.domain import school_days
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	make_child,
	make_placement,
	make_school,
	mid_autumn,
)
from virtual_school.virtual_school.report.cohort_overview.cohort_overview import execute

SCRIPT = Path(__file__).parent / "cohort_overview.js"


def declared_filters() -> set[str]:
	return set(re.findall(r'fieldname:\s*"(\w+)"', SCRIPT.read_text()))


class TestCohortOverview(VirtualSchoolTestCase):
	def setUp(self):
		super().setUp()
		self.enterContext(self.freeze_time(mid_autumn()))
		self.year = school_days.academic_year_of(date.today())
		self.last_year = school_days.academic_year_of(
			school_days.academic_year_bounds(self.year)[0] - timedelta(days=1)
		)
		self.school = make_school("994801", "Cohort Filter Academy")
		child = make_child("Kin", cohort=KINSHIP_CARE, date_of_birth=date(2016, 2, 1))
		start = school_days.academic_year_bounds(self.last_year)[0]
		make_placement(child.name, self.school, start)
		# a suspension last year and a permanent exclusion this year
		for kind, on in (
			("Suspension", date(start.year, 10, 1)),
			("Permanent exclusion", date.today().replace(day=1)),
		):
			frappe.get_doc(
				{
					"doctype": "Exclusion",
					"child": child.name,
					"school": self.school,
					"exclusion_type": kind,
					"start_date": on,
					"school_days": 2 if kind == "Suspension" else 0,
					"reason": "Damage",
				}
			).insert()

	def kinship(self, **filters) -> tuple[int, int]:
		row = next(row for row in execute(filters)[1] if row.cohort == KINSHIP_CARE)
		return row.suspensions, row.permanent

	def check_academic_year(self):
		"""The year's suspensions and exclusions follow the filter; empty means this year."""
		self.assertEqual(self.kinship(), (0, 1))
		self.assertEqual(self.kinship(academic_year=self.year), (0, 1))
		self.assertEqual(self.kinship(academic_year=self.last_year), (1, 0))
		with self.assertRaises(frappe.ValidationError):
			execute({"academic_year": "last year"})

	FILTER_CHECKS = {"academic_year": check_academic_year}

	def test_every_declared_filter_is_honoured(self):
		self.assertEqual(declared_filters(), set(self.FILTER_CHECKS))
		for fieldname, check in self.FILTER_CHECKS.items():
			with self.subTest(filter=fieldname):
				check(self)
