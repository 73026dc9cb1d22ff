"""Tier 1: PP+ financial years, allocations, termly caps and approval limits (STATUTORY.md section 1)."""

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from virtual_school.domain import pp_plus_budget as budget
from virtual_school.domain.pp_plus_budget import Budget, InvalidAmount, OverAllocation

pennies = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False)
positive_pennies = st.decimals(
	min_value="0.01", max_value=10_000, places=2, allow_nan=False, allow_infinity=False
)
budgets = st.builds(
	Budget,
	allocation=pennies,
	committed=pennies,
	termly_cap=st.none() | pennies,
	committed_this_term=pennies,
)


# --- financial years --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	("day", "label"),
	[
		(date(2025, 3, 31), "2024-25"),
		(date(2025, 4, 1), "2025-26"),
		(date(2025, 12, 31), "2025-26"),
		(date(2026, 1, 1), "2025-26"),
		(date(2026, 3, 31), "2025-26"),
		(date(2026, 4, 1), "2026-27"),
		(date(1999, 4, 1), "1999-00"),
		(datetime(2026, 3, 31, 23, 59), "2025-26"),
	],
)
def test_financial_year_of_boundaries(day, label):
	assert budget.financial_year_of(day) == label


def test_financial_year_bounds():
	assert budget.financial_year_bounds("2025-26") == (date(2025, 4, 1), date(2026, 3, 31))
	assert budget.financial_year_bounds("1999-00") == (date(1999, 4, 1), date(2000, 3, 31))


@pytest.mark.parametrize(
	"label", ["2025-27", "2025/26", "2025-2026", "25-26", "", "2025-26\n", " 2025-26", None, 2025]
)
def test_financial_year_bounds_rejects_bad_labels(label):
	with pytest.raises(ValueError):
		budget.financial_year_bounds(label)


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(9998, 12, 31)))
def test_financial_year_round_trip(day):
	start, end = budget.financial_year_bounds(budget.financial_year_of(day))
	assert start <= day <= end
	assert (start.month, start.day, end.month, end.day) == (4, 1, 3, 31)


# --- terms ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	("day", "term"),
	[
		(date(2025, 4, 1), "Summer"),
		(date(2025, 8, 31), "Summer"),
		(date(2025, 9, 1), "Autumn"),
		(date(2025, 12, 31), "Autumn"),
		(date(2026, 1, 1), "Spring"),
		(date(2026, 3, 31), "Spring"),
		(date(2026, 4, 1), "Summer"),
	],
)
def test_term_of_boundaries(day, term):
	assert budget.term_of(day) == term


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(9998, 12, 31)))
def test_term_bounds_contain_the_day(day):
	start, end = budget.term_bounds(budget.financial_year_of(day), budget.term_of(day))
	assert start <= day <= end


def test_terms_tile_the_financial_year():
	bounds = [budget.term_bounds("2025-26", name) for name in ("Summer", "Autumn", "Spring")]
	assert bounds[0][0] == date(2025, 4, 1)
	assert bounds[-1][1] == date(2026, 3, 31)
	for (_, end), (start, _) in itertools.pairwise(bounds):
		assert start == end + timedelta(days=1)
	with pytest.raises(ValueError):
		budget.term_bounds("2025-26", "Winter")


# --- allocation -------------------------------------------------------------------------------------------


def test_2025_26_rate_with_20_percent_top_slice():
	assert budget.per_child_allocation(2630, 20) == Decimal("2104.00")
	assert budget.per_child_allocation("2630.00", "20") == Decimal("2104.00")


@given(pennies)
def test_allocation_without_top_slice_equals_rate(rate):
	assert budget.per_child_allocation(rate, 0) == rate


@given(pennies, st.decimals(min_value=0, max_value=100, places=3))
def test_allocation_is_in_pennies_and_never_above_the_rate(rate, top_slice):
	allocation = budget.per_child_allocation(rate, top_slice)
	assert Decimal(0) <= allocation <= rate
	assert allocation == allocation.quantize(Decimal("0.01"))


def test_allocation_rounds_half_up_and_accepts_floats():
	assert budget.per_child_allocation("0.05", 50) == Decimal("0.03")  # 0.025 -> 0.03
	assert budget.per_child_allocation(2570.0, 12.5) == Decimal("2248.75")
	assert budget.per_child_allocation(2630, 100) == Decimal("0.00")


