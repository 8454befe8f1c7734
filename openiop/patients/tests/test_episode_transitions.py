# SPDX-License-Identifier: AGPL-3.0-or-later
"""Step-down, step-up and discharge through the services: history kept,
rules enforced, nothing saved half-way, stale edits refused, and a
discharged episode read-only."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.locking import StaleEditError
from openiop.patients import services
from openiop.patients.models import ContinuingCarePlan, Episode, LevelOfCare, LevelOfCareChange
from openiop.patients.services import EpisodeClosedError
from openiop.patients.tests.factories import TODAY, register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db
ADMITTED = TODAY - dt.timedelta(days=40)


@pytest.fixture
def episode(north: Site, bob: User) -> Episode:
    return services.episode_admit(
        actor=bob, patient=register(north), site=north, admission_date=ADMITTED, level_of_care=LevelOfCare.IOP
    )


def step(episode: Episode, actor: User, to_level: str, days_ago: int, **extra: object) -> LevelOfCareChange:
    return services.episode_change_level(
        actor=actor,
        episode=episode,
        to_level=to_level,
        effective_date=TODAY - dt.timedelta(days=days_ago),
        reason=str(extra.pop("reason", "Reassessed")),
        **extra,  # type: ignore[arg-type]
    )


def test_a_step_down_changes_the_level_and_keeps_the_history(episode: Episode, bob: User) -> None:
    change = step(episode, bob, LevelOfCare.OUTPATIENT, 5, reason="Goals met; stable housing.")

    episode.refresh_from_db()
    assert (episode.level_of_care, episode.version) == (LevelOfCare.OUTPATIENT, 2)
    assert (change.from_level, change.to_level, change.decided_by) == ("2.1", "1", bob)
    assert change.effective_date == TODAY - dt.timedelta(days=5)
    assert change.reason == "Goals met; stable housing."
    assert change.is_step_down and change.direction_label == "Step-down"
    assert change.placement_decision_id is None
    event = AuditEvent.objects.get(action="episode.change_level")
    assert event.data["direction"] == "step_down"
    assert (event.data["from"], event.data["to"]) == ("2.1", "1")
    assert event.patient_id == str(episode.patient_id)


def test_a_step_up_then_a_step_down_reads_in_order_and_remembers_the_admission_level(
    episode: Episode, bob: User
) -> None:
    step(episode, bob, LevelOfCare.PHP, 20, reason="Relapse; needs more structure.")
    step(episode, bob, LevelOfCare.IOP, 3, reason="Stabilized in PHP.", placement_decision_id=42)

    changes = list(episode.level_changes.all())
    assert [(c.from_level, c.to_level) for c in changes] == [("2.1", "2.5"), ("2.5", "2.1")]
    assert [c.direction_label for c in changes] == ["Step-up", "Step-down"]
    assert changes[1].placement_decision_id == 42
    episode.refresh_from_db()
    assert episode.admission_level() == "2.1"
    assert episode.version == 3


def test_the_callers_copy_is_brought_up_to_date_so_a_second_change_is_not_stale(episode: Episode, bob: User) -> None:
    step(episode, bob, LevelOfCare.PHP, 10, expected_version=1)
    assert (episode.version, episode.level_of_care) == (2, LevelOfCare.PHP)
    step(episode, bob, LevelOfCare.IOP, 2, expected_version=episode.version)
    assert episode.version == 3


@pytest.mark.parametrize(
    ("to_level", "days_ago", "reason", "field"),
    [
        (LevelOfCare.IOP, 5, "Same again", "to_level"),
        (LevelOfCare.OUTPATIENT, 41, "Before admission", "effective_date"),
        (LevelOfCare.OUTPATIENT, -1, "Tomorrow", "effective_date"),
        (LevelOfCare.OUTPATIENT, 5, "  ", "reason"),
        ("9", 5, "Not a level", "to_level"),
    ],
)
def test_a_refused_change_says_why_beside_the_field_and_saves_nothing(
    episode: Episode, bob: User, to_level: str, days_ago: int, reason: str, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        step(episode, bob, to_level, days_ago, reason=reason)

    assert list(error.value.message_dict) == [field]
    episode.refresh_from_db()
    assert (episode.level_of_care, episode.version) == (LevelOfCare.IOP, 1)
    assert not LevelOfCareChange.objects.exists()
    assert not AuditEvent.objects.filter(action="episode.change_level").exists()


def test_the_messages_name_the_dates_that_bound_the_change(episode: Episode, bob: User) -> None:
    with pytest.raises(ValidationError) as error:
        step(episode, bob, LevelOfCare.OUTPATIENT, 41)
    assert error.value.message_dict["effective_date"] == [
        f"The change cannot take effect before the admission on {ADMITTED:%Y-%m-%d}."
    ]
    with pytest.raises(ValidationError) as error:
        step(episode, bob, LevelOfCare.OUTPATIENT, -1)
    assert "today is 2026-03-05" in error.value.message_dict["effective_date"][0]


def test_a_change_cannot_take_effect_before_the_previous_one(episode: Episode, bob: User) -> None:
    step(episode, bob, LevelOfCare.PHP, 10)
    with pytest.raises(ValidationError) as error:
        step(episode, bob, LevelOfCare.IOP, 11)
    assert "last changed on" in error.value.message_dict["effective_date"][0]


def test_the_second_of_two_changes_from_the_same_version_is_refused(episode: Episode, bob: User) -> None:
    first_copy = Episode.objects.get(pk=episode.pk)
    second_copy = Episode.objects.get(pk=episode.pk)
    step(first_copy, bob, LevelOfCare.OUTPATIENT, 2, expected_version=1)

    with pytest.raises(StaleEditError, match="Someone else changed this episode"):
        step(second_copy, bob, LevelOfCare.PHP, 2, expected_version=1)
    episode.refresh_from_db()
    assert (episode.level_of_care, episode.version) == (LevelOfCare.OUTPATIENT, 2)
    assert LevelOfCareChange.objects.count() == 1


def discharge(episode: Episode, actor: User, **overrides: object) -> Episode:
    values: dict[str, object] = {
        "discharge_date": TODAY,
        "reason": "1",
        "next_level_of_care": LevelOfCare.OUTPATIENT,
        "referral_to": "Harbor Family Medicine outpatient program",
        "referral_contact": "555-0123",
        "first_appointment_date": TODAY + dt.timedelta(days=6),
        "first_appointment_time": dt.time(16, 30),
        "supports": ["sponsor", "mutual_help", "family"],
        "notes": "Tuesday evening SMART meeting.",
    }
    values.update(overrides)
    return services.episode_discharge(actor=actor, episode=episode, **values)  # type: ignore[arg-type]


def test_discharge_records_the_teds_reason_and_the_continuing_care_plan(episode: Episode, bob: User) -> None:
    discharged = discharge(episode, bob, expected_version=1)

    episode.refresh_from_db()
    assert (episode.status, episode.discharge_date, episode.discharge_reason) == ("discharged", TODAY, "1")
    assert discharged.version == episode.version == 2
    plan = ContinuingCarePlan.objects.get(episode=episode)
    assert plan.next_level_of_care == "1"
    assert plan.referral_to == "Harbor Family Medicine outpatient program"
    assert (plan.first_appointment_date, plan.first_appointment_time) == (TODAY + dt.timedelta(days=6), dt.time(16, 30))
    assert plan.supports == ["family", "mutual_help", "sponsor"]
    assert plan.support_labels()[0] == "Family"
    assert (plan.recorded_by, plan.notes) == (bob, "Tuesday evening SMART meeting.")
    event = AuditEvent.objects.get(action="episode.discharge")
    assert event.data["teds_reason"] == "1"
    assert event.data["has_referral"] is True
    # Free text stays out of the audit trail.
    assert "Harbor" not in str(event.data) and "SMART" not in str(event.data)


def test_a_discharge_after_a_step_down_keeps_the_whole_history(episode: Episode, bob: User) -> None:
    step(episode, bob, LevelOfCare.OUTPATIENT, 10)
    discharge(episode, bob, discharge_date=TODAY - dt.timedelta(days=1))

    episode.refresh_from_db()
    assert episode.admission_level() == "2.1"
    assert episode.level_of_care == "1"
    assert episode.continuing_care.next_level_of_care == "1"


def test_a_death_is_recorded_without_a_plan(episode: Episode, bob: User) -> None:
    discharge(
        episode, bob, reason="6", next_level_of_care="", referral_to="", referral_contact="",
        first_appointment_date=None, first_appointment_time=None, supports=[], notes="",
    )  # fmt: skip
    episode.refresh_from_db()
    assert (episode.status, episode.get_discharge_reason_display()) == ("discharged", "6 Death")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"discharge_date": ADMITTED - dt.timedelta(days=1)}, "discharge_date"),
        ({"discharge_date": TODAY + dt.timedelta(days=1)}, "discharge_date"),
        ({"next_level_of_care": ""}, "next_level_of_care"),
        ({"reason": "4", "referral_to": "", "first_appointment_date": None}, "referral_to"),
        ({"first_appointment_date": TODAY - dt.timedelta(days=1)}, "first_appointment_date"),
        ({"first_appointment_date": None}, "first_appointment_date"),
        ({"supports": ["horoscope"]}, "supports"),
    ],
)
def test_a_refused_discharge_says_why_and_leaves_the_episode_open(
    episode: Episode, bob: User, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        discharge(episode, bob, **overrides)

    assert field in error.value.message_dict
    episode.refresh_from_db()
    assert (episode.status, episode.discharge_date, episode.version) == ("active", None, 1)
    assert not ContinuingCarePlan.objects.exists()


def test_a_discharge_from_a_stale_page_is_refused(episode: Episode, bob: User) -> None:
    step(episode, bob, LevelOfCare.OUTPATIENT, 3)
    with pytest.raises(StaleEditError):
        discharge(Episode.objects.get(pk=episode.pk), bob, expected_version=1)
    episode.refresh_from_db()
    assert episode.status == "active"


def test_a_discharged_episode_is_read_only(episode: Episode, bob: User, north: Site) -> None:
    discharge(episode, bob)
    for attempt in (
        lambda: step(episode, bob, LevelOfCare.PHP, 0),
        lambda: discharge(episode, bob),
        lambda: services.care_team_add(actor=bob, episode=episode, user=bob),
    ):
        with pytest.raises(EpisodeClosedError, match="discharged on 2026-03-05 and is read-only"):
            attempt()
    episode.refresh_from_db()
    assert (episode.level_of_care, episode.version) == (LevelOfCare.IOP, 2)
    assert ContinuingCarePlan.objects.count() == 1
    assert not LevelOfCareChange.objects.exists()


def test_after_discharge_the_person_may_be_admitted_to_a_new_episode(episode: Episode, bob: User, north: Site) -> None:
    discharge(episode, bob)
    again = services.episode_admit(actor=bob, patient=episode.patient, site=north, admission_date=TODAY)
    assert again.status == "active"
    assert again.pk != episode.pk


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_simultaneous_changes_from_one_version_record_exactly_one(north: Site, bob: User) -> None:
    """Both requests read version 1; the row lock makes the second wait for
    the first to commit, then see version 2 and refuse."""
    episode = services.episode_admit(actor=bob, patient=register(north), site=north, admission_date=ADMITTED)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(level: str) -> None:
        try:
            barrier.wait()
            step(Episode.objects.get(pk=episode.pk), bob, level, 1, expected_version=1)
            outcomes.append("saved")
        except StaleEditError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(level,)) for level in ("1", "2.5")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["refused", "saved"]
    assert LevelOfCareChange.objects.filter(episode=episode).count() == 1
    episode.refresh_from_db()
    assert episode.version == 2
