"""Install, migrate and test hooks: the site converges to the app's roles, workflows and default data."""

import frappe
from frappe.utils import cint

from virtual_school import security
from virtual_school.attendance.services import (
	ensure_attendance_totals,  # imports the app's modules: not at load
)
from virtual_school.portal.branding import sync_website_settings
from virtual_school.pp_plus.budget import add_budget_index
from virtual_school.security.errors import turn_off_error_tracebacks
from virtual_school.setup.calendar_defaults import ensure_default_calendars
from virtual_school.setup.indexes import ensure_indexes
from virtual_school.setup.list_filters import converge as sync_lists
from virtual_school.setup.local_authorities import ensure_local_authorities
from virtual_school.setup.pp_plus_defaults import ensure_funding_years
from virtual_school.setup.retention_defaults import ensure_retention_rules
from virtual_school.setup.roles import ensure_roles
from virtual_school.setup.security import (
	ensure_security_defaults,
	keep_two_factor_roles,
	remember_two_factor_roles,
)
from virtual_school.setup.workflows import sync_workflows
from virtual_school.setup.workspaces import hide_frappe_workspaces


def after_install() -> None:
	# Fixtures are not synced yet (install-app runs after_install first); roles are created in code.
	ensure_roles()


def after_sync() -> None:
	converge()


def after_migrate() -> None:
	converge()


def before_tests() -> None:
	security.install()  # the test process serves no request: apply the side-door guards here
	converge()
	complete_setup_wizard()
	frappe.db.commit()  # nosemgrep: the test runner starts from this state


def converge() -> None:
	"""Everything the app needs on a site, created or corrected; safe to run any number of times."""

	ensure_roles()
	ensure_local_authorities()
	sync_workflows()
	ensure_default_calendars()
	ensure_funding_years()
	add_budget_index()  # also in on_doctype_update; here so existing sites get it on migrate
	ensure_attendance_totals()  # Attendance Term Total built once on a site that has records but no totals
	ensure_indexes()  # composite indexes for national scale (virtual_school/setup/indexes.py)
	ensure_security_defaults()  # 2FA for school staff, session expiry, lockout (once per site)
	turn_off_error_tracebacks()  # Frappe's allow_error_traceback off outside developer mode (security/errors.py)
	ensure_settings_defaults()
	ensure_retention_rules()  # the shipped Retention Rules, where missing; a Head's edits are kept
	hide_frappe_workspaces()  # Users, Website, Tools, Integrations, Build: System Manager only (workspaces.py)
	complete_setup_wizard()  # else every desk user is routed to the System Manager-only setup-wizard page
	sync_website_settings()  # "Login to <the council's virtual school>", its logo (portal/branding.py)
	sync_lists()  # every list column shown at 1366 px, each user's "My caseload" filters (list_filters.py)


def ensure_settings_defaults(doctype: str = "Virtual School Settings") -> None:
	"""Give settings added by an upgrade their default (Frappe applies single defaults only on creation)."""
	singles = frappe.qb.Table("tabSingles")
	stored = set(
		frappe.qb.from_(singles).select(singles.field).where(singles.doctype == doctype).run(pluck=True)
	)
	for df in frappe.get_meta(doctype).fields:
		if df.default and df.fieldname not in stored and df.fieldtype not in frappe.model.no_value_fields:
			frappe.db.set_single_value(doctype, df.fieldname, df.default)


def complete_setup_wizard() -> None:
	"""Finish Frappe's setup wizard with England's defaults, so the desk opens on a new site.

	Run on install and migrate (``converge``): until setup is complete, Frappe's router sends every desk user
	to the setup-wizard page, which only a System Manager may load, so a caseworker opening /app got two 403s
	from ``frappe.desk.desk_page.getpage`` and no desk (issue #21). An English council's answers to the
	wizard (country, British English, time zone, currency, date format) are these; a site that ran the wizard
	keeps its own.
	"""
	if cint(frappe.db.get_single_value("System Settings", "setup_complete")):
		return
	system_settings = frappe.get_single("System Settings")
	system_settings.update(
		{
			"country": "United Kingdom",
			"language": "en-GB",  # British English: "5 March 2027", not Babel's American "en" (issue #21)
			"time_zone": "Europe/London",
			"currency": "GBP",
			"date_format": "dd-mm-yyyy",
			"first_day_of_the_week": "Monday",
			"setup_complete": 1,
		}
	)
	system_settings.flags.ignore_mandatory = True
	# Saving with two-factor on makes Frappe require it of the role "All" (every desk user, by emailed QR
	# code): on a new site this runs in after_install, before the app's System Settings hooks are loaded, so
	# the app's guard (setup/security.py) is called here itself
	remember_two_factor_roles(system_settings)
	system_settings.save(ignore_permissions=True)
	keep_two_factor_roles(system_settings)
	frappe.db.set_default("desktop:home_page", "workspace")
	frappe.clear_cache()
