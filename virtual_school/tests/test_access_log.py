"""The access log (issue #22): every single-record read of a child's records is logged, and the log cannot be forged.

Guards: the ``onload`` document events (desk form load), ``record_portal_view`` in ``portal/pages.py`` (portal
page), ``after_request`` (REST read) and the ``make_access_log`` override in hooks.py (forged rows).
"""

from types import SimpleNamespace

import frappe
import frappe.desk.form.load
import frappe.desk.query_report
import frappe.handler
from frappe.core.doctype.access_log.access_log import _make_access_log
from frappe.utils import add_days, set_request, today
from frappe.website.path_resolver import PathResolver
from werkzeug.wrappers import Response

from virtual_school.governance import access_log
from virtual_school.portal.renderer import SchoolPortalPage
from virtual_school.setup import roles
from virtual_school.tests.test_portal_actions import ensure_open_funding_year
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	caseworker,
	head,
	make_child,
	make_placement,
	make_school,
	make_school_contact,
	make_user,
	manager,
)

PORTAL_USER = "dt.accesslog@school.test"
REPORT = "Who Viewed This Child"
MAKE_ACCESS_LOG = "frappe.core.doctype.access_log.access_log.make_access_log"


def make_case(owner: str, school: str) -> dict[str, str]:
	"""A child on ``owner``'s caseload, on roll at ``school``, with one record of each tracked doctype."""
	child = make_child("Logged", caseworker=owner, carer_name="Carol Carer")
	make_placement(child.name, school, add_days(today(), -60))
	values = {"child": child.name, "school": school}
	records = {"Child": child.name}
	records["Personal Education Plan"] = (
		frappe.get_doc(
			{
				"doctype": "Personal Education Plan",
				**values,
				"due_date": add_days(today(), 10),
				"targets": [{"area": "Maths", "target": "Times tables"}],
			}
		)
		.insert()
		.name
	)
	records["Exclusion"] = (
		frappe.get_doc(
			{
				"doctype": "Exclusion",
				**values,
				"exclusion_type": "Suspension",
				"school_days": 2,
				"start_date": add_days(today(), -5),
				"reason": "Damage",
			}
		)
		.insert()
		.name
	)
	records["PP Plus Claim"] = (
		frappe.get_doc(
			{
				"doctype": "PP Plus Claim",
				**values,
				"funding_year": ensure_open_funding_year(),
				"claim_date": today(),
				"amount": 100,
				"category": "Tuition",
				"description": "Tutor",
			}
		)
		.insert()
		.name
	)
	return records


def logged(doctype: str, name: str, method: str | None = None, user: str | None = None) -> list[dict]:
	filters = {"export_from": doctype, "reference_document": name}
	if method:
		filters["method"] = method
	if user:
		filters["user"] = user
	return frappe.get_all("Access Log", filters=filters, fields=["user", "method", "page", "timestamp"])


def render_portal_page(path: str) -> str:
	"""Render a portal page as Frappe serves it (its path resolved first), with frappe.local.form_dict as query."""
	_endpoint, renderer = PathResolver(path).resolve()
	assert isinstance(renderer, SchoolPortalPage), path
	return renderer.get_html()


def role_user(role: str) -> str:
	return make_user(
		f"vs.log.{frappe.scrub(role)}@example.test", role, website_user=role in roles.PORTAL_ROLES
	)


