# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "openiop.sites"
    label = "sites"
    verbose_name = "Organization and sites"

    def ready(self) -> None:
        from openiop.audit.models import AuditEvent
        from openiop.core.access import by_site, everything, register_scope
        from openiop.sites import models
        from openiop.sites.audit_scope import audit_scope

        register_scope(models.Organization, everything)
        register_scope(models.Site, by_site("pk"))
        register_scope(models.Room, by_site("site"))
        register_scope(models.OpeningHours, by_site("site"))
        # A reviewer sees their own sites' audit events (audit, below, cannot name sites).
        register_scope(AuditEvent, audit_scope)
