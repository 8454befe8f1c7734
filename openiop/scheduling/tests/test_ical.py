# SPDX-License-Identifier: AGPL-3.0-or-later
"""Calendar feeds: parsed back with the icalendar package; a patient's feed
holds only their own sessions under neutral titles; revoked or forged links,
and links whose owner lost access since, answer 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import icalendar
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import Action, User
from openiop.audit.models import AuditEvent
from openiop.patients.models import Episode
from openiop.scheduling import services
from openiop.scheduling.models import FeedToken, Session
from openiop.scheduling.permissions import SCHEDULING_VIEW
from openiop.scheduling.tests.pages import admitted, at, group, open_all_week, room, staff
from openiop.sites.models import Site

NOW = dt.datetime(2026, 3, 5, 15, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 3, 9)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def week(north: Site) -> dict[str, object]:
    open_all_week(north)
    lead = staff(north)
    maria, john = admitted(north, "Maria", "Garcia"), admitted(north, "John", "Smith")
    morning = group(north, DAY, (9, 0), (10, 30), facilitator=lead, service="group_coping_skills")
    evening = group(north, DAY, (18, 0), (19, 30), facilitator=lead, in_room=room(north, "Group room B"))
    services.enrol(actor=None, session=morning, episode=maria)
    services.enrol(actor=None, session=morning, episode=john)
    services.enrol(actor=None, session=evening, episode=john)
    services.clinician_availability_add(
        actor=lead, user=lead, site=north, weekday=0, start_time=dt.time(12), end_time=dt.time(17)
    )
    services.appointment_create(
        actor=None, episode=maria, clinician=lead, service="individual_therapy",
        start=at(north, DAY, 13), end=at(north, DAY, 13, 50),
    )  # fmt: skip
    return {"lead": lead, "maria": maria, "john": john, "morning": morning, "evening": evening}


def fetch(client: Client, signed: str) -> icalendar.Calendar:
    response = client.get(reverse("scheduling:feed", args=[signed]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def summaries(calendar: icalendar.Calendar) -> list[tuple[str, str, dt.datetime]]:
    return sorted(
        (str(e["summary"]), str(e.get("location", "")), e.decoded("dtstart")) for e in calendar.walk("VEVENT")
    )


def test_a_patients_feed_holds_their_own_sessions_and_no_other_names(
    client: Client, week: dict[str, object], north: Site
) -> None:
    maria = week["maria"]
    _token, signed = services.feed_token_create(actor=week["lead"], site=north, patient=maria.patient)  # type: ignore[attr-defined]

    calendar = fetch(client, signed)

    assert summaries(calendar) == [
        ("Appointment at North Site", "North Site, 1 Main Street, Boston", at(north, DAY, 9)),
        ("Appointment at North Site", "North Site, 1 Main Street, Boston", at(north, DAY, 13)),
    ]
    body = calendar.to_ical().decode()
    assert "Smith" not in body and "John" not in body and "Garcia" not in body
    assert AuditEvent.objects.filter(action="scheduling.feed.read", patient_id=str(maria.patient_id)).exists()  # type: ignore[attr-defined]


def test_a_staff_feed_shows_titles_and_rooms_and_only_initials_for_appointments(
    client: Client, week: dict[str, object], north: Site
) -> None:
    lead = week["lead"]
    assert isinstance(lead, User)
    _token, signed = services.feed_token_create(actor=lead, site=north, user=lead)

    calendar = fetch(client, signed)

    assert [s[:2] for s in summaries(calendar)] == [
        ("Coping skills group", "North Site, Group room"),
        ("Individual therapy (M.G.)", "North Site"),
        ("Relapse prevention group", "North Site, Group room B"),
    ]
    assert "Garcia" not in calendar.to_ical().decode()


def test_a_cancelled_session_appears_as_cancelled(client: Client, week: dict[str, object], north: Site) -> None:
    services.session_cancel(actor=week["lead"], session=week["morning"], reason="Storm")  # type: ignore[arg-type]
    _token, signed = services.feed_token_create(actor=week["lead"], site=north, patient=week["john"].patient)  # type: ignore[arg-type, attr-defined]

    calendar = fetch(client, signed)

    statuses = {str(e["uid"]): str(e["status"]) for e in calendar.walk("VEVENT")}
    john = week["john"].patient_id  # type: ignore[attr-defined]
    assert statuses == {
        f"session-{week['morning'].pk}-p{john}@openiop": "CANCELLED",  # type: ignore[attr-defined]
        f"session-{week['evening'].pk}-p{john}@openiop": "CONFIRMED",  # type: ignore[attr-defined]
    }


def test_a_revoked_feed_answers_404(client: Client, week: dict[str, object], north: Site) -> None:
    token, signed = services.feed_token_create(actor=week["lead"], site=north, patient=week["maria"].patient)  # type: ignore[arg-type, attr-defined]
    assert client.get(reverse("scheduling:feed", args=[signed])).status_code == 200

    services.feed_token_revoke(actor=week["lead"], token=token)  # type: ignore[arg-type]

    assert client.get(reverse("scheduling:feed", args=[signed])).status_code == 404
    assert FeedToken.objects.get().revoked_at is not None


def test_a_forged_or_altered_link_answers_404(client: Client, week: dict[str, object], north: Site) -> None:
    _token, signed = services.feed_token_create(actor=week["lead"], site=north, patient=week["maria"].patient)  # type: ignore[arg-type, attr-defined]
    key, _signature = signed.split(":", 1)

    assert client.get(reverse("scheduling:feed", args=[f"{key}:forged"])).status_code == 404
    assert client.get(reverse("scheduling:feed", args=["nothing"])).status_code == 404


def test_only_a_hash_of_the_key_is_stored(week: dict[str, object], north: Site) -> None:
    token, signed = services.feed_token_create(actor=week["lead"], site=north, patient=week["maria"].patient)  # type: ignore[arg-type, attr-defined]

    key = signed.split(":", 1)[0]
    assert key not in token.key_hash and len(token.key_hash) == 64


# --- Neutral titles on a patient's calendar ---------------------------------------------------------------------------


def test_a_patients_feed_never_names_the_groups_topic_or_the_service(
    client: Client, week: dict[str, object], north: Site
) -> None:
    # A topic that must never reach a phone's lock screen or a shared calendar.
    evening = week["evening"]
    assert isinstance(evening, Session)
    Session.objects.filter(pk=evening.pk).update(title="Opioid relapse prevention")
    _token, signed = services.feed_token_create(actor=week["lead"], site=north, patient=week["john"].patient)  # type: ignore[arg-type, attr-defined]

    calendar = fetch(client, signed)

    events = list(calendar.walk("VEVENT"))
    assert [str(event["summary"]) for event in events] == ["Appointment at North Site"] * 2
    assert all("description" not in event for event in events)
    # Everything a person reads (the product name in PRODID and UIDs is not shown).
    shown = " ".join(
        [str(calendar["x-wr-calname"])]
        + [str(event.get(name, "")) for event in events for name in ("summary", "location", "description")]
    ).lower()
    for clinical in ["opioid", "relapse", "coping", "group", "therapy", "iop", "room"]:
        assert clinical not in shown, clinical


# --- Access re-checked on every request -------------------------------------------------------------------------------


@pytest.fixture
def lead_feed(week: dict[str, object], north: Site) -> tuple[User, str]:
    lead = week["lead"]
    assert isinstance(lead, User)
    _token, signed = services.feed_token_create(actor=lead, site=north, user=lead)
    return lead, signed


def test_a_staff_feed_stops_when_its_owner_is_deactivated(client: Client, lead_feed: tuple[User, str]) -> None:
    lead, signed = lead_feed
    assert client.get(reverse("scheduling:feed", args=[signed])).status_code == 200

    User.objects.filter(pk=lead.pk).update(is_active=False)

    assert client.get(reverse("scheduling:feed", args=[signed])).status_code == 404
    assert AuditEvent.objects.filter(action="scheduling.feed.refused").count() == 1


def test_a_staff_feed_stops_when_its_owner_loses_every_role(client: Client, lead_feed: tuple[User, str]) -> None:
    lead, signed = lead_feed
    assert client.get(reverse("scheduling:feed", args=[signed])).status_code == 200

    lead.roles.clear()

    assert client.get(reverse("scheduling:feed", args=[signed])).status_code == 404


def test_a_staff_feed_stops_when_its_owner_loses_every_site(client: Client, lead_feed: tuple[User, str]) -> None:
    lead, signed = lead_feed
    assert client.get(reverse("scheduling:feed", args=[signed])).status_code == 200

    lead.sites.clear()

    assert client.get(reverse("scheduling:feed", args=[signed])).status_code == 404


def test_a_staff_feed_stops_when_its_owner_moves_to_another_site(
    client: Client, lead_feed: tuple[User, str], south: Site
) -> None:
    lead, signed = lead_feed

    lead.sites.set([south])

    assert client.get(reverse("scheduling:feed", args=[signed])).status_code == 404


def test_a_staff_feed_stops_when_the_matrix_takes_scheduling_away_from_the_role(
    client: Client, lead_feed: tuple[User, str]
) -> None:
    lead, signed = lead_feed
    for role in lead.roles.all():
        role.actions.remove(Action.objects.get(code=SCHEDULING_VIEW))

    assert client.get(reverse("scheduling:feed", args=[signed])).status_code == 404


def test_a_staff_feed_shows_nothing_from_a_site_the_owner_no_longer_works_at(
    client: Client, week: dict[str, object], north: Site, south: Site
) -> None:
    lead = week["lead"]
    assert isinstance(lead, User)
    lead.sites.add(south)
    _token, signed = services.feed_token_create(actor=lead, site=south, user=lead)
    assert len(list(fetch(client, signed).walk("VEVENT"))) == 3

    lead.sites.remove(north)

    assert list(fetch(client, signed).walk("VEVENT")) == []


def test_a_patients_feed_stops_when_the_patient_is_discharged(
    client: Client, week: dict[str, object], north: Site
) -> None:
    maria = week["maria"]
    _token, signed = services.feed_token_create(actor=week["lead"], site=north, patient=maria.patient)  # type: ignore[attr-defined]
    assert client.get(reverse("scheduling:feed", args=[signed])).status_code == 200

    Episode.objects.filter(pk=maria.pk).update(status=Episode.Status.DISCHARGED)  # type: ignore[attr-defined]

    assert client.get(reverse("scheduling:feed", args=[signed])).status_code == 404
