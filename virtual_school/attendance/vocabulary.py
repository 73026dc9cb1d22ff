"""Attendance words and questions, spelled once: record sources, the cohorts the daily flags watch, and the
persistent / severe absence tests as query conditions.

The thresholds are the rule's (``virtual_school.domain.attendance``: 10% and 50% of possible sessions
missed); the criteria here are their only SQL spelling, used by the daily flags, the annual report and the
attendance reports. A vocabulary module imports frappe and ``domain/`` only.
"""

from virtual_school.children.vocabulary import LOOKED_AFTER
from virtual_school.domain import attendance as rules

# Attendance Record.source options (attendance_record.json)
DESK_ENTRY = "Desk entry"
DESK_IMPORT = "Desk import"
PORTAL_UPLOAD = "Portal upload"
SOURCES = (DESK_ENTRY, DESK_IMPORT, PORTAL_UPLOAD)
# casework: the daily flags escalate these cohorts; other cohorts are watched in the reports only
FLAGGED_COHORTS = (LOOKED_AFTER,)
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
