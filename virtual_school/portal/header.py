"""The school portal's header on every page, and the message after an action (issue #21 item 5).

Every portal page shows whose portal it is (the council's virtual school and its logo, from Virtual School
Settings: ``portal.branding``) and which school the user acts for. The header is added by the portal's
renderer (``renderer.SchoolPortalPage``) to each page's content block, rendered autoescaped like the page
itself, so no page template repeats it and no page script carries its data.

A school's action (an offer, a refusal, a PEP saved or sent, a PP+ request, an impact report) ends with the
page reloading. The action says what it did (``confirm``); the next portal page this session renders shows it
once, above the page, as a status message. It is kept in the cache per session for a few minutes.
"""

import frappe
from frappe import _

from virtual_school.portal import branding
from virtual_school.shared import settings

TEMPLATE = "virtual_school/templates/includes/school_portal_header.html"
MESSAGE_KEY = "virtual_school:portal_message"
MESSAGE_SECONDS = 300


def _message_key() -> str:
	return f"{MESSAGE_KEY}:{frappe.session.sid or frappe.session.user}"


def confirm(message: str) -> None:
	"""After a portal action succeeded: the message the next page of this session shows."""
	frappe.cache.set_value(_message_key(), message, expires_in_sec=MESSAGE_SECONDS)


def take_message() -> str | None:
	"""The session's pending message, shown once."""
	key = _message_key()
	message = frappe.cache.get_value(key, expires=True)  # never from the request-local cache
	if message:
		frappe.cache.delete_value(key)
	return message


def render(environment, context) -> str:
	"""The header for a signed-in school user's page (pages that ran ``pages.page_context``); else nothing."""
	school_names = context.get("school_names")
	if not school_names:
		return ""
	values = settings.get()
	return environment.get_template(TEMPLATE).render(
		portal_name=branding.portal_name(values),
		logo=values.portal_logo or None,  # a public file: Settings refuse any other (branding.validate_logo)
		school_label=_("School") if len(school_names) == 1 else _("Schools"),
		school_names=school_names,
		message=take_message(),
		_=_,
	)
