# SPDX-License-Identifier: AGPL-3.0-or-later
"""The benchmark runs end to end on a small program and prints one JSON object
with the fields the issue asks for. No database."""

from __future__ import annotations

import json

import pytest

from bench.schedule import build_program, main
from openiop.scheduling.optimizer import validate

FIELDS = {
    "patients",
    "sites",
    "sessions",
    "solve_seconds",
    "objective",
    "bound",
    "gap",
    "share_meeting_hours",
    "greedy_share_meeting_hours",
    "greedy_seconds",
    "replan_one_seconds",
}


def test_the_synthetic_program_is_valid_and_mixes_availability_kinds() -> None:
    problem = validate(build_program(200, 2, seed=3))
    kinds = {patient.label for patient in problem.patients}
    assert kinds == {"day_worker", "student", "shift_worker", "weekend_only", "flexible", "constrained"}
    assert {patient.site for patient in problem.patients} == {"S001", "S002"}
    assert {session.track.value for session in problem.sessions} == {"morning", "afternoon", "evening", "weekend"}
    assert build_program(200, 2, seed=3) == build_program(200, 2, seed=3)


def test_it_prints_one_json_object_with_the_required_fields(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--patients", "30", "--sites", "2", "--seed", "1", "--json", "--time-limit", "3", "--processes", "1"]
    assert main(argv) == 0
    output = capsys.readouterr().out.strip().splitlines()
    assert len(output) == 1
    data = json.loads(output[0])
    assert set(data) >= FIELDS
    assert data["patients"] == 30 and data["sites"] == 2
    assert 0 <= data["gap"] <= 1
    assert data["objective"] <= data["bound"]
    assert data["objective"] >= data["greedy_objective"]
    assert 0 <= data["greedy_share_meeting_hours"] <= 1 and 0 <= data["share_meeting_hours"] <= 1
    # Both figures of the 10,000-patient target: a cold solve and one warm-started from last week's published week.
    assert isinstance(data["ok"], bool) and data["target_seconds"] == 120 and data["processes"] == 1
    for figures in (data["cold"], data["warm"]):
        assert set(figures) >= {"wall_seconds", "cpu_seconds", "worst_site_gap", "median_site_gap"}
        assert 0 <= figures["median_site_gap"] <= figures["worst_site_gap"] <= 1
        assert 0 <= figures["within_1pct_of_bound"] <= 1 and figures["sites_failed"] == []
    assert data["cold"]["sites_hinted"] == 0 and data["warm"]["sites_hinted"] == 2
    assert data["warm"]["objective"] >= data["greedy_objective"]
