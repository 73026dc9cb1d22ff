"""The virtual school's cohorts, and which one a child is in on a date from their care episodes.

Cohorts (the Child record's ``cohort`` options, DOMAIN.md section 1):

- **Looked After**: looked after by this council (Children Act 1989 s22(1)); the VSH's statutory duties
  (s22(3A)): school place, termly PEP, PP+ managed by the virtual school.
- **Previously Looked After**: left care by adoption, a special guardianship order or a child arrangements
  (formerly residence) order (s23ZZA): advice and information; PP+ is paid to the school.
- **Child with a Social Worker** and **Kinship Care**: the non-statutory strategic role (2021, 2024), to be
  a statutory strategic duty when the Children's Wellbeing and Schools Act 2026 s.6 commences.

Leaving care (STATUTORY.md section 11): a child stops being looked after when the last episode of care
ceases (SSDA903 DEC with its REC). Only REC **E11, E12** (adoption), **E41** (residence / child
arrangements order) and **E43-E48** (special guardianship orders; E43 and E44 are the codes used before
E45-E48) make the child *previously looked after*. Any other reason (E4A/E4B return home, E3 care taken over
by another authority, E13, E9 custody, E15/E17 age 18 ...) ends the VSH's duties for the child: no PP+
allocation and no PEP obligation from that date. A "child" is under 18 (Children Act 1989 s105(1)), so
both cohorts end on the 18th birthday.

Dates follow the SSDA903 convention that ``ssda903.ChildRecord.is_looked_after_on`` uses: an episode
covers DECOM <= day < DEC. The DEC is the first day the child is no longer looked after (the date of the
order, or the 18th birthday: DfE validation has DEC at the latest on the 18th birthday), so a child adopted
with DEC 10 March is previously looked after from 10 March. Episodes here are this council's (its SSDA903
return or Care Episode records): a child adopted from another authority's care is previously looked after
too, which only the Child's recorded cohort can say. This module imports nothing from Frappe.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import Enum
from typing import Protocol

from virtual_school.domain.school_days import _as_date

__all__ = [
	"PREVIOUSLY_LOOKED_AFTER_REASONS",
	"SAME_DAY_NEW_EPISODE",
	"CareEpisode",
	"Cohort",
	"care_cohort_on",
	"child_description",
	"eighteenth_birthday",
	"has_admission_priority",
	"left_care_on",
	"school_place_expected_from",
]


class Cohort(str, Enum):
	"""The Child record's cohort options (values are what its Select field stores)."""

	LOOKED_AFTER = "Looked After"
	PREVIOUSLY_LOOKED_AFTER = "Previously Looked After"
	CHILD_WITH_A_SOCIAL_WORKER = "Child with a Social Worker"
	KINSHIP_CARE = "Kinship Care"

	def __str__(self) -> str:
		return self.value


# SSDA903 "reason episode ceased" codes that make a child previously looked after (STATUTORY.md section 11).
PREVIOUSLY_LOOKED_AFTER_REASONS = frozenset({"E11", "E12", "E41", "E43", "E44", "E45", "E46", "E47", "E48"})
# REC X1: the episode ceased and a new one began the same day, so the child did not leave care.
SAME_DAY_NEW_EPISODE = "X1"


class CareEpisode(Protocol):
	"""What this module reads of an episode: ``ssda903.Episode`` has these, as a Care Episode row can."""

	start: date
	end: date | None
	reason_ceased: str | None


def eighteenth_birthday(date_of_birth: date) -> date:
	"""The day the child turns 18: the same day and month 18 years on, 1 March for 29 February births in a
	year that is not a leap year (as ``school_days`` counts ages)."""
	date_of_birth = _as_date(date_of_birth)
	try:
		return date_of_birth.replace(year=date_of_birth.year + 18)
	except ValueError:  # 29 February, and the 18th year is not a leap year
		return date(date_of_birth.year + 18, 3, 1)


def _ordered(episodes: Iterable[CareEpisode]) -> list[CareEpisode]:
	return sorted(episodes, key=lambda episode: (_as_date(episode.start), episode.end or date.max))


def _covers(episode: CareEpisode, day: date) -> bool:
	return _as_date(episode.start) <= day and (episode.end is None or day < _as_date(episode.end))


def _reason(episode: CareEpisode) -> str:
	return (episode.reason_ceased or "").strip().upper()


