# SPDX-License-Identifier: AGPL-3.0-or-later
"""Changing a medication, an entry entered in error, a corrected drug-test
result and what each does to the reading and the sobriety date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.locking import StaleEditError
from openiop.medications import corrections, panels, selectors, services
from openiop.medications.interpretation import Verdict
from openiop.medications.models import DrugTestReview, Medication, SobrietyDate, Specimen, TestResult
from openiop.patients.models import Patient
from openiop.patients.tests.factories import NOW, TODAY

pytestmark = pytest.mark.django_db
AddMedication = Callable[..., Medication]
Collect = Callable[..., Specimen]


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def change(medication: Medication, actor: User, **fields: Any) -> Medication:
    values: dict[str, Any] = {
        "dose": medication.dose,
        "route": medication.route,
        "frequency": medication.frequency,
        "indication": medication.indication,
        "prescriber": medication.prescriber,
        "outside_prescriber": medication.outside_prescriber,
        "start_date": TODAY,
        "expected_version": medication.version,
    }
    values.update(fields)
    return corrections.medication_change(actor=actor, medication=medication, **values)


def tab(user: User, patient: Patient) -> dict[str, Any]:
    request = RequestFactory().get("/")
    request.user = user
    return panels.medications_tab(request, patient)


def sobriety(patient: Patient) -> dt.date | None:
    current = selectors.current_sobriety_date(patient)
    return current.date if current else None


# --- Changing the dose or directions -------------------------------------------


def test_a_dose_change_stops_the_current_entry_the_day_the_new_one_starts_and_links_them(
    patient: Patient, add_medication: AddMedication, prescriber: User
) -> None:
    old = add_medication(patient)

    new = change(old, prescriber, dose="16 mg/4 mg", start_date=days_ago(3), reason="Cravings in the evening")

    old.refresh_from_db()
    assert (old.stop_date, old.stopped_by, old.version) == (days_ago(3), prescriber, 2)
    assert old.stop_reason == "Changed to 16 mg/4 mg sublingual once daily: Cravings in the evening"
    assert (new.replaces, new.start_date, new.stop_date, new.dose) == (old, days_ago(3), None, "16 mg/4 mg")
    # What the dose does not change carries over.
    assert (new.name, new.catalogue_code, new.expected_classes, new.route) == (
        old.name, old.catalogue_code, ["buprenorphine"], "sublingual",
    )  # fmt: skip
    assert Medication.objects.count() == 2
    event = AuditEvent.objects.get(action="medication.change")
    assert event.object_id == str(new.pk) and event.actor_id == prescriber.pk
    assert event.data["replaces"] == old.pk and event.data["changed"] == {"dose": ["8 mg/2 mg", "16 mg/4 mg"]}

    links = selectors.medication_links(old)
    assert (links.replaces, links.replaced_by, links.history) == (None, new, [old, new])
    assert selectors.medication_links(new).replaces == old


def test_the_chart_lists_the_new_entry_as_current_and_the_old_one_as_history(
    patient: Patient, add_medication: AddMedication, prescriber: User
) -> None:
    old = add_medication(patient)
    new = change(old, prescriber, dose="12 mg/3 mg", start_date=days_ago(5))

    context = tab(prescriber, patient)

    # On buprenorphine since the first entry started, across the change.
    assert context["active"] == [(new, days_ago(30))]
    assert context["moud"] == [(new, days_ago(30))]
    assert context["history"] == [old]


def test_a_changed_dose_keeps_buprenorphine_positives_expected_without_a_gap(
    patient: Patient, add_medication: AddMedication, prescriber: User, collect: Collect
) -> None:
    old = add_medication(patient)
    specimens = [collect(patient, days_ago=n, buprenorphine="positive") for n in (11, 10, 9)]

    change(old, prescriber, dose="16 mg/4 mg", start_date=days_ago(10))

    for specimen in specimens:
        assert selectors.specimen_interpretation(specimen).verdict_for("buprenorphine") == Verdict.EXPECTED
    assert not DrugTestReview.objects.exists()


def test_a_change_of_prescriber_alone_is_a_change(
    patient: Patient, add_medication: AddMedication, prescriber: User
) -> None:
    old = add_medication(patient)

    new = change(old, prescriber, prescriber=None, outside_prescriber="Dr. Osei, Harbor Family Medicine")

    assert (new.prescriber, new.outside_prescriber, new.dose) == (None, "Dr. Osei, Harbor Family Medicine", old.dose)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"dose": "16 mg/4 mg", "start_date": TODAY - dt.timedelta(days=31)},
            "start_date",
            f"The new start date ({TODAY - dt.timedelta(days=31)}) is before the current entry started "
            f"({TODAY - dt.timedelta(days=30)}).",
        ),
        ({"dose": "16 mg/4 mg", "start_date": TODAY + dt.timedelta(days=1)}, "start_date", "is in the future"),
        ({}, "__all__", "Nothing changed"),
        ({"dose": " 8 mg/2 mg "}, "__all__", "Nothing changed"),
        ({"dose": ""}, "dose", "This field cannot be blank."),
        ({"prescriber": None}, "prescriber", "Choose a prescriber on staff or name the outside prescriber."),
    ],
)
def test_a_bad_change_is_refused_with_a_clear_message_and_saves_nothing(
    patient: Patient, add_medication: AddMedication, prescriber: User, fields: dict[str, Any], field: str, message: str
) -> None:
    old = add_medication(patient)

    with pytest.raises(ValidationError) as error:
        change(old, prescriber, **fields)

    errors = error.value.message_dict if hasattr(error.value, "error_dict") else {"__all__": error.value.messages}
    assert message in " ".join(errors[field])
    old.refresh_from_db()
    assert (old.stop_date, old.version, Medication.objects.count()) == (None, 1, 1)
    assert not AuditEvent.objects.filter(action="medication.change").exists()


def test_a_stopped_entry_a_stale_page_and_an_entry_in_error_cannot_be_changed(
    patient: Patient, add_medication: AddMedication, prescriber: User
) -> None:
    medication = add_medication(patient)
    with pytest.raises(StaleEditError):
        change(medication, prescriber, dose="16 mg/4 mg", expected_version=7)

    stopped = services.medication_stop(
        actor=prescriber, medication=medication, stop_date=TODAY, reason="Completed", expected_version=1
    )
    with pytest.raises(ValidationError, match="add it again rather than changing it"):
        change(stopped, prescriber, dose="16 mg/4 mg")

    wrong = add_medication(patient, catalogue_code="acamprosate", name="Acamprosate", dose="666 mg", route="oral")
    corrections.medication_mark_in_error(actor=prescriber, medication=wrong, reason="Wrong patient", expected_version=1)
    with pytest.raises(ValidationError, match="already marked entered in error"):
        change(wrong, prescriber, dose="333 mg", expected_version=2)
    assert Medication.objects.count() == 2


# --- Entered in error ------------------------------------------------------------


def test_an_entry_entered_in_error_is_kept_but_leaves_the_active_list_and_moud(
    patient: Patient, add_medication: AddMedication, prescriber: User
) -> None:
    medication = add_medication(patient)

    outcome = corrections.medication_mark_in_error(
        actor=prescriber, medication=medication, reason="Recorded on the wrong patient", expected_version=1
    )

    medication.refresh_from_db()
    assert Medication.objects.filter(pk=medication.pk).exists()
    assert (medication.entered_in_error_by, medication.entered_in_error_at) == (prescriber, NOW)
    assert medication.entered_in_error_reason == "Recorded on the wrong patient"
    assert not medication.is_active and outcome.reinstated is None
    context = tab(prescriber, patient)
    assert (context["active"], context["moud"], context["history"]) == ([], [], [medication])
    assert not Medication.objects.valid().exists()
    event = AuditEvent.objects.get(action="medication.entered_in_error")
    assert event.data["reason"] == "Recorded on the wrong patient" and event.actor_id == prescriber.pk


def test_marking_in_error_needs_a_reason_and_happens_once(
    patient: Patient, add_medication: AddMedication, prescriber: User, bob: User
) -> None:
    medication = add_medication(patient)
    with pytest.raises(ValidationError) as error:
        corrections.medication_mark_in_error(actor=prescriber, medication=medication, reason="  ", expected_version=1)
    assert error.value.message_dict["reason"] == ["Say what was wrong with this entry."]
    medication.refresh_from_db()
    assert medication.entered_in_error_at is None

    corrections.medication_mark_in_error(
        actor=prescriber, medication=medication, reason="Never given", expected_version=1
    )

    with pytest.raises(ValidationError, match="already marked entered in error"):
        corrections.medication_mark_in_error(actor=prescriber, medication=medication, reason="x", expected_version=2)
    with pytest.raises(ValidationError, match="entered in error"):
        services.medication_stop(
            actor=prescriber, medication=medication, stop_date=TODAY, reason="x", expected_version=2
        )
    with pytest.raises(ValidationError, match="entered in error"):
        services.adherence_note_add(actor=bob, medication=medication, noted_on=TODAY, status="other", text="x")


def test_an_erroneous_buprenorphine_no_longer_makes_positives_expected_and_they_go_to_review(
    patient: Patient, add_medication: AddMedication, prescriber: User, collect: Collect, bob: User
) -> None:
    services.sobriety_date_set(actor=bob, patient=patient, date=days_ago(60), note="Intake")
    medication = add_medication(patient)
    earlier = collect(patient, days_ago=50, buprenorphine="positive")  # before the entry started: unexpected
    specimen = collect(patient, days_ago=2, buprenorphine="positive", cocaine="negative")
    assert selectors.specimen_interpretation(specimen).verdict_for("buprenorphine") == Verdict.EXPECTED
    assert list(DrugTestReview.objects.values_list("specimen", flat=True)) == [earlier.pk]

    outcome = corrections.medication_mark_in_error(
        actor=prescriber, medication=medication, reason="Never prescribed", expected_version=1
    )

    assert selectors.specimen_interpretation(specimen).verdict_for("buprenorphine") == Verdict.UNEXPECTED
    review = DrugTestReview.objects.get(specimen=specimen)
    assert (review.status, review.drug_classes) == ("pending", ["buprenorphine"])
    assert outcome.reviews == [review]
    # The earlier specimen's review is not opened twice; the sobriety date waits for a clinician.
    assert DrugTestReview.objects.count() == 2
    assert sobriety(patient) == days_ago(60)


def test_marking_a_change_in_error_reinstates_the_entry_it_replaced(
    patient: Patient, add_medication: AddMedication, prescriber: User, collect: Collect
) -> None:
    old = add_medication(patient)
    typo = change(old, prescriber, dose="160 mg/40 mg", start_date=days_ago(4))
    specimen = collect(patient, days_ago=1, buprenorphine="positive")

    outcome = corrections.medication_mark_in_error(
        actor=prescriber, medication=typo, reason="Typed 160 for 16", expected_version=1
    )

    old.refresh_from_db()
    assert outcome.reinstated == old
    assert (old.stop_date, old.stop_reason, old.stopped_by, old.version) == (None, "", None, 3)
    assert tab(prescriber, patient)["active"] == [(old, days_ago(30))]
    # No gap: buprenorphine stays expected, nothing goes to review.
    assert selectors.specimen_interpretation(specimen).verdict_for("buprenorphine") == Verdict.EXPECTED
    assert not DrugTestReview.objects.exists()
    undone = AuditEvent.objects.get(action="medication.reinstate").data
    assert undone["because_in_error"] == typo.pk and undone["undone_stop"]["stop"] == days_ago(4).isoformat()
    links = selectors.medication_links(old)
    assert (links.replaced_by, links.replaced_in_error, links.history) == (None, [typo], [])

    # The right change can then be recorded from the reinstated entry.
    right = change(old, prescriber, dose="16 mg/4 mg", start_date=days_ago(4), expected_version=old.version)
    assert selectors.medication_links(old).replaced_by == right


def test_an_entry_with_a_current_replacement_cannot_be_marked_in_error_first(
    patient: Patient, add_medication: AddMedication, prescriber: User
) -> None:
    old = add_medication(patient)
    change(old, prescriber, dose="16 mg/4 mg", start_date=days_ago(2))
    old.refresh_from_db()

    with pytest.raises(ValidationError, match="Mark that newer entry entered in error first"):
        corrections.medication_mark_in_error(actor=prescriber, medication=old, reason="x", expected_version=2)


def test_the_database_refuses_two_current_replacements_of_one_entry(
    patient: Patient, add_medication: AddMedication, prescriber: User
) -> None:
    old = add_medication(patient)
    new = change(old, prescriber, dose="16 mg/4 mg")
    new.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        new.save()


# --- Correcting a drug-test result ------------------------------------------------


def test_a_correction_keeps_the_original_marked_superseded_with_who_when_and_why(
    patient: Patient, collect: Collect, nurse: User, bob: User
) -> None:
    specimen = collect(patient, cocaine="negative", opiates="negative")
    original = specimen.results.get(drug_class="opiates")

    outcome = corrections.result_correct(
        actor=bob, result=original, new_result="invalid", cutoff=Decimal("300"), reason="Cup line unreadable"
    )

    original.refresh_from_db()
    corrected = outcome.result
    assert original.result == "negative" and original.superseded_at == NOW
    assert (corrected.supersedes, corrected.result, corrected.cutoff, corrected.cutoff_unit) == (
        original, "invalid", Decimal("300"), "ng/mL",
    )  # fmt: skip
    assert (corrected.recorded_by, corrected.recorded_at, corrected.correction_reason) == (
        bob, NOW, "Cup line unreadable",
    )  # fmt: skip
    assert TestResult.objects.filter(specimen=specimen).count() == 3
    assert selectors.specimen_interpretation(specimen).verdict_for("opiates") == Verdict.INVALID
    event = AuditEvent.objects.get(action="drugtest.result_correct")
    assert event.patient_id == str(patient.pk) and event.actor_id == bob.pk
    assert event.data["result"] == ["negative", "invalid"] and event.data["reason"] == "Cup line unreadable"
    assert event.data["verdict"] == ["negative", "invalid"]


def test_a_correction_needs_a_reason_and_a_change_and_only_the_newest_version_is_corrected(
    patient: Patient, collect: Collect, nurse: User
) -> None:
    specimen = collect(patient, cocaine="negative")
    original = specimen.results.get()

    with pytest.raises(ValidationError) as error:
        corrections.result_correct(actor=nurse, result=original, new_result="positive", cutoff=None, reason=" ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError, match="Nothing changed"):
        corrections.result_correct(actor=nurse, result=original, new_result="negative", cutoff=None, reason="x")
    assert TestResult.objects.count() == 1 and not DrugTestReview.objects.exists()

    corrections.result_correct(actor=nurse, result=original, new_result="invalid", cutoff=None, reason="Smudged")
    with pytest.raises(ValidationError, match="already corrected by"):
        corrections.result_correct(actor=nurse, result=original, new_result="positive", cutoff=None, reason="x")


def test_a_correction_that_creates_an_unexpected_positive_goes_to_the_review_queue(
    patient: Patient, collect: Collect, nurse: User, bob: User
) -> None:
    services.sobriety_date_set(actor=bob, patient=patient, date=days_ago(60), note="Intake")
    specimen = collect(patient, days_ago=2, cocaine="negative", fentanyl="negative")

    outcome = corrections.result_correct(
        actor=nurse, result=specimen.results.get(drug_class="fentanyl"), new_result="positive", cutoff=None,
        reason="Laboratory's amended report",
    )  # fmt: skip

    review = DrugTestReview.objects.get()
    assert outcome.review == review
    assert (review.specimen, review.status, review.drug_classes) == (specimen, "pending", ["fentanyl"])
    assert sobriety(patient) == days_ago(60)  # only a clinician's confirmation moves it
    assert AuditEvent.objects.filter(action="drugtest.review_open", object_id=str(review.pk)).exists()


def test_a_correction_reopens_a_class_a_review_had_dismissed_on_the_earlier_record(
    patient: Patient, collect: Collect, nurse: User, bob: User
) -> None:
    specimen = collect(patient, cocaine="positive")
    services.results_record(
        actor=nurse, specimen=specimen, method="confirmatory", results=[services.ResultEntry("cocaine", "negative")]
    )
    services.review_dismiss(actor=bob, review=DrugTestReview.objects.get(), note="LC-MS/MS negative")
    confirmatory = specimen.results.get(method="confirmatory")

    outcome = corrections.result_correct(
        actor=nurse, result=confirmatory, new_result="positive", cutoff=None, reason="Laboratory amended: positive"
    )

    assert outcome.review is not None and outcome.review.is_pending
    assert outcome.review.drug_classes == ["cocaine"]
    assert list(DrugTestReview.objects.values_list("status", flat=True)) == ["dismissed", "pending"]


def test_a_pending_review_left_with_nothing_unexpected_is_pointed_out_and_waits_for_a_clinician(
    patient: Patient, collect: Collect, nurse: User
) -> None:
    specimen = collect(patient, cocaine="positive")
    review = DrugTestReview.objects.get()

    outcome = corrections.result_correct(
        actor=nurse, result=specimen.results.get(), new_result="negative", cutoff=None, reason="Wrong line read"
    )

    assert outcome.now_explained == [review] and outcome.review is None
    review.refresh_from_db()
    assert review.is_pending


def confirmed_use(
    patient: Patient, collect: Collect, bob: User, *, intake: dt.date | None, **results: str
) -> tuple[Specimen, DrugTestReview]:
    """A specimen whose unexpected positive a clinician confirmed, resetting the sobriety date."""
    if intake is not None:
        services.sobriety_date_set(actor=bob, patient=patient, date=intake, note="Intake")
    specimen = collect(patient, days_ago=5, **results)
    review = services.review_confirm(actor=bob, review=DrugTestReview.objects.get(), note="Discussed; use confirmed")
    assert sobriety(patient) == specimen.collected_on
    return specimen, review


def test_removing_a_confirmed_positive_offers_to_restore_the_sobriety_date_but_never_does_it_alone(
    patient: Patient, collect: Collect, nurse: User, bob: User
) -> None:
    specimen, review = confirmed_use(patient, collect, bob, intake=days_ago(60), cocaine="positive")

    outcome = corrections.result_correct(
        actor=nurse, result=specimen.results.get(), new_result="negative", cutoff=None, reason="Wrong line read"
    )

    review.refresh_from_db()
    assert outcome.restore_offers == [review] and review.restore_pending
    assert sobriety(patient) == specimen.collected_on  # not silently restored
    assert corrections.restore_blocker(review) is None
    assert AuditEvent.objects.filter(action="drugtest.sobriety_restore_offer", object_id=str(review.pk)).exists()

    decided = corrections.sobriety_restore_decide(
        actor=bob, review=review, restore=True, note="Result was misread; no use."
    )

    assert sobriety(patient) == days_ago(60)
    restored = selectors.current_sobriety_date(patient)
    assert restored is not None
    assert (restored.source, restored.review, restored.set_by) == (SobrietyDate.Source.RESTORED, review, bob)
    assert (decided.restore_outcome, decided.restore_decided_by, decided.restore_pending) == ("restored", bob, False)
    assert SobrietyDate.objects.filter(patient=patient).count() == 3  # the history keeps every setting
    assert AuditEvent.objects.get(action="drugtest.sobriety_restore").data["restored_date"] == days_ago(60).isoformat()
    with pytest.raises(ValidationError, match="already decided"):
        corrections.sobriety_restore_decide(actor=bob, review=review, restore=False, note="x")


def test_the_clinician_may_keep_the_sobriety_date(patient: Patient, collect: Collect, nurse: User, bob: User) -> None:
    specimen, review = confirmed_use(patient, collect, bob, intake=days_ago(60), cocaine="positive")
    corrections.result_correct(
        actor=nurse, result=specimen.results.get(), new_result="negative", cutoff=None, reason="Wrong line read"
    )

    with pytest.raises(ValidationError) as error:
        corrections.sobriety_restore_decide(actor=bob, review=review, restore=False, note="")
    assert "note" in error.value.message_dict

    corrections.sobriety_restore_decide(actor=bob, review=review, restore=False, note="Patient reported use anyway.")

    review.refresh_from_db()
    assert (review.restore_outcome, review.restore_note) == ("kept", "Patient reported use anyway.")
    assert sobriety(patient) == specimen.collected_on
    assert AuditEvent.objects.filter(action="drugtest.sobriety_keep").exists()


def test_no_restore_when_the_sobriety_date_changed_since_or_there_was_none_before(
    patient: Patient, collect: Collect, nurse: User, bob: User
) -> None:
    specimen, review = confirmed_use(patient, collect, bob, intake=days_ago(60), cocaine="positive")
    services.sobriety_date_set(actor=bob, patient=patient, date=days_ago(1), note="Reported use yesterday")
    corrections.result_correct(
        actor=nurse, result=specimen.results.get(), new_result="negative", cutoff=None, reason="Wrong line read"
    )
    review.refresh_from_db()

    assert "has changed since this review reset it (now " + days_ago(1).isoformat() in (
        corrections.restore_blocker(review) or ""
    )
    with pytest.raises(ValidationError) as error:
        corrections.sobriety_restore_decide(actor=bob, review=review, restore=True, note="x")
    assert "decision" in error.value.message_dict
    assert sobriety(patient) == days_ago(1)


def test_no_restore_without_a_date_before_the_reset(patient: Patient, collect: Collect, nurse: User, bob: User) -> None:
    specimen, review = confirmed_use(patient, collect, bob, intake=None, cocaine="positive")
    corrections.result_correct(
        actor=nurse, result=specimen.results.get(), new_result="negative", cutoff=None, reason="Wrong line read"
    )
    review.refresh_from_db()

    assert "no sobriety date before" in (corrections.restore_blocker(review) or "")
    assert review.restore_pending


def test_no_restore_offer_while_another_confirmed_class_is_still_unexpected(
    patient: Patient, collect: Collect, nurse: User, bob: User
) -> None:
    specimen, review = confirmed_use(
        patient, collect, bob, intake=days_ago(60), cocaine="positive", fentanyl="positive"
    )

    outcome = corrections.result_correct(
        actor=nurse, result=specimen.results.get(drug_class="cocaine"), new_result="negative", cutoff=None,
        reason="Wrong line read",
    )  # fmt: skip

    review.refresh_from_db()
    assert outcome.restore_offers == [] and not review.restore_pending


def test_no_restore_offer_when_the_confirmation_had_not_moved_the_date(
    patient: Patient, collect: Collect, nurse: User, bob: User
) -> None:
    specimen = collect(patient, days_ago=10, cocaine="positive")
    services.sobriety_date_set(actor=bob, patient=patient, date=days_ago(2), note="Reported")
    services.review_confirm(actor=bob, review=DrugTestReview.objects.get(), note="Old use, already counted")

    outcome = corrections.result_correct(
        actor=nurse, result=specimen.results.get(), new_result="negative", cutoff=None, reason="Wrong line read"
    )

    assert outcome.restore_offers == []


def test_correcting_back_to_positive_withdraws_the_offer_and_opens_a_review(
    patient: Patient, collect: Collect, nurse: User, bob: User
) -> None:
    specimen, review = confirmed_use(patient, collect, bob, intake=days_ago(60), cocaine="positive")
    first = corrections.result_correct(
        actor=nurse, result=specimen.results.get(), new_result="negative", cutoff=None, reason="Wrong line read"
    )

    second = corrections.result_correct(
        actor=bob, result=first.result, new_result="positive", cutoff=None, reason="It was the right line after all"
    )

    review.refresh_from_db()
    assert not review.restore_pending and review.restore_offered_at is None
    assert second.review is not None and second.review.drug_classes == ["cocaine"]
    assert sobriety(patient) == specimen.collected_on
    assert [row.result for row in TestResult.objects.filter(specimen=specimen).order_by("pk")] == [
        "positive", "negative", "positive",
    ]  # fmt: skip
    with pytest.raises(ValidationError, match="No corrected result"):
        corrections.sobriety_restore_decide(actor=bob, review=review, restore=True, note="x")


def test_the_database_keeps_one_current_result_per_class_and_method(
    patient: Patient, collect: Collect, nurse: User
) -> None:
    specimen = collect(patient, cocaine="negative")
    with pytest.raises(IntegrityError), transaction.atomic():
        TestResult.objects.create(specimen=specimen, method="presumptive", drug_class="cocaine", result="positive")
    with pytest.raises(IntegrityError), transaction.atomic():
        TestResult.objects.create(
            specimen=specimen, method="presumptive", drug_class="opiates", result="positive",
            supersedes=specimen.results.get(), superseded_at=None,
        )  # fmt: skip


def test_a_stop_dated_in_the_past_sends_the_positives_it_no_longer_explains_to_review(
    patient: Patient, add_medication: AddMedication, prescriber: User, collect: Collect
) -> None:
    medication = add_medication(patient)
    before_stop = collect(patient, days_ago=12, buprenorphine="positive")
    after_stop = collect(patient, days_ago=3, buprenorphine="positive")
    assert not DrugTestReview.objects.exists()

    services.medication_stop(
        actor=prescriber, medication=medication, stop_date=days_ago(10), reason="Patient stopped taking it",
        expected_version=1,
    )  # fmt: skip

    assert selectors.specimen_interpretation(before_stop).verdict_for("buprenorphine") == Verdict.EXPECTED
    review = DrugTestReview.objects.get()
    assert (review.specimen, review.drug_classes) == (after_stop, ["buprenorphine"])
    assert AuditEvent.objects.get(action="medication.stop").data["reviews_opened"] == [review.pk]
