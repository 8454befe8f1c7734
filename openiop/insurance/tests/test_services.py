# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from openiop.accounts.models import User
from openiop.admissions import pipeline
from openiop.admissions.services import inquiry_create, inquiry_move
from openiop.audit.models import AuditEvent
from openiop.core.locking import StaleEditError
from openiop.insurance import selectors, services, signals
from openiop.insurance.models import (
    AuthorizationStatus,
    ControlNumberCounter,
    Coverage,
    CoveragePriority,
    CoverageToEnter,
    EligibilityStatus,
    Payer,
    PayerService,
    SubscriberRelation,
)
from openiop.patients.models import LevelOfCare, Patient
from openiop.sites.models import Site

from .conftest import TODAY

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Received:
    def __init__(self, signal: Any) -> None:
        self.calls: list[dict[str, Any]] = []
        self.signal = signal

    def __call__(self, sender: Any, **kwargs: Any) -> None:
        self.calls.append(kwargs)

    def __enter__(self) -> Received:
        self.signal.connect(self, weak=False)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.signal.disconnect(self)


# --- Payers -----------------------------------------------------------------------------------------------------------


def test_a_new_payer_bills_sud_iop_as_0906_h0015_on_an_837i_unless_told_otherwise(payer: Payer, north: Site) -> None:
    setup = PayerService.objects.get(payer=payer)
    assert (setup.level_of_care, setup.claim_type, setup.revenue_code, setup.procedure_code) == (
        LevelOfCare.IOP,
        "837I",
        "0906",
        "H0015",
    )
    professional = services.payer_create(
        actor=None,
        organization=north.organization,
        name="Tricare East",
        payer_id="TRI99",
        services=[services.ServiceSetup(LevelOfCare.IOP, "837P", "", "H0015")],
    )
    assert professional.services.get().claim_type == "837P"


def test_a_payer_with_a_taken_payer_id_or_no_per_diem_minimum_is_refused(payer: Payer, north: Site) -> None:
    with pytest.raises(ValidationError, match="already has the payer ID"):
        services.payer_create(actor=None, organization=north.organization, name="Other", payer_id="bs001")
    with pytest.raises(ValidationError, match="minimum of minutes per day or per week"):
        services.payer_create(
            actor=None,
            organization=north.organization,
            name="Nothing Plan",
            payer_id="NP1",
            per_diem_min_minutes_per_day=0,
            per_diem_min_minutes_per_week=0,
        )
    with pytest.raises(ValidationError, match="institutional claim needs a revenue code"):
        services.payer_create(
            actor=None,
            organization=north.organization,
            name="Half Set Up",
            payer_id="HS1",
            services=[services.ServiceSetup(LevelOfCare.IOP, "837I", "", "H0015")],
        )
    assert list(Payer.objects.values_list("name", flat=True)) == ["Blue Shield"]


# --- Coverage ---------------------------------------------------------------------------------------------------------


def test_a_coverage_is_saved_audited_and_announced(patient: Patient, payer: Payer, biller: User) -> None:
    with Received(signals.coverage_changed) as received:
        coverage = services.coverage_create(
            actor=biller, patient=patient, payer=payer, member_id=" abc-123 ", effective_date=TODAY
        )
    assert coverage.member_id == "ABC-123"
    assert received.calls == [{"signal": signals.coverage_changed, "patient_id": patient.pk}]
    assert AuditEvent.objects.filter(action="coverage.create", patient_id=str(patient.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"end_date": TODAY - dt.timedelta(days=1)}, "ends before it starts"),
        ({"member_id": "XYZ 123"}, "letters, digits or hyphens"),
        ({"member_id": "XYZ#123"}, "letters, digits or hyphens"),
        ({"relation_to_subscriber": SubscriberRelation.CHILD}, "subscriber's name and date of birth"),
        ({"coinsurance_percent": Decimal("120")}, "less than or equal to 100"),
    ],
)
def test_bad_coverage_input_gets_a_clear_message_and_saves_nothing(
    patient: Patient, payer: Payer, biller: User, fields: dict[str, Any], message: str
) -> None:
    values: dict[str, Any] = {"payer": payer, "member_id": "XYZ123", "effective_date": TODAY} | fields
    with Received(signals.coverage_changed) as received, pytest.raises(ValidationError, match=message):
        services.coverage_create(actor=biller, patient=patient, **values)
    assert not Coverage.objects.exists()
    assert received.calls == []


