# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "openiop.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from openiop.accounts.access import register_scope
        from openiop.audit import signals
        from openiop.audit.models import AuditEvent
        from openiop.audit.scopes import audit_scope

        # A reviewer sees their own sites' events; see openiop.audit.scopes.
        register_scope(AuditEvent, audit_scope)
        signals.connect()

        from django.conf import settings

        from openiop.audit.jobs import seal_audit_log
        from openiop.core.jobs import PeriodicJob, register_periodic

        register_periodic(PeriodicJob("audit-sealer", settings.OPENIOP_AUDIT_SEAL_SECONDS, seal_audit_log))
