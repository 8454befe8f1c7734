# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from openiop.x12.eligibility import EligibilityRequest, Person, build_270
from openiop.x12.envelope import Envelope
from openiop.x12.errors import X12Error

ENVELOPE = Envelope(
    sender_id="OPENIOP",
    receiver_id="CLEARHOUSE",
    interchange_control_number=101,
    group_control_number=101,
    created=datetime(2026, 3, 9, 8, 30),
)
SUBSCRIBER = Person("Maria", "Lopez", date(1980, 5, 17), member_id="XEH123456789", sex="F")


def request(**overrides: object) -> EligibilityRequest:
    values: dict[str, object] = {
        "trace_number": "ELIG-17",
        "provider_name": "Harbor Recovery IOP",
        "provider_npi": "1234567893",
        "payer_name": "Blue Plan",
        "payer_id": "BP001",
        "subscriber": SUBSCRIBER,
        "on": date(2026, 3, 9),
    }
    values.update(overrides)
    return EligibilityRequest(**values)  # type: ignore[arg-type]


def segments(text: str) -> list[str]:
    assert text.endswith("~\n")
    return [line.removesuffix("~") for line in text.splitlines()]


def transaction(text: str) -> list[str]:
    lines = segments(text)
    start = next(i for i, line in enumerate(lines) if line.startswith("ST*"))
    end = next(i for i, line in enumerate(lines) if line.startswith("SE*"))
    return lines[start : end + 1]


def test_a_subscriber_asking_about_themselves_gets_every_question_at_the_subscriber_level() -> None:
    out = build_270(request(), ENVELOPE)
    lines = segments(out)
    assert lines[1] == "GS*HS*OPENIOP*CLEARHOUSE*20260309*0830*101*X*005010X279A1"
    assert transaction(out) == [
        "ST*270*0001*005010X279A1",
        "BHT*0022*13*ELIG-17*20260309*0830",
        "HL*1**20*1",
        "NM1*PR*2*BLUE PLAN*****PI*BP001",
        "HL*2*1*21*1",
        "NM1*1P*2*HARBOR RECOVERY IOP*****XX*1234567893",
        "HL*3*2*22*0",
        "TRN*1*ELIG-17*9234567893",
        "NM1*IL*1*LOPEZ*MARIA****MI*XEH123456789",
        "DMG*D8*19800517*F",
        "DTP*291*D8*20260309",
        "EQ*AI",
        "EQ*MH",
        "SE*14*0001",
    ]
    assert lines[-2:] == ["GE*1*101", "IEA*1*000000101"]


@pytest.mark.parametrize(("relation", "label"), [("19", "child"), ("01", "spouse")])
def test_a_dependent_is_asked_about_at_its_own_level_under_the_subscriber(relation: str, label: str) -> None:
    dependent = Person("Ana", "Lopez", date(2009, 1, 2), sex="F")
    out = build_270(request(patient=dependent, relation=relation, service_types=("AI",)), ENVELOPE)
    body = transaction(out)
    assert body[6:] == [
        "HL*3*2*22*1",
        "NM1*IL*1*LOPEZ*MARIA****MI*XEH123456789",
        "DMG*D8*19800517*F",
        "HL*4*3*23*0",
        "TRN*1*ELIG-17*9234567893",
        "NM1*03*1*LOPEZ*ANA",
        "DMG*D8*20090102*F",
        f"INS*N*{relation}",
        "DTP*291*D8*20260309",
        "EQ*AI",
        f"SE*{len(body)}*0001",
    ], label
    # No question is asked at the subscriber level when the dependent is the patient.
    subscriber_level = body[6:9]
    assert not any(line.startswith(("TRN", "EQ", "DTP")) for line in subscriber_level)


def test_the_subscriber_birth_date_may_be_unknown_when_the_dependent_is_the_patient() -> None:
    dependent = Person("Ana", "Lopez", date(2009, 1, 2))
    asked = request(subscriber=replace(SUBSCRIBER, birth_date=None), patient=dependent, relation="19")
    body = transaction(build_270(asked, ENVELOPE))
    assert "NM1*IL*1*LOPEZ*MARIA****MI*XEH123456789" in body
    assert sum(line.startswith("DMG") for line in body) == 1
    assert "DMG*D8*20090102" in body


def test_repeated_service_types_are_asked_once_and_an_own_originator_id_is_used() -> None:
    body = transaction(
        build_270(request(service_types=("ai", "AI", "30"), originating_company_id="1123456789"), ENVELOPE)
    )
    assert [line for line in body if line.startswith("EQ")] == ["EQ*AI", "EQ*30"]
    assert "TRN*1*ELIG-17*1123456789" in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"provider_npi": "1234567890"}, "Provider NPI"),
        ({"subscriber": replace(SUBSCRIBER, member_id="XEH 1234")}, "Subscriber member ID"),
        ({"subscriber": replace(SUBSCRIBER, member_id="")}, "Subscriber member ID"),
        ({"subscriber": replace(SUBSCRIBER, last_name="LOPEZ*GARCIA")}, "Subscriber last name"),
        ({"subscriber": replace(SUBSCRIBER, birth_date=None)}, "Subscriber date of birth"),
        ({"subscriber": replace(SUBSCRIBER, sex="X")}, "Subscriber sex"),
        ({"trace_number": "T~1"}, "Trace number"),
        ({"payer_id": ""}, "Payer ID"),
        ({"relation": "19"}, "Relation"),
        ({"patient": Person("Ana", "Lopez", None), "relation": "19"}, "Patient date of birth"),
        ({"patient": Person("Ana", "Lopez", date(2009, 1, 2)), "relation": "18"}, "relationship"),
        ({"service_types": ()}, "Service types"),
        ({"service_types": ("ABC",)}, "Service types"),
        ({"originating_company_id": "5123456789"}, "Originating company ID"),
    ],
)
def test_bad_requests_are_refused_naming_what_to_fix(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(X12Error, match=message):
        build_270(request(**overrides), ENVELOPE)
