# SPDX-License-Identifier: AGPL-3.0-or-later
"""Billing's scopes, navigation and dashboard sections (see ``register``)."""

from __future__ import annotations


def register() -> None:
    """Register billing's scopes, navigation entries and dashboard sections."""
