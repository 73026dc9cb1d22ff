"""The vocabulary modules (``virtual_school.<feature>.vocabulary``): every state set names states of its
workflow (a renamed state fails here), and every SQL criterion returns exactly the rows its Python rule
says, on generated data spanning the edge days."""

import importlib
import json
import pkgutil
from datetime import date, timedelta
from pathlib import Path

import frappe
from frappe.utils import add_days
from pypika import Table
from pypika.terms import Field

import virtual_school
from virtual_school.attendance import vocabulary as attendance_words
from virtual_school.children import vocabulary as children_words
from virtual_school.children.placements import refresh_year_groups
from virtual_school.domain import attendance as attendance_rules
from virtual_school.domain import school_days
from virtual_school.peps import vocabulary as pep_words
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	make_child,
	make_placement,
	make_school,
	mid_autumn,
)

WORKFLOWS = Path(virtual_school.__file__).resolve().parent / "workflows"
# Which workflow a vocabulary module's *_STATES constants name states of: (feature package, constant name
# prefix) -> workflows/<file>.json; the longest matching prefix wins. A module with *_STATES constants and no
# entry here fails the test, so a new vocabulary is declared once, here.
WORKFLOW_OF = {
	("admissions", ""): "school_place_request",
	("children", ""): "child",
	("escalations", ""): "escalation",
	("peps", ""): "personal_education_plan",
	("pp_plus", ""): "pp_plus_claim",
	("pp_plus", "IMPACT_"): "pp_plus_impact_report",
}


def vocabulary_modules() -> dict:
	"""{feature package: its vocabulary module}, for every feature package that has one."""
	found = {}
	for package in pkgutil.iter_modules(virtual_school.__path__):
		if package.ispkg and (Path(package.module_finder.path) / package.name / "vocabulary.py").exists():
			found[package.name] = importlib.import_module(f"virtual_school.{package.name}.vocabulary")
	return found


def state_sets(module) -> dict:
	"""The module's *_STATES constants: {name: tuple of states}."""
	return {
		name: tuple(value)
		for name, value in vars(module).items()
		if name.endswith("_STATES") and isinstance(value, tuple | list | set | frozenset)
	}


def workflow_states(workflow: str) -> set[str]:
	return {row["state"] for row in json.loads((WORKFLOWS / f"{workflow}.json").read_text())["states"]}


def workflow_for(package: str, constant: str) -> str | None:
	matches = [(prefix, wf) for (pkg, prefix), wf in WORKFLOW_OF.items() if pkg == package]
	matches = [(prefix, wf) for prefix, wf in matches if constant.startswith(prefix)]
	return max(matches, key=lambda match: len(match[0]))[1] if matches else None


class TestVocabularyStates(VirtualSchoolTestCase):
	def test_every_state_set_names_states_of_its_workflow(self):
		modules = vocabulary_modules()
		self.assertTrue({package for package, _prefix in WORKFLOW_OF} <= set(modules), modules)
		checked = 0
		for package, module in modules.items():
			for name, states in state_sets(module).items():
				workflow = workflow_for(package, name)
				with self.subTest(module=module.__name__, constant=name):
					self.assertIsNotNone(workflow, "declare its workflow in WORKFLOW_OF")
					self.assertTrue(states, "an empty state set")
					missing = set(states) - workflow_states(workflow)
					self.assertFalse(missing, f"not states of workflows/{workflow}.json: {sorted(missing)}")
					checked += 1
		self.assertGreaterEqual(checked, len(WORKFLOW_OF))

	def test_a_renamed_state_is_caught(self):
		"""The check itself: a state the workflow does not have is reported."""
		self.assertNotIn("Placed (renamed)", workflow_states("school_place_request"))
		self.assertEqual(workflow_for("pp_plus", "IMPACT_DONE_STATES"), "pp_plus_impact_report")
		self.assertEqual(workflow_for("pp_plus", "COMMITTED_STATES"), "pp_plus_claim")
		self.assertIsNone(workflow_for("exclusions", "ANY_STATES"))


