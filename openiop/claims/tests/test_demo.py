# SPDX-License-Identifier: AGPL-3.0-or-later
"""The tiny demo leaves claims in every state, reached through the real 999,
277CA and 835 importers; every claim file it writes (837I and 837P, primary
and secondary, for each kind of payer billed) passes pyx12; and a 999 and an
835 denial wait in the inbox and import cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from openiop.claims.models import Claim, ClaimStatus, Posting
from openiop.insurance.services_eligibility import eligibility_inbox_import
from openiop.x12.reader import read_transactions
from openiop.x12.validate import validate

pytestmark = pytest.mark.django_db


def test_the_tiny_demo_leaves_claims_in_every_state_in_files_pyx12_accepts_and_answers_to_import(
    _clearinghouse_in_tmp: Path,
) -> None:
    from openiop.demo.program import seed

    seed(size="tiny")

    files = sorted((_clearinghouse_in_tmp / "outbox").glob("837*.x12"))
    assert files, [claim.problems for claim in Claim.objects.all()[:5]]
    for path in files:
        text = path.read_text()
        assert read_transactions(text)[0].set_id == "837"
        assert validate(text) == [], path.name
    written = Claim.objects.exclude(file_name="")
    assert {name[:4] for name in written.values_list("file_name", flat=True)} == {"837I", "837P"}
    sent_kinds = set(written.values_list("payer__kind", flat=True))
    billed_kinds = set(Claim.objects.values_list("payer__kind", flat=True))
    assert sent_kinds == billed_kinds and {"commercial", "medicare"} <= sent_kinds
    secondary = written.filter(primary_claim__isnull=False).get()
    assert secondary.primary_claim is not None and secondary.primary_claim.status == ClaimStatus.PARTIALLY_PAID
    statuses = set(Claim.objects.values_list("status", flat=True))
    assert {"built", "sent", "accepted", "rejected", "paid", "partial", "denied"} <= statuses, statuses
    assert Claim.objects.get(status=ClaimStatus.REJECTED).problems[0].startswith("277CA: ")
    assert Posting.objects.filter(is_reversal=True).exists()
    denied_before = Claim.objects.filter(status=ClaimStatus.DENIED).count()

    outcomes = eligibility_inbox_import()

    assert sorted(o.kind for o in outcomes) == ["835", "999"] and all(o.accepted for o in outcomes), outcomes
    assert Claim.objects.filter(status=ClaimStatus.DENIED).count() == denied_before + 1
    assert [c.problems for c in Claim.objects.filter(status=ClaimStatus.DENIED)].count(["CO-197"]) == 1
