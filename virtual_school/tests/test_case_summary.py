"""The Child form as a case summary (issue #21 item 1; ``children/summary.py``), as the roles who open it."""

from datetime import date

import frappe
from frappe.utils import add_days, getdate, today

from virtual_school.children.summary import case_summary
from virtual_school.escalations.services import open_escalation
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	make_child,
	make_placement,
	make_school,
)


class TestCaseSummary(VirtualSchoolTestCase):
	def setUp(self):
		super().setUp()
		self.worker = caseworker(1)
		self.school = make_school("991881", "Summary Primary")
		self.placed = make_child("Placed", caseworker=self.worker, date_of_birth=date(2016, 5, 5))
		make_placement(self.placed.name, self.school, add_days(today(), -300), add_days(today(), -20))
		self.escalation = open_escalation("Child", self.placed.name, "No school place", getdate(today()))

	def as_user(self, user, child):
		frappe.set_user(user)
		try:
			return case_summary(child)
		finally:
			frappe.set_user("Administrator")

	def test_a_caseworker_sees_the_case_at_a_glance(self):
		summary = self.as_user(self.worker, self.placed.name)
		self.assertTrue(summary["looked_after"])
		self.assertEqual(
			[row.name for row in summary["placements"]],
			[frappe.db.get_value("Education Placement", {"child": self.placed.name}, "name")],
		)
		self.assertEqual([row["name"] for row in summary["escalations"]], [self.escalation.name])
		self.assertEqual(summary["escalations"][0]["age_days"], 0)
		# the placement ended 20 days ago: without a place since the day after, in school days (the report's count)
		self.assertEqual(getdate(summary["without_place"]["since"]), getdate(add_days(today(), -19)))
		self.assertIsNone(summary["pep"]["current"])  # no PEP yet: the form says "No PEP"
		self.assertTrue(summary["pep"]["next_due"] or summary["pep"]["missed"])

	def test_another_caseload_is_refused(self):
		with self.assertRaises(frappe.PermissionError):
			self.as_user(caseworker(2), self.placed.name)
