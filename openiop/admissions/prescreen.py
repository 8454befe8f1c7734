# SPDX-License-Identifier: AGPL-3.0-or-later
"""What a pre-screen answer asks of the navigator, and when an inquiry is
overdue. Pure Python, so the rules read in one sitting and are tested
without the database.

A pre-screen is not an assessment: a "yes" to a safety or withdrawal question
never waits for the pipeline. It is escalated at once, to 988 or 911 when the
person may be in danger now, or to a clinician the same day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# Escalation levels, most urgent first.
EMERGENCY = "emergency"  # 911 now
CRISIS = "crisis"  # 988 now, 911 if in immediate danger
SAME_DAY = "same_day"  # a clinician reviews the person today, before IOP is offered


@dataclass(frozen=True)
class Escalation:
    level: str
    message: str


def escalations(
    *,
    suicidal_thoughts: bool | None,
    medical_emergency: bool | None,
    severe_withdrawal: bool | None,
    pregnant: str = "",
    substances: tuple[str, ...] | list[str] = (),
) -> list[Escalation]:
    """The escalations a pre-screen's answers call for, most urgent first;
    empty when every answer is no or not asked."""
    found: list[Escalation] = []
    if medical_emergency:
        found.append(
            Escalation(
                EMERGENCY,
                str(
                    _(
                        "Medical emergency: call 911 now (overdose, chest pain, trouble breathing, seizure or "
                        "confusion). Stay with the caller until help arrives."
                    )
                ),
            )
        )
    if suicidal_thoughts:
        found.append(
            Escalation(
                CRISIS,
                str(
                    _(
                        "Suicide risk: if the person is in immediate danger, call 911. Otherwise connect them with "
                        "988 (Suicide & Crisis Lifeline, call or text) now, stay on the line, and ask a clinician "
                        "for a same-day risk assessment."
                    )
                ),
            )
        )
    if severe_withdrawal:
        found.append(
            Escalation(
                SAME_DAY,
                str(
                    _(
                        "Withdrawal risk: a clinician reviews the person today; a medical withdrawal assessment "
                        "comes before IOP. Seizures or confusion now: call 911."
                    )
                ),
            )
        )
    if pregnant == "yes" and set(substances) & {"alcohol", "opioids", "benzodiazepines"}:
        found.append(
            Escalation(
                SAME_DAY,
                str(
                    _(
                        "Pregnant and using alcohol, opioids or sedatives: a clinician reviews the person today; "
                        "stopping suddenly can harm the pregnancy (pregnant people are a priority population for "
                        "admission)."
                    )
                ),
            )
        )
    return found


# How long an open inquiry may wait in its stage before it is overdue, by
# urgency. Routine inquiries have no due time; the board shows their age.
RESPONSE_WINDOW: dict[str, dt.timedelta] = {
    "urgent": dt.timedelta(hours=4),
    "soon": dt.timedelta(days=3),
}


def due_at(urgency: str, since: dt.datetime) -> dt.datetime | None:
    """When an inquiry of URGENCY that entered its stage at SINCE is due
    for its next step, or None when it has no due time."""
    window = RESPONSE_WINDOW.get(urgency)
    return since + window if window is not None else None


def is_overdue(urgency: str, since: dt.datetime, now: dt.datetime) -> bool:
    due = due_at(urgency, since)
    return due is not None and now > due
