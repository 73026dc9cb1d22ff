"""PP+ words spelled once (pp_plus/vocabulary.py), and the drift they ended: the portal's remaining amount and
its claims in one funding year; no allocation shown or claimable for Years 12-13."""

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import frappe
from frappe.tests.utils import change_settings
from frappe.utils import add_days, getdate, today

from virtual_school.domain import pp_plus_budget, school_days
from virtual_school.portal import actions as portal_actions
from virtual_school.portal.pages import my_pupils
from virtual_school.pp_plus import vocabulary
from virtual_school.pp_plus.budget import NoAllocationError
from virtual_school.setup.roles import SCHOOL_PORTAL_USER
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	make_child,
	make_placement,
	make_school,
	make_school_contact,
	make_user,
	mid_autumn,
)

PORTAL_USER = "ppv.own@school.test"
WORKFLOWS = Path(__file__).resolve().parent.parent / "workflows"


def funding_year(label: str, rate: int) -> str:
	if not frappe.db.exists(vocabulary.FUNDING_YEAR, label):
		frappe.get_doc(
			{
				"doctype": vocabulary.FUNDING_YEAR,
				"label": label,
				"rate_per_child": rate,
				"top_slice_percent": 0,
			}
		).insert(ignore_permissions=True)
	return label


def born_for_year_group(group: int, on_date: date) -> date:
	"""A birth date putting a child in National Curriculum year ``group`` on ``on_date``."""
	start_year = school_days.academic_year_bounds(school_days.academic_year_of(on_date))[0].year
	return date(start_year - 1 - (group + 4), 12, 1)  # aged group + 4 on the 31 August before the year


