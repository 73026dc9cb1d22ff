"""The data the project generates (the bulk national world of the benchmark, the demo sources) is data the app
itself would accept: bulk writers skip Frappe's validation, so a value outside a Select field's options
(the bulk PEP history once wrote "Wellbeing" as a PEP Target area) would pass silently into reports, filters
and the forms that show it. Enumerated from metadata: next year's doctype is covered without edits."""

import frappe
from frappe.query_builder.functions import Count

from virtual_school.devtools import bulk_data
from virtual_school.tests.utils import VirtualSchoolTestCase

APP_MODULE = "Virtual School"


def select_fields() -> list[tuple[str, str, set[str]]]:
	"""(doctype, field, options) of every stored Select field of the app's doctypes with fixed options."""
	fields = []
	for doctype in frappe.get_all(
		"DocType", filters={"module": APP_MODULE, "issingle": 0, "is_virtual": 0}, pluck="name"
	):
		for df in frappe.get_meta(doctype).fields:
			if df.fieldtype == "Select" and (df.options or "").strip():
				fields.append((doctype, df.fieldname, {option.strip() for option in df.options.split("\n")}))
	return fields


def values_outside_options() -> dict[tuple[str, str], dict[str, int]]:
	"""{(doctype, field): {value: rows}} for every stored value that is not one of the field's options."""
	found = {}
	for doctype, fieldname, options in select_fields():
		table = frappe.qb.DocType(doctype)
		column = table[fieldname]
		rows = (
			frappe.qb.from_(table)
			.select(column, Count("*"))
			.where(column.isnotnull() & (column != "") & column.notin(sorted(options - {""}) or [""]))
			.groupby(column)
			.run()
		)
		if rows:
			found[(doctype, fieldname)] = dict(rows)
	return found


class TestGeneratedData(VirtualSchoolTestCase):
	def test_the_check_sees_select_fields_and_a_value_outside_them(self):
		fields = {(doctype, field) for doctype, field, _options in select_fields()}
		self.assertIn(("PEP Target", "area"), fields)
		self.assertIn(("Child", "cohort"), fields)
		child = frappe.get_all("Child", limit=1, pluck="name") or [bulk_data_child()]
		frappe.db.set_value("Child", child[0], "cohort", "Not a cohort", update_modified=False)
		self.assertEqual(values_outside_options()[("Child", "cohort")], {"Not a cohort": 1})

	def test_the_bulk_world_holds_only_values_its_select_fields_allow(self):
		bulk_data.generate(fraction=0.001, commit=False)
		self.assertTrue(frappe.db.count("Child", {"social_care_id": ["like", "NAT-%"]}))
		self.assertEqual(values_outside_options(), {})


def bulk_data_child() -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Child",
			"first_name": "Select",
			"last_name": "Check",
			"date_of_birth": "2015-01-01",
			"cohort": "Looked After",
		}
	).insert(ignore_permissions=True)
	return doc.name
