# SPDX-License-Identifier: AGPL-3.0-or-later
"""Drafting, refusing, issuing, revising and delivering estimates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.estimates import services
from openiop.estimates.models import EstimateBasis, EstimateStatus, GoodFaithEstimate, SelfPayReason
from openiop.estimates.tests.conftest import FIRST_DAY, inputs
from openiop.insurance.models import Coverage, Payer
from openiop.insurance.selectors import coverage_in_force
from openiop.patients.models import Episode, Patient
from openiop.patients.tests.factories import TODAY
from openiop.scheduling import services as scheduling
from openiop.scheduling.tests.pages import group
from openiop.sites.models import OpeningHours

pytestmark = pytest.mark.django_db


def _lines(estimate: GoodFaithEstimate) -> list[tuple[str, int, Decimal, Decimal]]:
    return [(line.code, line.quantity, line.unit_charge, line.total) for line in estimate.lines.all()]


def test_an_unscheduled_patient_is_estimated_from_the_standard_track(draft: GoodFaithEstimate) -> None:
    assert draft.status == EstimateStatus.DRAFT
    assert draft.basis == EstimateBasis.STANDARD_TRACK
    assert draft.self_pay_reason == SelfPayReason.UNINSURED
    assert draft.period_start == FIRST_DAY and draft.period_end == dt.date(2026, 4, 12)
    assert _lines(draft) == [
        ("80305", 4, Decimal("30.00"), Decimal("120.00")),
        ("H0001", 1, Decimal("200.00"), Decimal("200.00")),
        ("H0015", 12, Decimal("250.00"), Decimal("3000.00")),
    ]
    assert draft.total == Decimal("3320.00")
    # Scheduled Thursday 5 March for 16 March, 7 business days ahead: due the next business day.
    assert draft.due_on == dt.date(2026, 3, 6)
    assert "about 3 hours a day, 3 days a week" in draft.primary_service
    assert AuditEvent.objects.filter(action="estimates.create", object_id=str(draft.pk)).exists()


def test_booked_weeks_are_estimated_from_the_booking(patient: Patient, biller: User) -> None:
    episode = Episode.objects.get(patient=patient)
    for weekday in (1, 2, 3, 4):
        OpeningHours.objects.create(site=patient.site, weekday=weekday, opens=dt.time(8), closes=dt.time(20))
    # Week of 16 March: 3 h on Tuesday, Wednesday, Thursday and Friday; nothing booked after.
    for day in (17, 18, 19, 20):
        session = group(patient.site, dt.date(2026, 3, day), (9, 0), (12, 0), capacity_max=12)
        scheduling.enrol(actor=None, session=session, episode=episode)
    estimate = services.estimate_create(
        actor=biller, patient=patient, inputs=inputs(weeks=2, drug_tests_per_week=0, include_intake=False)
    )
    assert estimate.basis == EstimateBasis.SCHEDULE
    (line,) = estimate.lines.all()
    # Four booked per-diem days, then the track's Monday, Wednesday and Friday.
    assert (line.code, line.quantity, line.first_day, line.last_day) == (
        "H0015",
        7,
        dt.date(2026, 3, 17),
        dt.date(2026, 3, 27),
    )


def test_an_insured_patient_is_refused_unless_they_asked_not_to_bill_insurance(patient: Patient, biller: User) -> None:
    payer = Payer.objects.create(organization=patient.organization, name="Acme Health", payer_id="ACME1")
    Coverage.objects.create(patient=patient, payer=payer, member_id="M123", effective_date=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError) as refused:
        services.estimate_create(actor=biller, patient=patient, inputs=inputs())
    message = " ".join(refused.value.messages)
    assert "Acme Health" in message and "uninsured or self-pay" in message
    assert "asked us not to bill" in message
    assert not GoodFaithEstimate.objects.exists()

    estimate = services.estimate_create(actor=biller, patient=patient, inputs=inputs(), insurance_declined=True)
    assert estimate.self_pay_reason == SelfPayReason.DECLINED_INSURANCE
    assert AuditEvent.objects.filter(action="estimates.insurance_declined", object_id=str(estimate.pk)).exists()
    # The choice binds billing: for the estimate's dates the patient, not the payer, is charged.
    election = patient.self_pay_elections.get()
    assert (election.start_date, election.end_date) == (estimate.period_start, estimate.period_end)
    assert coverage_in_force(patient.pk, estimate.period_start) is None


def test_a_code_without_a_self_pay_price_is_named(patient: Patient, biller: User) -> None:
    with pytest.raises(ValidationError) as refused:
        services.estimate_create(actor=biller, patient=patient, inputs=inputs(drug_tests_per_week=0, weeks=60))
    assert "between 1 and 52 weeks" in " ".join(refused.value.messages)
    patient.organization.fee_schedules.filter(code="80305").delete()
    with pytest.raises(ValidationError) as refused:
        services.estimate_create(actor=biller, patient=patient, inputs=inputs())
    message = " ".join(refused.value.messages)
    assert "80305" in message and "2026-03-16" in message and "Fee schedule" in message
    assert not GoodFaithEstimate.objects.exists()


def test_issuing_freezes_the_estimate_and_a_revision_is_a_new_version(draft: GoodFaithEstimate, biller: User) -> None:
    with pytest.raises(ValidationError, match="Issue the estimate"):
        services.estimate_deliver(actor=biller, estimate=draft, method="paper")
    issued = services.estimate_issue(actor=biller, estimate=draft)
    assert issued.status == EstimateStatus.ISSUED
    assert bytes(issued.pdf).startswith(b"%PDF-")
    assert issued.content["total"] == "$3,320.00"
    with pytest.raises(ValidationError, match="never changed"):
        services.estimate_issue(actor=biller, estimate=issued)

    revised = services.estimate_revise(
        actor=biller, estimate=issued, inputs=inputs(weeks=8), scheduled_on=issued.scheduled_on
    )
    assert revised.pk != issued.pk and revised.version == 2 and revised.supersedes_id == issued.pk
    assert revised.status == EstimateStatus.DRAFT and revised.total > issued.total
    kept = GoodFaithEstimate.objects.get(pk=issued.pk)
    assert kept.status == EstimateStatus.ISSUED
    assert kept.total == Decimal("3320.00") and kept.pdf_sha256 == issued.pdf_sha256
    assert kept.content == issued.content
    with pytest.raises(ValidationError, match="already revised"):
        services.estimate_revise(actor=biller, estimate=kept, inputs=inputs())
    assert AuditEvent.objects.filter(action="estimates.issue", object_id=str(issued.pk)).exists()
    assert AuditEvent.objects.filter(action="estimates.revise", object_id=str(revised.pk)).exists()

    # The issued version is what the patient receives, and its delivery is recorded.
    with pytest.raises(ValidationError):
        services.estimate_deliver(actor=biller, estimate=kept, method="email", recipient="not an address")
    delivery = services.estimate_deliver(actor=biller, estimate=kept, method="email", recipient="rosa@example.org")
    assert delivery.recipient == "rosa@example.org"
    assert AuditEvent.objects.filter(action="estimates.deliver", object_id=str(kept.pk)).exists()


def test_issuing_needs_the_providers_npi_and_tin(draft: GoodFaithEstimate, biller: User) -> None:
    organization = draft.organization
    organization.tax_id = ""
    organization.save(update_fields=["tax_id"])
    with pytest.raises(ValidationError, match="TIN"):
        services.estimate_issue(actor=biller, estimate=draft)
    assert GoodFaithEstimate.objects.get(pk=draft.pk).status == EstimateStatus.DRAFT


def test_a_request_sets_the_deadline_three_business_days_later(patient: Patient, biller: User) -> None:
    estimate = services.estimate_create(actor=biller, patient=patient, inputs=inputs(), requested_on=TODAY)
    assert estimate.due_on == dt.date(2026, 3, 10)  # Thursday -> Friday, Monday, Tuesday
