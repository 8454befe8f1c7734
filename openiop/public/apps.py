# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "openiop.public"
    label = "public"
    verbose_name = _("Public site")

    def ready(self) -> None:
        from openiop.admissions.permissions import ADMISSIONS_VIEW
        from openiop.core.access import everything, register_scope
        from openiop.core.navigation import DashboardSection, register_dashboard_section
        from openiop.public import models, selectors

        # Prices and poverty guidelines are public reference data, nobody's record.
        register_scope(models.RateCard, everything)
        register_scope(models.PovertyGuideline, everything)
        register_scope(models.SlidingFeeTier, everything)
        register_dashboard_section(
            DashboardSection(
                key="public_requests",
                action=ADMISSIONS_VIEW,
                template="public/dashboard_requests.html",
                context=selectors.new_web_requests,
                order=20,
            )
        )