def test_two_primaries_in_force_on_the_same_day_are_refused_but_a_secondary_is_fine(
    coverage: Coverage, medicaid: Payer, biller: User
) -> None:
    with pytest.raises(ValidationError, match="already the primary coverage"):
        services.coverage_create(
            actor=biller,
            patient=coverage.patient,
            payer=medicaid,
            member_id="M1",
            effective_date=TODAY + dt.timedelta(days=30),
        )
    services.coverage_create(
        actor=biller,
        patient=coverage.patient,
        payer=medicaid,
        member_id="M12",
        priority=CoveragePriority.SECONDARY,
        effective_date=TODAY,
    )
    # Once the first ends, a new primary may start the day after.
    services.coverage_update(
        actor=biller, coverage=coverage, expected_version=1, end_date=TODAY + dt.timedelta(days=29)
    )
    services.coverage_create(
        actor=biller,
        patient=coverage.patient,
        payer=medicaid,
        member_id="M1",
        effective_date=TODAY + dt.timedelta(days=30),
    )
    assert Coverage.objects.filter(priority=CoveragePriority.PRIMARY).count() == 2


def test_a_stale_coverage_edit_is_refused_and_saves_nothing(coverage: Coverage, biller: User) -> None:
    services.coverage_update(actor=biller, coverage=coverage, expected_version=1, plan_name="HMO Silver")
    with pytest.raises(StaleEditError, match="Someone else changed this record"):
        services.coverage_update(actor=biller, coverage=coverage, expected_version=1, group_number="G-9")
    coverage.refresh_from_db()
    assert (coverage.plan_name, coverage.group_number, coverage.version) == ("HMO Silver", "", 2)


def test_self_pay_is_no_primary_coverage_in_force(coverage: Coverage, biller: User) -> None:
    patient_id = coverage.patient_id
    assert selectors.coverage_in_force(patient_id, TODAY) == coverage
    assert selectors.is_self_pay(patient_id, coverage.effective_date - dt.timedelta(days=1))
    services.coverage_update(actor=biller, coverage=coverage, expected_version=1, end_date=TODAY)
    assert selectors.is_self_pay(patient_id, TODAY + dt.timedelta(days=1))
    assert selectors.coverages_in_force([patient_id], TODAY, TODAY + dt.timedelta(days=5)) == {patient_id: [coverage]}


def test_card_images_are_checked_by_their_bytes_and_size(coverage: Coverage, biller: User) -> None:
    with pytest.raises(ValidationError, match="JPEG or PNG photo, or a PDF"):
        services.coverage_card_attach(
            actor=biller,
            coverage=coverage,
            side="front",
            upload=SimpleUploadedFile("card.png", b"<html>not an image</html>"),
            expected_version=1,
        )
    with pytest.raises(ValidationError, match="larger than 2 MB"):
        services.coverage_card_attach(
            actor=biller,
            coverage=coverage,
            side="front",
            upload=SimpleUploadedFile("card.png", PNG + b"\x00" * services.CARD_MAX_BYTES),
            expected_version=1,
        )
    saved = services.coverage_card_attach(
        actor=biller, coverage=coverage, side="back", upload=SimpleUploadedFile("x.png", PNG), expected_version=1
    )
    assert saved.card_back.name.endswith(".png") and "x.png" not in saved.card_back.name
    assert saved.card_back.read() == PNG
    assert saved.version == 2


# --- Carry-over at admission ------------------------------------------------------------------------------------------


def _admit(site: Site, navigator: User, **insurance: str) -> Any:
    inquiry = inquiry_create(
        actor=navigator,
        site=site,
        caller_name="Rosa Diaz",
        first_name="Tom",
        last_name="Diaz",
        birth_date=dt.date(1990, 4, 2),
        phone="617-555-0199",
        consent_to_contact=True,
        **insurance,
    )
    # Straight to the last step before admission (booking the assessment is admissions' business).
    type(inquiry).objects.filter(pk=inquiry.pk).update(stage=pipeline.FORWARD[-2])
    inquiry.refresh_from_db()
    return inquiry_move(actor=navigator, inquiry=inquiry, to_stage=pipeline.ADMITTED)


