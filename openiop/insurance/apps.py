# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class InsuranceConfig(AppConfig):
    name = "openiop.insurance"
    label = "insurance"
    verbose_name = "Insurance (payers, coverage, eligibility, authorizations)"

    def ready(self) -> None:
        from openiop.accounts.access import everything, register_scope
        from openiop.insurance import models
        from openiop.patients.scopes import patient_at_users_sites

        for model in (models.Coverage, models.EligibilityCheck, models.Authorization):
            register_scope(model, patient_at_users_sites("patient__"))
        # Payers and their billing set-up are the organization's reference data.
        register_scope(models.Payer, everything)
        register_scope(models.PayerService, everything)
