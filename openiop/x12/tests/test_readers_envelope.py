# SPDX-License-Identifier: AGPL-3.0-or-later
"""The tokenizer and envelope checks shared by every reader."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from openiop.x12.eligibility import EligibilityRequest, Person, build_270
from openiop.x12.envelope import Envelope
from openiop.x12.errors import X12Error
from openiop.x12.reader import (
    hierarchical_levels,
    read_interchanges,
    read_transactions,
    split_loops,
    split_segments,
)

ISA = "ISA*00*          *00*          *ZZ*PAYER01        *ZZ*OPENIOP        *260105*1200*^*00501*000000042*0*T*:~"
BODY = [
    "GS*HP*PAYER01*OPENIOP*20260105*1200*7*X*005010X221A1",
    "ST*835*0001*005010X221A1",
    "BPR*I*100*C*ACH",
    "LX*1",
    "CLP*A*1*100*100",
    "SVC*HC:H0015*100*100",
    "LX*2",
    "CLP*B*1*0*0",
    "SE*8*0001",
    "GE*1*7",
    "IEA*1*000000042",
]


def interchange(body: list[str] | None = None, isa: str = ISA, joiner: str = "~\n") -> str:
    return isa + "\n" + joiner.join(body if body is not None else BODY) + "~\n"


def test_it_reads_delimiters_from_the_isa_header():
    text = ISA.replace("*", "|").replace("^", "!").replace(":", ">").replace("~", "'")
    body = [line.replace("*", "|").replace(":", ">") for line in BODY]
    delimiters, segments = split_segments(text + "\r\n" + "'\r\n".join(body) + "'")
    assert (delimiters.element, delimiters.component, delimiters.segment) == ("|", ">", "'")
    assert delimiters.repetition == "!"
    svc = next(s for s in segments if s.id == "SVC")
    assert svc.components(1) == ("HC", "H0015")
    assert svc.component(1, 2) == "H0015"
    assert svc[2] == "100"
    assert svc[9] == ""
    assert svc.position == 7


def test_it_reads_a_file_without_line_breaks_and_one_with_crlf():
    compact = interchange(joiner="~").replace("\n", "")
    crlf = interchange(joiner="~\r\n")
    for text in (compact, crlf):
        (transaction,) = read_transactions(text)
        assert transaction.set_id == "835"
        assert transaction.functional_id == "HP"
        assert transaction.version == "005010X221A1"
        assert transaction.group_control_number == "7"
        assert transaction.interchange_control_number == "000000042"
        assert [s.id for s in transaction.body] == ["BPR", "LX", "CLP", "SVC", "LX", "CLP"]


def test_it_reads_the_interchange_header():
    (found,) = read_interchanges(interchange())
    assert (found.sender_id, found.receiver_id, found.usage) == ("PAYER01", "OPENIOP", "T")


def test_split_loops_walks_loops_by_their_leading_segment():
    (transaction,) = read_transactions(interchange())
    before, loops = split_loops(transaction.body, ["LX"])
    assert [s.id for s in before] == ["BPR"]
    assert [[s.id for s in loop] for loop in loops] == [["LX", "CLP", "SVC"], ["LX", "CLP"]]
    _, until_second = split_loops(transaction.body, ["CLP"], stops=["LX"])
    assert until_second == []


def test_hierarchical_levels_link_children_to_parents():
    body = [
        "GS*HB*P*R*20260105*1200*1*X*005010X279A1",
        "ST*271*0001*005010X279A1",
        "HL*1**20*1",
        "HL*2*1*21*1",
        "HL*3*2*22*0",
        "NM1*IL*1*DOE*JANE",
        "SE*6*0001",
        "GE*1*1",
        "IEA*1*000000042",
    ]
    (transaction,) = read_transactions(interchange(body))
    levels = hierarchical_levels(transaction)
    assert [level.level_code for level in levels[2].ancestors()] == ["21", "20"]
    assert [s.id for s in levels[2].segments] == ["HL", "NM1"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "does not start with an ISA"),
        ("ISA*00*", "too short"),
        (interchange(isa=ISA.replace("*000000042", "|000000042")), "16 elements"),
        (interchange(BODY[:-1]), "ends before the interchange trailer (IEA)"),
        (interchange(BODY[:5]), "ends inside transaction set 835 0001"),
        (interchange(BODY[:9] + BODY[10:]), "group 7 has no GE trailer before IEA"),
        (interchange([*BODY[:8], "SE*7*0001", *BODY[9:]]), "SE says transaction set 0001 has 7"),
        (interchange([*BODY[:8], "SE*8*0002", *BODY[9:]]), "SE (0002) does not match the ST (0001)"),
        (interchange([*BODY[:9], "GE*2*7", *BODY[10:]]), "GE says group 7 holds 2"),
        (interchange([*BODY[:9], "GE*1*8", *BODY[10:]]), "GE (8) does not match the GS (7)"),
        (interchange([*BODY[:10], "IEA*2*000000042"]), "holds 2 functional group(s) but it holds 1"),
        (interchange([*BODY[:10], "IEA*1*000000043"]), "IEA (000000043) does not match"),
        (interchange([*BODY[:10], "IEA*one*000000042"]), "count in IEA (one) is not a number"),
        (interchange([*BODY[:4], "ST*835*0002", *BODY[4:]]), "has no SE trailer before ST"),
        (interchange(["BPR*I", *BODY]), "Expected a functional group (GS)"),
    ],
)
def test_malformed_or_truncated_files_are_refused_with_what_is_wrong(text, message):
    with pytest.raises(X12Error) as raised:
        read_interchanges(text)
    assert message in str(raised.value)


def test_the_error_names_the_segment_position():
    text = interchange([*BODY[:8], "SE*7*0001", *BODY[9:]])
    with pytest.raises(X12Error) as raised:
        read_interchanges(text)
    assert raised.value.segment_position == 10
    assert str(raised.value).endswith("(segment 10)")


def test_it_reads_a_file_whose_segment_terminator_is_a_newline_after_a_bom():
    text = "\ufeff" + interchange(joiner="~").replace("\n", "").replace("~", "\n")
    assert text[106] == "\n"
    (transaction,) = read_transactions(text)
    assert transaction.segments[-1].id == "SE"
    assert transaction.segments[-1][1] == "8"


def test_it_reads_two_interchanges_in_one_file():
    text = interchange() + interchange().replace("000000042", "000000043")
    assert [found.control_number for found in read_interchanges(text)] == [
        "000000042",
        "000000043",
    ]


def test_it_reads_the_270_our_writer_builds():
    """The writers' envelope and the reader agree on counts and control numbers."""
    request = EligibilityRequest(
        trace_number="OPENIOP-EC-1001",
        provider_name="OpenIOP Recovery Center",
        provider_npi="1234567893",
        payer_name="Sunrise Health Plan",
        payer_id="SHP01",
        subscriber=Person("Alex", "Rivera", date(1985, 3, 14), member_id="SHP100200300"),
        on=date(2026, 1, 5),
    )
    envelope = Envelope(
        sender_id="OPENIOP",
        receiver_id="SHP01",
        interchange_control_number=301,
        group_control_number=301,
        created=datetime(2026, 1, 5, 10, 30),
    )
    (transaction,) = read_transactions(build_270(request, envelope))
    assert (transaction.set_id, transaction.version) == ("270", "005010X279A1")
    assert transaction.interchange_control_number == "000000301"
    trn = next(s for s in transaction.body if s.id == "TRN")
    assert trn[2] == "OPENIOP-EC-1001"
