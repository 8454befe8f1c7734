# SPDX-License-Identifier: AGPL-3.0-or-later
"""Changing the audit tables as an intruder with direct database access
would, around the application."""

from __future__ import annotations

from django.db import connection


def tamper(sql: str, params: list[object] | None = None) -> None:
    """Run SQL with the append-only triggers switched off on PostgreSQL (as a
    superuser or the tables' owner can); SQLite has no triggers to pass."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            cursor.execute(sql, params or [])
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
