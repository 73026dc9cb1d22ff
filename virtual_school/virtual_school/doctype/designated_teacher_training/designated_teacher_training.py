# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from frappe.model.document import Document


class DesignatedTeacherTraining(Document):
	"""A training or induction a school contact attended (a row of School Contact's ``trainings``); the
	designated-teacher check (domain.designated_teacher) reads the dates."""
