"""The school portal: what a school's staff see, scoped server-side to their school on every request.

A website user is a portal user for the schools where an active School Contact links them. They see the
looked-after children on roll at those schools, with only what a school needs: name, year group, PEP status
and PP+ remaining. Never carer or placement details, legal status or social-care notes.
"""

import json
from datetime import date
from decimal import Decimal
from functools import lru_cache

import babel.dates
import frappe
import frappe.sessions
from frappe import _
from frappe.utils import getdate, today
from pypika import Table

from virtual_school.admissions import vocabulary as admissions
from virtual_school.children.vocabulary import ACTIVE, looked_after_on, to_sql
from virtual_school.domain import pep_variants, pp_plus_budget
from virtual_school.governance import access_log
from virtual_school.peps import vocabulary as pep_words
from virtual_school.peps.school_part import school_part
from virtual_school.pp_plus import vocabulary as pp_plus
from virtual_school.setup.roles import SCHOOL_PORTAL_USER

# The portal's children are those looked after today (``children.vocabulary.looked_after_on``), not the
# stored cohort: a child who returned home or turned 18 keeps "Looked After" with a leaving date (issue #18).
PORTAL_CHILD = Table("tabChild").as_("child")
# What the school may change in each record, and when (the rest is the virtual school's).
PEP_SCHOOL_FIELDS = (
	"designated_teacher",
	"meeting_date",
	"attendance_percent",
	"child_views",
	"no_views_reason",  # why the child's views are not recorded (domain.pep_voice): the school may say
	"no_views_detail",
)
PEP_TARGET_FIELDS = ("area", "target", "success_measure", "pp_plus_funded", "progress_rag")
PEP_ATTAINMENT_FIELDS = ("subject", "current", "target")
IMPACT_ROW_FIELDS = ("what_was_done", "impact", "target_met")


def school_names_for(user: str) -> dict[str, str]:
	"""The schools where an active School Contact links the user: {school: school name}, by name."""
	# Plain SQL: this runs on every portal request (frappe.get_all's query building costs more than the query).
	return dict(
		frappe.db.sql(
			"""select distinct contact.school, school.school_name
			from `tabSchool Contact` contact join tabSchool school on school.name = contact.school
			where contact.user = %s and contact.is_active = 1
			order by school.school_name, contact.school""",
			user,
		)
	)


def schools_for(user: str) -> list[str]:
	return list(school_names_for(user))


def require_portal_user() -> list[str]:
	"""The schools the signed-in portal user may see; refuses anyone else."""
	return list(require_portal_school_names())


def require_portal_school_names() -> dict[str, str]:
	"""The schools the signed-in portal user may see, with their names; refuses anyone else."""
	user = frappe.session.user
	if user == "Guest":
		frappe.throw(_("Please sign in to use the school portal."), frappe.PermissionError)
	if SCHOOL_PORTAL_USER not in frappe.get_roles(user):
		frappe.throw(_("The school portal is for school staff."), frappe.PermissionError)
	schools = school_names_for(user)
	if not schools:
		frappe.throw(
			_("Your account is not linked to a school yet. Ask the virtual school."), frappe.PermissionError
		)
	return schools


def page_context(context, title: str, route: str = "school-portal") -> list[str]:
	"""Common to every portal page: sign-in required, the user's schools, a plain portal page with the menu."""
	if frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = f"/login?redirect-to=/{route}"
		raise frappe.Redirect
	school_names = require_portal_school_names()
	# Frappe v15 makes a CSRF token only for the desk (/app); make one so the portal's POSTs carry and need it.
	frappe.sessions.get_csrf_token()
	context.title = title
	context.show_sidebar = True
	context.no_breadcrumbs = True
	context.no_cache = 1
	context.school_names = list(school_names.values())
	return list(school_names)


def not_found(doctype: str, name: str):
	"""The same answer for "not yours" and "does not exist", so a portal user learns nothing about other schools."""
	frappe.throw(_("{0} {1} was not found.").format(_(doctype), name), frappe.DoesNotExistError)


def long_date(value) -> str:
	"""A date as a page's ``frappe.format_date`` writes it (``global_date_format``: "5 March 2027" in British
	English, the language the setup gives an English council's site), kept per date and language in this
	process: Babel parses the locale's pattern on every call (~25 µs), which was a tenth of the portal home
	page's own time for fifteen pupils."""
	return _long_date(getdate(value), frappe.local.lang or "en")


@lru_cache(maxsize=4096)
def _long_date(value: date, lang: str) -> str:
	return babel.dates.format_date(value, locale=lang.replace("-", "_"), format="long")


