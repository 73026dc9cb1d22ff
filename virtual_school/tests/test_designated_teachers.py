"""Designated teachers (issue #23 item 4): training records on School Contact, the *Designated Teacher Check*
report and the workspace card *Schools Without a Trained Designated Teacher*.

A hand-worked world on 20 November 2026 (a training counts from 21 November 2024): five schools with
looked-after pupils on roll, one per status, and schools that must not be listed (a pupil who left, a
child with a social worker, a looked-after child placed after the date). Caseworker 1's children are at
the first four schools; caseworker 2's at "Trained" (beside one of caseworker 1's) and "Not Eligible".
"""

from datetime import date

import frappe
from frappe.desk.query_report import run as run_report

from virtual_school.children.vocabulary import CHILD_WITH_A_SOCIAL_WORKER, LOOKED_AFTER
from virtual_school.domain import designated_teacher as rule
from virtual_school.setup import roles
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	finance,
	head,
	make_child,
	make_placement,
	make_school,
	make_school_contact,
	make_user,
	manager,
)
from virtual_school.virtual_school.report.designated_teacher_check import designated_teacher_check

REPORT = "Designated Teacher Check"
ON = date(2026, 11, 20)
PLACED = date(2025, 9, 1)
# school key: (URN, name)
SCHOOLS = {
	"trained": ("996101", "DT Trained Primary"),
	"untrained": ("996102", "DT Untrained Primary"),
	"none": ("996103", "DT None Primary"),
	"inactive": ("996104", "DT Inactive Primary"),
	"ineligible": ("996105", "DT Not Eligible Primary"),
	"left": ("996106", "DT Pupil Left Primary"),
	"social worker": ("996107", "DT Social Worker Primary"),
	"later": ("996108", "DT Placed Later Primary"),
}
EXPECTED = [  # problems first, worst first
	("none", rule.NO_DESIGNATED_TEACHER, None, None),
	("inactive", rule.INACTIVE, "Ina Active", date(2026, 5, 1)),
	("ineligible", rule.NOT_ELIGIBLE, "Nell Igible", date(2026, 6, 1)),
	("untrained", rule.NOT_TRAINED, "Una Trained", date(2024, 11, 20)),  # two years ago to the day
	("trained", rule.OK, "Tess Trained", date(2024, 11, 21)),  # two years ago less a day
]


