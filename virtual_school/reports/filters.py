"""Filters shared by the Script Reports."""

import frappe
from frappe import _
from frappe.utils import getdate, today

from virtual_school.domain import school_days


def academic_year_bounds(filters: frappe._dict):
	"""Set ``filters.academic_year`` (default: the current one) and return its first and last day."""
	filters.academic_year = filters.get("academic_year") or school_days.academic_year_of(getdate(today()))
	try:
		return school_days.academic_year_bounds(filters.academic_year)
	except ValueError:
		frappe.throw(_("Academic Year must look like 2025-26."), title=_("Invalid Filters"))


def index_hint(doctype: str, index: str) -> str:
	"""``force index (index)`` when the table has it (it is created on migrate), else nothing.

	For the few queries where MariaDB prefers a shorter covering index that then needs a temporary table
	for the group by (on disk past ``tmp_table_size``: seconds instead of one ordered index scan).
	"""
	return f"force index (`{index}`)" if frappe.db.has_index(f"tab{doctype}", index) else ""
