# SPDX-License-Identifier: AGPL-3.0-or-later
"""Cost estimate arithmetic for the public site. Plain Decimal, no Django.

The rates come from a RateCard (per site, per state, or the default one);
the frequencies of the add-on services are fixed here and shown on the page:
individual therapy, family therapy and a drug test once a week each, a
medication-management visit every other week, one intake assessment.

The person's share is a range. The total varies by the card's
``variation_percent`` either way (programs bill what the plan needs, not what
was estimated), and where the person left an insurance figure blank the low
end assumes the favourable value and the high end the unfavourable one:

- deductible remaining unknown: low $0, high the whole cost;
- coinsurance unknown: low 0%, high ``UNKNOWN_COINSURANCE_HIGH``;
- copay per day unknown: $0 either way (most plans with a copay say so);
- out-of-pocket maximum unknown: no cap.

Share = deductible part + coinsurance on the rest + copay per program day,
never more than the total nor more than the out-of-pocket maximum left.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from openiop.scheduling import hours

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)

# Bounds the form enforces; anything outside is refused, not clamped.
MAX_WEEKS = 52
MAX_DAYS_PER_WEEK = 7
MIN_HOURS_PER_DAY = Decimal("0.5")
MAX_HOURS_PER_DAY = Decimal(12)
MAX_MONEY = Decimal(1000000)
MAX_MONTHS = 60

# The estimate places the weekly hours against the IOP band (ASAM level 2.1)
# for the person's population: the same band the plan page and the hours
# dashboard use (``treatment.selectors.band_of``; the view passes it in).
IOP_LEVEL = "2.1"
POPULATIONS = (hours.ADULT, hours.ADOLESCENT)

UNKNOWN_COINSURANCE_HIGH = Decimal(30)
MEDICATION_VISIT_EVERY_WEEKS = 2

GROUP = "group"
INDIVIDUAL = "individual"
FAMILY = "family"
DRUG_TESTING = "drug_testing"
MEDICATION = "medication"
INTAKE = "intake"


class EstimateInputError(ValueError):
    """Bad input, named by the form field it belongs beside."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Rates:
    intake_assessment: Decimal
    group_hour: Decimal
    individual_session: Decimal
    family_session: Decimal
    drug_test: Decimal
    medication_visit: Decimal
    variation_percent: Decimal = Decimal(15)


@dataclass(frozen=True)
class Plan:
    weeks: int
    days_per_week: int
    hours_per_day: Decimal
    group: bool = True
    individual: bool = False
    family: bool = False
    drug_testing: bool = False
    medication: bool = False
    population: str = hours.ADULT

    def check(self) -> None:
        if self.population not in POPULATIONS:
            raise EstimateInputError("population", "Choose adult or adolescent.")
        if self.weeks < 1:
            raise EstimateInputError("weeks", "Enter at least 1 week.")
        if self.weeks > MAX_WEEKS:
            raise EstimateInputError("weeks", f"Enter {MAX_WEEKS} weeks or fewer.")
        if self.days_per_week < 1:
            raise EstimateInputError("days_per_week", "Enter at least 1 day a week.")
        if self.days_per_week > MAX_DAYS_PER_WEEK:
            raise EstimateInputError("days_per_week", "A week has 7 days.")
        if self.hours_per_day < MIN_HOURS_PER_DAY:
            raise EstimateInputError("hours_per_day", "Enter at least half an hour a day.")
        if self.hours_per_day > MAX_HOURS_PER_DAY:
            raise EstimateInputError("hours_per_day", f"Enter {MAX_HOURS_PER_DAY} hours a day or fewer.")
        if not (self.group or self.individual or self.family or self.drug_testing or self.medication):
            raise EstimateInputError("services", "Choose at least one service.")

    @property
    def program_days(self) -> int:
        return self.weeks * self.days_per_week

    @property
    def weekly_hours(self) -> Decimal:
        return self.hours_per_day * self.days_per_week


@dataclass(frozen=True)
class Coverage:
    """What the person told us about their insurance; None = not known."""

    insured: bool = False
    deductible_remaining: Decimal | None = None
    coinsurance_percent: Decimal | None = None
    copay_per_day: Decimal | None = None
    oop_max_remaining: Decimal | None = None

    def check(self) -> None:
        for field in ("deductible_remaining", "copay_per_day", "oop_max_remaining"):
            value = getattr(self, field)
            if value is not None and value < 0:
                raise EstimateInputError(field, "Enter an amount of $0 or more.")
            if value is not None and value > MAX_MONEY:
                raise EstimateInputError(field, "Enter an amount below $1,000,000.")
        if self.coinsurance_percent is not None and not ZERO <= self.coinsurance_percent <= HUNDRED:
            raise EstimateInputError("coinsurance_percent", "Coinsurance is a percentage from 0 to 100.")


