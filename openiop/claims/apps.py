# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "openiop.claims"
    label = "claims"
    verbose_name = "Claims (837I/837P out; 999, 277CA and 835 in)"

    def ready(self) -> None:
        from openiop.claims import models, permissions  # noqa: F401  (declares the actions)
        from openiop.claims.services_answers import register_importers
        from openiop.core.access import register_scope
        from openiop.patients.scopes import patient_at_users_sites

        register_scope(models.Claim, patient_at_users_sites("patient__"))
        # The insurance app's clearinghouse import (command and inbox job)
        # dispatches by transaction set; claims reads these three.
        register_importers()
