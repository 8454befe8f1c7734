# SPDX-License-Identifier: AGPL-3.0-or-later
"""The revenue reports over a small program: two North patients (one with
Sunrise, one with Medicaid) and a South patient North's staff must not count.

As of 2026-06-30 (today):
- Sunrise: claim A1 sent 30 days ago, 250 owed (0-30); A2 sent 31 days ago,
  500 less 200 paid and 50 moved to the patient (31-60: 250); A3 denied
  CO-197 and written off; A0 paid 100 and CO-45 150 on 2026-01-02; an
  unbilled charge of 250 from 10 days ago (0-30).
- Medicaid: B1 sent 90 days ago, 300 owed (61-90); B0 paid 300 on 2025-12-31.
- The Sunrise patient paid 30 of their 50: the patients' row is 20 (0-30).
- South: C1, 1000 owed, and C2 denied CO-16, which North never sees.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from itertools import count
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.claims.models import Claim, Payment, Posting
from openiop.claims.tests.builders import make_patient, make_payer, per_diem, sent_claim
from openiop.core.roles import RoleCode
from openiop.insurance.models import Coverage, PayerKind
from openiop.ledger.models import LedgerTransaction, TransactionKind
from openiop.patients.models import Episode
from openiop.reports import selectors
from openiop.reports.selectors import ReportFilters
from openiop.sites.models import Site

TODAY = dt.date(2026, 6, 30)
YEAR = ReportFilters(as_of=TODAY, start=dt.date(2025, 7, 1), end=TODAY)
_numbers = count(1)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 6, 30, 16, 0, tzinfo=dt.UTC), tick=False):
        yield


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def claim(episode: Episode, number: str, *, sent: dt.date, days: list[dt.date], amount: str = "250.00") -> Claim:
    made = sent_claim(episode, number, days, amount=amount)
    Claim.objects.filter(pk=made.pk).update(created_at=dt.datetime.combine(sent, dt.time(16), tzinfo=dt.UTC))
    return made


def post(
    made: Claim, *, on: dt.date, paid: str, status: str = "1", adjustments: tuple[tuple[str, str, str], ...] = ()
) -> None:
    """What an 835 posts: a claim-level posting and, for the first line, a
    line posting repeating its share of the payment (never to be counted twice)."""
    amounts = {"CO": Decimal(0), "PR": Decimal(0), "OA": Decimal(0)}
    for group, _reason, amount in adjustments:
        amounts["PR" if group == "PR" else "CO" if group == "CO" else "OA"] += Decimal(amount)
    payment = Payment.objects.create(
        remittance_key=f"key-{next(_numbers)}",
        payer=made.payer,
        payer_name=made.payer.name,
        amount=Decimal(paid),
        paid_on=on,
        trace_number=f"T{next(_numbers)}",
    )
    Posting.objects.create(
        payment=payment,
        claim=made,
        claim_status=status,
        paid=Decimal(paid),
        written_off=amounts["CO"],
        patient_responsibility=amounts["PR"],
        other_adjustment=amounts["OA"],
        adjustments=[{"group": g, "reason": r, "amount": a} for g, r, a in adjustments],
    )
    Posting.objects.create(
        payment=payment, claim=made, line=made.lines.first(), claim_status=status, paid=Decimal(paid)
    )


@dataclass
class Program:
    sunrise_patient: Episode
    medicaid_patient: Episode


@pytest.fixture
def program(north: Site, south: Site) -> Program:
    sunrise = make_payer(north, "Sunrise Health Plan", payer_id="SHP01")
    medicaid = make_payer(north, "State Medicaid", kind=PayerKind.MEDICAID, payer_id="MCD01")
    a = make_patient(north, sunrise, diagnosis="", counsellor_npi="")
    b = make_patient(north, medicaid, diagnosis="", counsellor_npi="")
    c = make_patient(south, sunrise, diagnosis="", counsellor_npi="")

    claim(a, "A1", sent=ago(30), days=[ago(36)])
    a2 = claim(a, "A2", sent=ago(31), days=[ago(41), ago(40)])
    post(a2, on=ago(28), paid="200.00", adjustments=(("PR", "2", "50.00"),))
    a3 = claim(a, "A3", sent=ago(91), days=[ago(102)])
    post(a3, on=dt.date(2026, 4, 15), paid="0", status="4", adjustments=(("CO", "197", "250.00"),))
    a0 = claim(a, "A0", sent=dt.date(2025, 12, 15), days=[dt.date(2025, 12, 10)])
    post(a0, on=dt.date(2026, 1, 2), paid="100.00", adjustments=(("CO", "45", "150.00"),))
    per_diem(a, ago(10))  # ready, on no claim yet
    LedgerTransaction.objects.create(
        patient=a.patient, site=north, kind=TransactionKind.PATIENT_PAYMENT, amount=Decimal(30), posted_on=ago(20)
    )

    claim(b, "B1", sent=ago(90), days=[ago(92)], amount="300.00")
    b0 = claim(b, "B0", sent=dt.date(2025, 12, 1), days=[dt.date(2025, 11, 28)], amount="300.00")
    post(b0, on=dt.date(2025, 12, 31), paid="300.00")

    claim(c, "C1", sent=ago(10), days=[ago(12)], amount="1000.00")
    c2 = claim(c, "C2", sent=ago(10), days=[ago(13)])
    post(c2, on=ago(5), paid="0", status="4", adjustments=(("CO", "16", "250.00"),))
    LedgerTransaction.objects.create(
        patient=c.patient, site=south, kind=TransactionKind.PATIENT_PAYMENT, amount=Decimal(75), posted_on=ago(3)
    )
    return Program(a, b)


@pytest.fixture
def biller(persona: Callable[..., User]) -> User:
    return persona(RoleCode.BILLING_SPECIALIST)


def rows_of(aging: selectors.Aging) -> dict[str, dict[str, Decimal]]:
    return {row.label: {k: v for k, v in row.buckets.items() if v} for row in aging.rows}


def test_aging_buckets_each_payer_from_the_send_date_with_unbilled_and_the_patients_row(
    program: Program, biller: User
) -> None:
    # A secondary claim for the patient's 50: that stays in the patients' row
    # (as on the ledger) until the secondary payer pays, not counted twice.
    patient = program.sunrise_patient.patient
    second = make_payer(program.sunrise_patient.site, "Second Plan", payer_id="SEC01")
    coverage = Coverage.objects.create(
        patient=patient, payer=second, member_id="S1", effective_date=dt.date(2026, 1, 1), priority="secondary"
    )
    Claim.objects.create(
        patient=patient,
        site=program.sunrise_patient.site,
        payer=second,
        coverage=coverage,
        claim_type="837I",
        patient_control_number="A2S",
        statement_start=ago(41),
        statement_end=ago(40),
        total=Decimal("500.00"),
    )

    aging = selectors.ar_aging(biller, YEAR)

    assert rows_of(aging) == {
        "State Medicaid": {"61-90": Decimal("300.00")},
        "Sunrise Health Plan": {"0-30": Decimal("500.00"), "31-60": Decimal("250.00")},
        selectors.PATIENTS_LABEL: {"0-30": Decimal("20.00")},
    }
    assert aging.unbilled == {"Sunrise Health Plan": Decimal("250.00")}
    assert aging.totals.total == Decimal("1070.00")


def test_another_sites_claims_payments_and_denials_are_not_counted(
    program: Program, biller: User, persona: Callable[..., User], south: Site
) -> None:
    north_months = selectors.payments_by_month(biller, YEAR)
    assert sum(m.patient for m in north_months) == Decimal(30)
    assert "16" not in {rate.label for rate in selectors.denial_rates(biller, YEAR).by_carc}

    southerner = persona(RoleCode.BILLING_SPECIALIST, site=south)
    assert rows_of(selectors.ar_aging(southerner, YEAR)) == {
        "Sunrise Health Plan": {"0-30": Decimal("1000.00")},
        selectors.PATIENTS_LABEL: {},  # paid 75 with nothing asked: a credit ages nothing
    }
    assert [rate.label for rate in selectors.denial_rates(southerner, YEAR).by_carc] == ["16"]


def test_days_in_ar_divides_by_the_last_90_days_of_charges_or_says_there_were_none(
    program: Program, biller: User
) -> None:
    days = selectors.days_in_ar(biller, YEAR)
    # In the window: A1 250, A2 500 and the unbilled 250 (A3 and B1 are older).
    assert days.charges == Decimal("1000.00")
    assert days.days == Decimal("96.3")  # 1070 / (1000 / 90)

    before_anything = ReportFilters(as_of=dt.date(2025, 6, 1), start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 1))
    empty = selectors.days_in_ar(biller, before_anything)
    assert empty.days is None and "No charges in the period" in empty.explanation


def test_denial_rate_by_payer_and_by_carc_with_the_reasons_in_words(program: Program, biller: User) -> None:
    denials = selectors.denial_rates(biller, YEAR)

    assert [(r.label, r.denied, r.adjudicated) for r in denials.by_payer] == [
        ("Sunrise Health Plan", 1, 3),
        ("State Medicaid", 0, 1),
    ]
    assert denials.overall.percent == Decimal("25.0")
    (carc,) = denials.by_carc  # CO-45 on paid claims is no denial
    assert (carc.label, carc.denied, carc.adjudicated, carc.percent) == ("197", 1, 4, Decimal("25.0"))
    assert "authoriz" in carc.description.lower()


def test_payments_by_month_cross_the_year_and_count_each_remittance_once(program: Program, biller: User) -> None:
    months = {m.label: (m.insurance, m.patient) for m in selectors.payments_by_month(biller, YEAR) if m.total}

    assert months == {
        "2025-12": (Decimal("300.00"), Decimal(0)),
        "2026-01": (Decimal("100.00"), Decimal(0)),
        "2026-06": (Decimal("200.00"), Decimal("30.00")),
    }


def _text(cell: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", cell)).strip()


def _table(page: str, slug: str) -> list[list[str]]:
    """The page's table SLUG as rows of text, header first, as a CSV reads."""
    body = page.split(f'id="table-{slug}"', 1)[1].split("</table>", 1)[0]
    head = [_text(cell) for cell in re.findall(r"<th scope=\"col\">(.*?)</th>", body)]
    rows = [
        [_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.split("</thead>", 1)[1], re.S)
    ]
    return [head, *rows]