def _looked_after_today_sql() -> str:
	"""The SQL condition on ``child``: looked after today (the date is the code's, not a user's)."""
	return to_sql(looked_after_on(PORTAL_CHILD, getdate(today())))


def pupil_names(schools: list[str]) -> set[str]:
	"""Children the school may see: looked after today, active, on roll at one of the schools now (the
	children My Pupils lists)."""
	if not schools:
		return set()
	return {
		row[0]
		for row in frappe.db.sql(
			f"""select child.name from tabChild child
			where child.current_school in %(schools)s and child.status = %(active)s
			and {_looked_after_today_sql()}""",
			{"schools": schools, "active": ACTIVE},
		)
	}


# Reads only: served by the read replica when the site sets read_from_replica (docs/benchmarks.md).
@frappe.read_only()
def my_pupils() -> list[dict]:
	"""Looked-after children on roll at the user's schools, with the few fields a school needs."""
	return pupils_at(require_portal_user())


@frappe.read_only()
def pupils_at(schools: list[str]) -> list[dict]:
	"""Looked-after children on roll at these schools: only for schools just given by require_portal_user()
	or page_context() for the signed-in user (the portal's home page, which checks them once per request).

	One statement, written as SQL: this is the data of the portal's home page, read on every visit. The
	children, each with their latest PEP and the PP+ committed for them in the current funding year (one
	index dive per child for each), and that year with its allocation per child (joined on one value:
	``pp_plus.current_funding_year``, the year claims from the portal are filed in). A child in a year group
	without an allocation (Years 12-13) has no remaining amount.

	The latest PEP's due date and state come from one correlated subquery as a JSON pair: joining the PEP
	on ``pep.name = (select latest.name …)`` made MariaDB run that subquery more than once per child
	(national data, 15 pupils: 2.2 ms for the statement against 1.5 ms).
	"""
	children = frappe.db.sql(
		f"""select child.name, child.first_name, child.last_name, child.preferred_name, child.year_group,
			child.key_stage, child.current_school_name, year.name as funding_year,
			year.per_child_allocation as allocation,
			(
				-- the latest due (a PEP without a due date only when there is no other)
				select json_array(latest.due_date, latest.workflow_state)
				from `tabPersonal Education Plan` latest where latest.child = child.name
				order by latest.due_date desc limit 1
			) as latest_pep,
			(select sum(claim.amount) from `tabPP Plus Claim` claim
				where claim.child = child.name and claim.funding_year = year.name
					and claim.workflow_state in %(committed)s) as committed
		from tabChild child
		left join `tabPP Plus Funding Year` year on year.name = %(funding_year)s
		where child.current_school in %(schools)s and child.status = %(active)s
			and {_looked_after_today_sql()}
		order by child.last_name asc, child.first_name asc""",
		{
			"schools": schools,
			"active": ACTIVE,
			"committed": pp_plus.COMMITTED_STATES,
			"funding_year": pp_plus.current_funding_year(),
		},
		as_dict=True,
	)
	for child in children:
		pep_due, child.pep_status = json.loads(child.latest_pep) if child.latest_pep else (None, None)
		child.pep_due = date.fromisoformat(pep_due) if pep_due else None
	return [
		{
			"reference": child.name,
			"name": f"{child.preferred_name or child.first_name} {child.last_name}",
			"year_group": child.year_group,
			"school": child.current_school_name,
			"pep_due": child.pep_due,
			"pep_status": child.pep_status,
			"pp_plus_remaining": pp_plus_budget.format_money(
				max(Decimal(0), Decimal(str(child.allocation or 0)) - Decimal(str(child.committed or 0)))
			)
			if child.funding_year and pp_plus.has_allocation(child.key_stage)
			else None,
		}
		for child in children
	]


# Place requests: the school sees the requests where the virtual school asked it for a place
# ---------------------------------------------------------------------------------------------
PLACE_REQUEST_HIDDEN_STATES = (admissions.DRAFT, admissions.WITHDRAWN)
PLACE_REQUEST_CLOSED_STATES = (admissions.DRAFT, *admissions.CLOSED_STATES)


