"""Sign-in fit for children's records: two-factor authentication for school staff, short sessions, lockouts.

Applied once per site (on install, or on the first migrate that brings this code), so an administrator who
later changes a setting in System Settings or on a Role keeps their choice. Uses Frappe's own machinery:

- two-factor authentication (System Settings ``enable_two_factor_auth``, method "OTP App") required for
  every user with the School Portal User role (``Role.two_factor_auth``); the desk roles are offered it
  (tick Two Factor Authentication on the Role) but not forced, so the virtual school decides;
- sign-in by emailed link switched off: it would skip the second factor;
- sessions expire after 8 idle hours; 5 wrong passwords lock the account for 10 minutes.
"""

import frappe

from virtual_school.setup.roles import SCHOOL_PORTAL_USER

APPLIED_FLAG = "virtual_school_security_defaults"
VERSION = "1"
SYSTEM_SETTINGS = {
	"enable_two_factor_auth": 1,
	"two_factor_method": "OTP App",
	"otp_issuer_name": "Virtual School",
	"login_with_email_link": 0,
	"session_expiry": "08:00",
	"allow_consecutive_login_attempts": 5,
	"allow_login_after_fail": 600,
}
TWO_FACTOR_ROLES = (SCHOOL_PORTAL_USER,)


def ensure_security_defaults(force: bool = False) -> bool:
	"""Set the sign-in defaults unless this site already has them (``force`` sets them again)."""
	if not force and frappe.db.get_default(APPLIED_FLAG) == VERSION:
		return False
	for fieldname, value in SYSTEM_SETTINGS.items():
		frappe.db.set_single_value("System Settings", fieldname, value)
	for role in TWO_FACTOR_ROLES:
		if frappe.db.exists("Role", role):
			frappe.db.set_value("Role", role, "two_factor_auth", 1)
	frappe.db.set_default(APPLIED_FLAG, VERSION)
	frappe.clear_cache()
	return True


# Saving System Settings with two-factor on makes Frappe v15 require it of the role "All", i.e. of every
# user (SystemSettings.validate -> toggle_two_factor_auth(True, roles=["All"])). The app's policy is per
# role (school staff required, desk roles offered), so a save keeps the role "All" as it was before it.
def remember_two_factor_roles(doc, method=None) -> None:
	"""System Settings before_validate."""
	doc.flags.all_role_two_factor = frappe.db.get_value("Role", "All", "two_factor_auth")


def keep_two_factor_roles(doc, method=None) -> None:
	"""System Settings on_update: undo Frappe's automatic "All" if it was off before the save."""
	before = doc.flags.get("all_role_two_factor")
	if before is not None and not int(before or 0):
		frappe.db.set_value("Role", "All", "two_factor_auth", 0)
