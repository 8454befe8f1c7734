# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from openiop.x12.claims import Address, Adjustment, LineAdjudication, PriorPayment, Provider, ServiceFacility
from openiop.x12.errors import X12Error
from openiop.x12.institutional import InstitutionalLine, build_837i, claim_problems
from openiop.x12.tests.writers_factories import (
    ENVELOPE,
    MEDICARE,
    OTHER_SITE,
    RECEIVER,
    SUBMITTER,
    institutional_claim,
    member,
    policy,
)
from openiop.x12.validate import validate


def build(*claims: object) -> str:
    return build_837i(submitter=SUBMITTER, receiver=RECEIVER, claims=list(claims), envelope=ENVELOPE)  # type: ignore[arg-type]


def lines_of(text: str) -> list[str]:
    return [line.removesuffix("~") for line in text.splitlines()]


def test_a_commercial_per_diem_claim_has_every_part_of_the_guide_and_validates() -> None:
    out = build(institutional_claim(days=3))
    assert validate(out) == []
    lines = lines_of(out)
    assert lines[1].startswith("GS*HC*OPENIOP*CLEARHOUSE*") and lines[1].endswith("*005010X223A2")
    start = lines.index("CLM*PCN0*750***89:A:2**A*Y*I")
    assert lines[3:start] == [
        "BHT*0019*00*5*20260309*0900*CH",
        "NM1*41*2*OPENIOP RECOVERY*****46*OPENIOP01",
        "PER*IC*BILLING OFFICE*TE*5552013000",
        "NM1*40*2*CLEARING HOUSE*****46*CLEARHOUSE",
        "HL*1**20*1",
        "PRV*BI*PXC*261QR0405X",
        "NM1*85*2*HARBOR RECOVERY IOP*****XX*1234567893",
        "N3*100 MAIN ST",
        "N4*SPRINGFIELD*IL*627011234",
        "REF*EI*123456789",
        "HL*2*1*22*0",
        "SBR*P*18*G100******CI",
        "NM1*IL*1*PERSON0*PAT****MI*M000000",
        "N3*1 ELM ST",
        "N4*SPRINGFIELD*IL*62701",
        "DMG*D8*19850101*F",
        "NM1*PR*2*SUNRISE HEALTH PLAN*****PI*SHP01",
    ]
    assert lines[start + 1 : start + 16] == [
        "DTP*434*RD8*20260202-20260206",
        "DTP*435*DT*202601200900",
        "CL1*3*1*30",
        "REF*G1*AUTH-1",
        "HI*ABK:F1120",
        "HI*ABF:F1020*ABF:F329",
        "NM1*71*1*GREY*MEREDITH****XX*1245319599",
        "PRV*AT*PXC*2084P0800X",
        "LX*1",
        "SV2*0906*HC:H0015*250*UN*1",
        "DTP*472*D8*20260202",
        "REF*6R*L0-1",
        "LX*2",
        "SV2*0906*HC:H0015*250*UN*1",
        "DTP*472*D8*20260204",
    ]
    set_lines = lines[lines.index("ST*837*0001*005010X223A2") : lines.index("SE*40*0001") + 1]
    assert len(set_lines) == 40 and lines[-3:] == ["SE*40*0001", "GE*1*5", "IEA*1*000000005"]


def test_many_claims_are_grouped_per_billing_provider_and_subscriber_and_validate() -> None:
    claims = [institutional_claim(number, days=2) for number in range(6)]
    # Two claims for the same subscriber share one subscriber level.
    claims.append(institutional_claim(0, days=2, patient_control_number="PCN0B"))
    claims += [institutional_claim(number, days=2, billing_provider=OTHER_SITE) for number in range(6, 9)]
    # A subscriber with more than 100 claims gets a second subscriber level.
    claims += [institutional_claim(99, days=1, patient_control_number=f"BULK{n}") for n in range(101)]
    out = build(*claims)
    assert validate(out) == []
    lines = lines_of(out)
    # Provider 1 holds subscribers 0-5 (levels 2-7) and 99 twice (8, 9); the other site is level 10.
    assert [line for line in lines if line.startswith("HL*") and line.endswith("*20*1")] == [
        "HL*1**20*1",
        "HL*10**20*1",
    ]
    subscriber_levels = [line for line in lines if "*22*" in line and line.startswith("HL*")]
    assert len(subscriber_levels) == 6 + 2 + 3
    assert sum(line.startswith("CLM*") for line in lines) == len(claims)
    first_subscriber = lines.index("NM1*IL*1*PERSON0*PAT****MI*M000000")
    next_level = next(i for i in range(first_subscriber, len(lines)) if lines[i].startswith("HL*"))
    assert [line for line in lines[first_subscriber:next_level] if line.startswith("CLM*")] == [
        "CLM*PCN0*500***89:A:2**A*Y*I",
        "CLM*PCN0B*500***89:A:2**A*Y*I",
    ]


