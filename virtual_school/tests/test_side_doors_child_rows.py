"""Child-table rows follow their parent record on every path Frappe offers for a row (issue #17).

Table-driven from metadata: every child doctype of the app and its parents (the app's Table fields) are
found on the site, a parent on caseload A is built with a row in each of its tables, and each user reads
the row by itself: ``has_permission`` on the row, ``frappe.client.get`` (``parent=``, ``filters=``),
``frappe.desk.form.load.getdoc`` and ``get_list`` with ``parent_doctype``. A row must be readable exactly
when its parent record is (and never by a website user), and a row's permlevel fields must reach only
users with that level on the parent. A new child table without a parent factory below fails the test.
Guards: virtual_school/security/child_rows.py; the impact report rule: virtual_school/permissions.py.
"""

from datetime import date

import frappe
from frappe.client import get as client_get
from frappe.client import get_list as client_get_list
from frappe.custom.doctype.property_setter.property_setter import make_property_setter
from frappe.desk.form.load import getdoc
from frappe.model.workflow import apply_workflow

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
	social_worker,
)
from virtual_school.virtual_school.doctype.pp_plus_claim.test_pp_plus_claim import funding_year

APP_MODULE = "Virtual School"
SECRET = "ZZ9 9ZZ"  # the value put in every row field above permission level 0


def app_child_tables() -> dict[str, list[tuple[str, str]]]:
	"""Each child doctype of the app with its (parent doctype, table field) pairs, from metadata."""
	tables = {
		name: [] for name in frappe.get_all("DocType", {"istable": 1, "module": APP_MODULE}, pluck="name")
	}
	for doctype in frappe.get_all("DocType", {"istable": 0, "module": APP_MODULE}, pluck="name"):
		for df in frappe.get_meta(doctype).get_table_fields():
			if df.options in tables:
				tables[df.options].append((doctype, df.fieldname))
	return tables


def restricted_fields(table: str) -> list:
	return [
		df for df in frappe.get_meta(table).fields if df.permlevel and df.fieldtype in ("Data", "Small Text")
	]


def with_secrets(table: str, row: dict) -> dict:
	return {**row, **{df.fieldname: SECRET for df in restricted_fields(table)}}


class World:
	"""Caseload A (caseworker 1): a school, a child placed there, and the records built on them."""

	def __init__(self):
		self.school = make_school("990871", "Rowan Side Door Primary")
		self.year = funding_year()
		self.child = make_child(
			"Rowena",
			caseworker=caseworker(1),
			social_worker_user=social_worker(1),
			date_of_birth=date(2018, 5, 1),
			care_episodes=[with_secrets("Care Episode", {"start_date": date(2026, 1, 5)})],
			care_reviews=[with_secrets("Care Review", {"review_date": date(2026, 2, 5)})],
		)
		make_placement(self.child.name, self.school, date(2026, 9, 1))

	def claim(self, approved: bool = False, child=None, raised_by: str | None = None):
		"""A PP+ claim for the child at the school (approved through the workflow when asked)."""
		frappe.set_user(raised_by or caseworker(1))
		try:
			doc = frappe.get_doc(
				{
					"doctype": "PP Plus Claim",
					"child": (child or self.child).name,
					"school": self.school,
					"funding_year": self.year,
					"claim_date": date(2027, 10, 1),
					"amount": 100,
					"category": "Tuition",
					"description": "Reading tuition",
				}
			).insert()
			if approved:
				doc = apply_workflow(doc, "Submit Claim")
				frappe.set_user(manager())
				doc = apply_workflow(frappe.get_doc("PP Plus Claim", doc.name), "Start Review")
				frappe.set_user(head())
				doc = apply_workflow(frappe.get_doc("PP Plus Claim", doc.name), "Approve")
		finally:
			frappe.set_user("Administrator")
		return frappe.get_doc("PP Plus Claim", doc.name)


def _insert(values: dict):
	return frappe.get_doc(values).insert(ignore_permissions=True)


