# SPDX-License-Identifier: AGPL-3.0-or-later
"""Scope rules for records that belong to a patient, for ``register_scope``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

# Further ways a user reaches a patient beyond their sites, e.g. emergency
# ("break the glass") access: each takes the user and returns a queryset of
# patient primary keys.
_extra_reach: list[Callable[[Any], QuerySet[Any]]] = []


def register_patient_reach(reach: Callable[[Any], QuerySet[Any]]) -> None:
    """Let REACH(user) (patient pks) widen every patient scope rule, with OR."""
    if reach not in _extra_reach:
        _extra_reach.append(reach)


def patient_at_users_sites(prefix: str) -> Any:
    """Rows whose patient has a home site, or an episode at a site, among the
    user's sites (a patient seen at two sites is visible at both), or whom a
    registered reach grants (``register_patient_reach``). PREFIX is the path
    from the model to the patient: "" for Patient, "patient__" for a record
    with a ``patient`` foreign key."""

    def rule(queryset: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
        sites = user.site_ids()
        reach = Q(**{f"{prefix}site__in": sites}) | Q(**{f"{prefix}episodes__site__in": sites})
        for extra in _extra_reach:
            reach |= Q(**{f"{prefix}pk__in": extra(user)})
        return queryset.filter(reach).distinct()

    rule.__name__ = f"patient_at_users_sites({prefix or 'self'})"
    return rule
