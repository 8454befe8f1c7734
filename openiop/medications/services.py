# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for medications, drug tests and the sobriety date.

Each function checks its input, saves everything or nothing, and logs one
named audit event. An unexpected positive never moves the sobriety date by
itself: recording results opens a ``DrugTestReview`` that a clinician
confirms (the date resets to the collection date) or dismisses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.core.locking import check_version
from openiop.medications import catalogue, selectors, signals
from openiop.medications.models import (
    AdherenceNote,
    DrugTestReview,
    Medication,
    SobrietyDate,
    Specimen,
    TestResult,
)
from openiop.patients.models import Episode, Patient
from openiop.sites.models import Site


class AlreadyDecided(ValidationError):
    """Someone else decided the review first."""


def _active_episode(patient: Patient) -> Episode | None:
    return Episode.objects.filter(patient=patient, status=Episode.Status.ACTIVE).first()


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


# --- Medications -------------------------------------------------------------


@transaction.atomic
def medication_add(
    *,
    actor: User | None,
    patient: Patient,
    name: str,
    dose: str,
    route: str,
    frequency: str,
    indication: str,
    start_date: dt.date,
    prescriber: User | None = None,
    outside_prescriber: str = "",
    catalogue_code: str = "",
    expected_classes: Sequence[str] | None = None,
    dispensed_by_otp: bool = False,
    otp_name: str = "",
    stop_date: dt.date | None = None,
    stop_reason: str = "",
) -> Medication:
    """Add a medication to PATIENT's list.

    A MOUD/MAUD catalogue entry supplies the drug classes the medication makes
    expected in drug tests (unless EXPECTED_CLASSES says otherwise), and an
    entry dispensed by an outside opioid treatment program (methadone) always
    records the program's name and that we do not dispense. A medication
    recorded with a stop date (a past medication) needs a reason.
    """
    entry = catalogue.CATALOGUE_BY_CODE.get(catalogue_code) if catalogue_code else None
    if catalogue_code and entry is None:
        raise ValidationError({"catalogue_code": _("Unknown MOUD/MAUD medication.")})
    if expected_classes is None:
        expected_classes = entry.expected_classes if entry else ()
    if entry is not None and entry.outside_otp:
        dispensed_by_otp = True
    if stop_date is not None and not stop_reason.strip():
        raise ValidationError({"stop_reason": _("Say why the medication was stopped.")})
    medication = Medication(
        patient=patient,
        episode=_active_episode(patient),
        catalogue_code=catalogue_code,
        name=name.strip(),
        dose=dose.strip(),
        route=route,
        frequency=frequency.strip(),
        prescriber=prescriber,
        outside_prescriber=outside_prescriber.strip(),
        dispensed_by_otp=dispensed_by_otp,
        otp_name=otp_name.strip(),
        indication=indication.strip(),
        expected_classes=sorted(set(expected_classes)),
        start_date=start_date,
        stop_date=stop_date,
        stop_reason=stop_reason.strip(),
        stopped_by=actor if stop_date else None,
        stopped_at=timezone.now() if stop_date else None,
        created_by=actor,
    )
    medication.full_clean()
    medication.save()
    log_action(
        "medication.add",
        obj=medication,
        actor=actor,
        data={"name": medication.name, "catalogue": catalogue_code, "start": start_date, "stop": stop_date},
    )
    return medication


