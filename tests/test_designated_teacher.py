"""Tier 1: the designated-teacher check (domain.designated_teacher; issue #23 item 4). Dates worked by hand:
on 3 December 2026 a training counts from 4 December 2024 (the day after its second anniversary it lapses)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from virtual_school.domain.designated_teacher import (
	HEADTEACHER,
	INACTIVE,
	NEITHER,
	NO_DESIGNATED_TEACHER,
	NOT_ELIGIBLE,
	NOT_TRAINED,
	OK,
	QUALIFIED_TEACHER,
	SEVERITY,
	STATUSES,
	Contact,
	check,
	training_counts_from,
)

ON = date(2026, 12, 3)


def dt(name="DT", active=True, status=QUALIFIED_TEACHER, trainings=()):
	return Contact(name, True, active, status, tuple(trainings))


def senco(trainings=()):
	return Contact("SENCO", False, True, QUALIFIED_TEACHER, tuple(trainings))


@pytest.mark.parametrize(
	("contacts", "status", "contact", "last"),
	[
		# nobody at all, or only contacts who are not the designated teacher (a trained SENCO does not count)
		([], NO_DESIGNATED_TEACHER, None, None),
		([senco([date(2026, 5, 1)])], NO_DESIGNATED_TEACHER, None, None),
		# trained 3 Dec 2025: one year ago
		([dt(trainings=[date(2025, 12, 3)])], OK, "DT", date(2025, 12, 3)),
		# the edges of the two-year window
		([dt(trainings=[date(2024, 12, 4)])], OK, "DT", date(2024, 12, 4)),
		([dt(trainings=[date(2024, 12, 3)])], NOT_TRAINED, "DT", date(2024, 12, 3)),
		# never trained; trained only after the day checked (a course booked for next week)
		([dt()], NOT_TRAINED, "DT", None),
		([dt(trainings=[date(2026, 12, 10)])], NOT_TRAINED, "DT", None),
		# the last training on or before the day is the one shown, whatever the order recorded
		([dt(trainings=[date(2026, 1, 5), date(2023, 3, 1), date(2027, 1, 1)])], OK, "DT", date(2026, 1, 5)),
		# the head as designated teacher (reg 3(3)), or not recorded: eligible
		([dt(status=HEADTEACHER, trainings=[date(2026, 6, 1)])], OK, "DT", date(2026, 6, 1)),
		([dt(status=None, trainings=[date(2026, 6, 1)])], OK, "DT", date(2026, 6, 1)),
		# recorded as neither a qualified teacher nor the head: not eligible, trained or not
		([dt(status=NEITHER, trainings=[date(2026, 6, 1)])], NOT_ELIGIBLE, "DT", date(2026, 6, 1)),
		# the designated teacher has left (inactive), trained or not
		([dt(active=False, trainings=[date(2026, 6, 1)])], INACTIVE, "DT", date(2026, 6, 1)),
		([dt(active=False), senco()], INACTIVE, "DT", None),
		# an active, trained designated teacher beside one who left, or beside an untrained one: OK
		(
			[dt("Old", active=False, trainings=[date(2026, 6, 1)]), dt("New", trainings=[date(2026, 9, 1)])],
			OK,
			"New",
			date(2026, 9, 1),
		),
		([dt("A"), dt("B", trainings=[date(2025, 1, 1)])], OK, "B", date(2025, 1, 1)),
		# an active one who left training lapse beats one who left the school
		(
			[
				dt("Left", active=False, trainings=[date(2026, 6, 1)]),
				dt("Stays", trainings=[date(2020, 1, 1)]),
			],
			NOT_TRAINED,
			"Stays",
			date(2020, 1, 1),
		),
		# an eligible untrained one is shown before an ineligible trained one
		(
			[dt("TA", status=NEITHER, trainings=[date(2026, 6, 1)]), dt("Teacher")],
			NOT_TRAINED,
			"Teacher",
			None,
		),
	],
)
def test_check(contacts, status, contact, last):
	found = check(contacts, ON)
	assert found.status == status
	assert (found.contact.name if found.contact else None) == contact
	assert found.last_trained == last
	assert found.ok == (status == OK)


@pytest.mark.parametrize(
	("on_date", "counts_from"),
	[
		(date(2026, 12, 3), date(2024, 12, 4)),
		(date(2026, 12, 31), date(2025, 1, 1)),
		(date(2028, 2, 29), date(2026, 3, 1)),  # no 29 Feb 2026: the window starts 1 March
		(date(2028, 2, 28), date(2026, 3, 1)),
		(date(2026, 3, 1), date(2024, 3, 2)),
	],
)
def test_training_counts_from(on_date, counts_from):
	assert training_counts_from(on_date) == counts_from


def test_statuses_worst_first():
	assert STATUSES[0] == NO_DESIGNATED_TEACHER and STATUSES[-1] == OK
	assert sorted(STATUSES, key=SEVERITY.get) == list(STATUSES)


@given(
	st.dates(date(2020, 1, 1), date(2030, 12, 31)),
	st.lists(st.dates(date(2015, 1, 1), date(2032, 1, 1)), max_size=5),
)
def test_ok_exactly_when_a_training_falls_in_the_window(on_date, trainings):
	found = check([dt(trainings=trainings)], on_date)
	in_window = [day for day in trainings if training_counts_from(on_date) <= day <= on_date]
	assert found.ok == bool(in_window)
	assert found.last_trained == max((day for day in trainings if day <= on_date), default=None)
	# the window is two years, less the anniversary day itself
	assert (on_date - training_counts_from(on_date)).days in (729, 730, 731)
