# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.locking import StaleEditError
from openiop.medications import selectors, services
from openiop.medications.interpretation import Verdict
from openiop.medications.models import (
    AdherenceNote,
    DrugTestReview,
    Medication,
    SobrietyDate,
    Specimen,
    TestResult,
)
from openiop.patients.models import Patient
from openiop.patients.tests.factories import NOW, TODAY
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db
AddMedication = Callable[..., Medication]
Collect = Callable[..., Specimen]


# --- Medications -------------------------------------------------------------


def test_a_catalogue_medication_brings_its_expected_drug_classes(
    patient: Patient, add_medication: AddMedication
) -> None:
    medication = add_medication(patient)

    assert medication.expected_classes == ["buprenorphine"]
    assert medication.is_active
    assert AuditEvent.objects.filter(action="medication.add", object_id=str(medication.pk)).exists()


def test_methadone_from_an_outside_program_needs_the_programs_name_and_is_never_ours_to_dispense(
    patient: Patient, add_medication: AddMedication
) -> None:
    with pytest.raises(ValidationError) as error:
        add_medication(
            patient, catalogue_code="methadone_otp", name="Methadone", dose="90 mg", route="oral", prescriber=None,
            outside_prescriber="Harbor OTP medical director",
        )  # fmt: skip
    assert "otp_name" in error.value.message_dict

    medication = add_medication(
        patient, catalogue_code="methadone_otp", name="Methadone", dose="90 mg", route="oral", prescriber=None,
        outside_prescriber="Harbor OTP medical director", otp_name="Harbor OTP",
    )  # fmt: skip
    assert medication.dispensed_by_otp
    assert medication.expected_classes == ["methadone"]


def test_a_medication_needs_a_prescriber_on_staff_or_outside(patient: Patient, add_medication: AddMedication) -> None:
    with pytest.raises(ValidationError) as error:
        add_medication(patient, prescriber=None)

    assert "prescriber" in error.value.message_dict
    assert not Medication.objects.exists()


def test_a_stop_date_before_the_start_date_is_refused_with_a_clear_message(
    patient: Patient, add_medication: AddMedication, prescriber: User
) -> None:
    with pytest.raises(ValidationError) as error:
        add_medication(patient, stop_date=TODAY - dt.timedelta(days=31), stop_reason="Ended")
    assert "is before the start date" in error.value.message_dict["stop_date"][0]
    assert not Medication.objects.exists()

    medication = add_medication(patient)
    with pytest.raises(ValidationError) as error:
        services.medication_stop(
            actor=prescriber, medication=medication, stop_date=TODAY - dt.timedelta(days=40), reason="Ended",
            expected_version=medication.version,
        )  # fmt: skip
    assert error.value.message_dict["stop_date"] == [
        f"The stop date ({TODAY - dt.timedelta(days=40)}) is before the start date ({TODAY - dt.timedelta(days=30)})."
    ]
    medication.refresh_from_db()
    assert medication.stop_date is None


def test_stopping_records_the_date_reason_and_who_and_deletes_nothing(
    patient: Patient, add_medication: AddMedication, prescriber: User
) -> None:
    medication = add_medication(patient)

    stopped = services.medication_stop(
        actor=prescriber, medication=medication, stop_date=TODAY, reason="Tapered off as planned",
        expected_version=medication.version,
    )  # fmt: skip

    assert (stopped.stop_date, stopped.stop_reason, stopped.stopped_by) == (TODAY, "Tapered off as planned", prescriber)
    assert Medication.objects.filter(pk=medication.pk).exists()
    assert AuditEvent.objects.filter(action="medication.stop", data__reason="Tapered off as planned").exists()
    with pytest.raises(ValidationError, match="already stopped"):
        services.medication_stop(
            actor=prescriber, medication=stopped, stop_date=TODAY, reason="Again", expected_version=stopped.version
        )


def test_stopping_from_a_stale_page_is_refused(
    patient: Patient, add_medication: AddMedication, prescriber: User
) -> None:
    medication = add_medication(patient)
    with pytest.raises(StaleEditError):
        services.medication_stop(
            actor=prescriber,
            medication=medication,
            stop_date=TODAY,
            reason="x",
            expected_version=medication.version + 1,
        )


def test_a_stop_needs_a_reason(patient: Patient, add_medication: AddMedication, prescriber: User) -> None:
    medication = add_medication(patient)
    with pytest.raises(ValidationError) as error:
        services.medication_stop(
            actor=prescriber, medication=medication, stop_date=TODAY, reason="  ", expected_version=1
        )
    assert "reason" in error.value.message_dict


def test_adherence_notes_are_dated_and_attributed_and_not_in_the_future(
    patient: Patient, add_medication: AddMedication, bob: User
) -> None:
    medication = add_medication(patient)

    note = services.adherence_note_add(
        actor=bob, medication=medication, noted_on=TODAY, status="missed_doses", text="Missed two doses at the weekend."
    )

    assert (note.author, note.noted_on) == (bob, TODAY)
    with pytest.raises(ValidationError) as error:
        services.adherence_note_add(
            actor=bob, medication=medication, noted_on=TODAY + dt.timedelta(days=1), status="other", text="x"
        )
    assert "noted_on" in error.value.message_dict
    assert AdherenceNote.objects.count() == 1


