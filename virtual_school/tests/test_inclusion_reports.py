"""PEP Compliance, Exclusions by School and Cohort Overview on a small, known dataset; totals against SQL."""

from datetime import date

import frappe
from frappe.utils import add_days, getdate, today

from virtual_school.domain import school_days
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	make_child,
	make_placement,
	make_school,
)
from virtual_school.virtual_school.report.cohort_overview.cohort_overview import execute as cohort_overview
from virtual_school.virtual_school.report.exclusions_by_school.exclusions_by_school import (
	execute as exclusions_by_school,
)
from virtual_school.virtual_school.report.pep_compliance.pep_compliance import execute as pep_compliance


class TestInclusionReports(VirtualSchoolTestCase):
	def setUp(self):
		self.year = school_days.academic_year_of(date.today())
		self.school = make_school(
			"991101",
			"Birch Inclusion Academy",
			type_group="Academies",
			establishment_type="Academy converter",
		)
		self.worker = caseworker(1)
		self.children = [
			make_child("Rep", caseworker=self.worker, cohort=cohort, date_of_birth=date(2016, 2, 1))
			for cohort in ("Looked After", "Child with a Social Worker", "Kinship Care")
		]
		for child in self.children:
			make_placement(child.name, self.school, add_days(today(), -200))
		start = school_days.academic_year_bounds(self.year)[0]
		for child, days in zip(self.children, (4, 7, 2), strict=True):
			frappe.get_doc(
				{
					"doctype": "Exclusion",
					"child": child.name,
					"school": self.school,
					"exclusion_type": "Suspension",
					"start_date": max(start, getdate(add_days(today(), -10))),
					"school_days": days,
					"reason": "Damage",
				}
			).insert()
		due = add_days(today(), -5)
		for workflow_state, completed_on, rating in (
			("Approved", add_days(today(), -6), "Green"),
			("Draft", None, ""),
		):
			pep = frappe.get_doc(
				{
					"doctype": "Personal Education Plan",
					"child": self.children[0].name,
					"due_date": due,
					"academic_year": self.year,
					"qa_rating": rating,
				}
			).insert()
			frappe.db.set_value(
				"Personal Education Plan",
				pep.name,
				{"workflow_state": workflow_state, "completed_on": completed_on},
			)

	def test_exclusions_by_school_matches_sql(self):
		_columns, data, _message, chart = exclusions_by_school({"academic_year": self.year})
		ours = [row for row in data if row.school == self.school]
		self.assertEqual(sum(row.suspension_days for row in ours), 13)
		self.assertEqual(
			{row.cohort for row in ours}, {"Looked After", "Child with a Social Worker", "Kinship Care"}
		)
		raw = frappe.db.sql(
			"select coalesce(sum(school_days),0) from tabExclusion where exclusion_type='Suspension'"
		)
		self.assertEqual(sum(row.suspension_days or 0 for row in data), raw[0][0])
		self.assertTrue(chart)

	def test_pep_compliance_on_time_and_overdue(self):
		_columns, data, _message, _chart = pep_compliance({"academic_year": self.year})
		row = next(row for row in data if row.group == self.school)
		self.assertEqual((row.due, row.on_time, row.overdue, row.green), (2, 1, 1, 1))
		self.assertEqual(row.on_time_percent, 50)

	def test_pep_compliance_by_caseworker_is_scoped(self):
		frappe.set_user(caseworker(2))
		_columns, data, _message, _chart = pep_compliance(
			{"academic_year": self.year, "group_by": "Caseworker"}
		)
		self.assertNotIn(self.worker, [row.group for row in data])

	def test_cohort_overview_counts(self):
		_columns, data, _message, _chart = cohort_overview({})
		by_cohort = {row.cohort: row for row in data}
		raw = dict(
			frappe.db.sql("select cohort, count(*) from tabChild where status='Active' group by cohort")
		)
		for cohort, row in by_cohort.items():
			self.assertEqual(row.children, raw[cohort])
		self.assertGreaterEqual(by_cohort["Kinship Care"].academy, 1)
		self.assertGreaterEqual(by_cohort["Child with a Social Worker"].suspensions, 1)
