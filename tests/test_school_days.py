"""Tests for virtual_school.domain.school_days: calendar, working and school days (STATUTORY.md 3, 5, 10)."""

import pickle
from datetime import date, datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from virtual_school.domain import school_days
from virtual_school.domain.school_days import DayKind, SchoolCalendar

BANK_HOLIDAYS = frozenset(school_days.england_bank_holidays([2024, 2025, 2026, 2027, 2028]))

# A realistic 2025-26 calendar: INSET days on 1-2 September and 5 January, Early May bank holiday in term.
TERMS_2025_26 = (
	(date(2025, 9, 1), date(2025, 10, 24)),  # Autumn 1
	(date(2025, 11, 3), date(2025, 12, 19)),  # Autumn 2
	(date(2026, 1, 5), date(2026, 2, 13)),  # Spring 1
	(date(2026, 2, 23), date(2026, 3, 27)),  # Spring 2
	(date(2026, 4, 13), date(2026, 5, 22)),  # Summer 1
	(date(2026, 6, 1), date(2026, 7, 22)),  # Summer 2
)
INSET_2025_26 = frozenset({date(2025, 9, 1), date(2025, 9, 2), date(2026, 1, 5)})
CAL = SchoolCalendar(terms=TERMS_2025_26, closures=INSET_2025_26, bank_holidays=BANK_HOLIDAYS)


def _brute_force_is(d: date, kind: DayKind, cal: SchoolCalendar) -> bool:
	"""The definitions, written out the slow and obvious way."""
	if kind is DayKind.CALENDAR:
		return True
	if d.weekday() >= 5 or d in cal.bank_holidays:
		return False
	if kind is DayKind.WORKING:
		return True
	return d not in cal.closures and any(start <= d <= end for start, end in cal.terms)


def _brute_force_count(start: date, end: date, kind: DayKind, cal: SchoolCalendar) -> int:
	count, d = 0, start + timedelta(days=1)
	while d <= end:
		count += _brute_force_is(d, kind, cal)
		d += timedelta(days=1)
	return count


# --- hypothesis strategies ------------------------------------------------------------------------------

dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
kinds = st.sampled_from(list(DayKind))


@st.composite
def calendars(draw) -> SchoolCalendar:
	"""Random but valid calendars: ordered, non-overlapping terms, with random closures and holidays."""
	day = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2024, 12, 31)))
	terms = []
	for _ in range(draw(st.integers(min_value=0, max_value=12))):
		day += timedelta(days=draw(st.integers(min_value=0, max_value=30)))
		end = day + timedelta(days=draw(st.integers(min_value=0, max_value=70)))
		terms.append((day, end))
		day = end + timedelta(days=1)
	closures = draw(st.frozensets(dates, max_size=20))
	holidays = draw(st.frozensets(dates, max_size=20)) | BANK_HOLIDAYS
	return SchoolCalendar(terms=tuple(terms), closures=closures, bank_holidays=holidays)


any_calendar = st.one_of(st.just(CAL), calendars())


# --- DayKind --------------------------------------------------------------------------------------------


def test_day_kind_values_are_the_stored_strings():
	assert [kind.value for kind in DayKind] == ["Calendar", "Working", "School"]
	assert DayKind("School") is DayKind.SCHOOL
	assert str(DayKind.WORKING) == "Working"
	assert school_days.count_days(date(2025, 12, 1), date(2025, 12, 8), "Working", BANK_HOLIDAYS) == 5


# --- bank holidays and working days ---------------------------------------------------------------------


@pytest.mark.parametrize(
	"holiday",
	[
		date(2025, 12, 25),  # Christmas Day
		date(2025, 12, 26),  # Boxing Day
		date(2026, 1, 1),  # New Year's Day
		date(2026, 4, 3),  # Good Friday
		date(2026, 4, 6),  # Easter Monday
		date(2026, 5, 4),  # Early May
		date(2026, 5, 25),  # Spring bank holiday
		date(2026, 8, 31),  # Summer bank holiday
		date(2026, 12, 28),  # Boxing Day (substitute: 26 December 2026 is a Saturday)
	],
)
def test_england_bank_holidays_are_not_working_days(holiday):
	assert holiday in school_days.england_bank_holidays([holiday.year])
	assert holiday.weekday() < 5
	assert not school_days.is_working_day(holiday, BANK_HOLIDAYS)
	assert school_days.is_working_day(holiday, frozenset())