def _settings_with_national_figure():
	settings = frappe.get_single("Virtual School Settings")
	settings.append(
		"outcome_national_figures",
		{
			"academic_year": "2024-25",
			"measure": "Good level of development (EYFS)",
			"national_figure": 37.0,
			"source": "DfE outcomes for children in need 2025",
		},
	)
	return settings.save(ignore_permissions=True)


# One factory per parent doctype: a record on caseload A with at least one row in each of its tables.
PARENT_FACTORIES = {
	"Child": lambda world: world.child,
	# the settings' national outcome figures: read by whoever reads the settings (no caseload)
	"Virtual School Settings": lambda world: _settings_with_national_figure(),
	"Escalation": lambda world: _insert(
		{
			"doctype": "Escalation",
			"reference_doctype": "Child",
			"reference_name": world.child.name,
			"reason": "No school place after 20 school days",
			"log": [{"note": "Raised to the manager", "from_level": 1, "to_level": 2}],
		}
	),
	"Personal Education Plan": lambda world: _insert(
		{
			"doctype": "Personal Education Plan",
			"child": world.child.name,
			"due_date": date(2027, 11, 30),
			"targets": [{"area": "Maths", "target": "Times tables to 12"}],
			"attainment": [{"subject": "Maths"}],
			"early_learning_goals": [
				{
					"area": "Literacy",
					"goal": "Writing",
					"judgement": "Emerging",
					"next_steps": "Letter shapes",
				}
			],
			"qualification_aims": [
				{"qualification": "GCSE English", "predicted_grade": "4", "target_grade": "5"}
			],
		}
	),
	"School Place Request": lambda world: _insert(
		{
			"doctype": "School Place Request",
			"child": world.child.name,
			"date_needed": date(2026, 8, 3),
			"reason": "Entered care",
			"approaches": [
				{
					"school": world.school,
					"date_asked": date(2026, 6, 1),
					"response": "Refused",
					"refusal_reason": "Full in year 3",
				}
			],
		}
	),
	"PP Plus Impact Report": lambda world: impact_report(world, [world.claim()]),
	"PP Plus Payment": lambda world: _insert(
		{
			"doctype": "PP Plus Payment",
			"school": world.school,
			"funding_year": world.year,
			"payment_date": date(2027, 11, 1),
			"payment_reference": "BACS-SIDE-DOOR",
			"claims": [{"claim": world.claim(approved=True).name}],
		}
	),
	"School Calendar": lambda world: _insert(
		{
			"doctype": "School Calendar",
			"academic_year": "2041-42",
			"terms": [
				{"term_name": "Autumn", "start_date": date(2041, 9, 2), "end_date": date(2041, 12, 19)}
			],
			"closures": [{"closure_date": date(2041, 9, 3), "reason": "INSET day"}],
		}
	),
	# a school's contacts have no caseload: every desk role reads them, website and portal users none
	"School Contact": lambda world: _insert(
		{
			"doctype": "School Contact",
			"school": world.school,
			"full_name": "Dana Sidedoor",
			"trainings": [{"training_date": date(2026, 10, 1), "kind": "Induction", "notes": "Day one"}],
		}
	),
	# retention and disposal (governance/): the Head's batch names children; the certificate names none
	"Disposal Batch": lambda world: _insert(
		{
			"doctype": "Disposal Batch",
			"items": [
				{
					"record_kind": "Child Case Record",
					"reference_doctype": "Child",
					"reference_name": world.child.name,
					"retention_rule": "Looked-after children's case records",
				}
			],
		}
	),
	"Disposal Certificate": lambda world: _insert(
		{"doctype": "Disposal Certificate", "kinds": [{"document_type": "Child", "records": 1}]}
	),
}


def impact_report(world: World, claims: list):
	return _insert(
		{
			"doctype": "PP Plus Impact Report",
			"school": world.school,
			"funding_year": world.year,
			"term": claims[0].term if claims else "Autumn",
			"due_date": date(2028, 1, 31),
			"rows": [{"claim": claim.name, "what_was_done": "Weekly tuition"} for claim in claims],
		}
	)


