"""What school staff do in the portal: answer place requests, complete PEPs, ask for PP+, report its impact,
notify exclusions.

Every method here is whitelisted for POST only (Frappe checks the CSRF token of a signed-in session) and,
on every call, re-checks that the record belongs to one of the user's schools (``virtual_school.portal.pages``)
before touching it: names and values from the form are never trusted. Writes go through the same
controllers, validations and workflows as the desk. The portal user has no desk permissions, so a
workflow transition runs with the virtual school's authority (``with_school_authority``) only after the
scope check, and a comment records which school user acted.
"""

import base64
import json
from contextlib import contextmanager
from decimal import Decimal

import frappe
from frappe import _
from frappe.model.workflow import apply_workflow
from frappe.utils import cstr, flt, getdate, today

from virtual_school.domain import pep_variants, pp_plus_budget
from virtual_school.domain.exclusion_rules import YEAR_LIMIT_SCHOOL_DAYS
from virtual_school.exclusions import portal as exclusions_portal
from virtual_school.exclusions.vocabulary import EXCLUSION_TYPES, SUSPENSION
from virtual_school.peps import vocabulary as pep_words
from virtual_school.peps.school_part import apply_school_part
from virtual_school.portal import header
from virtual_school.portal import pages as portal
from virtual_school.pp_plus import vocabulary as pp_plus
from virtual_school.pp_plus.budget import budget_for

PORTAL_NOTE = "via the school portal"
MAX_TEXT = 5000
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UPLOAD_EXTENSIONS = (".pdf", ".docx", ".doc", ".odt", ".xlsx", ".xls", ".ods", ".csv", ".txt")


@contextmanager
def with_school_authority():
	"""Run a workflow step the school may take but its portal role cannot (transitions are for desk roles).

	Only ever entered after the portal scope check. The session's user is swapped for the length of the
	block (not the session id), then restored.
	"""
	session = frappe.local.session
	acting = session.user
	session.user = "Administrator"
	try:
		yield acting
	finally:
		session.user = acting


def _record(doc, message: str) -> None:
	doc.add_comment("Info", _("{0} ({1} {2}).").format(message, _(PORTAL_NOTE), frappe.session.user))


def _text(value, label: str, required: bool = False) -> str:
	value = cstr(value).strip()
	if required and not value:
		frappe.throw(_("{0} is required.").format(_(label)), title=_("Missing Information"))
	if len(value) > MAX_TEXT:
		frappe.throw(_("{0} is too long.").format(_(label)))
	return value


def _load(value) -> dict | list:
	if isinstance(value, str):
		try:
			return json.loads(value or "null") or {}
		except ValueError:
			frappe.throw(_("The form could not be read."))
	return value or {}


def _date(value, label: str):
	if not value:
		return None
	try:
		return getdate(cstr(value))
	except Exception:
		frappe.throw(_("{0}: {1} is not a date.").format(_(label), cstr(value)[:20]))


def _choice(value, options: list[str], label: str) -> str:
	value = cstr(value)
	if value not in options:
		frappe.throw(_("{0}: {1} is not one of the choices.").format(_(label), value))
	return value


# Place requests
# --------------
@frappe.whitelist(methods=["POST"])
def answer_place_request(
	request: str,
	approach: str,
	response: str,
	refusal_reason: str | None = None,
	start_date: str | None = None,
) -> dict:
	"""The school offers a place (with the first day it offers, issue #21) or refuses, with its reason;
	recorded on the request as on the desk."""
	schools = portal.require_portal_user()
	if response not in ("Offered", "Refused"):
		frappe.throw(_("Answer Offered or Refused."))
	doc, row = portal.scoped_approach(request, approach, schools)
	if row.response != "Awaiting" or doc.workflow_state in portal.PLACE_REQUEST_CLOSED_STATES:
		frappe.throw(_("This request has already been answered."), title=_("Already Answered"))
	reason = _text(refusal_reason, "Reason", required=response == "Refused")
	row.response, row.response_date = response, today()
	row.refusal_reason = reason if response == "Refused" else None
	offered_start = _date(start_date, "Start Date") if response == "Offered" else None
	if offered_start and getdate(offered_start) < getdate(today()):
		frappe.throw(_("The start date offered cannot be in the past."), title=_("Invalid Start Date"))
	row.offered_start_date = offered_start
	doc.save(ignore_permissions=True)  # the controller checks the answer (a refusal needs its reason)
	if doc.workflow_state == "Requested":
		action = "Record Offer" if response == "Offered" else "Record Refusal"
		with with_school_authority():
			doc = apply_workflow(doc, action)
	_record(
		doc,
		_("{0} offered a place").format(row.school_name)
		if response == "Offered"
		else _("{0} refused a place: {1}").format(row.school_name, reason),
	)
	header.confirm(
		_("Your offer of a place is recorded: the virtual school has been told.")
		if response == "Offered"
		else _("Your answer is recorded: the virtual school has been told your school cannot offer a place.")
	)
	return {"request": doc.name, "response": response, "status": doc.workflow_state}


