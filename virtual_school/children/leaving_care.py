"""Leaving care on the site: the cohort change, its history, the 18th-birthday job and the PP+ refusal.

The rule is ``virtual_school.domain.cohorts`` (STATUTORY.md section 11): a child stops being looked after when
the last episode of care ceases. REC E11, E12, E41 and E43-E48 make the child *previously looked after*; any
other reason (E4A/E4B return home, E3, E13, ...) and the 18th birthday (Children Act 1989 s105(1)) end the
looked-after cohort on that date. ``Child.date_left_care`` holds that date (the SSDA903 DEC: the first day not
looked after); ``children.vocabulary.looked_after_on`` reads it, so reports, PEP obligations and PP+ stop
counting the child from that day, while earlier dates still count them. Each change is a row of the Child's
status history (state, cohort, effective date, reason).
"""

from datetime import date

import frappe
from frappe import _
from frappe.query_builder.functions import Max
from frappe.utils import formatdate, getdate, now_datetime, today

from virtual_school.children.vocabulary import (
	EIGHTEENTH_BIRTHDAY,
	LEFT_CARE,
	LOOKED_AFTER,
	PREVIOUSLY_LOOKED_AFTER,
	eighteen_years_before,
)
from virtual_school.domain import cohorts, ssda903

HISTORY = "Child Status History"


def apply_episodes(doc, episodes, date_of_birth, on_date: date | None = None) -> None:
	"""Set the cohort and ``date_left_care`` of ``doc`` (a Child) from its care episodes (``cohorts`` rules).

	Left care on or before ``on_date``: ``date_left_care`` is the day (``cohorts.left_care_on``: the DEC, or
	the 18th birthday if earlier) and the cohort becomes Previously Looked After for an adoption, SGO or
	child arrangements order reason (``cohorts.care_cohort_on`` on that day); otherwise the cohort stays, as
	the child's last cohort. Back in care on ``on_date``: Looked After, no leaving date. The history row is
	written by the Child's validate (``history_row``), with the episode's reason.
	"""
	on_date = getdate(on_date or today())
	date_of_birth = getdate(date_of_birth)
	episodes = list(episodes)
	if not episodes:
		return
	if cohorts.care_cohort_on(on_date, episodes, date_of_birth) == cohorts.Cohort.LOOKED_AFTER:
		doc.cohort, doc.date_left_care = LOOKED_AFTER, None
		return
	left = cohorts.left_care_on(episodes, date_of_birth)
	if left is None or left > on_date:
		return  # an X1 ending with no episode after it: the period of care goes on, as far as we know
	doc.date_left_care = left
	died = ssda903.date_of_death(episodes)
	if died is not None and not doc.get("date_of_death"):
		doc.date_of_death = died  # REC E2: the retention rule on death follows (governance.retention)
	if cohorts.care_cohort_on(left, episodes, date_of_birth) == cohorts.Cohort.PREVIOUSLY_LOOKED_AFTER:
		doc.cohort = PREVIOUSLY_LOOKED_AFTER
	latest = max(episodes, key=lambda episode: (episode.start, episode.end or date.max))
	birthday = cohorts.eighteenth_birthday(date_of_birth)
	doc.flags.left_care_reason = (
		EIGHTEENTH_BIRTHDAY if left == birthday and (latest.end is None or latest.end >= birthday) else None
	) or _("SSDA903 reason episode ceased: {0}").format(latest.reason_ceased or _("not given"))


