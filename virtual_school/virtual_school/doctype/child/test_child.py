# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe.model.workflow import WorkflowTransitionError, apply_workflow
from frappe.utils import add_days, getdate, today

from virtual_school.domain import school_days
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	make_child,
	make_placement,
	make_school,
	manager,
	valid_upn,
)


class TestChild(VirtualSchoolTestCase):
	def test_a_child_without_a_surname_is_a_missing_field_not_a_crash(self):
		"""A request without last_name got an AttributeError (HTTP 500) from building the full name."""
		child = frappe.get_doc(
			{
				"doctype": "Child",
				"first_name": "Sam",
				"date_of_birth": add_days(today(), -3650),
				"cohort": "Looked After",
			}
		)
		with self.assertRaises(frappe.MandatoryError):
			child.insert()

	def test_full_name_year_group_and_out_of_authority_are_derived(self):
		child = make_child("Amara", "Okafor", responsible_la="886", resident_la="210")
		self.assertEqual(child.full_name, "Amara Okafor")
		self.assertEqual(child.out_of_authority, 1)
		expected = school_days.year_group_label(getdate(child.date_of_birth), getdate(today()))
		self.assertEqual(child.year_group, expected)
		self.assertTrue(child.key_stage)

	def test_valid_upn_is_normalised(self):
		upn = valid_upn()
		child = make_child(upn=f"  {upn.lower()} ")
		self.assertEqual(child.upn, upn)

	def test_upn_with_wrong_check_letter_is_refused(self):
		upn = valid_upn()
		wrong = ("A" if upn[0] != "A" else "B") + upn[1:]
		with self.assertRaisesRegex(frappe.ValidationError, "UPN"):
			make_child(upn=wrong)

	def test_upn_of_wrong_length_is_refused(self):
		with self.assertRaisesRegex(frappe.ValidationError, "UPN"):
			make_child(upn="B80120000500")

	def test_upn_with_unknown_la_is_refused(self):
		from virtual_school.domain import upn as upn_rules

		body = "999200125001"
		with self.assertRaisesRegex(frappe.ValidationError, "UPN"):
			make_child(upn=upn_rules.check_letter(body) + body)

	def test_the_same_upn_twice_is_a_duplicate(self):
		upn = valid_upn()
		make_child(upn=upn)
		with self.assertRaises(frappe.DuplicateEntryError):
			make_child(upn=upn)

	def test_the_same_name_and_birth_date_is_a_duplicate(self):
		first = make_child("Ivy", "Marsh")
		with self.assertRaises(frappe.DuplicateEntryError):
			make_child("Ivy", "Marsh", date_of_birth=first.date_of_birth)

	def test_left_care_before_entering_care_is_refused(self):
		with self.assertRaisesRegex(frappe.ValidationError, "Date Left Care"):
			make_child(date_entered_care=add_days(today(), -100), date_left_care=add_days(today(), -200))

	def test_birth_date_in_the_future_is_refused(self):
		with self.assertRaisesRegex(frappe.ValidationError, "future"):
			make_child(date_of_birth=add_days(today(), 3))

	def test_case_workflow_records_history_and_needs_a_manager_to_close(self):
		worker = caseworker(1)
		child = make_child(caseworker=worker)
		self.assertEqual(child.workflow_state, "Referred")
		self.assertEqual([row.state for row in child.status_history], ["Referred"])

		frappe.set_user(worker)
		child = apply_workflow(frappe.get_doc("Child", child.name), "Accept Case")
		child = apply_workflow(frappe.get_doc("Child", child.name), "Request Closure")
		self.assertEqual(child.workflow_state, "Closure Requested")
		with self.assertRaises(WorkflowTransitionError):
			apply_workflow(frappe.get_doc("Child", child.name), "Approve Closure")

		frappe.set_user(manager())
		child = apply_workflow(frappe.get_doc("Child", child.name), "Approve Closure")
		self.assertEqual((child.workflow_state, child.status), ("Closed", "Closed"))
		child = apply_workflow(frappe.get_doc("Child", child.name), "Reopen")
		self.assertEqual(child.status, "Active")
		self.assertEqual(
			[row.state for row in child.status_history],
			["Referred", "Active", "Closure Requested", "Closed", "Active"],
		)
		self.assertTrue(all(row.changed_by for row in child.status_history))

	def test_caseworker_cannot_reopen_a_closed_case(self):
		worker = caseworker(1)
		child = make_child(caseworker=worker)
		frappe.set_user(manager())
		for action in ("Accept Case", "Request Closure", "Approve Closure"):
			child = apply_workflow(frappe.get_doc("Child", child.name), action)
		frappe.set_user(worker)
		with self.assertRaises(WorkflowTransitionError):
			apply_workflow(frappe.get_doc("Child", child.name), "Reopen")

	def test_a_caseworker_who_adds_a_child_holds_the_case(self):
		worker = caseworker(2)
		frappe.set_user(worker)
		child = frappe.get_doc(
			{
				"doctype": "Child",
				"first_name": "Noah",
				"last_name": "Created-By-Caseworker",
				"date_of_birth": add_days(today(), -3000),
				"cohort": "Looked After",
			}
		).insert()
		self.assertEqual(child.caseworker, worker)

	def test_current_school_follows_placements(self):
		school = make_school("990201", "Oakfield Primary")
		child = make_child()
		make_placement(child.name, school, add_days(today(), -30))
		child.reload()
		self.assertEqual(child.current_school, school)
		self.assertEqual(child.current_school_name, "Oakfield Primary")
