"""Finding a child by name from the desk's awesome bar, within the user's caseload (issue #21 item 3).

Frappe v15's awesome bar finds records only through global search (its first option, "Search for …",
opens the search dialog on ``frappe.utils.global_search.search``). That search reads the ``__global_search``
index and checks only doctype-level read permission, so Child is deliberately kept out of the index (hooks.py
``global_search_doctypes``): any caseworker would see every child's name. This override (hooks.py
``override_whitelisted_methods``) answers Frappe's search unchanged and adds the children whose name or UPN
matches, found through ``frappe.get_list``, which applies the caseload permission hooks: a caseworker finds
their own children and never another caseload's. The values are escaped: the dialog writes them as HTML.

**Link search.** Frappe's ``search_link``/``search_widget`` take ``ignore_user_permissions`` from the caller and
then call ``frappe.get_list(..., ignore_permissions=True)``: meant to skip User Permission records, it skips
the permission query hooks too, so a caseworker asking ``search_link("Child", "a", ignore_user_permissions=1)``
got every child's name. The app narrows with hooks, not User Permissions, so the whitelisted methods are
overridden (hooks.py) to always search with the user's permissions.
"""

import frappe
from frappe.desk import search as frappes_link_search
from frappe.utils import cint, escape_html
from frappe.utils.global_search import search as frappes_search

CHILD = "Child"
# What the dialog shows under each child (Frappe's global search "content": label &&& value, joined by |||).
SHOWN = ("full_name", "year_group", "current_school_name")
MIN_TEXT = 2
AWESOME_BAR_LIMIT = 8


@frappe.whitelist()
def search(text: str, start: int = 0, limit: int = 20, doctype: str = "") -> list[dict]:
	"""``frappe.utils.global_search.search``, with the user's own children found by name first."""
	results = [] if doctype == CHILD else frappes_search(text, start=start, limit=limit, doctype=doctype)
	if doctype in ("", CHILD):
		results = children_matching(text, start=cint(start), limit=cint(limit) or 20) + results
	return results


@frappe.whitelist()
def children_for_awesome_bar(text: str) -> list[dict]:
	"""The awesome bar's own dropdown (``public/js/awesome_bar_children.js``): the user's children by name, as
	they type, with year group and school; the dialog above shows only IDs as titles."""
	return find_children(text, limit=AWESOME_BAR_LIMIT)


def find_children(text: str, start: int = 0, limit: int = 20) -> list[dict]:
	"""Children the user may read whose full name holds every word of ``text`` (or whose UPN is ``text``)."""
	words = [word for word in (text or "").replace("&", " ").split() if word]
	if len("".join(words)) < MIN_TEXT or not frappe.has_permission(CHILD, "read"):
		return []
	rows = frappe.get_list(
		CHILD,
		filters=[[CHILD, "full_name", "like", f"%{word}%"] for word in words],
		fields=["name", *SHOWN],
		order_by="full_name asc",
		limit_start=start,
		limit_page_length=limit,
	)
	if not rows and len(words) == 1:
		rows = frappe.get_list(
			CHILD, filters={"upn": words[0]}, fields=["name", *SHOWN], limit_page_length=limit
		)
	return rows


def children_matching(text: str, start: int = 0, limit: int = 20) -> list[dict]:
	"""``find_children`` as rows of Frappe's global search (the dialog's "content": label &&& value |||)."""
	meta = frappe.get_meta(CHILD)
	return [
		{
			"doctype": CHILD,
			"name": row.name,
			"content": " ||| ".join(
				f"{escape_html(frappe._(meta.get_label(field)))} &&& {escape_html(row.get(field))}"
				for field in SHOWN
				if row.get(field)
			),
			"rank": 1.0,
		}
		for row in find_children(text, start=start, limit=limit)
	]


@frappe.whitelist()
def search_link(
	doctype: str,
	txt: str,
	query: str | None = None,
	filters: str | dict | list | None = None,
	page_length: int = 10,
	searchfield: str | None = None,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
):
	"""``frappe.desk.search.search_link``, always within the user's permissions (see the module's docstring)."""
	return frappes_link_search.search_link(
		doctype,
		txt,
		query=query,
		filters=filters,
		page_length=page_length,
		searchfield=searchfield,
		reference_doctype=reference_doctype,
		ignore_user_permissions=False,
	)


@frappe.whitelist()
def search_widget(
	doctype: str,
	txt: str,
	query: str | None = None,
	searchfield: str | None = None,
	start: int = 0,
	page_length: int = 10,
	filters: str | dict | list | None = None,
	filter_fields=None,
	as_dict: bool = False,
	reference_doctype: str | None = None,
	ignore_user_permissions: bool = False,
):
	"""``frappe.desk.search.search_widget``, always within the user's permissions."""
	return frappes_link_search.search_widget(
		doctype,
		txt,
		query=query,
		searchfield=searchfield,
		start=start,
		page_length=page_length,
		filters=filters,
		filter_fields=filter_fields,
		as_dict=as_dict,
		reference_doctype=reference_doctype,
		ignore_user_permissions=False,
	)
