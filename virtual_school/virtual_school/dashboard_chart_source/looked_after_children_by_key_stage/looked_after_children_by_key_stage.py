"""Looked-after children by key stage, in school order (EYFS, KS1 ... KS5), not by count (issue #21).

Frappe's Group By chart orders its bars by count, so *Children by Key Stage* showed KS2 before EYFS. This
Custom chart source counts the children looked after today (``children.vocabulary.looked_after_on``, active
cases) by ``Child.key_stage`` and returns the key stages in order; a caseworker's chart counts only their
caseload (``reports/caseload.py``), as their list does.
"""

import frappe
from frappe import _
from frappe.query_builder.functions import Count
from frappe.utils import getdate, today

from virtual_school.children.vocabulary import ACTIVE, looked_after_on
from virtual_school.domain import school_days
from virtual_school.reports.caseload import scope

# Reception (0) to Year 13: EYFS, KS1, KS2, KS3, KS4, KS5
KEY_STAGES = tuple(dict.fromkeys(school_days.key_stage(group) for group in range(0, 14)))


def ordered(counts: dict) -> list[tuple[str, int]]:
	"""(key stage, count) in school order, then any other value (not of school age, not set) by name."""
	known = [(stage, counts.get(stage, 0)) for stage in KEY_STAGES]
	others = sorted(
		((stage or _("Not set"), count) for stage, count in counts.items() if stage not in KEY_STAGES),
		key=lambda pair: pair[0],
	)
	return known + others


@frappe.whitelist()
def get(
	chart_name=None,
	chart=None,
	no_cache=None,
	filters=None,
	from_date=None,
	to_date=None,
	timespan=None,
	time_interval=None,
	heatmap_year=None,
	refresh=None,
) -> dict:
	if not frappe.has_permission("Child", "read"):
		frappe.throw(_("Not permitted to read children."), frappe.PermissionError)
	child = frappe.qb.DocType("Child")
	criterion = looked_after_on(child, getdate(today())) & (child.status == ACTIVE)
	caseload = scope(child)
	if caseload is not None:
		criterion &= caseload
	counts = dict(
		frappe.qb.from_(child)
		.select(child.key_stage, Count(child.name))
		.where(criterion)
		.groupby(child.key_stage)
		.run()
	)
	rows = ordered(counts)
	return {
		"labels": [_(stage) for stage, _count in rows],
		"datasets": [{"name": _("Looked-after children"), "values": [count for _stage, count in rows]}],
	}
