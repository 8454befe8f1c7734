# SPDX-License-Identifier: AGPL-3.0-or-later
from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "openiop.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from openiop.accounts.access import everything, register_scope
        from openiop.audit import signals
        from openiop.audit.models import AuditEvent

        # The compliance officer reviews activity across every site.
        register_scope(AuditEvent, everything)
        signals.connect()
