# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from frappe.model.document import Document


class PEPQualificationAim(Document):
	pass
