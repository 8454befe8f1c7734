# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "openiop.ledger"
    label = "ledger"
    verbose_name = "Patient ledger (charges, payments, adjustments, statements)"

    def ready(self) -> None:
        from openiop.core.access import register_scope
        from openiop.ledger import models, permissions  # permissions declares the actions
        from openiop.patients.scopes import patient_at_users_sites

        register_scope(models.LedgerTransaction, patient_at_users_sites("patient__"))

        from django.utils.translation import gettext_lazy as _

        from openiop.ledger import panels
        from openiop.patients.chart import ChartTab, register_tab

        register_tab(
            ChartTab(
                "account", _("Account"), permissions.LEDGER_VIEW, "ledger/tab_account.html", panels.account_tab, 90
            )
        )
