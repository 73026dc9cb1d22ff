"""Every school portal page, rendered by the portal's renderer with hostile text in every field it shows, renders
that text inert (issue #17, side door 7: stored XSS into the portal).

The pages are enumerated from ``www/school-portal/*.html``, so a new page fails here until it has a rendering
fixture in ``page_fixtures``. The world's text fields (of every doctype whose records the pages read, child tables
included) are overwritten in the database with the payload, as an import or a field without Frappe's HTML
sanitising could store it; only the few fields the portal scopes by (a child's status and cohort) keep their
values. Guard: ``portal_renderer`` compiles and renders each page's own template with autoescaping.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import frappe
from frappe.model.workflow import apply_workflow
from frappe.utils import add_days, today
from frappe.website.path_resolver import PathResolver

from virtual_school.portal.renderer import SHELLS, SchoolPortalPage
from virtual_school.setup.roles import SCHOOL_PORTAL_USER
from virtual_school.tests import test_portal_actions
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	make_child,
	make_placement,
	make_school,
	make_school_contact,
	make_user,
)

PORTAL_USER = "escaping.portal@school.test"
PAYLOAD = (
	"<script>alert(1)</script>"
	'"><img src=x onerror=alert(2)>'
	"{{7*7}}"
	"</title><script>alert(3)</script>"
	"'><svg onload=alert(4)>"
)
# Markup that must never appear as markup in a page (the payload's pieces, verbatim).
RAW_MARKERS = ("<script>alert(", "<img src=x", "</title><script>", "<svg onload")
TEXT_TYPES = ("Data", "Small Text", "Text", "Long Text", "Select", "Text Editor")
# What the portal selects children by: hostile values here would take the pupil off the portal, not test it.
SCOPE_FIELDS = {"Child": {"status", "cohort"}}
# Frappe's sanitiser stores "<script>" typed into a Data field as this text; ``| striptags`` turns it back into markup.
ENCODED = "&lt;/title&gt;&lt;script&gt;alert(5)&lt;/script&gt;"
TITLE_BLOCK = re.compile(r"{%-?\s*block title\s*-?%}.*?{%-?\s*endblock\s*-?%}", re.S)
PAGES_DIR = Path(frappe.get_app_path("virtual_school", "www")) / "school-portal"


def page_fixtures(world) -> dict[str, list[dict]]:
	"""Each portal page (the www file's name) and the query strings to render it with."""
	return {
		"index": [{}],
		"attendance": [{}],
		"peps": [{}],
		"pep": [{"name": world["returned_pep"]}, {"name": world["approved_pep"]}],
		"place-requests": [{}],
		"pp-plus": [{}],
		"impact-reports": [{}],
		"impact-report": [{"name": world["report"]}],
		"exclusions": [{}],
	}


class PageAudit(HTMLParser):
	"""What a browser would run or load from the page: scripts' text, event-handler attributes, images."""

	def __init__(self):
		super().__init__(convert_charrefs=True)
		self.problems: list[str] = []
		self.text: list[str] = []
		self.open: list[str] = []
		self.title = ""

	def handle_starttag(self, tag, attrs):
		if "title" in self.open:
			self.problems.append(f"<{tag}> inside <title>")
		for name, value in attrs:
			if name.startswith("on") and "alert(" in (value or ""):
				self.problems.append(f"<{tag} {name}={value!r}>")
			self.text.append(value or "")
		if tag == "img" and dict(attrs).get("src") == "x":
			self.problems.append("<img src=x> from data")
		if tag == "svg" and any(name == "onload" for name, _value in attrs):
			self.problems.append("<svg onload> from data")
		self.open.append(tag)

	def handle_endtag(self, tag):
		if tag in self.open:
			del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

	def handle_data(self, data):
		if self.open and self.open[-1] == "script" and "alert(" in data:
			self.problems.append(f"script runs the payload: {data[:80]!r}")
		if "title" in self.open:
			self.title += data
		self.text.append(data)


def hostile_fields(doctype: str) -> dict[str, str]:
	"""The text fields of a doctype that hold the payload, and the value each gets (by metadata: a field added
	later is covered). A unique field gets the payload with the record's own suffix."""
	meta = frappe.get_meta(doctype)
	keep = SCOPE_FIELDS.get(doctype, set())
	return {
		df.fieldname: df.unique
		for df in meta.fields
		if df.fieldtype in TEXT_TYPES
		and df.fieldname not in keep
		and not df.is_virtual
		and (df.length or 140) >= len(PAYLOAD) + 12
	}


def make_hostile(doctype: str, name: str) -> None:
	"""The record's text fields, and its child tables' rows', set to the payload straight in the database."""
	meta = frappe.get_meta(doctype)
	fields = hostile_fields(doctype)
	if fields:
		table = frappe.qb.DocType(doctype)
		query = frappe.qb.update(table).where(table.name == name)
		for fieldname, unique in fields.items():
			query = query.set(table[fieldname], f"{PAYLOAD} {name[-10:]}" if unique else PAYLOAD)
		query.run()
	for df in meta.get_table_fields():
		for row in frappe.get_all(df.options, filters={"parent": name, "parenttype": doctype}, pluck="name"):
			make_hostile(df.options, row)


class WithoutTitleBlock(SchoolPortalPage):
	"""A portal page whose template leaves the ``<title>`` to Frappe's base template (``{{ title | striptags }}``)."""

	def setup_template_source(self):
		super().setup_template_source()
		self.source = TITLE_BLOCK.sub("", self.source, count=1)


class TestPortalEscaping(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(PORTAL_USER, SCHOOL_PORTAL_USER, website_user=True)

	def setUp(self):
		super().setUp()
		SHELLS.clear()
		self.world = self.build_world()

	def tearDown(self):
		SHELLS.clear()
		frappe.local.form_dict = frappe._dict()
		super().tearDown()

	def build_world(self) -> dict:
		"""One school and pupil with a record behind every portal page; then every text field made hostile."""
		school = make_school("991701", "Escaping Primary")
		make_school_contact(PORTAL_USER, school)
		child = make_child("Escaping")
		make_placement(child.name, school, add_days(today(), -60))
		year = test_portal_actions.ensure_open_funding_year()
		peps = {}
		for state in ("Returned", "Approved"):
			pep = frappe.get_doc(
				{
					"doctype": "Personal Education Plan",
					"child": child.name,
					"school": school,
					"due_date": add_days(today(), 10),
					"targets": [{"area": "Maths", "target": "Times tables"}],
					"attainment": [{"subject": "Maths", "current": "Working towards", "target": "Expected"}],
				}
			).insert()
			pep.db_set("workflow_state", state)
			peps[state] = pep.name
		request = frappe.get_doc(
			{
				"doctype": "School Place Request",
				"child": make_child("Newcomer").name,
				"date_needed": today(),
				"reason": "Entered care",
				"approaches": [{"school": school, "date_asked": today(), "response": "Awaiting"}],
			}
		).insert()
		apply_workflow(request, "Request Place")
		claim = frappe.get_doc(
			{
				"doctype": "PP Plus Claim",
				"child": child.name,
				"school": school,
				"funding_year": year,
				"claim_date": today(),
				"amount": 100,
				"category": "Tuition",
				"description": "Tutor",
			}
		).insert()
		claim.db_set("workflow_state", "Approved")
		report = frappe.get_doc(
			{
				"doctype": "PP Plus Impact Report",
				"school": school,
				"funding_year": year,
				"term": claim.term,
				"due_date": add_days(today(), 20),
				"rows": [{"claim": claim.name}],
			}
		).insert()
		report.db_set("workflow_state", "Returned")
		upload = frappe.get_doc(
			{
				"doctype": "File",
				"file_name": "impact.txt",
				"content": frappe.generate_hash().encode(),  # its own file, never another's by content hash
				"is_private": 1,
				"attached_to_doctype": report.doctype,
				"attached_to_name": report.name,
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value("File", upload.name, "file_name", PAYLOAD, update_modified=False)
		exclusion = frappe.get_doc(
			{
				"doctype": "Exclusion",
				"child": child.name,
				"school": school,
				"exclusion_type": "Suspension",
				"start_date": add_days(today(), -5),
				"school_days": 2,
				"reason": "Bullying",
			}
		).insert()
		for doctype, name in (
			("School", school),
			("Child", child.name),
			("Child", request.child),
			("Personal Education Plan", peps["Returned"]),
			("Personal Education Plan", peps["Approved"]),
			("School Place Request", request.name),
			("PP Plus Claim", claim.name),
			("PP Plus Impact Report", report.name),
			("Exclusion", exclusion.name),
		):
			make_hostile(doctype, name)
		frappe.clear_document_cache("School", school)
		return {"returned_pep": peps["Returned"], "approved_pep": peps["Approved"], "report": report.name}

	def render(self, page: str, query: dict) -> str:
		path = "school-portal" if page == "index" else f"school-portal/{page}"
		frappe.local.form_dict = frappe._dict(query)
		_endpoint, renderer = PathResolver(path).resolve()
		self.assertIsInstance(renderer, SchoolPortalPage, f"{path} is not served by the portal's renderer")
		return renderer.get_html()

	def test_every_portal_page_renders_hostile_text_inert(self):
		pages = sorted(path.stem for path in PAGES_DIR.glob("*.html"))
		self.assertIn("pep", pages, PAGES_DIR)
		fixtures = page_fixtures(self.world)
		missing = [page for page in pages if page not in fixtures]
		self.assertFalse(
			missing,
			f"portal pages without a rendering fixture: {missing}; add them to page_fixtures in this test, "
			"with records that fill every field the page shows",
		)
		frappe.set_user(PORTAL_USER)
		for page in pages:
			for query in fixtures[page]:
				with self.subTest(page=page, query=query):
					html = self.render(page, query)
					for marker in RAW_MARKERS:
						at = html.find(marker)
						if at != -1:
							self.fail(
								f"{page} {query} prints the payload as markup: …{html[at - 120 : at + 60]!r}…"
							)
					audit = PageAudit()
					audit.feed(html)
					audit.close()
					self.assertFalse(audit.problems, f"{page} {query}: {audit.problems}")
					self.assertIn(
						PAYLOAD,
						"\n".join(audit.text),
						f"{page} {query} does not show the hostile text (as text) at all: the fixture misses it",
					)
					self.assertNotIn("<", audit.title.replace(PAYLOAD, ""), f"{page}: {audit.title!r}")

	def test_the_title_shows_a_hostile_childs_name_as_text(self):
		frappe.set_user(PORTAL_USER)
		html = self.render("pep", {"name": self.world["returned_pep"]})
		audit = PageAudit()
		audit.feed(html)
		self.assertIn(PAYLOAD, audit.title)  # "PEP: <the child's name>", escaped: the text, not markup
		self.assertFalse(audit.problems, audit.problems)

	def test_a_page_without_a_title_block_gets_its_title_escaped(self):
		pep = self.world["returned_pep"]
		child = frappe.db.get_value("Personal Education Plan", pep, "child")
		frappe.db.set_value("Personal Education Plan", pep, "child_name", ENCODED, update_modified=False)
		frappe.db.set_value("Child", child, "first_name", ENCODED, update_modified=False)
		frappe.set_user(PORTAL_USER)
		frappe.local.form_dict = frappe._dict(name=pep)
		renderer = WithoutTitleBlock("school-portal/pep")
		html = renderer.get_html()
		self.assertNotIn("block title", renderer.source)
		self.assertNotIn("<script>alert(5)", html)
		audit = PageAudit()
		audit.feed(html)
		self.assertFalse(audit.problems, audit.problems)
		self.assertEqual(audit.title, f"PEP: {ENCODED}")  # the name as stored, shown as text
