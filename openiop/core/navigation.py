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


def register_nav(item: NavItem, *, before: str | None = None) -> None:
    """Add an app's menu entry (from its AppConfig.ready), optionally before
    another entry's url_name; registering the same url_name twice is a no-op."""
    if any(existing.url_name == item.url_name for existing in NAV_ITEMS):
        return
    names = [existing.url_name for existing in NAV_ITEMS]
    NAV_ITEMS.insert(names.index(before) if before in names else len(NAV_ITEMS), item)


@dataclass(frozen=True)
class DashboardSection:
    """A block on top of the dashboard, e.g. unacknowledged safety alerts.

    ``context(request)`` returns the template context, or None when there is
    nothing to show; sections appear only to users whose roles grant ``action``.
    """

    key: str
    action: str
    template: str
    context: Any  # Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 100


DASHBOARD_SECTIONS: list[DashboardSection] = []


def register_dashboard_section(section: DashboardSection) -> None:
    if all(existing.key != section.key for existing in DASHBOARD_SECTIONS):
        DASHBOARD_SECTIONS.append(section)
        DASHBOARD_SECTIONS.sort(key=lambda entry: entry.order)


@dataclass(frozen=True)
class RenderedSection:
    key: str
    template: str
    context: dict[str, Any]


def dashboard_sections(request: Any) -> list[RenderedSection]:
    actions = allowed_actions(request.user)
    rendered = []
    for section in DASHBOARD_SECTIONS:
        if section.action not in actions:
            continue
        context = section.context(request)
        if context is not None:
            rendered.append(RenderedSection(key=section.key, template=section.template, context=context))
    return rendered


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
    RoleCode.PRIVACY_OFFICER: _("Consents, disclosures, restriction requests, emergency-access reviews, accountings."),
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
