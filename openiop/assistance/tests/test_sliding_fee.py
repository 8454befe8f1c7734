# SPDX-License-Identifier: AGPL-3.0-or-later
"""Income attestations and the sliding fee on the ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openiop.accounts.models import User
from openiop.assistance import services
from openiop.assistance.models import IncomeAttestation, SlidingFeeDiscount
from openiop.audit.models import AuditEvent
from openiop.billing.models import Charge, ChargeStatus
from openiop.ledger.models import LedgerTransaction, TransactionKind
from openiop.ledger.selectors import patient_balance
from openiop.patients.models import Patient

from .conftest import TODAY


def attest(biller: User, patient: Patient, income: str, household: int = 1, **fields: object) -> IncomeAttestation:
    values: dict[str, object] = {"attested_on": TODAY, "saw_tax_return": True}
    values.update(fields)
    return services.attestation_record(
        actor=biller, patient=patient, household_size=household, annual_income=Decimal(income), **values
    )


@pytest.mark.parametrize(
    ("state", "income", "discount"),
    [
        ("MA", "15960.00", "100"),  # exactly 100% of the 2026 48-state guideline
        ("MA", "15960.01", "75"),
        ("AK", "19950.00", "100"),  # Alaska's own guideline
        ("AK", "19950.01", "75"),
        ("HI", "27540.00", "75"),  # exactly 150% of Hawaii's 18,360
        ("HI", "27540.01", "50"),
    ],
)
def test_the_attestation_takes_the_guideline_of_the_sites_region_from_the_database(
    biller: User, patient: Patient, state: str, income: str, discount: str
) -> None:
    patient.site.state = state
    patient.site.save(update_fields=["state"])
    attestation = attest(biller, patient, income)
    assert attestation.region == ("48" if state == "MA" else state)
    assert attestation.guideline_year == 2026
    assert attestation.discount_percent == Decimal(discount)
    assert attestation.valid_until == dt.date(2027, 3, 5)
    event = AuditEvent.objects.get(action="assistance.attestation_record")
    assert event.patient_id == str(patient.pk)
    assert event.data["discount_percent"] == str(attestation.discount_percent)


def test_a_household_of_8_at_200_percent_gets_half_off(biller: User, patient: Patient) -> None:
    attestation = attest(biller, patient, str((15960 + 7 * 5680) * 2), household=8)
    assert attestation.discount_percent == Decimal(50)
    assert attestation.percent_of_guideline == Decimal("200.0")


def test_an_attestation_names_the_documents_seen_or_the_reason_there_were_none(biller: User, patient: Patient) -> None:
    with pytest.raises(ValidationError) as nothing_seen:
        attest(biller, patient, "20000.00", saw_tax_return=False)
    assert "saw_pay_stub" in nothing_seen.value.error_dict
    with pytest.raises(ValidationError) as no_reason:
        attest(biller, patient, "20000.00", saw_tax_return=False, self_attested=True)
    assert "self_attestation_reason" in no_reason.value.error_dict
    assert not IncomeAttestation.objects.exists()
    attestation = attest(
        biller, patient, "0.00", saw_tax_return=False, self_attested=True, self_attestation_reason="No income; homeless"
    )
    assert attestation.documents == ["self-attestation"]


def test_applying_the_sliding_fee_twice_discounts_each_self_pay_charge_once(
    biller: User, patient: Patient, charge: Callable[..., Charge]
) -> None:
    first, second = charge("200.00", days_ago=6), charge("140.00", days_ago=5)
    voided = charge("250.00", days_ago=4, status=ChargeStatus.VOIDED, voided_at=timezone.now())
    attest(biller, patient, "20000.00")  # 125% of the guideline: 75% off
    applied = services.sliding_fee_apply(actor=biller, patient=patient)
    assert sorted((d.charge_id, d.amount) for d in applied) == [
        (first.pk, Decimal("150.00")),
        (second.pk, Decimal("105.00")),
    ]
    assert patient_balance(patient.pk) == Decimal("85.00")
    assert services.sliding_fee_apply(actor=biller, patient=patient) == []
    assert LedgerTransaction.objects.filter(kind=TransactionKind.SLIDING_FEE).count() == 2
    assert patient_balance(patient.pk) == Decimal("85.00")
    assert not SlidingFeeDiscount.objects.filter(charge=voided).exists()
    later = charge("30.00", days_ago=1, code="80305")
    assert [d.charge_id for d in services.sliding_fee_apply(actor=biller, patient=patient)] == [later.pk]
    assert AuditEvent.objects.filter(action="assistance.sliding_fee_apply", patient_id=str(patient.pk)).count() == 3


def test_an_expired_attestation_is_refused_and_nothing_is_posted(
    biller: User, patient: Patient, charge: Callable[..., Charge]
) -> None:
    charge("200.00")
    with pytest.raises(ValidationError, match="Record an income attestation"):
        services.sliding_fee_apply(actor=biller, patient=patient)
    attest(biller, patient, "10000.00", attested_on=TODAY - dt.timedelta(days=400))
    with pytest.raises(ValidationError, match="lapsed on 01/29/2026"):
        services.sliding_fee_apply(actor=biller, patient=patient)
    assert not LedgerTransaction.objects.exists()
    assert patient_balance(patient.pk) == Decimal("200.00")


def test_a_discount_never_takes_the_balance_below_zero_and_is_reversed_with_its_voided_charge(
    biller: User, patient: Patient, charge: Callable[..., Charge]
) -> None:
    voided_later = charge("100.00", days_ago=3)
    attest(biller, patient, "10000.00")  # 100% off
    [discount] = services.sliding_fee_apply(actor=biller, patient=patient)
    assert patient_balance(patient.pk) == Decimal("0.00")
    Charge.objects.filter(pk=voided_later.pk).update(status=ChargeStatus.VOIDED, voided_at=timezone.now())
    assert services.sliding_fee_apply(actor=biller, patient=patient) == []
    discount.refresh_from_db()
    assert discount.reversal is not None and discount.reversal.reverses_id == discount.transaction_id
    assert patient_balance(patient.pk) == Decimal("0.00")


def test_the_same_attestation_sent_twice_is_recorded_once(biller: User, patient: Patient) -> None:
    first = attest(biller, patient, "20000.00", household=2)
    again = attest(biller, patient, "20000.00", household=2)
    corrected = attest(biller, patient, "21000.00", household=2)
    assert again.pk == first.pk and corrected.pk != first.pk
    assert IncomeAttestation.objects.filter(patient=patient).count() == 2