# PEPs
# ----
@frappe.whitelist(methods=["POST"])
def save_pep(name: str, data: str | dict, submit: int | bool = 0) -> dict:
	"""Save the school's part of a PEP (and, with submit, send it to the virtual school for QA)."""
	schools = portal.require_portal_user()
	doc = portal.scoped_pep(name, schools)
	if doc.workflow_state not in pep_words.SCHOOL_EDITABLE_STATES:
		frappe.throw(
			_("This PEP is {0}: the school's part cannot change now.").format(_(doc.workflow_state)),
			title=_("PEP Not Editable"),
		)
	data = _load(data)
	if not isinstance(data, dict):
		frappe.throw(_("The form could not be read."))
	doc.designated_teacher = _text(data.get("designated_teacher"), "Designated Teacher")[:140]
	doc.meeting_date = _date(data.get("meeting_date"), "PEP Meeting Date")
	attendance = data.get("attendance_percent")
	if attendance not in (None, "") and not cstr(attendance).replace(".", "", 1).isdigit():
		frappe.throw(_("Attendance must be a number between 0 and 100."), title=_("Invalid Attendance"))
	doc.attendance_percent = flt(attendance) if attendance not in (None, "") else None
	doc.child_views = _text(data.get("child_views"), "Child's Views")
	doc.no_views_reason = _choice(
		data.get("no_views_reason") or "",
		portal.select_options("Personal Education Plan", "no_views_reason"),
		"Why the Child's Views Are Not Recorded",
	)
	doc.no_views_detail = _text(data.get("no_views_detail"), "Explanation")
	options = {
		"area": pep_variants.offered_target_areas(doc.pep_variant, (row.area for row in doc.targets)),
		"progress_rag": portal.select_options("PEP Target", "progress_rag"),
		"subject": portal.select_options("PEP Attainment", "subject"),
	}
	doc.set("targets", [])
	for row in data.get("targets") or []:
		if not cstr(row.get("target")).strip():
			continue
		doc.append(
			"targets",
			{
				"area": _choice(row.get("area"), options["area"], "Area"),
				"target": _text(row.get("target"), "Target", required=True),
				"success_measure": _text(row.get("success_measure"), "Success Measure"),
				"pp_plus_funded": 1 if row.get("pp_plus_funded") else 0,
				"progress_rag": _choice(row.get("progress_rag") or "", options["progress_rag"], "Progress"),
			},
		)
	doc.set("attainment", [])
	for row in data.get("attainment") or []:
		if not row.get("subject"):
			continue
		doc.append(
			"attainment",
			{
				"subject": _choice(row.get("subject"), options["subject"], "Subject"),
				"current": _text(row.get("current"), "Current")[:140],
				"target": _text(row.get("target"), "Target")[:140],
			},
		)
	apply_school_part(doc, data)  # the school's part of the PEP's variant (issue #23)
	doc.save(ignore_permissions=True)  # the controller validates (attendance, scales) as on the desk
	if frappe.utils.cint(submit):
		if not (doc.meeting_date and doc.targets):
			frappe.throw(
				_("Enter the meeting date and at least one target before submitting."),
				title=_("PEP Incomplete"),
			)
		with with_school_authority():
			doc = apply_workflow(doc, "Submit PEP")
		_record(doc, _("PEP submitted for QA"))
	header.confirm(
		_("The PEP is sent to the virtual school for quality assurance.")
		if frappe.utils.cint(submit)
		else _("The PEP is saved.")
	)
	return {"name": doc.name, "status": doc.workflow_state}


