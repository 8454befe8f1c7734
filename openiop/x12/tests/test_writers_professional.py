# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from openiop.x12.claims import Address, Adjustment, LineAdjudication, PriorPayment, Provider, ServiceFacility
from openiop.x12.errors import X12Error
from openiop.x12.professional import ProfessionalClaim, ProfessionalLine, build_837p, claim_problems
from openiop.x12.tests.writers_factories import (
    ENVELOPE,
    MEDICARE,
    OTHER_SITE,
    RECEIVER,
    RENDERING,
    SUBMITTER,
    member,
    policy,
    professional_claim,
)
from openiop.x12.validate import validate


def build(*claims: ProfessionalClaim) -> str:
    return build_837p(submitter=SUBMITTER, receiver=RECEIVER, claims=list(claims), envelope=ENVELOPE)


def lines_of(text: str) -> list[str]:
    return [line.removesuffix("~") for line in text.splitlines()]


def test_a_psychotherapy_claim_at_the_facility_has_the_guide_s_parts_and_validates() -> None:
    out = build(professional_claim())
    assert validate(out) == []
    lines = lines_of(out)
    assert lines[1].endswith("*005010X222A1")
    start = lines.index("CLM*PRO0*330***57:B:1*Y*A*Y*I")
    assert lines[start + 1 :] == [
        "HI*ABK:F1120*ABF:F411",
        "NM1*82*1*HALE*JORDAN****XX*1679576722",
        "PRV*PE*PXC*101YA0400X",
        "LX*1",
        "SV1*HC:90837*180*UN*1***1:2",
        "DTP*472*D8*20260203",
        "LX*2",
        "SV1*HC:90847*150*UN*1***1",
        "DTP*472*D8*20260210",
        "REF*6R*P0-2",
        "SE*30*0001",
        "GE*1*5",
        "IEA*1*000000005",
    ]


@pytest.mark.parametrize(("place", "modifier"), [("57", ""), ("02", "95"), ("10", "95")])
def test_each_place_of_service_validates(place: str, modifier: str) -> None:
    modifiers = (modifier,) if modifier else ()
    claim = professional_claim(
        place_of_service=place,
        lines=(ProfessionalLine("90834", Decimal("140"), date(2026, 2, 4), modifiers=modifiers),),
    )
    out = build(claim)
    assert validate(out) == []
    lines = lines_of(out)
    assert f"CLM*PRO0*140***{place}:B:1*Y*A*Y*I" in lines
    assert ("SV1*HC:90834:95*140*UN*1***1" if modifier else "SV1*HC:90834*140*UN*1***1") in lines


def test_many_claims_across_sites_minutes_and_dependents_validate() -> None:
    child = member(50, first_name="Sam", birth_date=date(2010, 6, 1), sex="M", member_id="")
    claims = [professional_claim(number) for number in range(20)]
    claims.append(professional_claim(21, billing_provider=OTHER_SITE, policy=policy(21, patient=child, relation="19")))
    claims.append(
        professional_claim(
            22,
            lines=(ProfessionalLine("H0004", Decimal("60"), date(2026, 2, 5), units=Decimal(45), unit_basis="MJ"),),
        )
    )
    # A claim at the program (57) with a video visit from home and an audio-only one from elsewhere:
    # those lines name their own place (SV105); the in-person line does not repeat the claim's.
    telehealth = (
        ProfessionalLine("90837", Decimal("180"), date(2026, 2, 3), place_of_service="57"),
        ProfessionalLine("90834", Decimal("140"), date(2026, 2, 4), modifiers=("95",), place_of_service="10"),
        ProfessionalLine("90832", Decimal("90"), date(2026, 2, 5), modifiers=("93",), place_of_service="02"),
    )
    claims.append(professional_claim(23, lines=telehealth))
    out = build(*claims)
    assert validate(out) == []
    lines = lines_of(out)
    assert "SV1*HC:90837*180*UN*1***1" in lines and "CLM*PRO23*410***57:B:1*Y*A*Y*I" in lines
    assert "SV1*HC:90834:95*140*UN*1*10**1" in lines and "SV1*HC:90832:93*90*UN*1*02**1" in lines
    assert sum(line.startswith("CLM*") for line in lines) == 23
    assert "SV1*HC:H0004*60*MJ*45***1" in lines
    assert "PAT*19" in lines and "NM1*QC*1*PERSON50*SAM" in lines


