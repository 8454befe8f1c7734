# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff roles and the actions each app declares.

Roles and actions are rows in the database (the permission matrix is data an
administrator can change); this module holds the *defaults* that
``sync_permission_matrix`` writes when an action is first seen. Each app lists
its actions in its own ``permissions.py`` by calling ``declare``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleCode(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    CLINICAL_DIRECTOR = "clinical_director", _("Clinical director")
    CLINICIAN = "clinician", _("Clinician (counselor/therapist)")
    NURSE = "nurse", _("Nurse")
    PRESCRIBER = "prescriber", _("Prescriber")
    ADMISSIONS_NAVIGATOR = "admissions_navigator", _("Admissions navigator")
    BILLING_SPECIALIST = "billing_specialist", _("Billing specialist")
    FRONT_DESK = "front_desk", _("Front desk")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")


ALL_ROLES: frozenset[str] = frozenset(RoleCode.values)
CLINICAL_ROLES: frozenset[str] = frozenset(
    {RoleCode.CLINICAL_DIRECTOR, RoleCode.CLINICIAN, RoleCode.NURSE, RoleCode.PRESCRIBER}
)


@dataclass(frozen=True)
class ActionSpec:
    code: str
    label: str
    default_roles: frozenset[str]


_declared: dict[str, ActionSpec] = {}


def declare(code: str, label: str, default_roles: frozenset[str] | set[str]) -> str:
    """Declare an action an app checks, with the roles granted it by default."""
    unknown = set(default_roles) - ALL_ROLES
    if unknown:
        raise ValueError(f"action {code!r}: unknown roles {sorted(unknown)}")
    _declared[code] = ActionSpec(code=code, label=label, default_roles=frozenset(default_roles))
    return code


def declared_actions() -> list[ActionSpec]:
    return sorted(_declared.values(), key=lambda spec: spec.code)
