# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from frappe.model.document import Document


class DisposalBatchItem(Document):
	"""A record past its retention period, listed by ``governance.retention``; rows are never typed."""
