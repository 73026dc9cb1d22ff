import frappe
from frappe import _

from virtual_school.portal.pages import page_context, pep_for_school

no_cache = 1


def get_context(context):
	page_context(context, _("PEP"), "school-portal/peps")
	context.pep = pep_for_school(frappe.form_dict.get("name") or "")
	context.title = _("PEP: {0}").format(context.pep["child_name"])
