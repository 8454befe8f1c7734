# SPDX-License-Identifier: AGPL-3.0-or-later
"""The safety rule every stored score goes through. Plain Python.

Given an instrument's code, its scored outcome (total, band, flags) and the
escalation thresholds an administrator configured, which safety alerts the
score raises. ``services.result_record`` calls it for every result, whatever
the path the result came in by (an instrument form on the chart, the
withdrawal flowsheet, an import or an API later), so there is one rule and
no second copy of it to drift:

- a suicide item answered above 0 (PHQ-9 item 9) raises an alert whatever the
  total (DOMAIN.md, Instruments);
- a C-SSRS screener triaged low, moderate or high risk raises one alert of
  that level (DOMAIN.md, Suicide risk follow-up). Low risk (a wish to be dead
  or thoughts of suicide, nothing more) is the same finding as PHQ-9 item 9
  above 0 and raises the same kind of alert: the follow-up screener must not
  be quieter than the screen that prompted it;
- a withdrawal score in the severe band (the band flag) raises a
  severe-withdrawal alert;
- otherwise a CIWA-Ar or COWS score at or above its configured escalation
  threshold raises an escalation alert (one alert per result, never two).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from openiop.assessments.instruments import (
    SEVERE_WITHDRAWAL,
    SUICIDAL_IDEATION,
    SUICIDE_RISK_HIGH,
    SUICIDE_RISK_LOW,
    SUICIDE_RISK_MODERATE,
)

# Alert kinds (SafetyAlert.Kind takes its values from here).
KIND_SUICIDAL_IDEATION = "suicidal_ideation"
KIND_REPORTED_SUICIDAL_THOUGHT = "reported_thought"
KIND_SUICIDE_RISK_MODERATE = "suicide_risk_moderate"
KIND_SUICIDE_RISK_HIGH = "suicide_risk_high"
KIND_SEVERE_WITHDRAWAL = "severe_withdrawal"
KIND_WITHDRAWAL_ESCALATION = "withdrawal_escalation"
WITHDRAWAL_KINDS = frozenset({KIND_SEVERE_WITHDRAWAL, KIND_WITHDRAWAL_ESCALATION})

# A triaged suicide-risk level (the flag) and the alert it raises, highest first.
SUICIDE_RISK_KINDS: Mapping[str, str] = {
    SUICIDE_RISK_HIGH: KIND_SUICIDE_RISK_HIGH,
    SUICIDE_RISK_MODERATE: KIND_SUICIDE_RISK_MODERATE,
    SUICIDE_RISK_LOW: KIND_SUICIDAL_IDEATION,
}
# Kinds after which the result page offers to start (or review) a safety plan.
SAFETY_PLAN_KINDS = frozenset({KIND_SUICIDE_RISK_MODERATE, KIND_SUICIDE_RISK_HIGH})

# The withdrawal scales an escalation threshold applies to (the flowsheet's scales).
MONITORED_INSTRUMENTS = ("CIWA-Ar", "COWS")


@dataclass(frozen=True)
class Threshold:
    """Score at or above which withdrawal monitoring escalates (CONFIGURABLE)."""

    escalate_at: int
    guidance: str = ""


@dataclass(frozen=True)
class Concern:
    """One alert a score raises: its kind and the sentence the team reads."""

    kind: str
    detail: str


def crosses(total: int, threshold: Threshold | None) -> bool:
    return threshold is not None and total >= threshold.escalate_at


def _threshold_for(code: str, thresholds: Mapping[str, Threshold]) -> Threshold | None:
    return thresholds.get(code) if code in MONITORED_INSTRUMENTS else None


def _suicide_risk(code: str, band: str, flags: Sequence[str]) -> Concern | None:
    """The one alert a triaged suicide-risk level raises (the highest level flagged)."""
    level = next((flag for flag in SUICIDE_RISK_KINDS if flag in flags), None)
    if level is None:
        return None
    values = {"code": code, "band": band}
    if level == SUICIDE_RISK_HIGH:
        detail = _(
            "%(code)s: %(band)s. Do not leave the person alone. Complete a safety assessment now; if there is "
            "immediate danger call 911. The person can call or text 988 at any time. Start or review the safety plan."
        )
    elif level == SUICIDE_RISK_MODERATE:
        detail = _(
            "%(code)s: %(band)s. Assess safety today, start or review the safety plan with the person, and consider "
            "a higher level of care. The person can call or text 988 at any time."
        )
    else:
        detail = _(
            "%(code)s: %(band)s: a wish to be dead or thoughts of suicide in the past month, without method, intent, "
            "plan or recent behavior. Follow up, and offer a safety plan."
        )
    return Concern(SUICIDE_RISK_KINDS[level], detail % values)


def concerns(
    *, code: str, total: int, band: str, flags: Sequence[str], thresholds: Mapping[str, Threshold]
) -> list[Concern]:
    """The alerts one stored score raises, most specific first (empty when none)."""
    found: list[Concern] = []
    threshold = _threshold_for(code, thresholds)
    suicide_risk = _suicide_risk(code, band, flags)
    if suicide_risk is not None:
        found.append(suicide_risk)
    if SUICIDAL_IDEATION in flags:
        found.append(
            Concern(
                KIND_SUICIDAL_IDEATION,
                _("%(code)s: the suicide item was answered above 0 (total %(total)d, %(band)s).")
                % {"code": code, "total": total, "band": band},
            )
        )
    if SEVERE_WITHDRAWAL in flags:
        found.append(
            Concern(
                KIND_SEVERE_WITHDRAWAL,
                _(
                    "%(code)s %(total)d (%(band)s): severe withdrawal. Ambulatory withdrawal management is not safe; "
                    "arrange medically monitored or managed withdrawal management."
                )
                % {"code": code, "total": total, "band": band},
            )
        )
    elif crosses(total, threshold):
        assert threshold is not None  # crosses() ruled None out; for the type checker
        found.append(
            Concern(
                KIND_WITHDRAWAL_ESCALATION,
                _("%(code)s %(total)d is at or above the escalation threshold of %(threshold)d. %(guidance)s")
                % {"code": code, "total": total, "threshold": threshold.escalate_at, "guidance": threshold.guidance},
            )
        )
    return found


def escalates(*, code: str, total: int, flags: Sequence[str], thresholds: Mapping[str, Threshold]) -> bool:
    """Whether a withdrawal score needs escalating (severe band or at/above the threshold)."""
    return SEVERE_WITHDRAWAL in flags or crosses(total, _threshold_for(code, thresholds))
