# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class SchoolContact(Document):
	"""A person at a school. Linking a website User makes them a portal user for this school."""

	def validate(self):
		self.full_name = (self.full_name or "").strip()
		if self.user:
			self.validate_portal_user()

	def validate_portal_user(self):
		if frappe.db.get_value("User", self.user, "user_type") != "Website User":
			frappe.throw(
				_(
					"Portal User {0} is a desk user. Link a website user: school staff must not have desk access."
				).format(frappe.bold(self.user)),
				title=_("Not a Portal User"),
			)
