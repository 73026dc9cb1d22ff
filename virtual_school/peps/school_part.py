"""The school's part of a PEP's variant in the portal (issue #23 item 3; ``domain.pep_variants``).

The school (or early years setting, or post-16 provider) fills what it knows for the variant the server set:
the early learning goals and the setting for early years, the course, provider, qualification aims, bursary
and next step for post-16, and for every variant the conduct record and achievements (CPPCR 2010 Sch 1 para 2).
Everything else on the variant sections (the Early Years Pupil Premium, the NEET risk) is the virtual school's.

``portal.pages.pep_for_school`` shows ``school_part(doc)`` and ``portal.actions.save_pep`` calls
``apply_school_part(doc, data)`` after its scope check: only fields listed here are taken from the request,
Select values must be one of the DocType's options, texts are trimmed and bounded, and a field the request
does not send is left as it is (a page from before the variants clears nothing).
"""

import frappe
from frappe import _
from frappe.utils import cstr

from virtual_school.domain.pep_variants import PepVariant

COMMON_FIELDS = ("conduct_record", "achievements")
VARIANT_FIELDS: dict[str, tuple[str, ...]] = {
	PepVariant.EARLY_YEARS.value: ("ey_setting_type", "ey_setting_name"),
	PepVariant.SCHOOL_AGE.value: (),
	PepVariant.POST_16.value: ("post16_course", "post16_provider", "bursary_status", "next_step_plans"),
}
VARIANT_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
	PepVariant.EARLY_YEARS.value: ("early_learning_goals", ("area", "goal", "judgement", "next_steps")),
	PepVariant.POST_16.value: (
		"qualification_aims",
		("qualification", "level", "predicted_grade", "target_grade"),
	),
}
MAX_TEXT = 5000
DOCTYPE = "Personal Education Plan"


def fields_for(variant: str | None) -> tuple[str, ...]:
	return COMMON_FIELDS + VARIANT_FIELDS.get(variant or "", ())


def _options(doctype: str, fieldname: str) -> list[str]:
	return (frappe.get_meta(doctype).get_field(fieldname).options or "").split("\n")


def school_part(doc) -> dict:
	"""What the portal shows of the variant: its variant, the school's fields, its table and their choices."""
	table = VARIANT_TABLES.get(doc.pep_variant or "")
	part = {
		"pep_variant": doc.pep_variant,
		**{fieldname: doc.get(fieldname) for fieldname in fields_for(doc.pep_variant)},
		"variant_table": table[0] if table else None,
		"variant_rows": (
			[
				{"name": row.name, **{column: row.get(column) for column in table[1]}}
				for row in doc.get(table[0])
			]
			if table
			else []
		),
		"variant_options": {},
	}
	meta = frappe.get_meta(DOCTYPE)
	for fieldname in fields_for(doc.pep_variant):
		if meta.get_field(fieldname).fieldtype == "Select":
			part["variant_options"][fieldname] = _options(DOCTYPE, fieldname)
	if table:
		child = meta.get_field(table[0]).options
		for column in table[1]:
			if frappe.get_meta(child).get_field(column).fieldtype == "Select":
				part["variant_options"][column] = _options(child, column)
	return part


def _value(doctype: str, fieldname: str, value):
	df = frappe.get_meta(doctype).get_field(fieldname)
	value = cstr(value).strip()
	label = _(df.label)
	if df.fieldtype == "Select":
		if value not in _options(doctype, fieldname):
			frappe.throw(_("{0}: {1} is not one of the choices.").format(label, value[:40]))
		return value
	limit = 140 if df.fieldtype == "Data" else MAX_TEXT
	if len(value) > limit:
		frappe.throw(_("{0} is too long.").format(label))
	return value


def apply_school_part(doc, data: dict) -> None:
	"""Set the school's fields of the PEP's variant from the portal's form (``data``), checked one by one."""
	for fieldname in fields_for(doc.pep_variant):
		if fieldname in data:
			doc.set(fieldname, _value(DOCTYPE, fieldname, data.get(fieldname)))
	table = VARIANT_TABLES.get(doc.pep_variant or "")
	if not table or table[0] not in data:
		return
	fieldname, columns = table
	rows = data.get(fieldname) or []
	if not isinstance(rows, list):
		frappe.throw(_("The form could not be read."))
	child = frappe.get_meta(DOCTYPE).get_field(fieldname).options
	doc.set(fieldname, [])
	for row in rows:
		if not isinstance(row, dict) or not any(cstr(row.get(column)).strip() for column in columns):
			continue
		doc.append(fieldname, {column: _value(child, column, row.get(column)) for column in columns})
