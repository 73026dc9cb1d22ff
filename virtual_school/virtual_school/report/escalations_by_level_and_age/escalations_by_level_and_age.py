# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""Open escalations by level of the ladder and how long each has been at its level (issue #23 item 6).

The days at a level are calendar days from the last time the escalation reached its current level (the
newest Escalation Log row whose ``to_level`` is that level: opening, a raise or a lowering all log one),
else from the day it was opened. A caseworker sees their caseload's escalations (``reports.caseload``), as
the Escalation list shows them: one without a child (a PP+ impact report) is not on anybody's caseload."""

import frappe
from frappe import _
from pypika import Table

from virtual_school.domain.escalation_ladder import LEVELS
from virtual_school.escalations.vocabulary import ESCALATABLE, OPEN
from virtual_school.reports import caseload
from virtual_school.reports.filters import on_date

# (fieldname, label, fewest days, most days or None): the age bands of the issue, in calendar days
AGE_BANDS = (
	("days_0_7", "0-7 Days", 0, 7),
	("days_8_14", "8-14 Days", 8, 14),
	("days_15_28", "15-28 Days", 15, 28),
	("days_over_28", "Over 28 Days", 29, None),
)
BAND_COLOURS = ("#16a34a", "#65a30d", "#d97706", "#dc2626")
ESCALATION = Table("tabEscalation").as_("escalation")  # a plain table: DocType() needs a site at import


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	validate_filters(filters)
	data = get_data(filters.get("reference_doctype"), on_date(filters))
	return get_columns(), data, None, get_chart(data)


def validate_filters(filters: frappe._dict) -> None:
	if filters.get("reference_doctype") and filters.reference_doctype not in ESCALATABLE:
		frappe.throw(
			_("Escalations are raised on {0}, not on {1}.").format(
				", ".join(_(doctype) for doctype in ESCALATABLE), _(filters.reference_doctype)
			),
			title=_("Invalid Filters"),
		)


def get_columns() -> list[dict]:
	return [
		{"label": _("Level"), "fieldname": "level", "fieldtype": "Int", "width": 60},
		{"label": _("Held By"), "fieldname": "holder", "fieldtype": "Data", "width": 230},
		{"label": _("Open"), "fieldname": "open", "fieldtype": "Int", "width": 70},
		*(
			{"label": _(label), "fieldname": fieldname, "fieldtype": "Int", "width": 100}
			for fieldname, label, _fewest, _most in AGE_BANDS
		),
		{"label": _("Oldest (Days at Level)"), "fieldname": "oldest_days", "fieldtype": "Int", "width": 150},
		{
			"label": _("Oldest Escalation"),
			"fieldname": "oldest_escalation",
			"fieldtype": "Link",
			"options": "Escalation",
			"width": 130,
		},
	]


def get_data(reference_doctype: str | None, day) -> list[dict]:
	"""One statement: each open escalation's days at its level (a derived table joined to its log), then
	counted per level and band; the oldest per level is the first by that date (a window, so no second
	query). Every level of the ladder gets a row, with noughts where none is open."""
	values = {"open": OPEN, "on_date": day}
	conditions = ["escalation.status = %(open)s"]
	if reference_doctype:
		conditions.append("escalation.reference_doctype = %(reference_doctype)s")
		values["reference_doctype"] = reference_doctype
	in_caseload = caseload.scope_child_link(ESCALATION.child)
	if in_caseload is not None:
		sql, parameters = caseload.as_sql(in_caseload)
		conditions.append(sql)
		values.update(parameters)
	bands = ", ".join(
		f"sum(days >= {fewest}" + (f" and days <= {most}" if most is not None else "") + f") as {fieldname}"
		for fieldname, _label, fewest, most in AGE_BANDS
	)
	found = frappe.db.sql(
		f"""with at_level as (
			select escalation.name, escalation.level,
				coalesce(max(log.changed_on), escalation.opened_on, escalation.creation) as since
			from `tabEscalation` escalation
			left join `tabEscalation Log` log on log.parent = escalation.name
				and log.parenttype = 'Escalation' and log.to_level = escalation.level
			where {" and ".join(conditions)}
			group by escalation.name, escalation.level, escalation.opened_on, escalation.creation
		), aged as (
			select name, level, greatest(datediff(%(on_date)s, since), 0) as days,
				row_number() over (partition by level order by since, name) as age_rank
			from at_level
		)
		select level, count(*) as open, {bands}, max(days) as oldest_days,
			max(case when age_rank = 1 then name end) as oldest_escalation
		from aged group by level""",
		values,
		as_dict=True,
	)
	by_level = {row.level: row for row in found}
	counts = ("open", "oldest_days", *(band[0] for band in AGE_BANDS))
	rows = []
	for level in LEVELS:
		row = by_level.get(level.number) or frappe._dict(oldest_escalation=None)
		row.update({field: int(row.get(field) or 0) for field in counts})
		row.update(level=level.number, holder=_(level.holder))
		rows.append(row)
	return rows


def get_chart(data: list[dict]) -> dict | None:
	"""Each level's open escalations, stacked by how long they have been at it."""
	if not any(row.open for row in data):
		return None
	return {
		"data": {
			"labels": [_("Level {0}").format(row.level) for row in data],
			"datasets": [
				{"name": _(label), "values": [row[fieldname] for row in data]}
				for fieldname, label, _fewest, _most in AGE_BANDS
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
		"colors": list(BAND_COLOURS),
	}
