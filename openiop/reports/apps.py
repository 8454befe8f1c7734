# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "openiop.reports"
    label = "reports"
    verbose_name = "Revenue reports (A/R aging, denials, days in A/R, payments)"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from openiop.core.navigation import NavItem, register_nav
        from openiop.reports.permissions import REPORTS_VIEW

        register_nav(NavItem(_("Revenue reports"), "reports:index", REPORTS_VIEW), before="sites:list")