@pytest.mark.parametrize(
	("rate", "top_slice"), [(-1, 0), (2630, -0.01), (2630, 100.01), ("abc", 0), (2630, None)]
)
def test_allocation_rejects_bad_inputs(rate, top_slice):
	with pytest.raises(ValueError):
		budget.per_child_allocation(rate, top_slice)


# --- claims against a budget ------------------------------------------------------------------------------


@given(budgets)
def test_remaining_is_never_negative(child_budget):
	assert budget.remaining(child_budget) >= 0


@given(budgets, positive_pennies)
def test_check_claim_passes_iff_amount_fits(child_budget, amount):
	fits = amount <= budget.remaining(child_budget)
	try:
		budget.check_claim(child_budget, amount)
	except OverAllocation as error:
		assert not fits
		assert error.remaining == budget.remaining(child_budget)
		assert error.limit_kind in ("annual allocation", "termly cap")
	else:
		assert fits


def test_annual_allocation_message_and_attributes():
	with pytest.raises(OverAllocation) as caught:
		budget.check_claim(Budget(Decimal("2104.00"), Decimal("1000.00")), "1234.51")
	error = caught.value
	assert isinstance(error, ValueError)
	assert error.remaining == Decimal("1104.00")
	assert error.limit_kind == "annual allocation"
	assert "£1,234.51" in str(error)
	assert "£1,104.00" in str(error)
	assert "£2,104.00" in str(error)


def test_termly_cap_binds_when_it_leaves_less():
	child_budget = Budget(allocation=2104, committed=500, termly_cap=700, committed_this_term=450)
	assert budget.remaining(child_budget) == Decimal("250.00")
	budget.check_claim(child_budget, "250.00")
	with pytest.raises(OverAllocation) as caught:
		budget.check_claim(child_budget, "250.01")
	assert caught.value.limit_kind == "termly cap"
	assert caught.value.remaining == Decimal("250.00")
	assert "termly cap" in str(caught.value)
	assert "£700.00" in str(caught.value)


def test_overspent_budget_has_nothing_remaining():
	child_budget = Budget(allocation="2104", committed="2500.5")
	assert budget.remaining(child_budget) == Decimal("0.00")
	with pytest.raises(OverAllocation):
		budget.check_claim(child_budget, "0.01")


def test_budget_normalises_float_sums():
	child_budget = Budget(allocation=2104.0, committed=0.1 + 0.2)
	assert child_budget.committed == Decimal("0.30")
	assert budget.remaining(child_budget) == Decimal("2103.70")


@pytest.mark.parametrize("field", ["allocation", "committed", "termly_cap", "committed_this_term"])
def test_budget_rejects_negative_values(field):
	values = {"allocation": 100, "committed": 0, "termly_cap": 50, "committed_this_term": 0, field: -1}
	with pytest.raises(ValueError):
		Budget(**values)


@pytest.mark.parametrize(
	"amount", [0, "0.00", -5, "12.345", 0.1 + 0.2, "abc", None, True, float("nan"), "Infinity"]
)
def test_invalid_amounts(amount):
	with pytest.raises(InvalidAmount):
		budget.check_claim(Budget(allocation=1000, committed=0), amount)


def test_invalid_amount_is_a_value_error():
	assert issubclass(InvalidAmount, ValueError)
	assert issubclass(OverAllocation, ValueError)


@pytest.mark.parametrize("amount", [1, "12.5", 12.5, Decimal("12.50"), "1000.00"])
def test_valid_amount_types(amount):
	budget.check_claim(Budget(allocation=1000, committed=0), amount)


# --- approval and money -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
	("amount", "limit", "expected"),
	[(500, 500, False), ("500.01", 500, True), (499.99, "500", False), (1, 0, True)],
)
def test_needs_head_approval(amount, limit, expected):
	assert budget.needs_head_approval(amount, limit) is expected


def test_needs_head_approval_rejects_negative_limit():
	with pytest.raises(ValueError):
		budget.needs_head_approval(10, -1)


@pytest.mark.parametrize(
	("amount", "text"),
	[
		(2630, "£2,630.00"),
		("1234.5", "£1,234.50"),
		(Decimal("0.005"), "£0.01"),
		(0, "£0.00"),
		(1234567.891, "£1,234,567.89"),
		(-12.5, "-£12.50"),
	],
)
def test_format_money(amount, text):
	assert budget.format_money(amount) == text
