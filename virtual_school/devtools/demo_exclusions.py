"""Demo: a suspension notified by a school through the portal (issue #23 item 5).

The first demo portal user's school notifies a suspension of one of its looked-after pupils, through the portal
action a school's browser calls (``portal.actions.notify_exclusion``) signed in as that user: the Exclusion, its
clocks and the notifications to the caseworker, the Virtual School Head and the social worker come from the same
code as on a live site. Run after the social workers are linked to their children, so theirs is told too.
"""

import random

import frappe
from frappe.utils import add_days, getdate, today

from virtual_school.exclusions.portal import pupils_for
from virtual_school.portal import actions, pages

DESCRIPTION = "Refused to hand over a phone and swore at the teacher on duty; left the site at lunchtime."


def notify_from_portal(rng: random.Random, portal_user: str) -> str | None:
	"""One suspension notified by ``portal_user``'s school for one of its pupils; its Exclusion's name, or None
	when the user has no school or the school no looked-after pupil on roll (or it was notified already)."""
	schools = pages.schools_for(portal_user)
	if not schools:
		return None
	pupils = pupils_for(schools)
	if not pupils or frappe.db.exists("Exclusion", {"owner": portal_user}):
		return None
	pupil = rng.choice(pupils)["reference"]
	start = getdate(add_days(today(), -2))
	while start.weekday() > 4:  # a school day
		start = getdate(add_days(start, -1))
	acting = frappe.session.user
	frappe.set_user(portal_user)
	try:
		result = actions.notify_exclusion(
			child=pupil,
			exclusion_type="Suspension",
			start_date=str(start),
			school_days="3",
			reason="Verbal abuse or threatening behaviour against an adult",
			description=DESCRIPTION,
			notice_date=str(start),
		)
	finally:
		frappe.set_user(acting)
	return result["name"]
