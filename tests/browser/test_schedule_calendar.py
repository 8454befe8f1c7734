# SPDX-License-Identifier: AGPL-3.0-or-later
"""The schedule's time grid in a real browser, under the real CSP and axe:
a session dragged onto a time its room is taken snaps back with the
reschedule service's reason read out; and on the attendance form, choosing
Late moves the cursor to the minutes and asks for them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from conftest import PASSWORD
from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.scheduling import services
from openiop.scheduling.models import Session, SessionStatus, Track
from openiop.scheduling.tests.pages import admitted, group, last_monday, open_all_week
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db(transaction=True)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def sign_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Welcome, ", exact=False).wait_for()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]
    ]


def test_a_drag_onto_a_taken_room_snaps_back_with_the_reason(
    axe_page: Any, live_server: Any, persona: Callable[..., User], north: Site
) -> None:
    page = axe_page
    page.set_default_timeout(30_000)
    persona(RoleCode.FRONT_DESK, username="dana")
    open_all_week(north)
    wednesday = last_monday() + dt.timedelta(days=16)  # next week: moves are in the future
    track = Track.objects.create(site=north, kind="evening", name="Evening track")
    evening = group(north, wednesday, (17, 0), (18, 30), track=track)
    group(north, wednesday, (19, 0), (20, 0), in_room=evening.room)
    services.enrol(actor=None, session=evening, episode=admitted(north, "Ann", "Able"))
    sign_in(page, live_server.url, "dana")

    page.goto(f"{live_server.url}/scheduling/?site={north.pk}&day={wednesday.isoformat()}")
    event = page.locator(".fc-event", has_text="Evening track")
    event.wait_for()
    assert page.locator("#schedule-table").is_hidden()  # the table is the no-script and print view
    assert axe_violations(page) == []

    # Drag the 17:00 session down to 19:00, where its room is taken: a real
    # pointer drag, so FullCalendar's own drop runs the move and its revert.
    event.evaluate("(el) => el.scrollIntoView({block: 'start'})")
    grab = event.bounding_box()
    five, seven = (
        page.locator(f'.fc-timegrid-slot-lane[data-time="{t}"]').bounding_box() for t in ("17:00:00", "19:00:00")
    )
    assert grab is not None and five is not None and seven is not None
    x, y = grab["x"] + grab["width"] / 2, grab["y"] + 8
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 10, steps=3)
    page.mouse.move(x, y + seven["y"] - five["y"], steps=12)
    page.mouse.up()

    message = page.locator("#timegrid-message.timegrid-refused")
    message.wait_for()
    assert evening.room.name in message.inner_text()
    assert page.locator("#timegrid-message").get_attribute("aria-live") == "assertive"
    assert "17:00" in page.locator(".fc-event", has_text="Evening track").inner_text()  # snapped back
    evening.refresh_from_db()
    assert evening.status == SessionStatus.SCHEDULED and Session.objects.count() == 2


def test_choosing_late_moves_the_cursor_to_the_minutes_and_asks_for_them(
    page: Any, live_server: Any, persona: Callable[..., User], north: Site
) -> None:
    persona(RoleCode.CLINICIAN, username="carla")
    open_all_week(north)
    session = group(north, last_monday(), (9, 0), (10, 30))
    services.enrol(actor=None, session=session, episode=admitted(north, "Ben", "Baker"))
    sign_in(page, live_server.url, "carla")

    page.goto(f"{live_server.url}/scheduling/sessions/{session.pk}/attendance/")
    page.wait_for_load_state("load")
    ben = page.get_by_role("group", name="Ben Baker")
    ben.get_by_label("Late").check()

    minutes = ben.get_by_label("Minutes attended")
    assert minutes.evaluate("el => el === document.activeElement")
    assert minutes.input_value() == "" and minutes.evaluate("el => el.required")
    assert ben.get_by_text("how many of the 90 minutes did Ben Baker attend?").is_visible()
    ben.get_by_label("Present").check()
    assert minutes.input_value() == "90"
    assert ben.get_by_text("how many of the 90 minutes did Ben Baker attend?").is_hidden()
