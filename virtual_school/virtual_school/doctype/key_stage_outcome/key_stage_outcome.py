# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""A looked-after child's recorded outcome at the end of a key stage (``virtual_school.domain.outcomes``)."""

import frappe
from frappe import _
from frappe.model.document import Document

from virtual_school.domain import outcomes, school_days


class KeyStageOutcome(Document):
	def validate(self):
		self.academic_year = (self.academic_year or "").strip()
		try:
			school_days.academic_year_bounds(self.academic_year)
		except ValueError:
			frappe.throw(_("Academic Year must look like 2025-26."), title=_("Invalid Academic Year"))
		# a measure of another key stage would be counted nowhere (or, in a report, in the wrong place): the
		# form hides those sections, but an import or REST call could still fill them
		own = set(outcomes.FIELDS_BY_KEY_STAGE.get(self.key_stage, ()))
		for fieldname in {name for names in outcomes.FIELDS_BY_KEY_STAGE.values() for name in names} - own:
			if self.get(fieldname) not in (None, "", 0):  # a Float column stores 0 for blank
				frappe.throw(
					_("{0} is not a {1} measure: clear it or choose its key stage.").format(
						_(self.meta.get_label(fieldname)), _(self.key_stage)
					),
					title=_("Invalid Outcome"),
				)
		if not 0 <= (self.attainment_8 or 0) <= 90:  # 0 is "not recorded" (Frappe stores a blank Float as 0)
			frappe.throw(_("Attainment 8 must be between 0 and 90."), title=_("Invalid Outcome"))
		duplicate = frappe.db.exists(
			"Key Stage Outcome",
			{
				"child": self.child,
				"academic_year": self.academic_year,
				"key_stage": self.key_stage,
				"name": ("!=", self.name or ""),
			},
		)
		if duplicate:
			frappe.throw(
				_("This child already has a {0} outcome for {1}: {2}.").format(
					_(self.key_stage), self.academic_year, duplicate
				),
				title=_("Duplicate Outcome"),
			)
