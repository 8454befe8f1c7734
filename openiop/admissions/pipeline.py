# SPDX-License-Identifier: AGPL-3.0-or-later
"""The admissions stage machine: which moves are allowed, and why not.

Pure Python (no database) so that it can be tested exhaustively and read in one
sitting. An inquiry moves forward one step at a time,

    new -> pre-screen -> benefits check -> assessment scheduled -> admitted

and from any open stage may instead be referred elsewhere (saying where) or
closed (saying why). Admitted, referred and closed are final.
"""

from __future__ import annotations

NEW = "new"
PRE_SCREEN = "pre_screen"
BENEFITS_CHECK = "benefits_check"
ASSESSMENT_SCHEDULED = "assessment_scheduled"
ADMITTED = "admitted"
REFERRED = "referred"
CLOSED = "closed"

FORWARD: tuple[str, ...] = (NEW, PRE_SCREEN, BENEFITS_CHECK, ASSESSMENT_SCHEDULED, ADMITTED)
OPEN_STAGES: tuple[str, ...] = FORWARD[:-1]
FINAL_STAGES: tuple[str, ...] = (ADMITTED, REFERRED, CLOSED)
ALL_STAGES: tuple[str, ...] = (*OPEN_STAGES, *FINAL_STAGES)

LABELS: dict[str, str] = {
    NEW: "New",
    PRE_SCREEN: "Pre-screen",
    BENEFITS_CHECK: "Benefits check",
    ASSESSMENT_SCHEDULED: "Assessment scheduled",
    ADMITTED: "Admitted",
    REFERRED: "Referred elsewhere",
    CLOSED: "Closed",
}


class MoveRefused(ValueError):
    """A stage move the pipeline does not allow. ``field`` names the form field
    the message belongs beside ("to_stage", "closed_reason" or "referred_to")."""

    def __init__(self, message: str, *, field: str = "to_stage") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def is_open(stage: str) -> bool:
    return stage in OPEN_STAGES


def allowed_moves(from_stage: str) -> tuple[str, ...]:
    """Stages an inquiry in FROM_STAGE may move to, next step first."""
    if from_stage not in OPEN_STAGES:
        return ()
    next_step = FORWARD[FORWARD.index(from_stage) + 1]
    return (next_step, REFERRED, CLOSED)


def check_move(from_stage: str, to_stage: str, *, reason: str = "", referred_to: str = "") -> None:
    """Return quietly if the move is allowed; otherwise raise ``MoveRefused``
    with a message a navigator can act on."""
    for stage in (from_stage, to_stage):
        if stage not in ALL_STAGES:
            raise MoveRefused(f"Unknown stage {stage!r}.")
    if from_stage in FINAL_STAGES:
        raise MoveRefused(
            f"This inquiry is already {LABELS[from_stage].lower()}; a final stage cannot be changed. "
            "Log a new inquiry if the person calls again."
        )
    if to_stage == from_stage:
        raise MoveRefused(f"The inquiry is already at {LABELS[from_stage]}.")
    if to_stage == CLOSED:
        if not reason.strip():
            raise MoveRefused("Say why the inquiry is being closed.", field="closed_reason")
        return
    if to_stage == REFERRED:
        if not referred_to.strip():
            raise MoveRefused("Say where the person was referred.", field="referred_to")
        return
    step = FORWARD.index(to_stage) - FORWARD.index(from_stage)
    if step < 0:
        raise MoveRefused(
            f"Cannot move back from {LABELS[from_stage]} to {LABELS[to_stage]}; stages only move forward."
        )
    if step > 1:
        expected = FORWARD[FORWARD.index(from_stage) + 1]
        raise MoveRefused(
            f"Cannot skip from {LABELS[from_stage]} to {LABELS[to_stage]}; the next stage is {LABELS[expected]}."
        )
