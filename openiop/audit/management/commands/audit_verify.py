# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from openiop.audit.checkpoints import highest_checkpoint
from openiop.audit.models import AuditEvent
from openiop.audit.sealing import seal_pending
from openiop.audit.verify import late_events, verify_log


class Command(BaseCommand):
    help = (
        "Seal what is pending, then check the audit log's keyed seal chain against the signed checkpoints "
        "and name every altered, reordered, missing, cut or late event."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        # Before sealing: sealing would hide that nobody sealed these in time.
        late = late_events(now)
        sealed = seal_pending(wait=True, full_sweep=True)
        problems = ([late] if late else []) + list(verify_log(now=now))
        total = AuditEvent.objects.count()
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"audit log broken: {len(problems)} problem(s) in {total} events")
        checkpoint = highest_checkpoint()
        against = f"; checkpoint {checkpoint.path.name} matches" if checkpoint else "; no checkpoint yet"
        self.stdout.write(
            self.style.SUCCESS(f"audit log intact: {total} events, {sealed.last_seq} seals verified{against}")
        )
