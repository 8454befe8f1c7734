# SPDX-License-Identifier: AGPL-3.0-or-later
"""``manage.py claims_build``: claims for every ready charge, as X12 files in
the clearinghouse outbox (one per payer and claim type), each path printed;
claims the scrubber or pyx12 stopped are listed with the reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openiop.claims.services import PERIODS, ClaimsRefused, claims_build
from openiop.insurance.models import Payer


class Command(BaseCommand):
    help = "Build claims from ready charges and write the X12 files to the clearinghouse outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--through", type=dt.date.fromisoformat, help="Last date of service (YYYY-MM-DD).")
        parser.add_argument("--payer", help="Only this payer (its payer ID for claims).")
        parser.add_argument("--period", choices=PERIODS, default="month", help="Billing period of a claim.")
        parser.add_argument("--workers", type=int, default=1, help="Processes for pyx12 on large files.")

    def handle(self, *args: Any, **options: Any) -> None:
        payer = None
        if options["payer"]:
            payer = Payer.objects.filter(payer_id__iexact=options["payer"]).first()
            if payer is None:
                raise CommandError(f"No payer has the payer ID {options['payer']}.")
        try:
            result = claims_build(
                actor=None,
                payer=payer,
                through=options["through"],
                period=options["period"],
                workers=max(1, options["workers"]),
            )
        except ClaimsRefused as error:
            raise CommandError(" ".join(error.messages)) from None
        for claim in result.stopped:
            reasons = "; ".join(claim.problems) or "stopped"
            self.stderr.write(self.style.WARNING(f"{claim.patient_control_number} stopped: {reasons}"))
        for path in result.files:
            self.stdout.write(str(path))
        self.stdout.write(
            f"{len(result.built)} claim(s) in {len(result.files)} file(s); {len(result.stopped)} stopped."
        )
