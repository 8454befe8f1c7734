# SPDX-License-Identifier: AGPL-3.0-or-later
"""Optimistic locking: one error and one check for every edited record.

A record someone edits carries a ``version`` counter, raised by one on every
save. The form holds the version it was opened at; the service locks the row
(``select_for_update``), and ``check_version`` refuses the save when the row
moved on meanwhile, so a second editor never silently overwrites the first.
``StaleEditError`` is a ValidationError: views show its message on the form
and keep what the user typed. Nothing is saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise  # the stubs' lazy string

STALE_MESSAGE = _("Someone else changed this record while you were editing it. Nothing was saved; reload to see it.")


class Versioned(Protocol):
    @property
    def version(self) -> int: ...  # read only: a model field or a frozen record both fit


class StaleEditError(ValidationError):
    """Someone else saved the record after this edit began; nothing was saved."""


def check_version(
    current: Versioned | int, expected_version: int | None, message: str | _StrPromise = STALE_MESSAGE
) -> None:
    """Refuse with StaleEditError(MESSAGE) when CURRENT (locked) is no longer at EXPECTED_VERSION.

    CURRENT is the locked record, or its counter itself for a record whose
    counter has another name (treatment's notes and plans: ``lock_version``).
    ``None`` means the caller did not open a form on the record (a job, a
    one-click action), so there is nothing to compare."""
    current_version = current if isinstance(current, int) else current.version
    if expected_version is not None and current_version != expected_version:
        raise StaleEditError(message, code="stale")
