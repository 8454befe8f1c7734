# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for the admissions pipeline.

Every move goes through ``inquiry_move``: it checks the pipeline rules, records
who moved the inquiry and when (``StageChange``) and writes one audit event.
Moving to "assessment scheduled" books the assessment (clinician, time,
room) under the scheduling rules. Moving to admitted registers the person as a
patient (or links the existing chart the navigator picked) and opens the
episode of care in the same transaction, so the chart, the episode and the
inquiry (its substances, insurer, referral source and consent to contact)
stay connected; if any part fails, nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.admissions import busy as admissions_busy
from openiop.admissions import duplicates, pipeline, services_selfcheck, signals
from openiop.admissions.models import Inquiry, ReferralSource, StageChange
from openiop.audit.services import log_action
from openiop.core.ascii_digits import digits_of
from openiop.core.locking import check_version
from openiop.insurance.models import SubscriberRelation, member_id_validator
from openiop.patients import services as patient_services
from openiop.patients.models import Episode, LevelOfCare, Patient
from openiop.scheduling import services as scheduling_services
from openiop.scheduling.models import Track
from openiop.sites.models import Room, Site

# Duplicate checks and the shared self-check live in modules of their own;
# callers keep finding their entry points here.
Duplicates = duplicates.Duplicates
Match = duplicates.Match
possible_duplicates = duplicates.possible_duplicates
phones_match = duplicates.phones_match
selfcheck_share_record = services_selfcheck.selfcheck_share_record
selfcheck_risk_acknowledge = services_selfcheck.selfcheck_risk_acknowledge

INQUIRY_FIELDS = (
    "channel", "caller_name", "caller_relation", "first_name", "last_name", "birth_date", "phone", "email",
    "preferred_contact", "consent_to_contact", "substances", "urgency", "insurance_payer", "insurance_member_id",
    "insurance_plan", "referral_source", "notes",
)  # fmt: skip

PRESCREEN_FIELDS = (
    "last_use_date", "substances", "screen_suicidal_thoughts", "screen_medical_emergency",
    "screen_severe_withdrawal", "pregnancy", "current_treatment",
)  # fmt: skip
BENEFITS_FIELDS = (
    "insurance_payer", "insurance_plan", "insurance_member_id", "insurance_group_number",
    "insurance_subscriber_relation", "insurance_subscriber_first_name", "insurance_subscriber_last_name",
    "insurance_subscriber_birth_date",
)  # fmt: skip


@dataclass(frozen=True)
class AssessmentBooking:
    """The assessment booked on the move to "assessment scheduled"."""

    clinician: User
    start: dt.datetime
    end: dt.datetime
    room: Room | None = None


@dataclass(frozen=True)
class EpisodeDetails:
    """The episode of care opened on admission."""

    admission_date: dt.date
    level_of_care: str = LevelOfCare.IOP
    program: str = Episode.Program.ADULT_IOP
    primary_counsellor: User | None = None
    care_team: tuple[User, ...] = ()
    track: Track | None = None


def phone_digits(phone: str) -> str:
    return digits_of(phone)


@transaction.atomic
def inquiry_create(*, actor: User | None, site: Site, **fields: Any) -> Inquiry:
    """Log a new inquiry at SITE, stage new, with its first history row."""
    unknown = set(fields) - set(INQUIRY_FIELDS)
    if unknown:
        raise TypeError(f"unknown inquiry fields: {sorted(unknown)}")
    inquiry = Inquiry(site=site, created_by=actor, stage=pipeline.NEW, **fields)
    inquiry.phone_digits = phone_digits(inquiry.phone)
    inquiry.full_clean()
    inquiry.save()
    StageChange.objects.create(inquiry=inquiry, from_stage="", to_stage=pipeline.NEW, by=actor, at=inquiry.created_at)
    log_action(
        "inquiry.create", obj=inquiry, actor=actor, data={"channel": inquiry.channel, "urgency": inquiry.urgency}
    )
    return inquiry


