"""The annual report on a site: figures match the records, the .docx opens with headings, tables and a chart."""

import io
from datetime import date

import docx
import frappe
from frappe.utils import getdate, today

from virtual_school.annual_report import gather_figures, generate
from virtual_school.domain import school_days
from virtual_school.tests.utils import VirtualSchoolTestCase, head, make_child


class TestAnnualReport(VirtualSchoolTestCase):
	def setUp(self):
		self.year = school_days.academic_year_of(getdate(today()))
		make_child("Annual", cohort="Looked After", date_of_birth=date(2016, 3, 3), out_of_authority=0)
		make_child("Annual", cohort="Kinship Care", date_of_birth=date(2016, 3, 4))

	def test_figures_match_the_records(self):
		figures = gather_figures(self.year)
		raw = dict(
			frappe.db.sql("select cohort, count(*) from tabChild where status='Active' group by cohort")
		)
		self.assertEqual(figures.cohort_by_type, raw)
		self.assertEqual(figures.academic_year, self.year)

	def test_generated_document_opens(self):
		frappe.set_user(head())
		result = generate(self.year)
		document = docx.Document(io.BytesIO(frappe.get_doc("File", result["file"]).get_content()))
		text = "\n".join(paragraph.text for paragraph in document.paragraphs)
		self.assertIn("Personal Education Plans", text)
		self.assertIn("Pupil Premium Plus", text)
		self.assertTrue(document.tables)
		self.assertGreaterEqual(len(document.inline_shapes), 1)
		self.assertNotIn(
			"Annual", [cell.text for table in document.tables for row in table.rows for cell in row.cells]
		)

	def test_only_the_head_and_managers_generate_it(self):
		from virtual_school.tests.utils import caseworker

		frappe.set_user(caseworker(1))
		with self.assertRaises(frappe.PermissionError):
			generate(self.year)
