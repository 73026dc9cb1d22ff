"""The caseload scope of every report a caseworker may run: one criterion, from the rule in permissions.py.

A Script Report reads its rows with its own query, so Frappe's ``permission_query_conditions`` never narrow
them: a report a caseworker may run must scope its rows itself. Each such report asks this module, so the
caseload is one rule (``Child.caseworker`` is the user, or the child is shared with them through a
DocShare; for a Social Worker ``Child.social_worker_user`` instead: ``permissions.caseload_fields`` and
``permissions.shared_children``, the same lookups the
Child list's ``child_query_conditions`` makes), written as a ``frappe.qb`` criterion. Roles that see every
child get None. ``virtual_school/tests/test_report_caseload.py`` runs every Script Report a caseworker may
run as two caseworkers and checks what each sees.
"""

import frappe
from frappe.query_builder import DocType
from frappe.query_builder.terms import NamedParameterWrapper

from virtual_school.permissions import caseload_fields, shared_children


def scope(child_table, user: str | None = None):
	"""qb criterion: the Child (``frappe.qb.DocType("Child")`` or an alias) is on the user's caseload, or
	None when the user sees every child.

	The shared children are named literally (up to ``permissions.SHARED_NAMES_LIMIT``, else a subquery) as
	the Child list names them: an OR with a subquery keeps MariaDB off the caseworker index.
	"""
	user = user or frappe.session.user
	fields = caseload_fields(user)
	if not fields:
		return None
	# a caseworker's children by Child.caseworker, a social worker's by Child.social_worker_user
	own = None
	for field in fields:
		own = (child_table[field] == user) if own is None else own | (child_table[field] == user)
	shared = shared_children(user)
	if shared is None:
		share = DocType("DocShare")
		return own | child_table.name.isin(
			frappe.qb.from_(share)
			.select(share.share_name)
			.where((share.share_doctype == "Child") & (share.user == user) & (share.read == 1))
		)
	return (own | child_table.name.isin(shared)) if shared else own


def scope_child_link(column, user: str | None = None):
	"""qb criterion: a record's link to a child (``pep.child``) names a child on the user's caseload, or
	None when the user sees every child."""
	child = DocType("Child").as_("caseload_child")
	criterion = scope(child, user)
	if criterion is None:
		return None
	return column.isin(frappe.qb.from_(child).select(child.name).where(criterion))


class _CaseloadParameters(NamedParameterWrapper):
	"""Frappe's parameter collector with its own names, so they cannot meet a report's ``%(param1)s``."""

	def get_sql(self, param_value, **kwargs) -> str:
		key = f"caseload_{len(self.parameters) + 1}"
		self.parameters[key] = param_value
		return f"%({key})s"


def as_sql(criterion) -> tuple[str, dict]:
	"""A criterion as SQL text and its values, for the reports whose queries stay raw SQL (window functions,
	derived tables): the values go to the driver as named parameters, never into the text. Parenthesised,
	so it can be ANDed with other conditions as it stands."""
	parameters = _CaseloadParameters()
	sql = criterion.get_sql(quote_char="`", param_wrapper=parameters)
	return f"({sql})", parameters.get_parameters()
