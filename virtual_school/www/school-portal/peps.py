from frappe import _

from virtual_school.portal.pages import page_context, peps

no_cache = 1


def get_context(context):
	page_context(context, _("PEPs"), "school-portal/peps")
	context.peps = peps()
