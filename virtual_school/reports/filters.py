"""Filters shared by the Script Reports."""

import frappe
from frappe import _
from frappe.utils import add_months, getdate, today

from virtual_school.domain import school_days


def academic_year_bounds(filters: frappe._dict):
	"""Set ``filters.academic_year`` (default: the current one) and return its first and last day."""
	filters.academic_year = filters.get("academic_year") or school_days.academic_year_of(getdate(today()))
	try:
		return school_days.academic_year_bounds(filters.academic_year)
	except ValueError:
		frappe.throw(_("Academic Year must look like 2025-26."), title=_("Invalid Filters"))


def on_date(filters: frappe._dict):
	"""The day the report is worked out on: ``filters.on_date`` (not on the page; tests pass it), else today."""
	return getdate(filters.get("on_date") or today())


def date_range(filters: frappe._dict, months_back: int = 12):
	"""Set ``filters.from_date`` and ``filters.to_date`` as dates (default: the ``months_back`` months to
	today) and return them; a range that ends before it starts is refused."""
	filters.from_date = getdate(filters.get("from_date") or add_months(today(), -months_back))
	filters.to_date = getdate(filters.get("to_date") or today())
	if filters.from_date > filters.to_date:
		frappe.throw(_("From Date must be on or before To Date."), title=_("Invalid Filters"))
	return filters.from_date, filters.to_date


def index_hint(doctype: str, index: str) -> str:
	"""``force index (index)`` when the table has it (it is created on migrate), else nothing.

	For the few queries where MariaDB prefers a shorter covering index that then needs a temporary table
	for the group by (on disk past ``tmp_table_size``: seconds instead of one ordered index scan).
	"""
	return f"force index (`{index}`)" if frappe.db.has_index(f"tab{doctype}", index) else ""
