# SPDX-License-Identifier: AGPL-3.0-or-later
"""Each report as one table (a header and rows of plain strings): the page
renders these and the CSV export writes them, so the two cannot disagree.
Aggregate rows only: payers, reason codes and months, never a patient."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openiop.reports import charts
from openiop.reports.arithmetic import BUCKET_KEYS, DaysInAR, MonthTotals, Rate
from openiop.reports.selectors import Aging, Denials

REPORTS = ("aging", "days", "denials", "payments")


@dataclass(frozen=True)
class Table:
    slug: str
    caption: str
    header: list[str]
    rows: list[list[str]]
    footer: list[str] | None = None

    def csv_rows(self) -> list[list[str]]:
        return [self.header, *self.rows, *([self.footer] if self.footer else [])]


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def percent(rate: Rate) -> str:
    return "n/a" if rate.percent is None else f"{rate.percent}"


def aging_table(aging: Aging) -> Table:
    header = ["Payer", *(f"{key} days" for key in BUCKET_KEYS), "Total", "Of which not yet billed"]
    rows = [
        [
            row.label,
            *(money(row.buckets[key]) for key in BUCKET_KEYS),
            money(row.total),
            money(aging.unbilled.get(row.label, Decimal(0))),
        ]
        for row in aging.rows
    ]
    totals = aging.totals
    footer = [
        "Total",
        *(money(totals.buckets[key]) for key in BUCKET_KEYS),
        money(totals.total),
        money(sum(aging.unbilled.values(), Decimal(0))),
    ]
    return Table("aging", "Accounts receivable by age", header, rows, footer)


def days_table(days: DaysInAR) -> Table:
    value = "n/a (no charges in the period)" if days.days is None else f"{days.days}"
    return Table(
        "days",
        "Days in A/R",
        ["Total A/R", f"Charges, last {days.window_days} days", "Average daily charges", "Days in A/R"],
        [[money(days.total_ar), money(days.charges), money(days.average_daily_charges), value]],
    )


def denials_tables(denials: Denials) -> tuple[Table, Table]:
    by_payer = Table(
        "denials-payer",
        "Denial rate by payer",
        ["Payer", "Denied claims", "Adjudicated claims", "Denial rate %"],
        [[rate.label, str(rate.denied), str(rate.adjudicated), percent(rate)] for rate in denials.by_payer],
        ["All payers", str(denials.denied), str(denials.adjudicated), percent(denials.overall)],
    )
    by_carc = Table(
        "denials-carc",
        "Denial rate by adjustment reason (CARC)",
        ["CARC", "Description", "Denied claims citing it", "Adjudicated claims", "Share of adjudicated %"],
        [
            [rate.label, rate.description, str(rate.denied), str(rate.adjudicated), percent(rate)]
            for rate in denials.by_carc
        ],
    )
    return by_payer, by_carc


def payments_table(months: Sequence[MonthTotals]) -> Table:
    rows = [[month.label, money(month.insurance), money(month.patient), money(month.total)] for month in months]
    footer = [
        "Total",
        money(sum((m.insurance for m in months), Decimal(0))),
        money(sum((m.patient for m in months), Decimal(0))),
        money(sum((m.total for m in months), Decimal(0))),
    ]
    return Table("payments", "Payments by month", ["Month", "Insurance", "Patients", "Total"], rows, footer)


def aging_chart(aging: Aging) -> charts.Chart:
    return charts.horizontal_stacked(
        "aging",
        "Accounts receivable by age, per payer",
        "One bar per payer and one for patients; each bar is split into 0-30, 31-60, 61-90 and over 90 days, "
        "left to right. The table beside the chart has the same amounts.",
        [(key, f"{key} days") for key in BUCKET_KEYS],
        [(row.label, [row.buckets[key] for key in BUCKET_KEYS]) for row in aging.rows],
    )


def payments_chart(months: Sequence[MonthTotals]) -> charts.Chart:
    return charts.vertical_stacked(
        "payments",
        "Payments by month",
        "One column per month: insurance payments at the bottom, patients' payments on top. "
        "The table beside the chart has the same amounts.",
        [("insurance", "Insurance"), ("patient", "Patients")],
        [(month.label, [month.insurance, month.patient]) for month in months],
    )


def denials_chart(denials: Denials) -> charts.Chart:
    return charts.horizontal_stacked(
        "denials",
        "Denial rate by payer",
        "One bar per payer: the percent of its adjudicated claims it denied. "
        "The table beside the chart has the same numbers.",
        [("rate", "Denied, % of adjudicated")],
        [(rate.label, [rate.percent or Decimal(0)]) for rate in denials.by_payer],
        unit="%",
    )