def test_england_bank_holidays_are_named_and_sorted():
	holidays = school_days.england_bank_holidays([2026])
	assert list(holidays) == sorted(holidays)
	assert holidays[date(2026, 4, 3)] == "Good Friday"
	assert all(day.year == 2026 for day in holidays)
	assert len([d for d in holidays if d.weekday() < 5]) == 8


def test_weekends_are_not_working_days():
	assert not school_days.is_working_day(date(2026, 1, 3), BANK_HOLIDAYS)  # Saturday
	assert not school_days.is_working_day(date(2026, 1, 4), BANK_HOLIDAYS)  # Sunday
	assert school_days.is_working_day(date(2026, 1, 2), BANK_HOLIDAYS)  # Friday
	# a SchoolCalendar and a plain list are accepted too; terms play no part in working days
	assert school_days.is_working_day(date(2025, 8, 1), CAL)
	assert not school_days.is_working_day(date(2025, 12, 25), [date(2025, 12, 25)])


def test_first_lac_review_20_working_days_across_christmas():
	"""CPPCR 2010 reg 33: first review within 20 working days of becoming looked after."""
	became_looked_after = date(2025, 12, 1)
	due = school_days.add_working_days(became_looked_after, 20, BANK_HOLIDAYS)
	# 2-5, 8-12, 15-19, 22-24 December (17 days), 25-26 bank holidays, 29-31 December
	assert due == date(2025, 12, 31)
	assert school_days.count_working_days(became_looked_after, due, BANK_HOLIDAYS) == 20
	assert school_days.add_days(became_looked_after, 20, DayKind.WORKING, CAL) == due


def test_placement_plan_5_working_days_over_easter():
	"""Placement plan within 5 working days (reg 9(2)): Good Friday and Easter Monday do not count."""
	assert school_days.add_working_days(date(2026, 4, 1), 5, BANK_HOLIDAYS) == date(2026, 4, 10)


def test_s97a_timescales_are_calendar_days():
	"""SSFA 1998 s97A: 7 days for representations, then 7 days to refer ("actual days")."""
	consulted = date(2025, 12, 20)
	representations_by = school_days.add_calendar_days(consulted, 7)
	assert representations_by == date(2025, 12, 27)
	assert school_days.add_days(representations_by, 7, DayKind.CALENDAR) == date(2026, 1, 3)
	assert school_days.count_calendar_days(consulted, date(2026, 1, 3)) == 14


# --- school days ------------------------------------------------------------------------------------------


def test_in_year_admission_15_school_days_across_october_half_term():
	"""Outcome of an in-year application within 15 school days (School Admissions Code 2021)."""
	application = date(2025, 10, 10)  # Friday before the last two weeks of Autumn 1
	# 13-17 and 20-24 October are school days (10), 27-31 October is half-term, then 3-7 November
	due = school_days.add_school_days(application, 15, CAL)
	assert due == date(2025, 11, 7)
	assert school_days.count_school_days(application, due, CAL) == 15
	assert school_days.count_calendar_days(application, due) == 28


def test_15_school_days_across_christmas_and_an_inset_day():
	# 11-12 and 15-19 December (7), Christmas holidays, 5 January INSET, 6-9 January (11), 12-15 January
	assert school_days.add_school_days(date(2025, 12, 10), 15, CAL) == date(2026, 1, 15)


def test_reinstatement_15_school_days_with_early_may_bank_holiday():
	"""SI 2012/1033: the board considers reinstatement within 15 school days; 4 May 2026 is not one."""
	notice = date(2026, 4, 30)
	# 1 May (1), 4 May bank holiday, 5-8 May (5), 11-15 May (10), 18-22 May (15)
	assert school_days.add_school_days(notice, 15, CAL) == date(2026, 5, 22)
	assert school_days.add_school_days(notice, 16, CAL) == date(2026, 6, 1)  # after May half-term


