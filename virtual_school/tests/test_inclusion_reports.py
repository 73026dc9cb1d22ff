"""PEP Compliance, Exclusions by School and Cohort Overview on a small, known dataset: the expected rows are
worked out by hand from the rules, never by a query like the report's."""

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
	mid_autumn,
)
from virtual_school.virtual_school.report.cohort_overview.cohort_overview import execute as cohort_overview
from virtual_school.virtual_school.report.exclusions_by_school.exclusions_by_school import (
	execute as exclusions_by_school,
)
from virtual_school.virtual_school.report.pep_compliance.pep_compliance import execute as pep_compliance


class TestInclusionReports(VirtualSchoolTestCase):
	def setUp(self):
		# The PEPs fall due 5 days before "today" and the exclusions start 10 days before it: on 1-5 September
		# that was the year before. Frozen for the reports too.
		self.enterContext(self.freeze_time(mid_autumn(), tick=True))
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
		for workflow_state, completed_on, rating, meeting in (
			("Approved", add_days(today(), -6), "Green", add_days(today(), -8)),
			("Draft", None, "", None),
		):
			pep = frappe.get_doc(
				{
					"doctype": "Personal Education Plan",
					"child": self.children[0].name,
					"due_date": due,
					"meeting_date": meeting,
					"academic_year": self.year,
					"qa_rating": rating,
				}
			).insert()
			frappe.db.set_value(
				"Personal Education Plan",
				pep.name,
				{"workflow_state": workflow_state, "completed_on": completed_on},
			)

	def test_exclusions_by_school_rows_worked_out_by_hand(self):
		start = school_days.academic_year_bounds(self.year)[0]
		looked_after = self.children[0].name
		for kind, on, days in (
			("Suspension", start, 3),
			("Permanent exclusion", getdate(add_days(start, 7)), 0),
			("Suspension", getdate(add_days(start, -1)), 5),  # 31 August: the year before
		):
			frappe.get_doc(
				{
					"doctype": "Exclusion",
					"child": looked_after,
					"school": self.school,
					"exclusion_type": kind,
					"start_date": on,
					"school_days": days,
					"reason": "Damage",
				}
			).insert()
		_columns, data, _message, chart = exclusions_by_school({"academic_year": self.year})
		ours = [
			(row.school_name, row.cohort, row.children, row.suspensions, row.suspension_days, row.permanent)
			for row in data
			if row.school == self.school
		]
		# One row per cohort at the school, most permanent exclusions first, then most days suspended.
		# Looked after: one child, suspended for 4 (setUp) and 3 days and then permanently excluded; the
		# 5 days of 31 August belong to the year before. The other cohorts: one suspension each (7, 2 days).
		self.assertEqual(
			ours,
			[
				("Birch Inclusion Academy", "Looked After", 1, 2, 7, 1),
				("Birch Inclusion Academy", "Child with a Social Worker", 1, 1, 7, 0),
				("Birch Inclusion Academy", "Kinship Care", 1, 1, 2, 0),
			],
		)
		self.assertIn("Birch Inclusion Academy", chart["data"]["labels"])

	def test_pep_compliance_on_time_and_overdue(self):
		_columns, data, _message, _chart = pep_compliance({"academic_year": self.year})
		row = next(row for row in data if row.group == self.school)
		self.assertEqual((row.due, row.on_time, row.overdue, row.green), (2, 1, 1, 1))
		# on time: the meeting held by the due date (the headline), and approved by it (issue #18)
		self.assertEqual((row.held_on_time, row.on_time_percent, row.approved_percent), (1, 50, 50))
		self.assertEqual(row.no_pep, 0)

	def test_pep_compliance_names_the_school_and_colours_each_rating(self):
		"""Issue #21: the PEPs here were saved without a school (defaulted from the child's), and every school
		read "Not set"; the QA chart drew all three ratings green."""
		_columns, data, _message, chart = pep_compliance({"academic_year": self.year})
		row = next(row for row in data if row.group == self.school)
		self.assertEqual(row.group_name, "Birch Inclusion Academy")
		peps = frappe.get_all(
			"Personal Education Plan", {"child": self.children[0].name}, pluck="school_name"
		)
		self.assertEqual(set(peps), {"Birch Inclusion Academy"})
		datasets = chart["data"]["datasets"]
		self.assertEqual([dataset["name"] for dataset in datasets], ["Green", "Amber", "Red"])
		self.assertEqual(len(set(chart["colors"])), 3)
		for index, dataset in enumerate(datasets):  # each rating's count only in its own bar
			self.assertEqual(
				[value for column, value in enumerate(dataset["values"]) if column != index], [0, 0]
			)
		self.assertGreaterEqual(datasets[0]["values"][0], 1)

	def test_patch_fills_missing_pep_school_names(self):
		from virtual_school.patches import fill_pep_school_names

		names = frappe.get_all("Personal Education Plan", {"child": self.children[0].name}, pluck="name")
		frappe.db.set_value("Personal Education Plan", {"name": ("in", names)}, "school_name", None)
		fill_pep_school_names.execute()
		self.assertEqual(
			set(frappe.get_all("Personal Education Plan", {"name": ("in", names)}, pluck="school_name")),
			{"Birch Inclusion Academy"},
		)

	def test_pep_compliance_by_caseworker_is_scoped(self):
		# caseworker 2's own child with a PEP due: the row they must see, so an empty report cannot pass
		theirs = make_child("Rep", caseworker=caseworker(2), date_of_birth=date(2016, 2, 2))
		frappe.get_doc(
			{
				"doctype": "Personal Education Plan",
				"child": theirs.name,
				"due_date": add_days(today(), -5),
				"academic_year": self.year,
			}
		).insert()
		frappe.set_user(caseworker(2))
		_columns, data, _message, _chart = pep_compliance(
			{"academic_year": self.year, "group_by": "Caseworker"}
		)
		self.assertEqual([row.group for row in data], [caseworker(2)])

	def test_cohort_overview_counts_worked_out_by_hand(self):
		"""What a small world of kinship children adds to each count (the site may hold other children)."""
		counts = (
			"children",
			"maintained",
			"academy",
			"independent",
			"without_place",
			"ehc_plans",
			"persistent",
			"severe",
			"suspensions",
			"permanent",
		)

		def overview():
			return {row.cohort: [row[count] or 0 for count in counts] for row in cohort_overview({})[1]}

		before = overview()
		start = school_days.academic_year_bounds(self.year)[0]
		maintained = make_school("991102", "Birch Maintained Primary")
		independent = make_school(
			"991103",
			"Birch Independent School",
			type_group="Independent schools",
			establishment_type="Other independent school",
		)

		def kin(first, year_group, school=None, **values):
			"""A kinship child in ``year_group`` (0 Reception, 12 Year 12, -1 nursery age, 14 aged 18)."""
			doc = make_child(
				first,
				"Overview",
				cohort="Kinship Care",
				date_of_birth=date(start.year - year_group - 4, 1, 15),
				**values,
			)
			if school:
				make_placement(doc.name, school, add_days(today(), -30))
			return doc.name

		at_maintained = kin("Kim", 3, maintained)
		kin("Kit", 8, sen_provision="EHC plan")  # no school, of school age
		kin("Kai", -1)  # nursery age: no school expected
		kin("Kev", 14)  # 18 and over
		kin("Kat", 12)  # Year 12, no school: counted, as on "Children Without a School Place"
		closed = kin("Kip", 5, sen_provision="EHC plan")
		frappe.db.set_value("Child", closed, {"status": "Closed", "workflow_state": "Closed"})
		at_independent = kin("Kaz", 10, independent)
		at_academy = kin("Koa", 7, self.school)
		for child, kind, on, days in (
			(at_maintained, "Suspension", start, 2),
			(at_independent, "Permanent exclusion", start, 0),
			(at_academy, "Suspension", getdate(add_days(start, -1)), 3),  # the year before
		):
			frappe.get_doc(
				{
					"doctype": "Exclusion",
					"child": child,
					"school": maintained,
					"exclusion_type": kind,
					"start_date": on,
					"school_days": days,
					"reason": "Damage",
				}
			).insert()
		after = overview()
		added = {
			cohort: dict(
				zip(
					counts,
					(n - o for n, o in zip(row, before.get(cohort, [0] * len(counts)), strict=True)),
					strict=True,
				)
			)
			for cohort, row in after.items()
		}
		# Active kinship children: seven (Kip's case is closed); one each at a maintained school, an
		# academy and an independent school; Kit and Kat have no school (Kai and Kev are not of school
		# age); Kit has an EHC plan; this year one suspension and one permanent exclusion.
		self.assertEqual(
			{
				cohort: {k: v for k, v in row.items() if v}
				for cohort, row in added.items()
				if any(row.values())
			},
			{
				"Kinship Care": {
					"children": 7,
					"maintained": 1,
					"academy": 1,
					"independent": 1,
					"without_place": 2,
					"ehc_plans": 1,
					"suspensions": 1,
					"permanent": 1,
				}
			},
		)
