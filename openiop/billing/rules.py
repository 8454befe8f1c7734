# SPDX-License-Identifier: AGPL-3.0-or-later
"""Billing's pure rules: the codes the program bills, why a charge is held,
the per-diem rule a payer sets, and which code a psychotherapy session gets
by its minutes. Plain values in, plain values out; no database.

Self-pay is not a hold. A day with no coverage in force is charged to the
patient (the charge is ready, with no payer; next issue's ledger, sliding fee
and payment plans take it from there), so "no coverage" is a hold only where
it means something is missing for a claim: a patient whose episode needs a
payer decision, i.e. a charge whose payer would need an authorization or a
claim. We follow the issue's list and hold a charge for ``no_coverage`` only
when the patient has coverage on file but none in force on the day (an
expired or not-yet-effective plan, which a biller must look at before the
patient is charged the full fee); a patient with no coverage on file at all
is self-pay and ready.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from openiop.scheduling.hours import PerDiemRule

# Per-diem codes (one line per billable day) and the codes the program bills
# per service. A fee schedule row must use one of these.
PER_DIEM_CODES: tuple[str, ...] = ("H0015", "S9480", "H2036")
INTAKE_CODES: tuple[str, ...] = ("H0001", "90791")
PROFESSIONAL_CODES: tuple[str, ...] = (
    "H0004",
    "H0005",
    "90832",
    "90834",
    "90837",
    "90846",
    "90847",
    "90849",
    "90853",
)
DRUG_TEST_CODES: tuple[str, ...] = ("80305", "80306", "80307", "H0048")
BILLED_CODES: tuple[str, ...] = PER_DIEM_CODES + INTAKE_CODES + PROFESSIONAL_CODES + DRUG_TEST_CODES

CODE_DESCRIPTIONS: dict[str, str] = {
    "H0015": "Alcohol and/or drug services; intensive outpatient, per diem",
    "S9480": "Intensive outpatient psychiatric services, per diem",
    "H2036": "Alcohol and/or other drug treatment program, per diem",
    "H0001": "Alcohol and/or drug assessment",
    "H0004": "Behavioral health counseling and therapy, per 15 minutes",
    "H0005": "Alcohol and/or drug services; group counseling",
    "90791": "Psychiatric diagnostic evaluation",
    "90832": "Psychotherapy, 30 minutes (16-37)",
    "90834": "Psychotherapy, 45 minutes (38-52)",
    "90837": "Psychotherapy, 60 minutes (53 or more)",
    "90846": "Family psychotherapy without the patient",
    "90847": "Family psychotherapy with the patient",
    "90849": "Multiple-family group psychotherapy",
    "90853": "Group psychotherapy",
    "80305": "Drug test, presumptive, read by direct optical observation",
    "80306": "Drug test, presumptive, read by instrument",
    "80307": "Drug test, presumptive, by chemistry analyzer",
    "H0048": "Alcohol and/or other drug testing: collection and handling",
}

# The presumptive drug test billed once per date of service (a cup read by
# eye, the common case in an IOP; definitive testing is the lab's claim).
PRESUMPTIVE_DRUG_TEST_CODE = "80305"
INTAKE_ASSESSMENT_CODE = "H0001"


class HoldReason(StrEnum):
    """Why a charge is held. A held charge releases itself when its last
    reason clears (``charges_sync`` re-checks on every change it follows)."""

    NO_COVERAGE = "no_coverage"
    NO_AUTHORIZATION = "no_authorization"
    AUTHORIZATION_USED_UP = "authorization_used_up"
    UNSIGNED_NOTE = "unsigned_note"
    NO_DIAGNOSIS = "no_diagnosis"
    NO_FEE = "no_fee"

    @property
    def text(self) -> str:
        return HOLD_REASON_TEXT[self]


HOLD_REASON_TEXT: dict[HoldReason, str] = {
    HoldReason.NO_COVERAGE: "No coverage in force on the date of service, though the patient has coverage on file.",
    HoldReason.NO_AUTHORIZATION: "The payer requires an authorization and none is in force for this date and code.",
    HoldReason.AUTHORIZATION_USED_UP: "The authorization for this date and code has no units left.",
    HoldReason.UNSIGNED_NOTE: "A note for what was attended that day is missing or not signed yet.",
    HoldReason.NO_DIAGNOSIS: "The patient has no active diagnosis to put on the claim.",
    HoldReason.NO_FEE: "No fee schedule row prices this code for the payer, site and date.",
}


def describe_hold_reasons(codes: Iterable[str]) -> list[str]:
    """Plain-English text for stored hold reason codes (unknown codes as is)."""
    texts = []
    for code in codes:
        try:
            texts.append(HoldReason(code).text)
        except ValueError:
            texts.append(code)
    return texts


def order_hold_reasons(reasons: Iterable[HoldReason]) -> list[str]:
    """Stored form: unique codes in the order of ``HoldReason``."""
    present = set(reasons)
    return [reason.value for reason in HoldReason if reason in present]


# --- The per-diem rule a payer sets -----------------------------------------------------------------------------------


def per_diem_rule_for_payer(payer: Any | None, code: str = "H0015") -> PerDiemRule:
    """The per-diem rule in force for PAYER (an ``insurance.Payer`` or any
    object with its ``per_diem_*`` fields); the H0015 shape for self-pay."""
    if payer is None:
        return PerDiemRule(code, CODE_DESCRIPTIONS.get(code, code), 180, 3, "H0015 shape (self-pay)")
    return PerDiemRule(
        code,
        CODE_DESCRIPTIONS.get(code, code),
        min_minutes_per_day=int(payer.per_diem_min_minutes_per_day),
        min_days_per_week=int(payer.per_diem_min_days_per_week),
        min_minutes_per_week=int(payer.per_diem_min_minutes_per_week),
        source=f"{payer.name}'s per-diem rule",
        configurable=True,
    )


# --- Psychotherapy codes by minutes -----------------------------------------------------------------------------------


def psychotherapy_code(minutes: int) -> str | None:
    """CPT for individual psychotherapy by face-to-face minutes (CPT time
    rule): 90832 for 16-37, 90834 for 38-52, 90837 for 53 or more; under 16
    minutes there is no psychotherapy code to bill."""
    if minutes >= 53:
        return "90837"
    if minutes >= 38:
        return "90834"
    if minutes >= 16:
        return "90832"
    return None


def family_psychotherapy_code(*, with_patient: bool, minutes: int) -> str | None:
    """90847 with the patient present, 90846 without; both need at least 26
    minutes (half of their 50-minute time)."""
    if minutes < 26:
        return None
    return "90847" if with_patient else "90846"


@dataclass(frozen=True)
class ProfessionalLine:
    code: str
    units: int = 1


def professional_line(*, kind: str, minutes: int, with_patient: bool = True) -> ProfessionalLine | None:
    """The professional charge for a signed note of KIND ("individual" or
    "family") lasting MINUTES, or None when nothing is billable.

    Group notes never get one: inside the per-diem program group therapy
    (90853, H0005) is part of what the per-diem day pays for, and billing it
    again would be unbundling the day (payers deny it, and an audit calls it
    double billing). The group's minutes count towards the per-diem day."""
    if kind == "individual":
        code = psychotherapy_code(minutes)
    elif kind == "family":
        code = family_psychotherapy_code(with_patient=with_patient, minutes=minutes)
    else:
        return None
    return ProfessionalLine(code) if code else None


# CPT modifiers of a telehealth service: 95 synchronous audio and video, 93
# audio only. The note's modality says which; in person needs none.
TELEHEALTH_MODIFIERS: dict[str, str] = {"telehealth_video": "95", "audio_only": "93"}


def telehealth_modifiers(modality: str) -> tuple[str, ...]:
    """The modifiers a professional line gets for how it was delivered."""
    modifier = TELEHEALTH_MODIFIERS.get(modality)
    return (modifier,) if modifier else ()
