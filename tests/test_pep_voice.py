"""Tier 1: the child's voice in the PEP (domain.pep_voice; Children Act 1989 s22(4)-(5))."""

import pytest

from virtual_school.domain.pep_voice import (
	NoViewsReason,
	approval_problems,
	has_voice,
	submission_problems,
)


@pytest.mark.parametrize(
	("views", "expected"),
	[
		(None, False),
		("", False),
		("   \n ", False),
		("n/a", False),
		("ok ok ok", False),  # 6 characters without spaces
		("I like maths", True),
		("Wants to stay at this school with friends", True),
	],
)
def test_has_voice(views, expected):
	assert has_voice(views) is expected


def test_views_in_their_own_words_are_enough():
	assert submission_problems("I want to be a vet when I grow up", None, None) == []


def test_no_views_and_no_reason_blocks_submission():
	[problem] = submission_problems("", None, None)
	assert "own words" in problem


@pytest.mark.parametrize("reason", [r for r in NoViewsReason if r is not NoViewsReason.OTHER])
def test_a_recorded_reason_allows_submission(reason):
	assert submission_problems(None, reason.value, None) == []


def test_other_needs_an_explanation():
	assert submission_problems(None, NoViewsReason.OTHER.value, "") == [
		"Explain why the child's views are not recorded."
	]
	assert submission_problems(None, NoViewsReason.OTHER.value, "In hospital for the meeting") == []


def test_an_unknown_reason_is_refused():
	assert submission_problems(None, "Because", None)


@pytest.mark.parametrize(
	("rating", "ok"), [("Green", True), ("Amber", True), ("Red", True), ("", False), (None, False)]
)
def test_approval_needs_a_voice_rating(rating, ok):
	assert (approval_problems(rating) == []) is ok
