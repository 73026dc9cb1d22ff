"""Who sees which child: permission hooks for every path (list, report, link search, REST, print).

Role permissions (DocPerm) decide what each role may do at all; these hooks narrow the rows:
a Virtual School Caseworker sees only children on their caseload (Child.caseworker is them, or the
child is shared with them through Frappe's Share) and those children's records; a Social Worker likewise
sees only the children whose ``Child.social_worker_user`` is them (or shared with them). A user holding
both roles sees both sets. Head, Manager, Finance and System Manager are not narrowed. School Portal Users have no desk permissions; the portal scopes
them to their school (virtual_school.portal.pages).

Frappe v15 facts this relies on: ``permission_query_conditions`` feed ``frappe.get_list`` (REST
``/api/resource``, list/report views, link search); Frappe does not always add shared documents to
lists, so the conditions include them; ``has_permission`` is consulted for single documents (form, REST get, print).
``frappe.db.count`` applies no permissions: counts shown to users go through ``frappe.get_list``.
"""

import frappe

from virtual_school.pp_plus.vocabulary import COMMITTED_STATES
from virtual_school.setup.roles import (
	SOCIAL_WORKER,
	VIRTUAL_SCHOOL_CASEWORKER,
	VIRTUAL_SCHOOL_FINANCE,
	VIRTUAL_SCHOOL_HEAD,
	VIRTUAL_SCHOOL_MANAGER,
)

UNRESTRICTED_ROLES = {
	"Administrator",
	"System Manager",
	VIRTUAL_SCHOOL_HEAD,
	VIRTUAL_SCHOOL_MANAGER,
	VIRTUAL_SCHOOL_FINANCE,
}


def require_roles(*roles: str) -> None:
	"""Like ``frappe.only_for``, but also enforced in tests (``only_for`` returns early when in_test)."""
	if frappe.session.user != "Administrator" and not set(frappe.get_roles()) & set(roles):
		frappe.throw(
			frappe._("Not permitted: this needs one of {0}.").format(", ".join(roles)), frappe.PermissionError
		)


# The Child field naming the user each caseload role is responsible for: a role listed here sees only the
# children whose field is them (plus children shared with them). Every caseload rule below reads this table.
CASELOAD_FIELDS = {VIRTUAL_SCHOOL_CASEWORKER: "caseworker", SOCIAL_WORKER: "social_worker_user"}


def is_caseload_restricted(user: str | None = None) -> bool:
	"""True when the user may see only their own caseload."""
	return bool(caseload_fields(user))


def caseload_fields(user: str | None = None) -> tuple[str, ...]:
	"""The Child fields whose value is the user on a child of their caseload (empty: not narrowed)."""
	user = user or frappe.session.user
	if user == "Administrator":
		return ()
	roles = set(frappe.get_roles(user))
	if roles & UNRESTRICTED_ROLES:
		return ()
	return tuple(field for role, field in CASELOAD_FIELDS.items() if role in roles)


def own_children_sql(user: str, table: str = "`tabChild`") -> str:
	"""SQL: the Child row in ``table`` names the user in one of their caseload fields."""
	user_sql = frappe.db.escape(user)
	fields = caseload_fields(user) or ("caseworker",)
	return " or ".join(f"{table}.`{field}` = {user_sql}" for field in fields)


def caseload_children_condition(user: str, column: str) -> str:
	"""SQL: ``column`` names a child on the user's caseload (own or shared with them)."""
	user_sql = frappe.db.escape(user)
	return (
		f"({column} in (select `name` from `tabChild` where {own_children_sql(user, '`tabChild`')})"
		f" or {column} in (select `share_name` from `tabDocShare`"
		f" where `share_doctype` = 'Child' and `user` = {user_sql} and `read` = 1))"
	)


def child_query_conditions(user: str | None = None) -> str:
	user = user or frappe.session.user
	if not is_caseload_restricted(user):
		return ""
	# Frappe v15 ORs shared documents in only in some cases (if_owner or user permissions), so the
	# condition names them itself. It names them literally (one indexed lookup first): an OR with a
	# subquery stops MariaDB using the (caseworker, modified) index, and at national scale the list then
	# scans the whole table in list order (745 ms instead of 1 ms, docs/benchmarks.md).
	user_sql = frappe.db.escape(user)
	own = own_children_sql(user)
	shared = shared_children(user)
	if shared == []:
		return f"({own})"
	if shared is None:
		return (
			f"({own} or `tabChild`.`name` in (select `share_name` from `tabDocShare`"
			f" where `share_doctype` = 'Child' and `user` = {user_sql} and `read` = 1))"
		)
	names = ", ".join(frappe.db.escape(name) for name in shared)
	return f"({own} or `tabChild`.`name` in ({names}))"


