# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for booked time: cancelling and rescheduling sessions, enrolment,
and individual appointments."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.core.locking import check_version
from openiop.patients.models import Episode, Patient
from openiop.scheduling.models import Appointment, Attendance, ClinicianAvailability, Enrolment, Session, SessionStatus
from openiop.scheduling.services.catalogue import _check_service, _session_problems
from openiop.scheduling.services.common import (
    _lock_rows,
    _raise,
    _when,
    opening_hours_problem,
    patient_conflicts,
    room_conflicts,
    staff_conflicts,
)
from openiop.sites.models import Room, Site


def _check_version(session: Session, expected_version: int | None) -> None:
    check_version(
        session,
        expected_version,
        _("Someone changed this session while you were looking at it. Check it again and repeat your change."),
    )


def _lock_session(session: Session) -> Session:
    return Session.objects.select_for_update(of=("self",)).select_related("site").get(pk=session.pk)


@transaction.atomic
def session_cancel(*, actor: User, session: Session, reason: str, expected_version: int | None = None) -> Session:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the session is canceled.")})
    locked = _lock_session(session)
    _check_version(locked, expected_version)
    if not locked.is_scheduled:
        raise ValidationError(_("This session is already %(status)s.") % {"status": locked.get_status_display()})
    locked.status = SessionStatus.CANCELLED
    locked.status_reason = reason
    locked.status_changed_at = timezone.now()
    locked.status_changed_by = actor
    locked.version += 1
    locked.save()
    log_action("scheduling.session.cancel", obj=locked, actor=actor, data={"reason": reason})
    return locked


@transaction.atomic
def session_reschedule(
    *,
    actor: User,
    session: Session,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    room: Room | None = None,
    expected_version: int | None = None,
) -> Session:
    """Move a session: a new session at the new time takes the enrolments;
    the old one stays, marked rescheduled with the reason and a link."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the session moves.")})
    locked = _lock_session(session)
    _check_version(locked, expected_version)
    if not locked.is_scheduled:
        raise ValidationError(_("This session is already %(status)s.") % {"status": locked.get_status_display()})
    enrolments = list(locked.enrolments.select_related("patient", "episode"))
    for patient_pk in sorted(e.patient_id for e in enrolments):
        Patient.objects.select_for_update().filter(pk=patient_pk).first()
    target_room = room or locked.room
    _lock_rows(room=target_room, users=[locked.facilitator])
    problems = _session_problems(
        site=locked.site,
        room=target_room,
        facilitator=locked.facilitator,
        start=start,
        end=end,
        capacity_min=locked.capacity_min,
        capacity_max=locked.capacity_max,
        exclude=locked,
    )
    for enrolment in enrolments:
        problems += patient_conflicts(enrolment.patient, start, end, exclude_session=locked)
    _raise(problems)
    new = Session.objects.create(
        site=locked.site,
        series=None,
        track=locked.track,
        service=locked.service,
        title=locked.title,
        room=target_room,
        facilitator=locked.facilitator,
        start=start,
        end=end,
        capacity_min=locked.capacity_min,
        capacity_max=locked.capacity_max,
    )
    Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).update(session=new)
    locked.status = SessionStatus.RESCHEDULED
    locked.status_reason = reason
    locked.rescheduled_to = new
    locked.status_changed_at = timezone.now()
    locked.status_changed_by = actor
    locked.version += 1
    locked.save()
    log_action(
        "scheduling.session.reschedule",
        obj=locked,
        actor=actor,
        data={"reason": reason, "to": new.pk, "moved_enrolments": len(enrolments)},
    )
    return new


# --- Enrolment ------------------------------------------------------------------------------------------------------


def _active_episode_problem(episode: Episode, site: Site) -> str | None:
    if episode.status != Episode.Status.ACTIVE:
        return _("%(name)s has no active episode of care.") % {"name": episode.patient.display_name}
    if episode.site_id != site.pk:
        return _("%(name)s's episode is at another site.") % {"name": episode.patient.display_name}
    return None


@transaction.atomic
def enrol(*, actor: User | None, session: Session, episode: Episode, source: str = Enrolment.Source.STAFF) -> Enrolment:
    """Book the episode's patient into SESSION: an active episode at the
    session's site, no clash, a seat free (counted under a row lock)."""
    Patient.objects.select_for_update().filter(pk=episode.patient_id).first()
    locked = _lock_session(session)
    episode = Episode.objects.select_related("patient").get(pk=episode.pk)
    patient = episode.patient
    problems: list[str] = []
    if not locked.is_scheduled:
        problems.append(_("This session is %(status)s.") % {"status": locked.get_status_display()})
    if (issue := _active_episode_problem(episode, locked.site)) is not None:
        problems.append(issue)
    if Enrolment.objects.filter(session=locked, patient=patient).exists():
        problems.append(_("%(name)s is already in this session.") % {"name": patient.display_name})
    else:
        problems += patient_conflicts(patient, locked.start, locked.end)
    taken = Enrolment.objects.filter(session=locked).count()
    if taken >= locked.capacity_max:
        problems.append(
            _("%(title)s is full (%(max)d of %(max)d seats taken).")
            % {"title": locked.title, "max": locked.capacity_max}
        )
    _raise(problems)
    enrolment = Enrolment.objects.create(
        session=locked, episode=episode, patient=patient, source=source, created_by=actor
    )
    log_action("scheduling.enrol", obj=enrolment, actor=actor, patient_id=patient.pk, site_id=locked.site_id)
    return enrolment


