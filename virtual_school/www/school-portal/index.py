import frappe
from frappe import _

from virtual_school.portal import my_pupils

no_cache = 1


def get_context(context):
	if frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = "/login?redirect-to=/school-portal"
		raise frappe.Redirect
	context.pupils = my_pupils()
	context.title = _("My Pupils")
	context.show_sidebar = True
	context.no_breadcrumbs = True
