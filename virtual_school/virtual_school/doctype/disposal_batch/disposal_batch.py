# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from frappe.model.document import Document


class DisposalBatch(Document):
	"""Records past retention that the Virtual School Head reviews and confirms for disposal, never automatic.

	``governance.disposal.add_records_past_retention`` fills it; ``governance.disposal.dispose`` erases its
	records, leaves a Disposal Certificate and then erases the batch itself with its version history
	(both name the records).
	"""
