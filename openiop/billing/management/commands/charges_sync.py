# SPDX-License-Identifier: AGPL-3.0-or-later
"""Charge (or re-check) every patient's charges over a period.

    python manage.py charges_sync [--since 2026-01-05] [--until 2026-03-31]

Charges follow attendance, notes and coverage by themselves; this is for
the first run after billing is set up (the first fee schedule rows), and
after importing fee schedules or authorizations in bulk. Idempotent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from openiop.audit.context import acting_as
from openiop.billing.services import charges_sync_many
from openiop.patients.models import Episode

CHUNK = 250


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Bring every patient's charges in line with attendance, notes, drug tests and coverage over a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=_date, help="first day (default: 90 days ago)")
        parser.add_argument("--until", type=_date, help="last day (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        until = options["until"] or timezone.localdate()
        since = options["since"] or until - dt.timedelta(days=90)
        if until < since:
            raise CommandError("--until must not be before --since")
        patient_ids = sorted(
            set(
                Episode.objects.filter(admission_date__lte=until)
                .filter(Q(discharge_date__isnull=True) | Q(discharge_date__gte=since))
                .values_list("patient_id", flat=True)
            )
        )
        created = voided = 0
        with acting_as(actor_username="manage.py charges_sync"):
            for offset in range(0, len(patient_ids), CHUNK):
                result = charges_sync_many(
                    patient_ids=patient_ids[offset : offset + CHUNK], start=since, end=until, actor=None
                )
                created += len(result.created)
                voided += len(result.voided)
        self.stdout.write(f"{len(patient_ids)} patients, {since} to {until}: {created} charges made, {voided} voided.")
