# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for patients and episodes. Admit, change of level and discharge are
clinical actions and are audited by name, beyond the generic record events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.core.ascii_digits import digits_of
from openiop.core.locking import check_version
from openiop.patients import transitions
from openiop.patients.models import (
    Allergy,
    AllergySeverity,
    CareTeamMember,
    ContinuingCarePlan,
    Episode,
    LevelOfCare,
    LevelOfCareChange,
    MrnCounter,
    NextLevelOfCare,
    Patient,
    RecoverySupport,
)
from openiop.sites.models import Organization, Site

PATIENT_FIELDS = (
    "legal_first_name",
    "legal_last_name",
    "preferred_name",
    "birth_date",
    "sex_at_birth",
    "gender_identity",
    "pronouns",
    "language",
    "phone",
    "email",
    "street",
    "city",
    "state",
    "zip_code",
)

# Characters people type between the digits of a phone number.
_PHONE_SEPARATORS = ("-", " ", "(", ")", ".", "+", "/")
PHONE_MATCH_DIGITS = 7


class EpisodeClosedError(ValidationError):
    """The episode is discharged: its record is read-only."""


@transaction.atomic
def next_mrn(organization: Organization) -> str:
    """The organization's next medical record number, e.g. OI-000123.

    The counter row is locked for the rest of the transaction, so two
    registrations never receive the same number.
    """
    MrnCounter.objects.get_or_create(organization=organization)
    counter = MrnCounter.objects.select_for_update().get(organization=organization)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{organization.mrn_prefix}-{counter.last_number:06d}"


@transaction.atomic
def patient_register(*, site: Site, **fields: Any) -> Patient:
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown patient fields: {sorted(unknown)}")
    patient = Patient(organization=site.organization, site=site, **fields)
    patient.mrn = "pending"
    patient.full_clean(exclude=["mrn"])
    patient.mrn = next_mrn(site.organization)
    patient.save()
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, expected_version: int, **fields: Any) -> Patient:
    """Change demographics, refusing an edit that started from an old version."""
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown patient fields: {sorted(unknown)}")
    current = Patient.objects.select_for_update().get(pk=patient.pk)
    check_version(
        current,
        expected_version,
        _(
            "Someone else changed this record while you were editing. "
            "Your changes were not saved; reload to see theirs."
        ),
    )
    for name, value in fields.items():
        setattr(current, name, value)
    current.version += 1
    current.full_clean(exclude=["mrn"])
    current.save()
    return current


def possible_duplicates(
    *, phone: str = "", first_name: str = "", last_name: str = "", birth_date: dt.date | None = None
) -> list[Patient]:
    """Patients with the same phone number, or the same name and date of birth.

    Deliberately unrestricted by site: registering a second chart for a person
    another site already treats is the mistake this check exists to prevent.
    Never show the result directly: ``selectors.duplicate_check`` turns a
    match the user may not open into the site to ask, with no name or MRN.
    """
    query = Q()
    digits = digits_of(phone)
    if len(digits) >= PHONE_MATCH_DIGITS:
        # Phones are stored as typed ("(617) 555-0142"), so compare digits
        # only, in the database, on both SQLite and PostgreSQL.
        query |= Q(phone_digits__endswith=digits[-PHONE_MATCH_DIGITS:])
    if first_name and last_name and birth_date:
        query |= Q(
            legal_first_name__iexact=first_name.strip(),
            legal_last_name__iexact=last_name.strip(),
            birth_date=birth_date,
        )
    if not query:
        return []
    return list(
        Patient.objects.annotate(phone_digits=_digits_only(F("phone"))).filter(query).select_related("site")[:10]
    )


def _digits_only(expression: Any) -> Any:
    for separator in _PHONE_SEPARATORS:
        expression = Replace(expression, Value(separator), Value(""))
    return expression


