# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reading the 271 samples and refusing malformed ones."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from openiop.x12.eligibility_response import (
    authorization_required,
    coinsurance,
    copay,
    deductible,
    deductible_remaining,
    describe_rejection,
    out_of_pocket_max,
    read_271,
)
from openiop.x12.errors import X12Error

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text()


def test_it_reads_active_coverage_with_iop_benefits():
    (response,) = read_271(sample("271_active.x12"))
    assert response.trace_number == "OPENIOP-EC-1001"
    assert response.payer_id == "SHP01"
    assert response.member_id == "SHP100200300"
    assert (response.first_name, response.last_name) == ("ALEX", "RIVERA")
    assert response.birth_date == date(1985, 3, 14)
    assert response.active is True
    assert response.rejections == []
    assert len(response.benefits) == 13
    first_copay = response.benefits[2]
    assert first_copay.code == "B"
    assert first_copay.service_types == ("AI", "MH")
    assert first_copay.coverage_level == "IND"
    assert first_copay.in_network is True
    assert first_copay.period == "7"
    assert first_copay.amount == Decimal("25")
    assert first_copay.authorization_required is True
    assert first_copay.message == "COPAY PER DAY OF INTENSIVE OUTPATIENT TREATMENT"


def test_helpers_give_the_in_network_figures_for_the_service_types_asked():
    (response,) = read_271(sample("271_active.x12"))
    assert copay(response) == Decimal("25")  # per day, not the $60 out of network
    assert copay(response, ("AI",)) == Decimal("25")
    assert coinsurance(response) == Decimal("20")  # 0.2 in the file, not 40% out of network
    assert authorization_required(response) is True


def test_helpers_fall_back_to_the_plan_level_figures():
    (response,) = read_271(sample("271_active.x12"))
    assert copay(response, ("A8",)) == Decimal("30")
    assert deductible(response) == Decimal("1000")  # individual, not the $2,000 family
    assert deductible_remaining(response) == Decimal("400")
    assert out_of_pocket_max(response) == Decimal("3000")
    assert authorization_required(response, ("BB",)) is None


def test_it_reads_an_inactive_dependent():
    (response,) = read_271(sample("271_inactive.x12"))
    assert response.trace_number == "OPENIOP-EC-1002"
    assert (response.first_name, response.last_name) == ("TAYLOR", "NGUYEN")
    assert response.member_id == "SHP700800000"  # the subscriber's, the dependent has none
    assert response.birth_date == date(2009, 9, 21)
    assert response.active is False
    assert response.benefits[0].message == "COVERAGE TERMINATED 12/31/2025"
    assert copay(response) is None


def test_it_reads_a_member_level_rejection_in_plain_words():
    (response,) = read_271(sample("271_rejected_member.x12"))
    assert response.trace_number == "OPENIOP-EC-1003"
    assert response.active is None
    (rejection,) = response.rejections
    assert rejection.code == "72"
    assert rejection.description == "The member (subscriber) ID is invalid or missing."
    assert rejection.follow_up.startswith("Please correct and resubmit.")


def test_a_payer_level_rejection_applies_to_the_person_below_it():
    (response,) = read_271(sample("271_rejected_payer.x12"))
    assert response.trace_number == "OPENIOP-EC-1004"
    assert [r.code for r in response.rejections] == ["42"]
    assert response.rejections[0].description == "The payer cannot respond at this time."


def test_a_rejection_with_no_one_answered_is_still_returned():
    text = sample("271_rejected_payer.x12")
    lines = text.splitlines()
    cut = lines.index("HL*3*2*22*0~")
    body = lines[:cut] + lines[cut + 3 :]
    body = [line.replace("SE*11*0001", "SE*8*0001") for line in body]
    (response,) = read_271("\n".join(body))
    assert response.payer_id == "SHP01"
    assert response.member_id == ""
    assert [r.code for r in response.rejections] == ["42"]


def test_a_receiver_level_rejection_is_read():
    # The same number of segments: the payer's AAA moves to the receiver (us).
    text = sample("271_rejected_payer.x12").replace("AAA*Y**42*R~\n", "")
    text = text.replace("XX*1234567893~", "XX*1234567893~\nAAA*N**43*N~")
    (response,) = read_271(text)
    assert [r.code for r in response.rejections] == ["43"]
    assert "Resubmission is not allowed." in response.rejections[0].follow_up


@pytest.mark.parametrize("code", ["15", "42", "43", "57", "58", "71", "72", "73", "75", "76", "79"])
def test_the_common_reject_reasons_have_plain_descriptions(code):
    rejection = describe_rejection(code, "C")
    assert "reason" not in rejection.description
    assert rejection.follow_up


def test_an_unknown_reject_reason_still_says_what_it_is():
    assert describe_rejection("Z9").description == "The payer rejected the request (reason Z9)."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("DMG*D8*19850314", "DMG*D8*19851314"), "birth date “19851314” in DMG"),
        (("EB*B*IND*AI^MH*PR**7*25", "EB*B*IND*AI^MH*PR**7*2X5"), "benefit amount “2X5”"),
        (("ST*271", "ST*270"), "holds no eligibility response (271); it holds 270"),
        (("005010X279A1~\nBHT", "004010X092A1~\nBHT"), "version 004010X092A1"),
        (("NM1*IL*1*RIVERA*ALEX****MI*SHP100200300", "REF*SY*X"), "has no name (NM1)"),
        (("HL*3*2*22*0", "HL*3*9*22*0"), "names parent 9"),
        (("HL*1**20*1~\n", "HL*1**21*1~\n"), "does not start with the payer"),
        (("SE*34*0001~", ""), "no SE trailer"),
    ],
)
def test_malformed_271s_are_refused_with_a_plain_message(change, message):
    text = sample("271_active.x12")
    assert change[0] in text
    with pytest.raises(X12Error) as raised:
        read_271(text.replace(change[0], change[1]))
    assert message in str(raised.value)
