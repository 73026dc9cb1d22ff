"""Data minimisation, checked (issue #22 item 4): every school portal page and every generated document shows
only the fields listed in ``virtual_school.governance.minimisation``, and every listed text, date and number
field it no longer shows is reported too, so the README's table stays exact.

The world is one looked-after child with a record behind every page and document. Every record about the child
(every app doctype with a link to Child, found from metadata, with a record made for any doctype the fixtures
do not build, and every child-table row), the child's school, its portal contact and Virtual School Settings
then get a marker in every field that can hold one, written straight to the database: a unique text per text
or select field, a unique date per date field (looked for in every way a page or letter writes dates), a
unique number per number field, a unique missing user per link to User. A field added next year gets a marker
by itself; if a page or letter starts showing it, the test fails naming the doctype and field.

Not marked, with the reason: links to records (the portal scopes by them, and a record's ID is listed as
``name``), check boxes, text fields too short for a marker (a 3-letter LA code), and the few values the pages
select by (``SCOPE_FIELDS``).
"""

import io
import re
from datetime import date, datetime
from itertools import count
from pathlib import Path

import docx
import frappe
from frappe.model.workflow import apply_workflow
from frappe.utils import add_days, formatdate, getdate, today
from frappe.website.path_resolver import PathResolver

from virtual_school.admissions import place_requests
from virtual_school.domain import school_days
from virtual_school.domain.admission_route import AdmissionRoute
from virtual_school.governance import minimisation
from virtual_school.peps import services as pep_services
from virtual_school.portal.renderer import SHELLS, SchoolPortalPage
from virtual_school.pp_plus import documents as pp_plus_documents
from virtual_school.reports import annual_report
from virtual_school.setup.roles import SCHOOL_PORTAL_USER
from virtual_school.tests.test_portal_actions import ensure_open_funding_year
from virtual_school.tests.utils import (
	VirtualSchoolTestCase,
	make_child,
	make_placement,
	make_school,
	make_school_contact,
	make_user,
	mid_autumn,
)

PORTAL_USER = "minimisation.portal@school.test"
PAGES_DIR = Path(frappe.get_app_path("virtual_school", "www")) / "school-portal"
SETTINGS = "Virtual School Settings"
TEXT_TYPES = {
	"Data",
	"Small Text",
	"Text",
	"Long Text",
	"Text Editor",
	"Code",
	"Select",
	"Attach",
	"Attach Image",
}
DATE_TYPES = {"Date", "Datetime"}
NUMBER_TYPES = {"Int", "Float", "Currency", "Percent"}
# What the portal selects by or letters branch on: a marker here would take the record off the page, not test it.
SCOPE_FIELDS = {
	("Child", "status"): "the portal lists active children only",
	("Child", "cohort"): "the portal lists looked-after children only",
	("Child", "date_entered_care"): "looked after on a date (the annual report's cohort) follows it",
	("School", "urn"): "the school's record name: every link to the school carries it (listed as `name`)",
	("School Contact", "user"): "links the portal user to the school",
	("School Place Approach", "response"): "the portal's answer buttons and the letters' refusal follow it",
	(SETTINGS, "current_funding_year"): "the portal and claims pick the funding year by it",
	("PEP Target", "progress_rag"): "the PEP export accepts only Red, Amber, Green or blank",
	("School Place Request", "admission_route"): "the letters offered follow it (each route is tried)",
	("Personal Education Plan", "qa_rating"): "the PEP export accepts only Red, Amber, Green or blank",
	("Personal Education Plan", "qa_voice_rating"): "the PEP export accepts only Red, Amber, Green or blank",
	("Personal Education Plan", "pep_variant"): "the PEP page shows its variant's part (one PEP of each)",
}
MARKER_LENGTH = len("mk0000z")
MONTHS = ("January February March April May June July August September October November December").split()


def markable(df) -> bool:
	if df.is_virtual or (df.parent, df.fieldname) in SCOPE_FIELDS:
		return False
	if df.fieldtype == "Link":
		return df.options == "User"
	if df.fieldtype in TEXT_TYPES:
		return (df.length or 140) >= MARKER_LENGTH + 4  # a 3-letter code cannot hold one (unique: + suffix)
	return df.fieldtype in DATE_TYPES | NUMBER_TYPES


