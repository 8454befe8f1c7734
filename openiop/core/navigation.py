# SPDX-License-Identifier: AGPL-3.0-or-later
"""Navigation and dashboard panels, filtered by the permission matrix.

Apps add entries here as they arrive; an entry shows only when the user's
roles grant its action, so the menu is never a list of doors that say 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from openiop.accounts.access import allowed_actions
from openiop.accounts.roles import RoleCode


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    action: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Dashboard"), "core:dashboard", "dashboard.view"),
    NavItem(_("Patients"), "patients:list", "patients.view"),
    NavItem(_("Admissions"), "admissions:board", "admissions.view"),
    NavItem(_("Sites"), "sites:list", "sites.view"),
    NavItem(_("Staff"), "sites:staff", "staff.view"),
    NavItem(_("Permissions"), "accounts:permission_matrix", "permissions.view"),
    NavItem(_("Audit log"), "audit:events", "audit.view"),
]

# What each role's dashboard is for, in the words of the people in that role.
ROLE_FOCUS: dict[str, Any] = {
    RoleCode.ADMINISTRATOR: _("Staff accounts, sites, the permission matrix and the audit log."),
    RoleCode.CLINICAL_DIRECTOR: _("Caseloads, safety alerts, supervision and co-signatures across the program."),
    RoleCode.CLINICIAN: _("Your caseload, today's groups and sessions, notes to write and plans due for review."),
    RoleCode.NURSE: _("Withdrawal monitoring, vital signs, drug tests and medication follow-up."),
    RoleCode.PRESCRIBER: _("Medication management, MOUD/MAUD and patients flagged for withdrawal risk."),
    RoleCode.ADMISSIONS_NAVIGATOR: _("New inquiries, screenings, benefits checks and assessments to schedule."),
    RoleCode.BILLING_SPECIALIST: _("Authorizations, per-diem charges from attendance, claims and payment plans."),
    RoleCode.FRONT_DESK: _("Today's arrivals, check-in and the day's schedule."),
}


def nav_items(user: Any) -> list[NavItem]:
    actions = allowed_actions(user)
    return [item for item in NAV_ITEMS if item.action in actions]


@dataclass(frozen=True)
class Panel:
    role_code: str
    role_name: str
    focus: Any
    links: list[NavItem]


def dashboard_panels(user: Any) -> list[Panel]:
    links = [item for item in nav_items(user) if item.url_name != "core:dashboard"]
    return [
        Panel(role_code=role.code, role_name=role.name, focus=ROLE_FOCUS.get(role.code, ""), links=links)
        for role in user.roles.all()
    ]