def test_school_days_in_each_term_and_year():
	per_term = [
		school_days.count_days(start - timedelta(days=1), end, "School", CAL) for start, end in TERMS_2025_26
	]
	assert per_term == [38, 35, 29, 25, 29, 38]
	assert sum(per_term) == 194
	assert school_days.count_school_days(date(2025, 8, 31), date(2026, 8, 31), CAL) == 194


@pytest.mark.parametrize(
	("day", "expected"),
	[
		(date(2025, 9, 3), True),  # first day with pupils
		(date(2025, 9, 1), False),  # INSET closure
		(date(2025, 9, 6), False),  # Saturday in term
		(date(2025, 10, 28), False),  # October half-term
		(date(2025, 12, 25), False),  # Christmas
		(date(2026, 5, 4), False),  # Early May bank holiday, in term
		(date(2026, 5, 5), True),
		(date(2026, 7, 22), True),  # last day of the year
		(date(2026, 7, 23), False),  # summer holidays
		(datetime(2026, 5, 5, 9, 30), True),  # a datetime is taken as its date
	],
)
def test_is_school_day(day, expected):
	assert school_days.is_school_day(day, CAL) is expected


def test_add_days_zero_returns_start_even_on_a_non_school_day():
	sunday = date(2025, 10, 26)
	for kind in DayKind:
		assert school_days.add_days(sunday, 0, kind, CAL) == sunday


def test_count_days_is_zero_when_end_is_not_after_start():
	day = date(2025, 11, 12)
	for kind in DayKind:
		assert school_days.count_days(day, day, kind, CAL) == 0
		assert school_days.count_days(day, date(2025, 9, 1), kind, CAL) == 0


def test_add_days_rejects_negative_or_non_integer_n():
	with pytest.raises(ValueError, match="0 or more"):
		school_days.add_school_days(date(2025, 11, 12), -1, CAL)
	with pytest.raises(TypeError):
		school_days.add_working_days(date(2025, 11, 12), 1.5, BANK_HOLIDAYS)


def test_school_days_beyond_the_calendar_raise_instead_of_guessing():
	with pytest.raises(ValueError, match="calendar does not cover 10 school days after 2026-07-15"):
		school_days.add_school_days(date(2026, 7, 15), 10, CAL)
	with pytest.raises(ValueError, match="calendar does not cover"):
		school_days.add_school_days(date(2026, 8, 1), 1, CAL)
	with pytest.raises(ValueError, match="no terms"):
		school_days.add_school_days(date(2026, 8, 1), 1, SchoolCalendar())
	assert school_days.add_school_days(date(2026, 7, 15), 5, CAL) == date(2026, 7, 22)


def test_school_and_working_days_need_their_data():
	with pytest.raises(ValueError, match="SchoolCalendar"):
		school_days.count_days(date(2025, 9, 1), date(2025, 9, 30), DayKind.SCHOOL, BANK_HOLIDAYS)
	with pytest.raises(ValueError, match="bank holidays"):
		school_days.add_days(date(2025, 9, 1), 3, DayKind.WORKING)
	with pytest.raises(ValueError):
		school_days.count_days(date(2025, 9, 1), date(2025, 9, 30), "Fortnightly", CAL)


# --- SchoolCalendar -------------------------------------------------------------------------------------


def test_calendar_rejects_overlapping_unordered_or_backwards_terms():
	with pytest.raises(ValueError, match="overlaps"):
		SchoolCalendar(
			terms=((date(2025, 9, 1), date(2025, 10, 24)), (date(2025, 10, 24), date(2025, 12, 19)))
		)
	with pytest.raises(ValueError, match="date order"):
		SchoolCalendar(
			terms=((date(2025, 11, 3), date(2025, 12, 19)), (date(2025, 9, 1), date(2025, 10, 24)))
		)
	with pytest.raises(ValueError, match="before it starts"):
		SchoolCalendar(terms=((date(2025, 9, 5), date(2025, 9, 1)),))


