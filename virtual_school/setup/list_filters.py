"""The desk's lists as a caseworker scans them (issue #21 item 3): every column shown at 1366 px, and a saved
"My caseload" filter one click away.

**Columns.** Frappe v15's list view shows at most 4 columns on a screen 1366 px wide or narrower (the title,
the hidden tag column and the status indicator count among them: ``list_view.js setup_columns``), so a list
with three chosen fields showed one of them on a council laptop. The list's own List View Settings
(``total_fields``) lifts that limit; ``sync_list_view_settings`` sets it for every app doctype from its metadata
(its ``in_list_view`` fields, at most ``MAX_LIST_FIELDS`` of them, ``tests/test_lists.py``), never lowering a
number a System Manager chose.

**"Mine".** A saved List Filter (the sidebar's *Save Filter* pills) holds literal values: Frappe v15 has no
"the current user" placeholder in a shared filter, and a global filter naming nobody cannot mean "mine". So
each user who has a caseload or holds escalations gets their own List Filter per list, naming them
(``MINE_FILTERS``), made on every migrate and whenever the user is saved (``sync_user``), and removed when
the role goes. The filters only narrow what the user may list: the caseload permission hooks still apply.
"""

import json

import frappe
from frappe import _

from virtual_school.permissions import CASELOAD_FIELDS
from virtual_school.setup.roles import (
	VIRTUAL_SCHOOL_CASEWORKER,
	VIRTUAL_SCHOOL_HEAD,
	VIRTUAL_SCHOOL_MANAGER,
)

MODULE = "Virtual School"
# Title + the hidden tag column + the status indicator: what Frappe counts before the fields (list_view.js).
FIXED_COLUMNS = 3
# Frappe's own column limit at 1366 px and narrower (list_view.js setup_columns: ``total_fields = 4``).
FRAPPE_COLUMNS_AT_1366 = 4
# At 1366 px the list area is ~930 px beside the sidebar: the title (twice a column's width), the status and
# four fields give each field ~115 px, enough for a date, an amount, a year group or a school's name.
MAX_LIST_FIELDS = 4

MY_CASELOAD = "My caseload"
HELD_BY_ME = "Held by me"
# list -> [(the filter's name, role, the field naming the user)]. A child's caseload fields are the
# permission hooks' own (permissions.CASELOAD_FIELDS); the other lists copy the child's caseworker.
MINE_FILTERS: dict[str, list[tuple[str, str, str]]] = {
	"Child": [(MY_CASELOAD, role, field) for role, field in CASELOAD_FIELDS.items()],
	"Personal Education Plan": [(MY_CASELOAD, VIRTUAL_SCHOOL_CASEWORKER, "caseworker")],
	"PP Plus Claim": [(MY_CASELOAD, VIRTUAL_SCHOOL_CASEWORKER, "caseworker")],
	"School Place Request": [(MY_CASELOAD, VIRTUAL_SCHOOL_CASEWORKER, "caseworker")],
	"Escalation": [
		(HELD_BY_ME, role, "escalation_owner")
		for role in (VIRTUAL_SCHOOL_CASEWORKER, VIRTUAL_SCHOOL_MANAGER, VIRTUAL_SCHOOL_HEAD)
	],
}


def converge() -> None:
	"""Migrate (``setup.install.converge``): list settings, then every user's "mine" filters."""
	sync_list_view_settings()
	sync_mine_filters()


# Columns
# -------
def app_list_doctypes() -> list[str]:
	"""The app's doctypes that have a list of their own (not child tables, not single settings)."""
	return frappe.get_all(
		"DocType", filters={"module": MODULE, "istable": 0, "issingle": 0}, pluck="name", order_by="name"
	)


def list_fields(doctype: str) -> list[str]:
	"""The fields the list shows beside its title (Frappe leaves the title field out of the columns)."""
	meta = frappe.get_meta(doctype)
	return [
		df.fieldname
		for df in meta.fields
		if df.in_list_view and not df.is_virtual and df.fieldname != meta.title_field
	]