def care_cohort_on(on_date: date, episodes: Iterable[CareEpisode], date_of_birth: date) -> Cohort | None:
	"""Looked After, Previously Looked After or None on ``on_date``, from this council's care episodes.

	- On or after the 18th birthday: None (neither cohort is for adults).
	- An episode covers the day (DECOM <= day < DEC): Looked After.
	- Otherwise the latest episode that ended on or before the day decides: REC in
	  ``PREVIOUSLY_LOOKED_AFTER_REASONS`` gives Previously Looked After; any other reason gives None. An
	  X1 ending with no episode starting that day is a gap in the data, and the child is not counted.
	- No episode before the day: None (not yet looked after).

	None means "not in the looked-after or previously looked-after cohort by these episodes": the child
	may still be in the social worker or kinship cohort, which episodes cannot tell. Raises ValueError for
	a day before the date of birth.
	"""
	on_date = _as_date(on_date)
	date_of_birth = _as_date(date_of_birth)
	if on_date < date_of_birth:
		raise ValueError(f"{on_date} is before the child's date of birth ({date_of_birth})")
	if on_date >= eighteenth_birthday(date_of_birth):
		return None
	ordered = _ordered(episodes)
	if any(_covers(episode, on_date) for episode in ordered):
		return Cohort.LOOKED_AFTER
	ended = [episode for episode in ordered if episode.end is not None and _as_date(episode.end) <= on_date]
	if not ended:
		return None
	last = max(ended, key=lambda episode: (_as_date(episode.end), _as_date(episode.start)))
	if _reason(last) in PREVIOUSLY_LOOKED_AFTER_REASONS:
		return Cohort.PREVIOUSLY_LOOKED_AFTER
	return None


def left_care_on(episodes: Iterable[CareEpisode], date_of_birth: date) -> date | None:
	"""The first day the child is no longer looked after, for the latest episode: its DEC, or the 18th
	birthday if that comes first (or the episode is still open). None when there are no episodes or the
	latest ended with X1 (a new episode should follow: the period of care goes on).

	This is the date PEP obligations and PP+ allocation stop (STATUTORY.md section 11).
	"""
	ordered = _ordered(episodes)
	if not ordered:
		return None
	latest = ordered[-1]
	birthday = eighteenth_birthday(date_of_birth)
	if latest.end is None:
		return birthday
	if _reason(latest) == SAME_DAY_NEW_EPISODE:
		return None
	return min(_as_date(latest.end), birthday)


# --- how letters speak of the child (issue #18 item 1) ---------------------------------------------------


def child_description(cohort: Cohort | str | None, *, looked_after: bool, authority: str = "") -> str:
	"""How a letter describes the child on its date: "a child looked after by <authority>" only when the
	child is looked after that day (``looked_after``: the site's ``is_looked_after_on``), never from the
	cohort alone, because a child who returned home keeps the Looked After cohort with a leaving date.

	Previously looked-after (s23ZZA), social worker and kinship children are named by their own cohort; a
	child of the Looked After cohort who is not looked after on the day (left care, 18) "has left the care"
	of the authority. ``authority`` empty: the same words without the council's name (a footer). ValueError
	for a cohort that is not one of ``Cohort``.
	"""
	if looked_after:
		return f"a child looked after by {authority}" if authority else "a looked-after child"
	kind = Cohort(cohort) if cohort else Cohort.LOOKED_AFTER
	if kind is Cohort.PREVIOUSLY_LOOKED_AFTER:
		return "a previously looked-after child"
	if kind is Cohort.CHILD_WITH_A_SOCIAL_WORKER:
		return "a child with a social worker"
	if kind is Cohort.KINSHIP_CARE:
		return "a child in kinship care"
	return f"a child who has left the care of {authority}" if authority else "a child who has left care"


def has_admission_priority(cohort: Cohort | str | None, *, looked_after: bool) -> bool:
	"""Whether admission authorities must give the child the highest priority in oversubscription criteria:
	looked-after and previously looked-after children only (School Admissions Code 2021 para 1.7). A child
	with a social worker or in kinship care has no such priority by law."""
	return looked_after or (bool(cohort) and Cohort(cohort) is Cohort.PREVIOUSLY_LOOKED_AFTER)


def school_place_expected_from(date_of_birth: date) -> date:
	"""The first day a child is counted as of school age, so a day without a school place can count: 1
	September of the academic year in which they are in Reception (aged 4 on the 31 August before it, as
	``school_days.year_group`` counts; the app's "of school age" is Reception to Year 13, key stage not
	"Early years"). Days before it are not days without a place (issue #21: a Reception child showed 453
	school days counted from entering care as a toddler). Strictly, compulsory school age (Education Act 1996
	s8) begins the term after the fifth birthday; a place is expected from Reception, where the app lists
	the child."""
	date_of_birth = _as_date(date_of_birth)
	# aged 4 on 31 August of year Y: the 4th birthday falls on or before 31 August Y (29 February: 1 March)
	year = date_of_birth.year + 4 if date_of_birth.month <= 8 else date_of_birth.year + 5
	return date(year, 9, 1)
