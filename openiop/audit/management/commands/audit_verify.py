# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openiop.audit.models import AuditEvent
from openiop.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Check the audit log's hash chain and name every altered, reordered or missing event."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = list(verify_chain())
        total = AuditEvent.objects.count()
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"audit chain broken: {len(problems)} problem(s) in {total} events")
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {total} events verified"))
