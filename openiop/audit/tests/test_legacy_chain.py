# SPDX-License-Identifier: AGPL-3.0-or-later
"""Upgrading from the unkeyed chain (0001): the old chain is checked one last
time and what was found is written as an event the new chain seals."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
from typing import Any

import pytest

keyed_seals = importlib.import_module("openiop.audit.migrations.0002_keyed_seals")
NOON = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def old_chain(count: int) -> list[dict[str, Any]]:
    """Events as 0001's log_action wrote them (SHA-256 of the canonical list)."""
    events, previous = [], keyed_seals.GENESIS_HASH
    for seq in range(1, count + 1):
        event = {
            "seq": seq,
            "occurred_at": NOON + dt.timedelta(seconds=seq),
            "actor_id": 7,
            "actor_username": "bob",
            "action": "record.read",
            "object_type": "patients.patient",
            "object_id": "12",
            "object_repr": "A. Patient",
            "patient_id": "12",
            "site_id": 1,
            "ip": "10.0.0.7",
            "request_id": f"req-{seq}",
            "data": {"view": "chart", "n": seq},
            "prev_hash": previous,
        }
        fields = [event[name] for name in ("seq", "occurred_at")] + [
            event[name]
            for name in (
                "actor_id", "actor_username", "action", "object_type", "object_id", "object_repr",
                "patient_id", "site_id", "ip", "request_id", "data", "prev_hash",
            )
        ]  # fmt: skip
        fields[1] = event["occurred_at"].isoformat(timespec="microseconds")
        text = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
        event["hash"] = previous = hashlib.sha256(text.encode()).hexdigest()
        events.append(event)
    return events


def test_an_intact_old_chain_passes_and_hands_on_its_last_hash() -> None:
    events = old_chain(5)

    checked, problems, last_hash = keyed_seals.legacy_chain_problems(events, (5, events[-1]["hash"]))

    assert (checked, problems, last_hash) == (5, [], events[-1]["hash"])


@pytest.mark.parametrize(
    ("tampering", "named"),
    [
        ("alter", "event 3 altered"),
        ("delete middle", "events 3-3 missing"),
        ("cut tail", "the head records event 5 but the chain ends at 4"),
        ("remove head", "the chain head is missing"),
    ],
)
def test_a_broken_old_chain_is_named(tampering: str, named: str) -> None:
    events = old_chain(5)
    head: tuple[int, str] | None = (5, events[-1]["hash"])
    if tampering == "alter":
        events[2]["data"] = {"view": "forged"}
    elif tampering == "delete middle":
        del events[2]
    elif tampering == "cut tail":
        del events[-1]
    else:
        head = None

    _checked, problems, _last = keyed_seals.legacy_chain_problems(events, head)

    assert named in problems
