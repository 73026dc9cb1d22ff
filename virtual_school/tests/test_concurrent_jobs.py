"""The daily jobs run twice at the same moment (two workers, two connections): each concern is escalated
once and each escalation raised once. The two connections meet (``run_meeting_at``) where the guard
matters, so that without it they race every run, not by chance."""

from datetime import date

import frappe
from frappe.utils import add_days

from virtual_school.domain import escalation_ladder
from virtual_school.escalations.services import open_escalation, raise_overdue_escalations
from virtual_school.tests.concurrency import run_meeting_at
from virtual_school.tests.utils import VirtualSchoolTestCase, make_child
from virtual_school.virtual_school.doctype.escalation.escalation import Escalation


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
		"""Both runs have found no escalation for the concern before either inserts one (they meet just
		before the insert): the unique trigger key refuses the second."""
		key = f"test:{self.child.name}"
		results = run_meeting_at(
			Escalation,
			"before_insert",
			*[lambda: open_escalation("Child", self.child.name, "Not attending", date.today(), key)] * 2,
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
		# Both runs have selected the escalation as overdue before either raises it (they meet at the first
		# should_raise): the second waits for the row lock and, deciding again, leaves it.
		results = run_meeting_at(
			escalation_ladder,
			"should_raise",
			*[lambda: raise_overdue_escalations(frappe.utils.getdate(on_date))] * 2,
		)
		self.assertFalse([r for r in results if isinstance(r, Exception)], results)
		self.assertEqual(sum(doc.name in r for r in results), 1, results)
		self.assertEqual([e.level for e in self.escalations()], [doc.level + 1])


class TestGuardRegistry(VirtualSchoolTestCase):
	def test_each_registered_guard_is_in_its_module_once(self):
		"""``VS_REMOVE_GUARD`` takes out exactly this text: a guard rewritten without updating ``GUARDS``
		fails here instead of leaving a proof that removes nothing."""
		import importlib
		import inspect

		from virtual_school.tests.concurrency import GUARDS

		for name, guard in GUARDS.items():
			source = inspect.getsource(importlib.import_module(guard.module))
			self.assertEqual(source.count(guard.text), 1, name)
			self.assertNotEqual(guard.text, guard.without, name)
