# SPDX-License-Identifier: AGPL-3.0-or-later
"""Signals from the apps below that billing follows (see ``connect``)."""

from __future__ import annotations


def connect() -> None:
    """Connect billing to the signals it follows."""