def test_a_medicare_claim_carries_condition_code_92_and_validates() -> None:
    claim = institutional_claim(
        days=4,
        policy=policy(payer=MEDICARE, group_number="", filing_indicator="MA"),
        facility_code="13",
        frequency="1",
        patient_status="01",
        condition_codes=("92",),
        prior_authorization="",
    )
    out = build(claim)
    assert validate(out) == []
    lines = lines_of(out)
    assert "SBR*P*18*******MA" in lines
    assert "HI*BG:92" in lines
    assert "CLM*PCN0*1000***13:A:1**A*Y*I" in lines
    assert "CL1*3*1*01" in lines
    assert "N3*PO BOX 100" in lines
    assert not any(line.startswith("REF*G1") for line in lines)


def test_reasons_for_visit_follow_the_principal_diagnosis_and_validate() -> None:
    out = build(institutional_claim(days=1, reasons_for_visit=("F11.20", "f11.20", "R45.851")))
    assert validate(out) == []
    lines = lines_of(out)
    at = lines.index("HI*ABK:F1120")
    assert lines[at + 1 : at + 3] == ["HI*APR:F1120*APR:R45851", "HI*ABF:F1020*ABF:F329"]
    with pytest.raises(X12Error, match="at most 3"):
        build(institutional_claim(reasons_for_visit=("F1120", "F1020", "F329", "F411")))


def test_a_dependent_patient_gets_its_own_level_under_the_subscriber_and_validates() -> None:
    child = member(7, first_name="Sam", birth_date=date(2009, 4, 1), sex="M", member_id="")
    claim = institutional_claim(days=2, policy=policy(3, patient=child, relation="19"))
    out = build(claim)
    assert validate(out) == []
    lines = lines_of(out)
    at = lines.index("HL*2*1*22*1")
    assert lines[at + 1] == "SBR*P**G100******CI"
    assert lines[at + 2] == "NM1*IL*1*PERSON3*PAT****MI*M000003"
    patient_level = lines.index("HL*3*2*23*0")
    assert lines[patient_level : patient_level + 6] == [
        "HL*3*2*23*0",
        "PAT*19",
        "NM1*QC*1*PERSON7*SAM",
        "N3*1 ELM ST",
        "N4*SPRINGFIELD*IL*62701",
        "DMG*D8*20090401*M",
    ]
    assert lines[patient_level + 6].startswith("CLM*PCN0*")


def secondary_claim(*, paid_per_line: Decimal = Decimal("180"), patient_share: Decimal = Decimal("20")) -> object:
    primary = policy(0, payer=MEDICARE, group_number="", filing_indicator="MA")
    adjudicated = date(2026, 3, 1)
    served = institutional_claim(days=2)
    lines = tuple(
        replace(
            line,
            adjudications=(
                LineAdjudication(
                    "MCRA1",
                    paid_per_line,
                    adjudicated,
                    adjustments=(
                        Adjustment("CO", "45", Decimal("250") - paid_per_line - patient_share),
                        Adjustment("PR", "2", patient_share),
                    ),
                ),
            ),
        )
        for line in served.lines
    )
    return replace(
        served,
        policy=policy(0, responsibility="S"),
        lines=lines,
        prior_payments=(
            PriorPayment(
                primary,
                paid=paid_per_line * 2,
                adjudicated_on=adjudicated,
                remaining_patient_liability=patient_share * 2,
                claim_control_number="MCR-778899",
            ),
        ),
    )


def test_a_secondary_claim_carries_the_primary_payment_and_adjustments_and_validates() -> None:
    out = build(secondary_claim())
    assert validate(out) == []
    lines = lines_of(out)
    assert "SBR*S*18*G100******CI" in lines
    at = lines.index("SBR*P*18*******MA")
    assert lines[at : at + 7] == [
        "SBR*P*18*******MA",
        "AMT*D*360",
        "AMT*EAF*40",
        "OI***Y***I",
        "NM1*IL*1*PERSON0*PAT****MI*M000000",
        "NM1*PR*2*MEDICARE PART A*****PI*MCRA1",
        "N3*PO BOX 100",
    ]
    assert "REF*F8*MCR-778899" in lines
    first_line = lines.index("SV2*0906*HC:H0015*250*UN*1")
    assert lines[first_line + 3 : first_line + 6] == [
        "SVD*MCRA1*180*HC:H0015*0906*1",
        "CAS*CO*45*50",
        "CAS*PR*2*20",
    ]
    assert lines[first_line + 6] == "DTP*573*D8*20260301"


