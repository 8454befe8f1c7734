# SPDX-License-Identifier: AGPL-3.0-or-later
"""The Account tab and its forms: who sees and does what, payments refused
above the balance or with a card number, a double submit posting once, and
the statement PDF in English and Spanish with no diagnosis on it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.ledger.models import LedgerTransaction, TransactionKind
from openiop.ledger.selectors import ledger_for, patient_balance
from openiop.ledger.statements import TEMPLATE, statement_context
from openiop.ledger.tests.builders import Account, insured_account
from openiop.sites.models import Site


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def account(north: Site) -> Account:
    return insured_account(north)


@pytest.fixture
def front_desk(persona: Callable[..., User]) -> Client:
    return signed_in(persona(RoleCode.FRONT_DESK))


@pytest.fixture
def billing(persona: Callable[..., User]) -> Client:
    return signed_in(persona(RoleCode.BILLING_SPECIALIST))


def payment(client: Client, patient_pk: int, **fields: Any) -> Any:
    data = {"amount": "50.00", "method": "cash", "reference": "", "memo": "", "posted_on": "2026-03-20"}
    data["submission_key"] = str(uuid.uuid4())
    data.update(fields)
    return client.post(reverse("ledger:transaction_new", args=[patient_pk, "payment"]), data)


def test_the_front_desk_sees_the_tab_and_takes_a_payment_once_on_a_double_submit(
    account: Account, front_desk: Client
) -> None:
    patient = account.episode.patient
    page = front_desk.get(reverse("patients:chart", args=[patient.pk]) + "?tab=account")
    assert page.status_code == 200
    body = page.content.decode()
    assert "$295.00" in body and "Take a payment" in body
    assert "Sunrise Health Plan" in body and "Reverse" not in body and "Adjust" not in body
    key = str(uuid.uuid4())

    first = payment(front_desk, patient.pk, submission_key=key)
    again = payment(front_desk, patient.pk, submission_key=key)

    assert first.status_code == again.status_code == 302
    assert "$245.00" in front_desk.get(reverse("ledger:account", args=[patient.pk])).content.decode()
    assert LedgerTransaction.objects.filter(patient=patient).count() == 1
    assert patient_balance(patient.pk) == Decimal("245.00")
    assert AuditEvent.objects.filter(action="ledger.post", patient_id=str(patient.pk)).count() == 1


def test_a_payment_above_the_balance_or_with_a_card_number_is_refused_clearly(
    account: Account, front_desk: Client
) -> None:
    patient = account.episode.patient

    above = payment(front_desk, patient.pk, amount="300.00")
    card = payment(front_desk, patient.pk, method="card", reference="4111 1111 1111 1111")

    assert above.status_code == card.status_code == 200
    assert "$300.00 is more than the patient&#x27;s balance of $295.00." in above.content.decode()
    assert "looks like a card number" in card.content.decode()
    assert not LedgerTransaction.objects.exists()


def test_the_front_desk_may_not_adjust_refund_or_reverse(account: Account, front_desk: Client) -> None:
    patient = account.episode.patient
    row = LedgerTransaction.objects.create(
        patient=patient, site=patient.site, kind=TransactionKind.PATIENT_PAYMENT, amount=Decimal(10), method="cash"
    )
    for kind in ("adjustment", "refund"):
        assert front_desk.get(reverse("ledger:transaction_new", args=[patient.pk, kind])).status_code == 403
    assert front_desk.get(reverse("ledger:transaction_reverse", args=[patient.pk, row.pk])).status_code == 403


def test_billing_adjusts_and_reverses(account: Account, billing: Client) -> None:
    patient = account.episode.patient
    adjusted = billing.post(
        reverse("ledger:transaction_new", args=[patient.pk, "adjustment"]),
        {"amount": "15.00", "memo": "Prompt-pay discount", "posted_on": "2026-03-20", "submission_key": uuid.uuid4()},
    )
    assert adjusted.status_code == 302
    row = LedgerTransaction.objects.get()
    assert patient_balance(patient.pk) == Decimal("280.00")

    reversed_ = billing.post(
        reverse("ledger:transaction_reverse", args=[patient.pk, row.pk]),
        {"reason": "Discount given in error", "submission_key": uuid.uuid4()},
    )
    assert reversed_.status_code == 302
    assert patient_balance(patient.pk) == Decimal("295.00")
    assert AuditEvent.objects.filter(action="ledger.reverse").count() == 1

    # An award is reversed from Ways to pay (which gives the fund its money back), not here.
    award = LedgerTransaction.objects.create(
        patient=patient, site=patient.site, kind=TransactionKind.SCHOLARSHIP, amount=Decimal(20), method="fund"
    )
    refused = billing.get(reverse("ledger:transaction_reverse", args=[patient.pk, award.pk]), follow=True)
    assert "reversed from Ways to pay" in refused.content.decode()
    assert not LedgerTransaction.objects.filter(reverses=award).exists()


def test_a_clinician_has_no_account_tab_and_another_sites_patient_is_not_found(
    account: Account, bob: User, persona: Callable[..., User], south: Site
) -> None:
    patient = account.episode.patient
    clinician = signed_in(bob)
    chart = clinician.get(reverse("patients:chart", args=[patient.pk]) + "?tab=account")
    assert "?tab=account" not in chart.content.decode()
    assert clinician.get(reverse("ledger:account", args=[patient.pk])).status_code == 403
    assert clinician.get(reverse("ledger:statement", args=[patient.pk, 2026, 1])).status_code == 403

    south_billing = signed_in(persona(RoleCode.BILLING_SPECIALIST, site=south))
    assert south_billing.get(reverse("ledger:account", args=[patient.pk])).status_code == 404
    assert south_billing.get(reverse("ledger:statement", args=[patient.pk, 2026, 1])).status_code == 404
    assert payment(south_billing, patient.pk).status_code == 404


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_statement_renders_with_the_balance_and_no_diagnosis(
    account: Account, billing: Client, language: str
) -> None:
    patient = account.episode.patient
    query = "?lang=es" if language == "es" else ""

    response = billing.get(reverse("ledger:statement", args=[patient.pk, 2026, 1]) + query)

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    read = AuditEvent.objects.filter(action="record.read", data__view="ledger.statement").get()
    assert read.data["language"] == language and read.patient_id == str(patient.pk)
    ledger, names = ledger_for(patient.pk)
    with translation.override(language):
        html = render_to_string(TEMPLATE, statement_context(patient, ledger, names, 2026, 1, language))
    assert "$295.00" in html
    assert "F10" not in html and "H0015" not in html and "90837" not in html
    heading = {"en": "Amount you owe", "es": "Cantidad que debe"}[language]
    assert heading in html


def test_a_months_statement_carries_the_previous_balance_and_adds_up(account: Account) -> None:
    patient = account.episode.patient
    LedgerTransaction.objects.create(
        patient=patient,
        site=patient.site,
        kind=TransactionKind.PATIENT_PAYMENT,
        amount=Decimal(95),
        method="check",
        reference="1042",
        posted_on=dt.date(2026, 2, 10),
    )
    ledger, names = ledger_for(patient.pk)

    january = statement_context(patient, ledger, names, 2026, 1, "en")
    february = statement_context(patient, ledger, names, 2026, 2, "en")

    assert (january["previous_balance"], january["new_patient_charges"], january["amount_due"]) == (0, 295, 295)
    assert (january["total_charges"], january["insurance_paid_or_adjusted"], january["insurance_pending"]) == (
        1030,
        735,
        0,
    )
    assert (february["previous_balance"], february["payments_and_credits"], february["amount_due"]) == (295, 95, 200)
    for month in (january, february):
        assert (
            month["previous_balance"] + month["new_patient_charges"] - month["payments_and_credits"]
            == (month["amount_due"])
        )
    assert [line.description for line in february["lines"]] == ["Payment, thank you (reference 1042)"]