def test_the_page_draws_accessible_charts_and_each_csv_says_what_the_page_says(
    program: Program, biller: User, client: Client, django_assert_max_num_queries: Any
) -> None:
    client.force_login(biller)
    with django_assert_max_num_queries(60):  # sums, not a query per claim
        page = client.get(reverse("reports:index")).content.decode()

    charts = re.findall(r"<svg role=\"img\" aria-labelledby=\"(\S+)-title \S+-desc\"", page)
    assert charts == ["aging", "denials", "payments"]
    assert '<title id="aging-title">Accounts receivable by age, per payer</title>' in page
    assert "<title>Sunrise Health Plan, 31-60 days: $250.00</title>" in page

    exported = client.get(reverse("reports:export", args=["aging"]))
    assert exported["Content-Type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(exported.content.decode()))) == _table(page, "aging")
    assert "Alex" not in exported.content.decode()  # aggregate rows: no patient named
    payments = client.get(reverse("reports:export", args=["payments"]), {"start": "2025-07-01"}).content.decode()
    assert list(csv.reader(io.StringIO(payments))) == _table(page, "payments")
    event = AuditEvent.objects.filter(action="reports.export").latest("pk")
    assert event.data["report"] == "payments" and event.data["filters"]["start"] == "2025-07-01"


def test_filters_narrow_to_one_payer_and_a_wrong_filter_says_why_without_a_report(
    program: Program, biller: User, client: Client
) -> None:
    client.force_login(biller)
    medicaid = program.medicaid_patient.patient.coverages.get().payer
    page = client.get(reverse("reports:index"), {"payer": medicaid.pk}).content.decode()
    assert _table(page, "aging")[1][0] == "State Medicaid" and "Sunrise Health Plan</th>" not in page

    refused = client.get(reverse("reports:index"), {"as_of": "2026-07-01", "start": "2026-05-01", "end": "2026-04-01"})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "day still to come" in text and "cannot be before the first" in text and 'role="img"' not in text
    assert client.get(reverse("reports:export", args=["aging"]), {"as_of": "soon"}).status_code == 400
    assert client.get(reverse("reports:export", args=["secrets"])).status_code == 404


@pytest.mark.parametrize("role", [RoleCode.CLINICIAN, RoleCode.CLINICAL_DIRECTOR, RoleCode.FRONT_DESK])
def test_people_without_financial_duties_are_refused(
    role: str, persona: Callable[..., User], client: Client, north: Site
) -> None:
    client.force_login(persona(role))
    assert client.get(reverse("reports:index")).status_code == 403
    assert client.get(reverse("reports:export", args=["aging"])).status_code == 403
    assert reverse("reports:index") not in client.get(reverse("core:dashboard")).content.decode()  # no menu entry


def test_the_administrator_sees_the_reports_in_the_menu(alice: User, client: Client) -> None:
    client.force_login(alice)
    assert reverse("reports:index") in client.get(reverse("core:dashboard")).content.decode()
    assert client.get(reverse("reports:index")).status_code == 200