class TestAccessLog(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(PORTAL_USER, roles.SCHOOL_PORTAL_USER, website_user=True)
		cls.role_users = {role: role_user(role) for role in roles.ALL_ROLES}

	def setUp(self):
		super().setUp()
		self.school = make_school("991901", "Access Log Primary")
		self.records = make_case(caseworker(1), self.school)
		self.child = self.records["Child"]

	def tearDown(self):
		frappe.local.form_dict = frappe._dict()
		if hasattr(frappe.local, "request"):
			del frappe.local.request
		super().tearDown()

	def test_every_tracked_doctype_has_a_case(self):
		self.assertEqual(set(self.records), set(access_log.TRACKED_DOCTYPES))

	def test_the_hooks_are_wired(self):
		"""The tests below call the functions; here, that Frappe calls them (hooks.py)."""
		events = frappe.get_hooks("doc_events")
		for doctype in access_log.TRACKED_DOCTYPES:
			with self.subTest(doctype=doctype):
				self.assertIn(
					f"{access_log.__name__}.on_form_load", events.get(doctype, {}).get("onload", [])
				)
		self.assertIn(f"{access_log.__name__}.after_request", frappe.get_hooks("after_request"))
		self.assertEqual(
			frappe.get_hooks("override_whitelisted_methods").get(MAKE_ACCESS_LOG),
			[f"{access_log.__name__}.make_access_log"],
		)

	def test_a_desk_form_load_is_logged_with_user_time_and_route(self):
		frappe.set_user(caseworker(1))
		for doctype, name in self.records.items():
			with self.subTest(doctype=doctype):
				frappe.desk.form.load.getdoc(doctype, name)
				rows = logged(doctype, name, access_log.VIEW, caseworker(1))
				self.assertEqual(len(rows), 1, f"the form load of {doctype} {name} is not logged once")
				self.assertEqual(rows[0].page, access_log.desk_route(doctype, name))
				self.assertTrue(rows[0].timestamp)

	def test_a_refused_form_load_is_not_logged_as_a_view(self):
		frappe.set_user(caseworker(2))
		with self.assertRaises(frappe.PermissionError):
			frappe.desk.form.load.getdoc("Child", self.child)
		self.assertEqual(logged("Child", self.child, user=caseworker(2)), [])

	def test_saving_a_form_is_not_a_second_view(self):
		frappe.set_user(caseworker(1))
		doc = frappe.get_doc("Child", self.child)
		doc.save()
		frappe.desk.form.load.run_onload(doc)  # what savedocs does after saving
		self.assertEqual(logged("Child", self.child, access_log.VIEW), [])

	def test_a_print_is_logged(self):
		frappe.set_user(manager())
		frappe.get_print("Child", self.child)
		rows = logged("Child", self.child, access_log.PRINT, manager())
		self.assertEqual(len(rows), 1)

	def test_a_rest_read_of_one_record_is_logged(self):
		frappe.set_user(caseworker(1))
		request = SimpleNamespace(
			method="GET", path=f"/api/resource/PP%20Plus%20Claim/{self.records['PP Plus Claim']}"
		)
		access_log.after_request(response=Response(status=200), request=request)
		rows = logged("PP Plus Claim", self.records["PP Plus Claim"], access_log.API_READ, caseworker(1))
		self.assertEqual(len(rows), 1)
		self.assertEqual(rows[0].page, request.path)
		frappe.local.form_dict = frappe._dict(doctype="Exclusion", name=self.records["Exclusion"])
		access_log.after_request(
			response=Response(status=200),
			request=SimpleNamespace(method="POST", path="/api/method/frappe.client.get"),
		)
		self.assertEqual(
			len(logged("Exclusion", self.records["Exclusion"], access_log.API_READ, caseworker(1))), 1
		)
		frappe.local.form_dict = frappe._dict()
		# a list, a refused read and another doctype are not views of one tracked record
		for path, status in (
			("/api/resource/Child", 200),
			(f"/api/resource/Child/{self.child}", 403),
			("/api/method/frappe.client.get", 200),  # no doctype and name
			(f"/api/v2/document/Child/{self.child}/", 200),
			("/api/resource/School/991901", 200),
		):
			access_log.after_request(
				response=Response(status=status), request=SimpleNamespace(method="GET", path=path)
			)
		for doctype, name in (("Child", self.child), ("School", self.school)):
			self.assertEqual(logged(doctype, name, access_log.API_READ), [])

	def test_a_portal_page_showing_the_child_is_logged(self):
		make_school_contact(PORTAL_USER, self.school)
		pep = self.records["Personal Education Plan"]
		frappe.set_user(PORTAL_USER)
		frappe.local.form_dict = frappe._dict(name=pep)
		html = render_portal_page("school-portal/pep")
		self.assertIn(pep, html)
		rows = logged("Personal Education Plan", pep, access_log.PORTAL_VIEW, PORTAL_USER)
		self.assertEqual(len(rows), 1, "the portal's PEP page is not logged")
		self.assertIn("school-portal/pep", rows[0].page)

	def test_a_portal_impact_report_logs_the_claims_it_shows(self):
		make_school_contact(PORTAL_USER, self.school)
		claim = frappe.get_doc("PP Plus Claim", self.records["PP Plus Claim"])
		report = frappe.get_doc(
			{
				"doctype": "PP Plus Impact Report",
				"school": self.school,
				"funding_year": claim.funding_year,
				"term": claim.term,
				"due_date": add_days(today(), 20),
				"rows": [{"claim": claim.name}],
			}
		).insert()
		frappe.set_user(PORTAL_USER)
		frappe.local.form_dict = frappe._dict(name=report.name)
		render_portal_page("school-portal/impact-report")
		rows = logged("PP Plus Claim", claim.name, access_log.PORTAL_VIEW, PORTAL_USER)
		self.assertEqual(len(rows), 1, "the portal's impact report page does not log the claim it shows")

	def test_a_forged_make_access_log_call_is_refused(self):
		"""Through Frappe's handler (which applies override_whitelisted_methods), as a desk client would call it."""
		frappe.set_user(caseworker(1))
		set_request(method="POST", path=f"/api/method/{MAKE_ACCESS_LOG}")
		before = frappe.db.count("Access Log")
		for forged in (
			{"doctype": "Child", "document": self.child, "method": "View"},
			{"doctype": "Child", "document": self.child, "method": "Print", "report_name": REPORT},
			{"report_name": "Cohort Overview", "method": "Print", "page": "<p>" + "x" * 1000 + "</p>"},
			{"report_name": REPORT, "method": "Export"},  # a report the caseworker may not run
		):
			with self.subTest(forged=forged):
				frappe.local.form_dict = frappe._dict(forged)
				with self.assertRaises(frappe.PermissionError):
					frappe.handler.execute_cmd(MAKE_ACCESS_LOG)
		self.assertEqual(frappe.db.count("Access Log"), before)

	def test_the_desk_still_logs_its_own_report_exports(self):
		frappe.set_user(manager())
		set_request(method="POST", path=f"/api/method/{MAKE_ACCESS_LOG}")
		frappe.local.form_dict = frappe._dict(
			doctype="Child", report_name=REPORT, method="Export", file_type="CSV", filters='{"child": "x"}'
		)
		frappe.handler.execute_cmd(MAKE_ACCESS_LOG)
		rows = frappe.get_all(
			"Access Log", filters={"report_name": REPORT, "user": manager()}, fields=["export_from", "method"]
		)
		self.assertEqual([(row.export_from, row.method) for row in rows], [("Child", "Export")])

	def test_the_log_is_read_only_for_every_role_but_system_manager(self):
		for role, user in self.role_users.items():
			for doctype in ("Access Log", "View Log"):
				for ptype in ("read", "write", "create", "delete"):
					with self.subTest(role=role, doctype=doctype, ptype=ptype):
						self.assertFalse(frappe.has_permission(doctype, ptype, user=user))
		self.assertTrue(frappe.has_permission("Access Log", "read", user="Administrator"))

	def test_who_viewed_this_child(self):
		frappe.set_user(caseworker(1))
		frappe.desk.form.load.getdoc("Child", self.child)
		frappe.desk.form.load.getdoc("Personal Education Plan", self.records["Personal Education Plan"])
		frappe.set_user("Administrator")
		letter = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": "pep.txt",
				"attached_to_doctype": "Personal Education Plan",
				"attached_to_name": self.records["Personal Education Plan"],
				"is_private": 1,
				"content": b"PEP",
			}
		).insert(ignore_permissions=True)
		frappe.set_user(manager())
		_make_access_log(
			doctype="File", document=letter.name, file_type="txt"
		)  # as Frappe's file download does
		frappe.set_user(head())
		result = frappe.desk.query_report.run(REPORT, filters={"child": self.child})
		seen = {
			(row["user"], row["reference_doctype"], row["reference_name"], row["method"])
			for row in result["result"]
		}
		self.assertEqual(
			seen,
			{
				(caseworker(1), "Child", self.child, "View"),
				(caseworker(1), "Personal Education Plan", self.records["Personal Education Plan"], "View"),
				(manager(), "File", letter.name, "Download"),
			},
		)
		for user in (caseworker(1), caseworker(2)):
			frappe.set_user(user)
			with self.subTest(user=user), self.assertRaises(frappe.PermissionError):
				frappe.desk.query_report.run(REPORT, filters={"child": self.child})
