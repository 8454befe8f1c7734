# SPDX-License-Identifier: AGPL-3.0-or-later
"""The revenue reports' reads: sums made by the database over what the user
may see (``restrict(user, "reports.view")``: claims, charges and ledger
transactions of patients at the user's sites), then shaped by the pure
``openiop.reports.arithmetic``.

Restricted querysets join a patient's episodes and are made distinct, which
would repeat a row in a SUM; every aggregate here therefore reads its rows
through ``pk__in`` a restricted subquery, never the restricted queryset itself.

Definitions (the page says them too):
- A claim's balance with its payer is its total less what postings dated on
  or before the as-of day paid, wrote off (CO), adjusted (OA, PI) or moved to
  the patient (PR). It is aged from the day the claim was first sent (its own
  creation, when claims are built and written to the outbox the same day; for
  a corrected claim, the claim it replaces). Voids (frequency 8), voided
  claims and claims the scrubber stopped are not receivables. Secondary and
  tertiary claims are left out of the payers' rows: as on the patient's
  account (the ledger), what the primary payer moved to the patient stays in
  the patients' row until a later payer pays it, so it is counted once.
- A charge with a payer that no claim bills yet (unbilled) is aged from its
  service date, in its payer's row.
- The patients' row is the ledger's balances (``ledger.selectors.
  patient_balances``, today's), spread over the buckets newest first by when
  each amount became the patient's (PR posting date, self-pay service date).
- A claim is adjudicated once per remittance that answers it (reversals not
  counted) and denied when the payer said so (835 status 4) or paid nothing
  while adjusting something other than the patient's share.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth

from openiop.billing.models import Charge
from openiop.claims.models import Claim, ClaimLine, ClaimStatus, Posting
from openiop.insurance.models import CoveragePriority, Payer
from openiop.ledger.models import LedgerTransaction, TransactionKind
from openiop.reports import arithmetic
from openiop.reports.arithmetic import ZERO, AgingRow, DaysInAR, MonthTotals, Rate
from openiop.reports.permissions import REPORTS_VIEW
from openiop.sites.models import Site

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
DAY: DateField[dt.date, dt.date] = DateField()
NOT_RECEIVABLE = (ClaimStatus.VOID, ClaimStatus.SCRUBBER_REJECTED)
VOID_FREQUENCY = "8"
PATIENTS_LABEL = "Patients' share"
# Money patients (or a lender on their behalf) paid in; refunds are taken off.
PATIENT_MONEY_IN = (TransactionKind.PATIENT_PAYMENT, TransactionKind.FINANCING)


@dataclass(frozen=True)
class ReportFilters:
    as_of: dt.date
    start: dt.date
    end: dt.date
    site: Site | None = None
    payer: Payer | None = None

    def as_dict(self) -> dict[str, str]:
        return {
            "as_of": self.as_of.isoformat(),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "site": self.site.code if self.site else "",
            "payer": self.payer.name if self.payer else "",
        }


def _sum(expression: Any) -> Any:
    return Coalesce(Sum(expression, output_field=MONEY), Value(ZERO), output_field=MONEY)


def _posting_day() -> Any:
    """The day money moved: the 835's payment date, else the day it was read."""
    return Coalesce("payment__paid_on", TruncDate("created_at"), output_field=DateField())


# --- What the user may see --------------------------------------------------------------------------------------------


def claims_for(user: Any, filters: ReportFilters) -> QuerySet[Claim]:
    visible = Claim.objects.restrict(user, REPORTS_VIEW).values("pk")
    claims = Claim.objects.filter(pk__in=visible)
    if filters.site is not None:
        claims = claims.filter(site=filters.site)
    if filters.payer is not None:
        claims = claims.filter(payer=filters.payer)
    return claims


