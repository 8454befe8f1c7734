# SPDX-License-Identifier: AGPL-3.0-or-later
"""Who sees which audit events: a reviewer sees their own sites' events;
events of other sites and of no site (sign-ins, matrix changes) only with
every site or the organization-wide audit right. The page and the CSV export
answer alike."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import Action, Role, User
from openiop.audit.models import AuditEvent
from openiop.audit.permissions import AUDIT_EXPORT, AUDIT_ORGANIZATION, AUDIT_VIEW
from openiop.audit.services import log_action
from openiop.core.roles import RoleCode
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(north: Site, south: Site) -> dict[str, AuditEvent]:
    """One read of a patient at each site, and a sign-in (no site)."""
    return {
        "north": log_action("record.read", obj=north, patient_id="P-NORTH", data={"name": "Ann North"}),
        "south": log_action("record.read", obj=south, patient_id="P-SOUTH", data={"name": "Sam South"}),
        "none": log_action("auth.login_failed", data={"username": "mallory"}),
    }


def visible(client: Client, user: User) -> set[int]:
    client.force_login(user)
    response = client.get(reverse("audit:events"))
    assert response.status_code == 200
    return {event.pk for event in response.context["page"].object_list}


def exported(client: Client, user: User) -> set[int]:
    client.force_login(user)
    response = client.get(reverse("audit:export"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return {int(row["id"]) for row in csv.DictReader(io.StringIO(body))}


def test_a_site_limited_administrator_sees_only_their_sites_events(
    client: Client, charlie: User, events: dict[str, AuditEvent]
) -> None:
    assert {events["south"].pk} <= visible(client, charlie)
    assert events["north"].pk not in visible(client, charlie)
    assert events["none"].pk not in visible(client, charlie)
    assert set(AuditEvent.objects.restrict(charlie, AUDIT_VIEW).values_list("site_id", flat=True)) == {
        events["south"].site_id
    }


def test_a_site_limited_administrator_cannot_export_other_sites_events(
    client: Client, alice: User, events: dict[str, AuditEvent]
) -> None:
    rows = exported(client, alice)

    assert events["north"].pk in rows
    assert events["south"].pk not in rows
    assert events["none"].pk not in rows
    assert not AuditEvent.objects.filter(pk__in=rows).exclude(site_id=events["north"].site_id).exists()


def test_an_administrator_at_every_site_sees_every_event(
    client: Client, persona: Callable[..., User], north: Site, south: Site, events: dict[str, AuditEvent]
) -> None:
    everywhere = persona(RoleCode.ADMINISTRATOR, username="dana")
    everywhere.sites.add(south)

    assert {event.pk for event in events.values()} <= visible(client, everywhere)
    assert {event.pk for event in events.values()} <= exported(client, everywhere)


def test_the_organization_wide_right_reaches_every_site_and_events_of_none(
    client: Client, alice: User, events: dict[str, AuditEvent]
) -> None:
    Role.objects.get(code=RoleCode.ADMINISTRATOR).actions.add(Action.objects.get(code=AUDIT_ORGANIZATION))
    alice = User.objects.get(pk=alice.pk)  # the granted actions are cached per user object

    assert {event.pk for event in events.values()} <= visible(client, alice)
    assert {event.pk for event in events.values()} <= set(
        AuditEvent.objects.restrict(alice, AUDIT_EXPORT).values_list("id", flat=True)
    )


def test_the_organization_wide_right_alone_opens_nothing(
    persona: Callable[..., User], events: dict[str, AuditEvent]
) -> None:
    clinician = persona(RoleCode.CLINICIAN)
    Role.objects.get(code=RoleCode.CLINICIAN).actions.add(Action.objects.get(code=AUDIT_ORGANIZATION))

    assert not AuditEvent.objects.restrict(User.objects.get(pk=clinician.pk), AUDIT_VIEW).exists()


def test_a_reviewer_with_no_site_sees_nothing_of_any_site(
    persona: Callable[..., User], events: dict[str, AuditEvent]
) -> None:
    nowhere = persona(RoleCode.ADMINISTRATOR)
    nowhere.sites.clear()

    assert not AuditEvent.objects.restrict(User.objects.get(pk=nowhere.pk), AUDIT_VIEW).exists()