@transaction.atomic
def inquiry_move(
    *,
    actor: User | None,
    inquiry: Inquiry,
    to_stage: str,
    expected_version: int | None = None,
    reason: str = "",
    referred_to: str = "",
    note: str = "",
    existing_patient: Patient | None = None,
    assessment: AssessmentBooking | None = None,
    episode: EpisodeDetails | None = None,
) -> Inquiry:
    """Move INQUIRY to TO_STAGE, or raise and save nothing.

    To "assessment scheduled" it books ASSESSMENT (the staff form always
    gives one; the demo and imports may move without) after the scheduling
    rules pass: the clinician and room free, inside the site's
    opening hours and the clinician's availability. To admitted it registers
    the person (or links EXISTING_PATIENT) and opens the episode of care
    described by EPISODE (by default an adult IOP episode from today), adds
    the care team, and sends ``signals.inquiry_admitted`` once the episode
    exists, so the insurance app carries the insurer over.

    Raises ``pipeline.MoveRefused`` (a ``ValueError``) for a move the pipeline
    does not allow, an admission without a date of birth or an assessment
    without its booking; ``StaleEditError`` when someone else moved the
    inquiry since ``expected_version``; ``ValidationError`` when a booking
    rule, the patient or the episode does not validate.
    """
    current = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    check_version(
        current,
        expected_version,
        _("Someone else moved this inquiry while you were looking at it. Nothing was saved; reload to see it."),
    )
    pipeline.check_move(current.stage, to_stage, reason=reason, referred_to=referred_to)
    from_stage = current.stage
    if to_stage == pipeline.ASSESSMENT_SCHEDULED and assessment is not None:
        _book_assessment(current, assessment)
    opened: Episode | None = None
    if to_stage == pipeline.ADMITTED:
        details = episode or EpisodeDetails(admission_date=timezone.localdate())
        _check_episode_details(current, details)
        current.patient = existing_patient or _register_patient(current)
        opened = _open_episode(actor, current, current.patient, details)
        current.episode = opened
        current.track = details.track
    current.stage = to_stage
    current.stage_changed_at = timezone.now()
    if to_stage == pipeline.CLOSED:
        current.closed_reason = reason.strip()
    if to_stage == pipeline.REFERRED:
        current.referred_to = referred_to.strip()
    current.version += 1
    current.save()
    StageChange.objects.create(
        inquiry=current, from_stage=from_stage, to_stage=to_stage, by=actor, at=current.stage_changed_at, note=note
    )
    data: dict[str, Any] = {"from": from_stage, "to": to_stage}
    if to_stage == pipeline.CLOSED:
        data["reason"] = current.closed_reason
    if to_stage == pipeline.ADMITTED and current.patient is not None:
        data["patient_mrn"] = current.patient.mrn
        data["linked_existing_chart"] = existing_patient is not None
    if opened is not None:
        data["episode"] = opened.pk
        data["care_team"] = sorted(opened.care_team_members.values_list("user_id", flat=True))
        data["track"] = current.track_id
    if to_stage == pipeline.ASSESSMENT_SCHEDULED:
        data["assessment_clinician"] = current.assessment_clinician_id
        data["assessment_start"] = current.assessment_start.isoformat() if current.assessment_start else None
    log_action("inquiry.move", obj=current, actor=actor, data=data)
    if to_stage == pipeline.ADMITTED and current.patient is not None:
        signals.inquiry_admitted.send(sender=Inquiry, inquiry=current, actor=actor)
    return current


class InquiryFinalError(ValidationError):
    """The inquiry reached a final stage; its intake record is kept as it was."""


