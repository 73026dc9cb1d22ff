# Copyright (c) 2026, virtual_school contributors
# For license information, please see license.txt

from frappe.model.document import Document

from virtual_school.calendar.clocks import clear_calendar_cache


class BankHoliday(Document):
	"""A day off for working-day and school-day clocks. Seeded from the holidays package; editable."""

	def on_update(self):
		clear_calendar_cache()

	def on_trash(self):
		clear_calendar_cache()