def test_a_secondary_professional_claim_carries_the_primary_adjudication_and_validates() -> None:
    adjudicated = date(2026, 3, 2)
    claim = professional_claim(policy=policy(responsibility="S"))
    lines = (
        replace(
            claim.lines[0],
            adjudications=(
                LineAdjudication(
                    "MCRA1",
                    Decimal("100"),
                    adjudicated,
                    (Adjustment("CO", "45", Decimal(60)), Adjustment("PR", "2", Decimal(20))),
                ),
            ),
        ),
        replace(
            claim.lines[1],
            adjudications=(
                LineAdjudication("MCRA1", Decimal("0"), adjudicated, (Adjustment("CO", "97", Decimal(150)),)),
            ),
        ),
    )
    primary = PriorPayment(
        policy(0, payer=MEDICARE, group_number="", filing_indicator="MB"),
        paid=Decimal(100),
        adjudicated_on=adjudicated,
        remaining_patient_liability=Decimal(20),
    )
    out = build(replace(claim, lines=lines, prior_payments=(primary,)))
    assert validate(out) == []
    text_lines = lines_of(out)
    assert "SBR*S*18*G100******CI" in text_lines
    assert "SBR*P*18*******MB" in text_lines
    assert "SVD*MCRA1*100*HC:90837**1" in text_lines
    assert "CAS*CO*97*150" in text_lines


def test_a_void_names_the_original_claim_and_validates() -> None:
    with pytest.raises(X12Error, match="payer claim control number"):
        build(professional_claim(frequency="8"))
    out = build(professional_claim(frequency="8", payer_claim_control_number="ORIG-1"))
    assert validate(out) == []
    assert "CLM*PRO0*330***57:B:8*Y*A*Y*I" in lines_of(out) and "REF*F8*ORIG-1" in lines_of(out)


def _line(**overrides: object) -> tuple[ProfessionalLine, ...]:
    values: dict[str, object] = {"procedure_code": "90837", "charge": Decimal(180), "service_date": date(2026, 2, 3)}
    values.update(overrides)
    return (ProfessionalLine(**values),)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"lines": _line(service_date=None)}, "Claim PRO0 line 1 service date: is required"),
        ({"diagnoses": ()}, "at least one diagnosis"),
        ({"diagnoses": ("NOTACODE",)}, "principal diagnosis"),
        ({"diagnoses": tuple(f"F{n}0" for n in range(10, 23))}, "at most 12"),
        ({"rendering": None}, "rendering provider"),
        ({"rendering": replace(RENDERING, npi="1679576721")}, "rendering provider NPI"),
        ({"rendering": Provider("Hale", "J", "1679576722")}, "rendering provider taxonomy"),
        ({"lines": _line(diagnosis_pointers=(3,))}, "does not point at one of the claim's 2 diagnoses"),
        ({"lines": _line(diagnosis_pointers=(1, 2, 1))}, "different pointers"),
        ({"lines": _line(modifiers=("95", "GT", "HF", "HQ", "U1"))}, "modifiers"),
        ({"lines": _line(procedure_code="9083")}, "procedure code"),
        ({"lines": _line(unit_basis="DA")}, "unit basis"),
        ({"lines": _line(charge=Decimal(0))}, "charge"),
        ({"place_of_service": "5"}, "place of service"),
        ({"frequency": "2"}, "claim frequency"),
        ({"lines": ()}, "at least one service line"),
        ({"patient_control_number": "A B"}, "patient control number"),
    ],
)
def test_bad_professional_claims_are_refused_naming_what_to_fix(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(X12Error, match=message):
        build(professional_claim(**overrides))


def test_telehealth_from_a_site_names_the_site_as_service_facility_and_validates() -> None:
    site = ServiceFacility("Harbor North Clinic", Address("9 Lake Rd", "Peoria", "IL", "61602"))
    out = build(professional_claim(place_of_service="02", service_facility=site))
    assert validate(out) == []
    lines = lines_of(out)
    at = lines.index("NM1*77*2*HARBOR NORTH CLINIC")
    assert lines[at - 1] == "PRV*PE*PXC*101YA0400X"
    assert lines[at + 1 : at + 3] == ["N3*9 LAKE RD", "N4*PEORIA*IL*61602"]


def test_claim_problems_lists_the_professional_claims_that_cannot_be_written() -> None:
    good = professional_claim(1)
    no_rendering = professional_claim(2, rendering=None)
    found = claim_problems([good, no_rendering])
    assert [(claim.patient_control_number, message.split(":")[0]) for claim, message in found] == [
        ("PRO2", "Claim PRO2 rendering provider")
    ]