@transaction.atomic
def enrol_many(*, actor: User, session: Session, episodes: Sequence[Episode]) -> list[Enrolment]:
    """Book several patients into SESSION at once, all or none: each goes
    through ``enrol`` (its rules and seat count) in a savepoint, and if any is
    refused the whole batch rolls back with every refusal, each naming its
    patient, so the front desk fixes the list in one go."""
    enrolments: list[Enrolment] = []
    problems: list[str] = []
    for episode in episodes:
        name = episode.patient.display_name
        try:
            enrolments.append(enrol(actor=actor, session=session, episode=episode))
        except ValidationError as error:
            problems += [message if message.startswith(name) else f"{name}: {message}" for message in error.messages]
    _raise(problems)  # leaving the atomic block with an error undoes the ones that passed
    return enrolments


@transaction.atomic
def enrolment_withdraw(*, actor: User, enrolment: Enrolment, reason: str) -> None:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the patient leaves this session.")})
    if Attendance.objects.filter(enrolment=enrolment).exists():
        raise ValidationError(_("Attendance is already recorded for this session; correct the attendance instead."))
    log_action(
        "scheduling.withdraw",
        obj=enrolment.session,
        actor=actor,
        patient_id=enrolment.patient_id,
        data={"reason": reason, "episode": enrolment.episode_id},
    )
    enrolment.delete()


# --- Appointments ---------------------------------------------------------------------------------------------------


