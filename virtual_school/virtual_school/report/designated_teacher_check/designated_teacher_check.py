# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt
"""Every school with a looked-after pupil on roll on the report's date, its designated teacher, their last
training and the school's status (``domain.designated_teacher.check``: no designated teacher, inactive, not
a qualified teacher or the head, not trained in the last two years, OK); problems first (issue #23 item 4).

"On roll" is an Education Placement on roll on the date (``children.vocabulary.on_roll_on``, any attendance
basis: a dual-registered pupil is on roll at both schools, and each must have a designated teacher) of a
child looked after on that date (``children.vocabulary.looked_after_on``); on today's date that is every
child's current school. Caseload-aware: a caseworker sees the schools of their caseload's children, counted
for those children only (``reports.caseload``), as Frappe never narrows a Script Report's own query.

The workspace card *Schools Without a Trained Designated Teacher* is ``number_card`` below: the same rows,
counted, so the card and the report cannot disagree.
"""

from datetime import date

import frappe
from frappe import _
from frappe.query_builder import DocType
from frappe.query_builder.functions import Count

from virtual_school.children.vocabulary import looked_after_on, on_roll_on
from virtual_school.domain import designated_teacher
from virtual_school.reports import caseload
from virtual_school.reports.filters import on_date

REPORT = "Designated Teacher Check"
DESIGNATED_TEACHER = "Designated Teacher"  # School Contact.contact_role (school_contact.json)


def execute(filters: dict | None = None):
	filters = frappe._dict(filters or {})
	return get_columns(), get_data(filters)


def get_columns() -> list[dict]:
	return [
		{"label": _("School"), "fieldname": "school", "fieldtype": "Link", "options": "School", "width": 90},
		{"label": _("School Name"), "fieldname": "school_name", "fieldtype": "Data", "width": 220},
		{
			"label": _("Looked-after Pupils"),
			"fieldname": "looked_after_pupils",
			"fieldtype": "Int",
			"width": 110,
		},
		{"label": _("Status"), "fieldname": "status", "fieldtype": "Data", "width": 300},
		{
			"label": _("Designated Teacher"),
			"fieldname": "designated_teacher",
			"fieldtype": "Link",
			"options": "School Contact",
			"width": 120,
		},
		{"label": _("Name"), "fieldname": "designated_teacher_name", "fieldtype": "Data", "width": 170},
		{"label": _("Email"), "fieldname": "email", "fieldtype": "Data", "width": 190},
		{
			"label": _("Qualified Teacher or Head"),
			"fieldname": "teacher_status",
			"fieldtype": "Data",
			"width": 150,
		},
		{"label": _("Last Trained"), "fieldname": "last_trained", "fieldtype": "Date", "width": 110},
	]


def get_data(filters: frappe._dict) -> list[dict]:
	day = on_date(filters)
	schools = schools_with_looked_after_pupils(day)
	if not schools:
		return []
	contacts, details = designated_teachers(list(schools))
	rows = []
	for school, (school_name, pupils) in schools.items():
		found = designated_teacher.check(contacts.get(school, ()), day)
		if filters.get("problems_only") and found.ok:
			continue
		contact = details[found.contact.name] if found.contact else frappe._dict()
		rows.append(
			frappe._dict(
				school=school,
				school_name=school_name,
				looked_after_pupils=pupils,
				status=_(found.status),
				# for the formatter and the number card: the rule's verdict, not a retyped status list
				is_problem=not found.ok,
				designated_teacher=contact.name,
				designated_teacher_name=contact.full_name,
				email=contact.email,
				teacher_status=_(contact.teacher_status) if contact.teacher_status else None,
				last_trained=found.last_trained,
				severity=designated_teacher.SEVERITY[found.status],
			)
		)
	rows.sort(key=lambda row: (row.severity, row.school_name or "", row.school))
	return rows


def schools_with_looked_after_pupils(day: date) -> dict[str, tuple[str, int]]:
	"""{school: (school name, looked-after pupils on roll on ``day``)} under the user's caseload."""
	placement = DocType("Education Placement")
	child = DocType("Child")
	school = DocType("School")
	criterion = on_roll_on(placement, day) & looked_after_on(child, day)
	in_caseload = caseload.scope(child)
	if in_caseload is not None:
		criterion = criterion & in_caseload
	rows = (
		frappe.qb.from_(placement)
		.join(child)
		.on(child.name == placement.child)
		.left_join(school)
		.on(school.name == placement.school)
		.select(placement.school, school.school_name, Count(child.name).distinct())
		.where(criterion)
		.groupby(placement.school, school.school_name)
		.run()
	)
	return {name: (school_name, pupils) for name, school_name, pupils in rows if name}


def designated_teachers(
	schools: list[str],
) -> tuple[dict[str, list[designated_teacher.Contact]], dict[str, frappe._dict]]:
	"""The schools' designated teachers (School Contacts whose role is Designated Teacher, active or not)
	as the rule reads them, {school: [Contact with its training dates]}, and each one's fields to show,
	{contact name: row}: two queries, whatever the number of schools."""
	rows = frappe.get_all(
		"School Contact",
		filters={"school": ("in", schools), "contact_role": DESIGNATED_TEACHER},
		fields=["name", "school", "full_name", "email", "is_active", "teacher_status"],
	)
	if not rows:
		return {}, {}
	trainings: dict[str, list[date]] = {}
	for training in frappe.get_all(
		"Designated Teacher Training",
		filters={
			"parenttype": "School Contact",
			"parentfield": "trainings",
			"parent": ("in", [row.name for row in rows]),
		},
		fields=["parent", "training_date"],
	):
		trainings.setdefault(training.parent, []).append(training.training_date)
	by_school: dict[str, list[designated_teacher.Contact]] = {}
	for row in rows:
		by_school.setdefault(row.school, []).append(
			designated_teacher.Contact(
				name=row.name,
				is_designated_teacher=True,
				is_active=bool(row.is_active),
				teacher_status=row.teacher_status or None,
				trainings=tuple(trainings.get(row.name, ())),
			)
		)
	return by_school, {row.name: row for row in rows}


def count_schools_with_a_problem(day: date | None = None) -> int:
	"""How many schools the report lists as a problem on ``day`` (default today), under the user's caseload."""
	return sum(1 for row in get_data(frappe._dict(on_date=day)) if row.is_problem)


@frappe.whitelist()
def number_card(filters=None) -> dict:
	"""The workspace's *Schools Without a Trained Designated Teacher* card (a Custom Number Card): the count
	and a click-through to the report's problems. A Custom card's method is any whitelisted call, so it asks
	for the report's roles itself (Frappe checks them only when the report is run)."""
	if not frappe.get_cached_doc("Report", REPORT).is_permitted():
		frappe.throw(_("Not permitted to run the {0} report.").format(_(REPORT)), frappe.PermissionError)
	return {
		"value": count_schools_with_a_problem(),
		"fieldtype": "Int",
		"route": ["query-report", REPORT],
		"route_options": {"problems_only": 1},
	}
