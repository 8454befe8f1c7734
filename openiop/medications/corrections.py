# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes that change what was recorded, without losing it.

- A dose or direction change stops the current medication entry on the day
  the new one starts and links the new entry to it (``replaces``): the chart
  shows a chain, and the drug-test reading has no gap.
- An entry entered in error is marked (who, when, why), never deleted: it
  leaves the active list and stops explaining drug-test positives. If it was
  a change, the entry it replaced is put back as it was.
- A drug-test result recorded wrongly is corrected by a new version that
  supersedes it; the reading is recomputed. A new unexpected positive goes to
  the review queue like any other; a correction that takes away what a
  confirmed review (which reset the sobriety date) was about offers the
  clinician to restore the earlier date, and the clinician decides.

Every function saves everything or nothing and logs one named audit event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.core.locking import check_version
from openiop.medications import selectors
from openiop.medications.models import DrugTestReview, Medication, RestoreOutcome, SobrietyDate, Specimen, TestResult
from openiop.medications.services import (
    _active_episode,
    _open_review_if_needed,
    _required,
    open_reviews_for_new_unexpected,
)
from openiop.patients.models import Patient


def _who(user: User | None) -> str:
    if user is None:
        return "?"
    return user.get_full_name() or user.get_username()


def _when(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _locked_medication(medication: Medication, expected_version: int) -> Medication:
    current = Medication.objects.select_for_update().get(pk=medication.pk)
    check_version(
        current,
        expected_version,
        _("Someone else changed this medication while you were editing. Nothing was saved; reload to see it."),
    )
    if current.entered_in_error:
        raise ValidationError(
            _("This entry was already marked entered in error by %(who)s on %(when)s.")
            % {"who": _who(current.entered_in_error_by), "when": _when(current.entered_in_error_at)}
        )
    return current


# --- Medications -------------------------------------------------------------


@transaction.atomic
def medication_change(
    *,
    actor: User,
    medication: Medication,
    expected_version: int,
    dose: str,
    route: str,
    frequency: str,
    indication: str,
    start_date: dt.date,
    prescriber: User | None = None,
    outside_prescriber: str = "",
    reason: str = "",
) -> Medication:
    """Change MEDICATION's dose or directions from START_DATE: the current
    entry stops that day ("Changed to ...") and a new entry, linked to it,
    starts. Name, MOUD/MAUD entry, outside program and the classes expected
    in drug tests carry over, so the reading of drug tests has no gap."""
    current = _locked_medication(medication, expected_version)
    if current.stop_date is not None:
        raise ValidationError(
            _("This medication was stopped on %(date)s; add it again rather than changing it.")
            % {"date": current.stop_date.isoformat()}
        )
    if start_date < current.start_date:
        raise ValidationError(
            {
                "start_date": _(
                    "The new start date (%(new)s) is before the current entry started (%(start)s). "
                    "If the current entry is wrong, mark it entered in error instead."
                )
                % {"new": start_date.isoformat(), "start": current.start_date.isoformat()}
            }
        )
    if start_date > timezone.localdate():
        raise ValidationError(
            {"start_date": _("The new start date is in the future. Record the change on the day it takes effect.")}
        )
    replacement = Medication(
        patient=current.patient,
        episode=_active_episode(current.patient) or current.episode,
        catalogue_code=current.catalogue_code,
        name=current.name,
        dose=dose.strip(),
        route=route,
        frequency=frequency.strip(),
        prescriber=prescriber,
        outside_prescriber=outside_prescriber.strip(),
        dispensed_by_otp=current.dispensed_by_otp,
        otp_name=current.otp_name,
        indication=indication.strip(),
        expected_classes=list(current.expected_classes),
        start_date=start_date,
        replaces=current,
        created_by=actor,
    )
    fields = ("dose", "route", "frequency", "indication", "prescriber_id", "outside_prescriber")
    if all(getattr(replacement, name) == getattr(current, name) for name in fields):
        raise ValidationError(
            _("Nothing changed: give the new dose, route, frequency, prescriber or indication."),
            code="unchanged",
        )
    replacement.full_clean()
    reason = (reason or "").strip()
    changed_to = _("Changed to %(summary)s") % {"summary": replacement.summary()}
    current.stop_date = start_date
    current.stop_reason = f"{changed_to}: {reason}" if reason else changed_to
    current.stopped_by = actor
    current.stopped_at = timezone.now()
    current.version += 1
    current.full_clean()
    current.save()
    replacement.save()
    log_action(
        "medication.change",
        obj=replacement,
        actor=actor,
        data={
            "replaces": current.pk,
            "start": start_date,
            "reason": reason,
            "changed": {
                name.removesuffix("_id"): [str(getattr(current, name) or ""), str(getattr(replacement, name) or "")]
                for name in fields
                if getattr(replacement, name) != getattr(current, name)
            },
        },
    )
    return replacement


@dataclass(frozen=True)
class InErrorOutcome:
    medication: Medication
    reinstated: Medication | None  # the entry a change in error had stopped, now current again
    reviews: list[DrugTestReview] = field(default_factory=list)  # positives no longer explained


@transaction.atomic
def medication_mark_in_error(
    *, actor: User, medication: Medication, reason: str, expected_version: int
) -> InErrorOutcome:
    """Mark MEDICATION entered in error (wrong patient, wrong drug, never
    prescribed). It stays on the record, struck through with the reason, and
    stops counting: not active, not MOUD/MAUD, no longer explaining drug-test
    positives (any positive it explained goes to the review queue). If it was
    a change, the entry it replaced is reinstated as it was before."""
    current = _locked_medication(medication, expected_version)
    reason = _required(reason, "reason", _("Say what was wrong with this entry."))
    newer = current.replacements.filter(entered_in_error_at__isnull=True).first()
    if newer is not None:
        raise ValidationError(
            _(
                "This entry was changed to %(newer)s on %(date)s. Mark that newer entry entered in error "
                "first (this entry then becomes current again), or leave this one as history."
            )
            % {"newer": newer.summary(), "date": newer.start_date.isoformat()}
        )
    before = selectors.unexpected_by_specimen(current.patient)
    current.entered_in_error_at = timezone.now()
    current.entered_in_error_by = actor
    current.entered_in_error_reason = reason
    current.version += 1
    current.full_clean()
    current.save()
    reinstated = None
    if current.replaces_id is not None:
        previous = Medication.objects.select_for_update().get(pk=current.replaces_id)
        if not previous.entered_in_error and previous.stop_date == current.start_date:
            undone = {"stop": previous.stop_date, "reason": previous.stop_reason, "by": previous.stopped_by_id}
            previous.stop_date = None
            previous.stop_reason = ""
            previous.stopped_by = None
            previous.stopped_at = None
            previous.version += 1
            previous.full_clean()
            previous.save()
            log_action(
                "medication.reinstate",
                obj=previous,
                actor=actor,
                data={"because_in_error": current.pk, "undone_stop": undone},
            )
            reinstated = previous
    reviews = open_reviews_for_new_unexpected(actor=actor, patient=current.patient, before=before)
    log_action(
        "medication.entered_in_error",
        obj=current,
        actor=actor,
        data={
            "reason": reason,
            "reinstated": reinstated.pk if reinstated else None,
            "reviews_opened": [review.pk for review in reviews],
        },
    )
    return InErrorOutcome(medication=current, reinstated=reinstated, reviews=reviews)


# --- Drug-test results -------------------------------------------------------


@dataclass(frozen=True)
class CorrectionOutcome:
    result: TestResult
    review: DrugTestReview | None = None  # opened or extended for a new unexpected positive
    now_explained: list[DrugTestReview] = field(default_factory=list)  # pending, nothing unexpected left
    restore_offers: list[DrugTestReview] = field(default_factory=list)  # confirmed, had reset the sobriety date


@transaction.atomic
def result_correct(
    *, actor: User, result: TestResult, new_result: str, cutoff: Decimal | None, reason: str
) -> CorrectionOutcome:
    """Correct RESULT: a new version supersedes it (the original stays,
    stamped superseded) and the specimen is read again.

    - A positive that becomes unexpected goes to the review queue, even if a
      review had decided on the earlier record.
    - A pending review left with nothing unexpected is pointed out (the
      clinician dismisses it).
    - A confirmed review that reset the sobriety date and is left with nothing
      unexpected offers to restore the date before the reset; the clinician
      decides (``sobriety_restore_decide``), it never happens by itself.
    """
    specimen = Specimen.objects.select_for_update(of=("self",)).select_related("site").get(pk=result.specimen_id)
    current = TestResult.objects.select_for_update().get(pk=result.pk)
    if current.superseded_at is not None:
        newer = TestResult.objects.select_related("recorded_by").get(supersedes=current)
        raise ValidationError(
            _("This result was already corrected by %(who)s on %(when)s. Correct the newest version.")
            % {"who": _who(newer.recorded_by), "when": _when(newer.recorded_at)}
        )
    reason = _required(reason, "reason", _("Say why the result is corrected, for example the laboratory's report."))
    if new_result not in TestResult.Outcome.values:
        raise ValidationError({"result": _("Choose positive, negative or invalid.")})
    if new_result == current.result and cutoff == current.cutoff:
        raise ValidationError(_("Nothing changed: the result and the cutoff are the ones already recorded."))
    before = selectors.specimen_interpretation(specimen)
    now = timezone.now()
    current.superseded_at = now
    current.save(update_fields=["superseded_at"])
    corrected = TestResult(
        specimen=specimen,
        method=current.method,
        drug_class=current.drug_class,
        result=new_result,
        cutoff=cutoff,
        cutoff_unit=(current.cutoff_unit or ("g/210 L" if specimen.specimen_type == Specimen.Type.BREATH else "ng/mL"))
        if cutoff is not None
        else "",
        recorded_by=actor,
        recorded_at=now,
        supersedes=current,
        correction_reason=reason,
    )
    corrected.full_clean()
    corrected.save()
    after = selectors.specimen_interpretation(specimen)
    still = set(after.unexpected_classes)
    newly = still - set(before.unexpected_classes)
    gone = set(before.unexpected_classes) - still
    opened = _open_review_if_needed(actor=actor, specimen=specimen, reopen=newly) if newly else None
    now_explained, offers = [], []
    for review in DrugTestReview.objects.select_for_update(of=("self",)).filter(specimen=specimen):
        if review.pk == (opened.pk if opened else None):
            continue
        classes = set(review.drug_classes)
        if review.restore_pending and classes & still:
            # A later correction brought back what the review was about.
            review.restore_offered_at = None
            review.save(update_fields=["restore_offered_at"])
            log_action("drugtest.sobriety_restore_withdraw", obj=review, actor=actor, data={"result": corrected.pk})
            continue
        if not classes & gone or classes & still:
            continue
        if review.is_pending:
            now_explained.append(review)
        elif (
            review.status == DrugTestReview.Status.CONFIRMED
            and not review.restore_outcome
            and review.restore_offered_at is None
            and review.sobriety_dates.filter(source=SobrietyDate.Source.REVIEW).exists()
        ):
            review.restore_offered_at = now
            review.save(update_fields=["restore_offered_at"])
            log_action("drugtest.sobriety_restore_offer", obj=review, actor=actor, data={"result": corrected.pk})
            offers.append(review)
    log_action(
        "drugtest.result_correct",
        obj=corrected,
        actor=actor,
        patient_id=specimen.patient_id,
        data={
            "supersedes": current.pk,
            "class": current.drug_class,
            "method": current.method,
            "result": [current.result, new_result],
            "cutoff": [current.cutoff, cutoff],
            "reason": reason,
            "verdict": [
                str(before.verdict_for(current.drug_class) or ""),
                str(after.verdict_for(current.drug_class) or ""),
            ],
            "review": opened.pk if opened else None,
            "restore_offered": [review.pk for review in offers],
        },
    )
    return CorrectionOutcome(result=corrected, review=opened, now_explained=now_explained, restore_offers=offers)


def restore_blocker(review: DrugTestReview) -> str | None:
    """Why the previous sobriety date cannot simply be put back, if it cannot."""
    if review.sobriety_date_before is None:
        return _("There was no sobriety date before this review reset it: set the date by hand if one is known.")
    latest = selectors.current_sobriety_date(review.patient)
    if latest is None or latest.review_id != review.pk or latest.source != SobrietyDate.Source.REVIEW:
        return _(
            "The sobriety date has changed since this review reset it (now %(date)s). "
            "Keep it, and set the date by hand if it needs correcting."
        ) % {"date": latest.date.isoformat() if latest else "—"}
    return None


@transaction.atomic
def sobriety_restore_decide(*, actor: User, review: DrugTestReview, restore: bool, note: str) -> DrugTestReview:
    """The clinician's answer to a restore offer: put back the sobriety date
    from before REVIEW reset it (a new, attributed history row), or keep the
    current date. Either way the answer is recorded with the note."""
    Patient.objects.select_for_update().get(pk=review.patient_id)  # one sobriety-date writer at a time
    current = DrugTestReview.objects.select_for_update(of=("self",)).select_related("patient").get(pk=review.pk)
    if current.restore_outcome:
        raise ValidationError(
            _("This was already decided (%(outcome)s) by %(who)s on %(when)s.")
            % {
                "outcome": current.get_restore_outcome_display(),
                "who": _who(current.restore_decided_by),
                "when": _when(current.restore_decided_at),
            }
        )
    if current.restore_offered_at is None:
        raise ValidationError(_("No corrected result has taken away what this review confirmed."))
    note = _required(note, "note", _("Write a note: what was discussed and decided."))
    restored = None
    if restore:
        blocker = restore_blocker(current)
        if blocker:
            raise ValidationError({"decision": blocker})
        assert current.sobriety_date_before is not None
        restored = SobrietyDate.objects.create(
            patient=current.patient,
            episode=_active_episode(current.patient),
            date=current.sobriety_date_before,
            source=SobrietyDate.Source.RESTORED,
            note=note,
            review=current,
            set_by=actor,
        )
    current.restore_outcome = RestoreOutcome.RESTORED if restore else RestoreOutcome.KEPT
    current.restore_decided_by = actor
    current.restore_decided_at = timezone.now()
    current.restore_note = note
    current.full_clean()
    current.save()
    log_action(
        "drugtest.sobriety_restore" if restore else "drugtest.sobriety_keep",
        obj=current,
        actor=actor,
        data={"restored_date": restored.date if restored else None, "note": note},
    )
    return current
