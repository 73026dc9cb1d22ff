"""Does a school have an active designated teacher who has trained recently? One school, one date.

The law:

- Children and Young Persons Act 2008 **s20(1)**: the governing body of a maintained school must designate a
  member of staff to promote the educational achievement of its looked-after pupils; **s20(2)**: it must
  ensure that person undertakes appropriate training; **s20A** does the same for previously looked-after
  pupils (academies carry the duty through their funding agreements, Academies Act 2010).
- The Designated Teacher (Looked After Pupils etc) (England) Regulations 2009 (SI 2009/1538) **reg 3**: the
  designated teacher must be a qualified teacher working as a teacher at the school, having completed
  induction where required (reg 3(2)), or the head teacher or acting head teacher (reg 3(3)).
- DfE statutory guidance "The designated teacher for looked-after and previously looked-after children"
  (February 2018), issued under s20(4) and s20A(4).

No statute sets how recent the training must be. ``TRAINING_VALID_FOR_YEARS`` is the council's local rule
written in issue #23 item 4 ("trained in the last two years"). Any training counts (induction, the virtual
school's own, another provider's); a training dated after the day checked (a course booked) does not.

The app records the designation as a School Contact whose role is "Designated Teacher" (a head who is also
the designated teacher is recorded with that role and ``teacher_status`` "Headteacher"). Whether a contact is
active, and so whether a school's designation is current, is today's flag: the record keeps no history of
it. This module imports nothing from Frappe.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

__all__ = [
	"HEADTEACHER",
	"INACTIVE",
	"NEITHER",
	"NOT_ELIGIBLE",
	"NOT_TRAINED",
	"NO_DESIGNATED_TEACHER",
	"OK",
	"QUALIFIED_TEACHER",
	"SEVERITY",
	"STATUSES",
	"TRAINING_VALID_FOR_YEARS",
	"Check",
	"Contact",
	"check",
	"training_counts_from",
]

# Local rule (issue #23 item 4), not statute: a training counts for two years, up to the day before its
# second anniversary.
TRAINING_VALID_FOR_YEARS = 2

# School Contact.teacher_status options (school_contact.json); empty: not recorded
QUALIFIED_TEACHER = "Qualified teacher"  # SI 2009/1538 reg 3(2)
HEADTEACHER = "Headteacher or acting head"  # reg 3(3)
NEITHER = "Neither"  # recorded as neither: the designation does not meet reg 3

# The check's statuses, worst first (the report lists problems in this order)
NO_DESIGNATED_TEACHER = "No designated teacher"
INACTIVE = "Designated teacher inactive"
NOT_ELIGIBLE = "Designated teacher not a qualified teacher or the head"
NOT_TRAINED = "Designated teacher not trained in the last 2 years"
OK = "OK"
STATUSES = (NO_DESIGNATED_TEACHER, INACTIVE, NOT_ELIGIBLE, NOT_TRAINED, OK)
SEVERITY = {status: rank for rank, status in enumerate(STATUSES)}


@dataclass(frozen=True)
class Contact:
	"""One of the school's contacts, as the check needs it."""

	name: str
	is_designated_teacher: bool
	is_active: bool
	teacher_status: str | None = None
	trainings: tuple[date, ...] = ()


@dataclass(frozen=True)
class Check:
	"""The school's status; the designated teacher it is about (None when there is none) and the last day
	they trained on or before the day checked."""

	status: str
	contact: Contact | None = None
	last_trained: date | None = None

	@property
	def ok(self) -> bool:
		return self.status == OK


def training_counts_from(on_date: date) -> date:
	"""The earliest training date that still counts on ``on_date``: the day after the same date
	``TRAINING_VALID_FOR_YEARS`` years before (29 February: 1 March)."""
	year = on_date.year - TRAINING_VALID_FOR_YEARS
	try:
		anniversary = on_date.replace(year=year)
	except ValueError:  # 29 February in a year that is not a leap year
		return date(year, 3, 1)
	return date.fromordinal(anniversary.toordinal() + 1)


def _last_trained(contact: Contact, on_date: date) -> date | None:
	return max((day for day in contact.trainings if day <= on_date), default=None)


def check(contacts: Iterable[Contact], on_date: date) -> Check:
	"""The school's designated-teacher status on ``on_date`` from all of its contacts.

	No contact designated: ``NO_DESIGNATED_TEACHER``; designated contacts but none active: ``INACTIVE``.
	Of the active ones the best is judged (eligible before not, trained in the window before not, the latest
	training first): recorded as neither a qualified teacher nor the head: ``NOT_ELIGIBLE`` (not recorded
	is not flagged: the school, not the virtual school, holds the evidence); no training from
	``training_counts_from(on_date)`` to ``on_date``: ``NOT_TRAINED``; else ``OK``.
	"""
	designated = [contact for contact in contacts if contact.is_designated_teacher]
	if not designated:
		return Check(NO_DESIGNATED_TEACHER)
	counts_from = training_counts_from(on_date)

	def rank(contact: Contact):
		last = _last_trained(contact, on_date)
		eligible = contact.teacher_status != NEITHER
		return (eligible, last is not None and last >= counts_from, last or date.min, contact.name)

	active = [contact for contact in designated if contact.is_active]
	if not active:
		best = max(designated, key=rank)
		return Check(INACTIVE, best, _last_trained(best, on_date))
	best = max(active, key=rank)
	eligible, trained, _last, _name = rank(best)
	last = _last_trained(best, on_date)
	if not eligible:
		return Check(NOT_ELIGIBLE, best, last)
	if not trained:
		return Check(NOT_TRAINED, best, last)
	return Check(OK, best, last)