def contact(school: str, full_name: str, trainings=(), **values) -> str:
	return (
		frappe.get_doc(
			{
				"doctype": "School Contact",
				"school": SCHOOLS[school][0],
				"full_name": full_name,
				"contact_role": values.pop("contact_role", "Designated Teacher"),
				"teacher_status": values.pop("teacher_status", rule.QUALIFIED_TEACHER),
				"trainings": [{"training_date": day, "kind": "Virtual School training"} for day in trainings],
				**values,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


PORTAL_USER = "vs.portal.dt@example.test"


def portal_user() -> str:
	return make_user(PORTAL_USER, roles.SCHOOL_PORTAL_USER, website_user=True)


class TestDesignatedTeacherCheck(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		portal_user()  # make_user commits: never mid-test, where it would commit the test's world

	def setUp(self):
		super().setUp()
		for urn, name in SCHOOLS.values():
			make_school(urn, name)
		self.pupils = {}
		for school, worker in [
			("trained", 1),
			("trained", 2),
			("untrained", 1),
			("none", 1),
			("inactive", 1),
			("ineligible", 2),
		]:
			self.pupils.setdefault(school, []).append(self.pupil(school, worker))
		# not listed: the placement ended before the date; not looked after; placed after the date
		self.pupil("left", 1, end_date=date(2026, 7, 22))
		self.pupil("social worker", 1, cohort=CHILD_WITH_A_SOCIAL_WORKER)
		self.pupil("later", 1, start_date=date(2026, 11, 23))
		# the SENCO at "none" trained, and the school had a designated teacher who left: neither counts there
		contact("none", "Sen Co", [date(2026, 9, 1)], contact_role="SENCO")
		contact("trained", "Tess Trained", [date(2022, 9, 1), date(2024, 11, 21)], email="tess@school.test")
		contact("trained", "Old Teacher", [date(2026, 9, 1)], is_active=0)
		contact("untrained", "Una Trained", [date(2024, 11, 20), date(2027, 1, 10)])  # next one booked
		contact("inactive", "Ina Active", [date(2026, 5, 1)], is_active=0)
		contact("ineligible", "Nell Igible", [date(2026, 6, 1)], teacher_status=rule.NEITHER)
		for school in ("left", "social worker", "later"):
			contact(school, f"Nobody {school.title()}")

	def pupil(self, school, worker, start_date=PLACED, end_date=None, cohort=LOOKED_AFTER):
		child = make_child(
			"Dt",
			caseworker=caseworker(worker),
			cohort=cohort,
			date_of_birth=date(2016, 4, 1),
			date_entered_care=None if cohort != LOOKED_AFTER else date(2024, 1, 8),
		)
		make_placement(child.name, SCHOOLS[school][0], start_date, end_date)
		return child.name

	def rows(self, user, **filters) -> list[dict]:
		frappe.set_user(user)
		try:
			result = run_report(REPORT, filters={"on_date": ON, **filters}, ignore_prepared_report=True)
		finally:
			frappe.set_user("Administrator")
		ours = {urn for urn, _name in SCHOOLS.values()}
		return [row for row in result["result"] if row["school"] in ours]

	def test_each_status_on_the_hand_worked_world_problems_first(self):
		rows = self.rows(head())
		urns = {key: urn for key, (urn, _name) in SCHOOLS.items()}
		self.assertEqual(
			[
				(row["school"], row["status"], row["designated_teacher_name"], row["last_trained"])
				for row in rows
			],
			[(urns[key], status, name, last) for key, status, name, last in EXPECTED],
		)
		by_school = {row["school"]: row for row in rows}
		self.assertEqual(by_school[urns["trained"]]["looked_after_pupils"], 2)
		self.assertEqual(by_school[urns["trained"]]["email"], "tess@school.test")
		self.assertEqual(by_school[urns["ineligible"]]["teacher_status"], rule.NEITHER)
		self.assertEqual([row["is_problem"] for row in rows], [True, True, True, True, False])
		# problems only: the OK school goes
		self.assertEqual(
			[row["school"] for row in self.rows(manager(), problems_only=1)],
			[urns[key] for key, *_rest in EXPECTED[:-1]],
		)
		# a day later the trained teacher's training is two years old: that school is untrained too
		later = {row["school"]: row["status"] for row in self.rows(head(), on_date=date(2026, 11, 21))}
		self.assertEqual(later[urns["trained"]], rule.NOT_TRAINED)

	def test_a_caseworker_sees_the_schools_of_their_caseload_counted_for_their_children(self):
		urns = {key: urn for key, (urn, _name) in SCHOOLS.items()}
		for worker, schools in [
			(1, ["none", "inactive", "untrained", "trained"]),
			(2, ["ineligible", "trained"]),
		]:
			with self.subTest(caseworker=worker):
				rows = self.rows(caseworker(worker))
				self.assertEqual([row["school"] for row in rows], [urns[key] for key in schools])
				self.assertEqual({row["looked_after_pupils"] for row in rows}, {1})

	def test_finance_and_portal_users_cannot_run_the_report_or_the_card(self):
		portal = portal_user()
		make_school_contact(portal, SCHOOLS["trained"][0])
		for user in (finance(), portal):
			with self.subTest(user=user):
				frappe.set_user(user)
				try:
					with self.assertRaises(frappe.PermissionError):
						run_report(REPORT, filters={"on_date": ON}, ignore_prepared_report=True)
					with self.assertRaises(frappe.PermissionError):
						designated_teacher_check.number_card()
				finally:
					frappe.set_user("Administrator")

	def test_the_card_counts_the_reports_problems_in_the_users_scope(self):
		card = frappe.get_doc("Number Card", "Schools Without a Trained Designated Teacher")
		self.assertEqual((card.type, card.is_standard, card.module), ("Custom", 1, "Virtual School"))
		self.enterContext(self.freeze_time(ON))
		ours = {urn for urn, _name in SCHOOLS.values()}
		for user, expected in [(head(), 4), (caseworker(1), 3), (caseworker(2), 1)]:
			with self.subTest(user=user):
				frappe.set_user(user)
				try:
					elsewhere = sum(
						1
						for row in designated_teacher_check.get_data(frappe._dict())
						if row.is_problem and row.school not in ours
					)
					result = frappe.get_attr(card.method)()
				finally:
					frappe.set_user("Administrator")
				self.assertEqual(result["value"] - elsewhere, expected)
				self.assertEqual(result["route"], ["query-report", REPORT])


class TestTrainingRecords(VirtualSchoolTestCase):
	"""Head, Managers and Caseworkers keep a contact's trainings; Finance and portal users do not."""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		portal_user()

	def setUp(self):
		super().setUp()
		self.contact = contact_at_school()

	def add_training(self, user):
		frappe.set_user(user)
		try:
			doc = frappe.get_doc("School Contact", self.contact)
			doc.append("trainings", {"training_date": date(2026, 10, 5), "kind": "Induction"})
			doc.teacher_status = rule.HEADTEACHER
			doc.save()
		finally:
			frappe.set_user("Administrator")
		return frappe.get_doc("School Contact", self.contact)

	def test_desk_roles_that_keep_contacts_record_trainings(self):
		for user in (head(), manager(), caseworker(1)):
			with self.subTest(user=user):
				doc = self.add_training(user)
				self.assertEqual(doc.teacher_status, rule.HEADTEACHER)
				self.assertEqual(doc.trainings[-1].training_date, date(2026, 10, 5))
				frappe.db.rollback()
				self.contact = contact_at_school()

	def test_finance_and_portal_users_do_not(self):
		portal = portal_user()
		make_school_contact(portal, SCHOOLS["trained"][0])
		for user in (finance(), portal):
			with self.subTest(user=user), self.assertRaises(frappe.PermissionError):
				self.add_training(user)
		self.assertEqual(len(frappe.get_doc("School Contact", self.contact).trainings), 1)


def contact_at_school() -> str:
	make_school(*SCHOOLS["trained"])
	return contact("trained", "Tess Trained", [date(2025, 1, 6)])