SHARED_NAMES_LIMIT = 1000


def shared_children(user: str) -> list[str] | None:
	"""The children shared with the user for reading, or None when there are more than ``SHARED_NAMES_LIMIT``:
	callers then name them by a subquery instead of a literal list.

	Used by ``child_query_conditions`` and ``virtual_school.reports.caseload``, so both read one rule. Every
	caseworker list asks it, so the answer is cached per user in Redis (a hash read instead of a query); a
	DocShare inserted, changed or deleted through its document clears that user's entry
	(``forget_shared_children``), and the entry expires after ``SHARED_CHILDREN_SECONDS`` in any case.
	"""
	key = f"{SHARED_CHILDREN_KEY}:{user}"
	cached = frappe.cache.get_value(key)
	if cached is not None:
		return cached["names"]
	shared = frappe.db.sql(
		"""select `share_name` from `tabDocShare`
		where `user` = %s and `share_doctype` = 'Child' and `read` = 1 limit %s""",
		(user, SHARED_NAMES_LIMIT + 1),
		pluck=True,
	)
	names = None if len(shared) > SHARED_NAMES_LIMIT else shared
	frappe.cache.set_value(key, {"names": names}, expires_in_sec=SHARED_CHILDREN_SECONDS)
	return names


SHARED_CHILDREN_KEY = "virtual_school:shared_children"
SHARED_CHILDREN_SECONDS = 600


def forget_shared_children(doc, method=None) -> None:
	"""DocShare hook: the user's cached shared children are stale (also the user a share moved from)."""
	users = {doc.get("user")}
	before = doc.get_doc_before_save() if method == "on_update" else None
	if before:
		users.add(before.get("user"))
	keys = [f"{SHARED_CHILDREN_KEY}:{user}" for user in filter(None, users)]
	for key in keys:
		frappe.cache.delete_value(key)

	# and again when the transaction ends: committed, a request that read the old shares in between may have
	# cached them again (a revoked share must not stay readable for the entry's lifetime); rolled back, this
	# transaction may have cached a share that never was
	def forget():
		for key in keys:
			frappe.cache.delete_value(key)

	frappe.db.after_commit.add(forget)
	frappe.db.after_rollback.add(forget)


def child_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool:
	user = user or frappe.session.user
	if not is_caseload_restricted(user):
		return True
	if doc.get("__islocal") or not doc.get("name"):
		return True  # creating: the controller makes the creator the caseworker
	return is_on_caseload(doc.name, user)


def is_on_caseload(child: str, user: str) -> bool:
	fields = caseload_fields(user) or ("caseworker",)
	values = frappe.db.get_value("Child", child, list(fields), as_dict=True) or {}
	if user in values.values():
		return True
	return bool(
		frappe.db.exists("DocShare", {"share_doctype": "Child", "share_name": child, "user": user, "read": 1})
	)


def child_record_query_conditions(doctype: str):
	"""Query conditions for a doctype whose rows belong to a child through its ``child`` field."""

	def conditions(user: str | None = None) -> str:
		user = user or frappe.session.user
		if not is_caseload_restricted(user):
			return ""
		return caseload_children_condition(user, f"`tab{doctype}`.`child`")

	return conditions


def child_record_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool:
	user = user or frappe.session.user
	if not is_caseload_restricted(user):
		return True
	if not doc.get("child"):
		return bool(doc.get("__islocal"))
	return is_on_caseload(doc.child, user)


education_placement_query_conditions = child_record_query_conditions("Education Placement")
school_place_request_query_conditions = child_record_query_conditions("School Place Request")
escalation_query_conditions = child_record_query_conditions("Escalation")
personal_education_plan_query_conditions = child_record_query_conditions("Personal Education Plan")
exclusion_query_conditions = child_record_query_conditions("Exclusion")
care_placement_move_query_conditions = child_record_query_conditions("Care Placement Move")
attendance_record_query_conditions = child_record_query_conditions("Attendance Record")
attendance_term_total_query_conditions = child_record_query_conditions("Attendance Term Total")
data_quality_issue_query_conditions = child_record_query_conditions("Data Quality Issue")
key_stage_outcome_query_conditions = child_record_query_conditions("Key Stage Outcome")


