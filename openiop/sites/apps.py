# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "openiop.sites"
    label = "sites"
    verbose_name = "Organization and sites"

    def ready(self) -> None:
        from openiop.accounts.access import by_site, everything, register_scope
        from openiop.sites import models

        register_scope(models.Organization, everything)
        register_scope(models.Site, by_site("pk"))
        register_scope(models.Room, by_site("site"))
        register_scope(models.OpeningHours, by_site("site"))
