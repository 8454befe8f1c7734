# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "openiop.directory"
    label = "directory"
    verbose_name = "Facility directory and locator"

    def ready(self) -> None:
        from openiop.core.access import everything, register_scope
        from openiop.core.navigation import NavItem, register_nav
        from openiop.directory import checks, models, signals  # noqa: F401 - checks register on import
        from openiop.directory.permissions import DIRECTORY_IMPORT

        # Public reference data: anyone granted a directory action sees all of it.
        register_scope(models.Facility, everything)
        signals.connect()
        register_nav(NavItem(_("Import facilities"), "directory:import", DIRECTORY_IMPORT))
