# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reading the 835 samples, and refusing remittances that are malformed or do not balance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from openiop.x12.errors import X12Error
from openiop.x12.remittance import CARCS, describe_carc, next_step, read_835

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text()


def test_it_reads_a_claim_paid_in_full():
    (remittance,) = read_835(sample("835_paid_in_full.x12"))
    assert remittance.payer_name == "SUNRISE HEALTH PLAN"
    assert remittance.payer_id == "SHP01"
    assert (remittance.payee_name, remittance.payee_id) == ("OPENIOP RECOVERY CENTER", "1234567893")
    assert remittance.trace_number == "EFT20260115001"
    assert remittance.key == ("1371234567", "EFT20260115001")
    assert remittance.payment_amount == Decimal("750")
    assert remittance.payment_method == "ACH"
    assert remittance.payment_date == date(2026, 1, 15)
    assert remittance.interchange_control_number == "000000501"
    (claim,) = remittance.claims
    assert claim.patient_control_number == "IOP1001"
    assert (claim.status, claim.status_description) == ("1", "Processed as primary")
    assert (claim.charge, claim.paid, claim.patient_responsibility) == (750, 750, 0)
    assert claim.payer_claim_number == "SHP26010500001"
    assert (claim.facility_code, claim.frequency) == ("13", "1")
    assert (claim.patient_last_name, claim.patient_first_name) == ("RIVERA", "ALEX")
    assert claim.member_id == "SHP100200300"
    assert (claim.statement_from, claim.statement_to) == (date(2026, 1, 5), date(2026, 1, 7))
    assert len(claim.lines) == 3
    line = claim.lines[0]
    assert (line.qualifier, line.procedure, line.revenue_code) == ("HC", "H0015", "0906")
    assert (line.charge, line.paid, line.units) == (250, 250, 1)
    assert line.service_date == date(2026, 1, 5)
    assert line.control_number == "IOP1001-1"
    assert line.adjustments == ()


def test_it_reads_contractual_and_patient_responsibility_adjustments():
    (remittance,) = read_835(sample("835_partially_paid.x12"))
    assert remittance.payment_amount == Decimal("555")
    institutional, professional = remittance.claims
    assert (institutional.paid, institutional.patient_responsibility) == (435, 165)
    first, second, third = institutional.lines
    assert [(a.group, a.reason, a.amount) for a in first.adjustments] == [
        ("CO", "45", 50),
        ("PR", "1", 100),
    ]
    assert [(a.group, a.reason) for a in second.adjustments] == [("CO", "45"), ("PR", "2")]
    assert [(a.group, a.reason, a.amount) for a in third.adjustments][1] == ("PR", "3", 25)
    assert first.adjustments[1].description.startswith("Deductible")
    assert first.adjustments[1].next_step == ""
    assert professional.patient_control_number == "PRO2001"
    assert professional.facility_code == "11"
    (line,) = professional.lines
    assert (line.procedure, line.revenue_code, line.allowed) == ("90837", "", 150)
    assert sum(a.amount for a in professional.all_adjustments() if a.group == "PR") == 30


def test_it_reads_a_denial_with_its_reason_and_next_step():
    (remittance,) = read_835(sample("835_denied.x12"))
    assert remittance.payment_amount == 0
    assert remittance.payment_method == "NON"
    (claim,) = remittance.claims
    assert claim.is_denied
    assert claim.lines == ()
    (adjustment,) = claim.adjustments
    assert (adjustment.group, adjustment.reason, adjustment.amount) == ("CO", "197", 750)
    assert adjustment.description == "Prior authorization was absent."
    assert "REF*G1" in adjustment.next_step


def test_it_reads_a_reversal_and_the_corrected_payment():
    (remittance,) = read_835(sample("835_reversal_and_correction.x12"))
    reversal, correction, other = remittance.claims
    assert reversal.is_reversal
    assert reversal.patient_control_number == correction.patient_control_number == "IOP1001"
    assert (reversal.charge, reversal.paid) == (-750, -750)
    assert [line.units for line in reversal.lines] == [-1, -1, -1]
    assert (correction.paid, correction.payer_claim_number) == (700, "SHP26010500005")
    assert other.patient_control_number == "IOP1004"
    assert remittance.claims_paid == remittance.payment_amount == 450


