# SPDX-License-Identifier: AGPL-3.0-or-later
"""Secondary claims: after the primary's 835 posts with something left to
the patient (PR), the next claims_build bills the secondary coverage with
the primary's payment and adjustments, and pyx12 accepts the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from openiop.claims.models import Claim, ClaimStatus
from openiop.claims.services import claims_build
from openiop.claims.tests.builders import billing_ready, make_patient, make_payer, sent_claim
from openiop.insurance.models import Coverage, CoveragePriority
from openiop.insurance.services_eligibility import clearinghouse_file_import
from openiop.sites.models import Site
from openiop.x12.validate import validate

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[2] / "x12" / "samples"
JAN = dt.date(2026, 1, 1)


def test_a_partly_paid_primary_with_pr_is_billed_to_the_secondary_with_its_cob(north: Site) -> None:
    site = billing_ready(north)
    episode = make_patient(site, make_payer(site, payer_id="SHP01"))
    days = [JAN + dt.timedelta(days=11 + n) for n in range(3)]
    institutional = sent_claim(episode, "IOP1002", days)
    professional = sent_claim(episode, "PRO2001", [JAN + dt.timedelta(days=12)], amount="180.00", professional=True)
    secondary_payer = make_payer(site, "Second Chance Mutual", payer_id="SCM02")
    Coverage.objects.create(
        patient=episode.patient,
        payer=secondary_payer,
        priority=CoveragePriority.SECONDARY,
        member_id="SCM445566",
        effective_date=dt.date(2025, 6, 1),
    )
    assert claims_build(actor=None).built == []  # nothing to bill before the primary's answer

    outcome = clearinghouse_file_import("835.x12", (SAMPLES / "835_partially_paid.x12").read_text())
    assert outcome.accepted, outcome.message
    result = claims_build(actor=None)

    secondaries = {claim.primary_claim_id: claim for claim in result.built}
    assert set(secondaries) == {institutional.pk, professional.pk}, [c.problems for c in result.stopped]
    for claim in secondaries.values():
        assert (claim.payer, claim.status, claim.total) == (
            secondary_payer,
            ClaimStatus.BUILT,
            claim.primary_claim.total,
        )
    assert sorted(path.name[:4] for path in result.files) == ["837I", "837P"]
    for path in result.files:
        assert validate(path.read_text()) == [], path.name
    segments = [s.strip() for s in "~".join(path.read_text() for path in result.files).split("~")]
    # The secondary's own subscriber level, then the primary as the other payer.
    assert "SBR*S*18*******CI" in segments and "SBR*P*18*******CI" in segments
    assert "AMT*D*435" in segments and "AMT*EAF*165" in segments
    assert "SVD*SHP01*100*HC:H0015*0906*1" in segments
    assert "CAS*PR*1*100" in segments and "CAS*CO*45*50" in segments
    assert "DTP*573*D8*20260122" in segments
    assert "REF*F8*SHP26011200002" in segments
    # Nothing is billed to the secondary twice.
    assert claims_build(actor=None).built == []
    assert Claim.objects.filter(payer=secondary_payer).count() == 2
