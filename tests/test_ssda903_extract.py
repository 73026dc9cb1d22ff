"""Tier 1: the generated large SSDA903 extract (``devtools.ssda903_extract``, the import's scale tests and the
benchmark's ``--ssda903``). ``changed=True`` gives the same children, every one of them changed as a month's
extract changes them; the default output is the one the tests and the benchmark were written against."""

import csv
import hashlib
import io
from datetime import date, datetime

import pytest

from virtual_school.devtools.ssda903_extract import large_extract
from virtual_school.domain import ssda903

ON_DATE = date(2026, 3, 1)


def _rows(content: bytes) -> list[list[str]]:
	return list(csv.reader(io.StringIO(content.decode())))


def _by_child(content: bytes) -> dict[str, list[list[str]]]:
	rows: dict[str, list[list[str]]] = {}
	for row in _rows(content)[1:]:
		rows.setdefault(row[0], []).append(row)
	return rows


def _day(text: str) -> date:
	return datetime.strptime(text, "%d/%m/%Y").date()


# sha256 of the three files (joined by NUL bytes) as the generator wrote them before ``changed`` existed:
# the import's tier-2 tests pick their children from this output, so it must not move.
@pytest.mark.parametrize(
	("children", "options", "digest"),
	[
		(
			30,
			{"seed": 19, "id_prefix": "Q", "on_date": date(2025, 11, 12)},
			"f9f9482b797b74bc1c4cfd603ee321cb72cc03e3da785fb7cb353c71ef8501d8",
		),
		(200, {"on_date": ON_DATE}, "4a41ccca0f59d39fc314ab0bab3b7abdd4ce1ca91f2874b232d04424cbddc63e"),
		(
			25,
			{"id_prefix": "B", "on_date": date(2025, 9, 1), "seed": 7, "home_la": "886"},
			"1ce085eafa869cb80db9548acb1bd529a8b4d5865e80772584ae5637bd2b594b",
		),
	],
)
def test_the_default_extract_is_the_one_before_the_changed_option(children, options, digest):
	files = large_extract(children, **options)
	assert hashlib.sha256(b"\0".join(files)).hexdigest() == digest
	assert large_extract(children, **options, changed=False) == files


def test_the_changed_extract_has_the_same_children_each_of_them_changed():
	# seed 903, 200 children: child 190's latest review is on the extract's day (the correction branch)
	before = large_extract(200, ON_DATE)
	after = large_extract(200, ON_DATE, changed=True)
	assert after[0] == before[0]  # the header file: the same children, the same identities
	read_before = ssda903.read_ssda903(*before, on_date=ON_DATE)
	read_after = ssda903.read_ssda903(*after, on_date=ON_DATE)
	old = {child.social_care_id: child for child in read_before.children}
	new = {child.social_care_id: child for child in read_after.children}
	assert len(old) == 200
	assert set(new) == set(old)
	assert (read_after.rejected, len(read_after.issues)) == (read_before.rejected, len(read_before.issues))
	for child in old:
		assert ssda903.record_fingerprint(new[child]) != ssda903.record_fingerprint(old[child]), child

	episodes_before, episodes_after = _by_child(before[1]), _by_child(after[1])
	reviews_before, reviews_after = _by_child(before[2]), _by_child(after[2])
	post = ssda903.EPISODES_COLUMNS.index("PL_POST")
	added = corrected = moved = 0
	for child in old:
		# every episode as it was, but the open one (no end date) at another placement postcode
		*closed_before, last_before = episodes_before[child]
		*closed_after, last_after = episodes_after[child]
		assert closed_after == closed_before
		is_open = not last_before[ssda903.EPISODES_COLUMNS.index("DEC")]
		moved += is_open
		assert (last_after[post] != last_before[post]) == is_open
		assert [*last_after[:post], *last_after[post + 1 :]] == [
			*last_before[:post],
			*last_before[post + 1 :],
		]
		# one more review after the latest, not after the extract's day; or the latest's code corrected
		old_reviews, new_reviews = reviews_before[child], reviews_after[child]
		if len(new_reviews) == len(old_reviews) + 1:
			added += 1
			assert new_reviews[:-1] == old_reviews
			latest, extra = (_day(row[2]) for row in (old_reviews[-1], new_reviews[-1]))
			assert latest < extra <= ON_DATE
		else:
			corrected += 1
			assert new_reviews[:-1] == old_reviews[:-1]
			assert new_reviews[-1][:3] == old_reviews[-1][:3]
			assert new_reviews[-1][3] != old_reviews[-1][3]
			assert _day(old_reviews[-1][2]) == ON_DATE
	assert (added, corrected) == (199, 1)
	assert moved > 100  # most children are still in care


def test_the_changed_extract_is_the_same_on_every_run():
	assert large_extract(40, ON_DATE, seed=5, changed=True) == large_extract(
		40, ON_DATE, seed=5, changed=True
	)
