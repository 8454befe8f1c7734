# SPDX-License-Identifier: AGPL-3.0-or-later
"""The change-of-level and discharge pages, and what the chart's episodes tab
shows of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.patients import services
from openiop.patients.models import ContinuingCarePlan, Episode, LevelOfCare, LevelOfCareChange
from openiop.patients.tests.factories import TODAY, register, signed_in
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db
ADMITTED = TODAY - dt.timedelta(days=30)


@pytest.fixture
def episode(north: Site, bob: User) -> Episode:
    return services.episode_admit(actor=bob, patient=register(north), site=north, admission_date=ADMITTED)


def level_url(episode: Episode) -> str:
    return reverse("patients:episode_level", args=[episode.pk])


def discharge_url(episode: Episode) -> str:
    return reverse("patients:episode_discharge", args=[episode.pk])


def chart_episodes(episode: Episode) -> str:
    return reverse("patients:chart", args=[episode.patient_id]) + "?tab=episodes"


def discharge_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "discharge_date": TODAY.isoformat(),
        "reason": "1",
        "next_level_of_care": "1",
        "referral_to": "Harbor Family Medicine",
        "referral_contact": "555-0123",
        "first_appointment_date": (TODAY + dt.timedelta(days=7)).isoformat(),
        "first_appointment_time": "17:15",
        "supports": ["sponsor", "mutual_help"],
        "notes": "Home group on Thursdays.",
        "version": 1,
    }
    data.update(overrides)
    return data


# --- Change of level ---------------------------------------------------------------------------------------------


def test_the_level_page_offers_every_level_but_the_current_one(client: Client, bob: User, episode: Episode) -> None:
    response = signed_in(client, bob).get(level_url(episode))

    assert response.status_code == 200
    offered = [code for code, _label in response.context["form"].fields["to_level"].widget.choices if code]
    assert LevelOfCare.IOP not in offered
    assert set(offered) == set(LevelOfCare.values) - {LevelOfCare.IOP}
    assert response.context["form"]["effective_date"].value() == TODAY
    assert AuditEvent.objects.filter(action="record.read", object_id=str(episode.pk)).exists()


def test_a_step_down_from_the_page_lands_on_the_chart_with_the_history(
    client: Client, bob: User, episode: Episode
) -> None:
    client = signed_in(client, bob)
    response = client.post(
        level_url(episode),
        {"to_level": "1", "effective_date": TODAY.isoformat(), "reason": "Eight weeks abstinent.", "version": 1},
    )

    assert response.status_code == 302
    assert response["Location"] == chart_episodes(episode)
    change = LevelOfCareChange.objects.get()
    assert (change.from_level, change.to_level, change.decided_by) == ("2.1", "1", bob)
    chart = client.get(response["Location"]).content.decode()
    assert "Step-down" in chart
    assert "Eight weeks abstinent." in chart
    assert "Admitted at <strong>2.1 Intensive outpatient</strong>" in chart
    assert "Step-down to 1 Outpatient from 2026-03-05 recorded." in chart


def test_a_refused_change_shows_the_reason_beside_the_field_and_keeps_the_input(
    client: Client, bob: User, episode: Episode
) -> None:
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = signed_in(client, bob).post(
        level_url(episode), {"to_level": "2.5", "effective_date": tomorrow, "reason": "Relapse", "version": 1}
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["effective_date"] == [
        "The change cannot take effect in the future (today is 2026-03-05); record it on the day."
    ]
    html = response.content.decode()
    assert 'id="id_effective_date_error"' in html
    assert f'value="{tomorrow}"' in html
    assert not LevelOfCareChange.objects.exists()


def test_a_change_without_a_reason_is_refused_beside_the_reason(client: Client, bob: User, episode: Episode) -> None:
    response = signed_in(client, bob).post(
        level_url(episode), {"to_level": "2.5", "effective_date": TODAY.isoformat(), "reason": "", "version": 1}
    )
    assert list(response.context["form"].errors) == ["reason"]
    assert not LevelOfCareChange.objects.exists()


def test_a_change_from_a_stale_page_is_refused_and_the_input_kept(client: Client, bob: User, episode: Episode) -> None:
    services.episode_change_level(
        actor=bob, episode=episode, to_level="2.5", effective_date=TODAY, reason="Someone else"
    )
    response = signed_in(client, bob).post(
        level_url(episode), {"to_level": "1", "effective_date": TODAY.isoformat(), "reason": "Mine", "version": 1}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else changed this episode" in html
    assert "Mine</textarea>" in html
    episode.refresh_from_db()
    assert episode.level_of_care == "2.5"


# --- Discharge ---------------------------------------------------------------------------------------------------


def test_discharge_from_the_page_records_the_plan_and_the_chart_shows_it(
    client: Client, bob: User, episode: Episode
) -> None:
    client = signed_in(client, bob)
    response = client.post(discharge_url(episode), discharge_data())

    assert response.status_code == 302
    episode.refresh_from_db()
    assert (episode.status, episode.discharge_reason, episode.discharge_date) == ("discharged", "1", TODAY)
    plan = ContinuingCarePlan.objects.get(episode=episode)
    assert plan.supports == ["mutual_help", "sponsor"]
    assert plan.first_appointment_time == dt.time(17, 15)
    chart = client.get(response["Location"]).content.decode()
    for text in [
        "Continuing-care plan",
        "1 Treatment completed",
        "Harbor Family Medicine",
        "2026-03-12 17:15",
        "Mutual-help groups (AA, NA, SMART Recovery), Sponsor",
        "Home group on Thursdays.",
        "Discharged episodes are read-only.",
    ]:
        assert text in chart, text
    assert level_url(episode) not in chart
    assert discharge_url(episode) not in chart


def test_a_discharge_without_a_next_level_is_refused_beside_it_and_nothing_is_saved(
    client: Client, bob: User, episode: Episode
) -> None:
    response = signed_in(client, bob).post(discharge_url(episode), discharge_data(next_level_of_care=""))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["next_level_of_care"]
    assert 'id="id_next_level_of_care_error"' in response.content.decode()
    episode.refresh_from_db()
    assert episode.status == "active"
    assert not ContinuingCarePlan.objects.exists()


def test_a_transfer_without_a_destination_is_refused(client: Client, bob: User, episode: Episode) -> None:
    response = signed_in(client, bob).post(
        discharge_url(episode),
        discharge_data(reason="4", next_level_of_care="3.5", referral_to="", first_appointment_date="",
                       first_appointment_time=""),
    )  # fmt: skip
    assert response.context["form"].errors["referral_to"] == [
        "Say which program or organization the person is transferred to."
    ]


def test_a_discharged_episode_is_read_only_on_both_pages(client: Client, bob: User, episode: Episode) -> None:
    services.episode_discharge(actor=bob, episode=episode, discharge_date=TODAY, reason="2", next_level_of_care="2.1")
    client = signed_in(client, bob)

    for url in (level_url(episode), discharge_url(episode)):
        page = client.get(url)
        assert page.status_code == 200
        assert page.context["form"] is None
        assert "discharged on 2026-03-05 and is read-only" in page.content.decode()

    refused = client.post(
        level_url(episode), {"to_level": "1", "effective_date": TODAY.isoformat(), "reason": "Late", "version": 2}
    )
    assert refused.status_code == 409
    assert "read-only" in refused.content.decode()
    again = client.post(discharge_url(episode), discharge_data(version=2))
    assert again.status_code == 409
    episode.refresh_from_db()
    assert (episode.level_of_care, episode.discharge_reason) == ("2.1", "2")
    assert not LevelOfCareChange.objects.exists()


# --- Access ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["patients:episode_level", "patients:episode_discharge"])
def test_another_sites_episode_is_not_found(
    client: Client, persona: Callable[..., User], south: Site, episode: Episode, name: str
) -> None:
    clinician_south = persona(RoleCode.CLINICIAN, site=south)
    client = signed_in(client, clinician_south)
    url = reverse(name, args=[episode.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, discharge_data()).status_code == 404
    episode.refresh_from_db()
    assert (episode.status, episode.version) == ("active", 1)


@pytest.mark.parametrize("role", [RoleCode.NURSE, RoleCode.ADMISSIONS_NAVIGATOR, RoleCode.FRONT_DESK])
def test_roles_without_episode_management_are_refused_and_see_no_links(
    client: Client, persona: Callable[..., User], episode: Episode, role: str
) -> None:
    client = signed_in(client, persona(role))
    assert client.post(discharge_url(episode), discharge_data()).status_code == 403
    chart = client.get(chart_episodes(episode))
    assert chart.status_code == 200
    assert discharge_url(episode) not in chart.content.decode()
    episode.refresh_from_db()
    assert episode.status == "active"


def test_the_chart_links_to_the_pages_for_an_active_episode(client: Client, bob: User, episode: Episode) -> None:
    html = signed_in(client, bob).get(chart_episodes(episode)).content.decode()
    assert level_url(episode) in html
    assert discharge_url(episode) in html


def test_the_episodes_tab_makes_the_same_number_of_queries_for_one_episode_or_many(
    client: Client, bob: User, north: Site
) -> None:
    def queries_for_chart(patient_pk: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("patients:chart", args=[patient_pk]), {"tab": "episodes"}).status_code == 200
        return len(captured)

    signed_in(client, bob)
    one = register(north, legal_first_name="One")
    first = services.episode_admit(actor=bob, patient=one, site=north, admission_date=ADMITTED)
    services.episode_discharge(
        actor=bob, episode=first, discharge_date=TODAY, reason="1", next_level_of_care="1", supports=["family"]
    )
    many = register(north, legal_first_name="Many")
    for start in (100, 60, 20):
        stay = services.episode_admit(
            actor=bob, patient=many, site=north, admission_date=TODAY - dt.timedelta(days=start)
        )
        for days, level in ((start - 2, "2.5"), (start - 5, "1")):
            services.episode_change_level(
                actor=bob, episode=stay, to_level=level, effective_date=TODAY - dt.timedelta(days=days), reason="r"
            )
        services.episode_discharge(
            actor=bob, episode=stay, discharge_date=TODAY - dt.timedelta(days=start - 10), reason="1",
            next_level_of_care="1",
        )  # fmt: skip
    queries_for_chart(one.pk)  # warm the per-user caches
    assert queries_for_chart(many.pk) == queries_for_chart(one.pk)