def as_user(user: str, call):
	"""``call()`` as ``user``: its result, or None when Frappe refuses it (PermissionError)."""
	frappe.set_user(user)
	try:
		return call()
	except frappe.PermissionError:
		return None
	finally:
		frappe.local.message_log = []
		frappe.set_user("Administrator")


def getdoc_docs(doctype: str, name: str) -> list[dict] | None:
	"""What the desk form receives from ``frappe.desk.form.load.getdoc`` (None when refused)."""
	frappe.local.response = frappe._dict({"docs": []})
	getdoc(doctype, name)
	return [doc.as_dict() for doc in frappe.response.docs]


class RowReads:
	"""Every path that returns one row or the rows of one parent, as one user."""

	def __init__(self, table: str, parent, parentfield: str, row: str):
		self.table, self.parent, self.parentfield, self.row = table, parent, parentfield, row

	def paths(self) -> dict:
		table, parent, row = self.table, self.parent, self.row
		filters = {"parent": parent.name, "parentfield": self.parentfield}
		return {
			"has_permission read": lambda: frappe.get_doc(table, row).has_permission("read") or None,
			"has_permission write": lambda: frappe.get_doc(table, row).has_permission("write") or None,
			"frappe.client.get (filters)": lambda: [
				client_get(table, filters=frappe.as_json(filters), parent=parent.doctype)
			],
			"frappe.client.get (name)": lambda: [client_get(table, name=row, parent=parent.doctype)],
			"getdoc": lambda: getdoc_docs(table, row) or None,
			"frappe.get_list": lambda: (
				frappe.get_list(table, parent_doctype=parent.doctype, filters=filters, fields=["*"]) or None
			),
			"frappe.client.get_list": lambda: (
				client_get_list(table, parent=parent.doctype, filters=filters, fields=["*"]) or None
			),
		}


