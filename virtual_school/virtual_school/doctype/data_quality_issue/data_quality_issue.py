# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from frappe.model.document import Document


class DataQualityIssue(Document):
	"""Written only by the SSDA903 import (virtual_school/imports/ssda903.py): every field is read-only."""