def test_it_reads_provider_level_adjustments():
    (remittance,) = read_835(sample("835_provider_adjustment.x12"))
    interest, recovery = remittance.provider_adjustments
    assert (interest.reason, interest.reference, interest.amount) == ("L6", "INT20260212", -12.5)
    assert interest.description == "Interest owed"
    assert (recovery.reason, recovery.reference, recovery.amount) == ("WO", "SHP26010500001", 100)
    assert recovery.provider_id == "1234567893"
    assert recovery.fiscal_period_end == date(2026, 12, 31)
    assert remittance.payment_amount == Decimal("662.5")


def test_a_remittance_that_does_not_balance_is_refused_with_both_figures():
    with pytest.raises(X12Error) as raised:
        read_835(sample("835_unbalanced.x12"))
    message = str(raised.value)
    assert "does not balance" in message
    assert "the payment (BPR02) is $800.00" in message
    assert "is $750.00" in message


def test_a_missing_provider_adjustment_unbalances_the_file():
    text = sample("835_provider_adjustment.x12")
    text = text.replace("PLB*1234567893*20261231*L6:INT20260212*-12.5*WO:SHP26010500001*100~\n", "")
    text = text.replace("SE*28*0001", "SE*27*0001")
    with pytest.raises(X12Error, match=r"\$662.50 but the claims paid \$750.00 less \$0.00"):
        read_835(text)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("CAS*CO*45*50~\nCAS*PR*1", "CAS*CR*45*50~\nCAS*PR*1"), "group “CR” is not one of CO"),
        (("CAS*PR*1*100", "CAS*PR*1*90"), "Service line IOP1002-1 does not balance"),
        (("CLP*IOP1002*1*750*435", "CLP*IOP1002*1*740*435"), "Claim IOP1002 does not balance"),
        (("SVC*HC:H0015*250*100", "SVC*H0015*250*100"), "not a qualifier and a code"),
        (("BPR*I*555", "BPR*I*5X5"), "payment amount “5X5” in BPR"),
        (("DTM*472*20260112", "DTM*472*20260132"), "service date “20260132”"),
        (("TRN*1*EFT20260122002*1371234567", "REF*EV*X"), "no check or EFT trace number"),
        (("N1*PE*", "N1*XX*"), "does not name both the payer"),
    ],
)
def test_malformed_835s_are_refused_with_a_plain_message(change, message):
    text = sample("835_partially_paid.x12")
    assert change[0] in text
    with pytest.raises(X12Error) as raised:
        read_835(text.replace(change[0], change[1]))
    assert message in str(raised.value)


def test_another_kind_of_file_is_not_read_as_a_remittance():
    with pytest.raises(X12Error, match=r"holds no remittance advice \(835\); it holds 999"):
        read_835(sample("999_accepted.x12"))


def test_a_truncated_835_is_refused():
    text = sample("835_partially_paid.x12")
    with pytest.raises(X12Error, match="truncated"):
        read_835(text[: len(text) // 2])


@pytest.mark.parametrize("code", ["1", "2", "3", "16", "18", "27", "29", "45", "50", "96", "97"])
def test_the_carcs_in_the_domain_notes_have_descriptions(code):
    assert code in CARCS
    assert "see the X12 CARC list" not in describe_carc(code)


@pytest.mark.parametrize("code", ["16", "18", "27", "29", "50", "96", "97", "119", "197", "198"])
def test_every_denial_carc_has_a_next_step(code):
    assert next_step(code)


def test_adjustments_that_are_not_denials_have_no_next_step():
    assert [next_step(code) for code in ("1", "2", "3", "45")] == ["", "", "", ""]
    assert describe_carc("999") == "Adjustment reason 999 (see the X12 CARC list)."
