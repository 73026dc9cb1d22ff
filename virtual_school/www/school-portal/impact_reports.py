from frappe import _

from virtual_school.portal.pages import impact_reports, page_context

no_cache = 1


def get_context(context):
	page_context(context, _("Impact Reports"), "school-portal/impact-reports")
	context.reports = impact_reports()
