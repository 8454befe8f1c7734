# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "openiop.ledger"
    label = "ledger"
    verbose_name = "Patient ledger (charges, payments, adjustments, statements)"

    def ready(self) -> None:
        from openiop.accounts.access import register_scope
        from openiop.ledger import models, permissions  # noqa: F401  (declares the actions)
        from openiop.patients.scopes import patient_at_users_sites

        register_scope(models.LedgerTransaction, patient_at_users_sites("patient__"))
