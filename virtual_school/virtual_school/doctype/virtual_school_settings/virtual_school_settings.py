# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from virtual_school.admissions import routes
from virtual_school.portal import branding

# The School's route fields depend on these (admissions.routes): a change recomputes every school's.
ROUTE_FIELDS = ("la", "academy_direction_commenced_on", "special_academy_direction_commenced_on")
POSITIVE_DAY_FIELDS = (
	"place_target_school_days",
	"escalation_level_school_days",
	"pep_after_school_move_school_days",
)


class VirtualSchoolSettings(Document):
	"""The authority's settings: names on letters, approval limit, targets in school days, GIAS source."""

	def validate(self):
		branding.validate_logo(self)
		if (self.manager_approval_limit or 0) < 0:
			frappe.throw(_("Manager Approval Limit cannot be negative."), title=_("Invalid Setting"))
		for fieldname in POSITIVE_DAY_FIELDS:
			if (self.get(fieldname) or 0) < 1:
				frappe.throw(
					_("{0} must be at least one school day.").format(_(self.meta.get_label(fieldname))),
					title=_("Invalid Setting"),
				)
		source = (self.gias_source_url or "").strip()
		if source and not source.startswith(("http://", "https://", "/")):
			frappe.throw(
				_("GIAS Source URL must be an http(s) URL or an absolute file path."),
				title=_("Invalid Setting"),
			)

	def on_update(self):
		if any(self.has_value_changed(fieldname) for fieldname in branding.BRANDING_FIELDS):
			branding.sync_website_settings(self)
		if any(self.has_value_changed(fieldname) for fieldname in ROUTE_FIELDS):
			routes.refresh_school_routes()
