# SPDX-License-Identifier: AGPL-3.0-or-later
"""The tiny demo leaves claims in the outbox that pyx12 accepts, for each
kind of payer the demo bills, and a 999 and an 835 denial in the inbox that
import cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from openiop.claims.models import Claim, ClaimStatus
from openiop.insurance.services_eligibility import eligibility_inbox_import
from openiop.x12.reader import read_transactions
from openiop.x12.validate import validate

pytestmark = pytest.mark.django_db


def test_the_tiny_demo_builds_valid_claim_files_for_every_payer_kind_and_answers_to_import(
    _clearinghouse_in_tmp: Path,
) -> None:
    from openiop.core.demo import seed

    seed(size="tiny")

    files = sorted((_clearinghouse_in_tmp / "outbox").glob("837*.x12"))
    assert files, [claim.problems for claim in Claim.objects.all()[:5]]
    for path in files:
        text = path.read_text()
        assert read_transactions(text)[0].set_id == "837"
        assert validate(text) == [], path.name
    sent_kinds = set(Claim.objects.exclude(file_name="").values_list("payer__kind", flat=True))
    billed_kinds = set(Claim.objects.values_list("payer__kind", flat=True))
    assert sent_kinds == billed_kinds and {"commercial", "medicare"} <= sent_kinds
    assert {"837I"} <= set(Claim.objects.exclude(file_name="").values_list("claim_type", flat=True))

    outcomes = eligibility_inbox_import()

    assert sorted(o.kind for o in outcomes) == ["835", "999"] and all(o.accepted for o in outcomes), outcomes
    assert Claim.objects.filter(status=ClaimStatus.DENIED).count() == 1
    assert Claim.objects.filter(status=ClaimStatus.SENT).exists()
