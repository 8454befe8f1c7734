# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.http import HttpRequest

    from openiop.patients.models import Patient


def _chart_tab_context(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    from openiop.assessments.views import chart_tab_context

    return chart_tab_context(request, patient)


class AssessmentsConfig(AppConfig):
    name = "openiop.assessments"
    label = "assessments"
    verbose_name = "Assessments, safety alerts and level-of-care placement"

    def ready(self) -> None:
        from openiop.accounts.access import everything, register_scope
        from openiop.assessments import models, selectors
        from openiop.assessments.permissions import ASSESSMENT_VIEW
        from openiop.core.navigation import DashboardSection, NavItem, register_dashboard_section, register_nav
        from openiop.patients.chart import ChartTab, register_tab
        from openiop.patients.scopes import patient_at_users_sites

        for model in (models.InstrumentResult, models.SafetyAlert, models.PlacementAssessment, models.WithdrawalCheck):
            register_scope(model, patient_at_users_sites("patient__"))
        # Thresholds and band rules are program-wide configuration, not patient data.
        register_scope(models.MonitoringThreshold, everything)
        register_scope(models.BandOverride, everything)

        register_nav(NavItem(_("Safety alerts"), "assessments:alerts", ASSESSMENT_VIEW), before="sites:list")
        register_dashboard_section(
            DashboardSection(
                key="safety_alerts",
                action=ASSESSMENT_VIEW,
                template="assessments/_dashboard_alerts.html",
                context=selectors.dashboard_alerts,
                order=0,
            )
        )
        register_tab(
            ChartTab(
                key="assessments",
                label=_("Assessments and safety"),
                action=ASSESSMENT_VIEW,
                template="assessments/_chart_tab.html",
                context=_chart_tab_context,
                order=10,
            )
        )
