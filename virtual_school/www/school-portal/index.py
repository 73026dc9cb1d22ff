from frappe import _

from virtual_school.portal import my_pupils, page_context

no_cache = 1


def get_context(context):
	page_context(context, _("My Pupils"))
	context.pupils = my_pupils()
