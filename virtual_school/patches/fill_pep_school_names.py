"""Issue #21: a PEP whose school was defaulted from the child's current school never got the school's name
(the controller set ``school`` after Frappe's fetch_from had run), so PEP lists and PEP Compliance read
"Not set". Fill the copied name from the School in one set-based update."""

import frappe


def execute():
	# one statement with no user input; frappe.qb's update with a join leaves SET's column unqualified
	frappe.db.sql(
		"""update `tabPersonal Education Plan` pep join `tabSchool` school on school.name = pep.school
		set pep.school_name = school.school_name
		where coalesce(pep.school_name, '') = ''"""
	)
