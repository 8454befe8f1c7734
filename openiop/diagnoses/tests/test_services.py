# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes to the problem list: good input saved, audited and announced; bad
input refused with a clear message and nothing saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.locking import StaleEditError
from openiop.diagnoses import services, signals
from openiop.diagnoses.models import Diagnosis, DiagnosisStatus
from openiop.patients.models import Patient
from openiop.patients.services import episode_admit
from openiop.patients.tests.factories import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced() -> Iterator[list[int]]:
    """Patient ids diagnoses_changed was sent for."""
    seen: list[int] = []

    def receiver(sender: Any, patient_id: int, **kwargs: Any) -> None:
        seen.append(patient_id)

    signals.diagnoses_changed.connect(receiver, dispatch_uid="test-diagnoses-announced")
    yield seen
    signals.diagnoses_changed.disconnect(dispatch_uid="test-diagnoses-announced")


def _add(actor: User | None, patient: Patient, code: str = "F11.20", **extra: Any) -> Diagnosis:
    return services.diagnosis_create(actor=actor, patient=patient, code=code, **extra)


def test_a_diagnosis_is_stored_normalized_with_its_description_audited_and_announced(
    bob: User, patient: Patient, announced: list[int]
) -> None:
    diagnosis = _add(bob, patient, " f11.20 ", onset_date=TODAY - dt.timedelta(days=400), is_primary=True)

    assert (diagnosis.code, diagnosis.description) == ("F1120", "Opioid dependence, uncomplicated")
    assert diagnosis.is_primary and diagnosis.status == DiagnosisStatus.ACTIVE
    assert diagnosis.entered_by == bob and diagnosis.display_code == "F11.20"
    event = AuditEvent.objects.get(action="diagnosis.create")
    assert event.patient_id == str(patient.pk) and event.data["code"] == "F1120"
    assert announced == [patient.pk]


def test_a_category_is_refused_naming_the_billable_codes_under_it(bob: User, patient: Patient) -> None:
    with pytest.raises(ValidationError) as refused:
        _add(bob, patient, "F11.2")

    message = refused.value.message_dict["code"][0]
    assert message.startswith("F11.2 is a category (Opioid dependence), not a billable code; choose F11.20")
    assert "F11.21 (Opioid dependence, in remission)" in message
    assert "or another code under it" in message
    assert not Diagnosis.objects.exists()


