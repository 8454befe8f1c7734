# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo claims: the released charges billed into the clearinghouse outbox,
and two answers waiting in its inbox for a newcomer to import.

The organization gets a made-up EIN and its sites ZIP+4 codes (the 837's
billing provider needs both), each primary counsellor a made-up NPI that
passes the Luhn check and an addiction counselor taxonomy. Then
``claims_build`` runs as ``manage.py claims_build`` would: most claims go to
the outbox; the scrubber stops some (past the filing limit, Medicare's
sequence, an authorization used up). Then answers written for the demo's
claims (``demo_answers``) go through the real importers, leaving claims in
every state: built (the last file, not yet acknowledged), sent, accepted,
rejected with the payer's reason, paid, partly paid (with a secondary claim
carrying the primary's payment), denied, and paid then reversed. Into the
inbox go a 999 accepting the last claim file and an 835 denying a claim
(CO-197, no authorization) for the user to import. Everything is synthetic.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from openiop.billing.models import Charge
from openiop.claims.demo_answers import Ack, Remit, ack_277ca, ack_999, remittance_835
from openiop.claims.models import Claim, ClaimStatus, ProviderNumber
from openiop.claims.services import ClaimsRefused, claims_build
from openiop.insurance.models import ClaimType, Coverage, CoveragePriority, Payer
from openiop.patients.models import Episode
from openiop.sites.models import Site
from openiop.x12.claims import CLAIMS_PER_TRANSACTION
from openiop.x12.npi import is_valid_npi

DEMO_TAX_ID = "043456789"
ADDICTION_COUNSELOR = "101YA0400X"


def progress_steps(size: str) -> int:
    return 3


def demo_npi(seed: int) -> str:
    """A made-up NPI (starting with 1) with a valid check digit."""
    base = f"1{seed % 10**8:08d}"
    return next(f"{base}{digit}" for digit in range(10) if is_valid_npi(f"{base}{digit}"))


def _billing_identity(sites: list[Site]) -> None:
    organization = sites[0].organization
    if not organization.tax_id:
        organization.tax_id = DEMO_TAX_ID
        organization.save(update_fields=["tax_id"])
    for site in sites:
        if re.fullmatch(r"\d{5}", site.zip_code):
            site.zip_code = f"{site.zip_code}-{site.pk % 9000 + 1000:04d}"
            site.save(update_fields=["zip_code"])


def _provider_numbers(sites: list[Site]) -> None:
    """An NPI for every attending (primary counsellor) and rendering (author of
    a note a charge stands on) clinician, whichever clinician the other apps'
    demos happened to pick, so no demo claim waits for one."""
    counsellor_ids = set(
        Episode.objects.filter(site__in=sites, primary_counsellor__isnull=False).values_list(
            "primary_counsellor_id", flat=True
        )
    )
    counsellor_ids |= set(
        Charge.objects.filter(site__in=sites, note__isnull=False).values_list("note__author_id", flat=True)
    )
    have = set(ProviderNumber.objects.values_list("user_id", flat=True))
    ProviderNumber.objects.bulk_create(
        ProviderNumber(user_id=user_id, npi=demo_npi(24_000_000 + user_id), taxonomy=ADDICTION_COUNSELOR)
        for user_id in sorted(counsellor_ids - have)
    )


def _claim_files() -> list[list[Claim]]:
    """The claims of each file in the outbox, in the order written."""
    files: dict[str, list[Claim]] = {}
    claims = (
        Claim.objects.filter(status=ClaimStatus.BUILT)
        .exclude(file_name="")
        .select_related("patient", "coverage", "payer", "site__organization")
        .order_by("interchange_control_number", "pk")
    )
    for claim in claims:
        files.setdefault(claim.file_name, []).append(claim)
    return list(files.values())


def _import(name: str, text: str) -> None:
    from openiop.insurance.services_eligibility import clearinghouse_file_import

    clearinghouse_file_import(name, text)


def _version(claim: Claim) -> str:
    return "005010X223A2" if claim.claim_type == ClaimType.INSTITUTIONAL else "005010X222A1"


def _sets(claims: list[Claim]) -> int:
    return (len(claims) - 1) // CLAIMS_PER_TRANSACTION + 1


def _split(total: Decimal, share: str) -> Decimal:
    return (total * Decimal(share)).quantize(Decimal("0.01"))


def _secondary_coverage(claim: Claim) -> None:
    """A secondary plan for the partly paid claim's patient, so that the demo
    shows a secondary claim carrying the primary's payment."""
    other = (
        Payer.objects.filter(organization=claim.site.organization)
        .exclude(pk=claim.payer_id)
        .order_by("payer_id", "name")
        .first()
    )
    if other is None or claim.patient.coverages.filter(priority=CoveragePriority.SECONDARY).exists():
        return
    Coverage.objects.create(
        patient=claim.patient,
        payer=other,
        priority=CoveragePriority.SECONDARY,
        member_id=f"SEC{claim.patient_id:07d}",
        effective_date=claim.statement_start.replace(day=1),
    )


