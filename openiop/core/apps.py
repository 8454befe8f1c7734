# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openiop.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from openiop.audit.actions import register_actions

        register_actions("edit.stale")  # openiop.core.editing: a save refused because someone saved first