@transaction.atomic
def inquiry_update(*, actor: User | None, inquiry: Inquiry, expected_version: int, **fields: Any) -> Inquiry:
    """Correct the intake details of an open inquiry (audited as
    "inquiry.update" with the names of the changed fields, not their values).

    Raises ``StaleEditError`` when someone else saved or moved the inquiry
    since ``expected_version``, ``InquiryFinalError`` once it is admitted,
    referred or closed, and ``ValidationError`` for bad input; nothing is
    saved in any of these cases.
    """
    unknown = set(fields) - set(INQUIRY_FIELDS)
    if unknown:
        raise TypeError(f"unknown inquiry fields: {sorted(unknown)}")
    current = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    check_version(
        current,
        expected_version,
        _(
            "Someone else saved or moved this inquiry while you were editing it. Nothing was saved. "
            "Their version is shown below and your input is kept: compare, then save again to replace theirs."
        ),
    )
    if not current.is_open:
        raise InquiryFinalError(
            _(
                "This inquiry is %(stage)s, a final stage, and is kept as it was; nothing was saved. "
                "If the person calls again, log a new inquiry (an admitted person's details live in their chart)."
            )
            % {"stage": current.get_stage_display().lower()}
        )
    changed = sorted(name for name, value in fields.items() if _differs(getattr(current, name), value))
    if not changed:
        return current
    for name in changed:
        setattr(current, name, fields[name])
    current.phone_digits = phone_digits(current.phone)
    current.full_clean()
    current.version += 1
    current.save()
    log_action("inquiry.update", obj=current, actor=actor, data={"fields": changed})
    return current


def _lock_open(inquiry: Inquiry, expected_version: int | None) -> Inquiry:
    current = Inquiry.objects.select_for_update().select_related("site").get(pk=inquiry.pk)
    check_version(
        current,
        expected_version,
        _("Someone else saved or moved this inquiry while you were editing it. Nothing was saved; reload to see it."),
    )
    if not current.is_open:
        raise InquiryFinalError(
            _("This inquiry is %(stage)s, a final stage, and is kept as it was; nothing was saved.")
            % {"stage": current.get_stage_display().lower()}
        )
    return current


@transaction.atomic
def prescreen_record(
    *, actor: User | None, inquiry: Inquiry, expected_version: int | None = None, **fields: Any
) -> Inquiry:
    """Record the pre-screen of an open inquiry: last use and substances, the
    safety and withdrawal questions, pregnancy and current treatment. Audited
    as "inquiry.prescreen" with the escalation levels its answers call for
    (``Inquiry.escalations``), never the answers themselves."""
    unknown = set(fields) - set(PRESCREEN_FIELDS)
    if unknown:
        raise TypeError(f"unknown pre-screen fields: {sorted(unknown)}")
    current = _lock_open(inquiry, expected_version)
    for name, value in fields.items():
        setattr(current, name, value)
    current.prescreened_at = timezone.now()
    current.prescreened_by = actor
    current.full_clean()
    current.version += 1
    current.save()
    levels = [escalation.level for escalation in current.escalations()]
    log_action("inquiry.prescreen", obj=current, actor=actor, data={"escalations": levels})
    return current


@transaction.atomic
def benefits_record(
    *, actor: User | None, inquiry: Inquiry, expected_version: int | None = None, **fields: Any
) -> Inquiry:
    """Record the benefits check of an open inquiry: payer, plan, member ID
    (the character rule payers use), group number and the subscriber. When
    the person is the subscriber the subscriber's name and date of birth are
    theirs and are not kept twice. Audited as "inquiry.benefits" with the
    names of the fields recorded."""
    unknown = set(fields) - set(BENEFITS_FIELDS)
    if unknown:
        raise TypeError(f"unknown benefits fields: {sorted(unknown)}")
    current = _lock_open(inquiry, expected_version)
    values = {name: value.strip() if isinstance(value, str) else value for name, value in fields.items()}
    for name, value in values.items():
        setattr(current, name, value)
    errors: dict[str, list[str]] = {}
    if current.insurance_member_id and not current.insurance_payer:
        errors["insurance_payer"] = [_("Name the payer this member ID belongs to (leave both empty for self-pay).")]
    if current.insurance_member_id:
        try:
            member_id_validator(current.insurance_member_id)
        except ValidationError as exc:
            errors["insurance_member_id"] = list(exc.messages)
    if current.insurance_subscriber_relation == SubscriberRelation.SELF:
        current.insurance_subscriber_first_name = current.insurance_subscriber_last_name = ""
        current.insurance_subscriber_birth_date = None
    else:
        for name, message in (
            ("insurance_subscriber_first_name", _("Give the subscriber's first name, as on the card.")),
            ("insurance_subscriber_last_name", _("Give the subscriber's last name, as on the card.")),
            ("insurance_subscriber_birth_date", _("Give the subscriber's date of birth.")),
        ):
            if not getattr(current, name):
                errors[name] = [message]
    if errors:
        raise ValidationError(errors)
    current.benefits_checked_at = timezone.now()
    current.benefits_checked_by = actor
    current.full_clean()
    current.version += 1
    current.save()
    log_action("inquiry.benefits", obj=current, actor=actor, data={"fields": sorted(values)})
    return current


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, list) and isinstance(new, list | tuple):
        return sorted(old) != sorted(new)
    return bool(old != new)


