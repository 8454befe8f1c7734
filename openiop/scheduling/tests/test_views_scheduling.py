# SPDX-License-Identifier: AGPL-3.0-or-later
"""The scheduling pages: attendance, calendars, the hours dashboard, the
chart's Schedule tab, forms that refuse bad input, the week planner and
feeds, and other sites' records answering 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode
from openiop.patients.tests.factories import signed_in
from openiop.scheduling import services
from openiop.scheduling.models import Attendance, Enrolment, FeedToken, Session, Track, WeekProposal
from openiop.scheduling.tests.pages import admitted, group, open_all_week, room, staff
from openiop.sites.models import Site

NOW = dt.datetime(2026, 3, 5, 15, 0, tzinfo=dt.UTC)  # Thursday 10:00 in New York
MON = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def setting(north: Site) -> tuple[Session, list[Episode]]:
    open_all_week(north, dt.time(8), dt.time(21))
    session = group(north, MON, (9, 0), (10, 30))
    people = [admitted(north, "Ann", "Able"), admitted(north, "Ben", "Baker")]
    for episode in people:
        services.enrol(actor=None, session=session, episode=episode)
    return session, people


def test_attendance_is_saved_for_everyone_on_one_form(
    client: Client, bob: User, setting: tuple[Session, list[Episode]]
) -> None:
    session, people = setting
    ann, ben = (Enrolment.objects.get(session=session, episode=e) for e in people)
    page = signed_in(client, bob).get(reverse("scheduling:attendance", args=[session.pk]))
    assert page.status_code == 200
    assert 'value="90"' in page.content.decode()  # minutes start at the session's length

    response = client.post(
        reverse("scheduling:attendance", args=[session.pk]),
        {
            f"status-{ann.pk}": "present",
            f"minutes-{ann.pk}": "90",
            f"status-{ben.pk}": "late",
            f"minutes-{ben.pk}": "70",
        },
    )

    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("enrolment__patient__legal_first_name", "minutes_attended")) == {
        "Ann": 90, "Ben": 70,
    }  # fmt: skip


def test_a_bad_mark_shows_the_reason_and_saves_nothing(
    client: Client, bob: User, setting: tuple[Session, list[Episode]]
) -> None:
    session, people = setting
    ann, ben = (Enrolment.objects.get(session=session, episode=e) for e in people)

    response = signed_in(client, bob).post(
        reverse("scheduling:attendance", args=[session.pk]),
        {
            f"status-{ann.pk}": "present",
            f"minutes-{ann.pk}": "90",
            f"status-{ben.pk}": "absent",
            f"minutes-{ben.pk}": "30",
        },
    )

    assert response.status_code == 400
    assert "Ben Baker: Absent (excused) means 0 minutes attended, not 30." in response.content.decode()
    assert not Attendance.objects.exists()


def test_mark_all_present_works_without_script(
    client: Client, bob: User, setting: tuple[Session, list[Episode]]
) -> None:
    session, _people = setting

    response = signed_in(client, bob).post(reverse("scheduling:attendance", args=[session.pk]), {"all_present": "1"})

    assert response.status_code == 302
    assert list(Attendance.objects.values_list("status", "minutes_attended")) == [("present", 90), ("present", 90)]


def test_another_sites_session_is_a_404_and_the_attempt_is_audited(
    client: Client, charlie: User, setting: tuple[Session, list[Episode]]
) -> None:
    session, _people = setting

    response = signed_in(client, charlie).get(reverse("scheduling:session", args=[session.pk]))

    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor_id=charlie.pk, object_id=str(session.pk)).exists()


@pytest.mark.parametrize("by", ["room", "clinician", "track"])
def test_the_week_calendar_lists_the_session_in_its_row(
    client: Client, bob: User, north: Site, setting: tuple[Session, list[Episode]], by: str
) -> None:
    session, _people = setting

    response = signed_in(client, bob).get(
        reverse("scheduling:calendar"), {"site": north.pk, "by": by, "day": "2026-03-04"}
    )

    grid = response.context["grid"]
    assert grid.days[0] == MON and len(grid.days) == 7
    cells = [item for row in grid.rows for cell in row.cells for item in cell]
    assert [item.pk for item in cells] == [session.pk]
    assert "09:00–10:30 Relapse prevention group" in response.content.decode()


def test_the_day_calendar_shows_one_day(
    client: Client, bob: User, north: Site, setting: tuple[Session, list[Episode]]
) -> None:
    response = signed_in(client, bob).get(
        reverse("scheduling:calendar"), {"site": north.pk, "span": "day", "day": "2026-03-03"}
    )

    assert response.context["grid"].days == [dt.date(2026, 3, 3)]
    assert response.context["grid"].rows == []


def test_a_session_outside_opening_hours_is_refused_on_the_form(
    client: Client, persona: Callable[..., User], north: Site
) -> None:
    open_all_week(north, dt.time(8), dt.time(21))
    desk = persona(RoleCode.FRONT_DESK)
    lead = staff(north)

    response = signed_in(client, desk).post(
        reverse("scheduling:session_create", args=[north.code]),
        {
            "service": "group_support", "room": room(north).pk, "facilitator": lead.pk, "day": "2026-03-10",
            "start_time": "20:30", "end_time": "22:00", "capacity_min": "3", "capacity_max": "10",
        },
    )  # fmt: skip

    assert response.status_code == 200
    assert "is outside North Site&#x27;s opening hours on Tuesday (08:00-21:00)" in response.content.decode()
    assert not Session.objects.exists()


def test_max_below_min_is_refused_beside_the_field(client: Client, persona: Callable[..., User], north: Site) -> None:
    open_all_week(north)
    response = signed_in(client, persona(RoleCode.FRONT_DESK)).post(
        reverse("scheduling:session_create", args=[north.code]),
        {
            "service": "group_support", "room": room(north).pk, "facilitator": staff(north).pk, "day": "2026-03-10",
            "start_time": "10:00", "end_time": "11:00", "capacity_min": "6", "capacity_max": "4",
        },
    )  # fmt: skip

    assert response.context["form"].errors["capacity_max"] == [
        "The maximum group size must be at least the minimum (6)."
    ]
    assert not Session.objects.exists()


def test_falling_attendance_on_the_hours_page_links_to_reassessment(
    client: Client, bob: User, north: Site, setting: tuple[Session, list[Episode]]
) -> None:
    session, people = setting
    services.attendance_record(
        actor=bob, session=session, marks=[services.AttendanceMark(e.pk, "no_show") for e in session.enrolments.all()]
    )
    earlier = group(north, dt.date(2026, 2, 23), (9, 0), (10, 30))
    for episode in people:
        enrolment = services.enrol(actor=None, session=earlier, episode=episode)
        Attendance.objects.create(enrolment=enrolment, status="absent", minutes_attended=0)

    response = signed_in(client, bob).get(reverse("scheduling:hours"), {"site": north.pk, "day": "2026-03-02"})

    body = response.content.decode()
    assert response.context["counts"]["falling"] == 2
    assert f'href="/patients/{people[0].patient_id}/?tab=assessments"' in body
    assert "Consider reassessment" in body
    assert AuditEvent.objects.filter(action="record.read", data__view="hours").exists()


def test_the_chart_has_a_schedule_tab(client: Client, bob: User, setting: tuple[Session, list[Episode]]) -> None:
    _session, people = setting

    response = signed_in(client, bob).get(reverse("patients:chart", args=[people[0].patient_id]), {"tab": "schedule"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Past two weeks" in body and "Relapse prevention group" in body


def test_a_director_builds_reviews_and_publishes_a_week(
    client: Client,
    persona: Callable[..., User],
    north: Site,
    setting: tuple[Session, list[Episode]],
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    # The build runs as a background job; here it runs at once (test_week_build_job.py covers the queue).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    director = persona(RoleCode.CLINICAL_DIRECTOR)
    track = Track.objects.create(site=north, kind="morning", name="Morning")
    upcoming = group(north, dt.date(2026, 3, 10), (9, 0), (12, 0), track=track, in_room=room(north), capacity_max=4)
    _session, people = setting
    for episode in people:
        services.patient_availability_add(
            actor=director, patient=episode.patient, kind="free", weekday=1, start_time=dt.time(8), end_time=dt.time(13)
        )
    client = signed_in(client, director)

    with django_capture_on_commit_callbacks(execute=True):
        built = client.post(reverse("scheduling:build", args=[north.code]), {"week_start": "2026-03-09"})
    proposal = WeekProposal.objects.get()
    review = client.get(built["Location"])
    assert Enrolment.objects.filter(session=upcoming).count() == 0
    published = client.post(reverse("scheduling:publish", args=[proposal.pk]), follow=True)

    assert "Why the plan is not reached" in review.content.decode()
    assert "Published" in published.content.decode()
    planned = {(episode, session) for episode, sessions in proposal.group_plan().items() for session in sessions}
    assert planned and {session for _episode, session in planned} == {upcoming.pk}
    assert set(Enrolment.objects.filter(session=upcoming).values_list("episode_id", "session_id")) == planned


def test_the_build_form_wants_a_monday(client: Client, persona: Callable[..., User], north: Site) -> None:
    response = signed_in(client, persona(RoleCode.CLINICAL_DIRECTOR)).post(
        reverse("scheduling:build", args=[north.code]), {"week_start": "2026-03-10"}
    )

    assert "Choose a Monday" in response.context["form"].errors["week_start"][0]
    assert not WeekProposal.objects.exists()


def test_a_new_feed_link_is_shown_once_and_can_be_revoked(
    client: Client, persona: Callable[..., User], setting: tuple[Session, list[Episode]]
) -> None:
    _session, people = setting
    client = signed_in(client, persona(RoleCode.FRONT_DESK))
    url = reverse("scheduling:patient_feeds", args=[people[0].patient_id])

    created = client.post(url, {"label": "phone"})
    link = created.context["new_url"]
    assert client.get(link).status_code == 200
    again = client.get(url)
    assert link not in again.content.decode()

    client.post(url, {"revoke": FeedToken.objects.get().pk})

    assert client.get(link).status_code == 404


def test_the_clinician_calendar_shows_individual_appointments_without_patient_links(
    client: Client, bob: User, north: Site, setting: tuple[Session, list[Episode]]
) -> None:
    _session, people = setting
    clinician = staff(north)
    services.clinician_availability_add(
        actor=clinician, user=clinician, site=north, weekday=1, start_time=dt.time(13), end_time=dt.time(17)
    )
    services.appointment_create(
        actor=None, episode=people[0], clinician=clinician, service="individual_therapy",
        start=services.local_datetime(north, dt.date(2026, 3, 3), dt.time(14)),
        end=services.local_datetime(north, dt.date(2026, 3, 3), dt.time(14, 50)),
    )  # fmt: skip

    response = signed_in(client, bob).get(
        reverse("scheduling:calendar"), {"site": north.pk, "by": "clinician", "day": "2026-03-03"}
    )

    body = response.content.decode()
    assert "14:00–14:50 Individual therapy <small>individual</small>" in body
    assert "Ann Able" not in body
