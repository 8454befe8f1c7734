# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models import Q, QuerySet


def _at_users_sites(prefix: str) -> Any:
    """Patients whose home site, or the site of any of their episodes, is one
    of the user's sites (a patient seen at two sites is visible at both)."""

    def rule(queryset: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
        sites = user.site_ids()
        return queryset.filter(
            Q(**{f"{prefix}site__in": sites}) | Q(**{f"{prefix}episodes__site__in": sites})
        ).distinct()

    rule.__name__ = f"patient_at_users_sites({prefix or 'self'})"
    return rule


class PatientsConfig(AppConfig):
    name = "openiop.patients"
    label = "patients"
    verbose_name = "Patients and episodes of care"

    def ready(self) -> None:
        from openiop.accounts.access import by_site, register_scope
        from openiop.patients import models

        register_scope(models.Patient, _at_users_sites(""))
        register_scope(models.EmergencyContact, _at_users_sites("patient__"))
        register_scope(models.SupportPerson, _at_users_sites("patient__"))
        register_scope(models.Episode, by_site("site"))
        register_scope(models.CareTeamMember, by_site("episode__site"))