def date_forms(value: date) -> set[str]:
	"""Every way a page, a letter or Frappe writes a date (ISO, numeric both ways round, long and short)."""
	month = MONTHS[value.month - 1]
	return {
		value.isoformat(),
		f"{value.day:02d}-{value.month:02d}-{value.year}",
		f"{value.day:02d}/{value.month:02d}/{value.year}",
		f"{value.month:02d}-{value.day:02d}-{value.year}",
		f"{value.month:02d}/{value.day:02d}/{value.year}",
		f"{value.day} {month} {value.year}",
		f"{value.day} {month[:3]} {value.year}",
		f"{month} {value.day}, {value.year}",
		formatdate(value),
	}


class Markers:
	"""A unique value per (doctype, fieldname), and the texts that betray each when printed."""

	def __init__(self):
		self.serial = count(1)
		self.percents = count(1)  # few: each its own value under 100
		self.values: dict[tuple[str, str], object] = {}
		self.forms: dict[tuple[str, str], set[str]] = {}

	def value(self, df):
		key = (df.parent, df.fieldname)
		if key not in self.values:
			k = next(self.serial)
			if df.fieldtype in DATE_TYPES:
				day = date(2100 + k, 1 + k % 12, 10 + k % 18)  # future: every letter's "after" check holds
				value = day if df.fieldtype == "Date" else datetime(day.year, day.month, day.day, 9, 41)
				forms = date_forms(day)
			elif df.fieldtype == "Percent":
				value = 50 + next(self.percents) + 0.3  # a percentage: 0-100, one decimal place (PEP export)
				forms = {f"{value:.1f}"}
			elif df.fieldtype in ("Currency", "Float"):
				value = 800000 + k + 0.61
				forms = {f"{value:.2f}", f"{value:,.2f}"}
			elif df.fieldtype == "Int":
				value = 900000 + k
				forms = {str(value), f"{value:,}"}
			elif df.fieldtype == "Link":
				value = f"mk{k:04d}z@nobody.test"
				forms = {value}
			else:
				value = f"mk{k:04d}z"
				forms = {value}
			self.values[key] = value
			self.forms[key] = {form.lower() for form in forms}
		return self.values[key]

	def found_in(self, text: str) -> set[tuple[str, str]]:
		text = text.lower()
		return {key for key, forms in self.forms.items() if any(form in text for form in forms)}


def docx_text(content: bytes) -> str:
	"""Every piece of text in a .docx: body paragraphs, tables (nested too), headers, footers, properties."""
	document = docx.Document(io.BytesIO(content))
	parts: list[str] = []

	def cells(table):
		for row in table.rows:
			for cell in row.cells:
				parts.extend(paragraph.text for paragraph in cell.paragraphs)
				for inner in cell.tables:
					cells(inner)

	parts.extend(paragraph.text for paragraph in document.paragraphs)
	for table in document.tables:
		cells(table)
	for section in document.sections:
		for part in (
			section.header,
			section.footer,
			section.first_page_header,
			section.first_page_footer,
		):
			parts.extend(paragraph.text for paragraph in part.paragraphs)
			for table in part.tables:
				cells(table)
	properties = document.core_properties
	parts += [
		properties.title or "",
		properties.subject or "",
		properties.author or "",
		properties.comments or "",
	]
	# The body's XML as text too: what paragraphs miss (text boxes, field results, hyperlinks).
	parts.append(re.sub(r"<[^>]+>", " ", document.element.xml))
	return "\n".join(parts)


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


