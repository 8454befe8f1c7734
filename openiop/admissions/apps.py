# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class AdmissionsConfig(AppConfig):
    name = "openiop.admissions"
    label = "admissions"
    verbose_name = "Admissions pipeline"

    def ready(self) -> None:
        from openiop.accounts.access import by_site, everything, register_scope
        from openiop.admissions import models

        register_scope(models.Inquiry, by_site("site"))
        register_scope(models.StageChange, by_site("inquiry__site"))
        # The list of referrers is organization-wide reference data, not patient data.
        register_scope(models.ReferralSource, everything)
