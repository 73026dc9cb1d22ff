"""Pupil Premium Plus on the site: a child's budget in a funding year, read under a row lock.

The maths is ``virtual_school.domain.pp_plus_budget`` (no Frappe). Approving a claim locks the child's
row (``SELECT ... FOR UPDATE``) and sums committed claims with a locking read, so two managers approving
two claims for the same child at the same moment are serialised: the second sees the first's approval
and cannot over-commit the allocation.
"""

from decimal import Decimal

import frappe
from frappe import _
from frappe.query_builder.functions import Sum

from virtual_school.domain import pp_plus_budget, school_days
from virtual_school.pp_plus.vocabulary import (
	ALLOCATED_YEAR_GROUPS,
	APPROVED,
	COMMITTED_STATES,
	FUNDING_YEAR,
	PAID,
	has_allocation,
)

TERM_CAP_FIELDS = {"Summer": "summer_cap", "Autumn": "autumn_cap", "Spring": "spring_cap"}


class NoAllocationError(frappe.ValidationError):
	pass


def check_has_allocation(child_label: str, year_group: str | None, key_stage: str | None) -> None:
	"""Refuse a claim for a child outside the allocated year groups (Years 12-13 have no PP+ allocation)."""
	if has_allocation(key_stage):
		return
	frappe.throw(
		_(
			"{0} is in {1}: Pupil Premium Plus is allocated for looked-after children from {2} to {3} only."
		).format(
			child_label,
			_(year_group or key_stage) if (year_group or key_stage) else _("no year group"),
			_(school_days.year_group_name(ALLOCATED_YEAR_GROUPS[0])),
			_(school_days.year_group_name(ALLOCATED_YEAR_GROUPS[-1])),
		),
		exc=NoAllocationError,
		title=_("No PP+ Allocation"),
	)


def lock_child_budget(child: str) -> None:
	"""Hold the child's row until the transaction ends: approvals for one child run one at a time."""
	frappe.db.sql("select name from `tabChild` where name = %s for update", child)


# (child, funding_year, workflow_state): the budget read scans only committed claims, so it never waits
# on the row lock Frappe holds on a claim being approved in another transaction (no deadlock).
BUDGET_INDEX = "budget_lookup"


def add_budget_index() -> None:
	frappe.db.add_index("PP Plus Claim", ["child", "funding_year", "workflow_state"], BUDGET_INDEX)


def committed_total(
	child: str, funding_year: str, exclude: str | None = None, term: str | None = None
) -> Decimal:
	"""Approved plus paid claims for the child in the year (optionally one term), as a current (locking) read.

	Called after ``lock_child_budget``: it sees every approval committed before that lock was granted,
	which a plain read in REPEATABLE READ would not.
	"""
	conditions = ["child = %(child)s", "funding_year = %(funding_year)s", "workflow_state in %(states)s"]
	if exclude:
		conditions.append("name != %(exclude)s")
	if term:
		conditions.append("term = %(term)s")
	total = frappe.db.sql(
		f"select coalesce(sum(amount), 0) from `tabPP Plus Claim` force index ({BUDGET_INDEX})"
		f" where {' and '.join(conditions)} lock in share mode",
		{
			"child": child,
			"funding_year": funding_year,
			"states": COMMITTED_STATES,
			"exclude": exclude,
			"term": term,
		},
	)[0][0]
	return Decimal(str(total))


def budget_for(child: str, funding_year: str, term: str | None = None, exclude: str | None = None):
	"""The child's budget in a funding year (locks the child's row first)."""
	lock_child_budget(child)
	year = frappe.get_cached_doc(FUNDING_YEAR, funding_year)
	cap = year.get(TERM_CAP_FIELDS.get(term, "")) if term else None
	return pp_plus_budget.Budget(
		allocation=Decimal(str(year.per_child_allocation or 0)),
		committed=committed_total(child, funding_year, exclude=exclude),
		termly_cap=Decimal(str(cap)) if cap else None,
		committed_this_term=committed_total(child, funding_year, exclude=exclude, term=term)
		if cap
		else Decimal(0),
	)


@frappe.whitelist()
def get_child_budget(child: str, funding_year: str) -> dict:
	"""Allocation, committed and remaining for the claim form (permission-checked, no lock)."""
	frappe.has_permission("Child", "read", child, throw=True)
	year = frappe.get_cached_doc(FUNDING_YEAR, funding_year)
	claim = frappe.qb.DocType("PP Plus Claim")
	# the child is read-checked above; the sums are over all their committed claims, as the cap counts them
	claims = (
		frappe.qb.from_(claim)
		.select(claim.workflow_state, Sum(claim.amount))
		.where(
			(claim.child == child)
			& (claim.funding_year == funding_year)
			& claim.workflow_state.isin(COMMITTED_STATES)
		)
		.groupby(claim.workflow_state)
		.run()
	)
	by_state = {state: Decimal(str(total or 0)) for state, total in claims}
	allocation = Decimal(str(year.per_child_allocation or 0))
	committed = sum(by_state.values(), Decimal(0))
	return {
		"allocation": float(allocation),
		"approved": float(by_state.get(APPROVED, 0)),
		"paid": float(by_state.get(PAID, 0)),
		"remaining": float(max(Decimal(0), allocation - committed)),
		"message": _("{0} of {1} remaining").format(
			pp_plus_budget.format_money(max(Decimal(0), allocation - committed)),
			pp_plus_budget.format_money(allocation),
		),
	}
