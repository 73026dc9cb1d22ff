import frappe
from frappe import _
from frappe.utils import cstr

from virtual_school.exclusions.portal import notified_exclusions, pupils_for
from virtual_school.exclusions.vocabulary import EXCLUSION_TYPES, SUSPENSION
from virtual_school.portal.pages import page_context, select_options

no_cache = 1


def get_context(context):
	schools = page_context(context, _("Exclusions"), "school-portal/exclusions")  # sign-in, role, schools
	context.pupils = pupils_for(schools)
	context.exclusions = notified_exclusions(schools)
	context.kinds = EXCLUSION_TYPES
	context.suspension = SUSPENSION
	context.reasons = [option for option in select_options("Exclusion", "reason") if option]
	# After a notification the page is reloaded with the new record's name: confirmed only when it is one of
	# the records listed here (the school's own), so a crafted link prints nothing else.
	notified = cstr(frappe.form_dict.get("notified"))
	context.notified = next((row for row in context.exclusions if row.name == notified), None)
