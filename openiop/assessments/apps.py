# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.http import HttpRequest

    from openiop.patients.models import Patient


def _safety_plan_panel(request: HttpRequest, patient: Patient) -> dict[str, Any] | None:
    """On the chart's overview, only when the plan waits for a review after a step-down."""
    from openiop.assessments.permissions import SAFETY_PLAN_WRITE
    from openiop.assessments.selectors import patient_safety_plan
    from openiop.core.access import has_action

    status = patient_safety_plan(request.user, patient)  # type: ignore[arg-type]
    if status is None or status.review_due_since is None:
        return None
    return {"status": status, "patient": patient, "can_write": has_action(request.user, SAFETY_PLAN_WRITE)}


class AssessmentsConfig(AppConfig):
    name = "openiop.assessments"
    label = "assessments"
    verbose_name = "Assessments, safety alerts and level-of-care placement"

    def ready(self) -> None:
        from openiop.assessments import models, panels, selectors
        from openiop.assessments.permissions import ASSESSMENT_VIEW
        from openiop.core.access import everything, register_scope
        from openiop.core.navigation import DashboardSection, NavItem, register_dashboard_section, register_nav
        from openiop.patients.chart import ChartTab, OverviewPanel, register_overview_panel, register_tab
        from openiop.patients.scopes import need_to_know, patient_at_users_sites

        for model in (
            models.InstrumentResult,
            models.SafetyAlert,
            models.PlacementAssessment,
            models.WithdrawalCheck,
            models.SafetyPlan,
        ):
            register_scope(model, patient_at_users_sites("patient__"))
        register_scope(models.SafetyPlanVersion, patient_at_users_sites("plan__patient__"))
        register_scope(models.SafetyPlanReview, patient_at_users_sites("version__plan__patient__"))
        # Instruments and what follows from them are the care team's (need to
        # know). Safety alerts and safety plans stay with everyone clinical at
        # the site: a risk, and what to do about it, must reach whoever is on
        # duty; the scores behind it do not.
        register_scope(models.InstrumentResult, need_to_know("patient", own="administered_by"))
        register_scope(models.PlacementAssessment, need_to_know("patient", own="assessed_by"))
        register_scope(models.WithdrawalCheck, need_to_know("patient", own="assessed_by"))
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
        register_dashboard_section(
            DashboardSection(
                key="safety_plans_due",
                action=ASSESSMENT_VIEW,
                template="assessments/_dashboard_safety_plans.html",
                context=selectors.dashboard_safety_plans,
                order=5,
            )
        )
        register_overview_panel(
            OverviewPanel(
                key="safety_plan_review",
                action=ASSESSMENT_VIEW,
                template="assessments/_panel_safety_plan.html",
                context=_safety_plan_panel,
                order=20,
            )
        )
        register_tab(
            ChartTab(
                key="assessments",
                label=_("Assessments and safety"),
                action=ASSESSMENT_VIEW,
                template="assessments/_chart_tab.html",
                context=panels.chart_tab_context,
                order=10,
            )
        )
        from openiop.assessments import banner
        from openiop.patients.chart import BannerItem, register_banner_item

        register_banner_item(
            BannerItem(
                "safety_alerts", ASSESSMENT_VIEW, banner.safety_alerts_item, 10, "assessments/_banner_alerts.html"
            )
        )
