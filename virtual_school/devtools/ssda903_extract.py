"""A large council's SSDA903 extract (header, episodes with PL_LA, reviews), generated for the import's scale
tests and the benchmark (issue #19 item 8). No ``frappe`` import: its tier-1 tests run without a site;
``devtools.demo_sources.large_ssda903_extract`` gives it the site's today.
"""

import csv
import io
import random
from datetime import date, timedelta

from virtual_school.domain import ssda903, upn

ETHNIC = ("WBRI", "WOTH", "MWBC", "BAFR", "AIND", "OOTH")
PLACEMENTS = ("U1", "U3", "U4", "U5", "U6", "K2", "R1", "P1")
POSTCODES = ("S6 2LP", "S5 7AU", "ME15 6AA", "CT2 7NR", "LS1 4DY")
PARTICIPATION = ("PN1", "PN2", "PN4")
PL_POST = ssda903.EPISODES_COLUMNS.index("PL_POST")
REVIEW_CODE = ssda903.REVIEWS_COLUMNS.index("REVIEW_CODE")


def csv_bytes(rows: list[list]) -> bytes:
	buffer = io.StringIO()
	csv.writer(buffer, lineterminator="\r\n").writerows(rows)
	return buffer.getvalue().encode()


def large_extract(
	children: int,
	on_date: date,
	seed: int = 903,
	home_la: str = "373",
	id_prefix: str = "L",
	changed: bool = False,
) -> tuple[bytes, bytes, bytes]:
	"""Header, episodes (with PL_LA) and reviews files for a large council: ``children`` children with 2-6
	episodes (4 on average) and 2-5 reviews (~3.3), and the usual mistakes in a few per cent of them (a UPN
	failing its check letter, an unknown legal status, a missing placement postcode, an unknown PL_LA).

	``changed``: the same children in a later extract in which every one of them changed, as a month's changes
	look: one more review after the child's latest (on a day between it and ``on_date``; a child reviewed on
	``on_date`` itself has that review's participation code corrected instead), and the child's open
	episode, if it has one, placed at another postcode. Everything else is the unchanged extract's, which the
	default (``changed=False``) gives byte for byte as before the option existed.
	"""
	rng = random.Random(seed)
	changes = random.Random(f"{seed}:changed")  # its own draws: the main sequence stays the unchanged one
	header = [[*ssda903.HEADER_COLUMNS, *ssda903.HEADER_OPTIONAL_COLUMNS]]
	episodes = [[*ssda903.EPISODES_COLUMNS, "PL_LA"]]
	reviews = [list(ssda903.REVIEWS_COLUMNS)]
	for number in range(1, children + 1):
		child = f"{id_prefix}{number:07d}"
		born = on_date - timedelta(days=rng.randint(2 * 365, 17 * 365))
		body = f"{home_la}{number % 10000:04d}{born.year % 100:02d}{number % 1000:03d}"
		chance = rng.random()
		if chance < 0.10:
			pupil = rng.choice(("UN1", "UN2", "UN3", "UN5"))
		elif chance < 0.13:  # a wrong check letter
			pupil = ("B" if upn.check_letter(body) != "B" else "C") + body
		else:
			pupil = upn.check_letter(body) + body
		header.append([child, rng.choice("MF"), f"{born:%d/%m/%Y}", rng.choice(ETHNIC), pupil, "", ""])
		count = rng.randint(2, 6)
		start = max(born + timedelta(days=30), on_date - timedelta(days=rng.randint(count * 120, 2500)))
		first_start = start
		for index in range(count):
			last = index == count - 1
			end = start + timedelta(days=rng.randint(20, 110))
			closed = not last or rng.random() < 0.2
			if end >= on_date:
				end, closed, last = None, False, True
			legal = "C3" if rng.random() < 0.01 else rng.choice(("C2", "C2", "C1", "V2"))
			episodes.append(
				[
					child,
					f"{start:%d/%m/%Y}",
					"S" if index == 0 else rng.choice("PLT"),
					legal,
					"N1",
					rng.choice(PLACEMENTS),
					"PR1",
					f"{end:%d/%m/%Y}" if closed else "",
					("X1" if not last else rng.choice(("E11", "E4A", "E13"))) if closed else "",
					("CARPL" if not last else "") if closed else "",
					"S5 7AU",
					"" if rng.random() < 0.02 else rng.choice(POSTCODES),
					"XXXXXXX",
					"999" if rng.random() < 0.005 else rng.choice((home_la, home_la, home_la, "886", "WAL")),
				]
			)
			if last:
				break
			start = end
		if changed and not closed:  # the open episode: placed at another postcode
			row = episodes[-1]
			row[PL_POST] = changes.choice([code for code in POSTCODES if code != row[PL_POST]])
		latest = None
		review = first_start + timedelta(days=20)
		for _number in range(rng.choice((2, 3, 3, 4, 5))):
			if review > on_date:
				break
			reviews.append([child, f"{born:%d/%m/%Y}", f"{review:%d/%m/%Y}", rng.choice(PARTICIPATION)])
			latest = review
			review += timedelta(days=rng.randint(90, 180))
		if changed:
			_review_again(reviews, child, born, latest or first_start, on_date, changes)
	return csv_bytes(header), csv_bytes(episodes), csv_bytes(reviews)


def _review_again(
	reviews: list[list], child: str, born: date, latest: date, on_date: date, changes: random.Random
) -> None:
	"""Add the child's next review, on a day after its ``latest`` up to ``on_date``; a child reviewed on
	``on_date`` itself (a next review would be in the future) has that review's participation code corrected
	instead (its row is the last of ``reviews``)."""
	if latest < on_date:
		when = latest + timedelta(days=changes.randint(1, min(180, (on_date - latest).days)))
		reviews.append([child, f"{born:%d/%m/%Y}", f"{when:%d/%m/%Y}", changes.choice(PARTICIPATION)])
		return
	row = reviews[-1]
	row[REVIEW_CODE] = changes.choice([code for code in PARTICIPATION if code != row[REVIEW_CODE]])
