# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes to the problem list. Each one is audited (``diagnosis.*``), runs
under a lock on the patient's row (so two people changing one list at once
cannot both pass the checks, e.g. both make a diagnosis primary) and sends
``signals.diagnoses_changed`` in the same transaction. Bad input raises a
ValidationError keyed by field, and nothing is saved."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.core.locking import check_version
from openiop.diagnoses import codes, signals
from openiop.diagnoses.models import Diagnosis, DiagnosisStatus
from openiop.patients.models import Episode, Patient

# How many of a category's billable codes a refusal names.
SUGGESTED_CODES = 4


def checked_code(code: str) -> str:
    """CODE normalized if it is a billable ICD-10-CM code; otherwise a
    ValidationError saying what to choose instead."""
    plain = codes.normalize(code)
    if not plain:
        raise ValidationError({"code": _("Enter an ICD-10-CM code, or search by words.")})
    if not codes.is_valid(plain):
        raise ValidationError(
            {"code": _("%(code)s is not an ICD-10-CM code. Search by words or by the start of the code.")
             % {"code": code.strip()}}
        )  # fmt: skip
    if not codes.is_billable(plain):
        children = codes.billable_under(plain)
        named = ", ".join(f"{codes.display(child)} ({codes.describe(child)})" for child in children[:SUGGESTED_CODES])
        more = _(" or another code under it") if len(children) > SUGGESTED_CODES else ""
        raise ValidationError(
            {"code": _("%(code)s is a category (%(description)s), not a billable code; choose %(children)s%(more)s.")
             % {"code": codes.display(plain), "description": codes.describe(plain), "children": named, "more": more}}
        )  # fmt: skip
    return plain


def _check_onset(onset_date: dt.date | None) -> None:
    if onset_date is not None and onset_date > timezone.localdate():
        raise ValidationError({"onset_date": _("The onset date is in the future.")})


def _check_episode(patient: Patient, episode: Episode | None) -> None:
    if episode is not None and episode.patient_id != patient.pk:
        raise ValidationError({"episode": _("That episode of care is another patient's.")})


def _lock_patient(patient_id: int) -> None:
    # The partial unique index would also refuse a second primary, but only
    # as an IntegrityError after the fact; the lock lets the check speak first.
    list(Patient.objects.select_for_update().filter(pk=patient_id).values_list("pk", flat=True))


def _locked(diagnosis: Diagnosis, expected_version: int | None = None) -> Diagnosis:
    _lock_patient(diagnosis.patient_id)
    current = Diagnosis.objects.select_related("patient").get(pk=diagnosis.pk)
    check_version(
        current,
        expected_version,
        _("Someone else changed this diagnosis while you were editing. Nothing was saved; reload to see it."),
    )
    if current.status == DiagnosisStatus.ENTERED_IN_ERROR:
        raise ValidationError(_("This diagnosis was entered in error; it stays on the record as it is."))
    return current


def _current_primary(patient_id: int, *, other_than: int | None = None) -> Diagnosis | None:
    primaries = Diagnosis.objects.filter(patient_id=patient_id, status=DiagnosisStatus.ACTIVE, is_primary=True)
    return (primaries if other_than is None else primaries.exclude(pk=other_than)).first()


def _refuse_duplicate(patient_id: int, code: str, *, other_than: int | None = None) -> None:
    listed = Diagnosis.objects.filter(patient_id=patient_id, status=DiagnosisStatus.ACTIVE, code=code)
    same = (listed if other_than is None else listed.exclude(pk=other_than)).first()
    if same is not None:
        raise ValidationError({"code": _("%(code)s is already on the problem list.") % {"code": same.display_code}})


def _saved(diagnosis: Diagnosis, action: str, actor: User | None, **data: object) -> Diagnosis:
    log_action(action, obj=diagnosis, actor=actor, data={"diagnosis": diagnosis.pk, "code": diagnosis.code, **data})
    signals.diagnoses_changed.send(sender=Diagnosis, patient_id=diagnosis.patient_id)
    return diagnosis


@transaction.atomic
def diagnosis_create(
    *,
    actor: User | None,
    patient: Patient,
    code: str,
    onset_date: dt.date | None = None,
    episode: Episode | None = None,
    is_primary: bool = False,
) -> Diagnosis:
    """Add an active diagnosis with its description copied from the code set.
    Refused: a code that is not billable (a category names its codes), an
    onset in the future, a code already active on the list, or primary while
    another diagnosis is (change the primary with ``diagnosis_mark_primary``)."""
    plain = checked_code(code)
    _check_onset(onset_date)
    _check_episode(patient, episode)
    _lock_patient(patient.pk)
    _refuse_duplicate(patient.pk, plain)
    if is_primary:
        primary = _current_primary(patient.pk)
        if primary is not None:
            raise ValidationError(
                {"is_primary": _("%(code)s is already the primary diagnosis. Add this one, then mark it primary.")
                 % {"code": primary.display_code}}
            )  # fmt: skip
    diagnosis = Diagnosis.objects.create(
        patient=patient,
        episode=episode,
        code=plain,
        description=codes.describe(plain),
        onset_date=onset_date,
        is_primary=is_primary,
        entered_by=actor,
    )
    return _saved(diagnosis, "diagnosis.create", actor, primary=is_primary)


