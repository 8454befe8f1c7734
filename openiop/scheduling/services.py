# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for scheduling and attendance, with the rules that need the database.

Every rule refuses with a message staff can act on, and every service runs in
one transaction: bad input saves nothing. The rules:

- no patient, room or facilitator/clinician is booked twice at one time
  (intervals are half-open: a 10:30 end and a 10:30 start do not clash);
- a session or appointment lies inside the site's opening hours, an
  appointment also inside the clinician's availability;
- 1 <= minimum group size <= maximum group size, and the maximum is never
  exceeded, also when two people enrol at once: the session row is locked
  (SELECT ... FOR UPDATE) while seats are counted, and the patient row too,
  so two bookings of one patient cannot both pass the double-booking check;
- cancelling or rescheduling needs a reason; a rescheduled session keeps its
  row, marked rescheduled, linked to the new one.

Locks are always taken in the same order (patient, then room/staff, then
session) so two services never wait on each other.
"""

from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.patients.models import Episode, Patient
from openiop.scheduling import catalog, group_notes, signals
from openiop.scheduling.hours import AttendanceMinutesError, attended_minutes
from openiop.scheduling.models import (
    Appointment,
    Attendance,
    ClinicianAvailability,
    Enrolment,
    FeedToken,
    PatientAvailability,
    Session,
    SessionSeries,
    SessionStatus,
    Track,
    hash_feed_key,
    parse_rrule,
)
from openiop.sites.models import OpeningHours, Room, Site

# How far ahead a new series is expanded into sessions by default.
DEFAULT_HORIZON_DAYS = 56
FEED_SALT = "openiop.scheduling.feed"


class StaleEditError(ValidationError):
    pass


# --- Time helpers ---------------------------------------------------------------------------------------------------


def local_datetime(site: Site, day: dt.date, time: dt.time) -> dt.datetime:
    """DAY at TIME on the site's wall clock, as an aware datetime."""
    return dt.datetime.combine(day, time, tzinfo=zoneinfo.ZoneInfo(site.time_zone))


