# SPDX-License-Identifier: AGPL-3.0-or-later
"""Payment plans (schedule, payments, missed installments, reminders) and
scholarship and grant funds (budget, balance, reversal)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from openiop.accounts.models import User
from openiop.assistance import jobs, services
from openiop.assistance.models import BillingContact, Fund, FundKind, PaymentPlan, PlanStatus
from openiop.audit.models import AuditEvent
from openiop.billing.models import Charge
from openiop.ledger import services as ledger
from openiop.ledger.models import PaymentMethod, TransactionKind
from openiop.ledger.selectors import patient_balance
from openiop.patients.models import Patient

from .conftest import TODAY

# Words that would tell a reader of the patient's mailbox what the care is.
CLINICAL_WORDS = [
    "treatment", "substance", "recovery", "opioid", "alcohol", "drug", "addiction", "therapy", "counsel",
    "intensive", "outpatient", "iop", "diagnos", "90834", "session", "group", "north site", "clinic",
]  # fmt: skip


def pay(biller: User, patient: Patient, amount: str, on: dt.date = TODAY) -> None:
    ledger.transaction_post(
        actor=biller,
        patient=patient,
        kind=TransactionKind.PATIENT_PAYMENT,
        amount=Decimal(amount),
        posted_on=on,
        method=PaymentMethod.CASH,
    )


def plan(
    biller: User, patient: Patient, amount: str = "300.00", months: int = 3, first_due: dt.date = TODAY
) -> PaymentPlan:
    return services.plan_create(
        actor=biller, patient=patient, amount=Decimal(amount), months=months, first_due=first_due
    )


@pytest.mark.parametrize("months", [0, 600])
def test_a_plan_of_0_or_600_months_is_refused_and_nothing_is_kept(
    biller: User, patient: Patient, charge: Callable[..., Charge], months: int
) -> None:
    charge("300.00")
    with pytest.raises(ValidationError) as refused:
        plan(biller, patient, months=months)
    assert refused.value.message_dict["months"] == [
        f"A payment plan runs from 1 to 60 months; {months} is outside that."
    ]
    assert not PaymentPlan.objects.exists()


def test_a_plan_larger_than_the_balance_is_refused_with_the_balance(
    biller: User, patient: Patient, charge: Callable[..., Charge]
) -> None:
    charge("300.00")
    with pytest.raises(ValidationError) as refused:
        plan(biller, patient, amount="300.01")
    assert refused.value.message_dict["amount"] == ["A plan cannot be for more than the patient's balance of $300.00."]


def test_payments_fill_the_installments_in_order_and_missed_ones_are_flagged_once(
    biller: User, patient: Patient, charge: Callable[..., Charge]
) -> None:
    charge("100.00")
    made = plan(biller, patient, amount="100.00", months=3, first_due=TODAY + dt.timedelta(days=10))
    assert [item.amount for item in made.installments.all()] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    pay(biller, patient, "40.00")
    # Seven weeks on: the first installment (15 March) is paid, the second (15 April) only in part.
    later = TODAY + dt.timedelta(days=50)
    result = jobs.payment_plans_check(today=later)
    assert result.missed == 1
    missed = [item.number for item in made.installments.all() if item.missed_at]
    assert missed == [2]
    assert jobs.payment_plans_check(today=later).missed == 0
    assert AuditEvent.objects.filter(action="assistance.installment_missed").count() == 1
    pay(biller, patient, "60.00")
    assert jobs.payment_plans_check(today=later).completed == 1
    made.refresh_from_db()
    assert made.status == PlanStatus.COMPLETED


def test_one_reminder_per_installment_with_no_clinical_content(
    biller: User, patient: Patient, charge: Callable[..., Charge]
) -> None:
    BillingContact.objects.create(
        organization=patient.organization, billing_name="TRS Billing", phone="617-555-0100", how_to_pay="call us"
    )
    charge("200.00")
    plan(biller, patient, amount="200.00", months=2, first_due=TODAY + dt.timedelta(days=3))
    assert jobs.payment_plans_check(today=TODAY).reminders == 1
    assert jobs.payment_plans_check(today=TODAY + dt.timedelta(days=1)).reminders == 0
    [message] = mail.outbox
    assert message.to == ["tom@example.invalid"]
    assert message.subject == "Payment reminder from TRS Billing"
    assert "$100.00" in message.body and "March 8, 2026" in message.body and "617-555-0100" in message.body
    text = f"{message.subject}\n{message.body}".lower()
    assert [word for word in CLINICAL_WORDS if word in text] == []
    assert patient.organization.name.lower() not in text  # "Test Recovery Services"
    # The second installment's reminder comes in its own window, once.
    second_window = TODAY + dt.timedelta(days=31)
    assert jobs.payment_plans_check(today=second_window).reminders == 1
    assert jobs.payment_plans_check(today=second_window).reminders == 0
    assert len(mail.outbox) == 2


# --- Funds ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def fund(patient: Patient, biller: User) -> Fund:
    return services.fund_create(
        actor=biller,
        organization=patient.organization,
        name="State opioid response grant",
        kind=FundKind.GRANT,
        budget=Decimal("500.00"),
        starts_on=TODAY - dt.timedelta(days=60),
        ends_on=TODAY + dt.timedelta(days=300),
    )


def test_a_fund_sent_twice_is_refused_but_the_same_grant_may_be_renewed_for_another_period(
    fund: Fund, biller: User, patient: Patient
) -> None:
    values: dict[str, Any] = {"actor": biller, "organization": patient.organization, "kind": FundKind.GRANT,
                              "budget": Decimal("500.00")}  # fmt: skip
    with pytest.raises(ValidationError, match="already runs from") as refused:
        services.fund_create(name="STATE opioid response grant ", starts_on=TODAY, ends_on=TODAY, **values)
    assert "name" in refused.value.message_dict
    renewed = services.fund_create(
        name=fund.name, starts_on=fund.ends_on + dt.timedelta(days=1), ends_on=fund.ends_on + dt.timedelta(days=365),
        **values,
    )  # fmt: skip
    assert list(Fund.objects.order_by("pk")) == [fund, renewed]


def test_an_award_larger_than_the_funds_remaining_budget_or_the_balance_is_refused(
    biller: User, patient: Patient, fund: Fund, charge: Callable[..., Charge]
) -> None:
    charge("450.00")
    with pytest.raises(ValidationError) as over_balance:
        services.award_create(actor=biller, fund=fund, patient=patient, amount=Decimal("450.01"), reason="Hardship")
    assert over_balance.value.message_dict["amount"] == [
        "The patient's balance is $450.00; the award cannot be larger."
    ]
    award = services.award_create(actor=biller, fund=fund, patient=patient, amount=Decimal("400.00"), reason="Hardship")
    assert award.transaction.kind == TransactionKind.SCHOLARSHIP
    assert patient_balance(patient.pk) == Decimal("50.00")
    assert services.fund_awarded(fund) == Decimal("400.00")
    charge("300.00", days_ago=2)
    with pytest.raises(ValidationError) as over_budget:
        services.award_create(actor=biller, fund=fund, patient=patient, amount=Decimal("100.01"), reason="Hardship")
    assert over_budget.value.message_dict["amount"] == ["The fund has $100.00 left; the award cannot be larger."]


def test_reversing_an_award_restores_the_budget_and_the_balance(
    biller: User, patient: Patient, fund: Fund, charge: Callable[..., Charge]
) -> None:
    charge("450.00")
    award = services.award_create(actor=biller, fund=fund, patient=patient, amount=Decimal("300.00"), reason="Hardship")
    services.award_reverse(actor=biller, award=award, reason="Given from the wrong fund")
    assert services.fund_awarded(fund) == Decimal("0.00")
    assert patient_balance(patient.pk) == Decimal("450.00")
    with pytest.raises(ValidationError, match="already reversed"):
        services.award_reverse(actor=biller, award=award, reason="Again")
    assert AuditEvent.objects.filter(action="assistance.award_reverse", patient_id=str(patient.pk)).count() == 1


def test_a_closed_fund_or_another_sites_fund_pays_nothing(
    biller: User, patient: Patient, fund: Fund, charge: Callable[..., Charge], south: object
) -> None:
    charge("450.00")
    Fund.objects.filter(pk=fund.pk).update(ends_on=TODAY - dt.timedelta(days=1))
    fund.refresh_from_db()
    with pytest.raises(ValidationError) as closed:
        services.award_create(actor=biller, fund=fund, patient=patient, amount=Decimal("10.00"), reason="Hardship")
    assert "pays awards from" in closed.value.message_dict["fund"][0]
    Fund.objects.filter(pk=fund.pk).update(ends_on=TODAY + dt.timedelta(days=10), site=south)
    fund.refresh_from_db()
    with pytest.raises(ValidationError) as elsewhere:
        services.award_create(actor=biller, fund=fund, patient=patient, amount=Decimal("10.00"), reason="Hardship")
    assert elsewhere.value.message_dict["fund"] == ["This fund is not for this patient's site."]


def test_the_monthly_statement_carries_the_plans_next_payment_and_what_is_past_due(
    biller: User, patient: Patient, charge: Callable[..., Charge]
) -> None:
    from django.utils import translation

    from openiop.assistance.selectors import statement_note
    from openiop.ledger.statements import STATEMENT_NOTES

    assert statement_note in STATEMENT_NOTES
    charge("100.00")
    plan(biller, patient, amount="100.00", months=3, first_due=TODAY + dt.timedelta(days=10))
    pay(biller, patient, "20.00")
    april = (dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert statement_note(patient, *april) == (
        "Payment plan: $80.00 left of $100.00. Next payment: $33.33 due 05/15/2026. Past due: $46.67."
    )
    with translation.override("es"):
        assert statement_note(patient, *april) == (
            "Plan de pagos: quedan $80.00 de $100.00. Próximo pago: $33.33, vence el 05/15/2026. Vencido: $46.67."
        )
