# SPDX-License-Identifier: AGPL-3.0-or-later
"""iCalendar (RFC 5545) feeds, built with the ``icalendar`` package.

Part 2 (42 CFR part 2): a calendar app on a phone is outside the program's
records, so a feed says as little as it can. A patient's feed holds only that
patient's own sessions and appointments, each titled "Appointment at <site>"
(never the group's topic or the service, which a shared calendar or a lock
screen would show to others) and placed at the site's address. A staff feed
holds session titles, rooms and times; individual appointments show the
service and the patient's initials only.

A feed link outlives the session that made it, so access is checked again on
every request (``may_read``): a staff feed stops when its owner is
deactivated, loses the scheduling role or the feed's site; a patient's feed
stops when the patient has no active episode.
"""

from __future__ import annotations

import datetime as dt

import icalendar
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.core.access import has_action
from openiop.patients.models import Episode
from openiop.scheduling.models import Appointment, Enrolment, FeedToken, Session, SessionStatus
from openiop.scheduling.permissions import SCHEDULING_VIEW
from openiop.sites.models import Site

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


def may_read(token: FeedToken) -> bool:
    """Whether the feed's owner may still see what it shows, checked on every
    request (the link itself proves only that it was once handed out)."""
    if token.kind == FeedToken.Kind.PATIENT:
        return (
            token.patient_id is not None
            and Episode.objects.filter(patient_id=token.patient_id, status=Episode.Status.ACTIVE).exists()
        )
    owner = token.user
    return (
        owner is not None
        and owner.is_active
        and has_action(owner, SCHEDULING_VIEW)
        and token.site_id in owner.site_ids()
    )


def neutral_title(site: Site) -> str:
    """What a patient's calendar shows for any visit: where, never what."""
    return _("Appointment at %(site)s") % {"site": site.name}


def _address(site: Site) -> str:
    return ", ".join(part for part in (site.name, site.street, site.city) if part)


def patient_feed(token: FeedToken, *, now: dt.datetime | None = None) -> bytes:
    assert token.patient_id is not None
    now = now or timezone.now()
    low, high = _window(now)
    cal = _calendar(_("Appointments"))
    enrolments = Enrolment.objects.filter(
        patient_id=token.patient_id, session__start__lt=high, session__end__gt=low
    ).select_related("session__site")
    for enrolment in enrolments:
        session = enrolment.session
        cal.add_component(
            _event(
                f"session-{session.pk}-p{token.patient_id}@openiop",
                session.start,
                session.end,
                neutral_title(session.site),
                _address(session.site),
                session.status,
                now,
            )
        )
    appointments = Appointment.objects.filter(patient_id=token.patient_id, start__lt=high, end__gt=low).select_related(
        "site"
    )
    for appointment in appointments:
        cal.add_component(
            _event(
                f"appointment-{appointment.pk}@openiop",
                appointment.start,
                appointment.end,
                neutral_title(appointment.site),
                _address(appointment.site),
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
    # Only sites the owner still works at: a feed shows no more than its
    # owner could see signed in today.
    sites = token.user.site_ids() if token.user is not None else []
    sessions = Session.objects.filter(
        facilitator_id=token.user_id, site_id__in=sites, start__lt=high, end__gt=low
    ).select_related("room", "site")
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
    appointments = Appointment.objects.filter(
        clinician_id=token.user_id, site_id__in=sites, start__lt=high, end__gt=low
    ).select_related("patient", "site", "room")
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
