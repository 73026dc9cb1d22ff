# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from unittest.mock import patch

import frappe
from frappe.utils import add_days, today

from virtual_school.children.placements import refresh_current_school, refresh_year_groups
from virtual_school.tests.utils import VirtualSchoolTestCase, make_child, make_placement, make_school
from virtual_school.virtual_school.doctype.education_placement.education_placement import (
	OverlappingPlacementError,
)


class TestEducationPlacement(VirtualSchoolTestCase):
	def setUp(self):
		self.first_school = make_school("990301", "Riverside Primary")
		self.second_school = make_school("990302", "Hillview Academy", type_group="Academies")
		self.child = make_child()

	def test_overlapping_full_time_placements_are_refused(self):
		make_placement(self.child.name, self.first_school, add_days(today(), -100))
		with self.assertRaises(OverlappingPlacementError):
			make_placement(self.child.name, self.second_school, add_days(today(), -10))

	def test_an_open_placement_overlaps_any_later_one(self):
		make_placement(self.child.name, self.first_school, add_days(today(), -100), add_days(today(), -50))
		with self.assertRaises(OverlappingPlacementError):
			make_placement(
				self.child.name, self.second_school, add_days(today(), -60), add_days(today(), -40)
			)

	def test_part_time_alongside_full_time_is_allowed(self):
		make_placement(self.child.name, self.first_school, add_days(today(), -100))
		make_placement(self.child.name, self.second_school, add_days(today(), -10), basis="Part time")
		self.child.reload()
		self.assertEqual(self.child.current_school, self.first_school, "full time wins over part time")

	def test_end_before_start_is_refused(self):
		with self.assertRaisesRegex(frappe.ValidationError, "before Start Date"):
			make_placement(self.child.name, self.first_school, add_days(today(), -10), add_days(today(), -20))

	def test_ending_a_placement_leaves_the_child_without_a_school(self):
		placement = make_placement(self.child.name, self.first_school, add_days(today(), -100))
		placement.end_date = add_days(today(), -1)
		placement.reason_for_leaving = "Care placement move"
		placement.save()
		self.child.reload()
		self.assertFalse(self.child.current_school)

	def test_a_move_changes_the_current_school(self):
		make_placement(self.child.name, self.first_school, add_days(today(), -200), add_days(today(), -31))
		make_placement(self.child.name, self.second_school, add_days(today(), -20))
		self.child.reload()
		self.assertEqual(self.child.current_school, self.second_school)

	def test_daily_refresh_picks_up_a_placement_that_starts_later(self):
		make_placement(self.child.name, self.first_school, add_days(today(), 5))
		self.child.reload()
		self.assertFalse(self.child.current_school)
		refresh_current_school(on_date=add_days(today(), 6))
		self.assertEqual(frappe.db.get_value("Child", self.child.name, "current_school"), self.first_school)

	def test_sql_year_groups_match_the_domain_rule(self):
		from frappe.utils import getdate

		from virtual_school.domain import school_days

		births = [add_days(today(), -days) for days in (900, 1500, 1600, 2200, 4000, 5800, 6400, 6700, 7000)]
		children = [make_child(date_of_birth=born) for born in births]
		for on_date, by_name_limit in (("2026-08-31", 1000), ("2026-09-01", 0), ("2027-01-15", 1000)):
			# by name (a few changes) and set-based (many: the first day of the academic year)
			with patch("virtual_school.children.placements.YEAR_GROUP_UPDATES_BY_NAME", by_name_limit):
				refresh_year_groups(on_date)
			for child in children:
				expected = school_days.year_group_label(getdate(child.date_of_birth), getdate(on_date))
				self.assertEqual(frappe.db.get_value("Child", child.name, "year_group"), expected)
			self.assertEqual(refresh_year_groups(on_date), 0)  # nothing left to change
