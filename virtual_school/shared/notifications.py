"""The opt-out of the app's e-mail Notifications (issue #21): Frappe's own per-user Notification Settings.

Frappe v15 honours a user's Notification Settings (*Enabled*, *Enable Email Notifications*) for the bell's
Notification Log and its e-mails, but a Notification record of channel Email mails every recipient it finds
(``Notification.get_list_of_recipients``), whatever they chose. The app's standard Notifications
(``virtual_school/virtual_school/notification/``) therefore go through this subclass
(hooks ``override_doctype_class``), which drops, from the e-mail of a Notification of the Virtual School
module, every desk user who turned notifications or e-mail notifications off. A recipient who is not a user
(a school contact's address) is kept; other apps' Notifications are untouched; the bell copy
(``send_system_notification``) is left to Frappe, which already skips a user who turned notifications off.
"""

import frappe
from frappe.desk.doctype.notification_settings.notification_settings import (
	is_email_notifications_enabled,
	is_notifications_enabled,
)
from frappe.email.doctype.notification.notification import Notification

MODULE = "Virtual School"


def wants_email(address: str) -> bool:
	"""Whether the app may e-mail this address: False for an enabled user who turned off notifications or
	e-mail notifications in their Notification Settings; True for an address that is no user's."""
	user = frappe.db.get_value("User", {"email": address}, "name") or (
		address if frappe.db.exists("User", address) else None
	)
	if not user:
		return True
	return bool(is_notifications_enabled(user)) and bool(is_email_notifications_enabled(user))


class VirtualSchoolNotification(Notification):
	def send_an_email(self, doc, context):
		self.flags.sending_email = True
		try:
			return super().send_an_email(doc, context)
		finally:
			self.flags.sending_email = False

	def get_list_of_recipients(self, doc, context):
		recipients, cc, bcc = super().get_list_of_recipients(doc, context)
		if self.module != MODULE or not self.flags.sending_email:
			return recipients, cc, bcc
		return (
			[address for address in recipients if wants_email(address)],
			[address for address in cc if wants_email(address)],
			[address for address in bcc if wants_email(address)],
		)