# PP+
# ---
@frappe.whitelist(methods=["POST"])
def request_pp_plus(target_row: str, amount: str | float, category: str, description: str) -> dict:
	"""Ask for PP+ against one target of a pupil's PEP: a claim for the virtual school to decide."""
	schools = portal.require_portal_user()
	target = frappe.db.get_value(
		"PEP Target",
		{"name": target_row, "parenttype": "Personal Education Plan", "parentfield": "targets"},
		["parent", "area", "target"],
		as_dict=True,
	)
	if not target:
		portal.not_found("PEP Target", target_row)
	pep = portal.scoped_pep(target.parent, schools)
	funding_year = pp_plus.claimable_funding_year()
	if not funding_year:
		frappe.throw(
			_("No PP+ funding year is open today. Please contact the virtual school."),
			title=_("No Funding Year"),
		)
	try:
		amount = pp_plus_budget.validate_amount(amount)
	except (pp_plus_budget.InvalidAmount, ValueError, ArithmeticError) as error:
		frappe.throw(_("Amount: {0}").format(error), title=_("Invalid Amount"))
	school = frappe.db.get_value("Child", pep.child, "current_school")
	if school not in schools:
		portal.not_found("Personal Education Plan", pep.name)
	claim = frappe.get_doc(
		{
			"doctype": "PP Plus Claim",
			"child": pep.child,
			"school": school,
			"funding_year": funding_year,
			"claim_date": today(),
			"amount": amount,
			"category": _choice(category, portal.select_options("PP Plus Claim", "category"), "Category"),
			"personal_education_plan": pep.name,
			"pep_target": f"{_(target.area)}: {target.target}"[:140],
			"description": _text(description, "What the funding is for", required=True),
		}
	)
	# The allocation limit, as the approver will check it: no request for more than the child has left.
	try:
		term = pp_plus_budget.term_of(getdate(claim.claim_date))
		pp_plus_budget.check_claim(budget_for(pep.child, funding_year, term=term), amount)
	except pp_plus_budget.OverAllocation as error:
		frappe.throw(_("Cannot request: {0}").format(error), title=_("Over Allocation"))
	claim.insert(ignore_permissions=True)  # requester: the school user; the controller validates
	with with_school_authority() as acting:
		claim = apply_workflow(claim, "Submit Claim")
	claim.db_set("submitted_by", acting, update_modified=False)
	_record(claim, _("PP+ requested for {0}").format(pp_plus_budget.format_money(Decimal(str(amount)))))
	header.confirm(_("Your PP+ request is sent to the virtual school."))
	return {"name": claim.name, "status": claim.workflow_state}


@frappe.whitelist(methods=["POST"])
def save_impact_report(
	name: str, rows: str | list, submit: int | bool = 0, file: str | dict | None = None
) -> dict:
	"""Fill in (and, with submit, send) the termly PP+ impact report; optionally attach the school's own report."""
	schools = portal.require_portal_user()
	doc = portal.scoped_impact_report(name, schools)
	if doc.workflow_state not in pp_plus.IMPACT_EDITABLE_STATES:
		frappe.throw(
			_("This impact report is {0}: it cannot change now.").format(_(doc.workflow_state)),
			title=_("Report Not Editable"),
		)
	rows = _load(rows)
	by_name = {row.name: row for row in doc.rows}
	options = portal.select_options("PP Plus Impact Row", "target_met")
	for answer in rows if isinstance(rows, list) else []:
		row = by_name.get(cstr(answer.get("name")))
		if not row:
			frappe.throw(_("The form does not match this report; reload the page."))
		row.what_was_done = _text(answer.get("what_was_done"), "What was done")
		row.impact = _text(answer.get("impact"), "Impact")
		row.target_met = _choice(answer.get("target_met") or "", options, "Target Met")
	doc.save(ignore_permissions=True)
	if file:
		_attach(doc, _load(file))
	if frappe.utils.cint(submit):
		with with_school_authority():
			doc = apply_workflow(doc, "Submit Report")
		_record(doc, _("Impact report submitted"))
	header.confirm(
		_("The impact report is sent to the virtual school.")
		if frappe.utils.cint(submit)
		else _("The impact report is saved.")
	)
	return {"name": doc.name, "status": doc.workflow_state}