@transaction.atomic
def medication_stop(
    *, actor: User | None, medication: Medication, stop_date: dt.date, reason: str, expected_version: int
) -> Medication:
    """Record that MEDICATION stopped on STOP_DATE and why. Nothing is deleted."""
    current = Medication.objects.select_for_update().get(pk=medication.pk)
    check_version(
        current,
        expected_version,
        _("Someone else changed this medication while you were editing. Nothing was saved; reload to see it."),
    )
    if current.entered_in_error:
        raise ValidationError(_("This entry was marked entered in error; it cannot be stopped."))
    if current.stop_date is not None:
        raise ValidationError(
            _("This medication was already stopped on %(date)s.") % {"date": current.stop_date.isoformat()}
        )
    if stop_date < current.start_date:
        raise ValidationError(
            {
                "stop_date": _("The stop date (%(stop)s) is before the start date (%(start)s).")
                % {"stop": stop_date.isoformat(), "start": current.start_date.isoformat()}
            }
        )
    current.stop_reason = _required(reason, "reason", _("Say why the medication is stopped."))
    before = selectors.unexpected_by_specimen(current.patient) if stop_date < timezone.localdate() else None
    current.stop_date = stop_date
    current.stopped_by = actor
    current.stopped_at = timezone.now()
    current.version += 1
    current.full_clean()
    current.save()
    # A stop dated in the past can leave positives collected since unexplained.
    reviews = (
        open_reviews_for_new_unexpected(actor=actor, patient=current.patient, before=before)
        if before is not None
        else []
    )
    log_action(
        "medication.stop",
        obj=current,
        actor=actor,
        data={"stop": stop_date, "reason": current.stop_reason, "reviews_opened": [r.pk for r in reviews]},
    )
    return current


@transaction.atomic
def adherence_note_add(
    *, actor: User, medication: Medication, noted_on: dt.date, status: str, text: str
) -> AdherenceNote:
    if Medication.objects.filter(pk=medication.pk, entered_in_error_at__isnull=False).exists():
        raise ValidationError(_("This entry was marked entered in error; note adherence on the right entry."))
    if noted_on > timezone.localdate():
        raise ValidationError({"noted_on": _("The date is in the future.")})
    if noted_on < medication.start_date:
        raise ValidationError(
            {
                "noted_on": _("The medication started on %(start)s, after this date.")
                % {"start": medication.start_date.isoformat()}
            }
        )
    note = AdherenceNote(
        medication=medication,
        noted_on=noted_on,
        status=status,
        text=_required(text, "text", _("Write the note.")),
        author=actor,
    )
    note.full_clean()
    note.save()
    log_action(
        "medication.adherence_note",
        obj=note,
        actor=actor,
        patient_id=medication.patient_id,
        data={"medication": medication.pk, "status": status},
    )
    return note


# --- Drug tests ------------------------------------------------------------


@dataclass(frozen=True)
class ResultEntry:
    drug_class: str
    result: str
    cutoff: Decimal | None = None
    cutoff_unit: str = ""


@transaction.atomic
def specimen_record(
    *,
    actor: User,
    patient: Patient,
    site: Site,
    specimen_type: str,
    collected_at: dt.datetime,
    observed: bool,
    collected_by: User,
    notes: str = "",
    presumptive: Sequence[ResultEntry] = (),
) -> Specimen:
    """Record a collected specimen and, optionally, its presumptive results
    (a point-of-care cup read at collection)."""
    if collected_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"collected_at": _("The collection time is in the future.")})
    if not collected_by.sites.filter(pk=site.pk).exists():
        raise ValidationError(
            {"collected_by": _("%(user)s does not work at %(site)s.") % {"user": collected_by, "site": site}}
        )
    specimen = Specimen(
        patient=patient,
        episode=_active_episode(patient),
        site=site,
        specimen_type=specimen_type,
        collected_at=collected_at,
        collected_on=timezone.localtime(collected_at, ZoneInfo(site.time_zone)).date(),
        observed=observed,
        collected_by=collected_by,
        notes=notes.strip(),
        recorded_by=actor,
    )
    specimen.full_clean()
    specimen.save()
    log_action(
        "drugtest.specimen_record",
        obj=specimen,
        actor=actor,
        data={"type": specimen_type, "observed": observed, "collected_on": specimen.collected_on},
    )
    if presumptive:
        results_record(actor=actor, specimen=specimen, method=TestResult.Method.PRESUMPTIVE, results=presumptive)
    return specimen


