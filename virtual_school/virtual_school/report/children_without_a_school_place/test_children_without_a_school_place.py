# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import re
from datetime import date
from pathlib import Path

import frappe
from frappe.tests.utils import change_settings

from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	make_child,
	make_placement,
	make_school,
	make_school_calendar,
)
from virtual_school.virtual_school.report.children_without_a_school_place.children_without_a_school_place import (
	execute,
)

TERMS = [{"term_name": "Autumn 1", "start_date": date(2029, 9, 3), "end_date": date(2029, 10, 19)}]


class TestChildrenWithoutASchoolPlace(VirtualSchoolTestCase):
	def setUp(self):
		make_school_calendar("2029-30", TERMS)
		self.school = make_school("990601", "Meadow Primary")
		self.own = caseworker(1)
		self.waiting = make_child("Wait", "Report-Own", caseworker=self.own, date_of_birth=date(2019, 1, 1))
		make_placement(self.waiting.name, self.school, date(2029, 1, 7), date(2029, 9, 7))
		self.other = make_child(
			"Other", "Report-Other", caseworker=caseworker(2), date_of_birth=date(2019, 1, 2)
		)
		self.placed = make_child("Placed", "Report-Own", caseworker=self.own, date_of_birth=date(2019, 1, 3))
		make_placement(self.placed.name, self.school, date(2029, 1, 7))
		frappe.db.set_value("Child", self.placed.name, "current_school", self.school)

	def rows(self, **filters):
		columns, data, _message, chart = execute({"on_date": date(2029, 9, 21), **filters})
		self.assertTrue(columns)
		return {row["child"]: row for row in data}, chart

	def test_counts_school_days_since_the_last_placement_ended(self):
		rows, chart = self.rows()
		row = rows[self.waiting.name]
		self.assertEqual(row["since"], date(2029, 9, 8))
		# Mon 10 Sep to Fri 21 Sep 2029: 10 school days.
		self.assertEqual(row["days_without_place"], 10)
		self.assertEqual(row["last_school"], self.school)
		self.assertNotIn(self.placed.name, rows)
		self.assertTrue(chart["data"]["datasets"][0]["values"])

	def test_caseworker_sees_only_their_caseload(self):
		frappe.set_user(self.own)
		rows, _chart = self.rows()
		self.assertIn(self.waiting.name, rows)
		self.assertNotIn(self.other.name, rows)

	def test_minimum_days_filter(self):
		rows, _chart = self.rows(min_days=10)  # 10 school days without a place: kept at 10 ...
		self.assertIn(self.waiting.name, rows)
		rows, _chart = self.rows(min_days=11)  # ... and left out at 11
		self.assertNotIn(self.waiting.name, rows)

	def test_without_an_ended_placement_the_wait_starts_when_the_need_began(self):
		entered = make_child("Entered", "Report-Own", caseworker=self.own, date_of_birth=date(2019, 1, 4))
		frappe.db.set_value("Child", entered.name, "date_entered_care", date(2029, 9, 12))
		needed = make_child("Needed", "Report-Own", caseworker=self.own, date_of_birth=date(2019, 1, 5))
		frappe.db.set_value("Child", needed.name, "date_entered_care", date(2029, 9, 17))
		request = frappe.get_doc(
			{
				"doctype": "School Place Request",
				"child": needed.name,
				"date_needed": date(2029, 9, 13),
				"reason": "Entered care",
				"approaches": [{"school": self.school, "date_asked": date(2029, 9, 13)}],
			}
		).insert()
		rows, _chart = self.rows()
		self.assertEqual(rows[entered.name]["since"], date(2029, 9, 12))  # entered care (Wednesday)
		self.assertEqual(rows[entered.name]["days_without_place"], 8)  # Wed 12 to Fri 21 Sep
		self.assertEqual(rows[needed.name]["since"], date(2029, 9, 13))  # the earlier: needed from
		self.assertEqual(rows[needed.name]["place_request"], request.name)
		self.assertEqual(rows[needed.name]["days_without_place"], 7)
		frappe.db.set_value("Child", self.other.name, "date_entered_care", None)  # nothing known
		rows, _chart = self.rows()
		self.assertEqual(rows[self.other.name]["since"], frappe.utils.getdate(self.other.creation))

	def test_place_target_comes_from_settings(self):
		"""The rows past the place target are flagged from Virtual School Settings (it was a literal 20 in the
		report's JavaScript): 10 school days without a place is over a target of 9, not over one of 10."""
		for target, over in ((9, True), (10, False), (20, False)):
			with (
				self.subTest(target=target),
				change_settings("Virtual School Settings", {"place_target_school_days": target}),
			):
				rows, _chart = self.rows()
				self.assertEqual(rows[self.waiting.name]["days_without_place"], 10)
				self.assertIs(rows[self.waiting.name]["over_place_target"], over)

	def test_formatter_highlights_from_the_server_flag(self):
		"""The formatter reads the flag the server set, and compares the days with no number of its own."""
		script = (Path(__file__).parent / "children_without_a_school_place.js").read_text()
		self.assertIn("data.over_place_target", script)
		self.assertIsNone(re.search(r"days_without_place\s*[<>]=?\s*\d", script))
