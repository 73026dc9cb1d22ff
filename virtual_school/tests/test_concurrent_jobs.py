"""The daily jobs run twice at the same moment (two workers, two connections): each concern is escalated
once and each escalation raised once."""

from datetime import date

import frappe
from frappe.utils import add_days

from virtual_school.escalations import open_escalation, raise_overdue_escalations
from virtual_school.tests.utils import VirtualSchoolTestCase, make_child, run_concurrently


class TestConcurrentJobs(VirtualSchoolTestCase):
	def setUp(self):
		super().setUp()
		self.child = make_child("Racing")
		frappe.db.commit()  # the other connections must see the child

	def tearDown(self):
		frappe.set_user("Administrator")
		frappe.db.rollback()
		escalations = frappe.get_all("Escalation", filters={"reference_name": self.child.name}, pluck="name")
		for name in escalations:
			frappe.db.delete("Escalation Log", {"parent": name})
			frappe.db.delete("ToDo", {"reference_name": name})
			frappe.db.delete("Escalation", {"name": name})
		frappe.db.delete("Child Status History", {"parent": self.child.name})
		frappe.db.delete("Child", {"name": self.child.name})
		frappe.db.commit()
		super().tearDown()

	def escalations(self) -> list:
		return frappe.get_all(
			"Escalation", filters={"reference_name": self.child.name}, fields=["name", "level", "trigger_key"]
		)

	def test_a_concern_opened_by_two_runs_at_once_is_escalated_once(self):
		key = f"test:{self.child.name}"
		results = run_concurrently(
			*[lambda: open_escalation("Child", self.child.name, "Not attending", date.today(), key)] * 2
		)
		self.assertEqual(len(results), 2)
		self.assertFalse([r for r in results if isinstance(r, Exception)], results)
		self.assertEqual(sum(r is None for r in results), 1, results)
		self.assertEqual([e.trigger_key for e in self.escalations()], [key])

	def test_an_overdue_escalation_raised_by_two_runs_at_once_goes_up_one_level(self):
		doc = open_escalation(
			"Child", self.child.name, "Not attending", date.today(), f"raise:{self.child.name}"
		)
		frappe.db.commit()
		on_date = add_days(doc.due_date, 30)
		results = run_concurrently(*[lambda: raise_overdue_escalations(frappe.utils.getdate(on_date))] * 2)
		self.assertFalse([r for r in results if isinstance(r, Exception)], results)
		self.assertEqual(sum(doc.name in r for r in results), 1, results)
		self.assertEqual([e.level for e in self.escalations()], [doc.level + 1])
