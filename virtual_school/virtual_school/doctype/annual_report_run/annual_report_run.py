# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from frappe.model.document import Document


class AnnualReportRun(Document):
	"""One generated Virtual School Head's annual report (``virtual_school.reports.annual_report.generate``).

	The .docx is attached here, private, so only the roles that read this record (the Head and Managers)
	can download it: Frappe serves a private file to whoever may read the record it is attached to.
	"""
