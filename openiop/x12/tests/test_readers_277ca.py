# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reading the 277CA samples."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from openiop.x12.claim_status import read_277ca
from openiop.x12.errors import X12Error

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text()


def test_it_reads_an_accepted_claim():
    (claim,) = read_277ca(sample("277ca_accepted.x12"))
    assert claim.patient_control_number == "IOP1007"
    assert claim.accepted
    assert [(s.category, s.code, s.entity) for s in claim.statuses] == [("A2", "20", "PR")]
    assert claim.description == "Accepted into adjudication: Accepted for processing (payer)"
    assert claim.action == "WQ"
    assert claim.amount == Decimal("750")
    assert claim.payer_claim_number == "SHP26021600009"
    assert (claim.patient_last_name, claim.patient_first_name) == ("RIVERA", "ALEX")
    assert claim.member_id == "SHP100200300"
    assert claim.billing_provider_id == "1234567893"
    assert (claim.service_from, claim.service_to) == (date(2026, 2, 16), date(2026, 2, 18))
    assert claim.status_date == date(2026, 1, 7)


def test_it_reads_rejected_claims_with_the_reason():
    first, second = read_277ca(sample("277ca_rejected.x12"))
    assert first.patient_control_number == "IOP1008"
    assert not first.accepted
    assert first.statuses[0].category == "A3"
    assert first.message == "MEMBER ID NOT FOUND FOR THIS DATE OF SERVICE"
    assert first.description == (
        "Returned as unprocessable: Missing or invalid information (subscriber). "
        "MEMBER ID NOT FOUND FOR THIS DATE OF SERVICE"
    )
    assert first.payer_claim_number == ""
    assert second.patient_control_number == "PRO2003"
    assert not second.accepted
    assert second.description == (
        "Rejected for invalid information: Entity's National Provider Identifier (NPI) (rendering provider)"
    )
    assert second.service_from == second.service_to == date(2026, 2, 17)


def test_a_reject_action_alone_rejects_the_claim():
    text = sample("277ca_accepted.x12").replace("STC*A2:20:PR*20260107*WQ", "STC*A2:20:PR*20260107*U")
    (claim,) = read_277ca(text)
    assert not claim.accepted


def test_a_provider_level_rejection_holds_for_its_claims():
    text = sample("277ca_accepted.x12").replace("STC*A1:19:PR**WQ", "STC*A3:562:85**U")
    (claim,) = read_277ca(text)
    assert not claim.accepted
    assert claim.statuses[-1].description.endswith("(billing provider)")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("TRN*2*IOP1007", "TRN*1*IOP1007"), "no patient control number (TRN*2)"),
        (("STC*A2:20:PR*20260107*WQ*750~\n", "QTY*90*1~\n"), "Claim IOP1007 in the 277CA has no status"),
        (("DTP*472*RD8*20260216-20260218", "DTP*472*RD8*20260216-2026021"), "service date “2026021”"),
        (("STC*A2:20:PR*20260107*WQ*750", "STC*A2:20:PR*20260107*WQ*7S0"), "claim amount “7S0”"),
        (("ST*277", "ST*276"), "holds no claim acknowledgment (277)"),
    ],
)
def test_malformed_277cas_are_refused(change, message):
    text = sample("277ca_accepted.x12")
    assert change[0] in text
    with pytest.raises(X12Error) as raised:
        read_277ca(text.replace(change[0], change[1]))
    assert message in str(raised.value)