def test_calendar_accepts_lists_adjacent_terms_and_is_hashable_and_picklable():
	cal = SchoolCalendar(
		terms=[[date(2025, 9, 1), date(2025, 9, 5)], [date(2025, 9, 6), date(2025, 9, 12)]],
		closures={date(2025, 9, 2)},
		bank_holidays=[],
	)
	assert cal.terms == ((date(2025, 9, 1), date(2025, 9, 5)), (date(2025, 9, 6), date(2025, 9, 12)))
	assert cal.first_term_start == date(2025, 9, 1) and cal.last_term_end == date(2025, 9, 12)
	assert school_days.count_school_days(date(2025, 8, 31), date(2025, 9, 12), cal) == 9
	copy = pickle.loads(pickle.dumps(cal))
	assert copy == cal and hash(copy) == hash(cal)  # the built index plays no part in equality
	assert school_days.count_school_days(date(2025, 8, 31), date(2025, 9, 12), copy) == 9
	assert SchoolCalendar().last_term_end is None


# --- academic years, year groups and key stages -----------------------------------------------------------


@pytest.mark.parametrize(
	("day", "label"),
	[
		(date(2025, 9, 1), "2025-26"),
		(date(2026, 8, 31), "2025-26"),
		(date(2025, 8, 31), "2024-25"),
		(date(2026, 1, 1), "2025-26"),
		(date(1999, 9, 1), "1999-00"),
	],
)
def test_academic_year_of(day, label):
	assert school_days.academic_year_of(day) == label
	start, end = school_days.academic_year_bounds(label)
	assert start <= day <= end


def test_academic_year_bounds():
	assert school_days.academic_year_bounds("2025-26") == (date(2025, 9, 1), date(2026, 8, 31))
	assert school_days.academic_year_bounds("2099-00") == (date(2099, 9, 1), date(2100, 8, 31))


@pytest.mark.parametrize(
	"label", ["2025-27", "2025/26", "25-26", "2025-2026", "2025-26 ", "", None, "abcd-ef"]
)
def test_academic_year_bounds_rejects_bad_labels(label):
	with pytest.raises(ValueError):
		school_days.academic_year_bounds(label)


@pytest.mark.parametrize(
	("born", "on", "expected"),
	[
		(date(2020, 9, 1), date(2025, 9, 1), 0),  # oldest in Reception
		(date(2021, 8, 31), date(2025, 9, 1), 0),  # youngest in Reception, just 4
		(date(2021, 9, 1), date(2026, 8, 31), None),  # nursery age all year
		(date(2021, 9, 1), date(2026, 9, 1), 0),
		(date(2020, 3, 15), date(2026, 4, 1), 1),  # 6 by April, but 5 on 31 August 2025
		(date(2010, 1, 15), date(2026, 3, 1), 11),  # KS4: CPPCR reg 10 applies
		(date(2016, 2, 29), date(2025, 10, 1), 5),  # leap-day birthday
		(date(2008, 6, 1), date(2025, 12, 1), 13),  # 17 on 31 August 2025
		(date(2007, 6, 1), date(2025, 12, 1), None),  # 18: beyond Year 13
		(date(2027, 1, 1), date(2026, 1, 1), None),  # not yet born
	],
)
def test_year_group(born, on, expected):
	assert school_days.year_group(born, on) == expected


@pytest.mark.parametrize(
	("group", "stage"),
	[
		(0, "EYFS"),
		(1, "KS1"),
		(2, "KS1"),
		(3, "KS2"),
		(6, "KS2"),
		(7, "KS3"),
		(9, "KS3"),
		(10, "KS4"),
		(11, "KS4"),
		(12, "KS5"),
		(13, "KS5"),
		(None, None),
	],
)
def test_key_stage(group, stage):
	assert school_days.key_stage(group) == stage


@pytest.mark.parametrize("group", [-1, 14])
def test_key_stage_rejects_unknown_year_groups(group):
	with pytest.raises(ValueError):
		school_days.key_stage(group)


# --- the default term pattern -----------------------------------------------------------------------------


def _pattern_calendar(label: str) -> SchoolCalendar:
	terms = school_days.standard_term_pattern(label)
	return SchoolCalendar(
		terms=tuple((term["start_date"], term["end_date"]) for term in terms), bank_holidays=BANK_HOLIDAYS
	)


