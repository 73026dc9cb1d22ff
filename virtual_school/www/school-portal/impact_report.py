import frappe
from frappe import _

from virtual_school.portal.pages import impact_report_for_school, page_context

no_cache = 1


def get_context(context):
	page_context(context, _("Impact Report"), "school-portal/impact-reports")
	context.report = impact_report_for_school(frappe.form_dict.get("name") or "")
	context.title = _("Impact Report: {0} {1}").format(
		_(context.report["term"]), context.report["funding_year"]
	)
