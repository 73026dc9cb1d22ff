# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""A change of the child's care placement and its CPPCR 2010 reg 10 record: ``virtual_school.admissions.reg10``."""

from frappe.model.document import Document

from virtual_school.admissions import reg10


class CarePlacementMove(Document):
	def validate(self):
		reg10.refresh_move(self)
