# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from frappe.model.document import Document


class DisposalCertificate(Document):
	"""The anonymous record of one disposal: what kinds and how many, when, by whom, under which rules.

	Written only by ``governance.disposal.dispose``; it names no child, date of birth or identifier, and
	nobody (System Manager included) may edit or delete it from the desk.
	"""
