"""The reports a Virtual School Head is asked for (issue #23 item 6), and escalations raised on a PP+ claim
or an exclusion from the desk.

One small world, worked out by hand on Friday 21 November 2025 (autumn term 2025-26). Caseworker A holds
a1 (school, two open PEPs: one due in the next ten school days, one overdue), a2 (school age, no school)
and o1, o3 (placed in authorities 887 and 888, with schools); caseworker B holds b1 (school), o2 (in 887,
no school), o5 (in 887, two years old: not of school age), o4 (in 887, left care in June) and c1 (case
closed). Each report's expected rows are written out below, never computed by a query like the report's.
"""

from datetime import date, datetime

import frappe
from frappe.desk.query_report import run as run_report
from frappe.model.workflow import apply_workflow

from virtual_school.calendar.clocks import clear_calendar_cache
from virtual_school.domain import school_days
from virtual_school.escalations.services import open_escalation, raise_escalation
from virtual_school.setup.roles import VIRTUAL_SCHOOL_CASEWORKER
from virtual_school.tests.test_portal_actions import ensure_open_funding_year
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	finance,
	head,
	make_child,
	make_placement,
	make_school,
	make_school_calendar,
	make_user,
)

YEAR = "2025-26"
TODAY = datetime(2025, 11, 21, 12, 0)
A = "vs.headreports.a@example.test"
B = "vs.headreports.b@example.test"
# The reports that count rows instead of naming children or schools: tests/test_report_caseload.py, which
# looks for children's and schools' names in every caseworker report, leaves these to this module.
AGGREGATE_REPORTS = (
	"Escalations by Level and Age",
	"Out-of-Authority Children by Host Authority",
	"Caseload by Caseworker",
	"Advice Requests",
)


def run(report: str, user: str, **filters) -> list[dict]:
	"""The report's rows as ``user`` sees them, through Frappe's own entry point."""
	frappe.set_user(user)
	try:
		result = run_report(report, filters=filters, ignore_prepared_report=True)
	finally:
		frappe.set_user("Administrator")
	return [row for row in result["result"] if isinstance(row, dict)]


def pick(rows: list[dict], fields: tuple[str, ...]) -> list[tuple]:
	return [tuple(row[field] for field in fields) for row in rows]


