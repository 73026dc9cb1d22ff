"""Issue #21: every escalation carries its child's name, whoever opens it (480 of 481 on the demo read "ESC-00001").

Frappe copies ``fetch_from`` values (``child.full_name``) before ``validate``, where the Escalation controller
derives ``child`` from the record, so the name was empty unless the creator set ``child`` itself. The controller
now copies it (``Escalation.set_child_name``); ``patches/fill_escalation_child_names`` fills stored rows."""

from datetime import date

import frappe

from virtual_school.escalations.services import open_escalation, run_daily_sweep
from virtual_school.escalations.vocabulary import ESCALATABLE
from virtual_school.patches import fill_escalation_child_names
from virtual_school.peps.services import escalate_overdue_peps
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	make_child,
	make_placement,
	make_school,
	make_school_calendar,
)

TERMS = [
	{"term_name": "Autumn 1", "start_date": date(2031, 9, 1), "end_date": date(2031, 10, 24)},
	{"term_name": "Autumn 2", "start_date": date(2031, 11, 3), "end_date": date(2031, 12, 19)},
]


class TestEscalationChildName(VirtualSchoolTestCase):
	def setUp(self):
		super().setUp()
		make_school_calendar("2031-32", TERMS)
		self.worker = caseworker(1)
		self.school = make_school("990931", "Naming Primary")
		self.child = make_child(
			"Nadia",
			caseworker=self.worker,
			date_of_birth=date(2022, 1, 5),
			date_entered_care=date(2031, 9, 1),
		)

	# one record of each kind an escalation may be about that names a child (vocabulary.ESCALATABLE)
	def child_record(self, doctype: str) -> str:
		make = {
			"Child": lambda: self.child.name,
			"School Place Request": self.place_request,
			"Personal Education Plan": self.pep,
			"PP Plus Claim": self.pp_plus_claim,
			"Exclusion": self.exclusion,
		}
		self.assertIn(doctype, make, f"add a {doctype} factory: escalations on it must name the child")
		return make[doctype]()

	def place_request(self) -> str:
		return (
			frappe.get_doc(
				{
					"doctype": "School Place Request",
					"child": self.child.name,
					"date_needed": date(2031, 9, 1),
					"reason": "Entered care",
					"approaches": [{"school": self.school, "date_asked": date(2031, 9, 1)}],
				}
			)
			.insert()
			.name
		)

	def placed(self) -> None:
		if not frappe.db.exists("Education Placement", {"child": self.child.name}):
			make_placement(self.child.name, self.school, date(2031, 9, 1))

	def pp_plus_claim(self) -> str:
		self.placed()
		if not frappe.db.exists("PP Plus Funding Year", "2031-32"):
			frappe.get_doc(
				{
					"doctype": "PP Plus Funding Year",
					"label": "2031-32",
					"rate_per_child": 2630,
					"top_slice_percent": 0,
				}
			).insert()
		return (
			frappe.get_doc(
				{
					"doctype": "PP Plus Claim",
					"child": self.child.name,
					"school": self.school,
					"funding_year": "2031-32",
					"claim_date": date(2031, 10, 1),
					"amount": 100,
					"category": "Tuition",
					"description": "Reading tuition",
				}
			)
			.insert()
			.name
		)

	def exclusion(self) -> str:
		self.placed()
		return (
			frappe.get_doc(
				{
					"doctype": "Exclusion",
					"child": self.child.name,
					"school": self.school,
					"exclusion_type": "Suspension",
					"start_date": date(2031, 10, 7),
					"school_days": 1,
					"reason": "Bullying",
				}
			)
			.insert()
			.name
		)

	def pep(self) -> str:
		self.placed()
		return (
			frappe.get_doc(
				{
					"doctype": "Personal Education Plan",
					"child": self.child.name,
					"due_date": date(2031, 10, 6),
				}
			)
			.insert()
			.name
		)

	def assert_named(self, names):
		self.assertTrue(names)
		for name in names:
			self.assertEqual(
				frappe.db.get_value("Escalation", name, ["child", "child_name"]),
				(self.child.name, self.child.full_name),
				name,
			)

	def test_every_way_of_opening_one_names_the_child(self):
		for doctype, child_field in ESCALATABLE.items():
			if not child_field:
				continue
			with self.subTest(doctype=doctype):
				record = self.child_record(doctype)
				# a job (open_escalation, which every sweep calls) and a caseworker on the desk
				opened = open_escalation(doctype, record, "Test concern", date(2031, 10, 1), f"t:{record}")
				frappe.set_user(self.worker)
				by_hand = frappe.get_doc(
					{
						"doctype": "Escalation",
						"reference_doctype": doctype,
						"reference_name": record,
						"reason": "Raised by hand",
					}
				).insert()
				frappe.set_user("Administrator")
				self.assert_named([opened.name, by_hand.name])

	def test_the_sweeps_name_the_child(self):
		from frappe.model.workflow import apply_workflow

		request = frappe.get_doc("School Place Request", self.place_request())
		frappe.set_user(self.worker)
		apply_workflow(request, "Request Place")
		frappe.set_user("Administrator")

		# the site may hold other overdue records: this test's are those on its records
		def on(record, names):
			return [
				name for name in names if frappe.db.get_value("Escalation", name, "reference_name") == record
			]

		self.assert_named(
			on(request.name, run_daily_sweep(date(2031, 11, 10))["opened"])
		)  # target 29 Sep passed
		pep = self.pep()
		self.assert_named(on(pep, escalate_overdue_peps(date(2031, 10, 8))))

	def test_the_patch_fills_stored_rows(self):
		name = open_escalation("Child", self.child.name, "Stored before the fix", date(2031, 10, 1)).name
		escalation = frappe.qb.DocType("Escalation")
		frappe.qb.update(escalation).set(escalation.child_name, None).where(escalation.name == name).run()
		fill_escalation_child_names.execute()
		self.assert_named([name])
