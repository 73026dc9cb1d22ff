"""School place requests: daily clock refresh (set-based) and the letters generated from a request."""

from datetime import date, timedelta

import frappe
from frappe import _
from frappe.utils import getdate, today
from frappe.utils.file_manager import save_file

from virtual_school.admissions.vocabulary import OPEN_STATES
from virtual_school.calendar import clocks
from virtual_school.calendar.clocks import get_school_calendar
from virtual_school.domain import letters, school_days
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
	"direction_notice": "Notice of intention to direct",
	"secretary_of_state_request": "Request to the Secretary of State",
}


@frappe.whitelist()
def generate_letter(name: str, kind: str) -> dict:
	"""Write a letter for a place request as .docx and attach it (private) to the request."""
	if kind not in LETTERS:
		frappe.throw(_("Unknown letter {0}.").format(kind))
	request = frappe.get_doc("School Place Request", name)
	request.check_permission("write")
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
	if not settings.get().letter_signatory:
		frappe.throw(
			_("Set the Letter Signatory in Virtual School Settings first."), title=_("Letter Not Ready")
		)
	authority = documents.authority()
	pupil = documents.pupil(request.child, request.name)
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
