# SPDX-License-Identifier: AGPL-3.0-or-later
"""The week proposal's headline counts every active patient at the site in
plain words, links to recording the missing availability, and keeps the
solver's figures in a details box."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.scheduling import services
from openiop.scheduling.models import WeekProposal
from openiop.scheduling.tests.pages import admitted, group, open_all_week
from openiop.sites.models import Site

NOW = dt.datetime(2026, 3, 5, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_headline_counts_every_active_patient_and_links_to_missing_availability(
    client: Client, persona: Callable[..., User], north: Site
) -> None:
    director = persona(RoleCode.CLINICAL_DIRECTOR)
    open_all_week(north)
    session = group(north, dt.date(2026, 3, 10))
    ann, ben, cal = (admitted(north, first, "Test") for first in ("Ann", "Ben", "Cal"))
    for episode in (ann, ben):
        services.patient_availability_add(
            actor=director, patient=episode.patient, kind="free", weekday=1, start_time=dt.time(8), end_time=dt.time(13)
        )
    proposal = WeekProposal.objects.create(
        site=north,
        week_start=dt.date(2026, 3, 9),
        created_by=director,
        episode_ids=[ann.pk, ben.pk],
        plan={"groups": {str(ann.pk): [session.pk]}, "appointments": []},
        solver_status="OPTIMAL",
        objective=1200,
        bound=1250,
        meeting=1,
        solve_seconds=2.5,
    )
    client.force_login(director)

    page = client.get(reverse("scheduling:proposal", args=[proposal.pk])).content.decode()

    headline = page[page.index('id="week-headline"') :].split("</p>")[0]
    assert "1 of 3 active patients booked; 1 has no availability recorded:" in headline
    assert '<a href="#no-availability">record availability</a>' in headline
    assert "solver" not in headline.lower() and "gap" not in headline.lower()
    assert reverse("scheduling:availability", args=[cal.patient_id]) in page
    assert reverse("scheduling:availability", args=[ann.patient_id]) not in page
    figures = page[page.index('<details class="solver-figures">') :].split("</details>")[0]
    assert "OPTIMAL" in figures and "1200" in figures and "1250" in figures and "0.040" in figures
