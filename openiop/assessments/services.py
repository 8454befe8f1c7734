# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes: recording instrument results, raising and acknowledging safety
alerts, placement runs and decisions, withdrawal-monitoring checks, safety
plans and their reviews."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.assessments import placement, safety, safety_plan, vitals
from openiop.assessments.instruments import Band, Response, get_instrument
from openiop.assessments.models import (
    BandOverride,
    InstrumentResult,
    MonitoringThreshold,
    PlacementAssessment,
    SafetyAlert,
    SafetyPlan,
    SafetyPlanReview,
    SafetyPlanVersion,
    WithdrawalCheck,
)
from openiop.assessments.scoring import score
from openiop.audit.services import log_action
from openiop.core.jobs import enqueue_on_commit
from openiop.core.locking import StaleEditError
from openiop.core.tasks import send_email
from openiop.patients.models import Episode, LevelOfCare, Patient

if TYPE_CHECKING:
    from openiop.accounts.models import User

# How far in the past a result may be dated when it is entered late (a paper
# form from last week), and how far in the future clocks may drift.
LATE_ENTRY_LIMIT = dt.timedelta(days=30)
CLOCK_SKEW = dt.timedelta(minutes=5)

# What every alert tells the person who sees it first.
CRISIS_GUIDANCE = _(
    "Assess safety now. If there is immediate danger, call 911. The person can call or text 988 "
    "(Suicide & Crisis Lifeline) at any time. Consider a higher level of care."
)


def active_episode(patient: Patient) -> Episode | None:
    return patient.episodes.filter(status=Episode.Status.ACTIVE).first()


def bands_in_force(code: str) -> tuple[list[Band] | None, str]:
    """The administrator's bands for a CONFIGURABLE instrument, else None (the
    defaults), with a sentence naming the rule in force."""
    instrument = get_instrument(code)
    if not instrument.bands_configurable:
        return None, instrument.band_source or str(instrument.citation)
    override = BandOverride.objects.filter(instrument_code=instrument.code).first()
    if override is None:
        return None, instrument.band_source or str(instrument.citation)
    bands = [Band(name=str(b["name"]), min=int(b["min"]), max=int(b["max"])) for b in override.bands]
    described = ", ".join(f"{band.min}-{band.max} {band.name}" for band in bands)
    return bands, _("Set by the administrator %(user)s on %(date)s: %(bands)s") % {
        "user": override.changed_by,
        "date": f"{override.changed_at:%Y-%m-%d}",
        "bands": described,
    }


def _check_when(administered_at: dt.datetime) -> None:
    now = timezone.now()
    if administered_at > now + CLOCK_SKEW:
        raise ValidationError({"administered_at": _("The time the instrument was taken is in the future.")})
    if administered_at < now - LATE_ENTRY_LIMIT:
        raise ValidationError(
            {
                "administered_at": _("Results older than %(days)d days cannot be entered.")
                % {"days": LATE_ENTRY_LIMIT.days}
            }
        )


@transaction.atomic
def result_record(
    *,
    actor: User,
    patient: Patient,
    code: str,
    answers: Sequence[Response],
    administered_at: dt.datetime | None = None,
    context: str = InstrumentResult.Context.SCREENING,
    sex: str | None = None,
    notes: str = "",
) -> InstrumentResult:
    """Score and store one completed instrument; raise alerts for its flags.

    Nothing is stored when an answer is missing or not allowed: the scoring
    error becomes a ValidationError naming the item.
    """
    instrument = get_instrument(code)
    when = administered_at or timezone.now()
    _check_when(when)
    bands, band_rule = bands_in_force(instrument.code)
    try:
        outcome = score(instrument.code, answers, sex=sex, bands=bands)
    except ValueError as error:
        raise ValidationError(str(error)) from error
    episode = active_episode(patient)
    result = InstrumentResult.objects.create(
        patient=patient,
        episode=episode,
        instrument_code=instrument.code,
        answers=list(answers),
        total=outcome.total,
        band=outcome.band,
        subscales=outcome.subscales,
        flags=outcome.flags,
        band_rule=band_rule,
        sex_used=sex or "",
        context=context,
        administered_at=when,
        administered_by=actor,
        notes=notes,
    )
    log_action(
        "instrument.record",
        obj=result,
        actor=actor,
        data={"instrument": instrument.code, "total": outcome.total, "band": outcome.band, "flags": outcome.flags},
    )
    _raise_safety_alerts(actor=actor, result=result)
    return result


def escalation_thresholds() -> dict[str, safety.Threshold]:
    """The configured escalation thresholds, as the safety rule reads them."""
    return {
        row.instrument_code: safety.Threshold(escalate_at=row.escalate_at, guidance=row.guidance)
        for row in MonitoringThreshold.objects.all()
    }