def charges_for(user: Any, filters: ReportFilters) -> QuerySet[Charge]:
    visible = Charge.objects.restrict(user, REPORTS_VIEW).values("pk")
    charges = Charge.objects.live().filter(pk__in=visible)
    if filters.site is not None:
        charges = charges.filter(site=filters.site)
    if filters.payer is not None:
        charges = charges.filter(payer=filters.payer)
    return charges


def transactions_for(user: Any, filters: ReportFilters) -> QuerySet[LedgerTransaction]:
    visible = LedgerTransaction.objects.restrict(user, REPORTS_VIEW).values("pk")
    rows = LedgerTransaction.objects.filter(pk__in=visible, payer__isnull=True)
    if filters.site is not None:
        rows = rows.filter(site=filters.site)
    return rows


def _bucket_case(day: str, as_of: dt.date) -> Case:
    whens = [
        When(**{f"{day}__gte": edge}, then=Value(key))
        for key, edge in arithmetic.bucket_edges(as_of)
        if edge is not None
    ]
    return Case(*whens, default=Value(arithmetic.BUCKET_KEYS[-1]), output_field=CharField())


# --- A/R aging --------------------------------------------------------------------------------------------------------


@dataclass
class Aging:
    rows: list[AgingRow]
    unbilled: dict[str, Decimal]  # payer label -> the part of its row not billed yet
    patients_included: bool

    @property
    def totals(self) -> AgingRow:
        total = AgingRow("Total")
        for row in self.rows:
            for key, value in row.buckets.items():
                total.add(key, value)
        return total


def _settled_by(as_of: dt.date) -> Subquery:
    """What postings dated on or before AS_OF took off a claim's payer balance.
    Only the claim-level posting counts what was paid (a line's posting
    repeats its share); adjustments are per level and add up."""
    paid_here = Case(When(line__isnull=True, then=F("paid")), default=Value(ZERO), output_field=MONEY)
    settled = (
        Posting.objects.filter(claim=OuterRef("pk"))
        .annotate(day=_posting_day())
        .filter(day__lte=as_of)
        .values("claim")
        .annotate(amount=Sum(paid_here + F("written_off") + F("other_adjustment") + F("patient_responsibility")))
        .values("amount")
    )
    return Subquery(settled, output_field=MONEY)


def ar_aging(user: Any, filters: ReportFilters) -> Aging:
    as_of = filters.as_of
    rows: dict[str, AgingRow] = {}
    unbilled: dict[str, Decimal] = defaultdict(lambda: ZERO)

    def row(label: str) -> AgingRow:
        return rows.setdefault(label, AgingRow(label))

    claims = (
        claims_for(user, filters)
        .exclude(status__in=NOT_RECEIVABLE)
        .exclude(frequency=VOID_FREQUENCY)
        .filter(coverage__priority=CoveragePriority.PRIMARY)
        .annotate(sent_on=Coalesce(TruncDate("replaces__created_at"), TruncDate("created_at"), output_field=DAY))
        .filter(sent_on__lte=as_of)
        .annotate(outstanding=F("total") - Coalesce(_settled_by(as_of), Value(ZERO), output_field=MONEY))
        .filter(outstanding__gt=0)
        .annotate(bucket=_bucket_case("sent_on", as_of))
        .values("payer__name", "bucket")
        .annotate(amount=_sum("outstanding"))
        .order_by()
    )
    for entry in claims:
        row(entry["payer__name"]).add(entry["bucket"], entry["amount"])

    billed = ClaimLine.objects.filter(charge=OuterRef("pk")).exclude(claim__status=ClaimStatus.SCRUBBER_REJECTED)
    billed = billed.filter(claim__created_at__date__lte=as_of)
    not_billed = (
        charges_for(user, filters)
        .filter(payer__isnull=False, service_date__lte=as_of)
        .exclude(Exists(billed))
        .annotate(bucket=_bucket_case("service_date", as_of))
        .values("payer__name", "bucket")
        .annotate(amount=_sum("amount"))
        .order_by()
    )
    for entry in not_billed:
        row(entry["payer__name"]).add(entry["bucket"], entry["amount"])
        unbilled[entry["payer__name"]] += entry["amount"]

    ordered = sorted(rows.values(), key=lambda item: item.label.lower())
    patients_included = filters.payer is None
    if patients_included:
        ordered.append(patient_aging(user, filters))
    return Aging(ordered, dict(unbilled), patients_included)


