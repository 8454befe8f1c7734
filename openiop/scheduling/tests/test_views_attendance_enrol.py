# SPDX-License-Identifier: AGPL-3.0-or-later
"""Attendance asks for the minutes of a late arrival or early leaver, a
session with attendance saved says "Held", and several patients are enrolled
at once, all or none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode
from openiop.scheduling import services
from openiop.scheduling.models import Attendance, Enrolment, Session
from openiop.scheduling.tests.pages import admitted, group, open_all_week
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


def test_late_with_the_full_length_left_in_is_refused_with_a_question_beside_the_minutes(
    client: Client, bob: User, setting: tuple[Session, list[Episode]]
) -> None:
    session, people = setting
    ann, ben = (Enrolment.objects.get(session=session, episode=e) for e in people)
    client.force_login(bob)

    response = client.post(
        reverse("scheduling:attendance", args=[session.pk]),
        {f"status-{ann.pk}": "present", f"status-{ben.pk}": "late", f"minutes-{ben.pk}": "90"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Ben Baker: late or left early, yet all 90 minutes?" in page
    # Ben's row asks for his minutes (shown, field required); Ann's question stays hidden.
    assert f'id="minutes-ask-{ben.pk}" class="minutes-ask" data-minutes-ask>' in page
    assert "how many of the 90 minutes did Ben Baker attend?" in page
    assert f'id="minutes-ask-{ann.pk}" class="minutes-ask" data-minutes-ask hidden>' in page
    assert not Attendance.objects.exists()


def test_a_session_with_attendance_saved_says_held_on_its_page_and_the_calendar(
    client: Client, bob: User, setting: tuple[Session, list[Episode]]
) -> None:
    session, _people = setting
    client.force_login(bob)
    calendar_url = reverse("scheduling:calendar") + f"?site={session.site_id}&day={MON}"
    assert "Held" not in client.get(reverse("scheduling:session", args=[session.pk])).content.decode()
    assert "Held" not in client.get(calendar_url).content.decode()

    client.post(reverse("scheduling:attendance", args=[session.pk]), {"all_present": "1"})

    detail = client.get(reverse("scheduling:session", args=[session.pk])).content.decode()
    assert '<small class="status-badge status-held">Held</small>' in detail
    assert "<strong>Held</strong>" in client.get(calendar_url).content.decode()


@pytest.fixture
def desk(persona: Callable[..., User]) -> User:
    return persona(RoleCode.FRONT_DESK)


def test_several_patients_are_enrolled_at_once_from_the_list(
    client: Client, desk: User, north: Site, setting: tuple[Session, list[Episode]]
) -> None:
    session, _people = setting
    cal, dee = admitted(north, "Cal", "Cole"), admitted(north, "Dee", "Dunn")
    client.force_login(desk)
    page = client.get(reverse("scheduling:enrol", args=[session.pk])).content.decode()
    assert 'type="checkbox" name="episodes"' in page
    assert 'id="enrol-filter"' in page and "Cal Cole" in page and "Ann Able" not in page  # already enrolled

    response = client.post(reverse("scheduling:enrol", args=[session.pk]), {"episodes": [cal.pk, dee.pk]}, follow=True)

    assert "2 patients enrolled: Cal Cole, Dee Dunn." in response.content.decode()
    assert set(Enrolment.objects.filter(session=session).values_list("patient__legal_first_name", flat=True)) == {
        "Ann", "Ben", "Cal", "Dee",
    }  # fmt: skip


def test_if_one_patient_cannot_be_enrolled_none_is_and_the_message_names_who_and_why(
    client: Client, desk: User, north: Site, setting: tuple[Session, list[Episode]]
) -> None:
    session, _people = setting
    Session.objects.filter(pk=session.pk).update(capacity_max=3)
    cal, dee = admitted(north, "Cal", "Cole"), admitted(north, "Dee", "Dunn")
    client.force_login(desk)

    response = client.post(reverse("scheduling:enrol", args=[session.pk]), {"episodes": [cal.pk, dee.pk]})

    page = response.content.decode()
    assert "Nobody was enrolled." in page
    assert "Dee Dunn: Relapse prevention group is full (3 of 3 seats taken)." in page
    assert Enrolment.objects.filter(session=session).count() == 2


def test_enrolling_nobody_asks_for_a_patient(
    client: Client, desk: User, setting: tuple[Session, list[Episode]]
) -> None:
    session, _people = setting
    client.force_login(desk)

    response = client.post(reverse("scheduling:enrol", args=[session.pk]), {})

    assert "Choose at least one patient to enroll." in response.content.decode()