class TestChildRowsFollowTheirParent(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		cls.website = make_user("vs.website@example.test", website_user=True)
		cls.portal = make_user("vs.portal.rows@example.test", roles.SCHOOL_PORTAL_USER, website_user=True)

	def setUp(self):
		super().setUp()
		self.world = World()
		make_school_contact(self.portal, self.world.school)  # the portal user is at the child's own school
		self.users = {
			"caseworker A": caseworker(1),
			"caseworker B": caseworker(2),
			"social worker A": social_worker(1),  # the child's social worker
			"social worker B": social_worker(2),
			"finance": finance(),
			"manager": manager(),
			"website user": self.website,
			"school portal user": self.portal,
		}

	def tearDown(self):
		frappe.local.response = frappe._dict({"docs": []})
		super().tearDown()

	def test_every_child_table_has_a_parent_factory(self):
		tables = app_child_tables()
		self.assertTrue(tables, "no child doctype of the app found")
		orphans = sorted(table for table, parents in tables.items() if not parents)
		self.assertFalse(orphans, f"child doctypes without a parent Table field: {orphans}")
		missing = sorted(
			f"{table} (parent {parent})"
			for table, parents in tables.items()
			for parent, _field in parents
			if parent not in PARENT_FACTORIES
		)
		self.assertFalse(
			missing,
			f"add a parent factory to PARENT_FACTORIES in {__file__} for: {missing} "
			"(and decide who may read its rows)",
		)

	def samples(self):
		"""(table, parent record, parentfield, row name) for every app table, parents built on caseload A."""
		parents = {}
		for table, pairs in sorted(app_child_tables().items()):
			for parent_doctype, fieldname in pairs:
				if parent_doctype not in parents:
					parents[parent_doctype] = PARENT_FACTORIES[parent_doctype](self.world)
				parent = frappe.get_doc(parent_doctype, parents[parent_doctype].name)
				rows = parent.get(fieldname)
				self.assertTrue(rows, f"the {parent_doctype} factory makes no {table} row ({fieldname})")
				yield table, parent, fieldname, rows[0].name

	def test_rows_are_read_exactly_when_the_parent_record_is(self):
		problems, hooked = [], set(frappe.get_hooks("has_permission"))
		for table, parent, fieldname, row in self.samples():
			reads = RowReads(table, parent, fieldname, row)
			for label, user in self.users.items():
				may = {
					ptype: bool(as_user(user, lambda ptype=ptype: parent.has_permission(ptype)))
					for ptype in ("read", "write")
				}
				if label in ("website user", "school portal user"):
					self.assertFalse(
						any(may.values()), f"{label} reads {parent.doctype}: the fixture is wrong"
					)
				if parent.doctype in hooked and label == "caseworker B":
					self.assertFalse(may["read"], f"{parent.doctype} {parent.name} is on caseload B")
				if parent.doctype in hooked and label == "caseworker A":
					self.assertTrue(may["read"], f"{parent.doctype} {parent.name} is not on caseload A")
				for path, call in reads.paths().items():
					want = may["write"] if path.endswith("write") else may["read"]
					got = as_user(user, call)
					if bool(got) != want:
						problems.append(f"{table} via {path} as {label}: expected {want}, got {got!r:.60}")
		if problems:
			self.fail("\n" + "\n".join(problems))

	def test_row_fields_above_level_0_follow_the_parents_permlevels(self):
		"""Never sent without the level on the parent; sent with it by at least one path (not vacuous).

		(Frappe's ``frappe.client.get_list`` withholds a table's restricted fields even from users with the
		level: ``validate_fields`` asks the table's own DocPerms, which are empty. Safe, so allowed here.)
		"""
		withheld, sent, problems = set(), set(), []
		for table, parent, fieldname, row in self.samples():
			secret_fields = restricted_fields(table)
			if not secret_fields:
				continue
			reads = RowReads(table, parent, fieldname, row).paths()
			form = lambda parent=parent: getdoc_docs(parent.doctype, parent.name)  # noqa: E731
			for label, user in self.users.items():
				levels = as_user(
					user, lambda parent=parent: frappe.get_meta(parent.doctype).get_permlevel_access("read")
				)
				for df in secret_fields:
					for path, call in [*reads.items(), (f"{parent.doctype} form", form)]:
						if path.startswith("has_permission"):
							continue
						got = as_user(user, call)
						if got is None:
							continue  # refused outright (the test above checks when)
						field, allowed = f"{table}.{df.fieldname}", df.permlevel in levels
						leaked = SECRET in frappe.as_json(got)
						if leaked and allowed:
							sent.add(field)
						elif not leaked and not allowed:
							withheld.add(field)
						elif leaked:
							problems.append(f"{field} (level {df.permlevel}) sent via {path} to {label}")
		if problems:
			self.fail("\n" + "\n".join(problems))
		restricted = {
			f"{table}.{df.fieldname}" for table in app_child_tables() for df in restricted_fields(table)
		}
		self.assertTrue(restricted, "no row field above level 0: nothing checked")
		self.assertEqual(
			withheld, restricted, "a restricted row field was never read by a user without its level"
		)
		self.assertEqual(sent, restricted, "a restricted row field never reached a user with its level")

	def test_website_users_get_no_row_even_of_a_record_shared_with_them(self):
		"""Frappe lets a website user read a record shared with them; never its rows through a side door."""
		child = self.world.child.name
		frappe.share.add_docshare("Child", child, self.portal, flags={"ignore_share_permission": True})
		row = frappe.get_doc("Child", child).care_episodes[0]
		self.assertTrue(as_user(self.portal, lambda: frappe.get_doc("Child", child).has_permission("read")))
		reads = RowReads("Care Episode", frappe.get_doc("Child", child), "care_episodes", row.name).paths()
		opened = [path for path, call in reads.items() if as_user(self.portal, call)]
		self.assertEqual(opened, [], "a website user read Care Episode rows of a shared child")

	def test_a_table_field_above_level_0_hides_its_rows_from_lists(self):
		"""A whole table behind a permission level (none of the app's today) is not listed without it."""
		rows = {"parent": self.world.child.name, "parentfield": "care_episodes"}

		def listed():
			return frappe.get_list("Care Episode", parent_doctype="Child", filters=rows, pluck="name")

		self.assertTrue(as_user(finance(), listed))
		make_property_setter(
			"Child", "care_episodes", "permlevel", 1, "Int", validate_fields_for_doctype=False
		)
		frappe.clear_cache(doctype="Child")
		try:
			self.assertFalse(as_user(finance(), listed))
			self.assertTrue(as_user(caseworker(1), listed))
		finally:
			frappe.db.rollback()
			frappe.clear_cache(doctype="Child")


class TestImpactReportRule(VirtualSchoolTestCase):
	"""A caseworker reads (and edits) an impact report only when every row is on their caseload."""

	def setUp(self):
		super().setUp()
		self.world = World()
		other = make_child("Otto", caseworker=caseworker(2), date_of_birth=date(2018, 6, 1))
		make_placement(other.name, self.world.school, date(2026, 9, 1))
		own_claim = self.world.claim()
		other_claim = self.world.claim(child=other, raised_by=caseworker(2))
		self.own = impact_report(self.world, [own_claim])
		self.mixed = impact_report(self.world, [own_claim, other_claim])
		self.empty = impact_report(self.world, [])

	def readers(self, report, ptype: str = "read") -> set[str]:
		users = {
			"A": caseworker(1),
			"B": caseworker(2),
			"head": head(),
			"manager": manager(),
			"finance": finance(),
		}
		readable = {
			label
			for label, user in users.items()
			if as_user(user, lambda: frappe.get_doc(report.doctype, report.name).has_permission(ptype))
		}
		listed = {
			label
			for label, user in users.items()
			if as_user(
				user,
				lambda: frappe.get_list("PP Plus Impact Report", filters={"name": report.name}, pluck="name"),
			)
		}
		if ptype == "read":
			self.assertEqual(readable, listed, f"{report.name}: the list and the form disagree")
		return readable

	def test_a_report_on_one_caseload_is_that_caseworkers(self):
		self.assertEqual(self.readers(self.own), {"A", "head", "manager", "finance"})
		self.assertEqual(self.readers(self.own, "write"), {"A", "head", "manager"})

	def test_a_report_spanning_caseloads_is_for_the_managers(self):
		self.assertEqual(self.readers(self.mixed), {"head", "manager", "finance"})
		self.assertEqual(self.readers(self.mixed, "write"), {"head", "manager"})

	def test_a_report_without_rows_names_no_child(self):
		self.assertEqual(self.readers(self.empty), {"A", "B", "head", "manager", "finance"})

	def test_its_rows_follow_it(self):
		row = self.mixed.rows[1].name
		for user in (caseworker(1), caseworker(2)):
			self.assertFalse(
				as_user(user, lambda: frappe.get_doc("PP Plus Impact Row", row).has_permission("write"))
			)
			self.assertIsNone(
				as_user(
					user, lambda: client_get("PP Plus Impact Row", name=row, parent="PP Plus Impact Report")
				)
			)
		self.assertTrue(
			as_user(manager(), lambda: frappe.get_doc("PP Plus Impact Row", row).has_permission("write"))
		)

	def test_a_caseworker_cannot_drop_another_caseloads_rows_to_gain_the_report(self):
		def save_without_foreign_rows():
			report = frappe.get_doc("PP Plus Impact Report", self.mixed.name)
			report.rows = [row for row in report.rows if row.idx == 1]
			report.save()
			return True

		self.assertIsNone(as_user(caseworker(1), save_without_foreign_rows))
		self.assertEqual(len(frappe.get_doc("PP Plus Impact Report", self.mixed.name).rows), 2)
