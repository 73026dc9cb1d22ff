# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from virtual_school.permissions import require_roles
from virtual_school.setup.roles import SCHOOL_PORTAL_USER, VIRTUAL_SCHOOL_HEAD, VIRTUAL_SCHOOL_MANAGER


class SchoolContact(Document):
	"""A person at a school. Linking a website User makes them a portal user for this school."""

	def validate(self):
		self.full_name = (self.full_name or "").strip()
		if self.user:
			self.validate_portal_user()

	def validate_portal_user(self):
		if frappe.db.get_value("User", self.user, "user_type") != "Website User":
			frappe.throw(
				_(
					"Portal User {0} is a desk user. Link a website user: school staff must not have desk access."
				).format(frappe.bold(self.user)),
				title=_("Not a Portal User"),
			)

	@frappe.whitelist()
	def invite_to_portal(self) -> dict:
		"""Give this contact a portal account (a Website User with School Portal User) and send Frappe's welcome.

		Idempotent: an existing account is linked and given the role; the welcome (set-your-password) email
		goes again only while the person has never signed in.
		"""

		# Portal access opens a school's view of children's records: a manager's decision, not a caseworker's.
		require_roles(VIRTUAL_SCHOOL_HEAD, VIRTUAL_SCHOOL_MANAGER, "System Manager")
		self.check_permission("write")
		email = (self.user or self.email or "").strip().lower()
		if not email or not frappe.utils.validate_email_address(email):
			frappe.throw(_("Enter the contact's email address first."), title=_("Email Needed"))
		if not self.is_active:
			frappe.throw(_("The contact is not active."), title=_("Inactive Contact"))
		if frappe.db.exists("User", email):
			user = frappe.get_doc("User", email)
			if user.user_type != "Website User":
				frappe.throw(
					_("{0} is a desk user: school staff must have a separate website account.").format(email),
					title=_("Not a Portal User"),
				)
			if SCHOOL_PORTAL_USER not in {row.role for row in user.roles}:
				user.append("roles", {"role": SCHOOL_PORTAL_USER})
			user.enabled = 1
			user.flags.ignore_permissions = True
			user.save()
			created = False
		else:
			first, _sep, last = (self.full_name or email.split("@")[0]).partition(" ")
			user = frappe.get_doc(
				{
					"doctype": "User",
					"email": email,
					"first_name": first,
					"last_name": last,
					"user_type": "Website User",
					"send_welcome_email": 0,
					"roles": [{"role": SCHOOL_PORTAL_USER}],
				}
			)
			user.flags.no_welcome_mail = True
			user.insert(ignore_permissions=True)
			created = True
		if self.user != user.name:
			self.db_set("user", user.name)
		if not self.email:
			self.db_set("email", user.name)
		sent = no_email_account = False
		if created or not user.last_login:
			try:
				user.send_welcome_mail_to_user()  # Frappe's welcome: a link to set their password
				sent = True
			except frappe.OutgoingEmailError:
				no_email_account = True
		self.add_comment(
			"Info",
			_("Invited to the school portal as {0}.").format(user.name)
			if sent
			else _("Portal account checked."),
		)
		if sent:
			message = _("Welcome email sent to {0}.").format(user.name)
		elif no_email_account:
			message = _(
				"Portal account {0} is ready, but no email could be sent: set up an outgoing Email Account, "
				"then re-send the invite."
			).format(user.name)
		else:
			message = _("{0} already uses the school portal; no email sent.").format(user.name)
		return {"user": user.name, "created": created, "email_sent": sent, "message": message}