def patient_aging(user: Any, filters: ReportFilters) -> AgingRow:
    """The patients' row: the ledger's balance of every patient with a
    patient share in scope, aged newest first (see the module docstring)."""
    from openiop.ledger.selectors import patient_balances

    as_of = filters.as_of
    shares = (
        Posting.objects.filter(claim__in=claims_for(user, filters), patient_responsibility__gt=0)
        .filter(claim__coverage__priority=CoveragePriority.PRIMARY)
        .annotate(day=_posting_day())
        .filter(day__lte=as_of)
        .annotate(bucket=_bucket_case("day", as_of))
        .values("claim__patient_id", "bucket")
        .annotate(amount=_sum("patient_responsibility"))
        .order_by()
    )
    self_pay = (
        charges_for(user, filters)
        .filter(payer__isnull=True, service_date__lte=as_of)
        .annotate(bucket=_bucket_case("service_date", as_of))
        .values("patient_id", "bucket")
        .annotate(amount=_sum("amount"))
        .order_by()
    )
    asked: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for entry in shares:
        asked[entry["claim__patient_id"]][entry["bucket"]] += entry["amount"]
    for entry in self_pay:
        asked[entry["patient_id"]][entry["bucket"]] += entry["amount"]
    paying = transactions_for(user, filters).values_list("patient_id", flat=True).distinct()
    patient_ids = set(asked) | set(paying)
    row = AgingRow(PATIENTS_LABEL)
    for patient_id, balance in patient_balances(sorted(patient_ids)).items():
        for key, value in arithmetic.age_balance_newest_first(balance, asked.get(patient_id, {})).items():
            row.add(key, value)
    return row


# --- Days in A/R ------------------------------------------------------------------------------------------------------


def days_in_ar(user: Any, filters: ReportFilters, aging: Aging | None = None) -> DaysInAR:
    aging = aging or ar_aging(user, filters)
    window_start = filters.as_of - dt.timedelta(days=arithmetic.DAYS_IN_A_R_WINDOW - 1)
    charged = (
        charges_for(user, filters)
        .filter(service_date__gte=window_start, service_date__lte=filters.as_of)
        .aggregate(total=_sum("amount"))["total"]
    )
    return arithmetic.days_in_ar(aging.totals.total, charged)


# --- Denials ----------------------------------------------------------------------------------------------------------


@dataclass
class Denials:
    by_payer: list[Rate]
    by_carc: list[Rate]
    adjudicated: int
    denied: int

    @property
    def overall(self) -> Rate:
        return Rate("All payers", self.denied, self.adjudicated)


