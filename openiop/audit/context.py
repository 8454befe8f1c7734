# SPDX-License-Identifier: AGPL-3.0-or-later
"""Who is acting right now, for audit events written deep inside services.

The request middleware fills this in; background jobs and management commands
use ``acting_as`` so their events are attributed too.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class AuditContext:
    actor_id: int | None = None
    actor_username: str = ""
    ip: str | None = None
    request_id: str = ""


# AuditContext is a frozen dataclass, so one shared default is safe.
_current: ContextVar[AuditContext] = ContextVar("openiop_audit_context", default=AuditContext())  # noqa: B039


def current() -> AuditContext:
    return _current.get()


@contextlib.contextmanager
def acting_as(
    *, actor_id: int | None = None, actor_username: str = "", ip: str | None = None, request_id: str | None = None
) -> Iterator[AuditContext]:
    context = AuditContext(
        actor_id=actor_id, actor_username=actor_username, ip=ip, request_id=request_id or uuid.uuid4().hex
    )
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def set_actor(*, actor_id: int | None, actor_username: str) -> None:
    """Change the actor mid-request (after login, before logout)."""
    _current.set(replace(_current.get(), actor_id=actor_id, actor_username=actor_username))
