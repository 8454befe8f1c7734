# SPDX-License-Identifier: AGPL-3.0-or-later
"""The hours dashboard's filters say which site and week are shown, its
table pages, its times name the site's zone, and thirty patients cost no
more queries than three."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.scheduling import services
from openiop.scheduling.tests.pages import admitted
from openiop.scheduling.tests.test_hours_queries import MON, Clinic, _frozen, clinic, dashboard
from openiop.scheduling.views import weeks

__all__ = ["_frozen", "clinic"]  # the shared clinic and frozen clock


def test_the_filters_show_the_site_and_week_shown_when_none_was_chosen(client: Client, clinic: Clinic) -> None:
    clinic.admit(1)
    client.force_login(clinic.director)

    response = client.get(reverse("scheduling:hours"))

    body = response.content.decode()
    assert response.context["site"] == clinic.site
    assert f'<option value="{clinic.site.pk}" selected>' in body
    assert 'value="2026-03-02"' in body  # this week's Monday (the clock says Thursday 5 March)
    assert "Hours per patient · North Site · 2026-W10" in body
    assert "(EST)" in body


def test_the_filters_echo_the_chosen_week_as_its_monday(client: Client, clinic: Clinic) -> None:
    client.force_login(clinic.director)

    response = client.get(reverse("scheduling:hours"), {"site": clinic.site.pk, "day": "2026-03-12"})

    assert 'value="2026-03-09"' in response.content.decode()
    assert str(response.context["week"]) == "2026-W11"


def test_a_bad_week_is_refused_with_the_form_as_typed(client: Client, clinic: Clinic) -> None:
    client.force_login(clinic.director)

    response = client.get(reverse("scheduling:hours"), {"site": clinic.site.pk, "day": "not-a-day"})

    assert response.status_code == 200
    assert response.context["form"].errors["day"]
    assert 'value="not-a-day"' in response.content.decode()


def test_the_table_pages_and_the_counts_cover_every_patient(
    client: Client, clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(weeks, "HOURS_ROWS_PER_PAGE", 2)
    clinic.admit(3)
    client.force_login(clinic.director)

    first = dashboard(client, clinic)
    second = client.get(reverse("scheduling:hours"), {"site": clinic.site.pk, "day": MON.isoformat(), "page": "2"})

    assert len(first.context["rows"]) == 2 and len(second.context["rows"]) == 1
    assert "Patients 1–2 of 3." in first.content.decode()
    assert f"?site={clinic.site.pk}&amp;day=2026-03-02&amp;page=2" in first.content.decode()
    # Plans are read for the rows shown only, and every row shown has its planned hours' source.
    assert all(row.planned_source in ("plan", "band") for row in [*first.context["rows"], *second.context["rows"]])
    counted = first.context["counts"]
    assert counted == second.context["counts"] and sum(counted.values()) >= 1


def test_thirty_patients_cost_no_more_queries_than_three(
    client: Client, clinic: Clinic, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    client.force_login(clinic.director)
    clinic.admit(3)
    dashboard(client, clinic)  # warm caches (session, permissions) the way a second visit would
    with CaptureQueriesContext(connection) as three:
        dashboard(client, clinic)

    # The clinic's own admit books an appointment an hour (a day holds 13); the three above have plans.
    for number in range(3, 30):
        episode = admitted(clinic.site, f"P{number}", f"Hours{number}")
        for session in clinic.groups[: 1 + number % 3]:
            services.enrol(actor=None, session=session, episode=episode)
    with django_assert_max_num_queries(len(three)):
        large = dashboard(client, clinic)

    assert large.context["page"].paginator.count == 30
