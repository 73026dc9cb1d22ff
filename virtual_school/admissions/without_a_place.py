"""Children without a school place: the workspace figure and the days a child has been without one.

One definition (issue #21): ``children.vocabulary.looked_after_without_a_school_place`` (looked after today,
an active case, Reception to Year 13, no current school). The workspace's *Without a School Place* card
(a Custom number card calling ``number_card``), the *Children Without a School Place* report (cohort Looked
After) and the annual report all count it, so the three agree. The days are school days from the later of
the day the place was lost and the 1 September the child entered Reception
(``domain.cohorts.school_place_expected_from``): a child is not "without a place" before school age.
"""

from datetime import date, timedelta

import frappe
from frappe import _
from frappe.query_builder.functions import Count
from frappe.utils import getdate, today

from virtual_school.children.vocabulary import LOOKED_AFTER, looked_after_without_a_school_place
from virtual_school.domain import school_days
from virtual_school.domain.cohorts import school_place_expected_from
from virtual_school.domain.school_days import DayKind, SchoolCalendar
from virtual_school.reports import caseload

REPORT = "Children Without a School Place"


def first_day_without_a_place(since: date, date_of_birth: date | None) -> date:
	"""The first day that counts: ``since`` (the day after the last placement ended, or when the need
	began), but never before the child's Reception year."""
	since = getdate(since)
	if not date_of_birth:
		return since
	return max(since, school_place_expected_from(getdate(date_of_birth)))


def school_days_without_a_place(
	since: date, date_of_birth: date | None, on_date: date, calendar: SchoolCalendar
) -> int:
	"""School days from ``first_day_without_a_place`` up to ``on_date`` (both counted), 0 before it."""
	first = first_day_without_a_place(since, date_of_birth)
	if first > on_date:
		return 0
	return school_days.count_days(first - timedelta(days=1), on_date, DayKind.SCHOOL, calendar)


def count_looked_after_without_a_place(on_date: date | None = None, user: str | None = None) -> int:
	"""The headline figure on ``on_date`` (today), within ``user``'s caseload (``reports.caseload``, as the
	report narrows its rows): a card counts what the same user's report lists."""
	child = frappe.qb.DocType("Child")
	criterion = looked_after_without_a_school_place(child, getdate(on_date or today()))
	in_caseload = caseload.scope(child, user)
	if in_caseload is not None:
		criterion = criterion & in_caseload
	return frappe.qb.from_(child).select(Count(child.name)).where(criterion).run()[0][0] or 0


@frappe.whitelist()
def number_card(filters=None) -> dict:
	"""The workspace's *Without a School Place* card (a Custom Number Card): the count and a click-through to
	the report with the same cohort. Read permission on Child is required, as a Document Type card needs."""
	if not frappe.has_permission("Child", "read"):
		frappe.throw(_("Not permitted to read children."), frappe.PermissionError)
	return {
		"value": count_looked_after_without_a_place(),
		"fieldtype": "Int",
		"route": ["query-report", REPORT],
		"route_options": {"cohort": LOOKED_AFTER},
	}
