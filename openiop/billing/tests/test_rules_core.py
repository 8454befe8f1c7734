# SPDX-License-Identifier: AGPL-3.0-or-later
"""Billing's pure rules: the per-diem rule per payer at its boundaries, CPT
by minutes, hold reasons in plain English. No database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from openiop.billing import rules
from openiop.billing.rules import HoldReason
from openiop.scheduling import hours

ZONE = ZoneInfo("America/New_York")
MON = dt.date(2026, 3, 9)


@dataclass
class FakePayer:
    name: str
    per_diem_min_minutes_per_day: int
    per_diem_min_days_per_week: int
    per_diem_min_minutes_per_week: int


H0015_SHAPE = FakePayer("Commercial", 180, 3, 0)
NINE_HOURS_OVER_TWO_DAYS = FakePayer("Medicaid plan", 0, 2, 540)
TWO_HOURS_A_DAY = FakePayer("TRICARE", 120, 1, 0)


def week_of(*minutes_per_day: int) -> hours.WeekHours:
    """A week whose Monday, Tuesday, ... had these attended minutes."""
    appointments = []
    for offset, minutes in enumerate(minutes_per_day):
        if minutes == 0:
            continue
        start = dt.datetime.combine(MON + dt.timedelta(days=offset), dt.time(8), tzinfo=ZONE)
        appointments.append(hours.Appointment(start, start + dt.timedelta(minutes=minutes), minutes))
    return hours.weekly_hours(appointments, tz=ZONE)[hours.IsoWeek.of(MON)]


def billable(payer: FakePayer | None, *minutes_per_day: int) -> list[int]:
    days = hours.eligible_days(week_of(*minutes_per_day), rules.per_diem_rule_for_payer(payer))
    return [(day - MON).days for day in days]


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        ((180, 180, 180), [0, 1, 2]),
        ((180, 180, 179), []),  # one minute short on the third day: no billable week
        ((180, 180, 179, 180), [0, 1, 3]),  # the short day is not billed, the others are
        ((240, 200), []),
    ],
)
def test_h0015_shape_3_hours_on_3_days(minutes: tuple[int, ...], expected: list[int]) -> None:
    assert billable(H0015_SHAPE, *minutes) == expected
    assert billable(None, *minutes) == expected  # self-pay uses the H0015 shape


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        ((270, 270), [0, 1]),
        ((270, 269), []),  # 539 minutes: one short of 9 h
        ((500, 40), [0, 1]),  # a day counts with any attended minutes
        ((540,), []),  # 9 h on one day is not "over at least 2 days"
        ((180, 180, 180), [0, 1, 2]),
        ((180, 180, 179), []),
    ],
)
def test_nine_hours_a_week_over_at_least_two_days(minutes: tuple[int, ...], expected: list[int]) -> None:
    assert billable(NINE_HOURS_OVER_TWO_DAYS, *minutes) == expected


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [((120,), [0]), ((119,), []), ((119, 120, 0, 200), [1, 3])],
)
def test_at_least_two_hours_a_day(minutes: tuple[int, ...], expected: list[int]) -> None:
    assert billable(TWO_HOURS_A_DAY, *minutes) == expected


def test_a_day_without_minutes_never_counts_even_with_no_daily_minimum() -> None:
    rule = hours.PerDiemRule("H0015", "", 0, 1, "test")
    week = week_of(60, 0, 0)
    week.days[MON + dt.timedelta(days=1)] = hours.DayHours(MON + dt.timedelta(days=1), scheduled_minutes=60)
    assert hours.eligible_days(week, rule) == (MON,)


def test_the_payer_rule_names_its_source_and_code() -> None:
    rule = rules.per_diem_rule_for_payer(NINE_HOURS_OVER_TWO_DAYS, "S9480")
    assert (rule.code, rule.min_minutes_per_week, rule.configurable) == ("S9480", 540, True)
    assert "Medicaid plan" in rule.source


@pytest.mark.parametrize(
    ("minutes", "code"),
    [(15, None), (16, "90832"), (37, "90832"), (38, "90834"), (52, "90834"), (53, "90837"), (90, "90837")],
)
def test_individual_psychotherapy_code_by_minutes(minutes: int, code: str | None) -> None:
    assert rules.psychotherapy_code(minutes) == code


def test_family_codes_and_no_professional_charge_for_groups() -> None:
    assert rules.professional_line(kind="family", minutes=50) == rules.ProfessionalLine("90847")
    assert rules.professional_line(kind="family", minutes=50, with_patient=False) == rules.ProfessionalLine("90846")
    assert rules.professional_line(kind="family", minutes=25) is None
    assert rules.professional_line(kind="group", minutes=90) is None
    assert rules.professional_line(kind="case_management", minutes=60) is None


def test_every_hold_reason_has_plain_english_text_in_a_stable_order() -> None:
    assert all(reason.text.endswith(".") for reason in HoldReason)
    assert rules.describe_hold_reasons(["no_authorization", "mystery"]) == [
        HoldReason.NO_AUTHORIZATION.text,
        "mystery",
    ]
    assert rules.order_hold_reasons([HoldReason.NO_FEE, HoldReason.UNSIGNED_NOTE, HoldReason.NO_FEE]) == [
        "unsigned_note",
        "no_fee",
    ]


def test_the_billed_codes_are_the_issues_list() -> None:
    assert set(rules.BILLED_CODES) == {
        "H0015", "S9480", "H2036", "H0001", "H0004", "H0005", "90791", "90832", "90834", "90837",
        "90846", "90847", "90849", "90853", "80305", "80306", "80307", "H0048",
    }  # fmt: skip