class TestPPPlusVocabulary(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(PORTAL_USER, SCHOOL_PORTAL_USER, website_user=True)

	def setUp(self):
		super().setUp()
		self.enterContext(self.freeze_time(mid_autumn(), tick=True))
		self.today = getdate(today())
		self.school = make_school("991601", "Vocabulary Primary")
		make_school_contact(PORTAL_USER, self.school)
		# the year open today, and the next one (Settings may name it before it opens)
		self.open_year = funding_year(pp_plus_budget.financial_year_of(self.today), 2630)
		self.next_year = funding_year(pp_plus_budget.financial_year_of(add_days(self.today, 366)), 3000)

	def pupil(self, year_group: int = 5):
		child = make_child("Voc", date_of_birth=born_for_year_group(year_group, self.today))
		self.assertEqual(child.year_group, school_days.year_group_name(year_group))
		make_placement(child.name, self.school, add_days(self.today, -60))
		return child

	def target_row(self, child) -> str:
		pep = frappe.get_doc(
			{
				"doctype": "Personal Education Plan",
				"child": child.name,
				"school": self.school,
				"due_date": add_days(self.today, 10),
				"targets": [{"area": "Maths", "target": "Times tables to 12"}],
			}
		).insert()
		pep.db_set("workflow_state", "Submitted")
		return pep.targets[0].name

	def committed_claim(self, child, year: str, amount: int, claim_date: date) -> str:
		claim = frappe.get_doc(
			{
				"doctype": "PP Plus Claim",
				"child": child.name,
				"school": self.school,
				"funding_year": year,
				"claim_date": claim_date,
				"amount": amount,
				"category": "Tuition",
				"description": "Tutor",
			}
		).insert()
		claim.db_set("workflow_state", vocabulary.APPROVED)
		return claim.name

	def remaining_shown(self, child) -> str | None:
		frappe.set_user(PORTAL_USER)
		try:
			return next(row for row in my_pupils() if row["reference"] == child.name)["pp_plus_remaining"]
		finally:
			frappe.set_user("Administrator")

	def request(self, child, amount: str = "100"):
		row = self.target_row(child)
		frappe.set_user(PORTAL_USER)
		try:
			return portal_actions.request_pp_plus(row, amount, "Tuition", "Tutor for times tables")
		finally:
			frappe.set_user("Administrator")

	def allocation(self, year: str) -> Decimal:
		return Decimal(str(frappe.db.get_value(vocabulary.FUNDING_YEAR, year, "per_child_allocation")))

	def test_the_claim_forms_budget_sums_the_committed_claims_of_the_year(self):
		"""``get_child_budget`` (the claim form's panel): approved and paid claims of that year only."""
		from virtual_school.pp_plus.budget import get_child_budget

		child = self.pupil()
		self.committed_claim(child, self.open_year, 300, self.today)
		paid = self.committed_claim(child, self.open_year, 200, self.today)
		frappe.db.set_value("PP Plus Claim", paid, "workflow_state", vocabulary.PAID)
		self.committed_claim(
			child, self.next_year, 999, pp_plus_budget.financial_year_bounds(self.next_year)[0]
		)
		budget = get_child_budget(child.name, self.open_year)
		allocation = self.allocation(self.open_year)
		self.assertEqual(
			(budget["approved"], budget["paid"], budget["remaining"]), (300.0, 200.0, float(allocation - 500))
		)

	def test_the_budget_allocates_only_to_children_looked_after_today(self):
		"""Issue #18: a child who left care keeps the stored cohort but has no allocation from that day."""
		from virtual_school.virtual_school.report.pp_plus_budget.pp_plus_budget import execute as budget

		staying, left = self.pupil(), self.pupil()
		frappe.db.set_value("Child", left.name, "date_left_care", add_days(self.today, -3))
		with change_settings("Virtual School Settings", {"current_funding_year": self.open_year}):
			rows = budget({"funding_year": self.open_year})[1]
		listed = {row.child for row in rows}
		self.assertIn(staying.name, listed)
		self.assertNotIn(left.name, listed)

	# the funding year ----------------------------------------------------------------------------------
	def test_current_funding_year_is_the_settings_year_else_the_one_open(self):
		with change_settings("Virtual School Settings", {"current_funding_year": None}):
			self.assertEqual(vocabulary.current_funding_year(), self.open_year)
			self.assertEqual(vocabulary.current_funding_year(date(1990, 6, 1)), None)
			self.assertEqual(vocabulary.claimable_funding_year(), self.open_year)
		with change_settings("Virtual School Settings", {"current_funding_year": self.next_year}):
			self.assertEqual(vocabulary.current_funding_year(), self.next_year)
			self.assertEqual(vocabulary.claimable_funding_year(), None)

	def test_portal_remaining_and_portal_claims_use_the_same_year(self):
		"""Settings names next year: the portal shows next year's remaining, so it must not file today's
		request in the year open today (it did: the claim ignored Settings). Once Settings names the open
		year, the claim is filed in the year whose remaining amount is shown."""
		child = self.pupil()
		spent = self.committed_claim(
			child, self.next_year, 250, pp_plus_budget.financial_year_bounds(self.next_year)[0]
		)
		with change_settings("Virtual School Settings", {"current_funding_year": self.next_year}):
			self.assertEqual(
				self.remaining_shown(child),
				pp_plus_budget.format_money(self.allocation(self.next_year) - 250),
			)
			with self.assertRaises(frappe.ValidationError):
				self.request(child)
			self.assertEqual(
				frappe.get_all("PP Plus Claim", filters={"child": child.name}, pluck="name"), [spent]
			)
		with change_settings("Virtual School Settings", {"current_funding_year": self.open_year}):
			self.assertEqual(
				self.remaining_shown(child), pp_plus_budget.format_money(self.allocation(self.open_year))
			)
			claim = self.request(child)["name"]
			self.assertEqual(frappe.db.get_value("PP Plus Claim", claim, "funding_year"), self.open_year)

	# who has an allocation -----------------------------------------------------------------------------
	def test_years_12_and_13_have_no_remaining_and_no_claim(self):
		"""PP+ is allocated for looked-after children aged 4 to 15: Reception to Year 11."""
		for group in range(0, 14):
			with self.subTest(year_group=group):
				child = self.pupil(group)
				allocated = group in vocabulary.ALLOCATED_YEAR_GROUPS
				self.assertEqual(vocabulary.has_allocation(child.key_stage), allocated)
				self.assertEqual(self.remaining_shown(child) is not None, allocated)
				if allocated:
					self.assertEqual(self.request(child)["status"], vocabulary.SUBMITTED)
					continue
				with self.assertRaises(NoAllocationError):  # from the portal
					self.request(child)
				with self.assertRaises(NoAllocationError):  # from the desk
					self.committed_claim(child, self.open_year, 100, self.today)
				self.assertFalse(frappe.db.exists("PP Plus Claim", {"child": child.name}))

	def test_an_approved_claim_stays_payable_after_the_child_moves_up(self):
		child = self.pupil(11)
		claim = self.committed_claim(child, self.open_year, 100, self.today)
		frappe.db.set_value("Child", child.name, {"year_group": "Year 12", "key_stage": "KS5"})
		doc = frappe.get_doc("PP Plus Claim", claim)
		doc.description = "Tutor, ten sessions"
		doc.save()  # no NoAllocationError: the check is made when the claim is made

	# the words match the workflows and the SQL matches the words ----------------------------------------
	def test_state_sets_are_the_workflows_states(self):
		for workflow, states, sets in (
			(
				"pp_plus_claim",
				vocabulary.CLAIM_STATES,
				(vocabulary.COMMITTED_STATES, vocabulary.DECIDED_STATES, vocabulary.PORTAL_DECISION_STATES),
			),
			(
				"pp_plus_impact_report",
				vocabulary.IMPACT_STATES,
				(
					vocabulary.IMPACT_DONE_STATES,
					vocabulary.IMPACT_EDITABLE_STATES,
					vocabulary.IMPACT_REVIEWED_STATES,
				),
			),
		):
			with self.subTest(workflow=workflow):
				document = json.loads((WORKFLOWS / f"{workflow}.json").read_text())
				self.assertEqual(set(states), {row["state"] for row in document["states"]})
				for subset in sets:
					self.assertLessEqual(set(subset), set(states))

	def test_committed_criterion_selects_what_the_python_rule_says(self):
		child = self.pupil()
		names = {}
		for state in vocabulary.CLAIM_STATES:
			names[state] = self.committed_claim(child, self.open_year, 10, self.today)
			frappe.db.set_value("PP Plus Claim", names[state], "workflow_state", state)
		claim = frappe.qb.DocType("PP Plus Claim")
		selected = set(
			frappe.qb.from_(claim)
			.select(claim.name)
			.where((claim.child == child.name) & vocabulary.committed(claim))
			.run(pluck=True)
		)
		self.assertEqual(
			selected, {name for state, name in names.items() if state in vocabulary.COMMITTED_STATES}
		)

	def test_allocated_criterion_selects_what_the_python_rule_says(self):
		children = [self.pupil(group) for group in range(0, 14)]
		child = frappe.qb.DocType("Child")
		selected = set(
			frappe.qb.from_(child)
			.select(child.name)
			.where(child.name.isin([row.name for row in children]) & vocabulary.allocated(child))
			.run(pluck=True)
		)
		self.assertEqual(selected, {row.name for row in children if vocabulary.has_allocation(row.key_stage)})
		self.assertEqual(len(selected), len(vocabulary.ALLOCATED_YEAR_GROUPS))