@pytest.mark.parametrize("label", ["2025-26", "2026-27"])
def test_standard_term_pattern(label):
	terms = school_days.standard_term_pattern(label)
	names = ["Autumn 1", "Autumn 2", "Spring 1", "Spring 2", "Summer 1", "Summer 2"]
	assert [term["term_name"] for term in terms] == names
	assert set(terms[0]) == {"term_name", "start_date", "end_date"}
	year_start, year_end = school_days.academic_year_bounds(label)
	previous_end = year_start - timedelta(days=1)
	for term in terms:
		assert previous_end < term["start_date"] <= term["end_date"] <= year_end
		assert term["start_date"].weekday() < 5 and term["end_date"].weekday() < 5
		previous_end = term["end_date"]
	cal = _pattern_calendar(label)  # also validates order and overlap
	total = school_days.count_school_days(
		year_start - timedelta(days=1), year_end, cal
	)  # weekdays less bank holidays
	assert 185 <= total <= 200
	assert total == school_days.STANDARD_TERM_DAYS  # 196 weekdays less the Early May bank holiday
	# Christmas, Good Friday, Easter Monday, Spring and Summer bank holidays fall in holidays
	in_term = [
		d for d in BANK_HOLIDAYS if year_start <= d <= year_end and any(s <= d <= e for s, e in cal.terms)
	]
	assert [school_days.england_bank_holidays([d.year])[d] for d in in_term] == ["May Day"]


def test_standard_term_pattern_2025_26_dates():
	terms = {
		t["term_name"]: (t["start_date"], t["end_date"]) for t in school_days.standard_term_pattern("2025-26")
	}
	assert terms["Autumn 1"] == (date(2025, 9, 1), date(2025, 10, 24))
	assert terms["Autumn 2"] == (date(2025, 11, 3), date(2025, 12, 19))
	assert terms["Spring 2"][1] == date(2026, 3, 27)  # Friday before Holy Week (Easter 5 April 2026)
	assert terms["Summer 1"] == (date(2026, 4, 13), date(2026, 5, 22))
	assert terms["Summer 2"] == (date(2026, 6, 1), date(2026, 7, 20))


@given(st.integers(min_value=1990, max_value=2090))
def test_standard_term_pattern_is_sane_every_year(start_year):
	label = f"{start_year}-{(start_year + 1) % 100:02d}"
	terms = school_days.standard_term_pattern(label)
	cal = SchoolCalendar(terms=tuple((t["start_date"], t["end_date"]) for t in terms))
	year_start, year_end = school_days.academic_year_bounds(label)
	weekdays = school_days.count_school_days(year_start - timedelta(days=1), year_end, cal)
	assert weekdays == school_days.STANDARD_TERM_DAYS + 1  # plus the Early May bank holiday
	assert date(start_year + 1, 7, 15) <= terms[-1]["end_date"] <= date(start_year + 1, 7, 25)
	assert all(t["end_date"] >= t["start_date"] + timedelta(days=11) for t in terms)  # two weeks or more


def test_easter_sunday_matches_dateutil():
	from dateutil import easter  # in the tools venv (scripts/test): never a skip

	for year in range(1900, 2201):
		assert school_days.easter_sunday(year) == easter.easter(year)


# --- properties -----------------------------------------------------------------------------------------


@given(any_calendar, dates, st.integers(min_value=0, max_value=150), kinds)
def test_count_inverts_add(cal, start, n, kind):
	try:
		end = school_days.add_days(start, n, kind, cal)
	except ValueError:
		assume(False)  # school days beyond this calendar's terms
	assert school_days.count_days(start, end, kind, cal) == n
	if n:
		assert end > start
		assert _brute_force_is(end, kind, cal)  # the deadline itself is a day of that kind
		assert school_days.count_days(start, end - timedelta(days=1), kind, cal) == n - 1


@given(any_calendar, dates, dates, kinds)
@settings(max_examples=200)
def test_count_days_matches_day_by_day_definition(cal, start, end, kind):
	assume(abs((end - start).days) <= 800)
	assert school_days.count_days(start, end, kind, cal) == _brute_force_count(start, end, kind, cal)


@given(any_calendar, dates)
def test_is_school_day_matches_definition(cal, day):
	assert school_days.is_school_day(day, cal) == _brute_force_is(day, DayKind.SCHOOL, cal)
	assert school_days.is_working_day(day, cal) == _brute_force_is(day, DayKind.WORKING, cal)


