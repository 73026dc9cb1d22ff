# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class LocalAuthority(Document):
	"""An English local authority by its DfE three-digit code."""

	def validate(self):
		self.la_code = (self.la_code or "").strip()
		if len(self.la_code) != 3 or not self.la_code.isdigit():
			frappe.throw(
				_("LA Code {0} must be three digits, as in the DfE's list of local authorities.").format(
					frappe.bold(self.la_code)
				),
				title=_("Invalid LA Code"),
			)
