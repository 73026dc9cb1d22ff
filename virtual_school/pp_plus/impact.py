"""PP+ impact reports: requested from each school after each term, reminded, escalated when overdue.

Daily job (``run_daily``), idempotent and set-based: one grouped query finds the (school, year, term)
combinations with funded claims and no impact report yet; reminders are sent once per report; an
overdue report gets one open escalation at a time (the escalation ladder then raises it).
"""

from datetime import date

import frappe
from frappe import _
from frappe.utils import formatdate, getdate, today
from pypika.terms import ExistsCriterion

from virtual_school.calendar import clocks
from virtual_school.domain import pp_plus_budget
from virtual_school.domain.school_days import DayKind
from virtual_school.escalations.services import open_escalation, opened_names
from virtual_school.pp_plus import vocabulary
from virtual_school.shared import settings


def run_daily(on_date: date | str | None = None) -> dict:
	on_date = getdate(on_date or today())
	return {
		"requested": request_impact_reports(on_date),
		"reminded": remind_schools(on_date),
		"escalated": escalate_overdue_reports(on_date),
	}


def school_days_after(start: date, days: int) -> date:
	try:
		return clocks.add_days(start, days, DayKind.SCHOOL)
	except ValueError:  # the school calendar does not reach that far yet
		return clocks.add_days(start, days, DayKind.WORKING)


def request_impact_reports(on_date: date) -> list[str]:
	"""One impact report per school and term that ended with funded claims and has none yet."""
	claim = frappe.qb.DocType("PP Plus Claim")
	report = frappe.qb.DocType("PP Plus Impact Report")
	already = (
		frappe.qb.from_(report)
		.select(report.name)
		.where(
			(report.school == claim.school)
			& (report.funding_year == claim.funding_year)
			& (report.term == claim.term)
		)
	)
	combinations = (
		frappe.qb.from_(claim)
		.select(claim.school, claim.funding_year, claim.term)
		.distinct()
		.where(vocabulary.committed(claim) & ~ExistsCriterion(already))
		.run(as_dict=True)
	)
	due_days = settings.get().impact_report_due_school_days
	created = []
	for combination in combinations:
		term_end = pp_plus_budget.term_bounds(combination.funding_year, combination.term)[1]
		if term_end >= on_date:
			continue
		claims = frappe.get_all(
			"PP Plus Claim",
			filters={**combination, "workflow_state": ["in", vocabulary.COMMITTED_STATES]},
			pluck="name",
			order_by="name",
		)
		doc = frappe.get_doc(
			{
				"doctype": "PP Plus Impact Report",
				**combination,
				"term_end": term_end,
				"due_date": school_days_after(term_end, due_days),
				"rows": [{"claim": name} for name in claims],
			}
		).insert(ignore_permissions=True)
		created.append(doc.name)
	return created


def remind_schools(on_date: date) -> list[str]:
	"""Email the school's active contacts once, when a report is due within the reminder window."""
	window = settings.get().impact_reminder_school_days
	due_soon = frappe.get_all(
		"PP Plus Impact Report",
		filters={
			"workflow_state": ["not in", vocabulary.IMPACT_DONE_STATES],
			"reminded_on": ["is", "not set"],
			"due_date": [">=", on_date],
		},
		fields=["name", "school", "school_name", "term", "funding_year", "due_date"],
		limit_page_length=0,
	)
	due_soon = [row for row in due_soon if clocks.count_days(on_date, row.due_date, DayKind.SCHOOL) <= window]
	if not due_soon:
		return []
	contacts: dict[str, list[str]] = {}
	for contact in frappe.get_all(
		"School Contact",
		filters={"school": ["in", {row.school for row in due_soon}], "is_active": 1, "email": ["is", "set"]},
		fields=["school", "email"],
	):
		contacts.setdefault(contact.school, []).append(contact.email)
	reminded = []
	for row in due_soon:
		if not contacts.get(row.school):
			continue  # no one to remind yet: retried daily until the school has a contact with an email
		try:
			frappe.sendmail(
				recipients=contacts[row.school],
				subject=_("PP+ impact report due {0}").format(formatdate(row.due_date)),
				message=_(
					"Please tell us what the Pupil Premium Plus funding for {0} term {1} achieved for each child "
					"by {2}. Reference: {3}."
				).format(_(row.term), row.funding_year, formatdate(row.due_date), row.name),
				reference_doctype="PP Plus Impact Report",
				reference_name=row.name,
			)
		except frappe.OutgoingEmailError:
			frappe.log_error(title=_("PP+ impact reminders: no outgoing email account"))
			break  # nothing can be sent; try again tomorrow
		frappe.db.set_value("PP Plus Impact Report", row.name, "reminded_on", on_date, update_modified=False)
		reminded.append(row.name)
	return reminded


def escalate_overdue_reports(on_date: date) -> list[str]:
	report = frappe.qb.DocType("PP Plus Impact Report")
	escalation = frappe.qb.DocType("Escalation")
	open_one = (
		frappe.qb.from_(escalation)
		.select(escalation.name)
		.where(
			(escalation.reference_doctype == "PP Plus Impact Report")
			& (escalation.reference_name == report.name)
			& (escalation.status != "Closed")
		)
	)
	overdue = (
		frappe.qb.from_(report)
		.select(report.name, report.school_name, report.term, report.due_date)
		.where(
			report.workflow_state.notin(vocabulary.IMPACT_DONE_STATES)
			& (report.due_date < on_date)
			& ~ExistsCriterion(open_one)
		)
		.run(as_dict=True)
	)
	return opened_names(
		open_escalation(
			"PP Plus Impact Report",
			row.name,
			_("{0} has not sent the PP+ impact report for the {1} term, due {2}.").format(
				row.school_name, _(row.term), formatdate(row.due_date)
			),
			on_date,
			f"impact-overdue:{row.name}:{on_date}",
		)
		for row in overdue
	)
