"""How long each record is kept, and the day its retention period ends (issue #22, STATUTORY.md section 11).

**Looked-after children's case records** (statutory): the Care Planning, Placement and Case Review (England)
Regulations 2010 (SI 2010/959) reg 50: the responsible authority retains C's case record "until the
seventy-fifth anniversary of the date of birth of C or, if C dies before attaining the age of 18, for a
period of 15 years beginning with the date of C's death" (STATUTORY.md section 11: "kept until the 75th
birthday (or 15 years after death before 18): CPPCR 2010 reg 50"). A child who was ever looked after by
this council keeps that rule whatever their cohort is now (an adopted child's case record is still a case
record under reg 50): ``retention_cohort``.

**Other cohorts** (previously looked-after, child with a social worker, kinship): no statute fixes a period;
STATUTORY.md: "Children in need records follow the council's own schedule (e.g. to age 30, or 18 + 3
years)". The shipped default is the 18th birthday + 7 years, marked *local: confirm with your records
manager*. **School contacts and portal users**: while active + 1 year; **import source files**: 90 days
after the import; **access logs**: 2 years after they were written (local defaults, data minimisation under
UK GDPR Art 5(1)(e)).

Two bases, each with its anchor:

- ``Basis.AGE``: from the date of birth: the ``age_years`` birthday, plus ``period_years`` and
  ``period_days``; optionally replaced by ``years_after_death`` "beginning with the date of death" when the
  person died before the ``died_before_age`` birthday (reg 50's second limb);
- ``Basis.LAST_ACTIVITY``: the last activity date (contact made inactive, file imported, log written) plus
  the period.

``retention_end`` is the **last day the record is kept**; it is past retention from the next day. A period
"beginning with" a day ends the day before the same date N years on (reg 50's 15 years), and "until the 75th
anniversary" keeps the record on that day. Birthdays of 29 February fall on 1 March in other years (as
``cohorts.eighteenth_birthday``): the later day, so rounding never shortens a statutory period. A record
with no date of birth (Age basis) or no activity date has no end: it is never listed for disposal.

This module imports nothing from Frappe.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from virtual_school.domain.cohorts import Cohort
from virtual_school.domain.school_days import _as_date

__all__ = [
	"DEFAULT_RULES",
	"LOCAL_NOTE",
	"Authority",
	"Basis",
	"RecordKind",
	"RetentionRule",
	"anniversary",
	"is_past_retention",
	"latest_anchor_past_retention",
	"retention_cohort",
	"retention_end",
	"rule_problems",
]


class Basis(str, Enum):
	AGE = "Age"
	LAST_ACTIVITY = "Last Activity"

	def __str__(self) -> str:
		return self.value


class RecordKind(str, Enum):
	"""What a Retention Rule applies to (the Retention Rule's ``record_kind`` options)."""

	CHILD_CASE_RECORD = "Child Case Record"
	SCHOOL_CONTACT = "School Contact"
	IMPORT_SOURCE_FILE = "Import Source File"
	ACCESS_LOG = "Access Log"

	def __str__(self) -> str:
		return self.value


class Authority(str, Enum):
	STATUTORY = "Statutory"
	LOCAL = "Local"

	def __str__(self) -> str:
		return self.value


# Each kind's anchor is fixed: a child's case record counts from the date of birth, the others from their
# last activity (a contact made inactive, a file imported, a log written).
KIND_BASIS = {
	RecordKind.CHILD_CASE_RECORD: Basis.AGE,
	RecordKind.SCHOOL_CONTACT: Basis.LAST_ACTIVITY,
	RecordKind.IMPORT_SOURCE_FILE: Basis.LAST_ACTIVITY,
	RecordKind.ACCESS_LOG: Basis.LAST_ACTIVITY,
}

LOCAL_NOTE = "local: confirm with your records manager"


@dataclass(frozen=True)
class RetentionRule:
	record_kind: RecordKind
	basis: Basis
	age_years: int = 0  # Age basis: the birthday the period counts from
	period_years: int = 0
	period_days: int = 0
	years_after_death: int = 0  # Age basis: 0 = no rule on death
	died_before_age: int = 0  # the death rule applies when death came before this birthday
	cohort: Cohort | None = None  # Child Case Record rules are per cohort
	authority: Authority = Authority.LOCAL
	rule_name: str = ""
	source: str = ""
	notes: str = ""


def anniversary(day: date, years: int) -> date:
	"""The same day and month ``years`` on; 29 February becomes 1 March in a year that is not a leap year."""
	day = _as_date(day)
	try:
		return day.replace(year=day.year + years)
	except ValueError:  # 29 February
		return date(day.year + years, 3, 1)


def _after_period(day: date, rule: RetentionRule) -> date:
	return anniversary(day, rule.period_years) + timedelta(days=rule.period_days)


def retention_end(
	rule: RetentionRule,
	*,
	date_of_birth: date | None = None,
	date_of_death: date | None = None,
	last_activity: date | None = None,
) -> date | None:
	"""The last day the record is kept under ``rule``; None when the anchor date is unknown (kept)."""
	if rule.basis == Basis.AGE:
		if not date_of_birth:
			return None
		date_of_birth = _as_date(date_of_birth)
		if (
			date_of_death
			and rule.years_after_death
			and _as_date(date_of_death) < anniversary(date_of_birth, rule.died_before_age)
		):
			# "for a period of 15 years beginning with the date of C's death" (reg 50): its last day
			return anniversary(_as_date(date_of_death), rule.years_after_death) - timedelta(days=1)
		return _after_period(anniversary(date_of_birth, rule.age_years), rule)
	if not last_activity:
		return None
	return _after_period(_as_date(last_activity), rule)


def is_past_retention(rule: RetentionRule, on_date: date, **dates) -> bool:
	"""True when ``on_date`` is after the last day the record is kept (the record may be reviewed)."""
	end = retention_end(rule, **dates)
	return end is not None and _as_date(on_date) > end


def latest_anchor_past_retention(rule: RetentionRule, on_date: date) -> date:
	"""The latest anchor date (date of birth or last activity) whose record is past retention on ``on_date``.

	The end is non-decreasing in its anchor, so every anchor on or before this date is past too: queries
	select ``anchor <= latest_anchor_past_retention(...)`` on an index, set-based. The death rule (which
	only ever shortens the period) is not part of it: a death is rare and read per record.
	"""
	on_date = _as_date(on_date)
	if rule.basis == Basis.AGE:

		def end(anchor: date) -> date:
			return _after_period(anniversary(anchor, rule.age_years), rule)
	else:

		def end(anchor: date) -> date:
			return _after_period(anchor, rule)

	years = (rule.age_years if rule.basis == Basis.AGE else 0) + rule.period_years
	guess = on_date - timedelta(days=rule.period_days)
	guess = date(guess.year - years, guess.month, min(guess.day, 28))
	while end(guess) < on_date:
		guess += timedelta(days=1)
	while end(guess) >= on_date:
		guess -= timedelta(days=1)
	return guess


def retention_cohort(cohort: str | None, ever_looked_after: bool) -> Cohort | None:
	"""The cohort whose rule keeps a child's case record: Looked After for anyone this council looked after."""
	if ever_looked_after:
		return Cohort.LOOKED_AFTER
	try:
		return Cohort(cohort)
	except ValueError:
		return None


def rule_problems(rule: RetentionRule) -> list[str]:
	"""What makes a rule unusable (messages in English; the controller translates them)."""
	problems = []
	if rule.basis != KIND_BASIS[rule.record_kind]:
		problems.append(f"A {rule.record_kind} rule counts from the {KIND_BASIS[rule.record_kind]} basis.")
	if rule.record_kind == RecordKind.CHILD_CASE_RECORD and rule.cohort is None:
		problems.append("A Child Case Record rule needs a cohort.")
	if rule.record_kind != RecordKind.CHILD_CASE_RECORD and rule.cohort is not None:
		problems.append("Only a Child Case Record rule has a cohort.")
	if (
		min(rule.age_years, rule.period_years, rule.period_days, rule.years_after_death, rule.died_before_age)
		< 0
	):
		problems.append("Ages and periods cannot be negative.")
	if rule.basis == Basis.LAST_ACTIVITY and not (rule.period_years or rule.period_days):
		problems.append("A Last Activity rule needs a period.")
	if rule.basis == Basis.LAST_ACTIVITY and (rule.age_years or rule.years_after_death):
		problems.append("Ages and the rule on death apply to the Age basis only.")
	if bool(rule.years_after_death) != bool(rule.died_before_age):
		problems.append(
			"The rule on death needs both the years after death and the age before which it applies."
		)
	return problems


REG_50 = (
	"Care Planning, Placement and Case Review (England) Regulations 2010 (SI 2010/959) reg 50: until the 75th "
	"anniversary of the date of birth or, if the child dies before 18, 15 years beginning with the date of death"
)

DEFAULT_RULES: tuple[RetentionRule, ...] = (
	RetentionRule(
		rule_name="Looked-after children's case records",
		record_kind=RecordKind.CHILD_CASE_RECORD,
		cohort=Cohort.LOOKED_AFTER,
		basis=Basis.AGE,
		age_years=75,
		years_after_death=15,
		died_before_age=18,
		authority=Authority.STATUTORY,
		source=REG_50,
		notes="Applies to every child this council looked after, whatever their cohort is now.",
	),
	*(
		RetentionRule(
			rule_name=f"{cohort} case records",
			record_kind=RecordKind.CHILD_CASE_RECORD,
			cohort=cohort,
			basis=Basis.AGE,
			age_years=18,
			period_years=7,
			authority=Authority.LOCAL,
			source="The council's own retention schedule (no statutory period).",
			notes=LOCAL_NOTE,
		)
		for cohort in (Cohort.PREVIOUSLY_LOOKED_AFTER, Cohort.CHILD_WITH_A_SOCIAL_WORKER, Cohort.KINSHIP_CARE)
	),
	RetentionRule(
		rule_name="School contacts and portal users",
		record_kind=RecordKind.SCHOOL_CONTACT,
		basis=Basis.LAST_ACTIVITY,
		period_years=1,
		source="The council's own retention schedule: while the contact is active, then 1 year.",
		notes=LOCAL_NOTE,
	),
	RetentionRule(
		rule_name="Import source files",
		record_kind=RecordKind.IMPORT_SOURCE_FILE,
		basis=Basis.LAST_ACTIVITY,
		period_days=90,
		source="The council's own retention schedule: the records imported are the record; the file is a copy.",
		notes=LOCAL_NOTE,
	),
	RetentionRule(
		rule_name="Access logs",
		record_kind=RecordKind.ACCESS_LOG,
		basis=Basis.LAST_ACTIVITY,
		period_years=2,
		source="The council's own retention schedule: who viewed or exported a record, kept 2 years.",
		notes=LOCAL_NOTE,
	),
)
