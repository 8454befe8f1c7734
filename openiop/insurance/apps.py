# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class InsuranceConfig(AppConfig):
    name = "openiop.insurance"
    label = "insurance"
    verbose_name = "Insurance (payers, coverage, eligibility, authorizations)"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from openiop.admissions.signals import inquiry_admitted
        from openiop.audit.actions import register_actions
        from openiop.core.access import everything, register_scope
        from openiop.core.navigation import DashboardSection, register_dashboard_section
        from openiop.insurance import models, panels, receivers, selectors
        from openiop.insurance.permissions import AUTHORIZATIONS_ALERTS, COVERAGE_VIEW, ELIGIBILITY_CHECK
        from openiop.patients.chart import ChartTab, OverviewPanel, register_overview_panel, register_tab
        from openiop.patients.scopes import patient_at_users_sites

        register_actions("insurance.self_pay_elect")
        for model in (
            models.Coverage,
            models.EligibilityCheck,
            models.Authorization,
            models.CoverageToEnter,
            models.SelfPayElection,
        ):
            register_scope(model, patient_at_users_sites("patient__"))
        # Payers and their billing set-up are the organization's reference data.
        register_scope(models.Payer, everything)
        register_scope(models.PayerService, everything)

        inquiry_admitted.connect(receivers.carry_over_insurance, dispatch_uid="insurance.carry_over")

        from openiop.core.jobs import PeriodicJob, register_periodic
        from openiop.insurance.services_eligibility import eligibility_inbox_import

        # Every five minutes the worker reads what the clearinghouse left in
        # the inbox (271s, and the 999/277CA/835 kinds other apps register),
        # besides the quicker poll a sent 270 queues (openiop.insurance.jobs).
        register_periodic(PeriodicJob("clearinghouse-inbox", 300, eligibility_inbox_import))
        register_tab(
            ChartTab(
                "insurance", _("Insurance"), COVERAGE_VIEW, "insurance/tab_insurance.html", panels.insurance_tab, 85
            )
        )
        register_overview_panel(
            OverviewPanel(
                key="insurance_coverage",
                action=COVERAGE_VIEW,
                template="insurance/_panel_coverage.html",
                context=selectors.coverage_panel,
                order=40,
            )
        )
        register_dashboard_section(
            DashboardSection(
                "insurance-authorizations",
                AUTHORIZATIONS_ALERTS,
                "insurance/dashboard_authorizations.html",
                selectors.authorizations_section,
                30,
            )
        )
        register_dashboard_section(
            DashboardSection(
                "insurance-benefits",
                ELIGIBILITY_CHECK,
                "insurance/dashboard_benefits.html",
                selectors.benefits_section,
                31,
            )
        )
        from openiop.insurance import banner
        from openiop.patients.chart import BannerItem, register_banner_item

        register_banner_item(BannerItem("payer", COVERAGE_VIEW, banner.payer_item, 40, "insurance/_banner_payer.html"))