def test_a_secondary_claim_that_does_not_balance_is_refused() -> None:
    claim = secondary_claim()
    unbalanced = replace(
        claim,
        prior_payments=(replace(claim.prior_payments[0], paid=Decimal("300")),),  # type: ignore[attr-defined]
    )
    with pytest.raises(X12Error, match="add up to the claim's paid amount"):
        build(unbalanced)


def test_an_empty_batch_and_a_patient_control_number_used_twice_are_refused() -> None:
    with pytest.raises(X12Error, match="at least one claim"):
        build()
    with pytest.raises(X12Error, match="Claim PCN0: the patient control number appears twice"):
        build(institutional_claim(0, days=1), institutional_claim(1, days=1, patient_control_number="pcn0"))


def test_a_replacement_claim_must_name_the_claim_it_replaces() -> None:
    with pytest.raises(X12Error, match="payer claim control number"):
        build(institutional_claim(days=1, frequency="7"))
    out = build(institutional_claim(days=1, frequency="7", payer_claim_control_number="PAYER-123"))
    assert "REF*F8*PAYER-123" in lines_of(out)
    assert validate(out) == []


def _without_date(claim: object) -> object:
    lines = list(claim.lines)  # type: ignore[attr-defined]
    lines[1] = replace(lines[1], service_date=None)
    return replace(claim, lines=tuple(lines))  # type: ignore[type-var]


@pytest.mark.parametrize(
    ("claim", "message"),
    [
        (_without_date(institutional_claim(days=3)), "Claim PCN0 line 2 service date: is required"),
        (institutional_claim(attending=Provider("Grey", "M", "1245319590")), "attending provider NPI"),
        (institutional_claim(attending=None), "attending provider"),
        (institutional_claim(principal_diagnosis=""), "principal diagnosis"),
        (institutional_claim(other_diagnoses=("F11.2*",)), "other diagnosis"),
        (institutional_claim(lines=()), "at least one service line"),
        (institutional_claim(total=Decimal("1")), "does not equal the sum of its lines"),
        (institutional_claim(statement_start=date(2026, 2, 5)), "outside the claim's statement dates"),
        (
            institutional_claim(policy=policy(subscriber=member(0, last_name="O~BRIEN"))),
            "Claim PCN0 subscriber last name",
        ),
        (institutional_claim(policy=policy(subscriber=member(0, address=None))), "Claim PCN0 subscriber address"),
        (
            institutional_claim(lines=(InstitutionalLine("906", "H0015", Decimal(250), date(2026, 2, 2)),)),
            "revenue code",
        ),
        (institutional_claim(facility_code="131"), "facility code"),
        (institutional_claim(frequency="9"), "claim frequency"),
        (institutional_claim(frequency="3", patient_status="01"), "interim claim .frequency 3. carries status 30"),
        (institutional_claim(condition_codes=("920",)), "condition code"),
        (institutional_claim(policy=policy(filing_indicator="XX")), "Claim PCN0 claim filing indicator"),
        (institutional_claim(policy=policy(relation="19")), "Claim PCN0 relation"),
    ],
)
def test_bad_claims_are_refused_naming_what_to_fix(claim: object, message: str) -> None:
    with pytest.raises(X12Error, match=message):
        build(claim)


def test_a_bad_billing_provider_is_refused() -> None:
    from openiop.x12.tests.writers_factories import BILLING

    for provider, message in [
        (replace(BILLING, npi="1234567890"), "Claim PCN0 billing provider NPI"),
        (replace(BILLING, tax_id="12345"), "tax ID"),
        (replace(BILLING, address=replace(BILLING.address, postal_code="62701")), "ZIP code"),
        (replace(BILLING, address=replace(BILLING.address, state="XX")), "state"),
    ]:
        with pytest.raises(X12Error, match=message):
            build(institutional_claim(billing_provider=provider))


def test_validate_reports_structural_errors_as_sentences() -> None:
    out = build(institutional_claim(days=2))
    broken = out.replace("CL1*3*1*30~\n", "").replace("*UN*1~", "*XX*1~", 1)
    broken = broken.replace("NM1*IL*1*PERSON0*PAT", "NM1*IL*1*" + "A" * 70 + "*PAT")
    problems = validate(broken)
    assert any("CL1" in problem and "missing" in problem for problem in problems)
    assert any(problem.startswith("Line ") and "SV204" in problem and "XX" in problem for problem in problems)
    assert any("NM103" in problem and "too long" in problem for problem in problems)
    assert any("SE count" in problem for problem in problems)