@transaction.atomic
def episode_admit(
    *,
    actor: User | None,
    patient: Patient,
    site: Site,
    admission_date: dt.date,
    level_of_care: str = LevelOfCare.IOP,
    program: str = Episode.Program.ADULT_IOP,
    primary_counsellor: User | None = None,
) -> Episode:
    """Open an episode of care (audited as "episode.admit"; with no ACTOR, as
    in background jobs, the audit context's actor is recorded).

    The patient row is locked first so two people admitting the same person at
    once cannot both pass the one-active-episode check.
    """
    list(Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk", flat=True))
    if Episode.objects.filter(patient=patient, status=Episode.Status.ACTIVE).exists():
        raise ValidationError(_("This person already has an active episode; discharge it before admitting again."))
    episode = Episode(
        patient=patient,
        site=site,
        admission_date=admission_date,
        level_of_care=level_of_care,
        program=program,
        primary_counsellor=primary_counsellor,
    )
    episode.full_clean()
    episode.save()
    if primary_counsellor is not None:
        CareTeamMember.objects.create(episode=episode, user=primary_counsellor, role_label=_("Primary counselor"))
    log_action("episode.admit", obj=episode, actor=actor, data={"level_of_care": level_of_care, "program": program})
    return episode


@transaction.atomic
def care_team_add(*, actor: User | None, episode: Episode, user: User, role_label: str = "") -> CareTeamMember:
    if Episode.objects.filter(pk=episode.pk, status=Episode.Status.DISCHARGED).exists():
        raise _closed(episode)
    if not user.sites.filter(pk=episode.site_id).exists():
        raise ValidationError(_("%(user)s does not work at %(site)s.") % {"user": user, "site": episode.site})
    member, _created = CareTeamMember.objects.get_or_create(
        episode=episode, user=user, defaults={"role_label": role_label}
    )
    return member


# Messages for the codes of transitions.py, translated here so the rules stay
# free of Django.
MESSAGES = {
    "unknown_level": gettext_lazy("Unknown level of care %(level)s."),
    "same_level": gettext_lazy("The episode is already at level %(level)s; choose a different level."),
    "change_before_admission": gettext_lazy("The change cannot take effect before the admission on %(date)s."),
    "change_in_future": gettext_lazy(
        "The change cannot take effect in the future (today is %(date)s); record it on the day."
    ),
    "change_before_last_change": gettext_lazy(
        "The level of care last changed on %(date)s; a new change cannot take effect before that."
    ),
    "reason_required": gettext_lazy("Say why the level of care changes (for example, what the reassessment showed)."),
    "teds_reason_required": gettext_lazy("Choose the TEDS discharge reason."),
    "discharge_before_admission": gettext_lazy("The discharge cannot be before the admission on %(date)s."),
    "discharge_in_future": gettext_lazy(
        "The discharge cannot be in the future (today is %(date)s); record it on the day."
    ),
    "discharge_before_last_change": gettext_lazy(
        "The level of care last changed on %(date)s; the discharge cannot be before that."
    ),
    "no_plan_after_death": gettext_lazy("No continuing-care plan is recorded after a death; leave the plan empty."),
    "next_level_required": gettext_lazy(
        "Name the next level of care, or choose no further formal treatment (recovery supports only)."
    ),
    "transfer_needs_referral": gettext_lazy("Say which program or organization the person is transferred to."),
    "appointment_needs_referral": gettext_lazy("Say with which program or organization the first appointment is."),
    "appointment_time_without_date": gettext_lazy("Give the date of the first appointment as well as the time."),
    "appointment_before_discharge": gettext_lazy("The first appointment cannot be before the discharge."),
    "unknown_supports": gettext_lazy("Unknown supports: %(codes)s."),
}


def _raise_problems(problems: transitions.Errors) -> None:
    if problems:
        raise ValidationError(
            {name: str(MESSAGES[problem.code] % problem.params) for name, problem in problems.items()}
        )


def episode_closed_message(episode: Episode) -> str:
    return _(
        "This episode was discharged on %(date)s and is read-only. If the person returns, admit them to a new episode."
    ) % {"date": f"{episode.discharge_date:%Y-%m-%d}" if episode.discharge_date else "—"}


def _closed(episode: Episode) -> EpisodeClosedError:
    return EpisodeClosedError(episode_closed_message(episode))


def _lock_for_change(episode: Episode, expected_version: int | None) -> Episode:
    current = Episode.objects.select_for_update().get(pk=episode.pk)
    if current.is_discharged:
        raise _closed(current)
    check_version(
        current,
        expected_version,
        _(
            "Someone else changed this episode while you were working on it. "
            "Nothing was saved; check the episode as it is now, then try again."
        ),
    )
    return current


def _last_change_date(episode: Episode) -> dt.date | None:
    last = episode.level_changes.order_by("-effective_date", "-decided_at", "-pk").first()
    return last.effective_date if last else None


@transaction.atomic
def episode_change_level(
    *,
    actor: User | None,
    episode: Episode,
    to_level: str,
    effective_date: dt.date,
    reason: str,
    expected_version: int | None = None,
    placement_decision_id: int | None = None,
) -> LevelOfCareChange:
    """Step the episode down or up to TO_LEVEL from EFFECTIVE_DATE, keeping
    the change in the episode's history (audited as "episode.change_level").

    Raises ``EpisodeClosedError`` for a discharged episode, ``StaleEditError``
    when the episode changed since ``expected_version``, and
    ``ValidationError`` (by field: to_level, effective_date, reason) when the
    rules of ``transitions.check_level_change`` refuse the change.
    """
    current = _lock_for_change(episode, expected_version)
    _raise_problems(
        transitions.check_level_change(
            from_level=current.level_of_care,
            to_level=to_level,
            effective_date=effective_date,
            reason=reason,
            admission_date=current.admission_date,
            today=timezone.localdate(),
            last_change=_last_change_date(current),
            known_levels=LevelOfCare.values,
        )
    )
    change = LevelOfCareChange.objects.create(
        episode=current,
        from_level=current.level_of_care,
        to_level=to_level,
        effective_date=effective_date,
        reason=reason.strip(),
        decided_by=actor,
        placement_decision_id=placement_decision_id,
    )
    current.level_of_care = to_level
    current.version += 1
    current.save(update_fields=["level_of_care", "version"])
    _refresh(episode, current)
    log_action(
        "episode.change_level",
        obj=current,
        actor=actor,
        data={
            "from": change.from_level,
            "to": change.to_level,
            "direction": transitions.direction(change.from_level, change.to_level),
            "effective_date": effective_date.isoformat(),
            "placement_decision_id": placement_decision_id,
        },
    )
    return change


@transaction.atomic
def episode_discharge(
    *,
    actor: User | None,
    episode: Episode,
    discharge_date: dt.date,
    reason: str,
    expected_version: int | None = None,
    next_level_of_care: str = "",
    referral_to: str = "",
    referral_contact: str = "",
    first_appointment_date: dt.date | None = None,
    first_appointment_time: dt.time | None = None,
    supports: list[str] | tuple[str, ...] = (),
    notes: str = "",
) -> Episode:
    """Discharge the episode with its TEDS reason code and continuing-care plan
    (audited as "episode.discharge"). The episode is read-only afterwards.

    Raises ``EpisodeClosedError`` when already discharged, ``StaleEditError``
    when the episode changed since ``expected_version``, and
    ``ValidationError`` by field when ``transitions.check_discharge`` refuses.
    """
    current = _lock_for_change(episode, expected_version)
    _raise_problems(
        transitions.check_discharge(
            discharge_date=discharge_date,
            reason=reason,
            admission_date=current.admission_date,
            today=timezone.localdate(),
            last_change=_last_change_date(current),
            next_level_of_care=next_level_of_care,
            referral_to=referral_to,
            first_appointment_date=first_appointment_date,
            first_appointment_time=first_appointment_time,
            supports=supports,
            known_next_levels=NextLevelOfCare.values,
            known_supports=RecoverySupport.values,
        )
    )
    current.status = Episode.Status.DISCHARGED
    current.discharge_date = discharge_date
    current.discharge_reason = reason
    current.version += 1
    current.full_clean()
    current.save(update_fields=["status", "discharge_date", "discharge_reason", "version"])
    plan = ContinuingCarePlan.objects.create(
        episode=current,
        next_level_of_care=next_level_of_care,
        referral_to=referral_to.strip(),
        referral_contact=referral_contact.strip(),
        first_appointment_date=first_appointment_date,
        first_appointment_time=first_appointment_time,
        supports=sorted(set(supports)),
        notes=notes.strip(),
        recorded_by=actor,
    )
    _refresh(episode, current)
    log_action(
        "episode.discharge",
        obj=current,
        actor=actor,
        data={
            "discharge_date": discharge_date.isoformat(),
            "teds_reason": reason,
            # Codes and whether free text was given, never the text: it can
            # name people and places.
            "next_level_of_care": plan.next_level_of_care,
            "has_referral": bool(plan.referral_to),
            "has_first_appointment": plan.first_appointment_date is not None,
            "supports": plan.supports,
        },
    )
    return current


def _refresh(stale: Episode, current: Episode) -> None:
    """Bring the caller's copy up to date, so a second call with it carries
    the new version rather than tripping the stale-edit check."""
    for name in ("level_of_care", "status", "discharge_date", "discharge_reason", "version"):
        setattr(stale, name, getattr(current, name))


# --- Allergies ------------------------------------------------------------------------------------------------------


def _current_allergies(patient: Patient) -> list[Allergy]:
    return list(
        Allergy.objects.filter(patient=patient, entered_in_error_at__isnull=True, no_known_allergies=False).order_by(
            "noted_at", "pk"
        )
    )


def _lock_patient(patient: Patient) -> None:
    # Two people adding to one list at once must not both pass the checks below.
    list(Patient.objects.select_for_update().filter(pk=patient.pk).values_list("pk", flat=True))


@transaction.atomic
def allergy_record(
    *, actor: User, patient: Patient, substance: str, reaction: str = "", severity: str = AllergySeverity.UNKNOWN
) -> Allergy:
    """Add a substance to the patient's allergy list (audited as "allergy.record").
    A substance already on the list is refused: change an entry by marking it
    entered in error and recording it again."""
    substance, reaction = substance.strip(), reaction.strip()
    if not substance:
        raise ValidationError({"substance": _("Name the substance (a medicine, a food, latex...).")})
    if severity not in AllergySeverity.values:
        raise ValidationError({"severity": _("Choose how severe the reaction is, or 'Not known'.")})
    _lock_patient(patient)
    same = next((a for a in _current_allergies(patient) if a.substance.casefold() == substance.casefold()), None)
    if same is not None:
        raise ValidationError(
            {
                "substance": _(
                    "%(substance)s is already on the list (noted %(date)s). To change it, mark that entry entered in "
                    "error and record it again."
                )
                % {"substance": same.substance, "date": f"{timezone.localtime(same.noted_at):%Y-%m-%d}"}
            }
        )
    allergy = Allergy.objects.create(
        patient=patient, substance=substance, reaction=reaction, severity=severity, noted_by=actor
    )
    log_action("allergy.record", obj=allergy, actor=actor, data={"allergy": allergy.pk, "severity": severity})
    return allergy


@transaction.atomic
def allergy_record_none_known(*, actor: User, patient: Patient) -> Allergy:
    """State that the patient was asked and has no known allergies (audited).
    Refused while the list names an allergy: the two cannot both be true."""
    _lock_patient(patient)
    listed = _current_allergies(patient)
    if listed:
        raise ValidationError(
            _(
                "The list names %(list)s. Mark those entries entered in error first if the patient has no known "
                "allergies."
            )
            % {"list": ", ".join(allergy.substance for allergy in listed)}
        )
    statement = Allergy.objects.create(patient=patient, no_known_allergies=True, noted_by=actor)
    log_action("allergy.none_known", obj=statement, actor=actor, data={"allergy": statement.pk})
    return statement


@transaction.atomic
def allergy_mark_entered_in_error(*, actor: User, allergy: Allergy, reason: str) -> Allergy:
    """Take an entry off the list without deleting it: it stays on the record
    with who marked it, when and why (audited)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the entry was entered in error.")})
    locked = Allergy.objects.select_for_update().get(pk=allergy.pk)
    if locked.entered_in_error_at is not None:
        raise ValidationError(_("This entry is already marked as entered in error."))
    locked.entered_in_error_at = timezone.now()
    locked.entered_in_error_by = actor
    locked.entered_in_error_reason = reason.strip()
    locked.save(update_fields=["entered_in_error_at", "entered_in_error_by", "entered_in_error_reason"])
    log_action(
        "allergy.entered_in_error", obj=locked, actor=actor, data={"allergy": locked.pk, "reason": reason.strip()}
    )
    return locked
