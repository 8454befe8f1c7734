# SPDX-License-Identifier: AGPL-3.0-or-later
"""Service code, place of service and modality of a note: plain rules."""

from __future__ import annotations

import pytest

from openiop.treatment import service_codes as codes


@pytest.mark.parametrize(
    ("kind", "minutes", "code"),
    [
        ("individual", 50, "90834"),
        ("individual", 60, "90837"),
        ("individual", 30, "90832"),
        ("individual", 10, "H0004"),
        ("family", 50, "90847"),
        ("group", 90, "H0005"),
        ("case_management", 20, "H0006"),
        ("medication_management", 20, ""),  # the prescriber chooses the visit's level
    ],
)
def test_the_suggested_service_code_follows_the_kind_and_minutes(kind: str, minutes: int, code: str) -> None:
    assert codes.suggested_service_code(kind, minutes) == code


def test_every_suggestion_is_in_the_list() -> None:
    for kind in ("individual", "family", "group", "case_management"):
        for minutes in (5, 20, 40, 60):
            assert codes.suggested_service_code(kind, minutes) in codes.SERVICE_CODE_VALUES


def test_telehealth_is_placed_at_home_and_in_person_at_the_facility() -> None:
    assert codes.suggested_place_of_service(codes.IN_PERSON) == "57"
    assert codes.suggested_place_of_service(codes.VIDEO) == "10"
    assert codes.suggested_place_of_service(codes.AUDIO_ONLY) == "10"


def test_a_telehealth_place_for_an_in_person_session_is_refused_and_the_reverse_too() -> None:
    assert set(codes.coding_problems(service_code="90834", modality=codes.IN_PERSON, place_of_service="10")) == {
        "place_of_service"
    }
    assert set(codes.coding_problems(service_code="90834", modality=codes.AUDIO_ONLY, place_of_service="57")) == {
        "place_of_service"
    }
    assert codes.coding_problems(service_code="90834", modality=codes.VIDEO, place_of_service="02") == {}
    assert codes.coding_problems(service_code="90834", modality=codes.IN_PERSON, place_of_service="57") == {}


def test_a_code_outside_the_list_is_refused() -> None:
    assert set(codes.coding_problems(service_code="99999", modality=codes.IN_PERSON, place_of_service="57")) == {
        "service_code"
    }


@pytest.mark.parametrize(
    ("minutes", "code"),
    [(0, "H0004"), (15, "H0004"), (16, "90832"), (37, "90832"), (38, "90834"), (52, "90834"), (53, "90837")],
)
def test_individual_psychotherapy_follows_the_cpt_minutes_at_every_edge(minutes: int, code: str) -> None:
    # CPT time rule (DOMAIN.md): 90832 16-37 min, 90834 38-52, 90837 53+; under 16 is counselling per 15 min.
    assert codes.suggested_service_code("individual", minutes) == code


def test_a_negative_length_is_refused_rather_than_coded() -> None:
    with pytest.raises(ValueError, match="before its start"):
        codes.suggested_service_code("individual", -5)
