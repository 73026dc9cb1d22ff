from frappe import _

from virtual_school.portal.pages import (
	claimable_targets,
	page_context,
	pp_plus_claims,
	select_options,
)
from virtual_school.pp_plus.vocabulary import claimable_funding_year

no_cache = 1


def get_context(context):
	page_context(context, _("PP+ Funding"), "school-portal/pp-plus")
	context.claims = pp_plus_claims()
	context.targets = claimable_targets()
	context.funding_year = claimable_funding_year()
	context.categories = [option for option in select_options("PP Plus Claim", "category") if option]
