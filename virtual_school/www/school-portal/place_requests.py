from frappe import _

from virtual_school.portal.pages import page_context, place_requests

no_cache = 1


def get_context(context):
	page_context(context, _("Place Requests"), "school-portal/place-requests")
	context.requests = place_requests()
