"""The role workspaces (issue #21): which one each role lands on, and Frappe's own workspaces kept from them.

Frappe v15 shows a user every public Workspace whose ``roles`` table is empty or names one of their roles
(``frappe.desk.desktop.Workspace.is_permitted``), so Frappe's own *Users*, *Website*, *Tools*,
*Integrations* and *Build* workspaces sit in every Virtual School user's sidebar: empty shells or, worse,
links into Frappe's tooling. ``hide_frappe_workspaces`` gives each of them a ``roles`` table without the
app's roles (System Manager when it had none), so they stay in a System Manager's sidebar and leave ours.
Frappe re-imports its workspace JSON on migrate when the JSON changes, which resets the table: this runs
in ``setup.install.converge`` (install, every migrate, tests), so it converges again, and also repairs any
user's default workspace that their roles do not show (Frappe would ask for it as a Page: a 404).

The rows are written directly (``Has Role`` rows of the workspace), not through ``Workspace.save``: in
developer mode a standard workspace's save writes it back to Frappe's own app folder.
"""

import frappe

from virtual_school.setup import roles

# Each app role's own workspace, in order of precedence for a user holding several roles
ROLE_WORKSPACES = {
	roles.VIRTUAL_SCHOOL_HEAD: "Virtual School Head",
	roles.VIRTUAL_SCHOOL_MANAGER: "Approvals",
	roles.VIRTUAL_SCHOOL_FINANCE: "Finance",
	roles.VIRTUAL_SCHOOL_CASEWORKER: "My Caseload",
	roles.SOCIAL_WORKER: "My Children",
}
# Frappe v15's own sidebar workspaces that are no use to the Virtual School team
FRAPPE_WORKSPACES = ("Users", "Website", "Tools", "Integrations", "Build")
# who keeps seeing a Frappe workspace that had no roles table (everyone) before
KEEPER_ROLE = "System Manager"


def workspace_for(user_roles) -> str | None:
	"""The role workspace of a user with these roles (the first of ``ROLE_WORKSPACES`` they hold), else the
	shared Virtual School workspace if their roles show it, else None (Frappe opens the first workspace of
	the sidebar). Never one the roles do not show: Frappe would ask for it as a Page and answer 404."""
	user_roles = set(user_roles)
	candidates = [workspace for role, workspace in ROLE_WORKSPACES.items() if role in user_roles]
	for workspace in (*candidates, roles.WORKSPACE):
		if frappe.db.exists("Workspace", workspace) and can_see_workspace(workspace, user_roles):
			return workspace
	return None


def can_see_workspace(workspace: str, user_roles) -> bool:
	"""Whether a workspace's ``roles`` table lets a user with these roles see it (an empty table: everyone)."""
	allowed = set(
		frappe.get_all("Has Role", filters={"parenttype": "Workspace", "parent": workspace}, pluck="role")
	)
	return not allowed or bool(allowed & set(user_roles))


def hide_frappe_workspaces() -> None:
	"""Take the app's roles off Frappe's own workspaces, leaving them to System Manager; idempotent."""
	app_roles = set(roles.ALL_ROLES)
	changed = False
	for name in FRAPPE_WORKSPACES:
		if not frappe.db.exists("Workspace", name):
			continue
		current = frappe.get_all(
			"Has Role", filters={"parenttype": "Workspace", "parent": name}, fields=["name", "role"]
		)
		kept = [row.role for row in current if row.role not in app_roles]
		if current and len(kept) == len(current):
			continue  # already restricted to roles outside the app
		frappe.db.delete("Has Role", {"parenttype": "Workspace", "parent": name})
		for idx, role in enumerate(kept or [KEEPER_ROLE], start=1):
			row = frappe.new_doc("Has Role")
			row.update(
				{"parent": name, "parenttype": "Workspace", "parentfield": "roles", "role": role, "idx": idx}
			)
			row.db_insert()
		changed = True
	repair_default_workspaces()
	if changed:
		frappe.clear_cache()  # the sidebar is cached per user in the boot info


def repair_default_workspaces() -> None:
	"""Give every enabled desk user whose default workspace their roles do not show (a Social Worker sent to
	Virtual School before issue #21, a role changed without a save) the one ``workspace_for`` chooses."""
	users = frappe.get_all(
		"User",
		filters={"enabled": 1, "user_type": "System User", "default_workspace": ("is", "set")},
		fields=["name", "default_workspace"],
	)
	for user in users:
		user_roles = frappe.get_all(
			"Has Role", filters={"parenttype": "User", "parent": user.name}, pluck="role"
		)
		if can_see_workspace(user.default_workspace, user_roles):
			continue
		frappe.db.set_value(
			"User", user.name, "default_workspace", workspace_for(user_roles), update_modified=False
		)


def set_default_workspace(user, method=None) -> None:
	"""Desk users of the Virtual School land on their role's workspace (``setup/workspaces.ROLE_WORKSPACES``:
	My Caseload, Approvals, Virtual School Head, Finance) unless they chose another they may still see.

	A default the user's roles no longer show (a caseworker made Finance) is replaced: Frappe would open a
	workspace the sidebar does not list."""
	if user.user_type == "Website User":
		return
	user_roles = {row.role for row in user.roles}
	if user.default_workspace and can_see_workspace(user.default_workspace, user_roles):
		return
	workspace = workspace_for(user_roles)
	if workspace:
		user.default_workspace = workspace