def _answers(user: Any, filters: ReportFilters) -> QuerySet[Posting]:
    """One posting per (remittance, claim): the first, claim-level one; not
    reversals; dated in the range; with whether it was a denial."""
    first = Posting.objects.filter(payment=OuterRef("payment"), claim=OuterRef("claim")).order_by("pk").values("pk")
    not_patients = (
        Posting.objects.filter(payment=OuterRef("payment"), claim=OuterRef("claim"))
        .values("payment")
        .annotate(amount=Sum(F("written_off") + F("other_adjustment")))
        .values("amount")
    )
    return (
        Posting.objects.filter(claim__in=claims_for(user, filters), is_reversal=False)
        .annotate(day=_posting_day())
        .filter(day__gte=filters.start, day__lte=filters.end, pk=Subquery(first[:1]))
        .annotate(adjusted=Coalesce(Subquery(not_patients, output_field=MONEY), Value(ZERO), output_field=MONEY))
        .annotate(
            denied=Case(
                When(Q(claim_status="4") | Q(paid__lte=0, adjusted__gt=0), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    )


def denial_rates(user: Any, filters: ReportFilters) -> Denials:
    from openiop.x12.remittance import describe_carc

    answers = _answers(user, filters)
    adjudicated_by_payer: dict[str, int] = {}
    denied_by_payer: dict[str, int] = {}
    for entry in answers.values("claim__payer__name").annotate(n=Count("pk"), denied_n=Sum("denied")).order_by():
        adjudicated_by_payer[entry["claim__payer__name"]] = entry["n"]
        denied_by_payer[entry["claim__payer__name"]] = entry["denied_n"] or 0
    adjudicated = sum(adjudicated_by_payer.values())
    denied = sum(denied_by_payer.values())

    # The reasons: read only the denials' adjustments (a JSON list per
    # posting, which neither database can group portably).
    denials = answers.filter(**{"denied": 1}).values("payment_id", "claim_id")  # an annotation
    reasons: dict[tuple[int, int], set[str]] = defaultdict(set)
    postings = Posting.objects.filter(
        claim__in=denials.values("claim_id"), payment__in=denials.values("payment_id")
    ).values_list("payment_id", "claim_id", "adjustments")
    wanted = {(entry["payment_id"], entry["claim_id"]) for entry in denials}
    for payment_id, claim_id, adjustments in postings:
        if (payment_id, claim_id) not in wanted:
            continue
        for adjustment in adjustments or []:
            if adjustment.get("group") != "PR":
                reasons[(payment_id, claim_id)].add(str(adjustment.get("reason", "")))
    denied_by_carc: dict[str, int] = defaultdict(int)
    for codes in reasons.values():
        for code in codes:
            denied_by_carc[code] += 1
    by_carc = arithmetic.denial_rates(
        denied_by_carc,
        dict.fromkeys(denied_by_carc, adjudicated),
        {code: describe_carc(code) for code in denied_by_carc},
    )
    by_payer = arithmetic.denial_rates(denied_by_payer, adjudicated_by_payer)
    return Denials(by_payer, by_carc, adjudicated, denied)


# --- Payments by month ------------------------------------------------------------------------------------------------


def payments_by_month(user: Any, filters: ReportFilters) -> list[MonthTotals]:
    """Insurance payments (835s, net of reversals) by the month the payer paid,
    and patients' payments (and financing, less refunds, net of reversals)
    by the month they were posted."""
    insurance = (
        Posting.objects.filter(claim__in=claims_for(user, filters), line__isnull=True)
        .annotate(day=_posting_day())
        .filter(day__gte=filters.start, day__lte=filters.end)
        .annotate(month=TruncMonth("day", output_field=DateField()))
        .values("month")
        .annotate(amount=_sum("paid"))
        .order_by()
    )
    patient: list[tuple[dt.date, Decimal]] = []
    if filters.payer is None:
        money_in = Q(kind__in=PATIENT_MONEY_IN)
        money_out = Q(kind=TransactionKind.REFUND)
        # A reversal undoes the transaction it reverses: its sign flips.
        sign = Case(
            When(money_in & Q(reverses__isnull=True), then=F("amount")),
            When(money_out & Q(reverses__isnull=False), then=F("amount")),
            default=-F("amount"),
            output_field=MONEY,
        )
        rows = (
            transactions_for(user, filters)
            .filter(money_in | money_out, posted_on__gte=filters.start, posted_on__lte=filters.end)
            .annotate(month=TruncMonth("posted_on", output_field=DateField()))
            .values("month")
            .annotate(amount=_sum(sign))
            .order_by()
        )
        patient = [(_as_date(entry["month"]), entry["amount"]) for entry in rows]
    return arithmetic.payments_by_month(
        filters.start,
        filters.end,
        [(_as_date(entry["month"]), entry["amount"]) for entry in insurance],
        patient,
    )


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
