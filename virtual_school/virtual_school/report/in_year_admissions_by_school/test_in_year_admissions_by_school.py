# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from datetime import date

import frappe

from virtual_school.tests.utils import VirtualSchoolTestCase, make_child, make_school, make_school_calendar
from virtual_school.virtual_school.report.in_year_admissions_by_school.in_year_admissions_by_school import (
	execute,
)

TERMS = [{"term_name": "Autumn 1", "start_date": date(2029, 9, 3), "end_date": date(2029, 10, 19)}]


class TestInYearAdmissionsBySchool(VirtualSchoolTestCase):
	def setUp(self):
		make_school_calendar("2029-30", TERMS)
		self.refuser = make_school("990701", "Refusing Academy", type_group="Academies")
		self.admitter = make_school("990702", "Welcoming Primary")
		for number in range(3):
			child = make_child(f"Profile{number}", "Inclusion", date_of_birth=date(2019, 2, number + 1))
			request = frappe.get_doc(
				{
					"doctype": "School Place Request",
					"child": child.name,
					"date_needed": date(2029, 9, 3),
					"reason": "Entered care",
					"approaches": [
						{
							"school": self.refuser,
							"date_asked": date(2029, 9, 3),
							"response": "Refused",
							"response_date": date(2029, 9, 5),
							"refusal_reason": "Full",
						},
						{
							"school": self.admitter,
							"date_asked": date(2029, 9, 6),
							"response": "Offered",
							"response_date": date(2029, 9, 7),
						},
					],
					"admitting_school": self.admitter,
					"start_date": date(2029, 9, 10 + number),
				}
			).insert()
			frappe.db.set_value("School Place Request", request.name, "workflow_state", "Placed")

	def test_profile_counts_refusals_offers_and_median_days_to_place(self):
		_columns, data, _message, chart = execute(
			{"from_date": date(2029, 9, 1), "to_date": date(2029, 9, 30)}
		)
		rows = {row.school: row for row in data}
		self.assertEqual((rows[self.refuser].requests, rows[self.refuser].refusals), (3, 3))
		self.assertEqual(rows[self.refuser].refusal_rate, 100)
		admitter = rows[self.admitter]
		self.assertEqual((admitter.offers, admitter.placed), (3, 3))
		# Asked Thu 6 Sep; starts Mon 10, Tue 11, Wed 12 Sep: 1, 2, 3 school days waited -> median 2.
		self.assertEqual(admitter.median_days_to_place, 2)
		self.assertEqual(data[0].school, self.refuser, "most refusals first")
		self.assertEqual(chart["data"]["labels"][0], "Refusing Academy")

	def test_totals_match_raw_sql(self):
		_columns, data, _message, _chart = execute(
			{"from_date": date(2029, 9, 1), "to_date": date(2029, 9, 30)}
		)
		raw = frappe.db.sql(
			"""select count(*) from `tabSchool Place Approach` a
			join `tabSchool Place Request` r on r.name = a.parent
			where a.date_asked between '2029-09-01' and '2029-09-30' and r.workflow_state != 'Withdrawn'"""
		)[0][0]
		self.assertEqual(sum(row.requests for row in data), raw)

	def test_from_after_to_is_refused(self):
		with self.assertRaises(frappe.ValidationError):
			execute({"from_date": date(2029, 10, 1), "to_date": date(2029, 9, 1)})