class TestVocabularyCriteria(VirtualSchoolTestCase):
	"""Each qb criterion against its Python rule, on rows made for the edge days."""

	def setUp(self):
		super().setUp()
		self.today = mid_autumn()
		self.enterContext(self.freeze_time(self.today, tick=True))

	def test_on_roll_on_a_date(self):
		school = make_school("990931", "Vocabulary Test School")
		start = self.today - timedelta(days=60)
		end = start + timedelta(days=10)
		spans = [(start, end), (start, None), (start, start), (end + timedelta(days=1), None)]
		placements = {}
		for first, last in spans:
			child = make_child("Roll", date_of_birth=self.today - timedelta(days=8 * 365)).name
			placements[make_placement(child, school, first, last).name] = (first, last)
		days = [start - timedelta(days=1), start, start + timedelta(days=1), end, end + timedelta(days=1)]
		days += [self.today + timedelta(days=3650)]
		placement = frappe.qb.DocType("Education Placement")
		for day in days:
			with self.subTest(day=day):
				by_sql = set(
					frappe.qb.from_(placement)
					.select(placement.name)
					.where(placement.name.isin(list(placements)) & children_words.on_roll_on(placement, day))
					.run(pluck=True)
				)
				by_rule = {
					name
					for name, (first, last) in placements.items()
					if children_words.is_on_roll_on(first, last, day)
				}
				self.assertEqual(by_sql, by_rule)
		# the edges themselves: on roll on the start day and the end day, not the day after the end
		self.assertTrue(children_words.is_on_roll_on(start, end, start))
		self.assertTrue(children_words.is_on_roll_on(start, end, end))
		self.assertFalse(children_words.is_on_roll_on(start, end, end + timedelta(days=1)))
		self.assertFalse(children_words.is_on_roll_on(start, end, start - timedelta(days=1)))
		self.assertTrue(children_words.is_on_roll_on(start, None, self.today + timedelta(days=3650)))

	def test_year_group_and_school_age_follow_the_domain_rule(self):
		"""The year-group SQL (placements.refresh_year_groups) and ``of_school_age`` against
		``school_days.key_stage_label``: birthdays either side of 31 August, at 4 and at 18."""
		on_date = self.today  # 15 November: the academic year began this calendar year
		start_year = on_date.year
		births = []
		for age in (3, 4, 5, 11, 15, 16, 17, 18, 19):
			for month_day in ((8, 31), (9, 1)):
				births.append(date(start_year - age, *month_day))
		children = {}
		for born in births:
			doc = make_child("Age", date_of_birth=born)
			children[doc.name] = born
		refresh_year_groups(on_date)
		child = frappe.qb.DocType("Child")
		stored = dict(
			frappe.qb.from_(child)
			.select(child.name, child.key_stage)
			.where(child.name.isin(list(children)))
			.run()
		)
		for name, born in children.items():
			with self.subTest(born=born):
				self.assertEqual(stored[name], school_days.key_stage_label(born, on_date))
		by_sql = set(
			frappe.qb.from_(child)
			.select(child.name)
			.where(child.name.isin(list(children)) & children_words.of_school_age(child))
			.run(pluck=True)
		)
		by_rule = {
			name
			for name, born in children.items()
			if school_days.key_stage_label(born, on_date) not in children_words.NOT_OF_SCHOOL_AGE
		}
		self.assertEqual(by_sql, by_rule)
		self.assertTrue(by_rule and by_rule != set(children))  # both sides of each edge were generated
		# a child without a key stage (no year worked out yet) is not of school age, in SQL as in Python
		frappe.db.set_value("Child", next(iter(by_rule)), "key_stage", None)
		self.assertEqual(
			frappe.qb.from_(child)
			.select(child.name)
			.where((child.name == next(iter(by_rule))) & children_words.of_school_age(child))
			.run(),
			(),
		)
		self.assertFalse(children_words.is_of_school_age(None))

	def test_persistent_and_severe_absence_at_the_boundaries(self):
		"""Every (possible, attended) up to two school weeks, and a long term, through the SQL criteria;
		each must match ``attendance_rules.absence_band`` exactly (10% and 50% missed are in the band)."""
		pairs = [(possible, attended) for possible in range(0, 21) for attended in range(0, possible + 1)]
		pairs += [(130, 117), (130, 118), (130, 65), (130, 66), (131, 118), (131, 65)]
		derived = " union all ".join(
			f"select {i} as row_id, {p} as possible, {a} as attended" for i, (p, a) in enumerate(pairs)
		)
		possible, attended = Field("possible"), Field("attended")
		for criterion, bands in (
			(attendance_words.persistently_absent, {attendance_rules.PERSISTENT, attendance_rules.SEVERE}),
			(attendance_words.severely_absent, {attendance_rules.SEVERE}),
		):
			with self.subTest(criterion=criterion.__name__):
				by_sql = set(
					frappe.db.sql(
						f"select row_id from ({derived}) t where {children_words.to_sql(criterion(possible, attended))}",
						pluck=True,
					)
				)
				by_rule = {
					i for i, (p, a) in enumerate(pairs) if attendance_rules.absence_band(p, a) in bands
				}
				self.assertEqual(by_sql, by_rule)
				self.assertTrue(by_rule)

	def test_pep_completed_on_time(self):
		"""``completed_on_time`` against ``is_completed_on_time`` on the due day, the day after, not done."""
		pep = Table("pep_rows")
		due = self.today
		rows = [
			(state, completed, due)
			for state in (*pep_words.DONE_STATES, "Draft", "Returned")
			for completed in (None, add_days(due, -1), due, add_days(due, 1))
		]
		derived = " union all ".join(
			"select {} as row_id, {} as workflow_state, {} as completed_on, {} as due_date".format(
				i,
				frappe.db.escape(state),
				frappe.db.escape(str(completed)) if completed else "null",
				frappe.db.escape(str(due_date)),
			)
			for i, (state, completed, due_date) in enumerate(rows)
		)
		by_sql = set(
			frappe.db.sql(
				f"select row_id from ({derived}) pep_rows where {children_words.to_sql(pep_words.completed_on_time(pep))}",
				pluck=True,
			)
		)
		by_rule = {
			i
			for i, (state, completed, due_date) in enumerate(rows)
			if pep_words.is_completed_on_time(
				state, completed and date.fromisoformat(str(completed)), due_date
			)
		}
		self.assertEqual(by_sql, by_rule)
		self.assertEqual(len(by_rule), 2 * len(pep_words.DONE_STATES))  # completed before or on the due day