# --- Drug tests: expected versus unexpected -----------------------------------


def test_a_buprenorphine_positive_for_a_patient_on_buprenorphine_opens_no_review(
    patient: Patient, add_medication: AddMedication, collect: Collect
) -> None:
    add_medication(patient)

    specimen = collect(patient, buprenorphine="positive", cocaine="negative")

    reading = selectors.specimen_interpretation(specimen)
    assert reading.verdict_for("buprenorphine") == Verdict.EXPECTED
    assert not DrugTestReview.objects.exists()


def test_an_unexpected_positive_opens_a_review_and_leaves_the_sobriety_date_alone(
    patient: Patient, collect: Collect, bob: User
) -> None:
    services.sobriety_date_set(actor=bob, patient=patient, date=TODAY - dt.timedelta(days=60), note="Intake")

    specimen = collect(patient, cocaine="positive", opiates="negative")

    review = DrugTestReview.objects.get()
    assert (review.specimen, review.status, review.drug_classes) == (specimen, "pending", ["cocaine"])
    assert selectors.current_sobriety_date(patient).date == TODAY - dt.timedelta(days=60)  # type: ignore[union-attr]
    assert AuditEvent.objects.filter(action="drugtest.review_open", object_id=str(review.pk)).exists()


def test_a_medication_started_after_the_collection_leaves_the_positive_unexpected(
    patient: Patient, add_medication: AddMedication, collect: Collect
) -> None:
    specimen = collect(patient, days_ago=5, buprenorphine="positive")
    add_medication(patient, start_date=TODAY - dt.timedelta(days=2))

    assert selectors.specimen_interpretation(specimen).unexpected_classes == ["buprenorphine"]
    assert DrugTestReview.objects.get().drug_classes == ["buprenorphine"]


def test_a_medication_stopped_before_the_collection_leaves_the_positive_unexpected(
    patient: Patient, add_medication: AddMedication, collect: Collect, prescriber: User
) -> None:
    medication = add_medication(patient)
    services.medication_stop(
        actor=prescriber, medication=medication, stop_date=TODAY - dt.timedelta(days=4), reason="Stopped",
        expected_version=1,
    )  # fmt: skip

    specimen = collect(patient, days_ago=1, buprenorphine="positive")

    reading = selectors.specimen_interpretation(specimen)
    assert reading.unexpected_classes == ["buprenorphine"]
    assert reading.unexpected[0].recently_stopped == ("Buprenorphine/naloxone",)
    assert DrugTestReview.objects.filter(specimen=specimen, status="pending").exists()


def test_a_confirmatory_negative_overrides_the_presumptive_positive_but_the_review_waits_for_a_clinician(
    patient: Patient, collect: Collect, nurse: User
) -> None:
    specimen = collect(patient, cocaine="positive")

    opened = services.results_record(
        actor=nurse, specimen=specimen, method="confirmatory", results=[services.ResultEntry("cocaine", "negative")]
    )

    reading = selectors.specimen_interpretation(specimen)
    assert opened is None
    assert reading.verdict_for("cocaine") == Verdict.NEGATIVE and reading.findings[0].overridden
    assert DrugTestReview.objects.get().status == "pending"


def test_a_new_unexpected_class_on_confirmation_extends_the_pending_review(
    patient: Patient, collect: Collect, nurse: User
) -> None:
    specimen = collect(patient, cocaine="positive")

    review = services.results_record(
        actor=nurse, specimen=specimen, method="confirmatory", results=[services.ResultEntry("fentanyl", "positive")]
    )

    assert review is not None and review.drug_classes == ["cocaine", "fentanyl"]
    assert DrugTestReview.objects.count() == 1


# --- Reviews and the sobriety date ----------------------------------------


def test_confirming_resets_the_sobriety_date_to_the_collection_date_attributed_and_audited(
    patient: Patient, collect: Collect, bob: User
) -> None:
    services.sobriety_date_set(actor=bob, patient=patient, date=TODAY - dt.timedelta(days=60), note="Intake")
    specimen = collect(patient, days_ago=3, cannabinoids="positive")
    review = DrugTestReview.objects.get()

    decided = services.review_confirm(actor=bob, review=review, note="Patient confirmed use on Saturday.")

    current = selectors.current_sobriety_date(patient)
    assert current is not None
    assert (current.date, current.source, current.review, current.set_by) == (
        specimen.collected_on, SobrietyDate.Source.REVIEW, decided, bob,
    )  # fmt: skip
    assert current.note == "Patient confirmed use on Saturday."
    assert (decided.status, decided.decided_by, decided.sobriety_date_before) == (
        "confirmed", bob, TODAY - dt.timedelta(days=60),
    )  # fmt: skip
    # The old date stays in the history.
    assert SobrietyDate.objects.filter(patient=patient).count() == 2
    event = AuditEvent.objects.get(action="drugtest.review_confirm")
    assert event.actor_id == bob.pk
    assert event.data["sobriety_date_after"] == specimen.collected_on.isoformat()


