"""The council's name and logo on the sign-in page and the school portal (issue #21 item 5).

Frappe's sign-in page says "Login to {app_name}" with the app logo, both read from Website Settings
(``frappe/www/login.py``: ``app_name``, and ``get_app_logo`` reads ``app_logo``); left alone they say "Frappe".
The council sets its names and logo once, in Virtual School Settings; ``sync_website_settings`` copies them to
Website Settings when those Settings change and on every migrate (``setup.install.converge``), so a school's
designated teacher signs in to "Example County Council Virtual School" under the council's logo. The logo must
be a public file: the sign-in page is shown to guests.
"""

import frappe
from frappe import _

from virtual_school.shared import settings

BRANDING_FIELDS = ("authority_name", "virtual_school_name", "portal_logo")


def portal_name(values=None) -> str:
	""" "Example County Council Virtual School": the authority and the virtual school, as a school knows them."""
	values = values or settings.get()
	parts = [(getattr(values, "authority_name", None) or "").strip()]
	parts.append((getattr(values, "virtual_school_name", None) or "").strip())
	return " ".join(part for part in parts if part) or _("Virtual School")


def validate_logo(doc) -> None:
	"""Settings' validate: a logo the sign-in page can show to a guest (a public file)."""
	logo = (doc.get("portal_logo") or "").strip()
	if logo and not logo.startswith("/files/"):
		frappe.throw(
			_("The logo must be a public file: upload it again and tick Public."), title=_("Logo Not Public")
		)


def sync_website_settings(values=None) -> None:
	"""Website Settings' app name and logo from Virtual School Settings (no write when they already agree)."""
	values = values or frappe.get_single("Virtual School Settings")
	wanted = {"app_name": portal_name(values), "app_logo": getattr(values, "portal_logo", None) or None}
	current = frappe.db.get_values_from_single(list(wanted), None, "Website Settings", as_dict=True)[0]
	if all((current.get(field) or None) == (value or None) for field, value in wanted.items()):
		return
	website = frappe.get_single("Website Settings")
	website.update(wanted)
	website.flags.ignore_permissions = True
	website.save()
