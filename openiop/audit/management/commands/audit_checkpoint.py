# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from openiop.audit.checkpoints import CheckpointRefused, checkpoint_dir, checkpoint_if_due
from openiop.audit.sealing import seal_pending


class Command(BaseCommand):
    help = "Seal what is pending and write a signed checkpoint of the chain's head (the worker writes one hourly)."

    def handle(self, *args: Any, **options: Any) -> None:
        seal_pending(wait=True, full_sweep=True)
        try:
            checkpoint = checkpoint_if_due(now=timezone.now(), force=True)
        except CheckpointRefused as refusal:
            raise CommandError(f"no checkpoint written: {refusal}") from None
        except OSError as error:
            raise CommandError(f"cannot write to {checkpoint_dir()}: {error.strerror}") from None
        if checkpoint is None:
            self.stdout.write("the audit log is empty: nothing to checkpoint")
            return
        self.stdout.write(self.style.SUCCESS(f"wrote {checkpoint.path}"))