@dataclass(frozen=True)
class Line:
    code: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Estimate:
    plan: Plan
    lines: tuple[Line, ...]
    total: Decimal
    total_low: Decimal
    total_high: Decimal
    share_low: Decimal
    share_high: Decimal
    band: hours.HoursBand | None = None  # the IOP band for the plan's population

    @property
    def level_of_care(self) -> str:
        """'below_iop', 'iop' or 'php' by hours per week against ``band``."""
        return level_of_care(self.plan.weekly_hours, self.band)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def level_of_care(weekly_hours: Decimal, band: hours.HoursBand | None) -> str:
    """Below the IOP band is outpatient care, above it partial
    hospitalization (20 h/week or more is ASAM level 2.5); no band, no
    verdict ('iop')."""
    position = band.position_of_hours(weekly_hours) if band is not None else hours.WITHIN
    if position == hours.BELOW:
        return "below_iop"
    if position == hours.ABOVE:
        return "php"
    return "iop"


def itemize(plan: Plan, rates: Rates) -> tuple[Line, ...]:
    plan.check()
    weeks = Decimal(plan.weeks)
    rows: list[tuple[str, Decimal, Decimal]] = [(INTAKE, Decimal(1), rates.intake_assessment)]
    if plan.group:
        rows.append((GROUP, plan.hours_per_day * plan.days_per_week * weeks, rates.group_hour))
    if plan.individual:
        rows.append((INDIVIDUAL, weeks, rates.individual_session))
    if plan.family:
        rows.append((FAMILY, weeks, rates.family_session))
    if plan.drug_testing:
        rows.append((DRUG_TESTING, weeks, rates.drug_test))
    if plan.medication:
        visits = Decimal(math.ceil(plan.weeks / MEDICATION_VISIT_EVERY_WEEKS))
        rows.append((MEDICATION, visits, rates.medication_visit))
    return tuple(Line(code, qty, price, money(qty * price)) for code, qty, price in rows)


def person_share(total: Decimal, coverage: Coverage, *, program_days: int, worst_case: bool) -> Decimal:
    """What the person pays of TOTAL under COVERAGE; unknowns resolved to the
    favourable (best case) or unfavourable (worst case) end."""
    if not coverage.insured:
        return money(total)
    deductible = coverage.deductible_remaining
    if deductible is None:
        deductible = total if worst_case else ZERO
    coinsurance = coverage.coinsurance_percent
    if coinsurance is None:
        coinsurance = UNKNOWN_COINSURANCE_HIGH if worst_case else ZERO
    copay = coverage.copay_per_day or ZERO
    deductible_part = min(deductible, total)
    rest = total - deductible_part
    share = deductible_part + rest * coinsurance / HUNDRED + copay * program_days
    share = min(share, total)
    if coverage.oop_max_remaining is not None:
        share = min(share, coverage.oop_max_remaining)
    return money(share)


def estimate(plan: Plan, rates: Rates, coverage: Coverage, *, band: hours.HoursBand | None = None) -> Estimate:
    """The estimate for PLAN; BAND is the IOP band in force for the plan's
    population (default: the seeded list's, for callers without a database)."""
    coverage.check()
    lines = itemize(plan, rates)
    total = sum((line.amount for line in lines), ZERO)
    spread = rates.variation_percent / HUNDRED
    total_low = money(total * (1 - spread))
    total_high = money(total * (1 + spread))
    return Estimate(
        plan=plan,
        lines=lines,
        total=total,
        total_low=total_low,
        total_high=total_high,
        share_low=person_share(total_low, coverage, program_days=plan.program_days, worst_case=False),
        share_high=person_share(total_high, coverage, program_days=plan.program_days, worst_case=True),
        band=band if band is not None else hours.default_band(IOP_LEVEL, plan.population),
    )


def check_months(months: int) -> None:
    if months < 1:
        raise EstimateInputError("months", "Enter at least 1 month.")
    if months > MAX_MONTHS:
        raise EstimateInputError("months", f"Enter {MAX_MONTHS} months or fewer.")


def payment_plan_monthly(amount: Decimal, months: int) -> Decimal:
    """Equal monthly payments, no interest, rounded up to the cent so that
    the payments cover the amount."""
    check_months(months)
    return (amount / months).quantize(CENT, rounding=ROUND_CEILING)


def financing_monthly(amount: Decimal, *, apr_percent: Decimal, months: int) -> Decimal:
    """The level monthly payment of an amortizing loan of AMOUNT at
    APR_PERCENT a year over MONTHS (standard annuity formula)."""
    check_months(months)
    if apr_percent < 0:
        raise EstimateInputError("apr_percent", "An interest rate cannot be negative.")
    if amount <= 0:
        return ZERO
    rate = apr_percent / HUNDRED / 12
    if rate == 0:
        return payment_plan_monthly(amount, months)
    factor = (1 + rate) ** months
    return (amount * rate * factor / (factor - 1)).quantize(CENT, rounding=ROUND_CEILING)
