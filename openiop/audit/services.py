# SPDX-License-Identifier: AGPL-3.0-or-later
"""The one audit call: ``log_action``."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from openiop.audit import context
from openiop.audit.actions import check_action
from openiop.audit.models import AuditEvent

_SECRET_WORDS = ("password", "secret", "token", "otp", "key")
MASK = "***"


def mask_secrets(data: Any) -> Any:
    if isinstance(data, dict):
        return {
            key: MASK if any(word in str(key).lower() for word in _SECRET_WORDS) else mask_secrets(value)
            for key, value in data.items()
        }
    if isinstance(data, list | tuple):
        return [mask_secrets(item) for item in data]
    return data


def _patient_of(obj: models.Model | None) -> str:
    if obj is None:
        return ""
    value = getattr(obj, "audit_patient_id", None)
    if value is None:
        value = getattr(obj, "patient_id", None)
    return "" if value is None else str(value)


def _site_of(obj: models.Model | None) -> int | None:
    if obj is None:
        return None
    value = getattr(obj, "audit_site_id", None)
    if value is None:
        value = getattr(obj, "site_id", None)
    return int(value) if value is not None else None


def _stored_ip(value: str | None) -> str | None:
    """The address exactly as the database hands it back (IPv6 compressed and
    lower-cased, as GenericIPAddressField stores it), so the hash survives the
    round trip. Something that is not an address (a proxy passing on a bad
    header) is dropped rather than failing the write on PostgreSQL's inet."""
    if not value:
        return None
    try:
        if ":" in value:
            return clean_ipv6_address(value)
        return str(ipaddress.IPv4Address(value))
    except (ValueError, ValidationError):
        return None


def log_action(
    action: str,
    *,
    obj: models.Model | None = None,
    actor: Any = None,
    patient_id: str | int | None = None,
    site_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit log.

    ``action`` is dotted ("record.read", "permissions.grant", "patient.admit").
    The actor, IP address and request id come from the current request (or
    ``acting_as`` in jobs) unless ``actor`` is given. The patient and site are
    taken from ``obj`` (``audit_patient_id``/``patient_id``,
    ``audit_site_id``/``site_id``) unless given. Keys that look like secrets are
    masked in ``data``.

    Appending is one INSERT and waits for no other request: the event's id
    orders it, and the sealer chains it under the audit key shortly after it
    commits. If the surrounding transaction rolls back, the event goes with
    it, which is right: it describes something that did not happen.
    """
    check_action(action)  # an unknown name fails in tests and DEBUG (openiop.audit.actions)
    ctx = context.current()
    actor_id = ctx.actor_id
    actor_username = ctx.actor_username
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id = actor.pk
        actor_username = actor.get_username()
    event = AuditEvent(
        # Truncate to whole microseconds in UTC so the sealed content survives
        # the database round trip on SQLite and PostgreSQL alike.
        occurred_at=timezone.now().astimezone(dt.UTC),
        actor_id=actor_id,
        actor_username=actor_username[:150],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        patient_id=str(patient_id) if patient_id is not None else _patient_of(obj),
        site_id=site_id if site_id is not None else _site_of(obj),
        ip=_stored_ip(ctx.ip),
        request_id=ctx.request_id,
        # Round-trip through JSON now so the stored value is exactly what the
        # database will hand back (dates become ISO strings, etc.).
        data=json.loads(json.dumps(mask_secrets(data or {}), cls=DjangoJSONEncoder)),
    )
    event.save(using=router.db_for_write(AuditEvent))
    return event


def log_read(obj: models.Model, *, actor: Any = None, data: dict[str, Any] | None = None) -> AuditEvent:
    """Record that a record (usually one linked to a patient) was shown."""
    return log_action("record.read", obj=obj, actor=actor, data=data)
