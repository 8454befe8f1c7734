# SPDX-License-Identifier: AGPL-3.0-or-later
"""What scrubbing a batch of claims needs from the database, fetched once per
batch rather than once per claim or line.

A build of a month for a thousand patients makes hundreds of claims with
thousands of lines; asking the database per claim (units already billed
under each authorization, days already billed, an earlier interim claim,
Medicare's earlier claims and partial hospitalization days) cost one round
trip per claim or per line, most of the build's time on PostgreSQL. Here
each of those is one query over the whole batch, kept in dictionaries, and
brought up to date as the batch's own claims are created: a claim built
earlier in the batch counts for the later ones, exactly as it would have
had each been asked for alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from openiop.billing.models import Charge, ChargeKind
from openiop.claims.models import AWAITING_REMITTANCE, LIVE_STATUSES, Claim, ClaimLine
from openiop.claims.scrubber import MEDICARE_PHP_WINDOW_DAYS
from openiop.insurance.models import ClaimType
from openiop.patients.models import LevelOfCare

VOID_FREQUENCY = "8"


def billing_lines() -> Any:
    """Claim lines that still bill their charge: on a live claim that is not a
    void (an accepted void gives its charges back to be billed again). A
    secondary claim's lines bill the primary's charges again, to another
    payer: they count once, through the primary."""
    return ClaimLine.objects.filter(claim__status__in=LIVE_STATUSES, claim__primary_claim__isnull=True).exclude(
        claim__frequency=VOID_FREQUENCY
    )


# A day already billed names the claim billing it: its control number, or the
# claim itself while the batch has not saved it yet (the batch saves it before
# naming it to anyone).
BilledBy = str | Claim


@dataclass
class BatchFacts:
    billed_units: dict[int, int] = field(default_factory=dict)  # authorization id -> units on live lines
    billed_days: dict[tuple[int, dt.date, str], BilledBy] = field(default_factory=dict)  # (patient, day, code)
    institutional: set[tuple[int, int]] = field(default_factory=set)  # (episode id, payer id) with a live 837I
    # Medicare only: (patient, payer) -> (statement start, control number) of claims awaiting remittance,
    # and patient -> (day, control number) of partial hospitalization days on live claims.
    awaiting: dict[tuple[int, int], list[tuple[dt.date, BilledBy]]] = field(default_factory=dict)
    php_days: dict[int, list[tuple[dt.date, BilledBy]]] = field(default_factory=dict)
    # Saves the batch's pending claims (the builder sets it): called before an
    # unsaved claim's control number is given to the scrubber.
    save_pending: Callable[[], None] | None = None

    @classmethod
    def load(cls, charges: Iterable[Charge], *, ignoring_claim_id: int | None = None) -> BatchFacts:
        """The facts for CHARGES (any number of claims' worth) in at most five
        queries. IGNORING_CLAIM_ID is the claim a corrected claim replaces:
        its lines neither overlap nor use the authorization a second time."""
        charges = list(charges)
        facts = cls()
        if not charges:
            return facts
        ignored = ignoring_claim_id or 0
        lines = billing_lines().exclude(claim_id=ignored)
        authorization_ids = {c.authorization_id for c in charges if c.authorization_id}
        if authorization_ids:
            for authorization_id, units in lines.filter(charge__authorization_id__in=authorization_ids).values_list(
                "charge__authorization_id", "units"
            ):
                facts.billed_units[authorization_id] = facts.billed_units.get(authorization_id, 0) + units
        patient_ids = {c.patient_id for c in charges}
        first_day = min(c.service_date for c in charges)
        last_day = max(c.service_date for c in charges)
        days = lines.filter(claim__patient_id__in=patient_ids, service_date__range=(first_day, last_day))
        for patient_id, day, code, number in days.order_by("pk").values_list(
            "claim__patient_id", "service_date", "code", "claim__patient_control_number"
        ):
            facts.billed_days.setdefault((patient_id, day, code), number)
        episode_ids = {c.episode_id for c in charges if c.kind == ChargeKind.PER_DIEM}
        if episode_ids:
            facts.institutional = set(
                Claim.objects.filter(
                    episode_id__in=episode_ids, claim_type=ClaimType.INSTITUTIONAL, status__in=LIVE_STATUSES
                )
                .exclude(pk=ignored)
                .values_list("episode_id", "payer_id")
            )
        medicare = {c.patient_id for c in charges if c.payer is not None and c.payer.is_medicare}
        if medicare:
            awaiting = (
                Claim.objects.filter(patient_id__in=medicare, status__in=AWAITING_REMITTANCE)
                .exclude(pk=ignored)
                .order_by("statement_start", "pk")
                .values_list("patient_id", "payer_id", "statement_start", "patient_control_number")
            )
            for patient_id, payer_id, start, number in awaiting:
                facts.awaiting.setdefault((patient_id, payer_id), []).append((start, number))
            php = (
                ClaimLine.objects.filter(claim__patient_id__in=medicare, claim__status__in=LIVE_STATUSES)
                .filter(claim__episode__level_of_care=LevelOfCare.PHP, charge__kind=ChargeKind.PER_DIEM)
                .filter(service_date__gte=first_day - dt.timedelta(days=MEDICARE_PHP_WINDOW_DAYS))
                .filter(service_date__lte=last_day)
                .order_by("service_date", "pk")
                .values_list("claim__patient_id", "service_date", "claim__patient_control_number")
            )
            for patient_id, day, number in php:
                facts.php_days.setdefault(patient_id, []).append((day, number))
        return facts

    def record(self, claim: Claim, charges: list[Charge]) -> None:
        """CLAIM (built from CHARGES, maybe not saved yet) now bills what it
        bills, for the claims built after it in the batch."""
        if claim.status not in LIVE_STATUSES:
            return
        if claim.primary_claim_id is None and claim.frequency != VOID_FREQUENCY:
            for charge in charges:
                if charge.authorization_id:
                    units = self.billed_units.get(charge.authorization_id, 0)
                    self.billed_units[charge.authorization_id] = units + charge.units
                self.billed_days.setdefault((claim.patient_id, charge.service_date, charge.code), claim)
        if claim.claim_type == ClaimType.INSTITUTIONAL and claim.episode_id:
            self.institutional.add((claim.episode_id, claim.payer_id))
        if claim.payer.is_medicare:
            if claim.status in AWAITING_REMITTANCE:
                earlier = self.awaiting.setdefault((claim.patient_id, claim.payer_id), [])
                earlier.append((claim.statement_start, claim))
                earlier.sort(key=lambda item: item[0])
            if claim.episode is not None and claim.episode.level_of_care == LevelOfCare.PHP:
                days = self.php_days.setdefault(claim.patient_id, [])
                days += [(c.service_date, claim) for c in charges if c.kind == ChargeKind.PER_DIEM]
                days.sort(key=lambda item: item[0])

    # --- Questions the scrubber asks ------------------------------------------------------------------------------

    def units_billed(self, authorization_ids: Iterable[int]) -> dict[int, int]:
        """A copy: the claim being scrubbed adds its own units to it."""
        return {pk: self.billed_units.get(pk, 0) for pk in authorization_ids}

    def billing_day(self, patient_id: int, day: dt.date, code: str) -> str:
        return self._number(self.billed_days.get((patient_id, day, code), ""))

    def has_institutional(self, episode_id: int | None, payer_id: int) -> bool:
        return (episode_id or 0, payer_id) in self.institutional

    def medicare(self, patient_id: int, payer_id: int, start: dt.date, end: dt.date) -> tuple[str, str]:
        """(An earlier claim still awaiting remittance, a partial hospitalization
        claim within the 7-day window), as control numbers or ""."""
        earlier = next((by for day, by in self.awaiting.get((patient_id, payer_id), []) if day < start), "")
        window = start - dt.timedelta(days=MEDICARE_PHP_WINDOW_DAYS)
        php = next((by for day, by in self.php_days.get(patient_id, []) if window <= day <= end), "")
        return self._number(earlier), self._number(php)

    def _number(self, by: BilledBy) -> str:
        if not isinstance(by, Claim):
            return by
        if by.pk is None and self.save_pending is not None:
            self.save_pending()  # rare: two claims of one batch bill the same patient's day
        return by.patient_control_number
