# SPDX-License-Identifier: AGPL-3.0-or-later
"""What other apps offer right after a patient is admitted.

The admit page says "Admitted …" and then whatever next steps the apps
above patients register here from their apps.py ``ready()`` (privacy: give
the notice of privacy practices), the same way they add chart tabs and
banner items: patients imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openiop.patients.models import Patient


@dataclass(frozen=True)
class AdmissionStep:
    key: str
    # The message to show USER after admitting PATIENT, or "" when there is nothing to offer.
    message: Callable[[Any, Patient], str]
    order: int


_STEPS: dict[str, AdmissionStep] = {}


def register_admission_step(step: AdmissionStep) -> None:
    _STEPS[step.key] = step


def admission_step_messages(user: Any, patient: Patient) -> list[str]:
    messages = (step.message(user, patient) for step in sorted(_STEPS.values(), key=lambda step: step.order))
    return [message for message in messages if message]
