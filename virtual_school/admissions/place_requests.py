"""School place requests: daily clock refresh (set-based) and the letters generated from a request."""

from datetime import date, timedelta

import frappe
from frappe import _
from frappe.utils import getdate, today
from frappe.utils.file_manager import save_file

from virtual_school.admissions.vocabulary import CLOSED_STATES, OPEN_STATES
from virtual_school.calendar import clocks
from virtual_school.calendar.clocks import get_school_calendar
from virtual_school.domain import direction_timeline, letters, school_days
from virtual_school.domain.admission_route import AdmissionRoute
from virtual_school.domain.in_year_outcome import OUTCOME_SCHOOL_DAYS
from virtual_school.domain.school_days import DayKind, SchoolCalendar
from virtual_school.shared import documents, settings

BATCH_SIZE = 1000


def days_without_place(
	date_needed: date | str, start_date: date | str | None, on_date: date, calendar: SchoolCalendar
) -> int:
	"""School days a request's child has been without a place: from the Date Needed (day 1 if a school day)
	up to the day before the Start Date, or up to ``on_date`` while there is none."""
	since = getdate(date_needed) - timedelta(days=1)
	until = getdate(start_date) - timedelta(days=1) if start_date else getdate(on_date)
	return school_days.count_days(since, until, DayKind.SCHOOL, calendar) if until > since else 0


def refresh_place_request_clocks(on_date: date | str | None = None) -> int:
	"""Recompute days without a place for every open request: one read, batched writes, no per-row query."""
	on_date = getdate(on_date or today())
	target = settings.get().place_target_school_days
	calendar = get_school_calendar()
	requests = frappe.get_all(
		"School Place Request",
		filters={"workflow_state": ["in", OPEN_STATES]},
		fields=["name", "date_needed", "start_date"],
		limit_page_length=0,
	)
	updates = []
	for request in requests:
		days = days_without_place(request.date_needed, request.start_date, on_date, calendar)
		updates.append((request.name, days, max(0, days - target)))
	for start in range(0, len(updates), BATCH_SIZE):
		_write_days(updates[start : start + BATCH_SIZE])
	return len(updates)


def _write_days(batch: list[tuple[str, int, int]]) -> None:
	names = [row[0] for row in batch]
	days_cases = " ".join("when %s then %s" for _ in batch)
	beyond_cases = " ".join("when %s then %s" for _ in batch)
	values = [value for name, days, _beyond in batch for value in (name, days)]
	values += [value for name, _days, beyond in batch for value in (name, beyond)]
	frappe.db.sql(
		f"""update `tabSchool Place Request`
		set days_without_place = case name {days_cases} end,
			days_beyond_target = case name {beyond_cases} end
		where name in ({", ".join(["%s"] * len(names))})""",
		[*values, *names],
	)


LETTERS = {
	"admission_request": "Admission request",
	"direction_notice": "Consultation on a proposed direction (s.97B(1))",
	"decision_to_direct": "Notice of decision to direct (s.97B)",
	"direction": "Direction to admit (s.97A)",
	"secretary_of_state_request": "Request to the Secretary of State",
}
# What each letter waits for (STATUTORY.md section 11): a request still open, and for the direction letters
# the step they record, whose dates admissions.routes keeps in order and on a direction route only.
LETTER_NEEDS = {
	"admission_request": (),
	"direction_notice": ("direction_consulted_on",),
	"decision_to_direct": ("direction_consulted_on", "direction_notice_on"),
	"direction": ("direction_notice_on", "directed_on"),
	"secretary_of_state_request": ("refusing_school",),
}
# The Settings every letter needs so the reader can reply (issue #18 item 8)
REPLY_FIELDS = ("reply_address", "reply_email", "reply_telephone")


def letter_offered(request, kind: str) -> bool:
	"""Whether the request's state allows the letter: open, the step it records taken, and for the
	Secretary of State the academy route (once the request records its route)."""
	if request.workflow_state in CLOSED_STATES:
		return False
	if not all(request.get(field) for field in LETTER_NEEDS[kind]):
		return False
	if kind == "secretary_of_state_request" and request.get("admission_route"):
		return request.admission_route == AdmissionRoute.ASK_SECRETARY_OF_STATE.value
	return True


