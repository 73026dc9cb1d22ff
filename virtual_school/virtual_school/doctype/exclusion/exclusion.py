# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""A suspension or permanent exclusion: the rules are ``virtual_school.exclusions.services``."""

from frappe.model.document import Document

from virtual_school.exclusions import services


class Exclusion(Document):
	def validate(self):
		services.validate(self)