def _when(start: dt.datetime, end: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return f"{local_start:%a %Y-%m-%d %H:%M}-{local_end:%H:%M}"


def opening_hours_problem(site: Site, start: dt.datetime, end: dt.datetime) -> str | None:
    """Why START-END is outside the site's opening hours, or None if inside."""
    zone = zoneinfo.ZoneInfo(site.time_zone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    weekday = local_start.weekday()
    rows = list(OpeningHours.objects.filter(site=site, weekday=weekday))
    if local_start.date() == local_end.date():
        for row in rows:
            if row.opens <= local_start.time() and local_end.time() <= row.closes:
                return None
    day_name = OpeningHours.Weekday(weekday).label
    if not rows:
        return _("%(site)s is closed on %(day)s.") % {"site": site.name, "day": day_name}
    hours = ", ".join(f"{row.opens:%H:%M}-{row.closes:%H:%M}" for row in rows)
    return _("%(when)s is outside %(site)s's opening hours on %(day)s (%(hours)s).") % {
        "when": _when(start, end, zone),
        "site": site.name,
        "day": day_name,
        "hours": hours,
    }


# --- Conflicts ------------------------------------------------------------------------------------------------------


def patient_conflicts(
    patient: Patient,
    start: dt.datetime,
    end: dt.datetime,
    *,
    exclude_session: Session | None = None,
    exclude_appointment: Appointment | None = None,
) -> list[str]:
    """Messages for each booking of PATIENT overlapping START-END."""
    found: list[str] = []
    enrolments = Enrolment.objects.filter(
        patient=patient, session__status=SessionStatus.SCHEDULED, session__start__lt=end, session__end__gt=start
    ).select_related("session__site")
    if exclude_session is not None:
        enrolments = enrolments.exclude(session=exclude_session)
    for enrolment in enrolments:
        session = enrolment.session
        found.append(
            _("%(name)s is already booked into %(title)s, %(when)s.")
            % {
                "name": patient.display_name,
                "title": session.title,
                "when": _when(session.start, session.end, session.zone),
            }
        )
    appointments = Appointment.objects.filter(
        patient=patient, status=SessionStatus.SCHEDULED, start__lt=end, end__gt=start
    ).select_related("site")
    if exclude_appointment is not None:
        appointments = appointments.exclude(pk=exclude_appointment.pk)
    for appointment in appointments:
        found.append(
            _("%(name)s already has %(service)s, %(when)s.")
            % {
                "name": patient.display_name,
                "service": appointment.service_name,
                "when": _when(appointment.start, appointment.end, appointment.zone),
            }
        )
    return found


def room_conflicts(
    room: Room,
    start: dt.datetime,
    end: dt.datetime,
    *,
    exclude_session: Session | None = None,
    exclude_appointment: Appointment | None = None,
) -> list[str]:
    sessions = Session.objects.filter(
        room=room, status=SessionStatus.SCHEDULED, start__lt=end, end__gt=start
    ).select_related("site")
    if exclude_session is not None:
        sessions = sessions.exclude(pk=exclude_session.pk)
    appointments = Appointment.objects.filter(room=room, status=SessionStatus.SCHEDULED, start__lt=end, end__gt=start)
    if exclude_appointment is not None:
        appointments = appointments.exclude(pk=exclude_appointment.pk)
    found = [
        _("%(room)s is already booked for %(title)s, %(when)s.")
        % {"room": room.name, "title": session.title, "when": _when(session.start, session.end, session.zone)}
        for session in sessions
    ]
    found += [
        _("%(room)s is already booked for an appointment, %(when)s.")
        % {"room": room.name, "when": _when(a.start, a.end, zoneinfo.ZoneInfo(room.site.time_zone))}
        for a in appointments
    ]
    return found


def staff_conflicts(
    user: User,
    start: dt.datetime,
    end: dt.datetime,
    *,
    exclude_session: Session | None = None,
    exclude_appointment: Appointment | None = None,
) -> list[str]:
    """A facilitator or clinician is busy with a group or an appointment."""
    sessions = Session.objects.filter(
        facilitator=user, status=SessionStatus.SCHEDULED, start__lt=end, end__gt=start
    ).select_related("site")
    if exclude_session is not None:
        sessions = sessions.exclude(pk=exclude_session.pk)
    appointments = Appointment.objects.filter(
        clinician=user, status=SessionStatus.SCHEDULED, start__lt=end, end__gt=start
    ).select_related("site")
    if exclude_appointment is not None:
        appointments = appointments.exclude(pk=exclude_appointment.pk)
    found = [
        _("%(user)s already facilitates %(title)s, %(when)s.")
        % {"user": user, "title": session.title, "when": _when(session.start, session.end, session.zone)}
        for session in sessions
    ]
    found += [
        _("%(user)s already has an appointment, %(when)s.") % {"user": user, "when": _when(a.start, a.end, a.zone)}
        for a in appointments
    ]
    return found


def _raise(problems: Sequence[str]) -> None:
    if problems:
        raise ValidationError(list(problems))


def capacity_problem(capacity_min: int, capacity_max: int) -> str | None:
    if capacity_min < 1:
        return _("The minimum group size must be at least 1.")
    if capacity_max < capacity_min:
        return _("The maximum group size (%(max)d) is below the minimum (%(min)d).") % {
            "max": capacity_max,
            "min": capacity_min,
        }
    return None


def _lock_rows(*, room: Room | None = None, users: Iterable[User] = ()) -> None:
    if room is not None:
        Room.objects.select_for_update().filter(pk=room.pk).first()
    for pk in sorted({user.pk for user in users}):
        User.objects.select_for_update().filter(pk=pk).first()


# --- Tracks, series and sessions ------------------------------------------------------------------------------------


@transaction.atomic
def track_create(*, actor: User, site: Site, kind: str, name: str) -> Track:
    name = name.strip()
    if Track.objects.filter(site=site, name__iexact=name).exists():
        raise ValidationError(
            {"name": _("%(site)s already has a track called %(name)s.") % {"site": site, "name": name}}
        )
    track = Track.objects.create(site=site, kind=kind, name=name)
    log_action("scheduling.track.create", obj=track, actor=actor, data={"kind": kind})
    return track


@transaction.atomic
def track_set_active(*, actor: User, track: Track, active: bool, reason: str) -> Track:
    """Switch a track on or off, with a reason. An inactive track is not
    offered for new recurring groups; groups and sessions already on it stay
    as they are (cancel or move them separately)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the track is switched on or off.")})
    locked = Track.objects.select_for_update().select_related("site").get(pk=track.pk)
    if locked.is_active == active:
        state = _("on") if active else _("off")
        raise ValidationError(
            _("%(track)s is already switched %(state)s; nothing changed.") % {"track": locked.name, "state": state}
        )
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    log_action(
        "scheduling.track.activate" if active else "scheduling.track.deactivate",
        obj=locked,
        actor=actor,
        site_id=locked.site_id,
        data={"reason": reason, "kind": locked.kind},
    )
    return locked


def _session_problems(
    *,
    site: Site,
    room: Room,
    facilitator: User,
    start: dt.datetime,
    end: dt.datetime,
    capacity_min: int,
    capacity_max: int,
    exclude: Session | None = None,
) -> list[str]:
    problems: list[str] = []
    if end <= start:
        return [_("The session must end after it starts.")]
    if room.site_id != site.pk:
        problems.append(_("%(room)s is not a room at %(site)s.") % {"room": room.name, "site": site.name})
    if (issue := capacity_problem(capacity_min, capacity_max)) is not None:
        problems.append(issue)
    elif capacity_max > room.capacity:
        problems.append(
            _("%(room)s seats %(seats)d; a group of up to %(max)d does not fit.")
            % {"room": room.name, "seats": room.capacity, "max": capacity_max}
        )
    if (issue := opening_hours_problem(site, start, end)) is not None:
        problems.append(issue)
    problems += room_conflicts(room, start, end, exclude_session=exclude)
    problems += staff_conflicts(facilitator, start, end, exclude_session=exclude)
    return problems


def _check_service(service: str, *, group: bool) -> None:
    found = catalog.SERVICES.get(service)
    if found is None or (found.kind is catalog.Kind.GROUP) != group:
        raise ValidationError({"service": _("Choose a service from the catalog.")})


@transaction.atomic
def session_create(
    *,
    actor: User | None,
    site: Site,
    service: str,
    title: str,
    room: Room,
    facilitator: User,
    start: dt.datetime,
    end: dt.datetime,
    capacity_min: int,
    capacity_max: int,
    track: Track | None = None,
    series: SessionSeries | None = None,
) -> Session:
    """One group session after every rule passed (see the module docstring)."""
    _check_service(service, group=True)
    _lock_rows(room=room, users=[facilitator])
    _raise(
        _session_problems(
            site=site,
            room=room,
            facilitator=facilitator,
            start=start,
            end=end,
            capacity_min=capacity_min,
            capacity_max=capacity_max,
        )
    )
    session = Session.objects.create(
        site=site,
        series=series,
        track=track,
        service=service,
        title=title.strip() or catalog.SERVICES[service].name,
        room=room,
        facilitator=facilitator,
        start=start,
        end=end,
        capacity_min=capacity_min,
        capacity_max=capacity_max,
    )
    if series is None:
        log_action("scheduling.session.create", obj=session, actor=actor)
    return session


@transaction.atomic
def series_create(
    *,
    actor: User,
    site: Site,
    track: Track,
    service: str,
    title: str,
    room: Room,
    facilitator: User,
    capacity_min: int,
    capacity_max: int,
    starts_on: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    rrule: str,
    generate_until: dt.date | None = None,
) -> tuple[SessionSeries, list[Session]]:
    """A recurring group and its sessions up to GENERATE_UNTIL (default 8
    weeks). Any occurrence that breaks a rule refuses the whole series, with
    one message per occurrence."""
    _check_service(service, group=True)
    problems: list[str] = []
    if track.site_id != site.pk:
        problems.append(_("The track belongs to another site."))
    if not Track.objects.filter(pk=track.pk, is_active=True).exists():  # as stored now, not as the form saw it
        problems.append(_("The %(track)s track is switched off; switch it on first.") % {"track": track.name})
    if end_time <= start_time:
        problems.append(_("The session must end after it starts."))
    if (issue := capacity_problem(capacity_min, capacity_max)) is not None:
        problems.append(issue)
    try:
        parse_rrule(rrule, dt.datetime.combine(starts_on, start_time))
    except ValidationError as error:
        problems += error.messages
    _raise(problems)
    series = SessionSeries.objects.create(
        site=site,
        track=track,
        service=service,
        title=title.strip() or catalog.SERVICES[service].name,
        room=room,
        facilitator=facilitator,
        capacity_min=capacity_min,
        capacity_max=capacity_max,
        starts_on=starts_on,
        start_time=start_time,
        end_time=end_time,
        rrule=rrule.strip().removeprefix("RRULE:"),
    )
    sessions = series_generate(
        actor=actor, series=series, until=generate_until or starts_on + dt.timedelta(DEFAULT_HORIZON_DAYS)
    )
    log_action(
        "scheduling.series.create", obj=series, actor=actor, data={"rrule": series.rrule, "sessions": len(sessions)}
    )
    return series, sessions


@transaction.atomic
def series_generate(*, actor: User | None, series: SessionSeries, until: dt.date) -> list[Session]:
    """Create the series' missing sessions up to UNTIL. All or nothing."""
    existing = set(series.sessions.values_list("start", flat=True))
    created: list[Session] = []
    problems: list[str] = []
    for start, end in series.occurrences(series.starts_on, until):
        if start in existing:
            continue
        try:
            created.append(
                session_create(
                    actor=actor,
                    site=series.site,
                    service=series.service,
                    title=series.title,
                    room=series.room,
                    facilitator=series.facilitator,
                    start=start,
                    end=end,
                    capacity_min=series.capacity_min,
                    capacity_max=series.capacity_max,
                    track=series.track,
                    series=series,
                )
            )
        except ValidationError as error:
            problems += [f"{start:%a %Y-%m-%d}: {message}" for message in error.messages]
    _raise(problems)
    return created


def _check_version(session: Session, expected_version: int | None) -> None:
    if expected_version is not None and session.version != expected_version:
        raise StaleEditError(
            _("Someone changed this session while you were looking at it. Check it again and repeat your change.")
        )


def _lock_session(session: Session) -> Session:
    return Session.objects.select_for_update(of=("self",)).select_related("site").get(pk=session.pk)


@transaction.atomic
def session_cancel(*, actor: User, session: Session, reason: str, expected_version: int | None = None) -> Session:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the session is cancelled.")})
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
        raise ValidationError({"reason": _("Say why the appointment is cancelled.")})
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


# --- Availability ---------------------------------------------------------------------------------------------------


def _window_clash(rows: Iterable[Any], start: dt.time, end: dt.time) -> Any:
    return next((row for row in rows if row.start_time < end and start < row.end_time), None)


@transaction.atomic
def patient_availability_add(
    *, actor: User, patient: Patient, kind: str, weekday: int, start_time: dt.time, end_time: dt.time, note: str = ""
) -> PatientAvailability:
    if end_time <= start_time:
        raise ValidationError({"end_time": _("The window must end after it starts.")})
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    clash = _window_clash(PatientAvailability.objects.filter(patient=patient, weekday=weekday), start_time, end_time)
    if clash is not None:
        raise ValidationError(
            _("This overlaps the window already recorded: %(window)s. Change or remove that one first.")
            % {"window": clash}
        )
    window = PatientAvailability.objects.create(
        patient=patient, kind=kind, weekday=weekday, start_time=start_time, end_time=end_time, note=note.strip()
    )
    log_action("scheduling.availability.add", obj=window, actor=actor, patient_id=patient.pk)
    return window


def window_fingerprint(window: PatientAvailability | ClinicianAvailability) -> str:
    """What the window said when a form showed it: a change made by someone
    else since then refuses the edit instead of silently overwriting it."""
    if isinstance(window, PatientAvailability):
        extra = f"{window.kind}|{window.note}"
    else:
        extra = f"{window.site_id}|{window.weekly_caseload}"
    return f"{window.weekday}|{window.start_time:%H:%M}|{window.end_time:%H:%M}|{extra}"


def _window_data(window: PatientAvailability | ClinicianAvailability) -> dict[str, Any]:
    return {"window": str(window), "weekday": window.weekday, "from": f"{window.start_time:%H:%M}",
            "until": f"{window.end_time:%H:%M}"}  # fmt: skip


def _check_fingerprint(window: PatientAvailability | ClinicianAvailability, expected: str | None) -> None:
    if expected and expected != window_fingerprint(window):
        raise StaleEditError(
            _("Someone changed this window while you were editing it (it is now %(window)s). Check it and try again.")
            % {"window": window}
        )


def _clash_problem(clash: Any) -> ValidationError:
    return ValidationError(
        _("This overlaps the window already recorded: %(window)s. Change or remove that one first.") % {"window": clash}
    )


@transaction.atomic
def patient_availability_update(
    *,
    actor: User,
    window: PatientAvailability,
    kind: str,
    weekday: int,
    start_time: dt.time,
    end_time: dt.time,
    note: str = "",
    expected: str | None = None,
) -> PatientAvailability:
    """Change a patient's window; refused when it would overlap another of
    their windows that day, or when someone changed it meanwhile."""
    if end_time <= start_time:
        raise ValidationError({"end_time": _("The window must end after it starts.")})
    Patient.objects.select_for_update().filter(pk=window.patient_id).first()
    locked = PatientAvailability.objects.filter(pk=window.pk).first()
    if locked is None:
        raise ValidationError(_("This window was removed meanwhile."))
    _check_fingerprint(locked, expected)
    others = PatientAvailability.objects.filter(patient_id=locked.patient_id, weekday=weekday).exclude(pk=locked.pk)
    clash = _window_clash(others, start_time, end_time)
    if clash is not None:
        raise _clash_problem(clash)
    before = _window_data(locked)
    locked.kind, locked.weekday, locked.start_time, locked.end_time = kind, weekday, start_time, end_time
    locked.note = note.strip()
    locked.save(force_update=True)
    log_action(
        "scheduling.availability.change",
        obj=locked,
        actor=actor,
        patient_id=locked.patient_id,
        data={"before": before, "after": _window_data(locked)},
    )
    return locked


@transaction.atomic
def patient_availability_remove(*, actor: User, window: PatientAvailability) -> None:
    """Remove a window; the audit trail keeps what it said. Takes the same
    lock as a change, so the two never interleave."""
    Patient.objects.select_for_update().filter(pk=window.patient_id).first()
    locked = PatientAvailability.objects.filter(pk=window.pk).first()
    if locked is None:
        return  # already removed by someone else
    log_action(
        "scheduling.availability.remove",
        obj=locked,
        actor=actor,
        patient_id=locked.patient_id,
        data={**_window_data(locked), "kind": locked.kind, "note": locked.note},
    )
    locked.delete()


@transaction.atomic
def clinician_availability_add(
    *,
    actor: User,
    user: User,
    site: Site,
    weekday: int,
    start_time: dt.time,
    end_time: dt.time,
    weekly_caseload: int = 15,
) -> ClinicianAvailability:
    if end_time <= start_time:
        raise ValidationError({"end_time": _("The window must end after it starts.")})
    if not user.sites.filter(pk=site.pk).exists():
        raise ValidationError(_("%(user)s does not work at %(site)s.") % {"user": user, "site": site.name})
    _lock_rows(users=[user])
    clash = _window_clash(ClinicianAvailability.objects.filter(user=user, weekday=weekday), start_time, end_time)
    if clash is not None:
        raise ValidationError(
            _("This overlaps the window already recorded: %(window)s. Change or remove that one first.")
            % {"window": clash}
        )
    window = ClinicianAvailability.objects.create(
        user=user, site=site, weekday=weekday, start_time=start_time, end_time=end_time, weekly_caseload=weekly_caseload
    )
    log_action("scheduling.clinician_availability.add", obj=window, actor=actor)
    return window


@transaction.atomic
def clinician_availability_update(
    *,
    actor: User,
    window: ClinicianAvailability,
    site: Site,
    weekday: int,
    start_time: dt.time,
    end_time: dt.time,
    weekly_caseload: int,
    expected: str | None = None,
) -> ClinicianAvailability:
    """Change a clinician's window. Appointments already booked stay as they
    are; new bookings follow the new window."""
    if end_time <= start_time:
        raise ValidationError({"end_time": _("The window must end after it starts.")})
    user = window.user
    if not user.sites.filter(pk=site.pk).exists():
        raise ValidationError(_("%(user)s does not work at %(site)s.") % {"user": user, "site": site.name})
    _lock_rows(users=[user])
    locked = ClinicianAvailability.objects.filter(pk=window.pk).first()
    if locked is None:
        raise ValidationError(_("This window was removed meanwhile."))
    _check_fingerprint(locked, expected)
    others = ClinicianAvailability.objects.filter(user=user, weekday=weekday).exclude(pk=locked.pk)
    clash = _window_clash(others, start_time, end_time)
    if clash is not None:
        raise _clash_problem(clash)
    before = {**_window_data(locked), "site": locked.site_id, "caseload": locked.weekly_caseload}
    locked.site, locked.weekday, locked.start_time, locked.end_time = site, weekday, start_time, end_time
    locked.weekly_caseload = weekly_caseload
    locked.save(force_update=True)
    log_action(
        "scheduling.clinician_availability.change",
        obj=locked,
        actor=actor,
        data={"before": before, "after": {**_window_data(locked), "site": site.pk, "caseload": weekly_caseload}},
    )
    return locked


@transaction.atomic
def clinician_availability_remove(*, actor: User, window: ClinicianAvailability) -> None:
    """Remove a window; the audit trail keeps what it said. Takes the same
    lock as a change, so the two never interleave."""
    _lock_rows(users=[window.user])
    locked = ClinicianAvailability.objects.filter(pk=window.pk).first()
    if locked is None:
        return  # already removed by someone else
    log_action(
        "scheduling.clinician_availability.remove",
        obj=locked,
        actor=actor,
        data={**_window_data(locked), "site": locked.site_id, "user": locked.user_id},
    )
    locked.delete()


# --- Attendance -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceMark:
    enrolment_id: int
    status: str
    minutes: int | None = None  # None: the whole session for present, 0 for absent/no-show
    note: str = ""


def _minutes_for(status: str, minutes: int | None, length: int, who: str) -> int:
    """The hours engine's attendance-minutes rule, its refusals worded for WHO."""
    try:
        return attended_minutes(status, minutes, length)
    except AttendanceMinutesError as error:
        problem = error.problem
    if problem == AttendanceMinutesError.ZERO_MINUTES_ONLY:
        message = _("%(name)s: %(status)s means 0 minutes attended, not %(minutes)d.") % {
            "name": who,
            "status": Attendance.Status(status).label,
            "minutes": minutes,
        }
    elif problem == AttendanceMinutesError.MINUTES_NEEDED:
        message = _("%(name)s: enter the minutes attended when late or leaving early.") % {"name": who}
    elif problem == AttendanceMinutesError.OUT_OF_RANGE:
        message = _("%(name)s: minutes attended must be between 1 and %(length)d (the session's length).") % {
            "name": who,
            "length": length,
        }
    elif problem == AttendanceMinutesError.PARTIAL_BUT_WHOLE:
        message = _(
            "%(name)s: late or left early, yet all %(length)d minutes? Correct the minutes or mark present."
        ) % {"name": who, "length": length}
    else:
        message = _("%(name)s: choose an attendance status.") % {"name": who}
    raise ValidationError(message)


@transaction.atomic
def attendance_record(*, actor: User, session: Session, marks: Sequence[AttendanceMark]) -> list[Attendance]:
    """Record (or correct) attendance for a session's participants. Every
    mark is checked before anything is written; one bad mark saves none."""
    locked = _lock_session(session)
    if locked.status != SessionStatus.SCHEDULED:
        raise ValidationError(
            _("Attendance cannot be taken for a %(status)s session.") % {"status": locked.get_status_display()}
        )
    if locked.start > timezone.now():
        raise ValidationError(_("Attendance can be recorded once the session has started."))
    enrolments = {e.pk: e for e in locked.enrolments.select_related("patient")}
    length = locked.minutes
    resolved: list[tuple[Enrolment, AttendanceMark, int]] = []
    problems: list[str] = []
    for mark in marks:
        enrolment = enrolments.get(mark.enrolment_id)
        if enrolment is None:
            problems.append(_("One of the participants is no longer enrolled in this session; reload the page."))
            continue
        if mark.status not in Attendance.Status.values:
            problems.append(_("%(name)s: choose an attendance status.") % {"name": enrolment.patient.display_name})
            continue
        try:
            minutes = _minutes_for(mark.status, mark.minutes, length, enrolment.patient.display_name)
        except ValidationError as error:
            problems += error.messages
            continue
        resolved.append((enrolment, mark, minutes))
    _raise(problems)
    saved = []
    now = timezone.now()
    for enrolment, mark, minutes in resolved:
        attendance, created = Attendance.objects.update_or_create(
            enrolment=enrolment,
            defaults={
                "status": mark.status,
                "minutes_attended": minutes,
                "note": mark.note.strip(),
                "recorded_by": actor,
                "recorded_at": now,
            },
        )
        saved.append(attendance)
        log_action(
            "scheduling.attendance.record" if created else "scheduling.attendance.correct",
            obj=attendance,
            actor=actor,
            patient_id=enrolment.patient_id,
            site_id=locked.site_id,
            data={"session": locked.pk, "status": mark.status, "minutes": minutes},
        )
    # Corrected attendance flows into the group note's unsigned sections.
    group_notes.follow(actor=actor, session=locked)
    signals.attendance_saved.send(sender=Attendance, attendances=saved, actor=actor)
    return saved


@transaction.atomic
def appointment_attendance_record(
    *, actor: User, appointment: Appointment, status: str, minutes: int | None = None, note: str = ""
) -> Attendance:
    locked = Appointment.objects.select_for_update().select_related("patient").get(pk=appointment.pk)
    if locked.status != SessionStatus.SCHEDULED:
        raise ValidationError(
            _("Attendance cannot be taken for a %(status)s appointment.") % {"status": locked.get_status_display()}
        )
    if status not in Attendance.Status.values:
        raise ValidationError(_("Choose an attendance status."))
    value = _minutes_for(status, minutes, locked.minutes, locked.patient.display_name)
    attendance, _created = Attendance.objects.update_or_create(
        appointment=locked,
        defaults={"status": status, "minutes_attended": value, "note": note.strip(), "recorded_by": actor},
    )
    log_action(
        "scheduling.attendance.record",
        obj=attendance,
        actor=actor,
        patient_id=locked.patient_id,
        site_id=locked.site_id,
    )
    signals.attendance_saved.send(sender=Attendance, attendances=[attendance], actor=actor)
    return attendance


# --- Calendar feed tokens -------------------------------------------------------------------------------------------


def feed_signature(key: str) -> str:
    return signing.Signer(salt=FEED_SALT).sign(key)


def feed_key_from_signature(signed: str) -> str | None:
    try:
        return signing.Signer(salt=FEED_SALT).unsign(signed)
    except signing.BadSignature:
        return None


@transaction.atomic
def feed_token_create(
    *, actor: User, site: Site, patient: Patient | None = None, user: User | None = None, label: str = ""
) -> tuple[FeedToken, str]:
    """A new feed token and the signed value for its URL (shown once; only a
    hash of the key is stored)."""
    if (patient is None) == (user is None):
        raise ValidationError(_("A feed belongs to one patient or one staff member."))
    key = secrets.token_urlsafe(24)
    token = FeedToken.objects.create(
        kind=FeedToken.Kind.PATIENT if patient else FeedToken.Kind.STAFF,
        site=site,
        patient=patient,
        user=user,
        key_hash=hash_feed_key(key),
        label=label.strip()[:100],
        created_by=actor,
    )
    log_action("scheduling.feed.create", obj=token, actor=actor, patient_id=patient.pk if patient else None)
    return token, feed_signature(key)


@transaction.atomic
def feed_token_revoke(*, actor: User, token: FeedToken) -> FeedToken:
    locked = FeedToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        log_action("scheduling.feed.revoke", obj=locked, actor=actor, patient_id=locked.patient_id)
    return locked


def feed_token_for(signed: str) -> FeedToken | None:
    """The unrevoked token behind a signed feed URL, or None."""
    key = feed_key_from_signature(signed)
    if key is None:
        return None
    return (
        FeedToken.objects.select_related("patient", "user", "site")
        .filter(key_hash=hash_feed_key(key), revoked_at__isnull=True)
        .first()
    )
