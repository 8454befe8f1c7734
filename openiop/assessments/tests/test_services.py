# SPDX-License-Identifier: AGPL-3.0-or-later
"""Stored results, safety alerts, placement runs and decisions, withdrawal checks."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from openiop.accounts.models import User
from openiop.assessments import placement, services
from openiop.assessments.models import BandOverride, InstrumentResult, MonitoringThreshold, SafetyAlert
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode, Patient
from openiop.patients.services import care_team_add, episode_admit
from openiop.patients.tests.factories import register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db

PHQ9_MILD = [1, 1, 1, 1, 1, 0, 0, 0, 0]  # 5, mild, item 9 = 0
PHQ9_ITEM9 = [0, 0, 0, 0, 0, 0, 0, 0, 1]
CIWA_SEVERE = [7, 7, 5, 0, 0, 0, 0, 0, 0, 0]  # 19: the default severe band starts at 19
CIWA_MODERATE_15 = [4, 4, 4, 3, 0, 0, 0, 0, 0, 0]


@pytest.fixture
def patient(north: Site) -> Patient:
    return register(north)


@pytest.fixture
def episode(patient: Patient, north: Site, bob: User) -> Episode:
    episode = episode_admit(actor=bob, patient=patient, site=north, admission_date=timezone.localdate())
    care_team_add(actor=bob, episode=episode, user=bob)
    return episode


def good_fit() -> dict[str, bool | None]:
    return {factor.code: factor.favours_iop_when for factor in placement.FIT_FACTORS}


# --- Results ------------------------------------------------------------------------------------------------------


def test_a_result_is_stored_with_its_score_who_and_when(bob: User, patient: Patient) -> None:
    result = services.result_record(actor=bob, patient=patient, code="phq-9", answers=PHQ9_MILD)

    stored = InstrumentResult.objects.get(pk=result.pk)
    assert (stored.instrument_code, stored.total, stored.band, stored.flags) == ("PHQ-9", 5, "mild", [])
    assert stored.answers == PHQ9_MILD
    assert stored.administered_by == bob
    assert abs((timezone.now() - stored.administered_at).total_seconds()) < 5
    assert AuditEvent.objects.filter(action="instrument.record", object_id=str(result.pk)).exists()
    assert not SafetyAlert.objects.exists()


def test_a_missing_or_impossible_answer_saves_nothing_and_names_the_item(bob: User, patient: Patient) -> None:
    with pytest.raises(ValidationError, match="expects 9 answers"):
        services.result_record(actor=bob, patient=patient, code="PHQ-9", answers=PHQ9_MILD[:8])
    with pytest.raises(ValidationError, match="item 3"):
        services.result_record(actor=bob, patient=patient, code="PHQ-9", answers=[0, 0, 4, 0, 0, 0, 0, 0, 0])
    assert not InstrumentResult.objects.exists()


def test_a_result_dated_in_the_future_or_too_long_ago_is_refused(bob: User, patient: Patient) -> None:
    with pytest.raises(ValidationError) as future:
        services.result_record(
            actor=bob,
            patient=patient,
            code="PHQ-9",
            answers=PHQ9_MILD,
            administered_at=timezone.now() + dt.timedelta(hours=1),
        )
    assert "future" in str(future.value.message_dict["administered_at"])
    with pytest.raises(ValidationError):
        services.result_record(
            actor=bob,
            patient=patient,
            code="PHQ-9",
            answers=PHQ9_MILD,
            administered_at=timezone.now() - dt.timedelta(days=31),
        )
    assert not InstrumentResult.objects.exists()


def test_audit_c_uses_the_sex_it_was_given_and_says_so(bob: User, patient: Patient) -> None:
    result = services.result_record(actor=bob, patient=patient, code="AUDIT-C", answers=[1, 1, 1], sex="female")

    assert (result.total, result.band, result.sex_used) == (3, "positive", "female")


def test_configured_ciwa_bands_are_used_and_recorded(bob: User, patient: Patient) -> None:
    BandOverride.objects.create(
        instrument_code="CIWA-Ar",
        bands=[
            {"name": "minimal/mild", "min": 0, "max": 7},
            {"name": "moderate", "min": 8, "max": 14},
            {"name": "severe", "min": 15, "max": 67},
        ],
        reason="Program policy: our prescriber wants earlier escalation.",
        changed_by=bob,
    )

    result = services.result_record(actor=bob, patient=patient, code="CIWA-Ar", answers=CIWA_MODERATE_15)

    assert (result.total, result.band) == (15, "severe")
    assert "Set by the administrator" in result.band_rule and "15-67 severe" in result.band_rule
    assert "CONFIGURABLE" not in result.band_rule
    assert SafetyAlert.objects.get().kind == SafetyAlert.Kind.SEVERE_WITHDRAWAL


def test_marking_a_result_entered_in_error_keeps_it_and_needs_a_reason(bob: User, patient: Patient) -> None:
    result = services.result_record(actor=bob, patient=patient, code="PHQ-9", answers=PHQ9_MILD)
    with pytest.raises(ValidationError):
        services.result_mark_entered_in_error(actor=bob, result=result, reason="  ")

    services.result_mark_entered_in_error(actor=bob, result=result, reason="Wrong patient's form.")

    result.refresh_from_db()
    assert result.entered_in_error_by == bob and result.entered_in_error_reason == "Wrong patient's form."
    with pytest.raises(ValidationError, match="already"):
        services.result_mark_entered_in_error(actor=bob, result=result, reason="again")


# --- Safety alerts ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "answers", "kind"),
    [
        ("PHQ-9", PHQ9_ITEM9, SafetyAlert.Kind.SUICIDAL_IDEATION),
        ("CIWA-Ar", CIWA_SEVERE, SafetyAlert.Kind.SEVERE_WITHDRAWAL),
        ("COWS", [4, 4, 5, 5, 4, 4, 5, 4, 2, 0, 0], SafetyAlert.Kind.SEVERE_WITHDRAWAL),
    ],
)
def test_each_alerting_result_raises_one_alert_at_once(
    bob: User, patient: Patient, episode: Episode, code: str, answers: list[Any], kind: str
) -> None:
    result = services.result_record(actor=bob, patient=patient, code=code, answers=answers)

    alert = SafetyAlert.objects.get()
    assert (alert.kind, alert.source_result, alert.episode, alert.is_open) == (kind, result, episode, True)
    assert AuditEvent.objects.filter(action="alert.raise", object_id=str(alert.pk)).exists()


def test_the_care_team_is_emailed_without_naming_the_patient(
    bob: User,
    patient: Patient,
    episode: Episode,
    django_capture_on_commit_callbacks: Callable[..., Any],
    settings: Any,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    with django_capture_on_commit_callbacks(execute=True):
        services.result_record(actor=bob, patient=patient, code="PHQ-9", answers=PHQ9_ITEM9)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [bob.email]
    assert "988" in message.body and "/assessments/alert/" in message.body
    assert patient.legal_last_name not in message.body + message.subject
    assert patient.mrn not in message.body


def test_a_reported_thought_raises_an_alert_and_needs_words(bob: User, patient: Patient) -> None:
    with pytest.raises(ValidationError):
        services.alert_raise(actor=bob, patient=patient, kind=SafetyAlert.Kind.REPORTED_SUICIDAL_THOUGHT, detail=" ")

    alert = services.alert_raise(
        actor=bob, patient=patient, kind=SafetyAlert.Kind.REPORTED_SUICIDAL_THOUGHT, detail="Said so in group."
    )

    assert alert.raised_by == bob and alert.is_open


def test_acknowledging_needs_a_note_and_happens_once(bob: User, patient: Patient, persona: Callable[..., User]) -> None:
    alert = services.alert_raise(
        actor=bob, patient=patient, kind=SafetyAlert.Kind.REPORTED_SUICIDAL_THOUGHT, detail="x"
    )
    with pytest.raises(ValidationError) as no_note:
        services.alert_acknowledge(actor=bob, alert=alert, note="")
    assert "note" in no_note.value.message_dict

    services.alert_acknowledge(actor=bob, alert=alert, note="Safety plan reviewed; 988 given.")

    alert.refresh_from_db()
    assert not alert.is_open and alert.acknowledged_by == bob
    assert AuditEvent.objects.filter(action="alert.acknowledge", object_id=str(alert.pk)).exists()
    with pytest.raises(ValidationError, match="already acknowledged"):
        services.alert_acknowledge(actor=persona(RoleCode.CLINICAL_DIRECTOR), alert=alert, note="me too")


# --- Placement ----------------------------------------------------------------------------------------------------


def test_a_typical_iop_candidate_is_recommended_iop_with_reasons(bob: User, patient: Patient) -> None:
    run = services.placement_run(
        actor=bob, patient=patient, ratings={1: 1, 2: 0, 3: 2, 4: 2, 5: 2, 6: 1}, notes={3: "Anxious"}, fit=good_fit()
    )

    assert run.version == 1
    assert run.recommended_level == "2.1"
    assert run.reasons, "every recommendation lists its reasons"
    assert run.ratings["3"] == {"rating": 2, "note": "Anxious"}
    assert run.rule_set


def test_each_run_is_a_new_version_and_old_ones_are_kept(bob: User, patient: Patient) -> None:
    ratings = {1: 1, 2: 0, 3: 2, 4: 2, 5: 2, 6: 1}
    first = services.placement_run(actor=bob, patient=patient, ratings=ratings, notes={}, fit=good_fit())
    second = services.placement_run(actor=bob, patient=patient, ratings={**ratings, 5: 3}, notes={}, fit=good_fit())

    assert (first.version, second.version) == (1, 2)
    assert patient.placements.count() == 2


def test_suggestions_from_results_are_stored_with_the_run(bob: User, patient: Patient) -> None:
    services.result_record(actor=bob, patient=patient, code="CIWA-Ar", answers=CIWA_SEVERE)

    run = services.placement_run(
        actor=bob, patient=patient, ratings={1: 3, 2: 0, 3: 1, 4: 1, 5: 1, 6: 1}, notes={}, fit=good_fit()
    )

    assert any(s["dimension"] == 1 and s["rating"] >= 3 and "CIWA-Ar" in s["reason"] for s in run.suggestions)


def test_severe_withdrawal_is_never_iop_without_an_override_and_reason(bob: User, patient: Patient) -> None:
    run = services.placement_run(
        actor=bob, patient=patient, ratings={1: 3, 2: 0, 3: 1, 4: 1, 5: 1, 6: 1}, notes={}, fit=good_fit()
    )
    assert run.recommended_level not in {"1", "2.1"}
    assert run.recommended_withdrawal_management

    with pytest.raises(ValidationError) as refused:
        services.placement_decide(actor=bob, run=run, level="2.1", withdrawal_management=True, reason="")
    assert "reason" in refused.value.message_dict

    decided = services.placement_decide(
        actor=bob, run=run, level="2.1", withdrawal_management=True, reason="Refuses residential; daily nurse checks."
    )
    assert decided.differs and decided.decided_by == bob
    event = AuditEvent.objects.get(action="placement.decide")
    assert event.data["override"] is True


def test_agreeing_with_the_recommendation_needs_no_reason_and_a_decision_is_final(bob: User, patient: Patient) -> None:
    run = services.placement_run(
        actor=bob, patient=patient, ratings={1: 1, 2: 0, 3: 2, 4: 2, 5: 2, 6: 1}, notes={}, fit=good_fit()
    )

    services.placement_decide(
        actor=bob,
        run=run,
        level=run.recommended_level,
        withdrawal_management=run.recommended_withdrawal_management,
        reason="",
    )

    run.refresh_from_db()
    assert run.is_decided and not run.differs
    with pytest.raises(ValidationError, match="already decided"):
        services.placement_decide(actor=bob, run=run, level="1", withdrawal_management=False, reason="changed my mind")


def test_a_missing_dimension_is_refused(bob: User, patient: Patient) -> None:
    with pytest.raises(ValidationError):
        services.placement_run(actor=bob, patient=patient, ratings={1: 1, 2: 1}, notes={}, fit=good_fit())


# --- Withdrawal monitoring ----------------------------------------------------------------------------------------

VITALS: dict[str, Any] = {
    "pulse": 96,
    "systolic": 142,
    "diastolic": 88,
    "temperature_c": Decimal("37.4"),
    "respiratory_rate": 18,
    "oxygen_saturation": 97,
}


def test_a_check_below_the_threshold_is_recorded_quietly(bob: User, patient: Patient, episode: Episode) -> None:
    check = services.withdrawal_check_record(actor=bob, patient=patient, code="CIWA-Ar", answers=[1] * 10, **VITALS)

    assert (check.result.total, check.escalated, check.result.context) == (10, False, "withdrawal")
    assert not SafetyAlert.objects.exists()


def test_crossing_the_configured_threshold_escalates(bob: User, patient: Patient, episode: Episode) -> None:
    threshold = MonitoringThreshold.objects.get(instrument_code="CIWA-Ar")

    check = services.withdrawal_check_record(
        actor=bob, patient=patient, code="CIWA-Ar", answers=CIWA_MODERATE_15, **VITALS
    )

    assert threshold.escalate_at <= 15
    assert check.escalated
    alert = SafetyAlert.objects.get()
    assert alert.kind == SafetyAlert.Kind.WITHDRAWAL_ESCALATION
    assert str(threshold.escalate_at) in alert.detail


def test_the_threshold_is_configurable(bob: User, patient: Patient, episode: Episode) -> None:
    MonitoringThreshold.objects.filter(instrument_code="CIWA-Ar").update(escalate_at=20)

    check = services.withdrawal_check_record(
        actor=bob, patient=patient, code="CIWA-Ar", answers=CIWA_MODERATE_15, **VITALS
    )

    assert not check.escalated and not SafetyAlert.objects.exists()


def test_a_severe_score_raises_one_alert_not_two(bob: User, patient: Patient, episode: Episode) -> None:
    services.withdrawal_check_record(actor=bob, patient=patient, code="CIWA-Ar", answers=CIWA_SEVERE, **VITALS)

    assert list(SafetyAlert.objects.values_list("kind", flat=True)) == [SafetyAlert.Kind.SEVERE_WITHDRAWAL]


def test_impossible_vitals_save_nothing(bob: User, patient: Patient, episode: Episode) -> None:
    with pytest.raises(ValidationError) as error:
        services.withdrawal_check_record(
            actor=bob, patient=patient, code="CIWA-Ar", answers=[1] * 10, **{**VITALS, "pulse": 400}
        )
    assert "pulse" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.withdrawal_check_record(
            actor=bob, patient=patient, code="CIWA-Ar", answers=[1] * 10, **{**VITALS, "diastolic": 150}
        )
    with pytest.raises(ValidationError, match="CIWA-Ar or COWS"):
        services.withdrawal_check_record(actor=bob, patient=patient, code="PHQ-9", answers=PHQ9_MILD, **VITALS)
    assert not InstrumentResult.objects.exists()


# --- Configurable bands (admin form) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "bands", "problem"),
    [
        ("PHQ-9", [{"name": "all", "min": 0, "max": 27}], "fixed by its citation"),
        ("CIWA-Ar", [{"name": "mild", "min": 0, "max": 9}, {"name": "severe", "min": 11, "max": 67}], "gap at 10"),
        ("CIWA-Ar", [{"name": "mild", "min": 0, "max": 67}], "severe"),
        ("CIWA-Ar", [{"name": "mild"}], "min"),
    ],
)
def test_the_band_override_form_refuses_bands_that_would_mis_score(code: str, bands: Any, problem: str) -> None:
    from openiop.assessments.admin import BandOverrideForm

    form = BandOverrideForm({"instrument_code": code, "bands": json.dumps(bands), "reason": "policy"})

    assert not form.is_valid()
    assert problem in str(form.errors)


def test_the_band_override_form_accepts_complete_bands() -> None:
    from openiop.assessments.admin import BandOverrideForm

    bands = [
        {"name": "minimal/mild", "min": 0, "max": 7},
        {"name": "moderate", "min": 8, "max": 14},
        {"name": "severe", "min": 15, "max": 67},
    ]
    form = BandOverrideForm({"instrument_code": "ciwa-ar", "bands": json.dumps(bands), "reason": "policy"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["instrument_code"] == "CIWA-Ar"


def test_an_impossible_temperature_is_refused_by_the_service_with_its_range_and_saves_nothing(
    bob: User, patient: Patient, episode: Episode
) -> None:
    with pytest.raises(ValidationError) as error:
        services.withdrawal_check_record(
            actor=bob, patient=patient, code="CIWA-Ar", answers=[1] * 10, **{**VITALS, "temperature_c": Decimal("98.6")}
        )

    (message,) = error.value.message_dict["temperature_c"]
    assert "98.6 °C is not a possible body temperature" in message and "It looks like °F" in message
    assert not InstrumentResult.objects.exists()
