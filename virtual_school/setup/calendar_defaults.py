"""Default calendar data: England's bank holidays and the standard term pattern, as editable records.

Seeded on install and migrate, and daily by the scheduler so next year's calendar is always there.
Nothing a council has entered or corrected is overwritten: a year is seeded only when it has no data.
"""

from datetime import date

import frappe
from frappe.utils import getdate, today

from virtual_school.calendar.clocks import clear_calendar_cache
from virtual_school.domain import school_days


def ensure_default_calendars(on_date: date | str | None = None) -> None:
	"""Bank holidays and School Calendars from two academic years back to the next one, where missing."""
	current = school_days.academic_year_of(getdate(on_date or today()))
	start_year = int(current[:4])
	# Two years back as well, so waits that began last year are counted in school days too.
	labels = [f"{year}-{str(year + 1)[-2:]}" for year in range(start_year - 2, start_year + 2)]
	ensure_bank_holidays(range(start_year - 2, start_year + 3))
	for label in labels:
		if not frappe.db.exists("School Calendar", label):
			frappe.get_doc(
				{
					"doctype": "School Calendar",
					"academic_year": label,
					"terms": school_days.standard_term_pattern(label),
					"notes": "England's usual term pattern, created by the app. Replace with your authority's dates.",
				}
			).insert(ignore_permissions=True)
	clear_calendar_cache()


def ensure_bank_holidays(years) -> None:
	"""England's bank holidays for each year that has none on the site yet."""
	for year in years:
		has_any = frappe.db.exists(
			"Bank Holiday", {"holiday_date": ["between", [f"{year}-01-01", f"{year}-12-31"]]}
		)
		if has_any:
			continue
		for holiday_date, title in sorted(school_days.england_bank_holidays([year]).items()):
			frappe.get_doc(
				{
					"doctype": "Bank Holiday",
					"holiday_date": holiday_date,
					"title": title,
					"source": "holidays package",
				}
			).insert(ignore_permissions=True)
