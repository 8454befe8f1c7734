# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from openiop.audit.sealing import seal_pending


class Command(BaseCommand):
    help = "Seal every audit event that has no seal yet (the worker does this every few seconds)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = seal_pending(wait=True, full_sweep=True)
        self.stdout.write(
            self.style.SUCCESS(f"sealed {result.sealed} event(s); the chain ends at seal #{result.last_seq}")
        )
