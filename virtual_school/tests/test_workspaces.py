"""Issue #21: role workspaces. Each role lands on its own workspace, its Custom cards count what the role may
see (a caseworker: their caseload only) with the reports' and annual report's definitions, and Frappe's own
workspaces (Users, Website, Tools, Integrations, Build) leave the team's sidebar but stay a System Manager's.

The workspace checks are read from metadata (every Workspace and Number Card of the module, every app role of
``setup.workspaces.ROLE_WORKSPACES``), so a workspace or card added later is covered without editing this file.
"""

import importlib
from unittest.mock import patch

import frappe
from frappe.desk.desktop import get_workspace_sidebar_items
from frappe.share import add as share
from frappe.utils import add_days, getdate, today

from virtual_school.domain import school_days
from virtual_school.domain.annual_report import percent
from virtual_school.reports.annual_report import gather_figures
from virtual_school.setup import roles
from virtual_school.setup.workspaces import FRAPPE_WORKSPACES, ROLE_WORKSPACES, hide_frappe_workspaces
from virtual_school.shared import workspace_cards as cards
from virtual_school.tests.test_notifications import keep_test_uncommitted
from virtual_school.tests.test_portal_actions import ensure_open_funding_year
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	finance,
	head,
	make_child,
	make_placement,
	make_school,
	make_user,
	manager,
	mid_autumn,
	one_user_per_role,
)

MODULE = "Virtual School"
SYSTEM_MANAGER = "ws.sysmanager@example.test"


def app_workspaces() -> list[str]:
	return frappe.get_all("Workspace", filters={"module": MODULE}, pluck="name")


def sidebar(user: str) -> set[str]:
	frappe.set_user(user)
	try:
		return {page["name"] for page in get_workspace_sidebar_items()["pages"]}
	finally:
		frappe.set_user("Administrator")


def value(method, user: str):
	frappe.set_user(user)
	try:
		return method()["value"]
	finally:
		frappe.set_user("Administrator")


