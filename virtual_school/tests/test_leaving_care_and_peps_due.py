"""Issue #18 items 9-11 on a site: every looked-after child's PEP obligation (PEPs Due lists a child nobody
created a PEP for), and leaving care (SSDA903 reasons, the 18th birthday) ending the looked-after cohort with
history, PEP obligations and new PP+ claims. Dates are worked out by hand on England's 2025-26 calendar."""

from datetime import date, datetime
from types import SimpleNamespace
from unittest.mock import patch

import frappe
from frappe.desk.query_report import run as run_report

from virtual_school.calendar.clocks import clear_calendar_cache
from virtual_school.children.leaving_care import apply_episodes, end_care_at_eighteen
from virtual_school.children.vocabulary import (
	EIGHTEENTH_BIRTHDAY,
	LEFT_CARE,
	LOOKED_AFTER,
	LOOKED_AFTER_FIELDS,
	PREVIOUSLY_LOOKED_AFTER,
	child_looked_after_on,
	is_looked_after_on,
	looked_after_on,
)
from virtual_school.domain import school_days
from virtual_school.peps import services as peps_services
from virtual_school.peps.services import escalate_children_without_pep
from virtual_school.peps.vocabulary import held_on_time, is_held_on_time
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	make_child,
	make_school,
	make_school_calendar,
	manager,
)
from virtual_school.virtual_school.report.pep_compliance.pep_compliance import execute as pep_compliance

YEAR = "2025-26"
TODAY = datetime(2025, 11, 10, 12, 0)  # Monday, autumn term


def episode(start, end=None, reason=None):
	return SimpleNamespace(start=start, end=end, reason_ceased=reason)