@frappe.whitelist()
def available_letters(name: str) -> list[dict]:
	"""The letters the form offers for a request: kind and label, in the order of ``LETTERS``."""
	request = frappe.get_doc("School Place Request", name)
	request.check_permission("read")
	return [
		{"kind": kind, "label": _(label)} for kind, label in LETTERS.items() if letter_offered(request, kind)
	]


@frappe.whitelist()
def generate_letter(name: str, kind: str) -> dict:
	"""Write a letter for a place request as .docx and attach it (private) to the request."""
	if kind not in LETTERS:
		frappe.throw(_("Unknown letter {0}.").format(kind))
	request = frappe.get_doc("School Place Request", name)
	request.check_permission("write")
	if not letter_offered(request, kind):
		meta = request.meta
		frappe.throw(
			_(
				"The {0} letter is not written for this request yet: it needs {1}, and an open request."
			).format(
				_(LETTERS[kind]), ", ".join(_(meta.get_label(field)) for field in LETTER_NEEDS[kind]) or "-"
			),
			title=_("Letter Not Ready"),
		)
	try:
		content = build_letter(request, kind, getdate(today()))
	except ValueError as error:
		frappe.throw(_("The letter cannot be written yet: {0}").format(error), title=_("Letter Not Ready"))
	file_name = f"{request.name}-{kind.replace('_', '-')}-{today()}.docx"
	saved = save_file(file_name, content, request.doctype, request.name, is_private=1)
	request.add_comment("Info", _("{0} letter generated: {1}").format(_(LETTERS[kind]), file_name))
	return {"file_url": saved.file_url, "file": saved.name}


def build_letter(request, kind: str, letter_date: date) -> bytes:
	"""The letter's bytes, from the request, its child, the school and the authority's settings."""
	values = settings.get()
	if not values.letter_signatory:
		frappe.throw(
			_("Set the Letter Signatory in Virtual School Settings first."), title=_("Letter Not Ready")
		)
	missing = [field for field in REPLY_FIELDS if not getattr(values, field)]
	if missing:
		meta = frappe.get_meta(settings.DOCTYPE)
		frappe.throw(
			_("Set how to reply in Virtual School Settings first: {0}.").format(
				", ".join(_(meta.get_label(field)) for field in missing)
			),
			title=_("Letter Not Ready"),
		)
	authority = documents.authority()
	# the child's cohort as on the day of the letter: a child who left care is not called looked after, and
	# the direction letters refuse them (issue #18 item 1)
	pupil = documents.pupil(request.child, request.name, letter_date)
	if kind == "admission_request":
		approach = _latest_approach(request)
		outcome_due = getdate(approach.outcome_due) if approach.outcome_due else None
		if not outcome_due or outcome_due <= letter_date:
			outcome_due = clocks.add_days(letter_date, OUTCOME_SCHOOL_DAYS, DayKind.SCHOOL)
		return letters.admission_request_letter(
			authority,
			documents.addressee(approach.school),
			pupil,
			letter_date=letter_date,
			date_needed=getdate(request.date_needed),
			reason=request.reason,
			outcome_due=outcome_due,
		)
	refusal = _refusal(request)
	if kind == "direction_notice":
		if not request.direction_consulted_on:
			frappe.throw(_("Enter the date you consult the school on the direction first."))
		return letters.direction_notice_letter(
			authority,
			documents.addressee(request.refusing_school),
			pupil,
			letter_date=getdate(request.direction_consulted_on),
			refused_on=getdate(refusal.response_date) if refusal and refusal.response_date else None,
			representations_due=getdate(request.representations_due),
			refusal_reason=(refusal.refusal_reason if refusal else "") or "",
			reason=request.reason,
			recipient=admission_authority_recipient(request),
		)
	if kind == "decision_to_direct":
		if not (request.direction_notice_on and request.direction_consulted_on):
			frappe.throw(_("Record the consultation and the date the notice is served first."))
		window_ends = direction_timeline.referral_window_ends(getdate(request.direction_notice_on))
		return letters.decision_to_direct_letter(
			authority,
			documents.addressee(request.refusing_school),
			pupil,
			letter_date=getdate(request.direction_notice_on),
			consulted_on=getdate(request.direction_consulted_on),
			representations_received_on=getdate(request.representations_received_on)
			if request.get("representations_received_on")
			else None,
			referral_window_ends=window_ends,
			direct_from=window_ends + timedelta(days=1),  # the window "has passed" the day after its last
			recipient=admission_authority_recipient(request),
		)
	if kind == "direction":
		if not (request.get("directed_on") and request.direction_notice_on):
			frappe.throw(_("Record the date the notice was served and the date of the direction first."))
		return letters.direction_letter(
			authority,
			documents.addressee(request.refusing_school),
			pupil,
			letter_date=getdate(request.directed_on),
			notice_served_on=getdate(request.direction_notice_on),
			adjudicator_decided_on=getdate(request.adjudicator_decided_on)
			if request.get("adjudicator_decided_on")
			else None,
			start_date=getdate(request.start_date) if request.start_date else None,
			recipient=admission_authority_recipient(request),
		)
	return letters.secretary_of_state_request_letter(
		authority,
		documents.addressee(request.refusing_school),
		pupil,
		letter_date=letter_date,
		refused_on=getdate(refusal.response_date) if refusal and refusal.response_date else None,
		academy_trust=frappe.db.get_value("School", request.refusing_school, "trust_name") or "",
		refusal_reason=(refusal.refusal_reason if refusal else "") or "",
		reason=request.reason,
		date_needed=getdate(request.date_needed),
		approaches=[
			letters.Approach(
				school=row.school_name or row.school,
				asked_on=getdate(row.date_asked),
				response=row.response,
				responded_on=getdate(row.response_date) if row.response_date else None,
			)
			for row in request.approaches
		],
	)


