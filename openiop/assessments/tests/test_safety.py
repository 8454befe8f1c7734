# SPDX-License-Identifier: AGPL-3.0-or-later
"""The safety rule on its own: instrument code, score and thresholds in,
alerts out. No database."""

from __future__ import annotations

import re
from pathlib import Path

import openiop
from openiop.assessments import safety
from openiop.assessments.instruments import (
    SEVERE_WITHDRAWAL,
    SUICIDAL_IDEATION,
    SUICIDE_RISK_HIGH,
    SUICIDE_RISK_LOW,
    SUICIDE_RISK_MODERATE,
)

THRESHOLDS = {
    "CIWA-Ar": safety.Threshold(escalate_at=15, guidance="Tell the prescriber today."),
    "COWS": safety.Threshold(escalate_at=25, guidance="Tell the prescriber today."),
}


def kinds(code: str, total: int, flags: list[str], band: str = "moderate") -> list[str]:
    found = safety.concerns(code=code, total=total, band=band, flags=flags, thresholds=THRESHOLDS)
    return [concern.kind for concern in found]


def test_it_flags_the_suicide_item_whatever_the_total() -> None:
    assert kinds("PHQ-9", 1, [SUICIDAL_IDEATION], band="minimal") == [safety.KIND_SUICIDAL_IDEATION]


def test_a_ciwa_score_at_or_above_the_threshold_escalates_whatever_its_band() -> None:
    assert kinds("CIWA-Ar", 17, []) == [safety.KIND_WITHDRAWAL_ESCALATION]
    assert kinds("CIWA-Ar", 15, []) == [safety.KIND_WITHDRAWAL_ESCALATION]
    assert kinds("CIWA-Ar", 14, []) == []


def test_the_escalation_sentence_names_the_threshold_and_its_guidance() -> None:
    (concern,) = safety.concerns(code="CIWA-Ar", total=17, band="moderate", flags=[], thresholds=THRESHOLDS)

    assert "CIWA-Ar 17 is at or above the escalation threshold of 15" in concern.detail
    assert "Tell the prescriber today." in concern.detail


def test_a_severe_score_raises_one_alert_not_two() -> None:
    assert kinds("COWS", 37, [SEVERE_WITHDRAWAL], band="severe") == [safety.KIND_SEVERE_WITHDRAWAL]


def test_without_a_configured_threshold_only_the_severe_band_alerts() -> None:
    found = safety.concerns(code="COWS", total=30, band="moderately severe", flags=[], thresholds={})

    assert found == []


def test_a_threshold_applies_only_to_the_withdrawal_scales() -> None:
    thresholds = {"PHQ-9": safety.Threshold(escalate_at=5)}

    assert safety.concerns(code="PHQ-9", total=12, band="moderate", flags=[], thresholds=thresholds) == []
    assert not safety.escalates(code="PHQ-9", total=12, flags=[], thresholds=thresholds)


def test_escalates_agrees_with_the_alerts() -> None:
    for code, total, flags in [("CIWA-Ar", 15, []), ("CIWA-Ar", 14, []), ("COWS", 40, [SEVERE_WITHDRAWAL])]:
        raised = bool(kinds(code, total, flags))
        assert safety.escalates(code=code, total=total, flags=flags, thresholds=THRESHOLDS) == raised


def test_results_are_stored_only_where_the_rule_runs() -> None:
    # The rule is applied in services.result_record; a second place that
    # stores results would be a path that skips it. The demo's bulk rows are
    # chosen never to meet a safety condition (PHQ-9 item 9 kept at 0, no
    # withdrawal scales); its withdrawal checks and alerts use the services.
    root = Path(openiop.__file__).parent
    creating = re.compile(
        r"(?<!class )InstrumentResult(\(|\.objects\.(create|bulk_create|get_or_create|update_or_create))"
    )
    stores = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if not {"tests", "migrations"} & set(path.parts) and creating.search(path.read_text(encoding="utf-8"))
    )

    assert stores == ["assessments/demo.py", "assessments/services.py"]


# --- Triaged suicide risk (C-SSRS screener) ---------------------------------------------------------------------


def test_a_high_suicide_risk_triage_raises_a_high_risk_alert_saying_not_to_leave_the_person_alone() -> None:
    (concern,) = safety.concerns(
        code="C-SSRS", total=3, band="high risk", flags=[SUICIDE_RISK_HIGH], thresholds=THRESHOLDS
    )

    assert concern.kind == safety.KIND_SUICIDE_RISK_HIGH
    assert "Do not leave the person alone" in concern.detail
    assert "911" in concern.detail and "988" in concern.detail


def test_a_moderate_triage_raises_a_moderate_alert_and_low_the_suicidal_ideation_alert() -> None:
    assert kinds("C-SSRS", 2, [SUICIDE_RISK_MODERATE], band="moderate risk") == [safety.KIND_SUICIDE_RISK_MODERATE]
    assert kinds("C-SSRS", 1, [SUICIDE_RISK_LOW], band="low risk") == [safety.KIND_SUICIDAL_IDEATION]


def test_only_the_highest_flagged_risk_level_raises_an_alert() -> None:
    flags = [SUICIDE_RISK_LOW, SUICIDE_RISK_HIGH, SUICIDE_RISK_MODERATE]

    assert kinds("C-SSRS", 3, flags, band="high risk") == [safety.KIND_SUICIDE_RISK_HIGH]


def test_no_risk_identified_raises_nothing() -> None:
    assert kinds("C-SSRS", 0, [], band="no risk identified") == []


def test_a_safety_plan_is_offered_after_moderate_and_high_risk_only() -> None:
    assert {safety.KIND_SUICIDE_RISK_MODERATE, safety.KIND_SUICIDE_RISK_HIGH} == safety.SAFETY_PLAN_KINDS