def test_confirming_does_not_move_a_later_sobriety_date_back(patient: Patient, collect: Collect, bob: User) -> None:
    collect(patient, days_ago=10, cocaine="positive")
    services.sobriety_date_set(actor=bob, patient=patient, date=TODAY - dt.timedelta(days=2), note="Corrected")

    services.review_confirm(actor=bob, review=DrugTestReview.objects.get(), note="Old positive, already counted.")

    assert selectors.current_sobriety_date(patient).date == TODAY - dt.timedelta(days=2)  # type: ignore[union-attr]


def test_dismissing_keeps_the_sobriety_date_and_records_who_and_why(
    patient: Patient, collect: Collect, bob: User
) -> None:
    services.sobriety_date_set(actor=bob, patient=patient, date=TODAY - dt.timedelta(days=60), note="Intake")
    collect(patient, cocaine="positive")

    decided = services.review_dismiss(
        actor=bob, review=DrugTestReview.objects.get(), note="Confirmatory negative; false positive."
    )

    assert (decided.status, decided.decided_by, decided.decided_at) == ("dismissed", bob, NOW)
    assert selectors.current_sobriety_date(patient).date == TODAY - dt.timedelta(days=60)  # type: ignore[union-attr]
    assert SobrietyDate.objects.count() == 1
    assert AuditEvent.objects.filter(action="drugtest.review_dismiss", actor_id=bob.pk).exists()


def test_a_decision_needs_a_note_and_cannot_be_taken_twice(
    patient: Patient, collect: Collect, bob: User, director: User
) -> None:
    collect(patient, cocaine="positive")
    review = DrugTestReview.objects.get()
    with pytest.raises(ValidationError) as error:
        services.review_confirm(actor=bob, review=review, note=" ")
    assert "note" in error.value.message_dict

    services.review_dismiss(actor=bob, review=review, note="Explained")

    with pytest.raises(services.AlreadyDecided, match="already decided"):
        services.review_confirm(actor=director, review=review, note="Use")
    assert not SobrietyDate.objects.exists()


def test_a_new_review_opens_when_a_decided_specimen_shows_a_new_unexpected_class(
    patient: Patient, collect: Collect, bob: User, nurse: User
) -> None:
    specimen = collect(patient, cocaine="positive")
    services.review_dismiss(actor=bob, review=DrugTestReview.objects.get(), note="Explained")

    review = services.results_record(
        actor=nurse, specimen=specimen, method="confirmatory", results=[services.ResultEntry("fentanyl", "positive")]
    )

    assert review is not None and review.drug_classes == ["fentanyl"]
    assert DrugTestReview.objects.filter(status="pending").count() == 1


def test_a_sobriety_date_in_the_future_is_refused(patient: Patient, bob: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.sobriety_date_set(actor=bob, patient=patient, date=TODAY + dt.timedelta(days=1), note="x")
    assert "date" in error.value.message_dict


# --- Bad specimen input ------------------------------------------------------


def test_a_result_already_recorded_cannot_be_recorded_again(patient: Patient, collect: Collect, nurse: User) -> None:
    specimen = collect(patient, cocaine="negative")

    with pytest.raises(ValidationError, match="already have a presumptive"):
        services.results_record(
            actor=nurse, specimen=specimen, method="presumptive", results=[services.ResultEntry("cocaine", "positive")]
        )
    assert TestResult.objects.get().result == "negative"


def test_a_breath_specimen_is_tested_for_alcohol_only(patient: Patient, nurse: User, north: Site) -> None:
    with pytest.raises(ValidationError, match="alcohol only"):
        services.specimen_record(
            actor=nurse, patient=patient, site=north, specimen_type="breath", collected_at=NOW, observed=True,
            collected_by=nurse, presumptive=[services.ResultEntry("cocaine", "negative")],
        )  # fmt: skip
    # All or nothing: the specimen did not survive its bad results.
    assert not Specimen.objects.exists()


def test_a_collection_in_the_future_or_by_someone_from_another_site_is_refused(
    patient: Patient, nurse: User, north: Site, charlie: User
) -> None:
    with pytest.raises(ValidationError) as error:
        services.specimen_record(
            actor=nurse, patient=patient, site=north, specimen_type="urine", collected_at=NOW + dt.timedelta(hours=2),
            observed=False, collected_by=nurse,
        )  # fmt: skip
    assert "collected_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.specimen_record(
            actor=nurse, patient=patient, site=north, specimen_type="urine", collected_at=NOW, observed=False,
            collected_by=charlie,
        )  # fmt: skip
    assert "collected_by" in error.value.message_dict


def test_the_collection_date_is_the_date_at_the_collecting_site(patient: Patient, nurse: User, north: Site) -> None:
    # 02:30 UTC on 5 March is still the evening of 4 March in New York.
    specimen = services.specimen_record(
        actor=nurse, patient=patient, site=north, specimen_type="urine",
        collected_at=dt.datetime(2026, 3, 5, 2, 30, tzinfo=dt.UTC), observed=False, collected_by=nurse,
    )  # fmt: skip

    assert specimen.collected_on == dt.date(2026, 3, 4)