def admission_authority_recipient(request) -> letters.Recipient | None:
	"""Who the direction letters go to (STATUTORY.md section 11): the chair of governors of a voluntary
	aided or foundation school, the other council for its own community or VC school, the academy trust;
	None (the headteacher) when the route does not say."""
	route = request.get("admission_route")
	school = frappe.db.get_value(
		"School",
		request.refusing_school,
		["school_name", "street", "town", "postcode", "la", "trust_name"],
		as_dict=True,
	)
	if not (route and school):
		return None
	address = (school.street, school.town, school.postcode)
	if route == AdmissionRoute.DIRECT_GOVERNING_BODY.value:
		return letters.Recipient(
			lines=("The Chair of Governors", school.school_name, *address),
			salutation="Dear Chair of Governors",
		)
	if route == AdmissionRoute.DIRECT_OTHER_COUNCIL.value:
		council = frappe.db.get_value("Local Authority", school.la, "la_name") or _(
			"The local authority with LA code {0}"
		).format(school.la)
		return letters.Recipient(
			lines=(
				"The Admissions Team",
				council,
				_("Admission authority for {0}").format(school.school_name),
			),
			salutation="Dear Admissions Team",
			copy_to=(_("The Chair of Governors, {0}").format(school.school_name),),
		)
	if route == AdmissionRoute.DIRECT_ACADEMY_TRUST.value:
		return letters.Recipient(
			lines=(
				"The Chief Executive",
				school.trust_name or _("The academy trust"),
				_("c/o {0}").format(school.school_name),
				*address,
			),
			salutation="Dear Chief Executive",
		)
	return None


def _latest_approach(request):
	if not request.approaches:
		frappe.throw(_("Add the school you are asking to Schools Approached first."))
	awaiting = [row for row in request.approaches if row.response == "Awaiting"]
	return (awaiting or request.approaches)[-1]


def _refusal(request):
	if not request.refusing_school:
		frappe.throw(_("Set the School to Direct or Refer first."))
	refusals = [
		row
		for row in request.approaches
		if row.school == request.refusing_school and row.response == "Refused"
	]
	return refusals[-1] if refusals else None
