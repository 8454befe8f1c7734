# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class EstimatesConfig(AppConfig):
    name = "openiop.estimates"
    label = "estimates"
    verbose_name = "Good Faith Estimates (No Surprises Act)"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from openiop.billing.views import register_workspace_section
        from openiop.core.access import register_scope
        from openiop.core.navigation import DashboardSection, NavItem, register_dashboard_section, register_nav
        from openiop.estimates import models, panels, selectors
        from openiop.estimates.permissions import ESTIMATES_ISSUE, ESTIMATES_VIEW
        from openiop.patients.chart import ChartTab, register_tab
        from openiop.patients.scopes import patient_at_users_sites

        register_scope(models.GoodFaithEstimate, patient_at_users_sites("patient__"))
        register_scope(models.EstimateLine, patient_at_users_sites("estimate__patient__"))
        register_scope(models.EstimateDelivery, patient_at_users_sites("estimate__patient__"))
        register_tab(
            ChartTab(
                "estimates", _("Estimates"), ESTIMATES_VIEW, "estimates/tab_estimates.html", panels.estimates_tab, 88
            )
        )
        register_nav(NavItem(_("Estimates"), "estimates:due", ESTIMATES_VIEW), before="sites:list")
        # Past-deadline estimates on the board of whoever issues them.
        register_dashboard_section(
            DashboardSection(
                "estimates-overdue", ESTIMATES_ISSUE, "estimates/dash_overdue.html", selectors.overdue_section, 26
            )
        )
        register_workspace_section(
            DashboardSection(
                "estimates-dispute", ESTIMATES_VIEW, "estimates/workspace_dispute.html", selectors.workspace_section, 10
            )
        )
