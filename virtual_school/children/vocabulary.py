"""The words the app uses about a child, spelled once: cohorts, status and the key stages outside school age.

Query conditions built from them (on roll on a date, of school age, looked after on a date) live here too,
so a report, a job and the portal ask the same question the same way.
"""

from datetime import date, datetime

from pypika.enums import Dialects
from pypika.terms import Case, Interval

# Child.cohort options (child.json)
LOOKED_AFTER = "Looked After"
PREVIOUSLY_LOOKED_AFTER = "Previously Looked After"
CHILD_WITH_A_SOCIAL_WORKER = "Child with a Social Worker"
KINSHIP_CARE = "Kinship Care"
COHORTS = (LOOKED_AFTER, PREVIOUSLY_LOOKED_AFTER, CHILD_WITH_A_SOCIAL_WORKER, KINSHIP_CARE)

# Child Status History.state for a change of care status (the workflow's states fill the rest of the table)
LEFT_CARE = "Left care"  # no longer looked after: returned home, another reason, or the 18th birthday
# the history row's reason when the 18th birthday ends the cohort (Children Act 1989 s105(1))
EIGHTEENTH_BIRTHDAY = "18th birthday"

# Child.status
ACTIVE = "Active"
CLOSED = "Closed"

# Child.key_stage values outside compulsory school age (domain.school_days.key_stage_for)
EARLY_YEARS = "Early years"  # under 4 on the 31 August before the academic year
POST_18 = "Post-18"
NOT_OF_SCHOOL_AGE = (EARLY_YEARS, POST_18)


# --- query conditions (frappe.qb criteria for a table or alias) -------------------------------------------


def on_roll_on(placement_table, on_date):
	"""qb criterion: the Education Placement (``frappe.qb.DocType("Education Placement")`` or an alias) is on
	roll on ``on_date`` (a date or a qb term): started on or before it, and open-ended or ending on or after it.

	The Python form is ``is_on_roll_on``; the tier-2 test checks that both give the same answer on the edge days.
	"""
	return (placement_table.start_date <= on_date) & (
		placement_table.end_date.isnull() | (placement_table.end_date >= on_date)
	)


def on_roll_during(placement_table, first_day, last_day):
	"""qb criterion: the placement is on roll on at least one day from ``first_day`` to ``last_day``."""
	return (placement_table.start_date <= last_day) & (
		placement_table.end_date.isnull() | (placement_table.end_date >= first_day)
	)


def is_on_roll_on(start_date, end_date, on_date) -> bool:
	"""The same rule as ``on_roll_on`` for one placement's dates (``end_date`` None: open-ended)."""
	return start_date <= on_date and (end_date is None or end_date >= on_date)


def of_school_age(child_table):
	"""qb criterion: the Child (``frappe.qb.DocType("Child")`` or an alias) is of compulsory school age by
	key stage (Reception to Year 13: not early years, not post-18)."""
	return child_table.key_stage.notin(NOT_OF_SCHOOL_AGE)


def is_of_school_age(key_stage: str | None) -> bool:
	"""The same rule as ``of_school_age`` for one child's key stage: a child without a key stage (no date of
	birth yet) is not counted, as SQL's ``not in`` leaves NULL out."""
	return key_stage is not None and key_stage not in NOT_OF_SCHOOL_AGE


def eighteen_years_before(on_date: date) -> date:
	"""The latest date of birth of a child who is 18 on ``on_date`` (a 29 February birth turns 18 on 1 March
	in a year that is not a leap year, as ``domain.cohorts.eighteenth_birthday`` counts)."""
	try:
		return on_date.replace(year=on_date.year - 18)
	except ValueError:  # on_date is 29 February; 18 years before is not a leap year
		return date(on_date.year - 18, 2, 28)


def looked_after_on(child_table, on_date):
	"""qb criterion: the Child (``frappe.qb.DocType("Child")`` or an alias) was looked after on ``on_date``
	(a Python date, or a qb date term such as another table's column, for "looked after on the day of each
	row": the 18 years are then MariaDB's ``- interval 18 year``, which also takes 29 February to 28
	February): in the Looked After cohort, or having left care since (any cohort), entered care by the
	day (or no date recorded), not yet left (``date_left_care`` is the first day not looked after, the SSDA903
	DEC) and under 18 (STATUTORY.md section 11; ``domain.cohorts``). The Python form is ``is_looked_after_on``.
	"""
	return (
		((child_table.cohort == LOOKED_AFTER) | child_table.date_left_care.notnull())
		& (child_table.date_entered_care.isnull() | (child_table.date_entered_care <= on_date))
		& (child_table.date_left_care.isnull() | (child_table.date_left_care > on_date))
		& (child_table.date_of_birth > _eighteen_years_before_term(on_date))
	)