def columns_needed(doctype: str) -> int:
	"""The ``total_fields`` that shows every list field of the doctype."""
	return FIXED_COLUMNS + len(list_fields(doctype))


def sync_list_view_settings() -> None:
	"""Each list whose fields exceed Frappe's 1366 px limit gets a List View Settings that shows them all."""
	for doctype in app_list_doctypes():
		needed = columns_needed(doctype)
		if needed <= FRAPPE_COLUMNS_AT_1366:
			continue
		current = frappe.db.get_value("List View Settings", doctype, "total_fields")
		if current is None:
			settings = frappe.new_doc("List View Settings")
			settings.name = doctype
			settings.total_fields = str(min(needed, 10))
			settings.insert(ignore_permissions=True)
		elif int(current or 0) < needed:
			frappe.db.set_value("List View Settings", doctype, "total_fields", str(min(needed, 10)))


# "Mine"
# ------
def mine_filters_for(user: str, roles: set[str]) -> dict[tuple[str, str], list[list[str]]]:
	"""(list, filter name) -> the filter rows naming the user, for the roles they hold."""
	wanted: dict[tuple[str, str], list[list[str]]] = {}
	for doctype, choices in MINE_FILTERS.items():
		for label, role, field in choices:
			if role in roles:
				rows = wanted.setdefault((doctype, _(label)), [])
				if not any(row[1] == field for row in rows):
					rows.append([doctype, field, "=", user])
	# a user with two caseload roles sees either set: Frappe's filter rows are ANDed, so keep the first
	return {key: rows[:1] for key, rows in wanted.items()}


def sync_user(user: str | None = None, roles: set[str] | None = None) -> None:
	"""The user's "mine" List Filters made, corrected or removed to match their roles (idempotent)."""
	if roles is None:
		enabled = frappe.db.get_value("User", user, "enabled")
		roles = set(frappe.get_roles(user)) if enabled else set()
	wanted = mine_filters_for(user, roles)
	labels = {_(label) for choices in MINE_FILTERS.values() for label, _role, _field in choices}
	existing = frappe.get_all(
		"List Filter",
		filters={
			"for_user": user,
			"reference_doctype": ("in", list(MINE_FILTERS)),
			"filter_name": ("in", labels),
		},
		fields=["name", "reference_doctype", "filter_name", "filters"],
	)
	for row in existing:
		rows = wanted.pop((row.reference_doctype, row.filter_name), None)
		if rows is None:
			frappe.delete_doc("List Filter", row.name, ignore_permissions=True, force=True)
		elif json.loads(row.filters or "[]") != rows:
			frappe.db.set_value("List Filter", row.name, "filters", json.dumps(rows))
	for (doctype, label), rows in wanted.items():
		frappe.get_doc(
			{
				"doctype": "List Filter",
				"filter_name": label,
				"reference_doctype": doctype,
				"for_user": user,
				"filters": json.dumps(rows),
			}
		).insert(ignore_permissions=True)


def sync_mine_filters() -> None:
	"""Every user's "mine" filters: users holding a role of ``MINE_FILTERS``, and users who had one."""
	roles = {role for choices in MINE_FILTERS.values() for _label, role, _field in choices}
	holders = frappe.get_all(
		"Has Role", filters={"role": ("in", list(roles)), "parenttype": "User"}, pluck="parent"
	)
	labels = {_(label) for choices in MINE_FILTERS.values() for label, _role, _field in choices}
	had = frappe.get_all(
		"List Filter",
		filters={
			"reference_doctype": ("in", list(MINE_FILTERS)),
			"filter_name": ("in", labels),
			"for_user": ("is", "set"),
		},
		pluck="for_user",
	)
	for user in sorted(set(holders) | set(had)):
		if frappe.db.exists("User", user):
			sync_user(user)


def user_updated(doc, method=None) -> None:
	"""User ``on_update``: roles given or taken, account enabled or disabled."""
	sync_user(doc.name, {row.role for row in doc.get("roles") or []} if doc.enabled else set())
