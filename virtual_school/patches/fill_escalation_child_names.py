"""Issue #21: escalations opened with only their record (every service and the desk form) were saved with
an empty ``child_name``, because Frappe fetched ``child.full_name`` before the controller set ``child``;
lists showed "ESC-00001". The controller now copies the name; this fills the rows already stored, in one
update joined to Child."""

import frappe
from frappe.query_builder.functions import IfNull


def execute():
	escalation = frappe.qb.DocType("Escalation")
	child = frappe.qb.DocType("Child")
	(
		frappe.qb.update(escalation)
		.join(child)
		.on(child.name == escalation.child)
		.set(escalation.child_name, child.full_name)
		.where(IfNull(escalation.child_name, "") != child.full_name)
	).run()
