# SPDX-License-Identifier: AGPL-3.0-or-later
"""The staff pages issue 14 added that no other browser test puts through
axe-core (WCAG 2.1 A/AA), under the real Content-Security-Policy: a note's
sign page and the group note page asking for a late entry's reason, the plan
library and its editor (clinical director), enrolling several patients at
once and the attendance form (front desk)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.scheduling import services as scheduling
from openiop.scheduling.tests.pages import admitted, group, last_monday, open_all_week
from openiop.sites.models import Site
from openiop.treatment.models import LibraryEntry, Note
from openiop.treatment.services import groups, notes
from openiop.treatment.tests import factories
from tests.browser.test_public_a11y import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Any, base_url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Welcome, ", exact=False).wait_for()


def test_the_new_staff_pages_pass_axe(
    axe_page: Any, live_server: Any, persona: Callable[..., User], north: Site
) -> None:
    page, base = axe_page, live_server.url
    clinician = persona(RoleCode.CLINICIAN, username="carla")
    persona(RoleCode.CLINICAL_DIRECTOR, username="dora")
    persona(RoleCode.FRONT_DESK, username="dana")
    # Five days ago: past the late-entry window, so both sign pages ask why.
    long_ago = timezone.localdate() - dt.timedelta(days=5)
    episode = factories.episode(north, clinician, person=factories.patient(north, "Grace", "Okafor"))
    note = notes.note_create(
        actor=clinician, episode=episode, kind=Note.Kind.INDIVIDUAL, note_format="DAP", session_date=long_ago,
        start_time=dt.time(9), end_time=dt.time(9, 50), sections={"data": "d", "assessment": "a", "plan": "p"},
    )  # fmt: skip
    group_note = groups.group_create(
        actor=clinician, site=north, session_date=long_ago, start_time=dt.time(9), end_time=dt.time(12),
        topic="Relapse triggers", facilitator=clinician, patients=[episode.patient],
    )  # fmt: skip
    problem = LibraryEntry.objects.create(kind="problem", text="Alcohol use despite harm.", icd10_code="F10.20")
    open_all_week(north)
    session = group(north, last_monday(), (9, 0), (10, 30))
    scheduling.enrol(actor=None, session=session, episode=admitted(north, "Ben", "Baker"))
    admitted(north, "Cal", "Carter")

    sign_in(page, base, "carla")
    page.goto(base + reverse("treatment:note_sign", args=[note.pk]))
    page.get_by_role("button", name="Confirm: sign as a late entry").wait_for()
    assert_accessible(page)
    page.goto(base + reverse("treatment:group_edit", args=[group_note.pk]))
    page.get_by_role("button", name="Confirm: save and sign all sections as a late entry").wait_for()
    assert_accessible(page)

    sign_in(page, base, "dora")
    page.goto(base + reverse("treatment:library"))
    page.locator(f"#entry-{problem.pk}").wait_for()
    assert_accessible(page)
    page.goto(base + reverse("treatment:library") + f"?edit={problem.pk}")
    assert_accessible(page)

    sign_in(page, base, "dana")
    page.goto(base + reverse("scheduling:enrol", args=[session.pk]))
    page.get_by_role("heading", level=1).wait_for()
    assert_accessible(page)
    page.goto(base + reverse("scheduling:attendance", args=[session.pk]))
    page.get_by_role("group", name="Ben Baker").wait_for()
    assert_accessible(page)
