"""The app's roles (DOMAIN.md §2) and who lands on the Virtual School workspace."""

import frappe

VIRTUAL_SCHOOL_HEAD = "Virtual School Head"
VIRTUAL_SCHOOL_MANAGER = "Virtual School Manager"
VIRTUAL_SCHOOL_CASEWORKER = "Virtual School Caseworker"
VIRTUAL_SCHOOL_FINANCE = "Virtual School Finance"
SCHOOL_PORTAL_USER = "School Portal User"
# The child's local-authority social worker (issue #23): a desk user scoped to the children whose
# Child.social_worker_user is them (virtual_school/permissions.py), who completes the PEP's social-care part.
SOCIAL_WORKER = "Social Worker"

# the virtual school's own team, who share its reference records (settings, funding years, calendars)
VIRTUAL_SCHOOL_TEAM = (
	VIRTUAL_SCHOOL_HEAD,
	VIRTUAL_SCHOOL_MANAGER,
	VIRTUAL_SCHOOL_CASEWORKER,
	VIRTUAL_SCHOOL_FINANCE,
)
DESK_ROLES = (*VIRTUAL_SCHOOL_TEAM, SOCIAL_WORKER)
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
