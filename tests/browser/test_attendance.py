# SPDX-License-Identifier: AGPL-3.0-or-later
"""A clinician takes attendance for a group in a real browser, mostly with
the keyboard: everyone present in one click, then one late and one no-show
by their letters; the minutes follow. Then the attendance feeds the group
note: one click opens it with those who came and their minutes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import PASSWORD
from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.scheduling import services
from openiop.scheduling.models import Attendance
from openiop.scheduling.tests.pages import admitted, group, last_monday, open_all_week
from openiop.sites.models import Site
from openiop.treatment.models import GroupSession

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_clinician_marks_attendance_for_a_session(
    page: Any, live_server: Any, persona: Callable[..., User], north: Site
) -> None:
    persona(RoleCode.CLINICIAN, username="carla")
    open_all_week(north)
    session = group(north, last_monday(), (9, 0), (10, 30))
    for first, last in (("Ann", "Able"), ("Ben", "Baker"), ("Cal", "Cole")):
        services.enrol(actor=None, session=session, episode=admitted(north, first, last))
    sign_in(page, live_server.url, "carla")
    page.get_by_role("heading", name="Welcome, ", exact=False).wait_for()

    page.goto(f"{live_server.url}/scheduling/sessions/{session.pk}/")
    page.get_by_role("button", name="Take attendance").click()
    page.get_by_role("heading", name="Attendance: Relapse prevention group").wait_for()
    # The heading can be on screen before the deferred script has bound its
    # keys; without it "Mark all present" saves at once (the no-script path).
    page.wait_for_load_state("load")

    page.get_by_role("button", name="Mark all present").click()
    assert page.get_by_role("group", name="Ann Able").get_by_label("Present").is_checked()
    # Ben came late: L in his row picks "Late" and moves to his minutes.
    ben = page.get_by_role("group", name="Ben Baker")
    ben.get_by_label("Present").focus()
    page.keyboard.press("l")
    assert ben.get_by_label("Late").is_checked()
    ben.get_by_label("Minutes attended").fill("65")
    # Cal never came: N in his row, and his minutes drop to 0.
    cal = page.get_by_role("group", name="Cal Cole")
    cal.get_by_label("Present").focus()
    page.keyboard.press("n")
    assert cal.get_by_label("No-show").is_checked()
    assert cal.get_by_label("Minutes attended").input_value() == "0"
    page.get_by_role("button", name="Save attendance").click()

    page.get_by_text("Attendance saved for 3 participants.").wait_for()
    recorded = {
        a.enrolment.patient.legal_first_name: (a.status, a.minutes_attended)
        for a in Attendance.objects.select_related("enrolment__patient")
    }
    assert recorded == {"Ann": ("present", 90), "Ben": ("late", 65), "Cal": ("no_show", 0)}

    # Attendance feeds the group note: those who came, with their minutes.
    page.get_by_role("button", name="Write the group note").click()
    page.get_by_role("heading", name="Group note: Relapse prevention group", exact=False).wait_for()
    page.wait_for_load_state("load")
    assert page.get_by_label("Minutes attended, Ann Able").input_value() == "90"
    assert page.get_by_label("Minutes attended, Ben Baker").input_value() == "65"
    assert page.get_by_label("Minutes attended, Cal Cole").count() == 0
    assert "Cal Cole" not in page.content()
    note = GroupSession.objects.get(scheduled_session_id=session.pk)
    assert sorted(note.sections.values_list("patient__legal_first_name", flat=True)) == ["Ann", "Ben"]