def _raise_safety_alerts(*, actor: User, result: InstrumentResult) -> list[SafetyAlert]:
    # The one place a stored score meets the safety rule: every path that
    # stores a result comes through result_record, so none can skip it.
    found = safety.concerns(
        code=result.instrument_code,
        total=result.total,
        band=result.band,
        flags=result.flags,
        thresholds=escalation_thresholds(),
    )
    return [
        alert_raise(actor=actor, patient=result.patient, kind=concern.kind, source_result=result, detail=concern.detail)
        for concern in found
    ]


@transaction.atomic
def result_mark_entered_in_error(*, actor: User, result: InstrumentResult, reason: str) -> InstrumentResult:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the result was entered in error.")})
    locked = InstrumentResult.objects.select_for_update().get(pk=result.pk)
    if locked.entered_in_error_at is not None:
        raise ValidationError(_("This result is already marked as entered in error."))
    locked.entered_in_error_at = timezone.now()
    locked.entered_in_error_by = actor
    locked.entered_in_error_reason = reason.strip()
    locked.save(update_fields=["entered_in_error_at", "entered_in_error_by", "entered_in_error_reason"])
    log_action("instrument.entered_in_error", obj=locked, actor=actor, data={"reason": reason.strip()})
    return locked


def _care_team_emails(patient: Patient, episode: Episode | None) -> list[str]:
    if episode is None:
        return []
    members = episode.care_team.filter(is_active=True).exclude(email="")
    emails = {member.email for member in members}
    if episode.primary_counsellor and episode.primary_counsellor.email:
        emails.add(episode.primary_counsellor.email)
    return sorted(emails)


@transaction.atomic
def alert_raise(
    *,
    actor: User,
    patient: Patient,
    kind: str,
    detail: str,
    source_result: InstrumentResult | None = None,
) -> SafetyAlert:
    """Open an alert and tell the care team at once.

    The e-mail carries no name or clinical detail (42 CFR Part 2): only that an
    alert waits, and the link to it behind sign-in.
    """
    if not detail.strip():
        raise ValidationError({"detail": _("Describe what was reported.")})
    episode = active_episode(patient)
    alert = SafetyAlert.objects.create(
        patient=patient, episode=episode, kind=kind, source_result=source_result, detail=detail.strip(), raised_by=actor
    )
    log_action("alert.raise", obj=alert, actor=actor, data={"kind": kind})
    recipients = _care_team_emails(patient, episode)
    if recipients:
        link = f"{settings.OPENIOP_BASE_URL.rstrip('/')}{reverse('assessments:alert', args=[alert.pk])}"
        enqueue_on_commit(
            send_email,
            subject=str(_("OpenIOP: a safety alert needs attention")),
            body=str(
                _(
                    "A safety alert was raised for a patient on your care team. Sign in to review and acknowledge "
                    "it: %(link)s\n\nIf there is immediate danger, call 911. Crisis line: call or text 988."
                )
                % {"link": link}
            ),
            recipients=recipients,
        )
    return alert


@transaction.atomic
def alert_acknowledge(*, actor: User, alert: SafetyAlert, note: str) -> SafetyAlert:
    if not note.strip():
        raise ValidationError({"note": _("Write what you did or decided; an alert is acknowledged with a note.")})
    locked = SafetyAlert.objects.select_for_update().get(pk=alert.pk)
    if locked.acknowledged_at is not None:
        raise ValidationError(
            _("%(user)s already acknowledged this alert at %(time)s.")
            % {"user": locked.acknowledged_by, "time": f"{timezone.localtime(locked.acknowledged_at):%Y-%m-%d %H:%M}"}
        )
    locked.acknowledged_at = timezone.now()
    locked.acknowledged_by = actor
    locked.acknowledgement_note = note.strip()
    locked.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note"])
    log_action("alert.acknowledge", obj=locked, actor=actor, data={"kind": locked.kind})
    return locked


# --- Placement ---------------------------------------------------------------------------------------------------


def suggestion_inputs(patient: Patient) -> list[placement.InstrumentResultInput]:
    """The patient's results as the placement engine reads them (in-error rows left out)."""
    results = InstrumentResult.objects.filter(patient=patient, entered_in_error_at__isnull=True).order_by(
        "administered_at"
    )
    return [
        placement.InstrumentResultInput(
            code=result.instrument_code,
            total=result.total,
            band=result.band,
            flags=tuple(result.flags),
            subscales=dict(result.subscales),
            taken_on=timezone.localtime(result.administered_at).date(),
        )
        for result in results
    ]