@transaction.atomic
def results_record(
    *, actor: User | None, specimen: Specimen, method: str, results: Sequence[ResultEntry]
) -> DrugTestReview | None:
    """Add results of one METHOD to SPECIMEN and open (or extend) a review
    when the specimen now shows an unexpected positive not reviewed yet.

    Returns the review opened or extended, else None. A class already
    resulted by the same method is refused: a recorded result is not changed.
    """
    if method not in TestResult.Method.values:
        raise ValidationError({"method": _("Unknown test method.")})
    if not results:
        raise ValidationError(_("Enter at least one result."))
    # Lock the specimen: two people entering results at once must not both
    # open a review for the same positive.
    specimen = Specimen.objects.select_for_update(of=("self",)).select_related("site").get(pk=specimen.pk)
    classes = [entry.drug_class for entry in results]
    if len(set(classes)) != len(classes):
        raise ValidationError(_("Each drug class may appear once."))
    unknown = sorted(set(classes) - set(catalogue.DRUG_CLASS_BY_CODE))
    if unknown:
        raise ValidationError(_("Unknown drug classes: %(codes)s") % {"codes": ", ".join(unknown)})
    if specimen.specimen_type == Specimen.Type.BREATH and set(classes) - {"alcohol"}:
        raise ValidationError(_("A breath specimen is tested for alcohol only."))
    already = set(
        TestResult.objects.filter(
            specimen=specimen, method=method, drug_class__in=classes, superseded_at__isnull=True
        ).values_list("drug_class", flat=True)
    )
    if already:
        raise ValidationError(
            _(
                "These classes already have a %(method)s result; to change one, use "
                "“Correct this result” on the specimen page: %(classes)s"
            )
            % {
                "method": TestResult.Method(method).label.lower(),
                "classes": ", ".join(catalogue.drug_class_label(code) for code in sorted(already)),
            }
        )
    rows = []
    for entry in results:
        row = TestResult(
            specimen=specimen,
            method=method,
            drug_class=entry.drug_class,
            result=entry.result,
            cutoff=entry.cutoff,
            cutoff_unit=entry.cutoff_unit if entry.cutoff is not None else "",
            recorded_by=actor,
        )
        # The specimen and the user are already loaded: skip re-fetching them per row.
        row.full_clean(exclude=["specimen", "recorded_by"], validate_unique=False, validate_constraints=False)
        rows.append(row)
    # One explicit audit event lists every result; bulk_create skips the
    # per-row signal backstop on purpose (a 12-class panel is one act).
    TestResult.objects.bulk_create(rows)
    log_action(
        "drugtest.results_record",
        obj=specimen,
        actor=actor,
        data={"method": method, "results": {row.drug_class: row.result for row in rows}},
    )
    signals.drug_test_saved.send(sender=Specimen, specimen=specimen)
    return _open_review_if_needed(actor=actor, specimen=specimen)


def _open_review_if_needed(
    *, actor: User | None, specimen: Specimen, reopen: Collection[str] = ()
) -> DrugTestReview | None:
    """Open (or extend the pending) review for unexpected classes no review
    covers yet. Classes in REOPEN became unexpected through a correction: a
    decision taken on the earlier record does not cover them."""
    unexpected = set(selectors.specimen_interpretation(specimen).unexpected_classes)
    reviewed: set[str] = set()
    pending = None
    for review in DrugTestReview.objects.select_for_update().filter(specimen=specimen):
        if review.is_pending:
            pending = review
            reviewed.update(review.drug_classes)
        else:
            reviewed.update(set(review.drug_classes) - set(reopen))
    new = unexpected - reviewed
    if not new:
        return None
    if pending is not None:
        pending.drug_classes = sorted({*pending.drug_classes, *new})
        pending.save(update_fields=["drug_classes"])
        log_action("drugtest.review_extend", obj=pending, actor=actor, data={"classes": sorted(new)})
        return pending
    review = DrugTestReview.objects.create(patient=specimen.patient, specimen=specimen, drug_classes=sorted(new))
    log_action("drugtest.review_open", obj=review, actor=actor, data={"classes": review.drug_classes})
    return review


def open_reviews_for_new_unexpected(
    *, actor: User | None, patient: Patient, before: dict[int, set[str]]
) -> list[DrugTestReview]:
    """After a change to the record, send every positive that became
    unexpected (compared with BEFORE, from ``selectors.unexpected_by_specimen``)
    to the review queue."""
    opened = []
    for specimen_pk, classes in selectors.unexpected_by_specimen(patient).items():
        newly = classes - before.get(specimen_pk, set())
        if not newly:
            continue
        specimen = Specimen.objects.select_for_update(of=("self",)).get(pk=specimen_pk)
        review = _open_review_if_needed(actor=actor, specimen=specimen, reopen=newly)
        if review is not None:
            opened.append(review)
    return opened


