# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class AdmissionsConfig(AppConfig):
    name = "openiop.admissions"
    label = "admissions"
    verbose_name = "Admissions pipeline"

    def ready(self) -> None:
        from openiop.admissions import busy, models, selectors
        from openiop.admissions.permissions import ADMISSIONS_SELFCHECK, ADMISSIONS_VIEW
        from openiop.audit.reads import register_listed_model
        from openiop.core.access import by_site, everything, register_scope
        from openiop.core.navigation import DashboardSection, register_dashboard_section
        from openiop.patients.chart import OverviewPanel, register_overview_panel
        from openiop.scheduling.busy import register_busy_source

        register_scope(models.Inquiry, by_site("site"))
        register_scope(models.StageChange, by_site("inquiry__site"))
        register_scope(models.SelfCheckShare, by_site("inquiry__site"))
        register_listed_model(models.Inquiry, "inquiries")
        # A risk shared from the public self-check waits on top of the
        # dashboard, just after the patients' safety alerts, until acknowledged.
        register_dashboard_section(
            DashboardSection(
                key="selfcheck_risks",
                action=ADMISSIONS_SELFCHECK,
                template="admissions/_dashboard_selfcheck_risks.html",
                context=selectors.dashboard_selfcheck_risks,
                order=1,
            )
        )
        # On the chart: what admission carried over from the inquiry to the episode.
        register_overview_panel(
            OverviewPanel(
                key="admission",
                action=ADMISSIONS_VIEW,
                template="admissions/_chart_admission.html",
                context=selectors.chart_admission_panel,
                order=20,
            )
        )
        # A booked intake assessment holds its clinician and room in scheduling
        # too: no group or appointment over it, and it shows on their calendars.
        register_busy_source(busy.booked_assessments)
        # The list of referrers is organization-wide reference data, not patient data.
        register_scope(models.ReferralSource, everything)
