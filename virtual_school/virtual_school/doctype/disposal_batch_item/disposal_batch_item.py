# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from frappe.model.document import Document


class DisposalBatchItem(Document):
	"""A record past its retention period, listed by ``governance.retention``; rows are never typed.

	``reference_name`` is Data, not a Dynamic Link: the row names a record about to be erased, and disposal
	erases every row naming it (``disposal.REFERENCES``)."""
