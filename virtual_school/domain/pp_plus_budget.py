"""Pupil Premium Plus (PP+) budget rules for looked-after children: funding years, allocations and caps.

Facts (STATUTORY.md section 1; DOMAIN.md "PP+ Funding Year" and "PP+ Claim"):

- PP+ rates apply to a **financial year, 1 April to 31 March**, labelled like "2025-26". The rate for
  looked-after children in 2025-26 is £2,630 per child (gov.uk 2025-26 pupil premium rate table); it was
  £2,570 in 2024-25 and £2,530 in 2023-24.
- The virtual school head manages the grant and allocates it to schools (gov.uk "Pupil premium: virtual school
  heads' responsibilities"). "It is for the local authority to decide how much of this funding to pass on to
  the child's school" (conditions of grant 2024-25), so a **top slice** kept centrally is a local choice
  (Essex, for example, top slices 20%).
- **Termly caps** are a local rule, not a statutory one. This module counts spending against three terms
  inside each financial year, by calendar month (see ``term_of``).

Money is ``Decimal`` throughout. Inputs may be ``int``, ``float``, ``str`` or ``Decimal``; they are converted
through ``str()`` so that a float such as ``12.1`` becomes ``Decimal("12.1")``, not its binary expansion.
This module imports nothing from Frappe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

__all__ = [
	"ANNUAL_ALLOCATION",
	"TERMLY_CAP",
	"TERMS",
	"Budget",
	"InvalidAmount",
	"Money",
	"OverAllocation",
	"as_decimal",
	"check_claim",
	"financial_year_bounds",
	"financial_year_of",
	"format_money",
	"needs_head_approval",
	"per_child_allocation",
	"remaining",
	"term_bounds",
	"term_of",
	"validate_amount",
]

Money = Decimal | int | float | str

PENNY = Decimal("0.01")
HUNDRED = Decimal(100)
ANNUAL_ALLOCATION = "annual allocation"
TERMLY_CAP = "termly cap"

# The three spending terms of a financial year, in order: (name, first month, last month).
TERMS: tuple[tuple[str, int, int], ...] = (
	("Summer", 4, 8),
	("Autumn", 9, 12),
	("Spring", 1, 3),
)

_FINANCIAL_YEAR_LABEL = re.compile(r"(\d{4})-(\d{2})")


class InvalidAmount(ValueError):
	"""A claim amount that is not a positive sum of money in pounds and pence."""


class OverAllocation(ValueError):
	"""A claim larger than what is left of the child's annual allocation or of the termly cap.

	``remaining`` is what could still be approved (the smaller of the two headrooms), ``limit_kind`` is
	``"annual allocation"`` or ``"termly cap"`` (the limit that binds), ``limit`` that limit's amount,
	``committed`` what is already committed against it and ``amount`` the claim.
	"""

	def __init__(
		self, *, amount: Decimal, remaining: Decimal, limit_kind: str, limit: Decimal, committed: Decimal
	) -> None:
		self.amount = amount
		self.remaining = remaining
		self.limit_kind = limit_kind
		self.limit = limit
		self.committed = committed
		if limit_kind == TERMLY_CAP:
			message = (
				f"This claim for {format_money(amount)} would exceed the termly cap: the cap is "
				f"{format_money(limit)} a term, {format_money(committed)} is already committed this term, "
				f"so at most {format_money(remaining)} can be approved this term."
			)
		else:
			message = (
				f"This claim for {format_money(amount)} would exceed the child's annual allocation: "
				f"{format_money(limit)} is allocated, {format_money(committed)} is already committed, "
				f"so at most {format_money(remaining)} can be approved."
			)
		super().__init__(message)


# --- conversion and formatting ----------------------------------------------------------------------------


def as_decimal(value: Money, what: str = "amount") -> Decimal:
	"""``value`` as a finite ``Decimal`` (via ``str()``); ValueError for anything else, including booleans."""
	if isinstance(value, Decimal):
		number = value
	elif isinstance(value, bool) or not isinstance(value, int | float | str):
		raise ValueError(f"{what} must be a number, got {value!r}")
	else:
		try:
			number = Decimal(str(value).strip())
		except InvalidOperation:
			raise ValueError(f"{what} must be a number, got {value!r}")
	if not number.is_finite():
		raise ValueError(f"{what} must be a finite number, got {value!r}")
	return number


def _pennies(value: Decimal) -> Decimal:
	"""``value`` rounded to the penny, half up (``0.005`` -> ``0.01``)."""
	return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def validate_amount(amount: Money) -> Decimal:
	"""A claim amount as ``Decimal``: InvalidAmount unless it is above zero with at most two decimal places."""
	try:
		number = as_decimal(amount)
	except ValueError as error:
		raise InvalidAmount(str(error))
	if number <= 0:
		raise InvalidAmount(f"The amount must be more than £0.00, got {amount!r}.")
	if number != number.quantize(PENNY, rounding=ROUND_HALF_UP):
		raise InvalidAmount(
			f"The amount must be in pounds and pence (at most 2 decimal places), got {amount!r}."
		)
	return number


def format_money(amount: Money) -> str:
	"""Pounds with thousands separators and pence, rounded half up: ``2630`` -> ``£2,630.00``; ``-5`` -> ``-£5.00``."""
	number = _pennies(as_decimal(amount))
	sign = "-" if number < 0 else ""
	return f"{sign}£{abs(number):,.2f}"


# --- financial years and terms ----------------------------------------------------------------------------


def _as_date(value: date) -> date:
	"""A ``date`` (a ``datetime`` loses its time); TypeError for anything else."""
	if isinstance(value, datetime):
		return value.date()
	if isinstance(value, date):
		return value
	raise TypeError(f"expected a date, got {value!r}")


def financial_year_of(d: date) -> str:
	"""The financial year (1 April to 31 March) containing ``d``: 1 April 2025 to 31 March 2026 is "2025-26"."""
	d = _as_date(d)
	start_year = d.year if d.month >= 4 else d.year - 1
	return f"{start_year}-{(start_year + 1) % 100:02d}"


def financial_year_bounds(label: str) -> tuple[date, date]:
	"""First and last day (1 April, 31 March) of a financial year labelled "YYYY-YY"; ValueError otherwise."""
	match = _FINANCIAL_YEAR_LABEL.fullmatch(label) if isinstance(label, str) else None
	if not match:
		raise ValueError(f"financial year must look like 2025-26, got {label!r}")
	start_year, end_suffix = int(match.group(1)), int(match.group(2))
	if (start_year + 1) % 100 != end_suffix:
		raise ValueError(f"financial year {label!r} must name two consecutive years, e.g. 2025-26")
	return date(start_year, 4, 1), date(start_year + 1, 3, 31)


def term_of(d: date) -> str:
	"""The term whose cap spending on ``d`` counts against: "Summer", "Autumn" or "Spring".

	A local convention (termly caps are a local rule, not statutory), by calendar month so that every day of
	a financial year belongs to exactly one term and the three terms run in financial-year order:

	- **Summer**: 1 April to 31 August (the summer term and the summer holiday; the first term of the year),
	- **Autumn**: 1 September to 31 December,
	- **Spring**: 1 January to 31 March (the last term of the financial year).

	School term dates vary (Easter moves), so this does not follow any one school's calendar.
	"""
	month = _as_date(d).month
	return next(name for name, first, last in TERMS if first <= month <= last)


def term_bounds(financial_year: str, term: str) -> tuple[date, date]:
	"""First and last day of ``term`` ("Summer", "Autumn", "Spring") in ``financial_year`` (see ``term_of``).

	``term_bounds("2025-26", "Spring")`` is 1 January 2026 to 31 March 2026. ValueError for an unknown term.
	"""
	start, end = financial_year_bounds(financial_year)
	if term == "Summer":
		return start, date(start.year, 8, 31)
	if term == "Autumn":
		return date(start.year, 9, 1), date(start.year, 12, 31)
	if term == "Spring":
		return date(end.year, 1, 1), end
	raise ValueError(f"term must be Summer, Autumn or Spring, got {term!r}")


# --- allocations, budgets and approval ----------------------------------------------------------------------


def per_child_allocation(rate: Money, top_slice_percent: Money) -> Decimal:
	"""What each child can have spent at school: ``rate × (1 − top_slice_percent / 100)``, to the penny.

	The top slice is kept centrally by the virtual school (a local choice; conditions of grant 2024-25).
	``per_child_allocation(2630, 20)`` is ``Decimal("2104.00")``. ValueError for a negative rate or a top
	slice outside 0 to 100.
	"""
	rate = as_decimal(rate, "rate")
	top_slice = as_decimal(top_slice_percent, "top slice percentage")
	if rate < 0:
		raise ValueError(f"rate must not be negative, got {rate}")
	if not 0 <= top_slice <= 100:
		raise ValueError(f"top slice percentage must be between 0 and 100, got {top_slice}")
	with localcontext() as context:
		context.prec = 60  # exact for any realistic rate; the rounding happens once, to the penny
		return _pennies(rate * (HUNDRED - top_slice) / HUNDRED)


@dataclass
class Budget:
	"""A child's PP+ position for one funding year, before a new claim.

	``allocation`` is the per-child annual allocation; ``committed`` what is already approved or paid from it
	this financial year (not counting the claim being checked). ``termly_cap``, if any, limits what may be
	committed in one term (``term_of``), and ``committed_this_term`` is what is committed in the claim's term.
	Values are converted to ``Decimal`` and rounded to the penny (so float sums such as
	``300.00000000000006`` behave); ValueError for a negative value.
	"""

	allocation: Decimal
	committed: Decimal
	termly_cap: Decimal | None = None
	committed_this_term: Decimal = Decimal("0.00")

	def __post_init__(self) -> None:
		self.allocation = self._money(self.allocation, "allocation")
		self.committed = self._money(self.committed, "committed")
		self.committed_this_term = self._money(self.committed_this_term, "committed_this_term")
		if self.termly_cap is not None:
			self.termly_cap = self._money(self.termly_cap, "termly_cap")

	@staticmethod
	def _money(value: Money, what: str) -> Decimal:
		number = _pennies(as_decimal(value, what))
		if number < 0:
			raise ValueError(f"{what} must not be negative, got {value!r}")
		return number


def _headrooms(budget: Budget) -> list[tuple[Decimal, str, Decimal, Decimal]]:
	"""(headroom, limit kind, limit, committed) for each limit that applies, annual allocation first."""
	limits = [
		(
			max(budget.allocation - budget.committed, Decimal("0.00")),
			ANNUAL_ALLOCATION,
			budget.allocation,
			budget.committed,
		)
	]
	if budget.termly_cap is not None:
		limits.append(
			(
				max(budget.termly_cap - budget.committed_this_term, Decimal("0.00")),
				TERMLY_CAP,
				budget.termly_cap,
				budget.committed_this_term,
			)
		)
	return limits


def remaining(budget: Budget) -> Decimal:
	"""What can still be approved: the smaller of what is left of the allocation and of the termly cap, >= 0."""
	return min(headroom for headroom, *_ in _headrooms(budget))


def check_claim(budget: Budget, amount: Money) -> None:
	"""Raise unless a claim of ``amount`` fits the child's budget (it fits iff ``amount <= remaining(budget)``).

	InvalidAmount for an amount that is not above zero or has more than two decimal places; OverAllocation,
	naming the binding limit (the annual allocation when both bind equally), when it does not fit. DOMAIN.md:
	"A child's approved total can never exceed their allocation". The caller must make the check and the
	approval one transaction (lock the child's budget row) so two approvers cannot both pass it.
	"""
	number = validate_amount(amount)
	headroom, limit_kind, limit, committed = min(_headrooms(budget), key=lambda item: item[0])
	if number > headroom:
		raise OverAllocation(
			amount=number, remaining=headroom, limit_kind=limit_kind, limit=limit, committed=committed
		)


def needs_head_approval(amount: Money, manager_limit: Money) -> bool:
	"""True if ``amount`` is strictly above the manager's approval limit, so only the head may approve it.

	DOMAIN.md: "Manager approves up to the limit; above it the VSH." A limit of 0 sends every claim to the
	head. ValueError for a negative limit.
	"""
	limit = as_decimal(manager_limit, "manager limit")
	if limit < 0:
		raise ValueError(f"manager limit must not be negative, got {manager_limit!r}")
	return as_decimal(amount) > limit
