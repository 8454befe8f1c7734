# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "openiop.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from openiop.audit import signals

        # The audit log's scope rule (a reviewer sees their own sites' events)
        # is registered by the sites app: see openiop.sites.audit_scope.
        signals.connect()

        from django.conf import settings

        from openiop.audit.jobs import seal_audit_log
        from openiop.core.jobs import PeriodicJob, register_periodic

        register_periodic(PeriodicJob("audit-sealer", settings.OPENIOP_AUDIT_SEAL_SECONDS, seal_audit_log))