def test_the_inquirys_insurance_becomes_the_primary_coverage_at_admission(
    payer: Payer, north: Site, navigator: User
) -> None:
    inquiry = _admit(
        north, navigator, insurance_payer="blue shield", insurance_member_id="XYZ555", insurance_plan="PPO"
    )
    coverage = Coverage.objects.get(patient=inquiry.patient)
    assert (coverage.payer, coverage.member_id, coverage.plan_name, coverage.priority) == (
        payer,
        "XYZ555",
        "PPO",
        "primary",
    )
    assert coverage.effective_date == TODAY and coverage.inquiry_id == inquiry.pk


@pytest.mark.parametrize(
    ("payer_name", "member_id", "reason"),
    [("Acme Health", "XYZ555", "No active payer"), ("BS001", "XYZ 555!", "letters, digits or hyphens")],
)
def test_an_insurer_that_cannot_be_carried_over_is_listed_to_enter(
    payer: Payer, north: Site, navigator: User, biller: User, payer_name: str, member_id: str, reason: str
) -> None:
    inquiry = _admit(north, navigator, insurance_payer=payer_name, insurance_member_id=member_id)
    assert not Coverage.objects.exists()
    [entry] = selectors.coverage_to_complete(biller)
    assert entry.patient == inquiry.patient and reason in entry.reason
    services.coverage_create(
        actor=biller, patient=inquiry.patient, payer=payer, member_id="XYZ555", effective_date=TODAY
    )
    assert selectors.coverage_to_complete(biller) == []


def test_an_inquiry_without_insurance_leaves_the_patient_self_pay(north: Site, navigator: User, biller: User) -> None:
    inquiry = _admit(north, navigator)
    assert selectors.is_self_pay(inquiry.patient.pk, TODAY)
    assert not CoverageToEnter.objects.exists()


# --- Authorizations ---------------------------------------------------------------------------------------------------


def _authorization(coverage: Coverage, actor: User, **fields: Any) -> Any:
    values: dict[str, Any] = {
        "coverage": coverage,
        "number": "AUTH-1",
        "service_code": "h0015",
        "units_authorized": 12,
        "start_date": TODAY - dt.timedelta(days=7),
        "end_date": TODAY + dt.timedelta(days=14),
    } | fields
    return services.authorization_create(actor=actor, patient=coverage.patient, **values)


