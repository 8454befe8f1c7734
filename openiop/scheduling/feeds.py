# SPDX-License-Identifier: AGPL-3.0-or-later
"""iCalendar (RFC 5545) feeds, built with the ``icalendar`` package.

Part 2 (42 CFR part 2): a calendar app on a phone is outside the program's
records, so a feed says as little as it can. A patient's feed holds only that
patient's own sessions, titled by service and room, never another
participant. A staff feed holds session titles, rooms and times; individual
appointments show the service and the patient's initials only.
"""

from __future__ import annotations

import datetime as dt

import icalendar
from django.utils import timezone

from openiop.scheduling.models import Appointment, Enrolment, FeedToken, Session, SessionStatus

PRODID = "-//OpenIOP//Scheduling//EN"
# Feeds cover a window around today, not the whole history.
PAST_DAYS = 14
FUTURE_DAYS = 60


def initials(name: str) -> str:
    return "".join(f"{part[0].upper()}." for part in name.split() if part)


def _calendar(name: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def _event(
    uid: str, start: dt.datetime, end: dt.datetime, summary: str, location: str, status: str, stamp: dt.datetime
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    # UTC times: every calendar reads them right without a VTIMEZONE block.
    event.add("dtstart", start.astimezone(dt.UTC))
    event.add("dtend", end.astimezone(dt.UTC))
    event.add("summary", summary)
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if status != SessionStatus.SCHEDULED else "CONFIRMED")
    return event


def _window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    return now - dt.timedelta(days=PAST_DAYS), now + dt.timedelta(days=FUTURE_DAYS)


def patient_feed(token: FeedToken, *, now: dt.datetime | None = None) -> bytes:
    assert token.patient_id is not None
    now = now or timezone.now()
    low, high = _window(now)
    cal = _calendar("OpenIOP")
    enrolments = Enrolment.objects.filter(
        patient_id=token.patient_id, session__start__lt=high, session__end__gt=low
    ).select_related("session__room", "session__site")
    for enrolment in enrolments:
        session = enrolment.session
        cal.add_component(
            _event(
                f"session-{session.pk}-p{token.patient_id}@openiop",
                session.start,
                session.end,
                session.service_name,
                f"{session.site.name}, {session.room.name}",
                session.status,
                now,
            )
        )
    appointments = Appointment.objects.filter(patient_id=token.patient_id, start__lt=high, end__gt=low).select_related(
        "site", "room"
    )
    for appointment in appointments:
        where = appointment.site.name + (f", {appointment.room.name}" if appointment.room else "")
        cal.add_component(
            _event(
                f"appointment-{appointment.pk}@openiop",
                appointment.start,
                appointment.end,
                appointment.service_name,
                where,
                appointment.status,
                now,
            )
        )
    return bytes(cal.to_ical())


def staff_feed(token: FeedToken, *, now: dt.datetime | None = None) -> bytes:
    assert token.user_id is not None
    now = now or timezone.now()
    low, high = _window(now)
    cal = _calendar("OpenIOP")
    sessions = Session.objects.filter(facilitator_id=token.user_id, start__lt=high, end__gt=low).select_related(
        "room", "site"
    )
    for session in sessions:
        cal.add_component(
            _event(
                f"session-{session.pk}@openiop",
                session.start,
                session.end,
                session.title,
                f"{session.site.name}, {session.room.name}",
                session.status,
                now,
            )
        )
    appointments = Appointment.objects.filter(clinician_id=token.user_id, start__lt=high, end__gt=low).select_related(
        "patient", "site", "room"
    )
    for appointment in appointments:
        where = appointment.site.name + (f", {appointment.room.name}" if appointment.room else "")
        cal.add_component(
            _event(
                f"appointment-{appointment.pk}@openiop",
                appointment.start,
                appointment.end,
                f"{appointment.service_name} ({initials(appointment.patient.display_name)})",
                where,
                appointment.status,
                now,
            )
        )
    return bytes(cal.to_ical())
