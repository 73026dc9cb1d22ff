# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from virtual_school.admissions import routes


class School(Document):
	"""A school or other establishment, named by its URN; refreshed from GIAS."""

	def validate(self):
		self.urn = (self.urn or "").strip()
		if not self.urn.isdigit():
			frappe.throw(
				_("URN {0} must be digits only, as in Get Information About Schools.").format(
					frappe.bold(self.urn)
				),
				title=_("Invalid URN"),
			)
		routes.set_school_route(self)

	def onload(self):
		"""Show the route as of today (a commencement date may have passed since the row was written)."""
		routes.set_school_route(self)
