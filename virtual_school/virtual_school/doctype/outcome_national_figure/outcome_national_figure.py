# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""A published national figure for looked-after children, the annual report's comparator (``domain.outcomes``)."""

from frappe.model.document import Document


class OutcomeNationalFigure(Document):
	pass
