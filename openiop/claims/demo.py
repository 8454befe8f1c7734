# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo claims: the released charges billed into the clearinghouse outbox,
and two answers waiting in its inbox for a newcomer to import.

The organization gets a made-up EIN and its sites ZIP+4 codes (the 837's
billing provider needs both), each primary counsellor a made-up NPI that
passes the Luhn check and an addiction counselor taxonomy. Then
``claims_build`` runs as ``manage.py claims_build`` would: most claims go to
the outbox; the scrubber stops some (past the filing limit, Medicare's
sequence, an authorization used up). Into the inbox go a 999 accepting the
first claim file and an 835 denying one of its claims (CO-197, no
authorization), written from the sample files in ``openiop/x12/samples``
with the demo's own claim and payer numbers. Everything is synthetic.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from openiop.claims.models import Claim, ClaimStatus, ProviderNumber
from openiop.claims.services import ClaimsRefused, claims_build
from openiop.insurance.models import ClaimType
from openiop.patients.models import Episode
from openiop.sites.models import Site
from openiop.x12.npi import is_valid_npi

SAMPLES = Path(__file__).resolve().parent.parent / "x12" / "samples"
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
    counsellor_ids = set(
        Episode.objects.filter(site__in=sites, primary_counsellor__isnull=False).values_list(
            "primary_counsellor_id", flat=True
        )
    )
    have = set(ProviderNumber.objects.values_list("user_id", flat=True))
    ProviderNumber.objects.bulk_create(
        ProviderNumber(user_id=user_id, npi=demo_npi(24_000_000 + user_id), taxonomy=ADDICTION_COUNSELOR)
        for user_id in sorted(counsellor_ids - have)
    )


def _inbox_answers() -> list[Path]:
    """A 999 for the first 837I file and an 835 denying one of its claims."""
    claim = (
        Claim.objects.filter(status=ClaimStatus.BUILT, claim_type=ClaimType.INSTITUTIONAL)
        .select_related("patient", "coverage", "payer")
        .order_by("pk")
        .first()
    )
    if claim is None:
        return []
    inbox = Path(settings.OPENIOP_CLEARINGHOUSE_DIR) / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    total = f"{claim.total.normalize():f}"
    ack = (SAMPLES / "999_accepted.x12").read_text().replace("AK1*HC*17*", f"AK1*HC*{claim.group_control_number}*")
    denial = (
        (SAMPLES / "835_denied.x12")
        .read_text()
        .replace("CLP*IOP1003*4*750*", f"CLP*{claim.patient_control_number}*4*{total}*")
        .replace("CAS*CO*197*750~", f"CAS*CO*197*{total}~")
        .replace("REF*2U*SHP01~", f"REF*2U*{claim.payer.payer_id}~")
        .replace(
            "NGUYEN*TAYLOR****MI*SHP700800900",
            f"{claim.patient.legal_last_name.upper()}*"
            f"{claim.patient.legal_first_name.upper()}****MI*{claim.coverage.member_id}",
        )
        .replace("NOPAY20260129003", f"NOPAY{claim.patient_control_number}")
    )
    paths = [inbox / "999-demo-accepted.x12", inbox / "835-demo-denied.x12"]
    paths[0].write_text(ack, encoding="ascii")
    paths[1].write_text(denial, encoding="ascii")
    return paths


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
    _inbox_answers()
    tick(1)
