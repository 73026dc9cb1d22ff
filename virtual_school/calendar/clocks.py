"""The site's statutory clocks: school days, working days and calendar days on this authority's data.

The arithmetic lives in ``virtual_school.domain.school_days`` (no Frappe). This module feeds it the
School Calendar terms and closures and the Bank Holiday list kept in the desk, cached in Redis and
rebuilt whenever one of those records changes. Every clock names its kind of day (STATUTORY.md).
"""

from datetime import date

import frappe
from frappe.utils import getdate

from virtual_school.domain import school_days
from virtual_school.domain.school_days import DayKind

CACHE_KEY = "virtual_school:school_calendar"
# attendance.half_terms() caches the half-term dates under this key; calendars change both
HALF_TERMS_CACHE_KEY = "virtual_school:half_terms"


def get_school_calendar() -> school_days.SchoolCalendar:
	"""All terms, closure days and bank holidays on the site, as one calendar (cached)."""
	return frappe.cache.get_value(CACHE_KEY, generator=_build_school_calendar)


def clear_calendar_cache(doc=None, method=None) -> None:
	frappe.cache.delete_value([CACHE_KEY, HALF_TERMS_CACHE_KEY])


def _build_school_calendar() -> school_days.SchoolCalendar:
	terms = frappe.get_all(
		"School Calendar Term",
		filters={"parenttype": "School Calendar"},
		fields=["start_date", "end_date"],
		order_by="start_date",
	)
	closures = frappe.get_all(
		"School Closure Day", filters={"parenttype": "School Calendar"}, pluck="closure_date"
	)
	return school_days.SchoolCalendar(
		terms=tuple((getdate(t.start_date), getdate(t.end_date)) for t in terms),
		closures=frozenset(getdate(d) for d in closures),
		bank_holidays=get_bank_holidays(),
	)


def get_bank_holidays() -> frozenset[date]:
	return frozenset(getdate(d) for d in frappe.get_all("Bank Holiday", pluck="holiday_date"))


def add_days(start: date | str, days: int, kind: DayKind) -> date:
	"""The date ``days`` days of ``kind`` after ``start``."""
	return school_days.add_days(getdate(start), days, kind, get_school_calendar())


def count_days(start: date | str, end: date | str, kind: DayKind) -> int:
	"""Days of ``kind`` after ``start`` up to and including ``end``."""
	return school_days.count_days(getdate(start), getdate(end), kind, get_school_calendar())
