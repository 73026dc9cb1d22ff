# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document
from frappe.utils import today


class AdviceRequest(Document):
	"""Advice and information to parents, schools and social workers (PLAC, CWSW and kinship cohorts)."""

	def validate(self):
		if self.advice_given and self.status == "Open":
			self.status = "Advised"
		if self.status == "Advised" and not self.advised_on:
			self.advised_on, self.advised_by = today(), frappe.session.user
