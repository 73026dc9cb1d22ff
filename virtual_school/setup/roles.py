"""The app's roles (DOMAIN.md §2) and who lands on the Virtual School workspace."""

import frappe

VIRTUAL_SCHOOL_HEAD = "Virtual School Head"
VIRTUAL_SCHOOL_MANAGER = "Virtual School Manager"
VIRTUAL_SCHOOL_CASEWORKER = "Virtual School Caseworker"
VIRTUAL_SCHOOL_FINANCE = "Virtual School Finance"
SCHOOL_PORTAL_USER = "School Portal User"

DESK_ROLES = (VIRTUAL_SCHOOL_HEAD, VIRTUAL_SCHOOL_MANAGER, VIRTUAL_SCHOOL_CASEWORKER, VIRTUAL_SCHOOL_FINANCE)
PORTAL_ROLES = (SCHOOL_PORTAL_USER,)
ALL_ROLES = DESK_ROLES + PORTAL_ROLES

WORKSPACE = "Virtual School"


def ensure_roles() -> None:
	"""Create the app's roles, or correct their desk access; safe to run any number of times."""
	for role_name in ALL_ROLES:
		desk_access = 0 if role_name in PORTAL_ROLES else 1
		if frappe.db.exists("Role", role_name):
			if frappe.db.get_value("Role", role_name, "desk_access") != desk_access:
				frappe.db.set_value("Role", role_name, "desk_access", desk_access)
			continue
		frappe.get_doc({"doctype": "Role", "role_name": role_name, "desk_access": desk_access}).insert(
			ignore_permissions=True
		)


def has_app_permission() -> bool:
	"""Show the app on /apps to the Virtual School team (and administrators)."""
	roles = set(frappe.get_roles())
	return bool(roles & {*DESK_ROLES, "System Manager", "Administrator"})


def set_default_workspace(user, method=None) -> None:
	"""Desk users of the Virtual School land on its workspace unless they chose another."""
	if user.default_workspace or user.user_type == "Website User":
		return
	if not frappe.db.exists("Workspace", WORKSPACE):
		return
	if {row.role for row in user.roles} & set(DESK_ROLES):
		user.default_workspace = WORKSPACE
