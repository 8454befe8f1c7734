# SPDX-License-Identifier: AGPL-3.0-or-later
"""Scope rules for records that belong to a patient, for ``register_scope``."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet


def patient_at_users_sites(prefix: str) -> Any:
    """Rows whose patient has a home site, or an episode at a site, among the
    user's sites (a patient seen at two sites is visible at both). PREFIX is
    the path from the model to the patient: "" for Patient, "patient__" for
    a record with a ``patient`` foreign key."""

    def rule(queryset: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
        sites = user.site_ids()
        return queryset.filter(
            Q(**{f"{prefix}site__in": sites}) | Q(**{f"{prefix}episodes__site__in": sites})
        ).distinct()

    rule.__name__ = f"patient_at_users_sites({prefix or 'self'})"
    return rule
