# SPDX-License-Identifier: AGPL-3.0-or-later
"""The idle-logoff stamp is written at most once a minute: a page view within
the minute leaves the session (a database row) untouched, and the limit is
still kept."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from openiop.accounts.middleware import LAST_SEEN_KEY
from openiop.accounts.models import User

START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def session_writes(client: Client, path: str = "/") -> tuple[bool, list[str]]:
    """(whether the request marked its session modified, the session-table writes it made)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    writes = [
        query["sql"]
        for query in captured.captured_queries
        if "django_session" in query["sql"] and not query["sql"].lstrip().upper().startswith("SELECT")
    ]
    return response.wsgi_request.session.modified, writes


def test_a_second_request_within_a_minute_does_not_write_the_session(client: Client, bob: User) -> None:
    client.force_login(bob)
    with time_machine.travel(START, tick=False) as traveller:
        modified, writes = session_writes(client)
        assert modified and writes  # the first page starts the idle clock
        stamped = client.session[LAST_SEEN_KEY]

        traveller.shift(dt.timedelta(seconds=59))
        assert session_writes(client) == (False, [])
        assert client.session[LAST_SEEN_KEY] == stamped

        traveller.shift(dt.timedelta(seconds=2))
        modified, writes = session_writes(client)
        assert modified and writes
        assert client.session[LAST_SEEN_KEY] == stamped + 61


def test_the_idle_limit_still_holds_counted_from_the_last_stamp(client: Client, bob: User) -> None:
    client.force_login(bob)
    with time_machine.travel(START, tick=False) as traveller:
        session_writes(client)
        traveller.shift(dt.timedelta(seconds=30))
        session_writes(client)  # not stamped: within the minute
        # 15 minutes after the stamp (14.5 after the last page): signed out,
        # a little early rather than ever late.
        traveller.shift(dt.timedelta(minutes=14, seconds=31))

        response = client.get("/")

    assert response.status_code == 302
    assert "idle=1" in response["Location"]
