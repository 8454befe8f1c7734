# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "openiop.billing"
    label = "billing"
    verbose_name = "Billing (fee schedules, charges, claims)"

    def ready(self) -> None:
        # Two halves, kept apart so they can grow separately: what billing
        # listens to (attendance, signed notes, coverage and authorization
        # changes) and what it shows (navigation, dashboards, scopes).
        from openiop.billing import receivers, ui

        receivers.connect()
        ui.register()
