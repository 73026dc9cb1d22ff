"""Attendance words and questions, spelled once: record sources, the cohorts the daily flags watch, the
persistent / severe absence tests and "an Exclusion covers these suspension sessions" as query conditions.

The thresholds are the rule's (``virtual_school.domain.attendance``: 10% and 50% of possible sessions
missed); the criteria here are their only SQL spelling, used by the daily flags, the annual report and the
attendance reports. A vocabulary module imports frappe and ``domain/`` only.
"""

from datetime import date

from pypika import Query, Table
from pypika.enums import Dialects
from pypika.terms import Case, ExistsCriterion, Interval

from virtual_school.children.vocabulary import looked_after_on
from virtual_school.domain import attendance as rules
from virtual_school.exclusions.vocabulary import PERMANENT

# Attendance Record.source options (attendance_record.json)
DESK_ENTRY = "Desk entry"
DESK_IMPORT = "Desk import"
PORTAL_UPLOAD = "Portal upload"
SOURCES = (DESK_ENTRY, DESK_IMPORT, PORTAL_UPLOAD)
MIN_SESSIONS_TO_FLAG = 20  # two school weeks: one sick day in week one is not persistent absence


def missed_at_least(possible, attended, percent: int):
	"""qb criterion: some sessions were possible and ``percent``% or more of them were missed (exact integer
	arithmetic, as ``rules.absence_band``: a pupil who missed exactly the threshold is in the band).
	``possible`` and ``attended`` are qb terms (fields, sums)."""
	return (possible > 0) & ((possible - attended) * 100 >= possible * percent)


def persistently_absent(possible, attended):
	"""qb criterion: ``rules.absence_band`` is PERSISTENT or SEVERE (10% or more missed)."""
	return missed_at_least(possible, attended, rules.PERSISTENT_ABSENCE_PERCENT)


def severely_absent(possible, attended):
	"""qb criterion: ``rules.absence_band`` is SEVERE (50% or more missed)."""
	return missed_at_least(possible, attended, rules.SEVERE_ABSENCE_PERCENT)


def flagged(child_table, on_date):
	"""qb criterion: the children the daily flags escalate (casework): looked after by this council on the day
	(``children.vocabulary.looked_after_on``: not a child who left care or turned 18 and keeps the cohort);
	other cohorts are watched in the reports only."""
	return looked_after_on(child_table, on_date)


class Exists(ExistsCriterion):
	"""pypika's EXISTS, with its subquery in brackets wherever it is written (``to_sql`` of a condition alone
	would print ``EXISTS SELECT …``)."""

	def get_sql(self, **kwargs):
		return super().get_sql(**{**kwargs, "subquery": True})


def matching_exclusion(record, term_starts: dict[str, date]):
	"""qb criterion on an Attendance Record ``record`` (a table or alias): an Exclusion of the same child at the
	same school accounts for its suspension sessions (issue #23 item 5). It began on or before the week's
	Friday and either in the same term (on or after the first day of the record's ``term``: ``term_starts``,
	by term name, for the record's academic year) or it is a permanent exclusion (the pupil stays on roll,
	sessions coded E, until the governing board has considered it). A school that codes sessions as
	suspension without having notified the exclusion is what the flag finds: an exclusion the virtual school
	was not told of, or an informal one."""
	exclusion = Table("tabExclusion").as_("e")
	term_start = Case()
	for term, first_day in term_starts.items():
		term_start = term_start.when(record.term == term, first_day)
	term_start = term_start.else_(min(term_starts.values()))
	friday = record.week_starting + Interval(days=4, dialect=Dialects.MYSQL)
	return Exists(
		Query.from_(exclusion)
		.select(1)
		.where(
			(exclusion.child == record.child)
			& (exclusion.school == record.school)
			& (exclusion.start_date <= friday)
			& ((exclusion.exclusion_type == PERMANENT) | (exclusion.start_date >= term_start))
		)
	)
