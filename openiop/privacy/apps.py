# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models import QuerySet


def emergency_reach(user: Any) -> QuerySet[Any]:
    """Patients USER opened with emergency access that has not run out yet
    (checked at query time, so the access ends by itself)."""
    from django.utils import timezone

    from openiop.privacy.models import EmergencyAccess

    now = timezone.now()
    return EmergencyAccess.objects.filter(user_id=user.pk, started_at__lte=now, expires_at__gt=now).values("patient_id")


class PrivacyConfig(AppConfig):
    name = "openiop.privacy"
    label = "privacy"
    verbose_name = "Privacy (42 CFR Part 2)"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from openiop.core.access import everything, register_scope
        from openiop.core.navigation import DashboardSection, NavItem, register_dashboard_section, register_nav
        from openiop.patients.chart import ChartTab, OverviewPanel, register_overview_panel, register_tab
        from openiop.patients.scopes import patient_at_users_sites, register_patient_reach
        from openiop.privacy import models, panels, selectors
        from openiop.privacy.permissions import BREAK_GLASS, CONSENTS_VIEW, PRIVACY_FLAGS, PRIVACY_OVERSEE

        for model in (
            models.Consent,
            models.Disclosure,
            models.RestrictionRequest,
            models.EmergencyAccess,
            models.AccountingRequest,
            models.NoticeAcknowledgement,
            models.ReleaseRequest,
        ):
            register_scope(model, patient_at_users_sites("patient__"))
        register_scope(models.PrivacySettings, everything)
        register_scope(models.ExpiryDigest, everything)
        register_scope(models.PatientNotice, everything)
        register_patient_reach(emergency_reach)

        from openiop.core.jobs import PeriodicJob, register_periodic
        from openiop.privacy.jobs import CHECK_SECONDS, daily_expiry_digest

        # Hourly look, once-a-day send: consents expiring soon, to the privacy officers.
        register_periodic(PeriodicJob("privacy-daily", CHECK_SECONDS, daily_expiry_digest))

        register_tab(
            ChartTab(
                "privacy",
                _("Consents and privacy"),
                CONSENTS_VIEW,
                "privacy/tab_privacy.html",
                panels.privacy_tab,
                80,
            )
        )
        register_dashboard_section(
            DashboardSection(
                "privacy-officer", PRIVACY_OVERSEE, "privacy/dashboard_officer.html", selectors.officer_section, 15
            )
        )
        register_dashboard_section(
            DashboardSection(
                "privacy-flags", PRIVACY_FLAGS, "privacy/dashboard_flags.html", selectors.flags_section, 16
            )
        )
        register_overview_panel(
            OverviewPanel(
                key="privacy_flags",
                action=CONSENTS_VIEW,
                template="privacy/_panel_flags.html",
                context=selectors.chart_flags_panel,
                order=10,
            )
        )
        register_nav(NavItem(_("Privacy"), "privacy:overview", PRIVACY_OVERSEE), before="audit:events")
        register_nav(NavItem(_("Emergency access"), "privacy:break_glass", BREAK_GLASS), before="sites:list")
        from openiop.patients.chart import BannerItem, register_banner_item
        from openiop.privacy import banner

        register_banner_item(BannerItem("part2", CONSENTS_VIEW, banner.part2_item, 50, "privacy/_banner_part2.html"))
        from openiop.patients.admission_steps import AdmissionStep, register_admission_step

        register_admission_step(AdmissionStep("privacy-notice", selectors.notice_step_after_admission, 10))
