"""Tell a child's social worker (their desk user, ``Child.social_worker_user``) what social care must act on.

Issue #23 item 1: a Notification Log (the desk's bell, and Frappe's notification email) when one of their
children is suspended or permanently excluded, or is left without a school place. Written in the same
transaction as the record that caused it (``make_notification_logs``, not a job): a save that fails
notifies nobody.
"""

import frappe
from frappe import _
from frappe.desk.doctype.notification_log.notification_log import make_notification_logs
from frappe.utils import getdate, today


def _notify(child: str, subject: str, doctype: str, name: str) -> None:
	user = frappe.db.get_value("Child", child, "social_worker_user")
	if not user:
		return
	make_notification_logs(
		frappe._dict(
			{
				"type": "Alert",
				"document_type": doctype,
				"document_name": name,
				"subject": subject,
				"from_user": frappe.session.user,
			}
		),
		[frappe.db.get_value("User", user, "email")],
	)


def exclusion_inserted(doc, method=None) -> None:
	"""Exclusion after_insert: the child's social worker hears of the suspension or exclusion at once."""
	_notify(
		doc.child,
		_("{0}: {1} from {2}").format(
			frappe.utils.escape_html(doc.child_name or doc.child),
			_(doc.exclusion_type or "Exclusion"),
			frappe.utils.formatdate(doc.start_date),
		),
		doc.doctype,
		doc.name,
	)


def placement_updated(doc, method=None) -> None:
	"""Education Placement on_update (after the controller refreshed the child's current school): a placement
	that has ended and left the child with no school on roll is the social worker's to know."""
	if not doc.end_date or getdate(doc.end_date) > getdate(today()):
		return
	before = doc.get_doc_before_save()
	if before is not None and before.end_date and getdate(before.end_date) == getdate(doc.end_date):
		return  # not the save that ended it
	if frappe.db.get_value("Child", doc.child, "current_school"):
		return
	child_name = frappe.db.get_value("Child", doc.child, "full_name") or doc.child
	_notify(
		doc.child,
		_("{0} has no school place: the placement at {1} ended on {2}").format(
			frappe.utils.escape_html(child_name),
			frappe.utils.escape_html(frappe.db.get_value("School", doc.school, "school_name") or doc.school),
			frappe.utils.formatdate(doc.end_date),
		),
		doc.doctype,
		doc.name,
	)