class TestMinimisation(VirtualSchoolTestCase):
	@classmethod
	def setUpClass(cls):
		super().setUpClass()
		make_user(PORTAL_USER, SCHOOL_PORTAL_USER, website_user=True)

	def setUp(self):
		super().setUp()
		self.addCleanup(frappe.db.rollback)  # also when building the world fails (tearDown would not run)
		# In the autumn term the claims' funding year is the annual report's (from April to August the
		# report's academic year began in the previous funding year and would not show this year's claims)
		self.enterContext(self.freeze_time(mid_autumn(), tick=True))
		SHELLS.clear()
		self.markers = Markers()
		self.world = self.build_world()

	def tearDown(self):
		SHELLS.clear()
		frappe.local.form_dict = frappe._dict()
		for name in self.world.get("files", []):
			if frappe.db.exists("File", name):
				frappe.delete_doc("File", name, ignore_permissions=True, force=True)
		super().tearDown()
		frappe.clear_document_cache(SETTINGS, SETTINGS)

	# --- the world ---------------------------------------------------------------------------------------

	def build_world(self) -> dict:
		school = make_school(
			"991801", "Minimisation Primary", headteacher="Head", street="1 Road", postcode="AB1 2CD"
		)
		make_school_contact(PORTAL_USER, school)
		child = make_child("Minimal")
		plain = make_child("Plain")  # no preferred name: the home page shows the first name
		newcomer = make_child("Newcomer")  # without a school place: the place request's child
		for pupil in (child, plain):
			make_placement(pupil.name, school, add_days(today(), -60))
		frappe.get_doc(  # at the school: the portal's exclusions page lists it
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
		year = ensure_open_funding_year()
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
		# the page shows the school's part of the PEP's variant: one early years and one post-16 (issue #23)
		frappe.db.set_value(
			"Personal Education Plan", peps["Returned"], {"pep_variant": "Early years", "eypp_claimed": 1}
		)
		frappe.db.set_value("Personal Education Plan", peps["Approved"], "pep_variant", "Post-16")
		request = frappe.get_doc(
			{
				"doctype": "School Place Request",
				"child": newcomer.name,
				"date_needed": today(),
				"reason": "Entered care",
				"approaches": [{"school": school, "date_asked": today(), "response": "Awaiting"}],
			}
		).insert()
		apply_workflow(request, "Request Place")
		approach = request.approaches[0]
		frappe.db.set_value(
			"School Place Approach",
			approach.name,
			{"response": "Refused", "response_date": today(), "refusal_reason": "Full"},
		)
		request.db_set({"workflow_state": "Refused", "refusing_school": school, "admission_route": ""})
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
				"personal_education_plan": peps["Approved"],
			}
		).insert()
		claim.db_set({"workflow_state": "Approved", "decision_reason": "Fine"})
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
		payment = frappe.get_doc(
			{
				"doctype": "PP Plus Payment",
				"school": school,
				"funding_year": year,
				"payment_date": today(),
				"payment_reference": "BACS-1",
				"claims": [{"claim": claim.name}],
			}
		).insert()

		records = set()
		for pupil in (child, plain, newcomer):
			records |= self.records_about(pupil.name)
		records |= {
			("School", school),
			("PP Plus Impact Report", report.name),
			("PP Plus Payment", payment.name),
		}
		records |= {
			("School Contact", name)
			for name in frappe.get_all("School Contact", {"school": school}, pluck="name")
		}
		for doctype, name in sorted(records):
			self.mark(doctype, name)
		self.mark_settings()
		frappe.db.set_value("Child", plain.name, "preferred_name", "", update_modified=False)
		frappe.clear_document_cache("School", school)
		return {
			"child": child.name,
			"school": school,
			"returned_pep": peps["Returned"],
			"approved_pep": peps["Approved"],
			"request": request.name,
			"claim": claim.name,
			"report": report.name,
			"payment": payment.name,
			"academic_year": school_days.academic_year_of(getdate(today())),
			"files": [],
		}

	def records_about(self, child: str) -> set[tuple[str, str]]:
		"""Every record of every app doctype that links to the child (one made where none exists yet), and the
		parents of child-table rows that do."""
		records = {("Child", child)}
		for doctype, link_fields, istable in self.doctypes_linking_to_child():
			found = set()
			for fieldname in link_fields:
				if istable:
					rows = frappe.get_all(
						doctype, filters={fieldname: child}, fields=["parenttype", "parent"]
					)
					found |= {(row.parenttype, row.parent) for row in rows if row.parenttype}
				else:
					found |= {
						(doctype, name) for name in frappe.get_all(doctype, {fieldname: child}, pluck="name")
					}
			if not found and not istable:
				doc = frappe.new_doc(doctype)
				doc.set(link_fields[0], child)
				doc.name = f"mk-{frappe.generate_hash(length=10)}"
				doc.db_insert()  # every field filled below; no controller: it is a fixture for the markers
				found = {(doctype, doc.name)}
			records |= found
		return records

	@staticmethod
	def doctypes_linking_to_child() -> list[tuple[str, list[str], bool]]:
		found = []
		for row in frappe.get_all(
			"DocType", filters={"module": "Virtual School"}, fields=["name", "istable", "issingle"]
		):
			if row.issingle:
				continue
			meta = frappe.get_meta(row.name)
			links = [df.fieldname for df in meta.fields if df.fieldtype == "Link" and df.options == "Child"]
			if links:
				found.append((row.name, links, bool(row.istable)))
		return found

	def mark(self, doctype: str, name: str) -> None:
		"""Each markable field of the record, and of its child-table rows (one made where there is none)."""
		meta = frappe.get_meta(doctype)
		values = {df.fieldname: self.markers.value(df) for df in meta.fields if markable(df)}
		for df in meta.fields:
			if df.unique and isinstance(values.get(df.fieldname), str):  # still holds the marker
				values[df.fieldname] += f"-{next(self.markers.serial)}"
		if values:
			frappe.db.set_value(doctype, name, values, update_modified=False)
		for table in meta.get_table_fields():
			rows = frappe.get_all(
				table.options, filters={"parent": name, "parenttype": doctype}, pluck="name"
			)
			if not rows:
				row = frappe.new_doc(table.options)
				row.update({"parent": name, "parenttype": doctype, "parentfield": table.fieldname, "idx": 1})
				row.name = f"mk-{frappe.generate_hash(length=10)}"
				row.db_insert()
				rows = [row.name]
			for row_name in rows:
				self.mark(table.options, row_name)

	def mark_settings(self) -> None:
		"""Markers straight into the database, as for every other record: ``change_settings`` would save the
		document, whose validation refuses them. The rollback after each test restores the values and tearDown
		clears the cached settings."""
		meta = frappe.get_meta(SETTINGS)
		for df in meta.fields:
			if markable(df):
				value = self.markers.value(df)
				frappe.db.set_single_value(
					SETTINGS, df.fieldname, value
				)  # hygiene: rolled back after the test
		frappe.clear_document_cache(SETTINGS, SETTINGS)

	# --- what each page and document shows -----------------------------------------------------------------

	def render(self, page: str, query: dict) -> str:
		path = "school-portal" if page == "index" else f"school-portal/{page}"
		frappe.local.form_dict = frappe._dict(query)
		_endpoint, renderer = PathResolver(path).resolve()
		self.assertIsInstance(renderer, SchoolPortalPage, f"{path} is not served by the portal's renderer")
		return renderer.get_html()

	def rendered_pages(self) -> dict[str, str]:
		pages = sorted(path.stem for path in PAGES_DIR.glob("*.html"))
		fixtures = page_fixtures(self.world)
		missing = [page for page in pages if page not in fixtures or page not in minimisation.PORTAL_PAGES]
		self.assertFalse(
			missing,
			f"portal pages without a rendering fixture here or an entry in governance/minimisation.py: {missing}",
		)
		frappe.set_user(PORTAL_USER)
		try:
			return {page: "\n".join(self.render(page, query) for query in fixtures[page]) for page in pages}
		finally:
			frappe.set_user("Administrator")

	def attached(self, file_url: str) -> str:
		name = frappe.db.get_value("File", {"file_url": file_url}, "name")
		self.world["files"].append(name)
		return docx_text(frappe.get_doc("File", name).get_content())

	def generated_documents(self) -> dict[str, str]:
		"""Every document, written by the code the desk buttons and workflow hooks call."""
		world = self.world
		texts: dict[str, str] = {}
		# Each admission route the request may record (and none): the letters offered and their addressee
		# follow it (the chair of governors, another council, the academy trust, the headteacher).
		for route in ("", *(route.value for route in AdmissionRoute)):
			frappe.db.set_value("School Place Request", world["request"], "admission_route", route)
			request = frappe.get_doc("School Place Request", world["request"])
			for kind in place_requests.LETTERS:
				if place_requests.letter_offered(request, kind):
					url = place_requests.generate_letter(world["request"], kind)["file_url"]
					texts[kind] = texts.get(kind, "") + "\n" + self.attached(url)
		claim = frappe.get_doc("PP Plus Claim", world["claim"])
		texts["pp_plus_decision"] = self.attached(pp_plus_documents.attach_decision_letter(claim))
		payment = frappe.get_doc("PP Plus Payment", world["payment"])
		texts["pp_plus_remittance"] = self.attached(pp_plus_documents.attach_remittance_advice(payment))
		# one PEP of each variant with a part of its own: early years (EYPP claimed) and post-16
		texts["pep_export"] = "\n".join(
			self.attached(pep_services.export_pep(world[pep])["file_url"])
			for pep in ("returned_pep", "approved_pep")
		)
		texts["annual_report"] = docx_text(annual_report.write_annual_report(world["academic_year"]))
		return texts

	def problems(self, table: dict, texts: dict[str, str]) -> list[str]:
		"""Each page or document's unlisted fields shown, and its listed (checkable) fields not shown."""
		problems = []
		for key, text in texts.items():
			shown = self.markers.found_in(text)
			allowed = minimisation.fields_shown(table[key])
			for doctype, fieldname in sorted(shown - allowed):
				problems.append(f"{key} shows {doctype}.{fieldname}, which minimisation.py does not list")
			checkable = {
				key_
				for key_ in allowed & set(self.markers.values)
				if frappe.get_meta(key_[0]).get_field(key_[1]).fieldtype != "Select"  # shown as a choice
			}
			for doctype, fieldname in sorted(checkable - shown):
				problems.append(f"{key} lists {doctype}.{fieldname} but does not show it")
		return problems

	# --- the tests -----------------------------------------------------------------------------------------

	def test_every_field_of_the_world_has_a_marker(self):
		"""The fixture itself: every markable field of the child's records holds a marker (else nothing is checked)."""
		child = frappe.get_doc("Child", self.world["child"])
		for df in frappe.get_meta("Child").fields:
			if markable(df):
				marker = str(self.markers.values[("Child", df.fieldname)])
				self.assertTrue(str(child.get(df.fieldname)).startswith(marker), df.fieldname)
		self.assertTrue(self.markers.values.get(("Child", "carer_name")))
		marked_doctypes = {doctype for doctype, _fieldname in self.markers.values}
		for doctype, _links, _istable in self.doctypes_linking_to_child():
			self.assertIn(doctype, marked_doctypes)

	def test_portal_pages_show_only_the_listed_fields(self):
		problems = self.problems(minimisation.PORTAL_PAGES, self.rendered_pages())
		self.assertFalse(problems, "\n".join(problems))

	def test_documents_carry_only_the_listed_fields(self):
		texts = self.generated_documents()
		self.assertEqual(
			set(texts), set(minimisation.DOCUMENTS), "a document without a generator here, or v.v."
		)
		problems = self.problems(minimisation.DOCUMENTS, texts)
		self.assertFalse(problems, "\n".join(problems))

	def test_a_page_showing_the_carers_name_is_caught(self):
		"""The check itself: the carer's name printed where the home page prints the school is reported."""
		carer = self.markers.values[("Child", "carer_name")]
		frappe.db.set_value("Child", self.world["child"], "current_school_name", carer, update_modified=False)
		frappe.set_user(PORTAL_USER)
		texts = {"index": self.render("index", {})}
		self.assertIn(
			"index shows Child.carer_name, which minimisation.py does not list",
			self.problems(minimisation.PORTAL_PAGES, texts),
		)