class TestHeadReports(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		for user in (A, B):
			make_user(user, VIRTUAL_SCHOOL_CASEWORKER)

	def setUp(self):
		super().setUp()
		self.enterContext(self.freeze_time(TODAY))
		make_school_calendar(YEAR, school_days.standard_term_pattern(YEAR))
		clear_calendar_cache()
		self.school = make_school("994801", "Head Reports Primary")
		nine = date(2016, 3, 1)

		def child(first, worker, resident_la="886", school=True, **values):
			doc = make_child(
				first,
				caseworker=worker,
				resident_la=resident_la,
				date_of_birth=values.pop("dob", nine),
				**values,
			)
			if school:
				frappe.db.set_value("Child", doc.name, "current_school", self.school)
			return doc.name

		self.a1 = child("A1", A)
		self.a2 = child("A2", A, school=False)
		self.o1 = child("O1", A, resident_la="887")
		self.o3 = child("O3", A, resident_la="888")
		self.b1 = child("B1", B)
		self.o2 = child("O2", B, resident_la="887", school=False)
		self.o5 = child("O5", B, resident_la="887", school=False, dob=date(2023, 6, 1))
		self.o4 = child("O4", B, resident_la="887", date_entered_care=date(2020, 1, 1))
		frappe.db.set_value("Child", self.o4, "date_left_care", date(2025, 6, 1))
		self.c1 = child("C1", B)
		frappe.db.set_value("Child", self.c1, "status", "Closed")

		def pep(child, due, meeting=None, approved=False):
			doc = frappe.get_doc(
				{
					"doctype": "Personal Education Plan",
					"child": child,
					"school": self.school,
					"due_date": due,
					"academic_year": YEAR,
					"meeting_date": meeting,
				}
			).insert()
			if approved:
				frappe.db.set_value("Personal Education Plan", doc.name, "workflow_state", "Approved")

		pep(self.a1, date(2025, 11, 28))  # due within ten school days (to 5 December)
		pep(self.a1, date(2025, 11, 14))  # overdue
		pep(self.a1, date(2026, 1, 20))  # neither
		pep(self.o1, date(2025, 10, 15), meeting=date(2025, 10, 10), approved=True)  # held on time
		pep(self.o1, date(2026, 3, 1))  # due in the year, not yet held
		pep(self.o3, date(2025, 11, 1), meeting=date(2025, 11, 5), approved=True)  # held late
		self.exclusion_a2 = self.exclusion(self.a2)

	def exclusion(self, child: str) -> str:
		return (
			frappe.get_doc(
				{
					"doctype": "Exclusion",
					"child": child,
					"school": self.school,
					"exclusion_type": "Suspension",
					"start_date": date(2025, 11, 3),
					"school_days": 2,
					"reason": "Damage",
				}
			)
			.insert()
			.name
		)

	def escalate(self, doctype: str, name: str, opened: date):
		with self.freeze_time(datetime.combine(opened, datetime.min.time())):
			return open_escalation(doctype, name, "a concern", on_date=opened)

	def make_escalations(self):
		"""E1 on a1 (3 days at level 1); E2 on b1 (51 days at level 1); E3 on a2's exclusion, opened 32
		days ago but raised to level 2 eleven days ago; E4 on b1, resolved."""
		self.e1 = self.escalate("Child", self.a1, date(2025, 11, 18)).name
		self.e2 = self.escalate("Child", self.b1, date(2025, 10, 1)).name
		e3 = self.escalate("Exclusion", self.exclusion_a2, date(2025, 10, 20))
		with self.freeze_time(datetime(2025, 11, 10, 9, 0)):
			e3.flags.on_date = date(2025, 11, 10)
			apply_workflow(e3, "Raise")
		self.e3 = e3.name
		e4 = self.escalate("Child", self.b1, date(2025, 11, 1))
		apply_workflow(e4, "Resolve")

	# --- Escalations by Level and Age -------------------------------------------------------------------

	ESCALATION_FIELDS = (
		"level",
		"open",
		"days_0_7",
		"days_8_14",
		"days_15_28",
		"days_over_28",
		"oldest_days",
	)

	def test_escalations_by_level_and_age(self):
		self.make_escalations()
		rows = run("Escalations by Level and Age", head())
		self.assertEqual(
			pick(rows, self.ESCALATION_FIELDS),
			[(1, 2, 1, 0, 0, 1, 51), (2, 1, 0, 1, 0, 0, 11), (3, 0, 0, 0, 0, 0, 0), (4, 0, 0, 0, 0, 0, 0)],
		)
		self.assertEqual([row["oldest_escalation"] for row in rows], [self.e2, self.e3, None, None])
		only = run("Escalations by Level and Age", head(), reference_doctype="Exclusion")
		self.assertEqual(
			pick(only, ("level", "open", "days_8_14")), [(1, 0, 0), (2, 1, 1), (3, 0, 0), (4, 0, 0)]
		)
		with self.assertRaises(frappe.ValidationError):
			run("Escalations by Level and Age", head(), reference_doctype="User")

	def test_escalations_by_level_and_age_caseworker_scope(self):
		self.make_escalations()
		fields = ("level", "open", "oldest_days", "oldest_escalation")
		self.assertEqual(
			pick(run("Escalations by Level and Age", A), fields)[:2],
			[(1, 1, 3, self.e1), (2, 1, 11, self.e3)],
		)
		self.assertEqual(
			pick(run("Escalations by Level and Age", B), fields)[:2], [(1, 1, 51, self.e2), (2, 0, 0, None)]
		)

	# --- Out-of-Authority Children by Host Authority -----------------------------------------------------

	OOA_FIELDS = ("host_authority", "children", "with_place", "without_place", "peps_due", "held_on_time")

	def ooa(self, user: str) -> list[tuple]:
		rows = run("Out-of-Authority Children by Host Authority", user, academic_year=YEAR)
		rows.sort(key=lambda row: row["host_authority"])  # the report puts the most children first
		return [
			(*row, percent)
			for row, percent in zip(
				pick(rows, self.OOA_FIELDS), (r["on_time_percent"] for r in rows), strict=True
			)
		]

	def test_out_of_authority_children_by_host_authority(self):
		# 887: o1, o2, o5 (o4 left care); o5 is two, so neither with nor without a place
		self.assertEqual(self.ooa(head()), [("887", 3, 1, 1, 2, 1, 50.0), ("888", 1, 1, 0, 1, 0, 0)])

	def test_out_of_authority_caseworker_scope(self):
		self.assertEqual(self.ooa(A), [("887", 1, 1, 0, 2, 1, 50.0), ("888", 1, 1, 0, 1, 0, 0)])
		self.assertEqual(self.ooa(B), [("887", 2, 0, 1, 0, 0, 0)])

	# --- Caseload by Caseworker ---------------------------------------------------------------------------

	CASELOAD_FIELDS = (
		"caseworker",
		"children",
		"without_place",
		"peps_due_soon",
		"peps_overdue",
		"escalations",
		"escalated_above_1",
	)

	def test_caseload_by_caseworker(self):
		self.make_escalations()
		rows = [row for row in run("Caseload by Caseworker", head()) if row["caseworker"] in (A, B)]
		# A: a1, a2, o1, o3; a2 without a place; a1's PEPs; E1 and E3 (at level 2)
		# B: b1, o2, o5, o4 (c1 closed); o2 without a place (o5 is two); E2 (E4 resolved)
		self.assertEqual(pick(rows, self.CASELOAD_FIELDS), [(A, 4, 1, 1, 1, 2, 1), (B, 4, 1, 0, 0, 1, 0)])

	def test_caseload_by_caseworker_shows_a_caseworker_their_own_row(self):
		self.make_escalations()
		frappe.share.add("Child", self.b1, A, read=1)  # shared with A: still counted on B's row only
		self.assertEqual(
			pick(run("Caseload by Caseworker", A), self.CASELOAD_FIELDS), [(A, 4, 1, 1, 1, 2, 1)]
		)
		self.assertEqual(
			pick(run("Caseload by Caseworker", B), self.CASELOAD_FIELDS), [(B, 4, 1, 0, 0, 1, 0)]
		)

	# --- Advice Requests ------------------------------------------------------------------------------------

	ADVICE_FIELDS = (
		"topic",
		"month",
		"previously_looked_after",
		"child_with_a_social_worker",
		"kinship_care",
		"looked_after",
		"requests",
		"still_open",
	)

	def make_advice(self):
		for requested_on, topic, cohort, child, status in (
			(date(2025, 10, 3), "Admissions", "Previously Looked After", None, "Open"),
			(date(2025, 10, 20), "Admissions", "Kinship Care", None, "Advised"),
			(date(2025, 11, 5), "Attendance", "Child with a Social Worker", self.b1, "Open"),
			(date(2025, 11, 10), "Admissions", "Looked After", self.a1, "Advised"),
			(date(2024, 9, 1), "Admissions", "Previously Looked After", None, "Open"),  # before the range
		):
			frappe.get_doc(
				{
					"doctype": "Advice Request",
					"requested_on": requested_on,
					"requester_type": "School",
					"cohort": cohort,
					"child": child,
					"topic": topic,
					"question": "a question",
					"status": status,
				}
			).insert()

	def advice(self, user: str) -> list[tuple]:
		rows = run("Advice Requests", user, from_date="2025-10-01", to_date="2025-11-30")
		return pick(rows, self.ADVICE_FIELDS)

	def test_advice_requests_by_topic_and_month(self):
		self.make_advice()
		self.assertEqual(
			self.advice(head()),
			[
				("Admissions", "Oct 2025", 1, 0, 1, 0, 2, 1),
				("Admissions", "Nov 2025", 0, 0, 0, 1, 1, 0),
				("Attendance", "Nov 2025", 0, 1, 0, 0, 1, 1),
			],
		)
		with self.assertRaises(frappe.ValidationError):
			run("Advice Requests", head(), from_date="2025-11-30", to_date="2025-10-01")

	def test_advice_requests_caseworker_scope(self):
		"""Advice about no child is the team's; advice about a child follows the caseload."""
		self.make_advice()
		self.assertEqual(
			self.advice(A),
			[("Admissions", "Oct 2025", 1, 0, 1, 0, 2, 1), ("Admissions", "Nov 2025", 0, 0, 0, 1, 1, 0)],
		)
		self.assertEqual(
			self.advice(B),
			[("Admissions", "Oct 2025", 1, 0, 1, 0, 2, 1), ("Attendance", "Nov 2025", 0, 1, 0, 0, 1, 1)],
		)

	# --- Escalations raised on a PP+ claim or an exclusion --------------------------------------------------

	def claim(self, child: str) -> str:
		"""A claim for the child at their school (PP+ is paid to the school the child is on roll at)."""
		make_placement(child, self.school, date(2025, 9, 1))
		return (
			frappe.get_doc(
				{
					"doctype": "PP Plus Claim",
					"child": child,
					"school": self.school,
					"funding_year": ensure_open_funding_year(),
					"claim_date": date(2025, 11, 20),
					"amount": 200,
					"category": "Tuition",
					"description": "Tuition",
				}
			)
			.insert()
			.name
		)

	def test_raise_escalation_on_a_claim_and_an_exclusion(self):
		claim = self.claim(self.a1)
		frappe.set_user(A)
		on_claim = frappe.get_doc("Escalation", raise_escalation("PP Plus Claim", claim, "Decision stalled"))
		on_exclusion = frappe.get_doc(
			"Escalation", raise_escalation("Exclusion", self.exclusion_a2, "Reinstate")
		)
		frappe.set_user("Administrator")
		self.assertEqual(
			(on_claim.reference_doctype, on_claim.child, on_claim.level, on_claim.escalation_owner),
			("PP Plus Claim", self.a1, 1, A),
		)
		self.assertEqual((on_exclusion.reference_doctype, on_exclusion.child), ("Exclusion", self.a2))

	def test_raise_escalation_refusals(self):
		"""Another caseload's record, a user who may not create escalations (Finance reads approved claims),
		a record type outside the ladder."""
		theirs = self.exclusion(self.b1)
		approved = self.claim(self.a1)
		frappe.db.set_value("PP Plus Claim", approved, "workflow_state", "Approved")
		for user, doctype, name in (
			(A, "Exclusion", theirs),
			(finance(), "PP Plus Claim", approved),
			(A, "School", self.school),
		):
			with self.subTest(user=user, doctype=doctype):
				frappe.set_user(user)
				try:
					with self.assertRaises(frappe.PermissionError):
						raise_escalation(doctype, name, "a concern")
				finally:
					frappe.set_user("Administrator")
		self.assertFalse(frappe.db.exists("Escalation", {"reference_name": ["in", [theirs, approved]]}))
