# SPDX-License-Identifier: AGPL-3.0-or-later
"""This app's rows in the permission table (see openiop/core/testing.py), and
the builders the scheduling tests share."""

from __future__ import annotations

import datetime as dt
from itertools import count
from typing import Any

from django.utils import timezone

from openiop.accounts.models import User
from openiop.accounts.services import staff_create
from openiop.core.roles import RoleCode
from openiop.core.testing import Objects, Page, no_kwargs, the_site
from openiop.patients import services as patient_services
from openiop.patients.models import Episode, Patient
from openiop.scheduling import services
from openiop.scheduling.models import Session, Track, WeekProposal
from openiop.scheduling.permissions import (
    ATTENDANCE_RECORD,
    SCHEDULING_MANAGE,
    SCHEDULING_OPTIMIZE,
    SCHEDULING_VIEW,
    TRACKS_SWITCH,
)
from openiop.sites.models import OpeningHours, Room, Site
from openiop.treatment.permissions import COUNSELLING_NOTES

_numbers = count(1)


# --- Builders -------------------------------------------------------------------------------------------------------


def open_all_week(site: Site, opens: dt.time = dt.time(7), closes: dt.time = dt.time(22)) -> None:
    """Opening hours every day (the test sites open on Mondays only)."""
    OpeningHours.objects.filter(site=site).delete()
    for weekday in range(7):
        OpeningHours.objects.create(site=site, weekday=weekday, opens=opens, closes=closes)


def staff(site: Site, role: str = RoleCode.CLINICIAN, username: str | None = None) -> User:
    number = next(_numbers)
    return staff_create(
        username=username or f"sched-{role}-{number}",
        password=None,
        first_name=role.title(),
        last_name=f"Staff{number}",
        email=f"sched{number}@example.invalid",
        role_codes=[role],
        sites=[site],
    )


def admitted(site: Site, first: str = "Maria", last: str = "Garcia", **fields: Any) -> Episode:
    number = next(_numbers)
    patient = patient_services.patient_register(
        site=site,
        legal_first_name=first,
        legal_last_name=last,
        birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=number),
        phone=f"617-555-{number:04d}",
    )
    return patient_services.episode_admit(
        actor=None,
        patient=patient,
        site=site,
        admission_date=fields.pop("admission_date", dt.date(2026, 1, 5)),
        **fields,
    )


def room(site: Site, name: str | None = None, capacity: int = 12) -> Room:
    return Room.objects.create(site=site, name=name or f"Room {next(_numbers)}", capacity=capacity)


def at(site: Site, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return services.local_datetime(site, day, dt.time(hour, minute))


def group(
    site: Site,
    day: dt.date,
    start: tuple[int, int] = (9, 0),
    end: tuple[int, int] = (10, 30),
    *,
    facilitator: User | None = None,
    in_room: Room | None = None,
    capacity_min: int = 1,
    capacity_max: int = 8,
    service: str = "group_relapse_prevention",
    track: Track | None = None,
) -> Session:
    return services.session_create(
        actor=None,
        site=site,
        service=service,
        title="",
        room=in_room or Room.objects.filter(site=site).first() or room(site),
        facilitator=facilitator or staff(site),
        start=at(site, day, *start),
        end=at(site, day, *end),
        capacity_min=capacity_min,
        capacity_max=capacity_max,
        track=track,
    )


def last_monday() -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday() or 7)


# --- Permission table -----------------------------------------------------------------------------------------------


def _x(name: str, key: str = "pk") -> Any:
    return lambda objects: {key: objects.extra[name].pk}


