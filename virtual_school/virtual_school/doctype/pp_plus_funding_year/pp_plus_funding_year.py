# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from virtual_school.domain import pp_plus_budget


class PPPlusFundingYear(Document):
	"""One financial year of the Pupil Premium Plus grant: rate, top-slice and the per-child allocation."""

	def validate(self):
		try:
			self.start_date, self.end_date = pp_plus_budget.financial_year_bounds(self.label)
			self.per_child_allocation = pp_plus_budget.per_child_allocation(
				self.rate_per_child, self.top_slice_percent or 0
			)
		except ValueError as error:
			frappe.throw(str(error), title=_("Invalid Funding Year"))
		for fieldname in ("summer_cap", "autumn_cap", "spring_cap"):
			cap = self.get(fieldname)
			if cap and (cap < 0 or cap > self.per_child_allocation):
				frappe.throw(
					_("{0} must be between 0 and the per-child allocation.").format(
						_(self.meta.get_label(fieldname))
					),
					title=_("Invalid Termly Cap"),
				)