def place_requests() -> list[dict]:
	"""Each time one of the user's schools was asked for a place: the child, the dates, the school's answer."""
	schools = require_portal_user()
	request = frappe.qb.DocType("School Place Request")
	approach = frappe.qb.DocType("School Place Approach")
	rows = (
		frappe.qb.from_(approach)
		.join(request)
		.on((approach.parent == request.name) & (approach.parenttype == "School Place Request"))
		.select(
			request.name.as_("request"),
			request.child_name,
			request.year_group,
			request.date_needed,
			request.workflow_state,
			approach.name.as_("approach"),
			approach.school,
			approach.school_name,
			approach.date_asked,
			approach.outcome_due,
			approach.response,
			approach.response_date,
			approach.offered_start_date,
			approach.refusal_reason,
		)
		.where(approach.school.isin(schools) & request.workflow_state.notin(PLACE_REQUEST_HIDDEN_STATES))
		.orderby(approach.date_asked, order=frappe.qb.desc)
		.run(as_dict=True)
	)
	for row in rows:
		row.can_answer = row.response == "Awaiting" and row.workflow_state not in PLACE_REQUEST_CLOSED_STATES
	rows.sort(
		key=lambda row: not row.can_answer
	)  # what needs the school's answer first (stable: newest next)
	return rows


def scoped_approach(request_name: str, approach_name: str, schools: list[str]):
	"""The place request and the approach row asking one of the user's schools, or not found."""
	if not frappe.db.exists("School Place Request", request_name):
		not_found("School Place Request", request_name)
	doc = frappe.get_doc("School Place Request", request_name)
	row = next((row for row in doc.approaches if row.name == approach_name and row.school in schools), None)
	if not row or doc.workflow_state in PLACE_REQUEST_HIDDEN_STATES:
		not_found("School Place Request", request_name)
	return doc, row


# PEPs: the school's part of the plans for its pupils
# -----------------------------------------------------
def peps() -> list[dict]:
	"""PEPs of the user's pupils held with one of the user's schools: those waiting for the school's part first,
	newest due first within each."""
	schools = require_portal_user()
	pupils = pupil_names(schools)
	if not pupils:
		return []
	rows = frappe.get_all(
		"Personal Education Plan",
		filters={"child": ["in", list(pupils)], "school": ["in", schools]},
		fields=["name", "child_name", "school_name", "academic_year", "term", "due_date", "workflow_state"],
		order_by="due_date desc",
	)
	for row in rows:
		row.can_edit = row.workflow_state in pep_words.SCHOOL_EDITABLE_STATES
	rows.sort(key=lambda row: not row.can_edit)  # the PEPs waiting for the school's part first
	return rows


def scoped_pep(name: str, schools: list[str] | None = None):
	"""The PEP document if it is one of the user's pupils' at one of the user's schools, else not found."""
	schools = schools or require_portal_user()
	values = frappe.db.get_value("Personal Education Plan", name, ["child", "school"], as_dict=True)
	if not values or values.school not in schools or values.child not in pupil_names(schools):
		not_found("Personal Education Plan", name)
	return frappe.get_doc("Personal Education Plan", name)


def pep_for_school(name: str) -> dict:
	"""The school-facing view of one PEP: its fields, targets, attainment and the QA feedback when returned."""
	doc = scoped_pep(name)
	access_log.record_portal_view([(doc.doctype, doc.name)])  # who read a child's records (issue #22)
	return {
		"name": doc.name,
		"child_name": doc.child_name,
		"school_name": doc.school_name,
		"academic_year": doc.academic_year,
		"term": doc.term,
		"due_date": doc.due_date,
		"workflow_state": doc.workflow_state,
		"can_edit": doc.workflow_state in pep_words.SCHOOL_EDITABLE_STATES,
		"qa_comments": doc.qa_comments if doc.workflow_state in ("Returned", "Approved") else None,
		"qa_rating": doc.qa_rating if doc.workflow_state == pep_words.APPROVED else None,
		**{field: doc.get(field) for field in PEP_SCHOOL_FIELDS},
		**school_part(doc),  # its variant: early learning goals, or course and qualification aims (issue #23)
		"targets": [
			{"name": row.name, **{field: row.get(field) for field in PEP_TARGET_FIELDS}}
			for row in doc.targets
		],
		"attainment": [
			{"name": row.name, **{field: row.get(field) for field in PEP_ATTAINMENT_FIELDS}}
			for row in doc.attainment
		],
		"options": {
			"area": pep_variants.offered_target_areas(doc.pep_variant, (row.area for row in doc.targets)),
			"progress_rag": select_options("PEP Target", "progress_rag"),
			"subject": select_options("PEP Attainment", "subject"),
			"no_views_reason": select_options("Personal Education Plan", "no_views_reason"),
		},
	}