def _eighteen_years_before_term(on_date):
	if isinstance(on_date, date):
		return eighteen_years_before(on_date)
	return on_date - Interval(years=18, dialect=Dialects.MYSQL)


def is_looked_after_on(cohort, date_of_birth, date_entered_care, date_left_care, on_date: date) -> bool:
	"""The same rule as ``looked_after_on`` for one child's values (dates or None)."""
	return (
		(cohort == LOOKED_AFTER or date_left_care is not None)
		and (date_entered_care is None or date_entered_care <= on_date)
		and (date_left_care is None or date_left_care > on_date)
		and date_of_birth is not None
		and date_of_birth > eighteen_years_before(on_date)
	)


# the Child fields ``child_looked_after_on`` reads
LOOKED_AFTER_FIELDS = ("cohort", "date_of_birth", "date_entered_care", "date_left_care")


def _day(value) -> date | None:
	"""A stored date as ``date``: a ``date`` (a ``datetime`` loses its time), an ISO string, or None."""
	if not value:
		return None
	if isinstance(value, datetime):
		return value.date()
	if isinstance(value, date):
		return value
	return date.fromisoformat(str(value)[:10])


def child_looked_after_on(child, on_date) -> bool:
	"""``is_looked_after_on`` for a Child row read with ``LOOKED_AFTER_FIELDS`` (a mapping; dates as stored)."""
	return is_looked_after_on(
		child.get("cohort"),
		_day(child.get("date_of_birth")),
		_day(child.get("date_entered_care")),
		_day(child.get("date_left_care")),
		_day(on_date),
	)


def in_cohort_on(child_table, cohort: str, on_date: date):
	"""qb criterion: the Child was in ``cohort`` on ``on_date`` as the reports count it: "Looked After" is
	``looked_after_on`` (not the stored cohort: a child who left care or turned 18 keeps it); any other
	cohort is the stored one, once the child is no longer looked after (an adopted child's leaving date
	after ``on_date`` still counts them as looked after that day). ValueError for an unknown cohort, so a
	report's filter is checked before it reaches SQL."""
	if cohort not in COHORTS:
		raise ValueError(f"not a cohort: {cohort!r}")
	if cohort == LOOKED_AFTER:
		return looked_after_on(child_table, on_date)
	return (child_table.cohort == cohort) & (
		child_table.date_left_care.isnull() | (child_table.date_left_care <= on_date)
	)


def cohort_on(child_table, on_date: date):
	"""qb term: the child's cohort on ``on_date`` for grouping (the grouped twin of ``in_cohort_on``):
	Looked After when ``looked_after_on``; ``LEFT_CARE`` for a child of the Looked After cohort who is not
	(left care, turned 18, or not yet in care on that day); else the stored cohort."""
	return (
		Case()
		.when(looked_after_on(child_table, on_date), LOOKED_AFTER)
		.when(child_table.cohort == LOOKED_AFTER, LEFT_CARE)
		.else_(child_table.cohort)
	)


def without_a_school_place(child_table):
	"""qb criterion: "without a school place", the one definition (issue #21) that the workspace card, the
	*Children Without a School Place* report, the *Cohort Overview* and the annual report count: an active
	case, of school age (``of_school_age``: Reception to Year 13), with no current school (empty or NULL:
	a form that cleared the link stores ''). Combine with ``in_cohort_on`` / ``looked_after_on`` for a
	cohort; ``looked_after_without_a_school_place`` is the headline figure."""
	return (
		(child_table.status == ACTIVE)
		& (child_table.current_school.isnull() | (child_table.current_school == ""))
		& of_school_age(child_table)
	)


def looked_after_without_a_school_place(child_table, on_date: date):
	"""qb criterion: the headline "without a school place" figure: looked after on ``on_date`` and
	``without_a_school_place``."""
	return looked_after_on(child_table, on_date) & without_a_school_place(child_table)


def is_without_a_school_place(status, current_school, key_stage) -> bool:
	"""The same rule as ``without_a_school_place`` for one child's values."""
	return status == ACTIVE and not current_school and is_of_school_age(key_stage)


def to_sql(criterion) -> str:
	"""A criterion as MariaDB SQL text, for the few queries that stay raw SQL (window functions, derived
	tables): they embed the one spelling instead of retyping it."""
	return criterion.get_sql(quote_char="`")


# Education Placement.attendance_basis: the placement that is the child's school (others are part-time
# or alternative provision alongside it)
FULL_TIME = "Full time"
