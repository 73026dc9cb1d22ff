"""Who a generated document is from and about: the authority, a school addressee, the pupil by initials.

Shared by every letter and export (place requests, PP+ decisions and remittances, PEPs).
"""

import frappe
from frappe import _
from frappe.utils import getdate, today

from virtual_school.children.vocabulary import LOOKED_AFTER, child_looked_after_on
from virtual_school.domain import letters


def authority() -> letters.Authority:
	"""The sender, from Virtual School Settings."""
	settings = frappe.get_cached_doc("Virtual School Settings")
	return letters.Authority(
		name=settings.authority_name,
		virtual_school_name=settings.virtual_school_name or _("Virtual School"),
		signatory=settings.letter_signatory or settings.authority_name,
		signatory_title=settings.letter_signatory_title or _("Virtual School Head"),
		# how to reply, on every letter's letterhead (issue #18 item 8)
		address_lines=letters.address_lines(settings.reply_address),
		email=settings.reply_email or "",
		telephone=settings.reply_telephone or "",
	)


def addressee(school: str) -> letters.SchoolAddressee:
	row = frappe.db.get_value(
		"School", school, ["school_name", "headteacher", "street", "town", "postcode", "name"], as_dict=True
	)
	return letters.SchoolAddressee(
		name=row.school_name,
		headteacher=row.headteacher or "",
		street=row.street or "",
		town=row.town or "",
		postcode=row.postcode or "",
		urn=row.name,
	)


def pupil(child: str, reference: str, on_date=None) -> letters.PupilDetails:
	"""What a document may say about the child: initials, never the name (which is withheld from free text),
	and the cohort as on ``on_date`` (today), so a letter calls the child looked after only while they are
	(``children.vocabulary.is_looked_after_on``, issue #18 item 1)."""
	row = frappe.db.get_value(
		"Child",
		child,
		[
			"first_name",
			"last_name",
			"date_of_birth",
			"year_group",
			"upn",
			"cohort",
			"date_entered_care",
			"date_left_care",
		],
		as_dict=True,
	)
	looked_after = child_looked_after_on(row, on_date or today())
	return letters.PupilDetails(
		cohort=row.cohort or LOOKED_AFTER,
		looked_after=looked_after,
		initials=letters.child_initials(row.first_name, row.last_name),
		date_of_birth=getdate(row.date_of_birth),
		year_group=row.year_group or "",
		upn=row.upn or "",
		reference=reference,
		withheld_names=(row.first_name, row.last_name),
	)


def initials_of(child: str) -> str:
	first_name, last_name = frappe.db.get_value("Child", child, ["first_name", "last_name"])
	return letters.child_initials(first_name, last_name)
