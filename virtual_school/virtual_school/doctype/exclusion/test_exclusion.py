# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from datetime import date

import frappe

from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	make_child,
	make_school,
	make_school_calendar,
)

TERMS = [
	{"term_name": "Autumn 1", "start_date": date(2033, 9, 1), "end_date": date(2033, 10, 21)},
	{"term_name": "Autumn 2", "start_date": date(2033, 10, 31), "end_date": date(2033, 12, 16)},
	{"term_name": "Spring 1", "start_date": date(2034, 1, 4), "end_date": date(2034, 2, 10)},
]


class TestExclusion(VirtualSchoolTestCase):
	def setUp(self):
		make_school_calendar("2033-34", TERMS)
		self.school = make_school("991001", "Ash Academy", type_group="Academies")
		self.child = make_child("Ex", caseworker=caseworker(1), social_worker_name="Sam Worker")

	def exclusion(self, **values):
		return frappe.get_doc(
			{
				"doctype": "Exclusion",
				"child": self.child.name,
				"school": self.school,
				"exclusion_type": "Suspension",
				"start_date": date(2033, 9, 8),
				"school_days": 3,
				"reason": "Persistent or general disruptive behaviour",
				"notice_date": date(2033, 9, 8),
				**values,
			}
		).insert()

	def test_flags_who_must_be_told(self):
		doc = self.exclusion()
		self.assertIn("Virtual School Head", doc.rule_checks)
		self.assertIn("social worker", doc.rule_checks)
		doc.vsh_told_on = doc.social_worker_told_on = date(2033, 9, 8)
		doc.save()
		self.assertEqual(doc.rule_checks, "")

	def test_the_head_is_told_only_of_a_child_looked_after_that_day(self):
		"""Issue #18: a child who left care keeps the stored cohort; the duty to tell the Virtual School Head is
		for a child looked after on the day the exclusion began."""
		frappe.db.set_value("Child", self.child.name, "date_left_care", date(2033, 9, 1))
		doc = self.exclusion()
		self.assertNotIn("Virtual School Head", doc.rule_checks)
		self.assertIn("social worker", doc.rule_checks)
		earlier = self.exclusion(start_date=date(2033, 8, 29), notice_date=date(2033, 8, 29))
		self.assertIn("Virtual School Head", earlier.rule_checks)  # still looked after on 29 August

	def test_suspensions_over_15_days_in_a_term_need_governors_within_15_school_days(self):
		self.exclusion(school_days=10)
		second = self.exclusion(start_date=date(2033, 11, 7), school_days=6, notice_date=date(2033, 11, 7))
		self.assertEqual(second.term_total_school_days, 16)  # Autumn 1 and 2 are one term
		self.assertTrue(second.governors_must_consider)
		self.assertEqual(second.consideration_due, date(2033, 11, 28))
		spring = self.exclusion(start_date=date(2034, 1, 10), school_days=2, notice_date=date(2034, 1, 10))
		self.assertEqual(spring.term_total_school_days, 2)

	def test_permanent_exclusion_always_needs_governors(self):
		doc = self.exclusion(exclusion_type="Permanent exclusion", school_days=0)
		self.assertTrue(doc.governors_must_consider)
		self.assertIn("Governors must consider", doc.rule_checks)

	def test_a_suspension_needs_its_length(self):
		with self.assertRaises(frappe.ValidationError):
			self.exclusion(school_days=0)

	def test_more_than_45_days_in_a_year_is_flagged(self):
		for number, month in enumerate((9, 11)):
			self.exclusion(start_date=date(2033, month, 8 + number), school_days=23)
		self.assertIn("limit is 45", frappe.get_last_doc("Exclusion").rule_checks)

	def test_a_previous_schools_suspensions_never_count_at_the_new_one(self):
		"""Per school (STATUTORY section 11): 10 days at Ash, then 6 at Birch in the same term is 6 at Birch."""
		birch = make_school("991002", "Birch High", type_group="Academies")
		frappe.set_user(caseworker(1))
		self.exclusion(school_days=10)
		moved = self.exclusion(
			school=birch, start_date=date(2033, 11, 7), school_days=6, notice_date=date(2033, 11, 7)
		)
		self.assertEqual((moved.term_total_school_days, moved.year_total_school_days), (6, 6))
		self.assertFalse(moved.governors_must_consider)
		self.assertIsNone(moved.consideration_due)
		again_at_ash = self.exclusion(
			start_date=date(2033, 11, 14), school_days=6, notice_date=date(2033, 11, 14)
		)
		self.assertEqual(again_at_ash.term_total_school_days, 16)
		self.assertTrue(again_at_ash.governors_must_consider)

	def test_a_missed_public_examination_starts_the_15_school_day_clock(self):
		frappe.set_user(caseworker(1))
		doc = self.exclusion(
			start_date=date(2033, 11, 7),
			notice_date=date(2033, 11, 7),
			school_days=2,
			misses_public_examination=1,
			examination_date=date(2033, 11, 9),
		)
		self.assertTrue(doc.governors_must_consider)
		self.assertEqual(doc.consideration_school_days, 15)
		self.assertEqual(doc.consideration_due, date(2033, 11, 28))  # 15th school day after Mon 7 Nov
		self.assertIn("public examination", doc.consideration_rule)
		self.assertIn("09 November 2033", doc.consideration_rule)
		without = self.exclusion(start_date=date(2033, 12, 5), notice_date=date(2033, 12, 5), school_days=2)
		self.assertFalse(without.governors_must_consider)

	def test_representations_for_6_to_15_days_give_the_50_school_day_clock(self):
		frappe.set_user(caseworker(1))
		doc = self.exclusion(school_days=8, representations_made=1)
		self.assertTrue(doc.governors_must_consider)
		self.assertEqual(doc.consideration_school_days, 50)
		# Thu 8 Sep 2033 + 50 school days, half term 24-28 Oct: Thu 24 Nov 2033
		self.assertEqual(doc.consideration_due, date(2033, 11, 24))
		self.assertIn("50 school days", doc.consideration_rule)

	def test_no_clock_is_stored_where_governors_have_no_duty(self):
		frappe.set_user(caseworker(1))
		for values in (
			{"school_days": 3},
			{"school_days": 3, "representations_made": 1},
			{"school_days": 8},
		):
			doc = self.exclusion(**values)
			self.assertFalse(doc.governors_must_consider, values)
			self.assertIsNone(doc.consideration_due, values)
			self.assertFalse(doc.consideration_school_days, values)
			self.assertNotIn("Governors must consider", doc.rule_checks, values)
			frappe.delete_doc("Exclusion", doc.name, ignore_permissions=True)

	def test_caseworkers_see_only_their_caseload(self):
		doc = self.exclusion()
		theirs = self.exclusion(child=make_child("Ex", caseworker=caseworker(2)).name)
		frappe.set_user(caseworker(2))
		visible = frappe.get_list("Exclusion", pluck="name")
		self.assertIn(theirs.name, visible)  # the list works for them: the absence below means something
		self.assertNotIn(doc.name, visible)


class TestAdviceRequest(VirtualSchoolTestCase):
	def test_advice_is_dated_and_scoped(self):
		child = make_child("Adv", caseworker=caseworker(1), cohort="Previously Looked After")
		general = frappe.get_doc(
			{
				"doctype": "Advice Request",
				"requester_type": "School",
				"cohort": "Previously Looked After",
				"topic": "Admissions",
				"question": "How do we prioritise an adopted child?",
			}
		).insert()
		about_child = frappe.get_doc(
			{
				"doctype": "Advice Request",
				"requester_type": "Parent or carer",
				"cohort": "Previously Looked After",
				"topic": "Pupil premium plus",
				"question": "Who holds PP+ for my adopted son?",
				"child": child.name,
				"advice_given": "The school receives it through the census.",
			}
		).insert()
		self.assertEqual(about_child.status, "Advised")
		self.assertTrue(about_child.advised_on)
		frappe.set_user(caseworker(2))
		visible = set(frappe.get_list("Advice Request", pluck="name"))
		self.assertIn(general.name, visible)
		self.assertNotIn(about_child.name, visible)
