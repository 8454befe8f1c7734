# SPDX-License-Identifier: AGPL-3.0-or-later
"""The stage machine, exhaustively: every pair of stages is either allowed or
refused with a message. Plain tests, no database."""

from __future__ import annotations

import itertools

import pytest

from openiop.admissions import pipeline
from openiop.admissions.pipeline import (
    ADMITTED,
    ASSESSMENT_SCHEDULED,
    BENEFITS_CHECK,
    CLOSED,
    NEW,
    PRE_SCREEN,
    REFERRED,
    MoveRefused,
    check_move,
)

ALLOWED = {
    (NEW, PRE_SCREEN),
    (PRE_SCREEN, BENEFITS_CHECK),
    (BENEFITS_CHECK, ASSESSMENT_SCHEDULED),
    (ASSESSMENT_SCHEDULED, ADMITTED),
    *((stage, REFERRED) for stage in (NEW, PRE_SCREEN, BENEFITS_CHECK, ASSESSMENT_SCHEDULED)),
    *((stage, CLOSED) for stage in (NEW, PRE_SCREEN, BENEFITS_CHECK, ASSESSMENT_SCHEDULED)),
}
ALL_PAIRS = list(itertools.product(pipeline.ALL_STAGES, repeat=2))
REFUSED = [pair for pair in ALL_PAIRS if pair not in ALLOWED]


def test_the_table_covers_every_pair_of_stages() -> None:
    assert len(ALL_PAIRS) == 49
    assert len(ALLOWED) + len(REFUSED) == 49


@pytest.mark.parametrize(("from_stage", "to_stage"), sorted(ALLOWED))
def test_it_allows_the_next_step_and_referral_or_closing_from_open_stages(from_stage: str, to_stage: str) -> None:
    check_move(from_stage, to_stage, reason="declined", referred_to="Lakeside Residential")
    assert to_stage in pipeline.allowed_moves(from_stage)


@pytest.mark.parametrize(("from_stage", "to_stage"), REFUSED)
def test_it_refuses_every_other_move_with_a_message(from_stage: str, to_stage: str) -> None:
    with pytest.raises(MoveRefused) as refused:
        check_move(from_stage, to_stage, reason="declined", referred_to="Lakeside Residential")
    assert str(refused.value)
    assert to_stage not in pipeline.allowed_moves(from_stage)


def test_a_refusal_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="skip"):
        check_move(NEW, BENEFITS_CHECK)


@pytest.mark.parametrize("stage", pipeline.OPEN_STAGES)
def test_closing_needs_a_reason(stage: str) -> None:
    with pytest.raises(MoveRefused, match="why") as refused:
        check_move(stage, CLOSED, reason="   ")
    assert refused.value.field == "closed_reason"


@pytest.mark.parametrize("stage", pipeline.OPEN_STAGES)
def test_referring_needs_to_say_where(stage: str) -> None:
    with pytest.raises(MoveRefused, match="where") as refused:
        check_move(stage, REFERRED)
    assert refused.value.field == "referred_to"


@pytest.mark.parametrize("stage", pipeline.FINAL_STAGES)
def test_final_stages_allow_no_move_at_all(stage: str) -> None:
    assert pipeline.allowed_moves(stage) == ()
    with pytest.raises(MoveRefused, match="final"):
        check_move(stage, CLOSED, reason="other")


def test_it_explains_a_skipped_step_by_naming_the_next_one() -> None:
    with pytest.raises(MoveRefused, match="the next stage is Pre-screen"):
        check_move(NEW, ADMITTED)


def test_it_refuses_moving_backwards() -> None:
    with pytest.raises(MoveRefused, match="back"):
        check_move(BENEFITS_CHECK, PRE_SCREEN)


def test_it_refuses_unknown_stages() -> None:
    with pytest.raises(MoveRefused, match="Unknown"):
        check_move(NEW, "waitlist")


def test_allowed_moves_lists_the_next_step_first() -> None:
    assert pipeline.allowed_moves(NEW) == (PRE_SCREEN, REFERRED, CLOSED)
    assert pipeline.allowed_moves(ASSESSMENT_SCHEDULED)[0] == ADMITTED
