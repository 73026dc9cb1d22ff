"""Virtual School Settings, typed: the one way runtime code reads the authority's settings.

Every default lives in the doctype (``virtual_school_settings.json``); ``setup.install.ensure_settings_defaults``
writes it on install and migrate, and a value someone cleared reads as that same default here, so no code
carries a fallback of its own (``or 20``). The Single is read through ``frappe.get_cached_doc``, which
Frappe clears when the settings are saved.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

import frappe
from frappe.utils import cint, flt, getdate

DOCTYPE = "Virtual School Settings"


@dataclass(frozen=True)
class Settings:
	authority_name: str
	la: str | None
	virtual_school_name: str
	letter_signatory: str | None
	letter_signatory_title: str
	current_funding_year: str | None  # read it through pp_plus.vocabulary.current_funding_year
	manager_approval_limit: float
	impact_report_due_school_days: int
	impact_reminder_school_days: int
	place_target_school_days: int
	escalation_level_school_days: int
	pep_after_school_move_school_days: int
	attendance_missing_school_days: int
	gias_source_url: str | None
	# CWSA 2026 s63 commencement dates the council records (admissions.routes.direction_powers); None until then
	academy_direction_commenced_on: date | None
	special_academy_direction_commenced_on: date | None
	escalation_manager: str | None
	escalation_head: str | None
	escalation_director: str | None
	# how to reply to a letter (the letterhead of every letter): postal address lines, email, telephone
	reply_address: str | None
	reply_email: str | None
	reply_telephone: str | None
	portal_logo: str | None  # a public image: the sign-in page and the portal (portal.branding)
	# the annual report: counts below this read "<5" (domain.outcomes; 0 shows every count)
	suppress_counts_below: int


def get() -> Settings:
	"""The settings as typed values; an empty field reads as the doctype's default."""
	doc = frappe.get_cached_doc(DOCTYPE)
	meta = frappe.get_meta(DOCTYPE)
	values = {}
	for field in fields(Settings):
		value = doc.get(field.name)
		if value in (None, ""):
			df = meta.get_field(field.name)
			value = df.default if df and df.default not in (None, "") else None
		if field.type == "int":
			value = cint(value)
		elif field.type == "float":
			value = flt(value)
		elif field.type == "date | None":
			value = getdate(value) if value else None
		values[field.name] = value
	return Settings(**values)


def value(fieldname: str):
	"""One setting, typed (``settings.value("place_target_school_days")``)."""
	return getattr(get(), fieldname)