def _book_assessment(inquiry: Inquiry, booking: AssessmentBooking) -> None:
    """Check BOOKING against the scheduling rules and keep it on INQUIRY, or
    raise ``ValidationError`` with the scheduling rules' own messages."""
    site = inquiry.site
    # Same lock order as the scheduling services: room, then people.
    if booking.room is not None:
        Room.objects.select_for_update().filter(pk=booking.room.pk).first()
    User.objects.select_for_update().filter(pk=booking.clinician.pk).first()
    if booking.end <= booking.start:
        raise ValidationError({"end_time": _("The assessment must end after it starts.")})
    if booking.start < timezone.now():
        raise ValidationError({"day": _("The assessment cannot be booked in the past.")})
    problems: list[str] = []
    if not booking.clinician.sites.filter(pk=site.pk).exists():
        problems.append(_("%(user)s does not work at %(site)s.") % {"user": booking.clinician, "site": site.name})
    if booking.room is not None and booking.room.site_id != site.pk:
        problems.append(_("%(room)s is not a room at %(site)s.") % {"room": booking.room.name, "site": site.name})
    for problem in (
        scheduling_services.opening_hours_problem(site, booking.start, booking.end),
        scheduling_services.clinician_window_problem(booking.clinician, site, booking.start, booking.end),
    ):
        if problem is not None:
            problems.append(problem)
    # Groups, appointments and the assessments booked for other inquiries all
    # hold the clinician and the room (admissions registers its bookings with
    # scheduling); this inquiry's own booking does not block its re-booking.
    own = admissions_busy.block_key(inquiry)
    problems += scheduling_services.staff_conflicts(booking.clinician, booking.start, booking.end, exclude_busy=own)
    if booking.room is not None:
        problems += scheduling_services.room_conflicts(booking.room, booking.start, booking.end, exclude_busy=own)
    if problems:
        raise ValidationError(problems)
    inquiry.assessment_clinician = booking.clinician
    inquiry.assessment_room = booking.room
    inquiry.assessment_start = booking.start
    inquiry.assessment_end = booking.end


def _check_episode_details(inquiry: Inquiry, details: EpisodeDetails) -> None:
    if details.admission_date > timezone.localdate():
        raise ValidationError({"admission_date": _("The admission date cannot be in the future; admit on the day.")})
    if details.admission_date < timezone.localdate(inquiry.created_at):
        raise ValidationError({"admission_date": _("The admission date cannot be before the inquiry was logged.")})
    if details.track is not None and (details.track.site_id != inquiry.site_id or not details.track.is_active):
        raise ValidationError({"track": _("Choose an active track at %(site)s.") % {"site": inquiry.site.name}})
    for member in (details.primary_counsellor, *details.care_team):
        if member is not None and not member.sites.filter(pk=inquiry.site_id).exists():
            raise ValidationError(
                {"care_team": _("%(user)s does not work at %(site)s.") % {"user": member, "site": inquiry.site.name}}
            )