def select_options(doctype: str, fieldname: str) -> list[str]:
	return (frappe.get_meta(doctype).get_field(fieldname).options or "").split("\n")


# PP+: claims against PEP targets, their status and decision; the termly impact report
# -----------------------------------------------------------------------------------


def pp_plus_claims() -> list[dict]:
	"""PP+ claims for the user's schools: what was asked, its status and, once decided, the decision."""
	schools = require_portal_user()
	rows = frappe.get_all(
		"PP Plus Claim",
		filters={"school": ["in", schools]},
		fields=[
			"name",
			"child_name",
			"school_name",
			"claim_date",
			"amount",
			"category",
			"pep_target",
			"workflow_state",
			"decided_on",
			"decision_reason",
		],
		order_by="claim_date desc, name desc",
	)
	for row in rows:
		row.amount_display = pp_plus_budget.format_money(Decimal(str(row.amount or 0)))
		row.committed = row.workflow_state in pp_plus.COMMITTED_STATES
		if row.workflow_state not in pp_plus.PORTAL_DECISION_STATES:
			row.decision_reason = None
	return rows


def claimable_targets() -> list[dict]:
	"""PEP targets of the user's pupils that the school may ask PP+ funding for (latest PEPs first)."""
	schools = require_portal_user()
	pupils = pupil_names(schools)
	if not pupils:
		return []
	pep = frappe.qb.DocType("Personal Education Plan")
	target = frappe.qb.DocType("PEP Target")
	return (
		frappe.qb.from_(target)
		.join(pep)
		.on((target.parent == pep.name) & (target.parenttype == "Personal Education Plan"))
		.select(
			target.name.as_("target_row"),
			target.area,
			target.target,
			pep.name.as_("pep"),
			pep.child_name,
			pep.term,
			pep.academic_year,
		)
		.where(pep.child.isin(list(pupils)) & pep.school.isin(schools) & (pep.workflow_state != "Draft"))
		.orderby(pep.due_date, order=frappe.qb.desc)
		.orderby(target.idx)
		.run(as_dict=True)
	)


def impact_reports() -> list[dict]:
	schools = require_portal_user()
	rows = frappe.get_all(
		"PP Plus Impact Report",
		filters={"school": ["in", schools]},
		fields=["name", "school_name", "funding_year", "term", "due_date", "workflow_state", "submitted_on"],
		order_by="due_date desc",
	)
	for row in rows:
		row.can_edit = row.workflow_state in pp_plus.IMPACT_EDITABLE_STATES
	rows.sort(key=lambda row: not row.can_edit)  # the reports the school still has to send first
	return rows


def scoped_impact_report(name: str, schools: list[str] | None = None):
	schools = schools or require_portal_user()
	if frappe.db.get_value("PP Plus Impact Report", name, "school") not in schools:
		not_found("PP Plus Impact Report", name)
	return frappe.get_doc("PP Plus Impact Report", name)


def impact_report_for_school(name: str) -> dict:
	doc = scoped_impact_report(name)
	names = {row.claim for row in doc.rows}
	access_log.record_portal_view(("PP Plus Claim", claim) for claim in sorted(names))  # issue #22
	claims = {
		claim.name: claim
		for claim in frappe.get_all(
			"PP Plus Claim",
			filters={"name": ["in", list(names) or [""]]},
			fields=["name", "child_name", "category", "amount", "pep_target"],
		)
	}
	files = frappe.get_all(
		"File",
		filters={"attached_to_doctype": doc.doctype, "attached_to_name": doc.name},
		fields=["file_name", "creation"],
		order_by="creation desc",
	)
	return {
		"name": doc.name,
		"school_name": doc.school_name,
		"funding_year": doc.funding_year,
		"term": doc.term,
		"due_date": doc.due_date,
		"workflow_state": doc.workflow_state,
		"can_edit": doc.workflow_state in pp_plus.IMPACT_EDITABLE_STATES,
		"review_comments": doc.review_comments
		if doc.workflow_state in pp_plus.IMPACT_REVIEWED_STATES
		else None,
		"files": [row.file_name for row in files],
		"rows": [
			{
				"name": row.name,
				"claim": row.claim,
				"child_name": claims[row.claim].child_name if row.claim in claims else "",
				"category": row.category,
				"amount": pp_plus_budget.format_money(Decimal(str(row.amount or 0))),
				"pep_target": row.pep_target,
				**{field: row.get(field) for field in IMPACT_ROW_FIELDS},
			}
			for row in doc.rows
		],
		"target_met_options": select_options("PP Plus Impact Row", "target_met"),
	}
