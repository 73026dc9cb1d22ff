"""A school notifies a suspension or permanent exclusion through the portal (issue #23 item 5).

Since September 2022 the head teacher must tell the virtual school head and the child's social worker, without
delay, of a looked-after pupil's suspension or permanent exclusion (SI 2012/1033 regs 5, 14 and 23, as amended
by SI 2022/788). The portal's form is that notification: it creates the Exclusion exactly as the desk does
(the controller runs ``exclusions.services.validate``: totals, the governors' clock, the rule checks), and
the insert itself tells people, through what already tells them of a desk-recorded exclusion: the standard
Notification *Exclusion Notified* (bell and email to the caseworker and the Virtual School Heads) and
``children.notify.exclusion_inserted`` (bell and email to the child's social worker).

The school may notify only for a pupil on its own roll (``portal.pages.pupil_names``: looked after today,
active, its current school one of the user's); the exclusion's school is the pupil's current school, never a
value from the form. The page lists the exclusions of the school's pupils at its schools, those waiting for the
governing board first.
"""

import frappe
from frappe import _
from frappe.utils import getdate, today

from virtual_school.exclusions.vocabulary import SUSPENSION
from virtual_school.portal import pages as portal

# What the portal list shows of an Exclusion (registered in governance/minimisation.py, page "exclusions")
LIST_FIELDS = (
	"name",
	"child_name",
	"school_name",
	"exclusion_type",
	"start_date",
	"school_days",
	"reason",
	"description",
	"notice_date",
	"vsh_told_on",
	"governors_must_consider",
	"consideration_due",
	"governors_meeting_date",
	"outcome",
)


def pupils_for(schools: list[str]) -> list[dict]:
	"""The pupils the school may notify an exclusion for: its pupils on roll, by name (what My Pupils shows)."""
	names = portal.pupil_names(schools)
	if not names:
		return []
	rows = frappe.get_all(
		"Child",
		filters={"name": ["in", list(names)]},
		fields=["name", "first_name", "preferred_name", "last_name"],
		order_by="last_name asc, first_name asc",
	)
	return [
		{"reference": row.name, "name": f"{row.preferred_name or row.first_name} {row.last_name}"}
		for row in rows
	]


def needs_action(row) -> bool:
	"""The governing board must consider reinstatement and no meeting is recorded yet."""
	return bool(row.governors_must_consider) and not row.governors_meeting_date


def notified_exclusions(schools: list[str]) -> list[dict]:
	"""The exclusions of the school's pupils at its schools: those awaiting the governors first, newest next."""
	pupils = portal.pupil_names(schools)
	if not pupils:
		return []
	rows = frappe.get_all(
		"Exclusion",
		filters={"school": ["in", schools], "child": ["in", list(pupils)]},
		fields=list(LIST_FIELDS),
		order_by="start_date desc, name desc",
	)
	for row in rows:
		row.needs_action = needs_action(row)
	rows.sort(key=lambda row: not row.needs_action)  # stable: newest first within each
	return rows


def notify(child: str, schools: list[str], values: dict):
	"""Create the Exclusion a school notified, for one of its pupils (else not found, as for another school's
	record). ``values`` are the form's, already checked by the portal action; the school is the pupil's own.

	The virtual school head is told by this very insert (the standard Notification), and so is the social
	worker when the child has a desk user for one: both dates are set to today, which the rule checks read."""
	if child not in portal.pupil_names(schools):  # on roll at one of the schools, looked after today
		portal.not_found("Child", child)
	school, social_worker_user = frappe.db.get_value("Child", child, ["current_school", "social_worker_user"])
	if frappe.db.exists(
		"Exclusion",
		{
			"child": child,
			"school": school,
			"exclusion_type": values["exclusion_type"],
			"start_date": values["start_date"],
		},
	):
		frappe.throw(
			_("This {0} from {1} has already been notified.").format(
				_(values["exclusion_type"]).lower(), frappe.utils.formatdate(values["start_date"])
			),
			title=_("Already Notified"),
		)
	doc = frappe.get_doc(
		{
			"doctype": "Exclusion",
			"child": child,
			"school": school,
			"exclusion_type": values["exclusion_type"],
			"start_date": getdate(values["start_date"]),
			"school_days": values["school_days"] if values["exclusion_type"] == SUSPENSION else 0,
			"reason": values["reason"],
			"description": values["description"],
			"notice_date": values.get("notice_date"),
			"misses_public_examination": 1 if values.get("misses_public_examination") else 0,
			"examination_date": values.get("examination_date"),
			"vsh_told_on": today(),
			"social_worker_told_on": today() if social_worker_user else None,
		}
	)
	# The school user has no desk permission on Exclusion: the scope check above is the permission.
	doc.insert(ignore_permissions=True)
	return doc