PAGES = [
    Page("scheduling:calendar", SCHEDULING_VIEW, no_kwargs),
    Page("scheduling:calendar_move", SCHEDULING_MANAGE, no_kwargs),
    Page("scheduling:setup", SCHEDULING_MANAGE, the_site, form=True),
    Page("scheduling:tracks", TRACKS_SWITCH, the_site),
    Page("scheduling:series_create", SCHEDULING_MANAGE, the_site, form=True),
    Page("scheduling:session_create", SCHEDULING_MANAGE, the_site, form=True),
    Page("scheduling:session", SCHEDULING_VIEW, _x("scheduling_session")),
    Page("scheduling:enrol", SCHEDULING_MANAGE, _x("scheduling_session"), form=True),
    Page("scheduling:session_cancel", SCHEDULING_MANAGE, _x("scheduling_session"), form=True),
    Page("scheduling:session_reschedule", SCHEDULING_MANAGE, _x("scheduling_session"), form=True),
    Page("scheduling:attendance", ATTENDANCE_RECORD, _x("scheduling_session"), form=True),
    Page("scheduling:group_note", COUNSELLING_NOTES, _x("scheduling_session")),
    Page("scheduling:withdraw", SCHEDULING_MANAGE, _x("scheduling_enrolment"), form=True),
    Page("scheduling:availability", SCHEDULING_MANAGE, _x("scheduling_patient"), form=True),
    Page("scheduling:appointment_create", SCHEDULING_MANAGE, _x("scheduling_patient"), form=True),
    Page("scheduling:appointment_cancel", SCHEDULING_MANAGE, _x("scheduling_appointment"), form=True),
    Page("scheduling:appointment_reschedule", SCHEDULING_MANAGE, _x("scheduling_appointment"), form=True),
    Page("scheduling:appointment_attendance", ATTENDANCE_RECORD, _x("scheduling_appointment"), form=True),
    Page("scheduling:clinician_availability", SCHEDULING_MANAGE, _x("scheduling_clinician"), form=True),
    Page("scheduling:availability_edit", SCHEDULING_MANAGE, _x("scheduling_patient_window"), form=True),
    Page("scheduling:clinician_availability_edit", SCHEDULING_MANAGE, _x("scheduling_clinician_window"), form=True),
    Page("scheduling:hours", SCHEDULING_VIEW, no_kwargs),
    Page("scheduling:build", SCHEDULING_OPTIMIZE, the_site, form=True),
    Page("scheduling:proposal", SCHEDULING_OPTIMIZE, _x("scheduling_proposal")),
    Page("scheduling:publish", SCHEDULING_OPTIMIZE, _x("scheduling_proposal"), form=True),
    Page("scheduling:proposal_status", SCHEDULING_OPTIMIZE, _x("scheduling_proposal")),
    Page("scheduling:replan", SCHEDULING_OPTIMIZE, _x("scheduling_patient"), form=True),
    Page("scheduling:feeds", SCHEDULING_VIEW, no_kwargs, form=True),
    Page("scheduling:patient_feeds", SCHEDULING_MANAGE, _x("scheduling_patient"), form=True),
]

# The .ics feed needs no sign-in: a valid, unrevoked signed token instead.
PUBLIC_NAMES = {"scheduling:feed"}


def extra_objects(base: Objects) -> dict[str, Any]:
    site = base.site
    open_all_week(site)
    clinician = staff(site)
    clinician_window = services.clinician_availability_add(
        actor=clinician, user=clinician, site=site, weekday=0, start_time=dt.time(8), end_time=dt.time(18)
    )
    episode = admitted(site, "Sched", "Patient", primary_counsellor=clinician)
    patient_window = services.patient_availability_add(
        actor=clinician, patient=episode.patient, kind="work", weekday=1, start_time=dt.time(9), end_time=dt.time(17)
    )
    monday = last_monday()
    session = group(site, monday, facilitator=staff(site))
    enrolment = services.enrol(actor=None, session=session, episode=episode)
    appointment = services.appointment_create(
        actor=None,
        episode=episode,
        clinician=clinician,
        service="individual_therapy",
        start=at(site, monday, 13),
        end=at(site, monday, 13, 50),
    )
    proposal = WeekProposal.objects.create(
        site=site, week_start=monday + dt.timedelta(days=7), created_by=clinician, episode_ids=[episode.pk]
    )
    patient: Patient = episode.patient
    return {
        "scheduling_session": session,
        "scheduling_enrolment": enrolment,
        "scheduling_patient": patient,
        "scheduling_appointment": appointment,
        "scheduling_clinician": clinician,
        "scheduling_proposal": proposal,
        "scheduling_patient_window": patient_window,
        "scheduling_clinician_window": clinician_window,
    }
