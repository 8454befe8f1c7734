# SPDX-License-Identifier: AGPL-3.0-or-later
"""Tracks switched on and off by a director or administrator, with a reason;
a track switched off is not offered for new recurring groups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.scheduling import services
from openiop.scheduling.forms import SeriesForm
from openiop.scheduling.models import SessionSeries, Track
from openiop.scheduling.tests.pages import open_all_week, room, staff
from openiop.sites.models import Site


@pytest.fixture
def evening(north: Site, alice: User) -> Track:
    return services.track_create(actor=alice, site=north, kind=Track.Kind.EVENING, name="Evening track")


def test_switching_off_and_on_needs_a_reason_and_is_audited(alice: User, evening: Track) -> None:
    with pytest.raises(ValidationError) as refused:
        services.track_set_active(actor=alice, track=evening, active=False, reason=" ")
    assert refused.value.message_dict == {"reason": ["Say why the track is switched on or off."]}

    services.track_set_active(actor=alice, track=evening, active=False, reason="Too few evening referrals")
    evening.refresh_from_db()
    assert not evening.is_active
    services.track_set_active(actor=alice, track=evening, active=True, reason="New employer contract")
    evening.refresh_from_db()
    assert evening.is_active

    events = list(AuditEvent.objects.filter(action__startswith="scheduling.track.").order_by("pk"))
    assert [(e.action, e.data.get("reason")) for e in events][1:] == [
        ("scheduling.track.deactivate", "Too few evening referrals"),
        ("scheduling.track.activate", "New employer contract"),
    ]


def test_switching_to_the_state_it_is_in_changes_nothing(alice: User, evening: Track) -> None:
    with pytest.raises(ValidationError, match="already switched on"):
        services.track_set_active(actor=alice, track=evening, active=True, reason="Just in case")


def test_a_switched_off_track_is_not_offered_or_accepted_for_a_new_series(
    north: Site, alice: User, evening: Track
) -> None:
    services.track_set_active(actor=alice, track=evening, active=False, reason="Paused for the summer")
    open_all_week(north)
    facilitator = staff(north)

    form = SeriesForm(site=north, staff=User.objects.filter(pk=facilitator.pk))
    assert evening not in form.fields["track"].queryset  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="Evening track track is switched off"):
        services.series_create(
            actor=alice, site=north, track=evening, service="group_relapse_prevention", title="",
            room=room(north), facilitator=facilitator, capacity_min=1, capacity_max=8,
            starts_on=dt.date(2030, 3, 4), start_time=dt.time(18), end_time=dt.time(19, 30),
            rrule="FREQ=WEEKLY;BYDAY=MO",
        )  # fmt: skip
    assert not SessionSeries.objects.exists()


def test_the_page_switches_a_track_off_with_a_reason(client: Client, alice: User, evening: Track) -> None:
    client.force_login(alice)
    url = reverse("scheduling:tracks", args=[evening.site.code])
    assert "Switch Evening track off" in client.get(url).content.decode()

    missing = client.post(url, {"track": str(evening.pk), "active": "0", f"t{evening.pk}-reason": ""})
    assert missing.status_code == 400
    evening.refresh_from_db()
    assert evening.is_active

    done = client.post(url, {"track": str(evening.pk), "active": "0", f"t{evening.pk}-reason": "No staff"})
    assert done.status_code == 302
    evening.refresh_from_db()
    assert not evening.is_active
    assert "Switch Evening track on" in client.get(url).content.decode()


def test_a_clinician_cannot_switch_tracks(client: Client, bob: User, evening: Track) -> None:
    client.force_login(bob)

    response = client.post(
        reverse("scheduling:tracks", args=[evening.site.code]),
        {"track": str(evening.pk), "active": "0", f"t{evening.pk}-reason": "Why not"},
    )

    assert response.status_code == 403
    evening.refresh_from_db()
    assert evening.is_active


def test_another_sites_track_is_not_found(
    client: Client, persona: Callable[..., User], south: Site, evening: Track
) -> None:
    client.force_login(persona(RoleCode.ADMINISTRATOR, site=south))

    assert client.get(reverse("scheduling:tracks", args=[evening.site.code])).status_code == 404
    response = client.post(
        reverse("scheduling:tracks", args=["south"]),
        {"track": str(evening.pk), "active": "0", "t-reason": "x"},
    )
    assert response.status_code == 404
    evening.refresh_from_db()
    assert evening.is_active
