# SPDX-License-Identifier: AGPL-3.0-or-later
"""The services catalog and the Matrix Model sequence. No database."""

from __future__ import annotations

import pytest

from openiop.scheduling.catalog import (
    DRUG_TEST,
    FAMILY_WITH_PATIENT,
    FAMILY_WITHOUT_PATIENT,
    GROUP_SERVICES,
    INDIVIDUAL_THERAPY,
    MATRIX_CURRICULUM,
    SERVICES,
    Kind,
    Topic,
    get_service,
    group_service,
    matrix_sessions,
    matrix_topics,
    psychotherapy_code,
)


def codes(service_key: str) -> list[str]:
    return [code.code for code in get_service(service_key).codes]


def test_every_group_topic_of_the_domain_brief_is_a_group_service() -> None:
    names = {service.topic for service in GROUP_SERVICES}
    for topic in (
        Topic.ADDICTION_EDUCATION,
        Topic.RELAPSE_PREVENTION,
        Topic.STRESS_MANAGEMENT,
        Topic.COPING_SKILLS,
        Topic.LIFE_SKILLS,
        Topic.INTERPERSONAL_PROCESS,
        Topic.SUPPORT,
    ):
        assert topic in names
        assert codes(f"group_{topic.value}") == ["H0005", "90853"]
        assert group_service(topic).kind is Kind.GROUP


def test_every_topic_has_exactly_one_group_service_and_keys_are_unique() -> None:
    assert sorted(s.topic.value for s in GROUP_SERVICES if s.topic) == sorted(t.value for t in Topic)
    assert len(SERVICES) == len(GROUP_SERVICES) + 5


def test_individual_family_medication_and_drug_test_carry_their_codes() -> None:
    assert codes("individual_therapy")[:2] == ["90834", "90837"]
    assert codes("family_with_patient") == ["90847"]
    assert codes("family_without_patient") == ["90846"]
    assert FAMILY_WITHOUT_PATIENT.with_patient is False
    assert FAMILY_WITH_PATIENT.with_patient is True
    assert codes("drug_test") == ["H0048", "80305"]
    assert DRUG_TEST.counts_towards_hours is False
    assert get_service("medication_management").kind is Kind.MEDICATION
    assert INDIVIDUAL_THERAPY.default_minutes == 50
    assert group_service(Topic.FAMILY_EDUCATION).codes[0].code == "90849"


def test_unknown_service_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="individual_therapy"):
        get_service("massage")


@pytest.mark.parametrize(
    ("minutes", "code"),
    [(15, None), (16, "90832"), (37, "90832"), (38, "90834"), (52, "90834"), (53, "90837"), (90, "90837")],
)
def test_psychotherapy_code_follows_the_cpt_time_ranges(minutes: int, code: str | None) -> None:
    found = psychotherapy_code(minutes)
    assert (found.code if found else None) == code


def test_matrix_week_1_has_early_recovery_and_relapse_prevention_twice_family_education_once() -> None:
    assert matrix_topics(1) == {
        Topic.EARLY_RECOVERY_SKILLS: 2,
        Topic.RELAPSE_PREVENTION: 2,
        Topic.FAMILY_EDUCATION: 1,
    }
    assert matrix_sessions(1)[DRUG_TEST] == 1


@pytest.mark.parametrize(
    ("week", "expected"),
    [
        (4, {Topic.EARLY_RECOVERY_SKILLS: 2, Topic.RELAPSE_PREVENTION: 2, Topic.FAMILY_EDUCATION: 1}),
        (5, {Topic.RELAPSE_PREVENTION: 2, Topic.FAMILY_EDUCATION: 1}),
        (12, {Topic.RELAPSE_PREVENTION: 2, Topic.FAMILY_EDUCATION: 1}),
        (13, {Topic.RELAPSE_PREVENTION: 2, Topic.SOCIAL_SUPPORT: 1}),
        (16, {Topic.RELAPSE_PREVENTION: 2, Topic.SOCIAL_SUPPORT: 1}),
    ],
)
def test_matrix_sequence_changes_at_the_published_week_boundaries(week: int, expected: dict[Topic, int]) -> None:
    assert matrix_topics(week) == expected


def test_a_urine_test_every_week_and_32_relapse_prevention_groups_in_all() -> None:
    assert all(matrix_sessions(week)[DRUG_TEST] == 1 for week in range(1, 17))
    assert sum(matrix_topics(week).get(Topic.RELAPSE_PREVENTION, 0) for week in range(1, 17)) == 32
    assert len(MATRIX_CURRICULUM) == 5


@pytest.mark.parametrize("week", [0, 17, -1])
def test_matrix_weeks_outside_1_to_16_are_refused(week: int) -> None:
    with pytest.raises(ValueError, match="between 1 and 16"):
        matrix_sessions(week)