class TestLeavingCareAndPepsDue(VirtualSchoolTestCase):
	def setUp(self):
		super().setUp()
		self.enterContext(self.freeze_time(TODAY))
		make_school_calendar(YEAR, school_days.standard_term_pattern(YEAR))
		clear_calendar_cache()
		self.worker = caseworker(1)

	def peps_due(self, user, on_date=date(2025, 11, 10)) -> dict:
		frappe.set_user(user)
		try:
			result = run_report("PEPs Due", filters={"on_date": on_date}, ignore_prepared_report=True)
		finally:
			frappe.set_user("Administrator")
		return {row["child"]: row for row in result["result"] if isinstance(row, dict)}

	def test_peps_due_lists_a_looked_after_child_with_no_pep(self):
		# Entered care in an emergency on Monday 3 November 2025: the PEP is started with the care plan within
		# 10 working days (CPPCR reg 4): Monday 17 November.
		emergency = make_child(
			"Nopep",
			caseworker=self.worker,
			date_of_birth=date(2016, 4, 1),
			date_entered_care=date(2025, 11, 3),
			emergency_placement=1,
		)
		# Returned home (E4A) on 1 November: no longer looked after, so no row.
		home = make_child(
			"Home",
			caseworker=self.worker,
			date_of_birth=date(2016, 4, 2),
			date_entered_care=date(2024, 1, 8),
			date_left_care=date(2025, 11, 1),
		)
		rows = self.peps_due(self.worker)
		row = rows[emergency.name]
		self.assertEqual(row["pep_state"], "No PEP")
		self.assertIsNone(row["pep"])
		self.assertEqual(row["next_due"], date(2025, 11, 17))
		self.assertIn("10 working days", row["next_due_rule"])
		self.assertEqual(row["missed"], 0)
		self.assertNotIn(home.name, rows)
		# A week after the start-by date it is missed; the next is the first review, 20 working days after
		# entering care: Monday 1 December.
		late = self.peps_due(self.worker, date(2025, 11, 24))[emergency.name]
		self.assertEqual((late["missed"], late["first_missed"]), (1, date(2025, 11, 17)))
		self.assertEqual(late["next_due"], date(2025, 12, 1))
		# Another caseworker does not see the child.
		self.assertNotIn(emergency.name, self.peps_due(caseworker(2)))

	def test_meeting_on_time_and_approved_on_time_are_both_shown(self):
		child = make_child(
			"Met", caseworker=self.worker, date_of_birth=date(2016, 4, 3), date_entered_care=date(2024, 1, 8)
		)
		pep = frappe.get_doc(
			{
				"doctype": "Personal Education Plan",
				"child": child.name,
				"due_date": date(2025, 11, 7),
				"meeting_date": date(2025, 11, 6),
			}
		).insert()
		frappe.db.set_value(
			"Personal Education Plan",
			pep.name,
			{"workflow_state": "Approved", "completed_on": date(2025, 11, 10)},
		)
		row = self.peps_due(manager())[child.name]
		self.assertEqual(row["pep"], pep.name)
		self.assertEqual((row["meeting_on_time"], row["approved_on_time"]), (1, 0))

	def test_a_pp_plus_claim_for_a_child_who_left_care_is_refused(self):
		child = make_child(
			"Leaver",
			caseworker=self.worker,
			date_of_birth=date(2016, 4, 4),
			date_entered_care=date(2024, 1, 8),
		)
		doc = frappe.get_doc("Child", child.name)
		doc.date_left_care = date(2025, 11, 3)  # returned home (by hand)
		doc.save()
		school = make_school("991801", "Leaver Primary")
		frappe.set_user(self.worker)
		try:
			with self.assertRaisesRegex(
				frappe.ValidationError,
				"left care on 03-11-2025: from that day the virtual school makes no Pupil Premium Plus",
			):
				frappe.get_doc(
					{
						"doctype": "PP Plus Claim",
						"child": child.name,
						"school": school,
						"claim_date": date(2025, 11, 10),
						"amount": 100,
						"category": "Tuition",
						"description": "Maths tuition",
					}
				).insert()
		finally:
			frappe.set_user("Administrator")
		history = frappe.get_doc("Child", child.name).status_history[-1]
		self.assertEqual((history.state, history.cohort), (LEFT_CARE, LOOKED_AFTER))
		self.assertEqual(history.effective_on, date(2025, 11, 3))

	def test_leaving_at_18_ends_the_cohort_with_history(self):
		adult = make_child(
			"Adult",
			caseworker=self.worker,
			date_of_birth=date(2007, 11, 8),
			date_entered_care=date(2020, 1, 6),
		)
		younger = make_child(
			"Younger",
			caseworker=self.worker,
			date_of_birth=date(2007, 11, 11),
			date_entered_care=date(2020, 1, 6),
		)
		self.assertEqual(end_care_at_eighteen(date(2025, 11, 10)), [adult.name])
		self.assertEqual(end_care_at_eighteen(date(2025, 11, 10)), [])  # idempotent
		values = frappe.db.get_value("Child", adult.name, ["date_left_care", "cohort"], as_dict=True)
		self.assertEqual((values.date_left_care, values.cohort), (date(2025, 11, 8), LOOKED_AFTER))
		self.assertIsNone(frappe.db.get_value("Child", younger.name, "date_left_care"))
		history = frappe.get_doc("Child", adult.name).status_history
		self.assertEqual(
			[(row.state, row.effective_on, row.reason) for row in history if row.reason],
			[(LEFT_CARE, date(2025, 11, 8), EIGHTEENTH_BIRTHDAY)],
		)
		# Looked after the day before the birthday, not from it.
		child = frappe.qb.DocType("Child")

		def looked_after(day):
			return {
				name
				for (name,) in frappe.qb.from_(child)
				.select(child.name)
				.where(looked_after_on(child, day) & child.name.isin([adult.name, younger.name]))
				.run()
			}

		self.assertEqual(looked_after(date(2025, 11, 7)), {adult.name, younger.name})
		self.assertEqual(looked_after(date(2025, 11, 8)), {younger.name})
		self.assertNotIn(adult.name, self.peps_due(self.worker))

	def test_ssda903_reasons_decide_previously_looked_after_or_left(self):
		adopted = frappe.get_doc("Child", make_child("Adopted", date_of_birth=date(2016, 4, 5)).name)
		apply_episodes(adopted, [episode(date(2024, 1, 8), date(2025, 10, 20), "E11")], adopted.date_of_birth)
		adopted.save()
		home = frappe.get_doc("Child", make_child("Home", date_of_birth=date(2016, 4, 6)).name)
		apply_episodes(home, [episode(date(2024, 1, 8), date(2025, 10, 20), "E4A")], home.date_of_birth)
		home.save()
		still = frappe.get_doc("Child", make_child("Still", date_of_birth=date(2016, 4, 7)).name)
		apply_episodes(still, [episode(date(2024, 1, 8), date(2025, 10, 20), "X1")], still.date_of_birth)
		still.save()
		self.assertEqual(
			(adopted.cohort, adopted.date_left_care), (PREVIOUSLY_LOOKED_AFTER, date(2025, 10, 20))
		)
		self.assertEqual(adopted.status_history[-1].state, PREVIOUSLY_LOOKED_AFTER)
		self.assertIn("E11", adopted.status_history[-1].reason)
		self.assertEqual((home.cohort, home.date_left_care), (LOOKED_AFTER, date(2025, 10, 20)))
		self.assertEqual(home.status_history[-1].state, LEFT_CARE)
		self.assertIn("E4A", home.status_history[-1].reason)
		self.assertIsNone(still.date_left_care)
		self.assertEqual((adopted.date_of_death, home.date_of_death, still.date_of_death), (None, None, None))

	def test_ssda903_reason_died_records_the_date_of_death(self):
		"""REC E2 "Died": the DEC is the date of death (the retention rule on death, CPPCR 2010 reg 50)."""
		died = frappe.get_doc("Child", make_child("Died", date_of_birth=date(2016, 4, 8)).name)
		apply_episodes(died, [episode(date(2024, 1, 8), date(2025, 10, 20), "E2")], died.date_of_birth)
		died.save()
		self.assertEqual(
			(died.date_left_care, frappe.utils.getdate(died.date_of_death)),
			(date(2025, 10, 20), date(2025, 10, 20)),
		)

	def test_a_child_without_a_pep_counts_in_pep_compliance_and_is_escalated_once(self):
		# Entered care (planned) on Monday 6 October 2025: ready for the first review 20 working days later,
		# Monday 3 November; on 10 November that is missed and no PEP was ever created.
		worker = caseworker(3)
		child = make_child(
			"Owed", caseworker=worker, date_of_birth=date(2016, 4, 8), date_entered_care=date(2025, 10, 6)
		)
		frappe.set_user(worker)
		try:
			_columns, data, _message, _chart = pep_compliance(
				{"academic_year": YEAR, "group_by": "Caseworker", "on_date": date(2025, 11, 10)}
			)
		finally:
			frappe.set_user("Administrator")
		self.assertEqual(len(data), 1)
		row = data[0]
		self.assertEqual(
			(row.group, row.due, row.no_pep, row.no_pep_missed, row.held_on_time, row.on_time_percent),
			(worker, 0, 1, 1, 0, 0),
		)

		def theirs(table):  # the site may hold other children owed a PEP longer (the cap is per day)
			return table.caseworker == worker

		opened = escalate_children_without_pep(date(2025, 11, 10), scope=theirs)
		mine = [
			name for name in opened if frappe.db.get_value("Escalation", name, "reference_name") == child.name
		]
		self.assertEqual(len(mine), 1)
		self.assertIn(
			"has no PEP: one was due on 03-11-2025", frappe.db.get_value("Escalation", mine[0], "reason")
		)
		self.assertNotIn(mine[0], escalate_children_without_pep(date(2025, 11, 11), scope=theirs))

	def test_missing_pep_escalations_are_capped_a_day_longest_overdue_first(self):
		"""A first run must not open one escalation per child in one morning (peps.services): with a cap of one
		a day, the child owed a PEP longest is escalated first and the other the next day."""
		worker = caseworker(3)
		# entered care years ago (the longest overdue on any test site) and a year later
		first = make_child(
			"Owed", caseworker=worker, date_of_birth=date(2012, 4, 8), date_entered_care=date(2015, 1, 5)
		)
		second = make_child(
			"Owed", caseworker=worker, date_of_birth=date(2012, 4, 9), date_entered_care=date(2016, 1, 4)
		)

		def children_escalated(day):  # these two: the site may hold other children owed a PEP
			return [
				frappe.db.get_value("Escalation", name, "reference_name")
				for name in escalate_children_without_pep(
					day, scope=lambda table: table.name.isin([first.name, second.name])
				)
			]

		with patch.object(peps_services, "MISSING_PEP_ESCALATIONS_PER_DAY", 1):
			self.assertEqual(children_escalated(date(2025, 11, 10)), [first.name])
			self.assertEqual(children_escalated(date(2025, 11, 11)), [second.name])

	def test_the_sql_criteria_give_the_python_rules_answers_on_the_edge_days(self):
		"""``looked_after_on`` and ``held_on_time`` (SQL) against ``is_looked_after_on`` and
		``is_held_on_time`` (Python) on the days around each edge."""
		cases = [  # cohort, date of birth, entered care, left care
			(LOOKED_AFTER, date(2007, 11, 8), date(2020, 1, 6), None),  # 18 on 8 November 2025
			(LOOKED_AFTER, date(2016, 4, 9), date(2025, 11, 7), None),  # entered care on 7 November
			(LOOKED_AFTER, date(2016, 4, 10), date(2024, 1, 8), date(2025, 11, 7)),  # returned home
			(PREVIOUSLY_LOOKED_AFTER, date(2016, 4, 11), date(2024, 1, 8), date(2025, 11, 7)),  # adopted
			(PREVIOUSLY_LOOKED_AFTER, date(2016, 4, 12), None, None),  # from another authority's care
			("Kinship Care", date(2016, 4, 13), None, None),
			(LOOKED_AFTER, date(2016, 4, 14), None, None),  # no care dates recorded
		]
		names = {}
		for cohort, born, entered, left in cases:
			name = make_child(
				"Edge", cohort=cohort, date_of_birth=born, date_entered_care=entered, date_left_care=left
			).name
			names[name] = (cohort, born, entered, left)
		child = frappe.qb.DocType("Child")
		for day in (date(2025, 11, 6), date(2025, 11, 7), date(2025, 11, 8), date(2025, 11, 9)):
			found = set(
				frappe.qb.from_(child)
				.select(child.name)
				.where(looked_after_on(child, day) & child.name.isin(list(names)))
				.run(pluck=True)
			)
			expected = {name for name, values in names.items() if is_looked_after_on(*values, day)}
			self.assertEqual(found, expected, day)
			# the same rule on each child's stored row, as the case summary, letters and exclusions read it
			stored = frappe.get_all("Child", {"name": ("in", list(names))}, ["name", *LOOKED_AFTER_FIELDS])
			self.assertEqual({row.name for row in stored if child_looked_after_on(row, day)}, expected, day)
			self.assertTrue(expected, day)  # each day has children either way: the comparison means something
			self.assertLess(len(expected), len(names), day)
		pep_child = next(iter(names))
		peps = {}
		for meeting, due in (
			(date(2025, 11, 7), date(2025, 11, 7)),
			(date(2025, 11, 8), date(2025, 11, 7)),
			(None, date(2025, 11, 7)),
		):
			doc = frappe.get_doc(
				{
					"doctype": "Personal Education Plan",
					"child": pep_child,
					"due_date": due,
					"meeting_date": meeting,
				}
			).insert()
			peps[doc.name] = (meeting, due)
		pep = frappe.qb.DocType("Personal Education Plan")
		found = set(
			frappe.qb.from_(pep)
			.select(pep.name)
			.where(held_on_time(pep) & pep.name.isin(list(peps)))
			.run(pluck=True)
		)
		self.assertEqual(
			found, {name for name, (meeting, due) in peps.items() if is_held_on_time(meeting, due)}
		)
		self.assertEqual(len(found), 1)
