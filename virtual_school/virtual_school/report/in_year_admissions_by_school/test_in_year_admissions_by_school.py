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

	def request(self, first_name: str, state: str, approaches: list[dict]) -> str:
		child = make_child(first_name, "Inclusion", date_of_birth=date(2019, 3, 1))
		doc = frappe.get_doc(
			{
				"doctype": "School Place Request",
				"child": child.name,
				"date_needed": date(2029, 9, 3),
				"reason": "Entered care",
				"approaches": approaches,
			}
		).insert()
		frappe.db.set_value("School Place Request", doc.name, "workflow_state", state)
		return doc.name

	def test_every_column_worked_out_by_hand(self):
		third = make_school("990703", "Third Primary")
		refused = {"response": "Refused", "refusal_reason": "Full"}
		# Withdrawn: none of its approaches count.
		self.request(
			"Gone", "Withdrawn", [{"school": self.refuser, "date_asked": date(2029, 9, 4), **refused}]
		)
		# Still open: one approach awaiting an answer in the period, one refusal after it (2 October).
		self.request(
			"Open",
			"Requested",
			[
				{"school": third, "date_asked": date(2029, 9, 20)},
				{"school": self.refuser, "date_asked": date(2029, 10, 2), **refused},
			],
		)
		# One of the three refusals by the academy went to the Secretary of State in the period.
		first = frappe.get_all(
			"School Place Request", filters={"admitting_school": self.admitter}, pluck="name", limit=1
		)[0]
		frappe.db.set_value(
			"School Place Request", first, "secretary_of_state_referred_on", date(2029, 9, 13)
		)
		_columns, data, _message, _chart = execute(
			{"from_date": date(2029, 9, 1), "to_date": date(2029, 9, 30)}
		)
		ours = [
			(
				row.school_name,
				row.requests,
				row.offers,
				row.refusals,
				row.awaiting,
				row.placed,
				row.directions,
				row.referrals,
			)
			for row in data
			if row.school in (self.refuser, self.admitter, third)
		]
		# requests = approaches in the period of requests not withdrawn; placed = placed requests whose
		# admitting school was asked in the period; most refusals first, then most requests.
		self.assertEqual(
			ours,
			[
				("Refusing Academy", 3, 0, 3, 0, 0, 0, 1),
				("Welcoming Primary", 3, 3, 0, 0, 3, 0, 0),
				("Third Primary", 1, 0, 0, 1, 0, 0, 0),
			],
		)

	def test_from_after_to_is_refused(self):
		with self.assertRaises(frappe.ValidationError):
			execute({"from_date": date(2029, 10, 1), "to_date": date(2029, 9, 1)})
