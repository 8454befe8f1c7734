# SPDX-License-Identifier: AGPL-3.0-or-later
"""What happens to a claim's charges over its life: a rejected claim and an
accepted void give them back to be billed again; a corrected claim is
scrubbed like a new one; two builds at once never bill a charge twice."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from openiop.billing.models import Charge, ChargeStatus
from openiop.claims.models import Claim, ClaimLine, ClaimStatus, ProviderNumber
from openiop.claims.services import claims_build
from openiop.claims.services_replace import claim_replace
from openiop.claims.tests.builders import (
    MON,
    authorize,
    billing_ready,
    make_patient,
    make_payer,
    sent_claim,
    week_of_days,
)
from openiop.insurance.services_eligibility import clearinghouse_file_import
from openiop.patients.models import Episode
from openiop.sites.models import Site

SAMPLES = Path(__file__).resolve().parents[2] / "x12" / "samples"
JAN5 = dt.date(2026, 1, 5)


@pytest.fixture
def episode(north: Site) -> Episode:
    site = billing_ready(north)
    return make_patient(site, make_payer(site, payer_id="SHP01", authorization_required=False))


def load(name: str) -> None:
    outcome = clearinghouse_file_import(name, (SAMPLES / name).read_text())
    assert outcome.accepted, outcome.message


def statuses(claim: Claim) -> set[str]:
    return set(Charge.objects.filter(claim_lines__claim=claim).values_list("status", flat=True))


@pytest.mark.django_db
def test_a_claim_the_999_rejects_gives_its_charges_back_and_the_next_build_bills_them(episode: Episode) -> None:
    claim = sent_claim(episode, "PRO2002", [JAN5])
    Claim.objects.filter(pk=claim.pk).update(group_control_number=18)

    load("999_rejected.x12")

    assert statuses(claim) == {ChargeStatus.READY}
    rebuilt = claims_build(actor=None).built
    assert len(rebuilt) == 1 and rebuilt[0].pk != claim.pk
    assert statuses(rebuilt[0]) == {ChargeStatus.BILLED}
    claim.refresh_from_db()
    with pytest.raises(ValidationError, match="never reached adjudication"):
        claim_replace(actor=None, claim=claim, frequency="7")  # it is rebuilt instead


@pytest.mark.django_db
def test_an_accepted_void_gives_the_original_charges_back(episode: Episode) -> None:
    original = sent_claim(episode, "IOP1006", [JAN5, JAN5 + dt.timedelta(days=1)])
    void = Claim.objects.create(
        patient=original.patient,
        episode=original.episode,
        site=original.site,
        payer=original.payer,
        coverage=original.coverage,
        claim_type=original.claim_type,
        frequency="8",
        patient_control_number="IOP1007",
        statement_start=original.statement_start,
        statement_end=original.statement_end,
        total=original.total,
        status=ClaimStatus.SENT,
        replaces=original,
    )
    Claim.objects.filter(pk=original.pk).update(status=ClaimStatus.VOID)
    for line in original.lines.all():
        ClaimLine.objects.create(
            claim=void,
            charge=line.charge,
            code=line.code,
            revenue_code=line.revenue_code,
            amount=line.amount,
            service_date=line.service_date,
            line_control_number=f"IOP1007-{line.pk}",
        )
    assert statuses(original) == {ChargeStatus.BILLED}

    load("277ca_accepted.x12")

    void.refresh_from_db()
    assert void.status == ClaimStatus.ACCEPTED
    assert statuses(original) == {ChargeStatus.READY}


@pytest.mark.django_db
def test_a_corrected_claim_is_stopped_by_the_scrubber_and_the_original_stands(episode: Episode) -> None:
    claim = sent_claim(episode, "IOP1009", [JAN5])
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.DENIED, payer_claim_control_number="SHP999")
    claim.refresh_from_db()
    ProviderNumber.objects.all().delete()  # the attending provider's NPI is gone

    replacement = claim_replace(actor=None, claim=claim, frequency="7")

    assert replacement.status == ClaimStatus.SCRUBBER_REJECTED and replacement.file_name == ""
    assert any("NPI" in problem for problem in replacement.problems), replacement.problems
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DENIED  # not void: nothing went out


@pytest.mark.django_db
def test_a_corrected_claim_does_not_overlap_the_claim_it_replaces(episode: Episode) -> None:
    claim = sent_claim(episode, "IOP1010", [JAN5])
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.DENIED, payer_claim_control_number="SHP998")
    claim.refresh_from_db()

    replacement = claim_replace(actor=None, claim=claim, frequency="7")

    assert replacement.status == ClaimStatus.BUILT and replacement.file_name, replacement.problems


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once need PostgreSQL")
def test_two_builds_at_once_never_put_a_charge_on_two_claims(north: Site) -> None:
    site = billing_ready(north)
    payer = make_payer(site)
    episode = make_patient(site, payer)
    authorize(episode)
    week_of_days(episode, MON, days=4)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def build() -> None:
        try:
            barrier.wait()
            claims_build(actor=None)
        except BaseException as error:  # checked below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    live = ClaimLine.objects.exclude(claim__status=ClaimStatus.SCRUBBER_REJECTED)
    assert live.count() == 4 and live.values("charge_id").distinct().count() == 4
    assert Claim.objects.count() == 1
