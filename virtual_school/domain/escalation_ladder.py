"""The escalation ladder: who holds an escalation at each level, and when it is due.

Levels (DOMAIN.md §3): 1 Caseworker, 2 Virtual School Manager, 3 Virtual School Head, 4 Director of
Children's Services / DfE. Each level is due a number of *school days* after it was reached (a setting;
5 by default). Overdue escalations move up one level a day at most, never past the top.
"""

from dataclasses import dataclass
from datetime import date

TOP_LEVEL = 4


@dataclass(frozen=True)
class Level:
	number: int
	state: str  # the workflow state of an escalation at this level
	holder: str  # who holds it


LEVELS = (
	Level(1, "Level 1 - Caseworker", "Caseworker"),
	Level(2, "Level 2 - VS Manager", "Virtual School Manager"),
	Level(3, "Level 3 - Virtual School Head", "Virtual School Head"),
	Level(4, "Level 4 - Director / DfE", "Director of Children's Services / DfE"),
)
LEVEL_BY_STATE = {level.state: level for level in LEVELS}


def level(number: int) -> Level:
	if not 1 <= number <= TOP_LEVEL:
		raise ValueError(f"escalation level must be 1 to {TOP_LEVEL}, got {number}")
	return LEVELS[number - 1]


def next_level(number: int) -> Level | None:
	"""The level above, or None at the top of the ladder."""
	return level(number + 1) if number < TOP_LEVEL else None


def is_overdue(due_date: date | None, on_date: date) -> bool:
	"""Overdue once the due date has passed (due on the day itself is still in time)."""
	return due_date is not None and on_date > due_date


def should_raise(
	current_level: int, due_date: date | None, last_raised_on: date | None, on_date: date
) -> bool:
	"""The daily sweep raises an escalation when it is overdue, below the top, and not raised today."""
	if current_level >= TOP_LEVEL or not is_overdue(due_date, on_date):
		return False
	return last_raised_on is None or last_raised_on < on_date
