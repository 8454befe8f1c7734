# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reading the 999 samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from openiop.x12.acknowledgement import read_999
from openiop.x12.errors import X12Error

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text()


def test_it_reads_an_accepted_group():
    (ack,) = read_999(sample("999_accepted.x12"))
    assert (ack.functional_id, ack.group_control_number, ack.version) == (
        "HC",
        "17",
        "005010X223A2",
    )
    assert ack.accepted
    assert ack.description == "Accepted"
    assert (ack.sets_included, ack.sets_received, ack.sets_accepted) == (1, 1, 1)
    (acknowledged,) = ack.sets
    assert (acknowledged.set_id, acknowledged.control_number) == ("837", "0001")
    assert acknowledged.accepted
    assert acknowledged.errors == []


def test_it_reads_a_rejected_set_with_plain_errors():
    (ack,) = read_999(sample("999_rejected.x12"))
    assert ack.group_control_number == "18"
    assert not ack.accepted
    assert ack.code == "P"
    assert ack.description.startswith("Partially accepted")
    assert (ack.sets_included, ack.sets_received, ack.sets_accepted) == (2, 2, 1)
    rejected, accepted = ack.sets
    assert rejected.control_number == "0001"
    assert not rejected.accepted
    assert accepted.control_number == "0002"
    assert accepted.accepted
    assert rejected.errors == [
        "One or more segments in error",
        "NM109: Invalid code value (“ABC-12”) [segment 24, loop 2010, CLM01 PRO2002]",
        "DTP03: Invalid date (“20261399”) [segment 41, loop 2400]",
    ]
    nm1 = rejected.problems[0]
    assert (nm1.segment_id, nm1.element_reference, nm1.code) == ("NM1", "67", "7")


def test_a_segment_error_without_element_detail_is_listed():
    text = sample("999_rejected.x12").replace("IK3*DTP*41*2400*8~\nIK4*3*1251*8*20261399~\n", "")
    text = text.replace("IK3*NM1*24*2010*8", "IK3*NM1*24*2010*3").replace("SE*13*", "SE*11*")
    (ack,) = read_999(text)
    assert ack.sets[0].errors[1] == ("NM1: Required segment missing [segment 24, loop 2010, CLM01 PRO2002]")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("AK9*P*2*2*1~", "AK9*P*2*two*1~"), "AK903 should be a count, not “two”"),
        (("AK1*HC*18*005010X222A1~\n", "REF*1~\n"), "which functional group it acknowledges"),
        (("IK5*A~", "CTX*X~"), "no response (IK5) for transaction set 0002"),
        (("AK9*P*2*2*1~", "IK5*A~"), "no group response (AK9)"),
    ],
)
def test_malformed_999s_are_refused(change, message):
    text = sample("999_rejected.x12")
    assert change[0] in text
    with pytest.raises(X12Error) as raised:
        read_999(text.replace(change[0], change[1]))
    assert message in str(raised.value)


def test_a_truncated_999_is_refused():
    with pytest.raises(X12Error, match="truncated"):
        read_999(sample("999_rejected.x12").split("AK9")[0])