def test_validate_refuses_text_it_cannot_check() -> None:
    assert validate("hello") == ["The file does not start with an ISA segment, so it is not an X12 interchange."]
    truncated = build(institutional_claim(days=2))
    assert any("missing" in problem for problem in validate(truncated[: len(truncated) // 2]))
    no_map = validate(truncated.replace("005010X223A2", "005010X279A1"))
    assert len(no_map) == 1 and "no map" in no_map[0]


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_validation_writes_no_file_and_keeps_patient_data_out_of_the_application_logs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = build(institutional_claim(days=1))
    broken = out.replace("N3*1 ELM ST~", "ZZ*PERSON0 SECRET~", 1)
    collector = _Collector()
    logging.getLogger().addHandler(collector)  # where the application's log handlers live
    try:
        problems = validate(broken)
    finally:
        logging.getLogger().removeHandler(collector)
    assert any("ZZ*PERSON0 SECRET" in problem for problem in problems)
    assert list(tmp_path.iterdir()) == []
    assert not any("SECRET" in message for message in collector.messages)


def test_validation_gives_the_same_answer_every_time_with_the_maps_loaded_once() -> None:
    out = build(institutional_claim(days=2))
    broken = out.replace("CL1*3*1*30~\n", "")
    first = validate(broken)
    assert first and validate(out) == []
    assert validate(broken) == first
    assert validate(out) == []


def test_a_site_other_than_the_billing_address_is_the_service_facility_and_validates() -> None:
    site = ServiceFacility("Harbor North Clinic", Address("9 Lake Rd", "Peoria", "IL", "61602"), npi="1679576722")
    out = build(institutional_claim(days=1, service_facility=site, release_of_information="Y"))
    assert validate(out) == []
    lines = lines_of(out)
    at = lines.index("NM1*77*2*HARBOR NORTH CLINIC*****XX*1679576722")
    assert lines[at - 2].startswith("NM1*71*") and lines[at + 1 : at + 3] == ["N3*9 LAKE RD", "N4*PEORIA*IL*61602"]
    assert lines[lines.index("CL1*3*1*30") - 3].endswith("**A*Y*Y")
    with pytest.raises(X12Error, match="release of information"):
        build(institutional_claim(release_of_information="N"))
    with pytest.raises(X12Error, match="service facility NPI"):
        build(institutional_claim(service_facility=ServiceFacility("X Clinic", site.address, npi="1")))


def test_claim_problems_names_each_claim_that_cannot_be_written_so_the_rest_can_go() -> None:
    good = institutional_claim(1, days=1)
    no_date = _without_date(institutional_claim(2, days=3))
    bad_member = institutional_claim(3, policy=policy(3, subscriber=member(3, member_id="AB CD")))
    found = claim_problems([good, no_date, bad_member])  # type: ignore[list-item]
    assert [(claim.patient_control_number, message) for claim, message in found] == [
        ("PCN2", "Claim PCN2 line 2 service date: is required and is missing."),
        ("PCN3", "Claim PCN3 subscriber member ID: 'AB CD' may hold only letters, digits and hyphens."),
    ]
    assert claim_problems([good]) == []


def test_parallel_validation_finds_the_same_problems_on_the_same_lines() -> None:
    claims = [institutional_claim(number, days=2) for number in range(7)]
    out = build_837i(submitter=SUBMITTER, receiver=RECEIVER, claims=claims, envelope=ENVELOPE, claims_per_transaction=2)
    lines = out.splitlines()
    assert sum(line.startswith("ST*837*") for line in lines) == 4
    assert validate(out, workers=2) == []
    status_lines = [index for index, line in enumerate(lines) if line == "CL1*3*1*30~"]
    for index in (status_lines[0], status_lines[5]):  # in the first and the third set
        lines[index] = "CL1*3*1*3000~"
    broken = "\n".join(lines) + "\n"
    found = validate(broken, workers=2)
    assert found == validate(broken)
    assert [problem.split(",")[0] for problem in found] == [
        f"Line {status_lines[0] + 1}",
        f"Line {status_lines[5] + 1}",
    ]


def test_parallel_validation_leaves_a_file_whose_trailers_do_not_match_to_pyx12_whole() -> None:
    claims = [institutional_claim(number, days=1) for number in range(4)]
    out = build_837i(submitter=SUBMITTER, receiver=RECEIVER, claims=claims, envelope=ENVELOPE, claims_per_transaction=2)
    wrong_count = out.replace("GE*2*5~", "GE*3*5~")
    assert validate(wrong_count, workers=2) == validate(wrong_count) != []
    assert validate(build(institutional_claim(days=1)), workers=2) == []  # one set: validated whole
