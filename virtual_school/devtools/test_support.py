"""Test support for signing in through two-factor authentication (tier 3 only).

The browser and HTTP tests sign school users in through Frappe's real OTP step: they read the user's OTP
secret here and compute the code with pyotp, as an authenticator app would. Only Administrator may call
it, and only on a site with ``allow_tests`` set (test sites); anywhere else it refuses.
"""

import frappe
from frappe import _
from frappe.twofactor import get_otpsecret_for_, set_default


@frappe.whitelist(methods=["POST"])
def otp_secret(user: str) -> str:
	"""The user's OTP secret (created if missing), with their authenticator marked as set up."""
	if frappe.session.user != "Administrator" or not frappe.conf.get("allow_tests"):
		frappe.throw(_("Not permitted."), frappe.PermissionError)
	if not frappe.db.exists("User", user):
		frappe.throw(_("No such user."), frappe.DoesNotExistError)

	secret = get_otpsecret_for_(user)
	# As if the user had scanned the QR code already: Frappe then asks for the app's code instead of
	# emailing the QR code (test sites have no outgoing email account).
	set_default(user + "_otplogin", 1)
	frappe.db.commit()  # nosemgrep: read by the login request that follows
	return secret