def _suggestion_dict(suggestion: placement.Suggestion) -> dict[str, Any]:
    return {
        "dimension": suggestion.dimension,
        "rating": suggestion.rating,
        "reason": suggestion.reason,
        "source": suggestion.source,
    }


@transaction.atomic
def placement_run(
    *,
    actor: User,
    patient: Patient,
    ratings: Mapping[int, int],
    notes: Mapping[int, str],
    fit: Mapping[str, bool | None],
    adolescent: bool = False,
) -> PlacementAssessment:
    """Rate the six dimensions, ask the fit questions, and store the rule set's
    recommendation with every reason (a new version; older ones are kept)."""
    try:
        recommendation = placement.recommend(ratings, fit, adolescent=adolescent)
    except ValueError as error:
        raise ValidationError(str(error)) from error
    suggestions = placement.suggest_ratings(suggestion_inputs(patient))
    # Lock the patient row so two runs at once cannot take the same version number.
    list(Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk", flat=True))
    last = PlacementAssessment.objects.filter(patient=patient).aggregate(last=Max("version"))["last"] or 0
    run = PlacementAssessment.objects.create(
        patient=patient,
        episode=active_episode(patient),
        version=last + 1,
        adolescent=adolescent,
        ratings={str(d): {"rating": ratings[d], "note": notes.get(d, "").strip()} for d in sorted(ratings)},
        fit_answers=dict(fit),
        suggestions=[_suggestion_dict(s) for s in suggestions],
        rule_set=recommendation.rule_set,
        rule_set_version=recommendation.rule_set_version,
        recommended_level=recommendation.level,
        recommended_withdrawal_management=recommendation.withdrawal_management,
        reasons=[
            {"rule_id": r.rule_id, "text": r.text, "effect": r.effect, "decisive": r.decisive}
            for r in recommendation.reasons
        ],
        assessed_by=actor,
    )
    log_action(
        "placement.run",
        obj=run,
        actor=actor,
        data={
            "version": run.version,
            "recommended_level": run.recommended_level,
            "withdrawal_management": run.recommended_withdrawal_management,
            "rule_set": run.rule_set,
        },
    )
    return run


@transaction.atomic
def placement_decide(
    *, actor: User, run: PlacementAssessment, level: str, withdrawal_management: bool, reason: str
) -> PlacementAssessment:
    """Record the clinician's decision. Deciding other than the rule set
    recommends (including IOP against a severe-withdrawal recommendation)
    needs a reason; a decided run is final: re-assess with a new version."""
    locked = PlacementAssessment.objects.select_for_update().get(pk=run.pk)
    if locked.decided_at is not None:
        raise ValidationError(_("This placement is already decided; run a new placement to change it."))
    if level not in LevelOfCare.values:
        raise ValidationError({"level": _("Choose a level of care.")})
    differs = level != locked.recommended_level or withdrawal_management != locked.recommended_withdrawal_management
    if differs and not reason.strip():
        raise ValidationError(
            {"reason": _("Your decision differs from the recommendation; give the clinical reason for it.")}
        )
    locked.decided_level = level
    locked.decided_withdrawal_management = withdrawal_management
    locked.decision_reason = reason.strip()
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(
        update_fields=["decided_level", "decided_withdrawal_management", "decision_reason", "decided_by", "decided_at"]
    )
    log_action(
        "placement.decide",
        obj=locked,
        actor=actor,
        data={
            "version": locked.version,
            "decided_level": level,
            "withdrawal_management": withdrawal_management,
            "recommended_level": locked.recommended_level,
            "override": differs,
        },
    )
    return locked


# --- Ambulatory withdrawal monitoring -----------------------------------------------------------------------------

MONITORED_INSTRUMENTS = safety.MONITORED_INSTRUMENTS


def escalation_threshold(code: str) -> MonitoringThreshold | None:
    return MonitoringThreshold.objects.filter(instrument_code=code).first()


@transaction.atomic
def withdrawal_check_record(
    *,
    actor: User,
    patient: Patient,
    code: str,
    answers: Sequence[Response],
    pulse: int,
    systolic: int,
    diastolic: int,
    temperature_c: Decimal,
    respiratory_rate: int,
    oxygen_saturation: int | None = None,
    administered_at: dt.datetime | None = None,
    notes: str = "",
) -> WithdrawalCheck:
    """One flowsheet row: the score (stored, and checked by the safety rule,
    through result_record like every other score) with the vital signs."""
    instrument = get_instrument(code)
    if instrument.code not in MONITORED_INSTRUMENTS:
        raise ValidationError(_("Withdrawal monitoring uses CIWA-Ar or COWS."))
    if diastolic >= systolic:
        raise ValidationError({"diastolic": _("The diastolic pressure must be lower than the systolic.")})
    temperature_problem = vitals.problem(temperature_c, vitals.CELSIUS)
    if temperature_problem:
        raise ValidationError({"temperature_c": temperature_problem})
    result = result_record(
        actor=actor,
        patient=patient,
        code=instrument.code,
        answers=answers,
        administered_at=administered_at,
        context=InstrumentResult.Context.WITHDRAWAL,
        notes=notes,
    )
    check = WithdrawalCheck(
        patient=patient,
        episode=result.episode,
        result=result,
        pulse=pulse,
        systolic=systolic,
        diastolic=diastolic,
        temperature_c=temperature_c,
        respiratory_rate=respiratory_rate,
        oxygen_saturation=oxygen_saturation,
    )
    check.full_clean()
    # The score's alerts were raised by result_record (the same rule as any
    # other path); the flowsheet row only records whether it escalated.
    crossed = safety.escalates(
        code=result.instrument_code, total=result.total, flags=result.flags, thresholds=escalation_thresholds()
    )
    check.escalated = crossed
    check.save()
    log_action("withdrawal.check", obj=check, actor=actor, data={"instrument": instrument.code, "escalated": crossed})
    return check


# --- Safety plans (Stanley-Brown) ---------------------------------------------------------------------------------


@transaction.atomic
def safety_plan_write(
    *,
    actor: User,
    patient: Patient,
    content: Mapping[str, str],
    expected_version: int,
    source_result: InstrumentResult | None = None,
) -> SafetyPlanVersion:
    """Save a new version of the patient's safety plan, the first creating it.

    CONTENT has one text per step of ``safety_plan.STEPS`` (one entry a line);
    every step needs at least one line. EXPECTED_VERSION is the version the
    edit started from (0 for a new plan): if someone saved since, nothing is
    saved and ``StaleEditError`` says who and when. SOURCE_RESULT is the
    screener result that prompted the plan, when there is one.
    """
    problems = {
        step.key: _("Write at least one line for this step; if the person has none yet, write that down.")
        for step in safety_plan.missing_steps(dict(content))
    }
    if problems:
        raise ValidationError(problems)
    if source_result is not None and source_result.patient_id != patient.pk:
        raise ValidationError(_("The screener result belongs to another patient."))
    # Lock the patient row so two first plans written at once cannot both be created.
    list(Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk", flat=True))
    plan = SafetyPlan.objects.select_for_update().filter(patient=patient).first()
    if plan is None:
        plan = SafetyPlan(patient=patient, created_by=actor, version=0)
    if plan.version != expected_version:
        latest = plan.versions.select_related("written_by").first()
        raise StaleEditError(
            _(
                "%(user)s saved version %(version)d of this plan at %(time)s, after you opened it. Nothing was "
                "saved: your text is below. Compare it with the plan, then save again."
            )
            % {
                "user": latest.written_by if latest else "",
                "version": plan.version,
                "time": f"{timezone.localtime(latest.written_at):%Y-%m-%d %H:%M}" if latest else "",
            }
        )
    plan.version += 1
    plan.save()
    version = SafetyPlanVersion.objects.create(
        plan=plan,
        number=plan.version,
        source_result=source_result,
        written_by=actor,
        **{key: "\n".join(safety_plan.entries(content.get(key, ""))) for key in safety_plan.STEP_KEYS},
    )
    log_action(
        "safety_plan.write",
        obj=plan,
        actor=actor,
        data={"version": version.number, "source_result": source_result.pk if source_result else None},
    )
    return version


@transaction.atomic
def safety_plan_review(*, actor: User, plan: SafetyPlan, reviewed_on: dt.date, note: str = "") -> SafetyPlanReview:
    """Record that the current version was gone through with the person on
    REVIEWED_ON (not in the future, not before that version was written)."""
    locked = SafetyPlan.objects.select_for_update().get(pk=plan.pk)
    current = locked.versions.get(number=locked.version)
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": _("The review date is in the future.")})
    written_on = timezone.localdate(current.written_at)
    if reviewed_on < written_on:
        raise ValidationError(
            {
                "reviewed_on": _("Version %(version)d was written on %(date)s; a review cannot be earlier.")
                % {"version": current.number, "date": f"{written_on:%Y-%m-%d}"}
            }
        )
    review = SafetyPlanReview.objects.create(
        version=current, reviewed_on=reviewed_on, reviewed_by=actor, note=note.strip()
    )
    log_action(
        "safety_plan.review",
        obj=locked,
        actor=actor,
        data={"version": current.number, "reviewed_on": reviewed_on.isoformat()},
    )
    return review