@transaction.atomic
def diagnosis_update(
    *,
    actor: User | None,
    diagnosis: Diagnosis,
    expected_version: int,
    code: str,
    onset_date: dt.date | None,
    episode: Episode | None = None,
) -> Diagnosis:
    """Correct the code, onset or episode of an entry (not one entered in
    error). A changed code takes the new code's description."""
    plain = checked_code(code)
    _check_onset(onset_date)
    current = _locked(diagnosis, expected_version)
    _check_episode(current.patient, episode)
    if current.resolved_on is not None and onset_date is not None and onset_date > current.resolved_on:
        raise ValidationError({"onset_date": _("The onset date is after the day it resolved.")})
    if current.is_active:
        _refuse_duplicate(current.patient_id, plain, other_than=current.pk)
    changed = sorted(
        name
        for name, old, new in [
            ("code", current.code, plain),
            ("onset_date", current.onset_date, onset_date),
            ("episode", current.episode_id, episode.pk if episode else None),
        ]
        if old != new
    )
    if plain != current.code:
        current.code, current.description = plain, codes.describe(plain)
    current.onset_date, current.episode = onset_date, episode
    current.version += 1
    current.save()
    return _saved(current, "diagnosis.update", actor, changed=changed)


@transaction.atomic
def diagnosis_resolve(
    *,
    actor: User | None,
    diagnosis: Diagnosis,
    expected_version: int | None = None,
    outcome: str = DiagnosisStatus.RESOLVED,
    on: dt.date | None = None,
) -> Diagnosis:
    """Close an active diagnosis: resolved on a day (claims up to it still
    carry it), or ruled out (it never applied, claims never carry it)."""
    if outcome not in {DiagnosisStatus.RESOLVED, DiagnosisStatus.RULED_OUT}:
        raise ValidationError({"outcome": _("Choose resolved or ruled out.")})
    current = _locked(diagnosis, expected_version)
    if not current.is_active:
        raise ValidationError(_("Only an active diagnosis can be resolved or ruled out."))
    day = on or timezone.localdate()
    if outcome == DiagnosisStatus.RESOLVED:
        if day > timezone.localdate():
            raise ValidationError({"on": _("The day it resolved is in the future.")})
        if current.onset_date is not None and day < current.onset_date:
            raise ValidationError({"on": _("The day it resolved is before its onset.")})
        current.resolved_on = day
    current.status = outcome
    current.version += 1
    current.save()
    return _saved(current, "diagnosis.resolve", actor, outcome=outcome, on=day.isoformat())


@transaction.atomic
def diagnosis_mark_primary(*, actor: User | None, diagnosis: Diagnosis) -> Diagnosis:
    """Make an active diagnosis the primary one; the previous primary (if
    any) stays on the list as a secondary diagnosis."""
    current = _locked(diagnosis)
    if not current.is_active:
        raise ValidationError(_("Only an active diagnosis can be primary."))
    if current.is_primary:
        return current
    previous = _current_primary(current.patient_id, other_than=current.pk)
    if previous is not None:
        previous.is_primary = False
        previous.version += 1
        previous.save(update_fields=["is_primary", "version"])
    current.is_primary = True
    current.version += 1
    current.save(update_fields=["is_primary", "version"])
    return _saved(current, "diagnosis.mark_primary", actor, previous=previous.code if previous else "")


@transaction.atomic
def diagnosis_mark_entered_in_error(*, actor: User, diagnosis: Diagnosis, reason: str) -> Diagnosis:
    """Take a mistaken entry off the list, keeping it on the record with who,
    when and why (never deleted)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the entry was a mistake.")})
    current = _locked(diagnosis)
    current.status = DiagnosisStatus.ENTERED_IN_ERROR
    current.is_primary = False
    current.resolved_on = None
    current.entered_in_error_at = timezone.now()
    current.entered_in_error_by = actor
    current.entered_in_error_reason = reason[:300]
    current.version += 1
    current.save()
    return _saved(current, "diagnosis.entered_in_error", actor, reason=reason[:300])