class TestRoleWorkspaces(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(SYSTEM_MANAGER, "System Manager")

	# the workspaces and their cards, from metadata ------------------------------------------
	def test_every_app_workspace_names_cards_charts_and_reports_that_exist(self):
		for name in app_workspaces():
			with self.subTest(workspace=name):
				workspace = frappe.get_doc("Workspace", name)
				self.assertTrue(workspace.roles, f"{name}: restrict it to its roles")
				for row in workspace.number_cards:
					self.assertTrue(
						frappe.db.exists("Number Card", row.number_card_name), row.number_card_name
					)
				for row in workspace.charts:
					self.assertTrue(frappe.db.exists("Dashboard Chart", row.chart_name), row.chart_name)
				for row in workspace.links:
					if row.type == "Link":
						self.assertTrue(frappe.db.exists(row.link_type, row.link_to), row.link_to)
				for row in workspace.shortcuts:
					self.assertTrue(frappe.db.exists(row.type, row.link_to), row.link_to)

	def test_every_custom_card_calls_a_whitelisted_method(self):
		for card in frappe.get_all(
			"Number Card", filters={"module": MODULE, "type": "Custom"}, fields=["name", "method"]
		):
			with self.subTest(card=card.name):
				module, _dot, function = card.method.rpartition(".")
				method = getattr(importlib.import_module(module), function)
				self.assertIn(method, frappe.whitelisted, card.method)

	def test_each_role_is_shown_every_card_of_its_workspace(self):
		"""Frappe drops a card whose ``document_type`` the user cannot read (``number_card.has_permission``):
		a Custom card must name a doctype its role reads, or it silently vanishes from the workspace."""
		for role, workspace in ROLE_WORKSPACES.items():
			user = make_user(f"ws.{frappe.scrub(role)}@example.test", role)
			for row in frappe.get_doc("Workspace", workspace).number_cards:
				with self.subTest(role=role, card=row.number_card_name):
					frappe.set_user(user)
					try:
						self.assertTrue(frappe.has_permission("Number Card", doc=row.number_card_name))
					finally:
						frappe.set_user("Administrator")

	def test_migrate_completes_the_setup_wizard(self):
		"""Until setup is complete Frappe routes every desk user to the setup-wizard page, which answers a
		caseworker 403 (twice) from ``frappe.desk.desk_page.getpage``: converge completes it."""
		from virtual_school.setup.install import converge

		frappe.db.set_single_value("System Settings", "setup_complete", 0)  # hygiene: converge sets it back
		frappe.clear_cache()
		frappe.db.set_value(
			"Role", "All", "two_factor_auth", 0
		)  # the app's policy: desk roles are offered it
		# as on a new site, where converge runs in after_install before the app's doc_events are loaded
		with patch("frappe.get_doc_hooks", return_value={}):
			converge()
		# and two-factor stays with the roles that require it: the save must not leave it on "All" (every
		# desk user would be sent a QR code by email at sign-in, and none could sign in without email)
		self.assertEqual(frappe.db.get_value("Role", "All", "two_factor_auth"), 0)
		self.assertEqual(frappe.db.get_single_value("System Settings", "setup_complete"), 1)
		# an English council's answers: British English dates ("5 March 2027") on the desk and the portal
		self.assertEqual(frappe.db.get_single_value("System Settings", "language"), "en-GB")

	def test_a_default_workspace_the_roles_do_not_show_is_repaired(self):
		user = make_user("ws.socialworker@example.test", roles.SOCIAL_WORKER)
		frappe.db.set_value("User", user, "default_workspace", roles.WORKSPACE)  # as before issue #21
		worker = make_user("ws.keeps@example.test", roles.VIRTUAL_SCHOOL_CASEWORKER)
		frappe.db.set_value("User", worker, "default_workspace", roles.WORKSPACE)  # a choice they may see
		hide_frappe_workspaces()
		# the social worker's own workspace (issue #23), not the team's they cannot see
		self.assertEqual(frappe.db.get_value("User", user, "default_workspace"), "My Children")
		self.assertEqual(frappe.db.get_value("User", worker, "default_workspace"), roles.WORKSPACE)

	def test_each_role_lands_on_its_own_workspace(self):
		for role, workspace in ROLE_WORKSPACES.items():
			with self.subTest(role=role):
				user = make_user(f"ws.{frappe.scrub(role)}@example.test", role)
				doc = frappe.get_doc("User", user)
				doc.default_workspace = None  # as a new user, or one whose default was cleared
				doc.save(ignore_permissions=True)
				self.assertEqual(frappe.db.get_value("User", user, "default_workspace"), workspace)
				self.assertIn(workspace, sidebar(user))
				self.assertEqual(
					frappe.get_all(
						"Has Role", filters={"parenttype": "Workspace", "parent": workspace}, pluck="role"
					),
					[role],
				)

	def test_a_default_the_roles_no_longer_show_is_replaced(self):
		user = make_user("ws.moved@example.test", roles.VIRTUAL_SCHOOL_CASEWORKER)
		self.assertEqual(frappe.db.get_value("User", user, "default_workspace"), "My Caseload")
		doc = frappe.get_doc("User", user)
		doc.set("roles", [{"role": roles.VIRTUAL_SCHOOL_FINANCE}])
		doc.save(ignore_permissions=True)
		self.assertEqual(frappe.db.get_value("User", user, "default_workspace"), "Finance")

	def test_frappes_own_workspaces_are_hidden_from_the_team_not_from_a_system_manager(self):
		present = [name for name in FRAPPE_WORKSPACES if frappe.db.exists("Workspace", name)]
		self.assertTrue(present)
		for role, user in one_user_per_role(roles.DESK_ROLES).items():
			with self.subTest(role=role):
				self.assertFalse(sidebar(user) & set(present), role)
		self.assertTrue(set(present) <= sidebar(SYSTEM_MANAGER))

	def test_hiding_survives_frappe_resetting_a_workspace(self):
		"""Frappe's re-import of a changed workspace JSON empties the roles table; the next migrate restores it."""
		frappe.db.delete("Has Role", {"parenttype": "Workspace", "parent": "Users"})
		frappe.clear_cache()
		self.assertIn("Users", sidebar(caseworker(1)))
		hide_frappe_workspaces()
		hide_frappe_workspaces()  # idempotent: one row, not two
		self.assertEqual(
			frappe.get_all("Has Role", filters={"parenttype": "Workspace", "parent": "Users"}, pluck="role"),
			["System Manager"],
		)
		self.assertNotIn("Users", sidebar(caseworker(1)))


class TestWorkspaceCards(VirtualSchoolTestCase):
	"""A small world, counted by hand (the escalations' assignments may e-mail: ``keep_test_uncommitted``).

	Caseworker 1: Ann (no place), Ben (placed; a Draft PEP due in 3 days, an approved PEP long overdue, a
	returned claim), and Dee shared with them. Caseworker 2: Cal (no place; an overdue Draft PEP) and Dee
	(no place). An open escalation on Ann is held by caseworker 1.
	"""

	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		# caseworkers of this test's world only: no other module's records on their caseloads
		cls.cw1, cls.cw2 = (
			make_user(f"ws.caseworker{n}@example.test", roles.VIRTUAL_SCHOOL_CASEWORKER) for n in (1, 2)
		)

	def setUp(self):
		super().setUp()
		keep_test_uncommitted(self)
		self.school = make_school("990881", "Workspace Primary")

	def world(self):
		ann = make_child("Ann", caseworker=self.cw1)
		ben = make_child("Ben", caseworker=self.cw1)
		cal = make_child("Cal", caseworker=self.cw2)
		dee = make_child("Dee", caseworker=self.cw2)
		share("Child", dee.name, self.cw1, read=1)
		make_placement(ben.name, self.school, add_days(today(), -90))
		self.pep(ben.name, add_days(today(), 3))
		self.pep(ben.name, add_days(today(), -200), "Approved")
		self.pep(cal.name, add_days(today(), -5))
		self.pep(ann.name, add_days(today(), 60))
		self.pep(cal.name, add_days(today(), 20), "Submitted")
		frappe.get_doc(
			{
				"doctype": "Escalation",
				"reference_doctype": "Child",
				"reference_name": ann.name,
				"reason": "No school place",
			}
		).insert()
		escalation = frappe.get_doc(
			{
				"doctype": "Escalation",
				"reference_doctype": "Child",
				"reference_name": cal.name,
				"reason": "Raised to the manager",
			}
		).insert()
		escalation.db_set("level", 2)
		self.claim(ben.name, 150, "Returned")
		self.claim(ben.name, 200, "Approved")
		return ann, ben, cal, dee

	def pep(self, child: str, due, state: str = "Draft"):
		doc = frappe.get_doc(
			{"doctype": "Personal Education Plan", "child": child, "school": self.school, "due_date": due}
		).insert()
		if state != "Draft":
			doc.db_set("workflow_state", state)
		return doc

	def claim(self, child: str, amount: int, state: str):
		doc = frappe.get_doc(
			{
				"doctype": "PP Plus Claim",
				"child": child,
				"school": self.school,
				# the funding year of the (possibly frozen) day, not of setUp's real clock
				"funding_year": ensure_open_funding_year(),
				"claim_date": today(),
				"amount": amount,
				"category": "Tuition",
				"description": "Tuition",
				"caseworker": self.cw1,
			}
		).insert()
		doc.db_set("workflow_state", state)
		return doc

	def test_a_social_workers_cards_count_their_children_only(self):
		# the dates lie days around today: frozen in the autumn term, so on every edge date in one academic year
		self.enterContext(self.freeze_time(mid_autumn(), tick=True))
		sw1, sw2 = (make_user(f"ws.socialworker{n}@example.test", roles.SOCIAL_WORKER) for n in (1, 2))
		ann = make_child("Ann", caseworker=self.cw1, social_worker_user=sw1)
		ben = make_child("Ben", caseworker=self.cw1, social_worker_user=sw2)
		for child in (ann, ben):
			self.pep(child.name, add_days(today(), 5))  # a Draft: the care plan context still empty
		done = self.pep(ann.name, add_days(today(), 4))
		done.db_set("care_plan_context", "Long-term foster placement; contact with birth family monthly.")
		for child in (ann.name, ann.name, ben.name):
			frappe.get_doc(
				{
					"doctype": "Exclusion",
					"child": child,
					"school": self.school,
					"exclusion_type": "Suspension",
					"start_date": add_days(today(), -3),
					"school_days": 1,
					"reason": "Damage",
				}
			).insert()
		expected = {
			cards.peps_awaiting_social_care: (1, 1),  # Ann's empty Draft (not the one written) / Ben's
			cards.exclusions_this_year: (2, 1),
			cards.peps_due_soon: (2, 1),
			cards.my_children_without_a_place: (1, 1),
		}
		for method, counts in expected.items():
			with self.subTest(card=method.__name__):
				self.assertEqual((value(method, sw1), value(method, sw2)), counts)

	def test_a_caseworkers_cards_count_their_caseload_only(self):
		self.world()
		expected = {
			# method: (caseworker 1, caseworker 2)
			cards.peps_due_soon: (1, 1),  # Ben's Draft due in 3 days / Cal's overdue Draft
			cards.my_children_without_a_place: (2, 2),  # Ann and shared Dee / Cal and Dee
			cards.escalations_i_hold: (1, 1),  # Ann's (level 1) / Cal's, still held by caseworker 2
			cards.claims_returned_to_me: (1, 0),  # Ben's returned claim
		}
		for method, counts in expected.items():
			with self.subTest(card=method.__name__):
				self.assertEqual((value(method, self.cw1), value(method, self.cw2)), counts)

	def test_the_key_stage_chart_is_in_school_order_and_counts_the_caseload(self):
		from virtual_school.virtual_school.dashboard_chart_source.looked_after_children_by_key_stage import (
			looked_after_children_by_key_stage as source,
		)

		self.world()
		frappe.set_user(self.cw1)
		data = source.get(chart_name="Looked After Children by Key Stage")
		frappe.set_user("Administrator")
		self.assertEqual(data["labels"][:6], ["EYFS", "KS1", "KS2", "KS3", "KS4", "KS5"])
		self.assertEqual(sum(data["datasets"][0]["values"]), 3)  # Ann, Ben and the shared Dee

	def test_a_manager_and_finance_count_every_child(self):
		mine = (
			cards.peps_due_soon,
			cards.my_children_without_a_place,
			cards.peps_awaiting_qa,
			cards.escalations_at_my_level,
		)
		before = {method: value(method, manager()) for method in mine}
		paid_before = value(cards.claims_awaiting_payment, finance())
		amount_before = value(cards.amount_awaiting_payment, finance())
		self.world()
		# the two caseworkers' children together; one Submitted PEP; one escalation at level 2
		added = {
			cards.peps_due_soon: 2,
			cards.my_children_without_a_place: 3,
			cards.peps_awaiting_qa: 1,
			cards.escalations_at_my_level: 1,
		}
		for method in mine:
			with self.subTest(card=method.__name__):
				self.assertEqual(value(method, manager()) - before[method], added[method])
		self.assertEqual(value(cards.claims_awaiting_payment, finance()) - paid_before, 1)
		self.assertEqual(value(cards.amount_awaiting_payment, finance()) - amount_before, 200)

	def test_cards_refuse_roles_they_are_not_for(self):
		refused = {
			self.cw1: (
				cards.peps_awaiting_qa,
				cards.escalations_at_my_level,
				cards.peps_on_time_percent,
				cards.median_school_days_to_place,
				cards.child_voice_percent,
				cards.pp_plus_spent_percent,
				cards.persistent_absence_percent,
				cards.claims_awaiting_payment,
				cards.amount_awaiting_payment,
			),
			finance(): (cards.peps_on_time_percent, cards.peps_awaiting_qa),
		}
		for user, methods in refused.items():
			for method in methods:
				with self.subTest(user=user, card=method.__name__):
					frappe.set_user(user)
					with self.assertRaises(frappe.PermissionError):
						method()
					frappe.set_user("Administrator")

	def test_the_heads_kpis_are_the_annual_reports_figures(self):
		# the PEP falls due 30 days before "today": in the autumn term, so in this academic year on every date
		self.enterContext(self.freeze_time(mid_autumn(), tick=True))
		ann, _ben, _cal, _dee = self.world()
		on_time = self.pep(ann.name, add_days(today(), -30))
		on_time.db_set({"meeting_date": add_days(today(), -31), "workflow_state": "Approved"})
		on_time.db_set("child_views", "I like reading with my carer and want to try the school choir.")
		figures = gather_figures(school_days.academic_year_of(getdate(today())))
		lac = figures.attendance_by_cohort.get("Looked After") or {}
		expected = {
			cards.peps_on_time_percent: percent(figures.peps_on_time, figures.peps_due),
			cards.child_voice_percent: percent(figures.peps_with_voice, sum(figures.pep_qa.values())),
			cards.persistent_absence_percent: percent(lac.get("persistent", 0), lac.get("children", 0)),
		}
		self.assertGreater(figures.peps_on_time, 0)
		for method, figure in expected.items():
			with self.subTest(card=method.__name__):
				shown = value(method, head())
				self.assertEqual(f"{shown:,.1f}%" if shown or "%" in figure else "n/a", figure)
		self.assertEqual(
			value(cards.median_school_days_to_place, head()), figures.median_school_days_to_place or 0
		)