@given(calendars(), dates)
def test_weekends_closures_and_bank_holidays_are_never_school_days(cal, day):
	if day.weekday() >= 5 or day in cal.closures or day in cal.bank_holidays:
		assert not school_days.is_school_day(day, cal)
	for closure in cal.closures | cal.bank_holidays:
		assert not school_days.is_school_day(closure, cal)


@given(any_calendar, dates, dates, kinds, st.integers(min_value=0, max_value=60))
def test_add_days_is_monotonic(cal, first, second, kind, n):
	first, second = min(first, second), max(first, second)
	try:
		a, b = school_days.add_days(first, n, kind, cal), school_days.add_days(second, n, kind, cal)
		c = school_days.add_days(first, n + 1, kind, cal)
	except ValueError:
		assume(False)
	assert a <= b  # a later start never gives an earlier deadline
	assert a < c  # one more day gives a later deadline


@given(any_calendar, dates, dates)
def test_school_days_at_most_working_days_at_most_calendar_days(cal, start, end):
	school = school_days.count_days(start, end, DayKind.SCHOOL, cal)
	working = school_days.count_days(start, end, DayKind.WORKING, cal)
	calendar = school_days.count_days(start, end, DayKind.CALENDAR, cal)
	assert 0 <= school <= working <= calendar


@given(any_calendar, dates, dates, dates, kinds)
def test_count_days_is_additive(cal, a, b, c, kind):
	a, b, c = sorted((a, b, c))
	assert school_days.count_days(a, b, kind, cal) + school_days.count_days(b, c, kind, cal) == (
		school_days.count_days(a, c, kind, cal)
	)


@given(
	st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
	st.integers(min_value=2005, max_value=2045),
)
def test_year_group_goes_up_by_one_on_1_september(born, year):
	before, after = date(year, 8, 31), date(year, 9, 1)
	group_before, group_after = school_days.year_group(born, before), school_days.year_group(born, after)
	if group_before is not None and group_before < 13:
		assert group_after == group_before + 1
	if group_after is not None and group_after > 0:
		assert group_before == group_after - 1
	# and it does not change during the academic year
	assert school_days.year_group(born, date(year + 1, 3, 1)) == group_after
	assert school_days.year_group(born, date(year + 1, 8, 31)) == group_after


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(9998, 12, 31)))
def test_academic_year_of_round_trips(day):
	start, end = school_days.academic_year_bounds(school_days.academic_year_of(day))
	assert start <= day <= end
	assert (start.month, start.day, end.month, end.day) == (9, 1, 8, 31)


@pytest.mark.parametrize(
	("date_of_birth", "on_date", "label"),
	[
		(date(2021, 9, 1), date(2025, 9, 1), "Early years"),  # 3 on 31 Aug 2025
		(date(2021, 8, 31), date(2025, 9, 1), "Reception"),
		(date(2019, 3, 1), date(2026, 1, 10), "Year 2"),
		(date(2010, 10, 5), date(2026, 6, 1), "Year 10"),
		(date(2007, 8, 31), date(2025, 9, 1), "Post-18"),
		(date(2007, 9, 1), date(2025, 9, 1), "Year 13"),
	],
)
def test_year_group_label(date_of_birth, on_date, label):
	assert school_days.year_group_label(date_of_birth, on_date) == label


def test_year_group_name_rejects_out_of_range():
	with pytest.raises(ValueError):
		school_days.year_group_name(14)


@given(calendars())
@settings(max_examples=200)
def test_last_school_days_are_each_terms_last_school_day_by_counting(cal):
	"""The per-calendar table the PEP obligation reads equals counting the term's school days one by one."""
	for (start, end), last in zip(cal.terms, cal.last_school_days, strict=True):
		in_term = [start + timedelta(days=n) for n in range((end - start).days + 1)]
		school = [day for day in in_term if school_days.is_school_day(day, cal)]
		assert last == (school[-1] if school else None)


def test_last_school_day_skips_a_closure_on_the_terms_last_day():
	cal = SchoolCalendar(
		terms=((date(2025, 9, 1), date(2025, 10, 24)), (date(2025, 11, 3), date(2025, 11, 7))),
		closures={date(2025, 10, 24), *(date(2025, 11, 3) + timedelta(days=n) for n in range(5))},
	)
	assert cal.last_school_days == (date(2025, 10, 23), None)