def all_children_query_conditions(user: str | None = None) -> str:
	"""Rows that sum every child of a school (Attendance Week Total): none for a user limited to a caseload.

	Their roles have no permission on such doctypes anyway; this keeps them out if one is ever added.
	"""
	return "1 = 0" if is_caseload_restricted(user) else ""


def all_children_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool:
	return not is_caseload_restricted(user)


def advice_request_query_conditions(user: str | None = None) -> str:
	"""Advice without a child is for the whole team; advice about a child follows the caseload."""
	user = user or frappe.session.user
	if not is_caseload_restricted(user):
		return ""
	column = "`tabAdvice Request`.`child`"
	return f"({column} is null or {column} = '' or {caseload_children_condition(user, column)})"


def advice_request_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool:
	if not doc.get("child"):
		return True
	return child_record_has_permission(doc, ptype, user)


# Finance reads claims once they are approved (to pay them), never drafts or claims under review.
FINANCE_VISIBLE_CLAIM_STATES = COMMITTED_STATES


def is_finance_only(user: str) -> bool:
	roles = set(frappe.get_roles(user))
	return VIRTUAL_SCHOOL_FINANCE in roles and not roles & (UNRESTRICTED_ROLES - {VIRTUAL_SCHOOL_FINANCE})


def pp_plus_claim_query_conditions(user: str | None = None) -> str:
	user = user or frappe.session.user
	if user != "Administrator" and is_finance_only(user):
		states = ", ".join(frappe.db.escape(state) for state in FINANCE_VISIBLE_CLAIM_STATES)
		return f"`tabPP Plus Claim`.`workflow_state` in ({states})"
	return child_record_query_conditions("PP Plus Claim")(user)


def pp_plus_claim_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool:
	user = user or frappe.session.user
	if user != "Administrator" and is_finance_only(user):
		return doc.get("workflow_state") in FINANCE_VISIBLE_CLAIM_STATES
	return child_record_has_permission(doc, ptype, user)


# PP+ impact reports are per school and term, a row per funded claim (so per child, across caseloads).
IMPACT_REPORT, IMPACT_ROW = "PP Plus Impact Report", "PP Plus Impact Row"


def pp_plus_impact_report_query_conditions(user: str | None = None) -> str:
	"""A caseworker lists an impact report only when every row's claim is for a child on their caseload.

	Its rows name other caseloads' children with what their PP+ paid for and achieved, and Frappe shows a
	record's rows to whoever opens it, so one foreign row makes the whole report the managers' (Head,
	Manager; Finance, who sees every funded claim anyway, also reads them). A report without rows names
	no child. Its rows follow this rule through virtual_school.security.child_rows.
	"""
	user = user or frappe.session.user
	if not is_caseload_restricted(user):
		return ""
	own_claims = (
		"select `own_claim`.`name` from `tabPP Plus Claim` `own_claim`"
		f" where {caseload_children_condition(user, '`own_claim`.`child`')}"
	)
	return (
		f"not exists (select 1 from `tab{IMPACT_ROW}` `impact_row`"
		f" where `impact_row`.`parent` = `tab{IMPACT_REPORT}`.`name`"
		f" and `impact_row`.`parenttype` = {frappe.db.escape(IMPACT_REPORT)}"
		f" and (`impact_row`.`claim` is null or `impact_row`.`claim` not in ({own_claims})))"
	)


def pp_plus_impact_report_has_permission(doc, ptype: str | None = None, user: str | None = None) -> bool:
	"""The single-record form of ``pp_plus_impact_report_query_conditions`` (read, write, print...).

	Both the stored rows and the ones in hand count: a save cannot drop other caseloads' rows from a
	report, or add them to one.
	"""
	user = user or frappe.session.user
	if not is_caseload_restricted(user):
		return True
	claims = {row.get("claim") for row in doc.get("rows") or []}
	if doc.get("name") and not doc.get("__islocal"):
		claims |= set(
			frappe.get_all(
				IMPACT_ROW, filters={"parent": doc.name, "parenttype": IMPACT_REPORT}, pluck="claim"
			)
		)
	return claims_on_caseload(claims, user)


def claims_on_caseload(claims: set, user: str) -> bool:
	"""Every claim exists and is for a child on the user's caseload (an empty set: True)."""
	if not claims:
		return True
	if None in claims or "" in claims:
		return False
	children = frappe.get_all("PP Plus Claim", filters={"name": ["in", sorted(claims)]}, pluck="child")
	if len(children) != len(claims):
		return False
	return all(child and is_on_caseload(child, user) for child in set(children))
