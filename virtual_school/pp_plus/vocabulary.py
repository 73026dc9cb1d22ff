"""Pupil Premium Plus words and questions, spelled once: claim states, who has an allocation, the funding year.

The desk, the portal, the reports and the jobs ask "which claims count against the budget", "does this
child have an allocation" and "which funding year is current" through these names only, so the answers
cannot drift apart (they had: the portal showed one year's remaining amount and filed claims in another).
"""

from datetime import date

import frappe
from frappe.utils import getdate, today

from virtual_school.domain import school_days

# Settings is the one typed reader of Virtual School Settings (it imports only frappe): the current funding
# year is a setting first, so the vocabulary reads it rather than every caller reading it its own way.
from virtual_school.shared import settings

FUNDING_YEAR = "PP Plus Funding Year"

# PP Plus Claim workflow states (workflows/pp_plus_claim.json)
DRAFT = "Draft"
SUBMITTED = "Submitted"
UNDER_REVIEW = "Under Review"
RETURNED = "Returned"
APPROVED = "Approved"
REJECTED = "Rejected"
PAID = "Paid"
CLAIM_STATES = (DRAFT, SUBMITTED, UNDER_REVIEW, RETURNED, APPROVED, REJECTED, PAID)
# money the authority has agreed to spend: counts against the child's budget, is due an impact report,
# and is what Finance may see (to pay it); once committed, the claim's money fields are locked
COMMITTED_STATES = (APPROVED, PAID)
# a manager's decision: the decider is recorded and the decision letter written
DECIDED_STATES = (APPROVED, REJECTED)
# the virtual school has answered the school: the portal shows the decision and its reason
PORTAL_DECISION_STATES = (RETURNED, APPROVED, REJECTED, PAID)

# PP Plus Impact Report workflow states (workflows/pp_plus_impact_report.json)
IMPACT_REQUESTED = "Requested"
IMPACT_SUBMITTED = "Submitted"
IMPACT_RETURNED = "Returned"
IMPACT_ACCEPTED = "Accepted"
IMPACT_STATES = (IMPACT_REQUESTED, IMPACT_SUBMITTED, IMPACT_RETURNED, IMPACT_ACCEPTED)
# the school has sent it: no reminder, no escalation
IMPACT_DONE_STATES = (IMPACT_SUBMITTED, IMPACT_ACCEPTED)
# the school may still fill it in on the portal
IMPACT_EDITABLE_STATES = (IMPACT_REQUESTED, IMPACT_RETURNED)
# the virtual school has reviewed it: the portal shows the review comments
IMPACT_REVIEWED_STATES = (IMPACT_RETURNED, IMPACT_ACCEPTED)

# Conditions of grant: PP+ is allocated for looked-after children aged 4 to 15 (DOMAIN.md "PP+ Funding
# Year"), i.e. Reception (year group 0) to Year 11. Years 12 and 13 (key stage 5) have no allocation.
ALLOCATED_YEAR_GROUPS = range(0, 12)
ALLOCATED_KEY_STAGES = tuple(dict.fromkeys(school_days.key_stage(group) for group in ALLOCATED_YEAR_GROUPS))


def has_allocation(key_stage: str | None) -> bool:
	"""Whether a child in this key stage (``Child.key_stage``) has a PP+ allocation."""
	return key_stage in ALLOCATED_KEY_STAGES


def allocated(child_table):
	"""qb criterion: the child (``frappe.qb.DocType("Child")`` or an alias) is in an allocated key stage."""
	return child_table.key_stage.isin(ALLOCATED_KEY_STAGES)


def committed(claim_table):
	"""qb criterion: the claim (``frappe.qb.DocType("PP Plus Claim")`` or an alias) counts against the budget."""
	return claim_table.workflow_state.isin(COMMITTED_STATES)


def awaiting_payment(claim_table):
	"""qb criterion: the claim is approved and on no submitted payment (what the next payment run pays)."""
	return (claim_table.workflow_state == APPROVED) & (
		claim_table.payment.isnull() | (claim_table.payment == "")
	)


def open_funding_year(on_date: date | str | None = None) -> str | None:
	"""The PP Plus Funding Year whose dates cover the day (today by default), if any."""
	on_date = getdate(on_date or today())
	return frappe.db.get_value(
		FUNDING_YEAR, {"start_date": ["<=", on_date], "end_date": [">=", on_date]}, "name"
	)


def current_funding_year(on_date: date | str | None = None) -> str | None:
	"""The funding year the app works in: the one Virtual School Settings names, else the one open on the day.

	The only definition: the portal's remaining amounts, the portal's claims and the budget report all use it.
	"""
	return settings.get().current_funding_year or open_funding_year(on_date)


def claimable_funding_year(on_date: date | str | None = None) -> str | None:
	"""The current funding year if a claim dated on the day belongs in it, else None.

	When Virtual School Settings names a year whose dates do not cover the day (not rolled over yet, or
	set ahead), a claim made that day is refused rather than filed in the year open that day: a school
	never asks in one year while the portal shows it another year's remaining amount.
	"""
	year = current_funding_year(on_date)
	return year if year and year == open_funding_year(on_date) else None