def test_an_authorization_is_saved_and_announced(coverage: Coverage, biller: User) -> None:
    with Received(signals.authorization_changed) as received:
        authorization = _authorization(coverage, biller)
    assert authorization.service_code == "H0015" and authorization.units_left == 12
    assert received.calls[0]["authorization"] == authorization


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"units_authorized": 0}, "at least one unit"),
        ({"end_date": TODAY - dt.timedelta(days=8)}, "ends before it starts"),
        ({"number": "  "}, "authorization number"),
    ],
)
def test_bad_authorization_input_saves_nothing(
    coverage: Coverage, biller: User, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        _authorization(coverage, biller, **fields)
    assert not coverage.authorizations.exists()


def test_editing_an_authorization_never_touches_units_used(coverage: Coverage, biller: User) -> None:
    authorization = _authorization(coverage, biller)
    type(authorization).objects.filter(pk=authorization.pk).update(units_used=5)  # billing's draw-down
    with pytest.raises(ValidationError, match="5 units are already used"):
        services.authorization_update(actor=biller, authorization=authorization, expected_version=1, units_authorized=4)
    updated = services.authorization_update(
        actor=biller, authorization=authorization, expected_version=1, units_authorized=20
    )
    assert (updated.units_used, updated.units_authorized, updated.version) == (5, 20, 2)
    with pytest.raises(StaleEditError):
        services.authorization_update(
            actor=biller, authorization=authorization, expected_version=1, status=AuthorizationStatus.CANCELLED
        )


def test_authorization_alerts_at_80_percent_3_days_before_the_end_and_on_the_review_day(
    coverage: Coverage, biller: User, bob: User
) -> None:
    quiet = _authorization(coverage, biller, number="QUIET")
    used = _authorization(coverage, biller, number="USED")
    type(used).objects.filter(pk=used.pk).update(units_used=10)  # 10 of 12 > 80 %
    ending = _authorization(coverage, biller, number="ENDING", end_date=TODAY + dt.timedelta(days=3))
    review = _authorization(coverage, biller, number="REVIEW", next_review_date=TODAY)
    _authorization(coverage, biller, number="OVER", end_date=TODAY - dt.timedelta(days=1))
    alerts = {
        alert.authorization.number: alert.reasons for alert in selectors.authorization_alerts(biller, today=TODAY)
    }
    assert alerts == {
        "ENDING": ["ends in 3 days"],
        "USED": ["10 of 12 units used"],
        "REVIEW": ["concurrent review due today"],
    }
    assert quiet.number not in alerts and ending and review
    # The clinical roles see the same; another site's staff nothing.
    assert len(selectors.authorization_alerts(bob, today=TODAY)) == 3


def test_eligibility_is_due_at_admission_then_monthly(coverage: Coverage, biller: User) -> None:
    [due] = selectors.eligibility_checks_due(biller, today=TODAY)
    assert due.coverage == coverage and "since the admission" in due.reason
    services.eligibility_check_record(
        actor=biller, coverage=coverage, method="phone", active=True, reference="REF-1", copay_per_day=Decimal("25")
    )
    assert selectors.eligibility_checks_due(biller, today=TODAY) == []
    [later] = selectors.eligibility_checks_due(biller, today=TODAY + dt.timedelta(days=31))
    assert "last verified" in later.reason


def test_a_manual_check_copies_its_benefits_onto_the_coverage(coverage: Coverage, biller: User) -> None:
    with Received(signals.coverage_changed) as received:
        check = services.eligibility_check_record(
            actor=biller,
            coverage=coverage,
            method="portal",
            active=True,
            reference="PORTAL-778",
            copay_per_day=Decimal("30.00"),
            coinsurance_percent=Decimal("20"),
            deductible=Decimal("1500"),
            deductible_remaining=Decimal("250"),
            out_of_pocket_max=Decimal("6000"),
            authorization_required="yes",
        )
    assert check.status == EligibilityStatus.ACTIVE
    coverage.refresh_from_db()
    assert (coverage.copay_per_day, coverage.deductible_remaining, coverage.version) == (
        Decimal("30.00"),
        Decimal("250"),
        2,
    )
    assert received.calls


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reference": ""}, "reference number"),
        ({"coinsurance_percent": Decimal("150")}, "0 to 100"),
        ({"deductible": Decimal("100"), "deductible_remaining": Decimal("200")}, "cannot be more than the deductible"),
        ({"method": "electronic"}, "by phone or on the payer's portal"),
    ],
)
def test_a_bad_manual_check_saves_nothing(
    coverage: Coverage, biller: User, fields: dict[str, Any], message: str
) -> None:
    values: dict[str, Any] = {"method": "phone", "active": True, "reference": "R1"} | fields
    with pytest.raises(ValidationError, match=message):
        services.eligibility_check_record(actor=biller, coverage=coverage, **values)
    assert not coverage.eligibility_checks.exists()


# --- Control numbers --------------------------------------------------------------------------------------------------


def test_control_numbers_increase_per_sender(db: None) -> None:
    assert services.next_control_numbers(sender_id="1234567893") == (1, 1)
    assert services.next_control_numbers(sender_id="1234567893") == (2, 2)
    assert services.next_control_numbers(sender_id="OTHER") == (1, 1)
    ControlNumberCounter.objects.filter(sender_id="OTHER").update(last_interchange=services.MAX_CONTROL_NUMBER)
    assert services.next_control_numbers(sender_id="OTHER")[0] == 1


@pytest.mark.django_db(transaction=True)
def test_control_numbers_stay_unique_under_concurrent_requests() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is tested; SQLite serialises writers anyway")
    taken: list[tuple[int, int]] = []

    def take() -> None:
        try:
            for _ in range(5):
                taken.append(services.next_control_numbers(sender_id="CONCURRENT"))
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(number for number, _group in taken) == list(range(1, 21))