# Exclusions
# ----------
MAX_EXCLUSION_DESCRIPTION = 2000
# How far from today a notified start date may lie (notice may come before the first day; a late notice is
# still a notice, up to a school year late): further out is a typing mistake, which the virtual school fixes.
EXCLUSION_START_WINDOW = (-366, 31)


@frappe.whitelist(methods=["POST"])
def notify_exclusion(
	child: str,
	exclusion_type: str,
	start_date: str,
	reason: str,
	description: str,
	school_days: str | int | None = None,
	notice_date: str | None = None,
	misses_public_examination: int | str | None = 0,
	examination_date: str | None = None,
) -> dict:
	"""The school notifies a suspension or permanent exclusion of one of its pupils (issue #23 item 5): the
	Exclusion is created as on the desk (``exclusions.portal.notify``), which tells the virtual school and the
	social worker at once. Every value is checked here; the pupil and school are re-checked there."""
	schools = portal.require_portal_user()
	kind = _choice(exclusion_type, list(EXCLUSION_TYPES), "Type")
	start = _date(start_date, "First Day")
	if not start:
		frappe.throw(_("Enter the first day of the exclusion."), title=_("Missing Information"))
	earliest, latest = (frappe.utils.add_days(today(), days) for days in EXCLUSION_START_WINDOW)
	if not getdate(earliest) <= start <= getdate(latest):
		frappe.throw(
			_("The first day must be between {0} and {1}.").format(
				frappe.utils.formatdate(earliest), frappe.utils.formatdate(latest)
			),
			title=_("Invalid Date"),
		)
	days = 0
	if kind == SUSPENSION:
		text = cstr(school_days).strip()
		if not text.isdigit() or not 1 <= int(text) <= YEAR_LIMIT_SCHOOL_DAYS:
			frappe.throw(
				_("School Days: a whole number from 1 to {0}.").format(YEAR_LIMIT_SCHOOL_DAYS),
				title=_("Invalid Length"),
			)
		days = int(text)
	notice = _date(notice_date, "Parents Notified On")
	if notice and notice > getdate(today()):
		frappe.throw(_("Parents Notified On cannot be in the future."), title=_("Invalid Date"))
	misses = bool(frappe.utils.cint(misses_public_examination))
	account = _text(description, "What Happened", required=True)
	if len(account) > MAX_EXCLUSION_DESCRIPTION:
		frappe.throw(
			_("What Happened: at most {0} characters.").format(MAX_EXCLUSION_DESCRIPTION),
			title=_("Too Long"),
		)
	doc = exclusions_portal.notify(
		cstr(child),
		schools,
		{
			"exclusion_type": kind,
			"start_date": start,
			"school_days": days,
			"reason": _choice(reason, portal.select_options("Exclusion", "reason"), "Reason"),
			"description": account,
			"notice_date": notice,
			"misses_public_examination": misses,
			"examination_date": _date(examination_date, "Examination or Test Date") if misses else None,
		},
	)
	_record(doc, _("{0} notified by the school").format(_(kind)))
	return {
		"name": doc.name,
		"message": _(
			"{0} recorded as {1}. The virtual school and the child's social worker have been told."
		).format(_(kind), doc.name),
		"consideration_due": doc.consideration_due,
	}


def _attach(doc, file: dict) -> None:
	"""Attach the school's own report file (private) to the impact report."""
	file_name = cstr(file.get("file_name")).strip().replace("/", "_").replace("\\", "_")[:120]
	if not file_name.lower().endswith(UPLOAD_EXTENSIONS):
		frappe.throw(
			_("Upload a document ({0}).").format(", ".join(UPLOAD_EXTENSIONS)), title=_("File Not Accepted")
		)
	try:
		content = base64.b64decode(cstr(file.get("content")), validate=True)
	except ValueError:
		frappe.throw(_("The file could not be read."))
	if not content or len(content) > MAX_UPLOAD_BYTES:
		frappe.throw(_("The file must be between 1 byte and 10 MB."), title=_("File Not Accepted"))
	frappe.get_doc(
		{
			"doctype": "File",
			"file_name": file_name,
			"attached_to_doctype": doc.doctype,
			"attached_to_name": doc.name,
			"is_private": 1,
			"content": content,
		}
	).insert(ignore_permissions=True)
	_record(doc, _("Impact report file {0} uploaded").format(file_name))
