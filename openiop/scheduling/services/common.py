# SPDX-License-Identifier: AGPL-3.0-or-later
"""The rules every scheduling write shares: the stale-edit error, local time,
opening hours, double bookings of patient, room and staff, group size, and
the row locks taken in one order."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.patients.models import Patient
from openiop.scheduling import busy
from openiop.scheduling.models import Appointment, Enrolment, Session, SessionStatus
from openiop.sites.models import OpeningHours, Room, Site, Weekday

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
    day_name = Weekday(weekday).label
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
    exclude_busy: str = "",
) -> list[str]:
    """The room is taken by a group, an appointment or another app's booking
    (EXCLUDE_BUSY: the key of the booking being moved, see ``busy``)."""
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
    found += [
        _("%(room)s is already booked for %(what)s, %(when)s.")
        % {"room": room.name, "what": block.label, "when": _when(block.start, block.end, room.site.zone)}
        for block in busy.busy_blocks(start, end, room_ids=[room.pk], exclude_key=exclude_busy)
    ]
    return found


def staff_conflicts(
    user: User,
    start: dt.datetime,
    end: dt.datetime,
    *,
    exclude_session: Session | None = None,
    exclude_appointment: Appointment | None = None,
    exclude_busy: str = "",
) -> list[str]:
    """A facilitator or clinician is busy with a group, an appointment or
    another app's booking (EXCLUDE_BUSY: the key of the booking being moved)."""
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
    blocks = busy.busy_blocks(start, end, clinician_ids=[user.pk], exclude_key=exclude_busy)
    zones = {site.pk: site.zone for site in Site.objects.filter(pk__in={block.site_id for block in blocks})}
    found += [
        _("%(user)s is already booked for %(what)s, %(when)s.")
        % {"user": user, "what": block.label, "when": _when(block.start, block.end, zones[block.site_id])}
        for block in blocks
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
