"""The annual report's outcomes, a past year counted as it was then, and small numbers suppressed (issue #23
item 7), on a site."""

import io
from datetime import date, datetime, timedelta

import docx
import frappe
from frappe.tests.utils import change_settings
from frappe.utils import getdate, today

from virtual_school.domain import outcomes, school_days
from virtual_school.reports.annual_report import counted_on, gather_figures, gather_outcomes, generate
from virtual_school.tests.test_annual_report_site import change
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	head,
	make_child,
	make_placement,
	make_school,
	mid_autumn,
)


def close_case(child: str, on: date) -> None:
	"""The case closed on ``on``: the state and, as the workflow leaves it, a status-history row of that day."""
	frappe.db.set_value("Child", child, {"status": "Closed", "workflow_state": "Closed"})
	frappe.get_doc(
		{
			"doctype": "Child Status History",
			"parent": child,
			"parenttype": "Child",
			"parentfield": "status_history",
			"idx": 99,
			"state": "Closed",
			"changed_on": datetime.combine(on, datetime.min.time()),
			"changed_by": "Administrator",
		}
	).db_insert()


class TestAnnualOutcomes(VirtualSchoolTestCase):
	def setUp(self):
		super().setUp()
		self.enterContext(self.freeze_time(mid_autumn(), tick=True))
		# computed after freezing: this year and last, and their first and last days
		self.today = getdate(today())
		self.year = school_days.academic_year_of(self.today)
		self.this_start, _ = school_days.academic_year_bounds(self.year)
		self.last_year = school_days.academic_year_of(self.this_start - timedelta(days=1))
		self.last_start, self.last_end = school_days.academic_year_bounds(self.last_year)

	def born(self, year_group: int) -> date:
		"""A birth date putting a child in ``year_group`` last year (a year higher this year)."""
		return date(self.last_start.year - year_group - 4, 1, 15)

	# --- a past year as of then ------------------------------------------------------------------------

	def test_last_years_report_counts_who_was_looked_after_then_not_now(self):
		"""A child looked after all last year who left care (and whose case closed) this year is in last year's
		figures, with last year's key stage and school place; a child who came into care this year is not."""
		school = make_school("993201", "Outcomes Primary")
		before_last, before_this = gather_figures(self.last_year), gather_figures(self.year)
		left = make_child(
			"Lena", cohort="Looked After", date_of_birth=self.born(6), date_entered_care=date(2020, 5, 4)
		).name
		make_placement(left, school, self.last_start, self.this_start + timedelta(days=20))
		frappe.db.set_value("Child", left, "date_left_care", self.this_start + timedelta(days=20))
		close_case(left, self.this_start + timedelta(days=30))
		entered = make_child(
			"Ezra",
			cohort="Looked After",
			date_of_birth=self.born(3),
			date_entered_care=self.this_start + timedelta(days=10),
		).name
		make_placement(entered, school, self.this_start + timedelta(days=10))

		last = change(before_last, gather_figures(self.last_year))
		# Lena: Year 6 on last year's last day (KS2; today she is in Year 7, KS3), on roll then, no PEP due
		self.assertEqual(last.get("cohort_by_type"), {"Looked After": 1})
		self.assertEqual(last.get("looked_after_by_key_stage"), {"KS2": 1})
		self.assertNotIn("children_without_place_now", last)  # she had a school place on that day
		self.assertEqual(last.get("peps_due"), 1)  # owed a PEP in the year and had none
		this = change(before_this, gather_figures(self.year))
		# this year: Ezra (Year 4, KS2), not Lena
		self.assertEqual(this.get("cohort_by_type"), {"Looked After": 1})
		self.assertEqual(this.get("looked_after_by_key_stage"), {"KS2": 1})
		self.assertEqual(counted_on(self.last_year, self.today), self.last_end)
		self.assertEqual(counted_on(self.year, self.today), self.today)

	def test_a_case_closed_before_the_years_end_is_not_counted_for_it(self):
		"""The case's status that day, from its history: closed before last year ended, out of it."""
		before = gather_figures(self.last_year)
		closed = make_child("Cleo", date_of_birth=self.born(8), date_entered_care=date(2021, 1, 4)).name
		close_case(closed, self.last_end - timedelta(days=5))
		self.assertEqual(change(before, gather_figures(self.last_year)), {})
		# closed after the year: counted for it
		frappe.db.delete("Child Status History", {"parent": closed, "state": "Closed"})
		close_case(closed, self.last_end + timedelta(days=5))
		after = change(before, gather_figures(self.last_year))
		self.assertEqual(after.get("looked_after_by_key_stage"), {"KS3": 1})

	# --- outcomes ------------------------------------------------------------------------------------------

	def outcome(self, child: str, key_stage: str, academic_year: str | None = None, **measures) -> str:
		return (
			frappe.get_doc(
				{
					"doctype": "Key Stage Outcome",
					"child": child,
					"academic_year": academic_year or self.last_year,
					"key_stage": key_stage,
					**measures,
				}
			)
			.insert()
			.name
		)

	def national(self, measure: str, value: float, academic_year: str) -> None:
		settings = frappe.get_single("Virtual School Settings")
		settings.append(
			"outcome_national_figures",
			{
				"academic_year": academic_year,
				"measure": measure,
				"national_figure": value,
				"source": "DfE test",
			},
		)
		settings.save()

	def test_outcomes_count_the_looked_after_cohort_of_31_march_against_the_national_figure(self):
		before = gather_outcomes(self.last_year, self.today)
		cohort = [
			make_child(f"Kay{n}", date_of_birth=self.born(6), date_entered_care=date(2020, 5, 4)).name
			for n in range(3)
		]
		self.outcome(cohort[0], "KS2", ks2_reading="Yes", ks2_writing="Yes", ks2_maths="Yes")
		self.outcome(cohort[1], "KS2", ks2_reading="Yes", ks2_writing="No", ks2_maths="Yes")
		self.outcome(cohort[2], "KS2", ks2_reading="No")
		# not counted: a child with a social worker, one who came into care after 31 March, another year
		other = make_child("Kit", cohort="Child with a Social Worker", date_of_birth=self.born(6)).name
		self.outcome(other, "KS2", ks2_reading="Yes", ks2_writing="Yes", ks2_maths="Yes")
		late = make_child(
			"Kim", date_of_birth=self.born(6), date_entered_care=date(self.last_end.year, 4, 20)
		).name
		self.outcome(late, "KS2", ks2_reading="Yes", ks2_writing="Yes", ks2_maths="Yes")
		self.outcome(cohort[0], "KS2", academic_year=self.year, ks2_reading="No")
		young = make_child("Kez", date_of_birth=self.born(11), date_entered_care=date(2020, 5, 4)).name
		self.outcome(young, "KS4", english_maths_grade_4="Yes", attainment_8=52.0)
		older = make_child("Kai", date_of_birth=self.born(12), date_entered_care=date(2020, 5, 4)).name
		self.outcome(older, "Post-16", participation="NEET")
		self.national("Expected standard in reading (KS2)", 49.0, self.last_year)

		after = gather_outcomes(self.last_year, self.today)
		got = {
			result.label: (result.achieved - old.achieved, result.assessed - old.assessed)
			for result, old in zip(after.measures, before.measures, strict=True)
		}
		self.assertEqual(got["Expected standard in reading (KS2)"], (2, 3))
		self.assertEqual(got["Expected standard in writing (KS2)"], (1, 2))
		self.assertEqual(got["Expected standard in reading, writing and maths (KS2)"], (1, 2))
		self.assertEqual(got["Grade 4 or above in English and maths (KS4)"], (1, 1))
		self.assertEqual(after.attainment_8_count - before.attainment_8_count, 1)
		self.assertEqual(after.participation["NEET"] - before.participation["NEET"], 1)
		self.assertEqual(after.cohort_on, date(self.last_end.year, 3, 31))
		national = after.measures[1].national
		self.assertEqual(
			(national.value, national.source, national.academic_year), (49.0, "DfE test", self.last_year)
		)

	def test_the_generated_report_suppresses_small_numbers_by_the_setting(self):
		"""The setting's threshold reaches the document: "<N" with N from the setting."""
		self.enterContext(change_settings("Virtual School Settings", {"suppress_counts_below": 1000}))
		self.assertEqual(gather_figures(self.last_year).suppress_below, 1000)
		frappe.set_user(head())
		result = generate(self.last_year)
		document = docx.Document(io.BytesIO(frappe.get_doc("File", result["file"]).get_content()))
		cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
		self.assertIn("<1000", cells)
		self.assertIn("8 Educational outcomes", [p.text for p in document.paragraphs])

	# --- the record -----------------------------------------------------------------------------------------

	def test_the_vocabulary_matches_the_doctypes(self):
		"""Select options and fields, from the metadata: a measure or option added on one side only fails."""
		meta = frappe.get_meta("Key Stage Outcome")
		self.assertEqual(tuple(meta.get_field("key_stage").options.split("\n")), outcomes.KEY_STAGES)
		self.assertEqual(
			tuple(filter(None, meta.get_field("participation").options.split("\n"))), outcomes.PARTICIPATION
		)
		for fieldnames in outcomes.FIELDS_BY_KEY_STAGE.values():
			for fieldname in fieldnames:
				self.assertIsNotNone(meta.get_field(fieldname), fieldname)
		for measure in outcomes.MEASURES:
			for fieldname in measure.fields:
				options = meta.get_field(fieldname).options.split("\n")
				self.assertEqual(set(options), {"", outcomes.YES, outcomes.NO}, fieldname)
		measures = frappe.get_meta("Outcome National Figure").get_field("measure").options.split("\n")
		self.assertEqual(tuple(measures), outcomes.NATIONAL_MEASURES)

	def test_a_record_holds_only_its_key_stages_measures_once(self):
		child = make_child("Rue", date_of_birth=self.born(6), date_entered_care=date(2020, 5, 4)).name
		with self.assertRaisesRegex(frappe.ValidationError, "not a KS2 measure"):
			self.outcome(child, "KS2", ks2_reading="Yes", english_maths_grade_4="Yes")
		with self.assertRaisesRegex(frappe.ValidationError, "not a KS2 measure"):
			self.outcome(child, "KS2", attainment_8=40)
		with self.assertRaisesRegex(frappe.ValidationError, "between 0 and 90"):
			self.outcome(child, "KS4", attainment_8=95)
		with self.assertRaisesRegex(frappe.ValidationError, "2025-26"):
			self.outcome(child, "KS2", academic_year="2025")
		self.outcome(child, "KS2", ks2_reading="Yes")
		with self.assertRaisesRegex(frappe.ValidationError, "already has a KS2 outcome"):
			self.outcome(child, "KS2", ks2_reading="No")

	def test_a_caseworker_sees_only_the_outcomes_of_their_caseload(self):
		mine = make_child("Mia", caseworker=caseworker(1)).name
		theirs = make_child("Tom", caseworker=caseworker(2)).name
		own, other = (
			self.outcome(mine, "KS2", ks2_reading="Yes"),
			self.outcome(theirs, "KS2", ks2_reading="No"),
		)
		frappe.set_user(caseworker(1))
		visible = frappe.get_list("Key Stage Outcome", filters={"name": ("in", [own, other])}, pluck="name")
		self.assertEqual(visible, [own])
		self.assertTrue(frappe.has_permission("Key Stage Outcome", doc=own))
		self.assertFalse(frappe.has_permission("Key Stage Outcome", doc=other))
