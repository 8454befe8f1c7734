# SPDX-License-Identifier: AGPL-3.0-or-later
"""Builders for the claims tests: an organization that can bill, a patient
with an address, coverage, an authorization, a diagnosis, a counsellor with
an NPI, and ready charges made directly (how they were released is billing's
business, tested there)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from openiop.billing.models import Charge, ChargeKind, ChargeStatus
from openiop.claims.models import Claim, ClaimLine, ClaimStatus, ProviderNumber
from openiop.insurance.models import Authorization, Coverage, Payer, PayerKind
from openiop.patients.models import Episode
from openiop.scheduling.tests.pages import admitted, staff
from openiop.sites.models import Site

MON = dt.date(2026, 3, 9)
NOW = dt.datetime(2026, 3, 20, 15, 0, tzinfo=dt.UTC)
ORG_NPI = "1234567893"
CLINICIAN_NPI = "1245319599"


def billing_ready(site: Site) -> Site:
    organization = site.organization
    organization.npi = ORG_NPI
    organization.tax_id = "043456789"
    organization.save()
    site.zip_code = "02108-1601"
    site.phone = "617-555-0100"
    site.save()
    return site


def make_payer(site: Site, name: str = "Sunrise Health Plan", kind: str = PayerKind.COMMERCIAL, **fields: Any) -> Payer:
    payer_id = fields.pop("payer_id", "".join(ch for ch in name.upper() if ch.isalnum())[:10])
    return Payer.objects.create(organization=site.organization, name=name, payer_id=payer_id, kind=kind, **fields)


def make_patient(
    site: Site, payer: Payer, *, diagnosis: str = "F10.20", counsellor_npi: str = CLINICIAN_NPI
) -> Episode:
    counsellor = staff(site)
    if counsellor_npi:
        ProviderNumber.objects.create(user=counsellor, npi=counsellor_npi, taxonomy="101YA0400X")
    episode = admitted(site, "Alex", "Rivera", primary_counsellor=counsellor)
    patient = episode.patient
    patient.street, patient.city, patient.state, patient.zip_code = "5 Elm Street", "Boston", "MA", "02110"
    patient.sex_at_birth = "female"
    patient.save()
    Coverage.objects.create(
        patient=patient, payer=payer, member_id=f"M{patient.pk:06d}", effective_date=dt.date(2026, 1, 1)
    )
    if diagnosis:
        from openiop.diagnoses.services import diagnosis_create

        diagnosis_create(
            actor=None,
            patient=patient,
            code=diagnosis,
            onset_date=dt.date(2025, 12, 1),
            episode=episode,
            is_primary=True,
        )
    return episode


def authorize(episode: Episode, units: int = 20, **fields: Any) -> Authorization:
    coverage = episode.patient.coverages.get()
    values: dict[str, Any] = {
        "number": f"AUTH{episode.pk:04d}",
        "service_code": "H0015",
        "units_authorized": units,
        "start_date": dt.date(2026, 3, 1),
        "end_date": dt.date(2026, 3, 31),
    }
    values.update(fields)
    return Authorization.objects.create(patient=episode.patient, coverage=coverage, episode=episode, **values)


def per_diem(episode: Episode, day: dt.date, **fields: Any) -> Charge:
    coverage = episode.patient.coverages.get()
    values: dict[str, Any] = {
        "patient": episode.patient,
        "episode": episode,
        "site": episode.site,
        "coverage": coverage,
        "payer": coverage.payer,
        "authorization": episode.patient.authorizations.first(),
        "service_date": day,
        "kind": ChargeKind.PER_DIEM,
        "code": "H0015",
        "revenue_code": "0906",
        "amount": Decimal("250.00"),
        "expected_amount": Decimal("180.00"),
        "status": ChargeStatus.READY,
    }
    values.update(fields)
    return Charge.objects.create(**values)


def week_of_days(episode: Episode, start: dt.date = MON, days: int = 3) -> list[Charge]:
    return [per_diem(episode, start + dt.timedelta(days=n)) for n in range(days)]


def sent_claim(
    episode: Episode, number: str, days: list[dt.date], *, amount: str = "250.00", professional: bool = False
) -> Claim:
    """A claim as if built and sent, with the sample files' control numbers."""
    coverage = episode.patient.coverages.get()
    claim = Claim.objects.create(
        patient=episode.patient,
        episode=episode,
        site=episode.site,
        payer=coverage.payer,
        coverage=coverage,
        claim_type="837P" if professional else "837I",
        frequency="1",
        patient_control_number=number,
        statement_start=min(days),
        statement_end=max(days),
        total=Decimal(amount) * len(days),
        status=ClaimStatus.SENT,
        group_control_number=None,
    )
    for index, day in enumerate(days, start=1):
        kind = {"kind": ChargeKind.PROFESSIONAL, "code": "90837", "revenue_code": ""} if professional else {}
        charge = per_diem(episode, day, status=ChargeStatus.BILLED, amount=Decimal(amount), **kind)
        ClaimLine.objects.create(
            claim=claim,
            charge=charge,
            code=charge.code,
            revenue_code=charge.revenue_code,
            amount=Decimal(amount),
            service_date=day,
            line_control_number=f"{number}-{index}",
        )
    return claim