def history_row(doc, before) -> dict | None:
	"""The status-history row for a change of cohort or of the date the child left care, else None.

	Called from the Child's validate, so an import, a job that saves the Child and an edit by hand all
	leave the same history.
	"""
	left = getdate(doc.date_left_care) if doc.date_left_care else None
	left_before = getdate(before.date_left_care) if before and before.date_left_care else None
	cohort_before = before.cohort if before else None
	if left == left_before and (doc.cohort == cohort_before or before is None):
		return None
	if left is not None and (left != left_before or doc.cohort != cohort_before):
		state = PREVIOUSLY_LOOKED_AFTER if doc.cohort == PREVIOUSLY_LOOKED_AFTER else LEFT_CARE
		reason = doc.flags.left_care_reason or _("Recorded on the child's record")
		effective = left
	else:  # back in care, or a cohort changed by hand
		reason = _("Back in care") if left_before is not None else _("Cohort changed")
		state, effective = doc.cohort, getdate(today())
	return {
		"state": state,
		"cohort": doc.cohort,
		"effective_on": effective,
		"reason": reason,
		"changed_on": now_datetime(),
		"changed_by": frappe.session.user,
	}


def end_care_at_eighteen(on_date: date | str | None = None) -> list[str]:
	"""Daily: every child still looked after who is 18 on ``on_date`` leaves care on the 18th birthday.

	Set-based: one read, one UPDATE per birthday and one multi-row insert of history rows; idempotent (a
	child with a leaving date is not read again). Returns the children changed.
	"""
	on_date = getdate(on_date or today())
	child = frappe.qb.DocType("Child")
	rows = (
		frappe.qb.from_(child)
		.select(child.name, child.date_of_birth)
		.where(
			(child.cohort == LOOKED_AFTER)
			& child.date_left_care.isnull()
			& (child.date_of_birth <= eighteen_years_before(on_date))
		)
		.for_update()  # a second worker waits, then reads the leaving dates the first one set
		.run(as_dict=True)
	)
	if not rows:
		return []
	by_birthday: dict[date, list[str]] = {}
	for row in rows:
		by_birthday.setdefault(cohorts.eighteenth_birthday(getdate(row.date_of_birth)), []).append(row.name)
	now, user = now_datetime(), frappe.session.user
	for birthday, names in by_birthday.items():
		(
			frappe.qb.update(child)
			.set(child.date_left_care, birthday)
			.set(child.modified, now)
			.set(child.modified_by, user)
			.where(child.name.isin(names) & child.date_left_care.isnull())
			.run()
		)
	names = [row.name for row in rows]
	history = frappe.qb.DocType(HISTORY)
	last_idx = dict(
		frappe.qb.from_(history)
		.select(history.parent, Max(history.idx))
		.where(
			(history.parenttype == "Child")
			& (history.parentfield == "status_history")
			& history.parent.isin(names)
		)
		.groupby(history.parent)
		.run()
	)
	fields = [
		"name",
		"parent",
		"parenttype",
		"parentfield",
		"idx",
		"state",
		"cohort",
		"effective_on",
		"reason",
		"changed_on",
		"changed_by",
		"owner",
		"modified_by",
		"creation",
		"modified",
	]
	values = [
		(
			frappe.generate_hash(length=10),
			name,
			"Child",
			"status_history",
			int(last_idx.get(name) or 0) + 1,
			LEFT_CARE,
			LOOKED_AFTER,
			birthday,
			EIGHTEENTH_BIRTHDAY,
			now,
			user,
			user,
			user,
			now,
			now,
		)
		for birthday, group in by_birthday.items()
		for name in group
	]
	frappe.db.bulk_insert(HISTORY, fields, values)
	return names


def left_care_refusal(child: str, on_date: date | None = None) -> str | None:
	"""Why a new PP+ claim (or allocation) for ``child`` is refused on ``on_date``, or None: the child left
	care on or before the day (by the record, or turned 18 before the daily job ran)."""
	on_date = getdate(on_date or today())
	values = frappe.db.get_value(
		"Child", child, ["full_name", "date_left_care", "date_of_birth"], as_dict=True
	)
	if not values:
		return None
	left = getdate(values.date_left_care) if values.date_left_care else None
	if values.date_of_birth:
		birthday = cohorts.eighteenth_birthday(getdate(values.date_of_birth))
		left = min(left, birthday) if left else birthday
	if left is None or left > on_date:
		return None
	return _(
		"{0} left care on {1}: from that day the virtual school makes no Pupil Premium Plus allocation "
		"and takes no new claim for them."
	).format(values.full_name or child, formatdate(left))