def clinician_window_problem(clinician: User, site: Site, start: dt.datetime, end: dt.datetime) -> str | None:
    zone = zoneinfo.ZoneInfo(site.time_zone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    windows = ClinicianAvailability.objects.filter(user=clinician, site=site, weekday=local_start.weekday())
    if local_start.date() == local_end.date():
        for window in windows:
            if window.start_time <= local_start.time() and local_end.time() <= window.end_time:
                return None
    shown = ", ".join(f"{w.start_time:%H:%M}-{w.end_time:%H:%M}" for w in windows) or _("none")
    return _("%(when)s is outside %(user)s's availability that day (%(windows)s).") % {
        "when": _when(start, end, zone),
        "user": clinician,
        "windows": shown,
    }


@transaction.atomic
def appointment_create(
    *,
    actor: User | None,
    episode: Episode,
    clinician: User,
    service: str,
    start: dt.datetime,
    end: dt.datetime,
    room: Room | None = None,
    source: str = Enrolment.Source.STAFF,
) -> Appointment:
    _check_service(service, group=False)
    episode = Episode.objects.select_related("patient", "site").get(pk=episode.pk)
    site, patient = episode.site, episode.patient
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    _lock_rows(room=room, users=[clinician])
    if end <= start:
        raise ValidationError(_("The appointment must end after it starts."))
    problems: list[str] = []
    if (issue := _active_episode_problem(episode, site)) is not None:
        problems.append(issue)
    if not clinician.sites.filter(pk=site.pk).exists():
        problems.append(_("%(user)s does not work at %(site)s.") % {"user": clinician, "site": site.name})
    if room is not None and room.site_id != site.pk:
        problems.append(_("%(room)s is not a room at %(site)s.") % {"room": room.name, "site": site.name})
    for issue_or_none in (
        opening_hours_problem(site, start, end),
        clinician_window_problem(clinician, site, start, end),
    ):
        if issue_or_none is not None:
            problems.append(issue_or_none)
    problems += patient_conflicts(patient, start, end)
    problems += staff_conflicts(clinician, start, end)
    if room is not None:
        problems += room_conflicts(room, start, end)
    _raise(problems)
    appointment = Appointment.objects.create(
        site=site,
        episode=episode,
        patient=patient,
        clinician=clinician,
        service=service,
        room=room,
        start=start,
        end=end,
        source=source,
        created_by=actor,
    )
    log_action("scheduling.appointment.create", obj=appointment, actor=actor)
    return appointment


@transaction.atomic
def appointment_cancel(*, actor: User, appointment: Appointment, reason: str) -> Appointment:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the appointment is canceled.")})
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if locked.status != SessionStatus.SCHEDULED:
        raise ValidationError(_("This appointment is already %(status)s.") % {"status": locked.get_status_display()})
    locked.status = SessionStatus.CANCELLED
    locked.status_reason = reason
    locked.save()
    log_action("scheduling.appointment.cancel", obj=locked, actor=actor, data={"reason": reason})
    return locked


@transaction.atomic
def appointment_reschedule(
    *,
    actor: User,
    appointment: Appointment,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    room: Room | None = None,
) -> Appointment:
    """Move an appointment: a new appointment at the new time (same patient,
    clinician and service; the room kept unless another is chosen) after
    every booking rule passed again; the old one stays, marked rescheduled
    with the reason and a link to the new one."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the appointment moves.")})
    if end <= start:
        raise ValidationError(_("The appointment must end after it starts."))
    # Same lock order as everywhere: patient, then room and clinician, then the row itself.
    Patient.objects.select_for_update().filter(pk=appointment.patient_id).first()
    target_room = room or appointment.room
    _lock_rows(room=target_room, users=[appointment.clinician])
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("site", "patient", "episode__patient", "clinician", "room")
        .get(pk=appointment.pk)
    )
    if not locked.is_scheduled:
        raise ValidationError(_("This appointment is already %(status)s.") % {"status": locked.get_status_display()})
    if Attendance.objects.filter(appointment=locked).exists():
        raise ValidationError(_("Attendance is already recorded for this appointment; it cannot be moved."))
    site, clinician = locked.site, locked.clinician
    problems: list[str] = []
    if (issue := _active_episode_problem(locked.episode, site)) is not None:
        problems.append(issue)
    if not clinician.sites.filter(pk=site.pk).exists():
        problems.append(_("%(user)s does not work at %(site)s.") % {"user": clinician, "site": site.name})
    if target_room is not None and target_room.site_id != site.pk:
        problems.append(_("%(room)s is not a room at %(site)s.") % {"room": target_room.name, "site": site.name})
    for issue_or_none in (
        opening_hours_problem(site, start, end),
        clinician_window_problem(clinician, site, start, end),
    ):
        if issue_or_none is not None:
            problems.append(issue_or_none)
    problems += patient_conflicts(locked.patient, start, end, exclude_appointment=locked)
    problems += staff_conflicts(clinician, start, end, exclude_appointment=locked)
    if target_room is not None:
        problems += room_conflicts(target_room, start, end, exclude_appointment=locked)
    _raise(problems)
    new = Appointment.objects.create(
        site=site,
        episode=locked.episode,
        patient=locked.patient,
        clinician=clinician,
        service=locked.service,
        room=target_room,
        start=start,
        end=end,
        source=Enrolment.Source.STAFF,
        created_by=actor,
    )
    locked.status = SessionStatus.RESCHEDULED
    locked.status_reason = reason
    locked.rescheduled_to = new
    locked.save()
    log_action(
        "scheduling.appointment.reschedule",
        obj=locked,
        actor=actor,
        data={
            "reason": reason,
            "to": new.pk,
            "from_start": locked.start.isoformat(),
            "to_start": start.isoformat(),
            "to_end": end.isoformat(),
        },
    )
    return new
