# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from frappe import _
from frappe.model.document import Document

from virtual_school.governance import retention


class RetentionRule(Document):
	"""How long one kind of record is kept (``domain/retention.py``). Shipped with the statutory and local
	defaults (``setup/retention_defaults.py``); the Virtual School Head edits them, migrate never overwrites."""

	def validate(self):
		retention.validate_rule(self)
