# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from datetime import date

import frappe

from virtual_school.calendar import clocks
from virtual_school.domain.school_days import DayKind
from virtual_school.tests.utils import VirtualSchoolTestCase

YEAR = "2031-32"


def calendar(**overrides):
	values = {
		"doctype": "School Calendar",
		"academic_year": YEAR,
		"terms": [
			{"term_name": "Autumn 1", "start_date": date(2031, 9, 3), "end_date": date(2031, 10, 24)},
			{"term_name": "Autumn 2", "start_date": date(2031, 11, 3), "end_date": date(2031, 12, 19)},
		],
		"closures": [{"closure_date": date(2031, 9, 3), "reason": "INSET day"}],
	}
	values.update(overrides)
	return frappe.get_doc(values)


class TestSchoolCalendar(VirtualSchoolTestCase):
	def test_counts_school_days_per_term_less_closures(self):
		doc = calendar().insert()
		# 3 Sep - 24 Oct 2031: 38 weekdays less one INSET day.
		self.assertEqual(doc.terms[0].school_days, 37)
		self.assertEqual(doc.total_school_days, 37 + doc.terms[1].school_days)

	def test_the_site_clock_uses_the_saved_calendar(self):
		calendar().insert()
		# The first school day after Friday 24 Oct 2031 is Monday 3 Nov 2031 (half-term between).
		self.assertEqual(clocks.add_days(date(2031, 10, 24), 1, DayKind.SCHOOL), date(2031, 11, 3))
		self.assertEqual(clocks.count_days(date(2031, 10, 24), date(2031, 11, 3), DayKind.SCHOOL), 1)

	def test_rejects_a_malformed_academic_year(self):
		with self.assertRaisesRegex(frappe.ValidationError, "2025-26"):
			calendar(academic_year="2031-33").insert()

	def test_rejects_a_term_ending_before_it_starts(self):
		doc = calendar()
		doc.terms[1].end_date = date(2031, 11, 1)
		with self.assertRaisesRegex(frappe.ValidationError, "before Start Date"):
			doc.insert()

	def test_rejects_a_term_outside_the_academic_year(self):
		doc = calendar()
		doc.terms[1].end_date = date(2032, 9, 2)
		with self.assertRaisesRegex(frappe.ValidationError, "must fall within academic year"):
			doc.insert()

	def test_rejects_overlapping_terms(self):
		doc = calendar()
		doc.terms[1].start_date = date(2031, 10, 20)
		with self.assertRaisesRegex(frappe.ValidationError, "overlaps"):
			doc.insert()

	def test_rejects_a_closure_day_outside_every_term(self):
		doc = calendar(closures=[{"closure_date": date(2031, 10, 29), "reason": "Half-term"}])
		with self.assertRaisesRegex(frappe.ValidationError, "not inside any term"):
			doc.insert()

	def test_rejects_a_closure_day_listed_twice(self):
		closure = {"closure_date": date(2031, 9, 4), "reason": "INSET day"}
		with self.assertRaisesRegex(frappe.ValidationError, "listed twice"):
			calendar(closures=[closure, dict(closure)]).insert()

	def test_rejects_a_calendar_without_terms(self):
		with self.assertRaises(frappe.ValidationError):
			calendar(terms=[]).insert()