def _answers(now: datetime) -> list[Path]:
    """Claims in every state through the real importers, then a 999 and an
    835 with a denial left in the inbox."""
    files = _claim_files()
    if not files:
        return []
    waiting_file = files[-1] if len(files) > 1 else []
    for number, claims in enumerate(files[:-1] if waiting_file else files, start=1):
        group = claims[0].group_control_number or 0
        _import(
            f"999-demo-{number}.x12",
            ack_999(group, _version(claims[0]), _sets(claims), number=900 + number, created=now),
        )
    # Which claim gets which answer follows stable keys (not the ids, which
    # follow the order other apps' demos created rows in).
    sent = list(
        Claim.objects.filter(status=ClaimStatus.SENT)
        .select_related("patient", "coverage", "payer", "site__organization")
        .order_by("statement_start", "patient__mrn", "claim_type", "payer__payer_id", "pk")
    )
    if not sent:
        return []
    # The first is rejected; the last stays sent (no payer answer yet) when
    # there are enough claims to show every state.
    rejected, accepted = sent[:1], sent[1:-1] if len(sent) > 7 else sent[1:]
    answers = [Ack(claim, False, reason="Member ID not found for this date of service") for claim in rejected]
    answers += [Ack(claim, True, payer_claim_number=f"DEMO{claim.pk:08d}") for claim in accepted]
    _import("277ca-demo.x12", ack_277ca(answers, number=950, created=now))
    # In order: paid, partly paid (CO-45 and PR-2), denied (CO-50), the
    # inbox's denial, paid then reversed; the rest stay accepted.
    roles = ["paid", "partial", "denied", "inbox", "reversed"]
    chosen = dict(zip(roles, accepted, strict=False))
    first: list[Remit] = []
    for role, claim in chosen.items():
        payer_number = f"DEMO{claim.pk:08d}"
        if role in ("paid", "reversed"):
            first.append(Remit(claim, "1", claim.total, payer_claim_number=payer_number))
        elif role == "partial":
            paid, contractual = _split(claim.total, "0.6"), _split(claim.total, "0.2")
            adjustments = (("CO", "45", contractual), ("PR", "2", claim.total - paid - contractual))
            first.append(Remit(claim, "1", paid, adjustments, payer_number))
            _secondary_coverage(claim)
        elif role == "denied":
            first.append(Remit(claim, "4", Decimal(0), (("CO", "50", claim.total),), payer_number))
    for index, remits in enumerate(_by_payer(first), start=1):
        _import(f"835-demo-{index}.x12", remittance_835(remits, number=960 + index, created=now))
    if "reversed" in chosen:
        claim = chosen["reversed"]
        reversal = Remit(claim, "22", claim.total, payer_claim_number=f"DEMO{claim.pk:08d}")
        _import("835-demo-reversal.x12", remittance_835([reversal], number=980, created=now))
    inbox = Path(settings.OPENIOP_CLEARINGHOUSE_DIR) / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    paths = []
    if waiting_file:
        claims = waiting_file
        text = ack_999(claims[0].group_control_number or 0, _version(claims[0]), _sets(claims), number=990, created=now)
        paths.append(inbox / "999-demo-accepted.x12")
        paths[-1].write_text(text, encoding="ascii")
    if "inbox" in chosen:
        claim = chosen["inbox"]
        denial = Remit(claim, "4", Decimal(0), (("CO", "197", claim.total),), f"DEMO{claim.pk:08d}")
        paths.append(inbox / "835-demo-denied.x12")
        paths[-1].write_text(remittance_835([denial], number=991, created=now), encoding="ascii")
    return paths


def _by_payer(remits: list[Remit]) -> list[list[Remit]]:
    grouped: dict[int, list[Remit]] = {}
    for remit in remits:
        grouped.setdefault(remit.claim.payer_id, []).append(remit)
    return list(grouped.values())


def seed_app(*, size: str, sites: list[Site], rng: random.Random, tick: Callable[[int], None]) -> None:
    """Safe to run again: nothing is done when claims exist."""
    if Claim.objects.exists() or not sites:
        tick(progress_steps(size))
        return
    _billing_identity(sites)
    _provider_numbers(sites)
    tick(1)
    try:
        claims_build(actor=None)
    except ClaimsRefused:
        tick(2)
        return  # an organization without an NPI: the demo has charges but no claims
    tick(1)
    _answers(timezone.now())
    # The rejected claim's charges and the partly paid claim's secondary
    # coverage are billed again, as the next run of the command would.
    claims_build(actor=None)
    tick(1)
