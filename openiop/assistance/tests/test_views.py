# SPDX-License-Identifier: AGPL-3.0-or-later
"""The "Ways to pay" chart tab, its forms and the funds page: who sees what,
and bad input shown back with its reason."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.assistance import services
from openiop.assistance.models import Award, Fund, FundKind, IncomeAttestation, PaymentPlan
from openiop.billing.models import Charge
from openiop.ledger.models import LedgerTransaction, TransactionKind
from openiop.patients.models import Patient

from .conftest import TODAY


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def tab_url(patient: Patient) -> str:
    return reverse("patients:chart", args=[patient.pk]) + "?tab=ways_to_pay"


def test_the_billing_specialist_records_an_attestation_and_applies_the_sliding_fee_from_the_tab(
    biller: User, patient: Patient, charge: Callable[..., Charge]
) -> None:
    charge("200.00")
    client = signed_in(biller)
    response = client.post(
        reverse("assistance:attestation_add", args=[patient.pk]),
        {"household_size": "1", "annual_income": "20000", "saw_pay_stub": "on", "attested_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    page = client.get(tab_url(patient)).content.decode()
    assert "Discount tier: 75% off self-pay charges." in page
    assert "Valid until 2027-03-05." in page
    assert "Apply the sliding fee to 1 self-pay charge" in page
    client.post(reverse("assistance:sliding_fee_apply", args=[patient.pk]))
    page = client.get(tab_url(patient)).content.decode()
    assert "Patient balance today: $50.00." in page
    assert "Every self-pay charge has its sliding fee." in page


def test_a_plan_of_600_months_is_shown_back_with_its_reason_and_what_was_typed(
    biller: User, patient: Patient, charge: Callable[..., Charge]
) -> None:
    charge("300.00")
    response = signed_in(biller).post(
        reverse("assistance:plan_add", args=[patient.pk]),
        {"amount": "250.00", "months": "600", "first_due": (TODAY + dt.timedelta(days=7)).isoformat()},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "A payment plan runs from 1 to 60 months; 600 is outside that." in page
    assert 'value="250.00"' in page and 'value="600"' in page
    assert not PaymentPlan.objects.exists()


def test_the_tab_shows_the_plans_schedule_and_a_lapsed_attestation_flagged(
    biller: User, patient: Patient, charge: Callable[..., Charge]
) -> None:
    charge("100.00")
    services.attestation_record(
        actor=biller,
        patient=patient,
        household_size=2,
        annual_income=Decimal("30000"),
        attested_on=TODAY - dt.timedelta(days=370),
        saw_benefits_letter=True,
    )
    services.plan_create(
        actor=biller, patient=patient, amount=Decimal("100.00"), months=3, first_due=TODAY + dt.timedelta(days=7)
    )
    page = signed_in(biller).get(tab_url(patient)).content.decode()
    assert "re-verification due" in page
    assert "$100.00 over 3 months" in page
    assert "$33.34" in page and "2026-05-12" in page


def test_a_clinician_sees_neither_the_tab_nor_the_forms_nor_the_funds(
    bob: User, patient: Patient, front_desk: User
) -> None:
    client = signed_in(bob)
    assert "Ways to pay" not in client.get(tab_url(patient)).content.decode()
    assert client.get(reverse("assistance:attestation_add", args=[patient.pk])).status_code == 403
    assert client.get(reverse("assistance:funds")).status_code == 403
    # The front desk sees the tab but not the forms.
    desk = signed_in(front_desk)
    page = desk.get(tab_url(patient)).content.decode()
    assert "Ways to pay" in page and "Record income attestation" not in page
    assert desk.get(reverse("assistance:plan_add", args=[patient.pk])).status_code == 403
    assert IncomeAttestation.objects.count() == 0


def test_another_sites_patient_is_not_found(persona: Callable[..., User], south: object, patient: Patient) -> None:
    elsewhere = persona("billing_specialist", site=south, username="sam")
    client = signed_in(elsewhere)
    assert client.get(reverse("assistance:attestation_add", args=[patient.pk])).status_code == 404
    assert client.post(reverse("assistance:sliding_fee_apply", args=[patient.pk])).status_code == 404


def test_the_funds_page_shows_budget_awarded_and_remaining_and_is_in_the_menu(
    biller: User, alice: User, patient: Patient, charge: Callable[..., Charge]
) -> None:
    charge("450.00")
    fund = services.fund_create(
        actor=biller,
        organization=patient.organization,
        name="Foundation scholarship",
        kind=FundKind.SCHOLARSHIP,
        budget=Decimal("1000.00"),
        starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=365),
    )
    services.award_create(actor=biller, fund=fund, patient=patient, amount=Decimal("250.00"), reason="Hardship")
    page = signed_in(alice).get(reverse("assistance:funds")).content.decode()
    assert "Foundation scholarship" in page
    assert "$1,000.00" in page and "$250.00" in page and "$750.00" in page
    client = signed_in(biller)
    assert reverse("assistance:funds") in client.get(reverse("core:dashboard")).content.decode()
    form = client.get(reverse("assistance:award_add", args=[patient.pk])).content.decode()
    assert "Foundation scholarship ($750.00 left)" in form
    response = client.post(
        reverse("assistance:award_add", args=[patient.pk]),
        {"fund": fund.pk, "amount": "200.01", "reason": "Hardship", "submission_key": str(uuid.uuid4())},
    )
    assert "The patient&#x27;s balance is $200.00; the award cannot be larger." in response.content.decode()


def test_an_award_form_sent_twice_posts_one_award(
    biller: User, patient: Patient, charge: Callable[..., Charge]
) -> None:
    charge("450.00")
    fund = services.fund_create(
        actor=biller,
        organization=patient.organization,
        name="Foundation scholarship",
        kind=FundKind.SCHOLARSHIP,
        budget=Decimal("1000.00"),
        starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=365),
    )
    client = signed_in(biller)
    url = reverse("assistance:award_add", args=[patient.pk])
    key = re.search(r'name="submission_key" value="([0-9a-f-]+)"', client.get(url).content.decode())
    assert key is not None
    sent = {"fund": fund.pk, "amount": "100.00", "reason": "Hardship", "submission_key": key.group(1)}

    first, second = client.post(url, sent), client.post(url, sent, follow=True)

    assert first.status_code == 302
    assert "nothing was posted twice" in second.content.decode()
    assert Award.objects.filter(patient=patient).count() == 1
    assert LedgerTransaction.objects.filter(patient=patient, kind=TransactionKind.SCHOLARSHIP).count() == 1
    assert client.post(url, {**sent, "submission_key": ""}).status_code == 200  # a form without its key saves nothing
    assert Award.objects.filter(patient=patient).count() == 1


def test_a_fund_form_with_an_end_before_its_start_keeps_what_was_typed(biller: User) -> None:
    response = signed_in(biller).post(
        reverse("assistance:fund_add"),
        {
            "name": "SOR grant",
            "kind": "grant",
            "budget": "5000",
            "starts_on": "2026-06-01",
            "ends_on": "2026-01-01",
        },
    )
    page = response.content.decode()
    assert "The fund cannot end before it starts." in page
    assert 'value="SOR grant"' in page
    assert not Fund.objects.exists()
