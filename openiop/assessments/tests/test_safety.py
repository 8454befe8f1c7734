# SPDX-License-Identifier: AGPL-3.0-or-later
"""The safety rule on its own: instrument code, score and thresholds in,
alerts out. No database."""

from __future__ import annotations

import re
from pathlib import Path

import openiop
from openiop.assessments import safety
from openiop.assessments.instruments import SEVERE_WITHDRAWAL, SUICIDAL_IDEATION

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