def _open_episode(actor: User | None, inquiry: Inquiry, patient: Patient, details: EpisodeDetails) -> Episode:
    opened = patient_services.episode_admit(
        actor=actor,
        patient=patient,
        site=inquiry.site,
        admission_date=details.admission_date,
        level_of_care=details.level_of_care,
        program=details.program,
        primary_counsellor=details.primary_counsellor,
    )
    for member in details.care_team:
        if member != details.primary_counsellor:
            patient_services.care_team_add(actor=actor, episode=opened, user=member)
    return opened


def _register_patient(inquiry: Inquiry) -> Patient:
    if inquiry.birth_date is None:
        raise pipeline.MoveRefused(
            _("Record the person's date of birth before admitting: the chart needs it."), field="to_stage"
        )
    return patient_services.patient_register(
        site=inquiry.site,
        legal_first_name=inquiry.first_name,
        legal_last_name=inquiry.last_name,
        birth_date=inquiry.birth_date,
        phone=inquiry.phone,
        email=inquiry.email,
    )


@transaction.atomic
def referral_source_create(*, actor: User | None, name: str, kind: str) -> ReferralSource:
    """Add a referral source (audited as "referral_source.create")."""
    source = ReferralSource(name=name.strip(), kind=kind)
    _check_source_name(source)
    source.full_clean()
    source.save()
    log_action("referral_source.create", obj=source, actor=actor, data={"name": source.name, "kind": source.kind})
    return source


@transaction.atomic
def referral_source_update(
    *, actor: User | None, source: ReferralSource, expected_version: int, name: str, kind: str, active: bool
) -> ReferralSource:
    """Rename, reclassify, deactivate or reactivate a source. Deactivating
    keeps its inquiries and their history; it is only no longer offered on new
    inquiries. Audited as "referral_source.update", ".deactivate" or
    ".reactivate". Raises ``StaleEditError`` when someone else saved it since
    ``expected_version``."""
    current = ReferralSource.objects.select_for_update().get(pk=source.pk)
    check_version(
        current,
        expected_version,
        _(
            "Someone else changed this referral source while you were editing it. "
            "Nothing was saved; reload to see their change."
        ),
    )
    was_active = current.active
    changed = sorted(
        field for field, value in (("name", name.strip()), ("kind", kind), ("active", active))
        if getattr(current, field) != value
    )  # fmt: skip
    if not changed:
        return current
    current.name, current.kind, current.active = name.strip(), kind, active
    _check_source_name(current)
    current.full_clean()
    current.version += 1
    current.save()
    verb = "update"
    if was_active and not active:
        verb = "deactivate"
    elif active and not was_active:
        verb = "reactivate"
    log_action(f"referral_source.{verb}", obj=current, actor=actor, data={"fields": changed, "name": current.name})
    return current


def referral_source_usage(source: ReferralSource) -> int:
    """Inquiries that name SOURCE, at every site (a source is organization-wide)."""
    return Inquiry.objects.filter(referral_source=source).count()


@transaction.atomic
def referral_source_delete(*, actor: User | None, source: ReferralSource) -> None:
    """Delete a source no inquiry uses (a mistyped entry). A source with
    inquiries is never deleted: deactivate it instead."""
    current = ReferralSource.objects.select_for_update().get(pk=source.pk)
    used = referral_source_usage(current)
    if used:
        raise ValidationError(
            _(
                "%(count)d inquiries name this source, so it cannot be deleted; "
                "deactivate it instead to stop offering it."
            )
            % {"count": used}
        )
    log_action("referral_source.delete", obj=current, actor=actor, data={"name": current.name, "kind": current.kind})
    current.delete()


def _check_source_name(source: ReferralSource) -> None:
    # Unique regardless of capitals: "Mercy General" and "mercy general" would
    # split one referrer's numbers in two.
    if ReferralSource.objects.filter(name__iexact=source.name).exclude(pk=source.pk).exists():
        raise ValidationError({"name": _("A referral source with this name already exists.")})