def _lock_pending(review: DrugTestReview) -> DrugTestReview:
    # Lock only the review row (PostgreSQL refuses FOR UPDATE on the nullable side of a join).
    current = DrugTestReview.objects.select_for_update(of=("self",)).select_related("specimen").get(pk=review.pk)
    if not current.is_pending:
        who = current.decided_by.get_full_name() or current.decided_by.get_username() if current.decided_by else "?"
        raise AlreadyDecided(
            _("This review was already decided (%(status)s) by %(who)s on %(when)s.")
            % {
                "status": current.get_status_display(),
                "who": who,
                "when": timezone.localtime(current.decided_at).strftime("%Y-%m-%d %H:%M") if current.decided_at else "",
            }
        )
    return current


@transaction.atomic
def review_confirm(*, actor: User, review: DrugTestReview, note: str) -> DrugTestReview:
    """The clinician confirms the unexpected positive as use: the sobriety date
    resets to the collection date (unless the current date is already later),
    with the note, attributed and audited."""
    note = _required(note, "note", _("Write a note: what was discussed and decided."))
    current = _lock_pending(review)
    patient = current.patient
    before = selectors.current_sobriety_date(patient)
    collected_on = current.specimen.collected_on
    current.status = DrugTestReview.Status.CONFIRMED
    current.decided_by = actor
    current.decided_at = timezone.now()
    current.decision_note = note
    current.sobriety_date_before = before.date if before else None
    current.full_clean()
    current.save()
    reset = before is None or before.date < collected_on
    if reset:
        SobrietyDate.objects.create(
            patient=patient,
            episode=_active_episode(patient),
            date=collected_on,
            source=SobrietyDate.Source.REVIEW,
            note=note,
            review=current,
            set_by=actor,
        )
    log_action(
        "drugtest.review_confirm",
        obj=current,
        actor=actor,
        data={
            "classes": current.drug_classes,
            "sobriety_date_before": before.date if before else None,
            "sobriety_date_after": collected_on if reset else (before.date if before else None),
        },
    )
    return current


@transaction.atomic
def review_dismiss(*, actor: User, review: DrugTestReview, note: str) -> DrugTestReview:
    """The clinician dismisses the review (explained, or a confirmatory
    negative): the sobriety date stays as it was."""
    note = _required(note, "note", _("Say why the result is dismissed."))
    current = _lock_pending(review)
    current.status = DrugTestReview.Status.DISMISSED
    current.decided_by = actor
    current.decided_at = timezone.now()
    current.decision_note = note
    before = selectors.current_sobriety_date(current.patient)
    current.sobriety_date_before = before.date if before else None
    current.full_clean()
    current.save()
    log_action("drugtest.review_dismiss", obj=current, actor=actor, data={"classes": current.drug_classes})
    return current


@transaction.atomic
def sobriety_date_set(
    *, actor: User, patient: Patient, date: dt.date, note: str, source: str = SobrietyDate.Source.REPORTED
) -> SobrietyDate:
    """Set the sobriety date by hand (as reported at intake, or a correction)."""
    if date > timezone.localdate():
        raise ValidationError({"date": _("The sobriety date is in the future.")})
    if source == SobrietyDate.Source.REVIEW:
        raise ValidationError(_("Only a confirmed review resets the sobriety date from a drug test."))
    entry = SobrietyDate(
        patient=patient,
        episode=_active_episode(patient),
        date=date,
        source=source,
        note=_required(note, "note", _("Write a note: where the date comes from.")),
        set_by=actor,
    )
    entry.full_clean()
    entry.save()
    log_action("sobriety_date.set", obj=entry, actor=actor, data={"date": date, "source": source})
    return entry


def result_entries(data: dict[str, Any]) -> list[ResultEntry]:
    """Form rows {class: (result, cutoff, unit)} as entries, skipping classes not tested."""
    return [
        ResultEntry(drug_class=code, result=result, cutoff=cutoff, cutoff_unit=unit)
        for code, (result, cutoff, unit) in data.items()
        if result
    ]