@pytest.mark.parametrize("code", ["F99.9X", "hello", ""])
def test_an_unknown_or_empty_code_is_refused(bob: User, patient: Patient, code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _add(bob, patient, code)

    assert "code" in refused.value.message_dict
    assert not Diagnosis.objects.exists()


def test_an_onset_in_the_future_is_refused(bob: User, patient: Patient, announced: list[int]) -> None:
    with pytest.raises(ValidationError) as refused:
        _add(bob, patient, onset_date=TODAY + dt.timedelta(days=1))

    assert refused.value.message_dict == {"onset_date": ["The onset date is in the future."]}
    assert not Diagnosis.objects.exists() and announced == []


def test_a_second_primary_is_refused_and_nothing_is_saved(bob: User, patient: Patient) -> None:
    _add(bob, patient, "F10.20", is_primary=True)

    with pytest.raises(ValidationError) as refused:
        _add(bob, patient, "F32.1", is_primary=True)

    assert refused.value.message_dict["is_primary"] == [
        "F10.20 is already the primary diagnosis. Add this one, then mark it primary."
    ]
    assert list(Diagnosis.objects.values_list("code", flat=True)) == ["F1020"]


def test_the_database_refuses_two_active_primaries_too(bob: User, patient: Patient) -> None:
    _add(bob, patient, "F10.20", is_primary=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        Diagnosis.objects.create(patient=patient, code="F321", description="x", is_primary=True)


def test_the_same_active_code_twice_is_refused(bob: User, patient: Patient) -> None:
    _add(bob, patient)

    with pytest.raises(ValidationError, match="already on the problem list"):
        _add(bob, patient, "f1120")


def test_an_episode_of_another_patient_is_refused(bob: User, patient: Patient, other_patient: Patient) -> None:
    episode = episode_admit(actor=None, patient=other_patient, site=other_patient.site, admission_date=TODAY)

    with pytest.raises(ValidationError, match="another patient"):
        _add(bob, patient, episode=episode)


def test_marking_primary_moves_the_flag_and_keeps_the_old_one_listed(
    bob: User, patient: Patient, announced: list[int]
) -> None:
    first = _add(bob, patient, "F10.20", is_primary=True)
    second = _add(bob, patient, "F11.20")

    services.diagnosis_mark_primary(actor=bob, diagnosis=second)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)
    assert first.status == DiagnosisStatus.ACTIVE
    assert AuditEvent.objects.get(action="diagnosis.mark_primary").data["previous"] == "F1020"
    assert announced == [patient.pk] * 3


def test_an_edit_takes_the_new_codes_description_and_refuses_a_stale_version(bob: User, patient: Patient) -> None:
    diagnosis = _add(bob, patient, "F10.20")

    edited = services.diagnosis_update(
        actor=bob, diagnosis=diagnosis, expected_version=1, code="F10.21", onset_date=TODAY
    )

    assert (edited.code, edited.description, edited.version) == ("F1021", "Alcohol dependence, in remission", 2)
    with pytest.raises(StaleEditError):
        services.diagnosis_update(actor=bob, diagnosis=diagnosis, expected_version=1, code="F10.20", onset_date=None)
    diagnosis.refresh_from_db()
    assert diagnosis.code == "F1021"
    assert AuditEvent.objects.get(action="diagnosis.update").data["changed"] == ["code", "onset_date"]


def test_an_edit_to_a_category_or_a_future_onset_saves_nothing(bob: User, patient: Patient) -> None:
    diagnosis = _add(bob, patient, "F10.20")

    with pytest.raises(ValidationError, match="is a category"):
        services.diagnosis_update(actor=bob, diagnosis=diagnosis, expected_version=1, code="F10.2", onset_date=None)
    with pytest.raises(ValidationError, match="future"):
        services.diagnosis_update(
            actor=bob, diagnosis=diagnosis, expected_version=1, code="F10.20", onset_date=TODAY + dt.timedelta(1)
        )
    diagnosis.refresh_from_db()
    assert (diagnosis.code, diagnosis.version) == ("F1020", 1)


def test_resolving_records_the_day_and_refuses_a_day_before_onset_or_in_the_future(bob: User, patient: Patient) -> None:
    diagnosis = _add(bob, patient, "F32.1", onset_date=TODAY - dt.timedelta(days=30))

    with pytest.raises(ValidationError, match="before its onset"):
        services.diagnosis_resolve(actor=bob, diagnosis=diagnosis, on=TODAY - dt.timedelta(days=31))
    with pytest.raises(ValidationError, match="future"):
        services.diagnosis_resolve(actor=bob, diagnosis=diagnosis, on=TODAY + dt.timedelta(days=1))
    resolved = services.diagnosis_resolve(actor=bob, diagnosis=diagnosis, on=TODAY - dt.timedelta(days=2))

    assert (resolved.status, resolved.resolved_on) == (DiagnosisStatus.RESOLVED, TODAY - dt.timedelta(days=2))
    with pytest.raises(ValidationError, match="Only an active diagnosis"):
        services.diagnosis_resolve(actor=bob, diagnosis=resolved)


def test_ruling_out_keeps_no_resolution_day(bob: User, patient: Patient) -> None:
    diagnosis = _add(bob, patient, "F41.1")

    ruled_out = services.diagnosis_resolve(actor=bob, diagnosis=diagnosis, outcome=DiagnosisStatus.RULED_OUT)

    assert (ruled_out.status, ruled_out.resolved_on) == (DiagnosisStatus.RULED_OUT, None)


def test_entered_in_error_keeps_the_row_with_who_when_why_and_freezes_it(
    bob: User, patient: Patient, announced: list[int]
) -> None:
    diagnosis = _add(bob, patient, "F10.20", is_primary=True)

    with pytest.raises(ValidationError, match="Say why"):
        services.diagnosis_mark_entered_in_error(actor=bob, diagnosis=diagnosis, reason="  ")
    marked = services.diagnosis_mark_entered_in_error(actor=bob, diagnosis=diagnosis, reason="Wrong patient")

    assert marked.status == DiagnosisStatus.ENTERED_IN_ERROR and not marked.is_primary
    assert (marked.entered_in_error_by, marked.entered_in_error_reason) == (bob, "Wrong patient")
    assert marked.entered_in_error_at is not None
    assert Diagnosis.objects.filter(pk=diagnosis.pk).exists()
    with pytest.raises(ValidationError, match="entered in error"):
        services.diagnosis_mark_primary(actor=bob, diagnosis=marked)
    with pytest.raises(ValidationError, match="entered in error"):
        services.diagnosis_update(actor=bob, diagnosis=marked, expected_version=marked.version, code="F10.20",
                                  onset_date=None)  # fmt: skip
    # Its code may be entered again, correctly.
    assert _add(bob, patient, "F10.20", is_primary=True).is_primary
    assert announced == [patient.pk] * 3
