# SPDX-License-Identifier: AGPL-3.0-or-later
"""Services and selectors of the patient record: numbering, plausibility of the
date of birth, duplicate detection, optimistic locking and admission."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from conftest import make_site
from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.locking import StaleEditError
from openiop.core.roles import RoleCode
from openiop.patients import selectors, services
from openiop.patients.models import CareTeamMember, Episode, LevelOfCare, MrnCounter, Patient, validate_birth_date
from openiop.patients.permissions import PATIENT_VIEW
from openiop.patients.tests.factories import TODAY, register
from openiop.sites.models import Organization, Site

# --- Medical record numbers ---------------------------------------------------------------------------------------


def test_an_mrn_is_the_organizations_prefix_and_six_digits(north: Site) -> None:
    patient = register(north)

    assert re.fullmatch(r"TR-\d{6}", patient.mrn)
    assert patient.mrn == "TR-000001"


def test_mrns_follow_one_sequence_across_the_sites_of_an_organization(north: Site, south: Site) -> None:
    mrns = [register(site).mrn for site in [north, south, north, south, north]]

    assert mrns == ["TR-000001", "TR-000002", "TR-000003", "TR-000004", "TR-000005"]
    assert MrnCounter.objects.get(organization=north.organization).last_number == 5


def test_many_registrations_never_share_an_mrn(north: Site, south: Site) -> None:
    patients = [register(north if n % 2 else south, legal_first_name=f"Person{n}") for n in range(40)]

    assert len({patient.mrn for patient in patients}) == 40
    assert Patient.objects.filter(mrn__in=[p.mrn for p in patients]).count() == 40


def test_each_organization_numbers_its_patients_from_one(north: Site) -> None:
    other = Organization.objects.create(name="Other Recovery", mrn_prefix="OR")
    east = make_site(other, "east", "East Site")
    register(north)
    register(north)

    first_elsewhere = register(east)

    assert first_elsewhere.mrn == "OR-000001"
    assert first_elsewhere.organization == other
    assert register(north).mrn == "TR-000003"


def test_a_refused_registration_does_not_use_up_a_number(north: Site) -> None:
    with pytest.raises(ValidationError):
        register(north, birth_date=TODAY + dt.timedelta(days=1))

    assert register(north).mrn == "TR-000001"


def test_registration_refuses_fields_it_does_not_know(north: Site) -> None:
    with pytest.raises(TypeError, match="mrn"):
        register(north, mrn="TR-999999")


# --- Date of birth ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth_date", "message"),
    [
        (TODAY + dt.timedelta(days=1), "The date of birth is in the future."),
        (dt.date(1915, 3, 4), "That makes the person older than 110; check the year."),
        (dt.date(2016, 3, 6), "That makes the person younger than 10; check the year."),
        (dt.date(2020, 1, 1), "That makes the person younger than 10; check the year."),
    ],
    ids=["tomorrow", "111-today", "one-day-short-of-10", "six-years-old"],
)
def test_an_implausible_date_of_birth_is_refused_with_a_message_on_the_field(
    north: Site, birth_date: dt.date, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        register(north, birth_date=birth_date)

    assert refused.value.message_dict["birth_date"] == [message]
    assert not Patient.objects.exists()
    assert not MrnCounter.objects.filter(last_number__gt=0).exists()


@pytest.mark.parametrize(
    "birth_date",
    [dt.date(2016, 3, 5), dt.date(1915, 3, 6), dt.date(1916, 3, 5)],
    ids=["tenth-birthday", "one-day-short-of-111", "110th-birthday"],
)
def test_a_date_of_birth_just_inside_the_age_limits_is_accepted(birth_date: dt.date) -> None:
    validate_birth_date(birth_date)  # does not raise


def test_a_person_one_day_short_of_ten_is_refused_although_3651_days_have_passed() -> None:
    # 2016-03-06 to 2026-03-05 is 3651 days (three leap days): counting in
    # 365-day blocks would call this child ten.
    assert (TODAY - dt.date(2016, 3, 6)).days // 365 == 10

    with pytest.raises(ValidationError, match="younger than 10"):
        validate_birth_date(dt.date(2016, 3, 6))


def test_a_patients_age_turns_over_on_the_birthday(north: Site) -> None:
    patient = register(north, birth_date=dt.date(1990, 3, 6))

    assert patient.age_on(TODAY) == 35
    assert patient.age_on(TODAY + dt.timedelta(days=1)) == 36


# --- Duplicate detection -----------------------------------------------------------------------------------------


def test_a_phone_number_typed_differently_is_a_possible_duplicate(north: Site) -> None:
    existing = register(north, phone="(617) 555-0142")

    matches = services.possible_duplicates(phone="+1 617.555.0142")

    assert matches == [existing]


def test_the_last_seven_digits_of_the_phone_are_enough_to_match(north: Site) -> None:
    existing = register(north, phone="555-0142")

    assert services.possible_duplicates(phone="617-555-0142") == [existing]
    assert services.possible_duplicates(phone="617-555-0143") == []


def test_a_phone_shorter_than_seven_digits_matches_nothing(north: Site) -> None:
    register(north, phone="0142")

    assert services.possible_duplicates(phone="0142") == []


def test_the_same_name_and_date_of_birth_is_a_possible_duplicate_whatever_the_case(north: Site) -> None:
    existing = register(north, legal_first_name="Maria", legal_last_name="Garcia", birth_date=dt.date(1985, 6, 1))

    matches = services.possible_duplicates(
        phone="", first_name=" maria ", last_name="GARCIA", birth_date=dt.date(1985, 6, 1)
    )

    assert matches == [existing]


def test_the_same_name_born_on_another_day_is_not_a_duplicate(north: Site) -> None:
    register(north, legal_first_name="Maria", legal_last_name="Garcia", birth_date=dt.date(1985, 6, 1))

    assert services.possible_duplicates(first_name="Maria", last_name="Garcia", birth_date=dt.date(1985, 6, 2)) == []


def test_duplicates_are_found_at_every_site(north: Site, south: Site) -> None:
    at_south = register(south, phone="312-555-0199")

    assert services.possible_duplicates(phone="312-555-0199") == [at_south]


# --- Optimistic locking ------------------------------------------------------------------------------------------


def test_an_edit_from_the_current_version_saves_and_moves_the_version_on(north: Site) -> None:
    patient = register(north)

    updated = services.patient_update(patient=patient, expected_version=1, preferred_name="Mari")

    patient.refresh_from_db()
    assert (updated.version, patient.version, patient.preferred_name) == (2, 2, "Mari")


def test_the_second_of_two_edits_from_the_same_version_is_refused_and_the_first_stands(north: Site) -> None:
    patient = register(north)
    first_editor_copy = Patient.objects.get(pk=patient.pk)
    second_editor_copy = Patient.objects.get(pk=patient.pk)

    services.patient_update(patient=first_editor_copy, expected_version=1, phone="617-555-0001")
    with pytest.raises(StaleEditError) as refused:
        services.patient_update(patient=second_editor_copy, expected_version=1, phone="617-555-0002")

    assert "Someone else changed this record" in refused.value.messages[0]
    patient.refresh_from_db()
    assert (patient.phone, patient.version) == ("617-555-0001", 2)


def test_an_edit_that_breaks_validation_changes_nothing(north: Site) -> None:
    patient = register(north)

    with pytest.raises(ValidationError):
        services.patient_update(patient=patient, expected_version=1, birth_date=TODAY + dt.timedelta(days=3))

    patient.refresh_from_db()
    assert (patient.birth_date, patient.version) == (dt.date(1985, 6, 1), 1)


# --- Episodes of care --------------------------------------------------------------------------------------------


@pytest.fixture
def counsellor(persona: Callable[..., User]) -> User:
    return persona(RoleCode.CLINICIAN)


def test_admitting_opens_an_active_episode_with_the_counsellor_on_the_care_team(north: Site, counsellor: User) -> None:
    patient = register(north)

    episode = services.episode_admit(
        actor=counsellor,
        patient=patient,
        site=north,
        admission_date=TODAY,
        level_of_care=LevelOfCare.PHP,
        primary_counsellor=counsellor,
    )

    assert (episode.status, episode.level_of_care) == (Episode.Status.ACTIVE, LevelOfCare.PHP)
    assert list(CareTeamMember.objects.filter(episode=episode).values_list("user", flat=True)) == [counsellor.pk]


def test_admission_is_audited_by_name_with_patient_and_site(north: Site, counsellor: User) -> None:
    patient = register(north)

    episode = services.episode_admit(actor=counsellor, patient=patient, site=north, admission_date=TODAY)

    event = AuditEvent.objects.get(action="episode.admit")
    assert (event.actor_id, event.patient_id, event.site_id) == (counsellor.pk, str(patient.pk), north.pk)
    assert event.object_id == str(episode.pk)
    assert event.data == {"level_of_care": LevelOfCare.IOP, "program": Episode.Program.ADULT_IOP}


def test_a_second_active_episode_is_refused_with_a_message(north: Site, south: Site, counsellor: User) -> None:
    patient = register(north)
    services.episode_admit(actor=counsellor, patient=patient, site=north, admission_date=TODAY)

    with pytest.raises(ValidationError, match="already has an active episode"):
        services.episode_admit(actor=counsellor, patient=patient, site=south, admission_date=TODAY)

    assert patient.episodes.count() == 1
    assert AuditEvent.objects.filter(action="episode.admit").count() == 1


def test_a_person_whose_episode_ended_can_be_admitted_again(north: Site, counsellor: User) -> None:
    patient = register(north)
    Episode.objects.create(
        patient=patient,
        site=north,
        admission_date=dt.date(2024, 1, 8),
        status=Episode.Status.DISCHARGED,
        discharge_date=dt.date(2024, 3, 1),
        discharge_reason="1",
    )

    services.episode_admit(actor=counsellor, patient=patient, site=north, admission_date=TODAY)

    assert patient.episodes.filter(status=Episode.Status.ACTIVE).count() == 1


def test_a_care_team_member_must_work_at_the_episodes_site(
    north: Site, south: Site, counsellor: User, persona: Callable[..., User]
) -> None:
    episode = services.episode_admit(actor=counsellor, patient=register(north), site=north, admission_date=TODAY)
    southerner = persona(RoleCode.NURSE, site=south)

    with pytest.raises(ValidationError, match="does not work at"):
        services.care_team_add(actor=counsellor, episode=episode, user=southerner)


# --- Selectors ---------------------------------------------------------------------------------------------------


def test_the_list_puts_the_users_care_team_patients_first(north: Site, counsellor: User) -> None:
    aaron = register(north, legal_first_name="Aaron", legal_last_name="Abbott")
    zoe = register(north, legal_first_name="Zoe", legal_last_name="Zimmer")
    services.episode_admit(
        actor=counsellor, patient=zoe, site=north, admission_date=TODAY, primary_counsellor=counsellor
    )

    listed = list(selectors.patient_list(user=counsellor))

    assert listed == [zoe, aaron]
    assert [p.on_my_team for p in listed] == [True, False]


def test_a_discharged_episodes_care_team_does_not_put_the_patient_first(north: Site, counsellor: User) -> None:
    aaron = register(north, legal_first_name="Aaron", legal_last_name="Abbott")
    zoe = register(north, legal_first_name="Zoe", legal_last_name="Zimmer")
    old = Episode.objects.create(
        patient=zoe,
        site=north,
        admission_date=dt.date(2024, 1, 8),
        status=Episode.Status.DISCHARGED,
        discharge_date=dt.date(2024, 3, 1),
        discharge_reason="1",
    )
    CareTeamMember.objects.create(episode=old, user=counsellor)

    assert list(selectors.patient_list(user=counsellor)) == [aaron, zoe]


def test_the_list_search_matches_every_word_against_names_or_the_mrn(north: Site, counsellor: User) -> None:
    maria = register(north, legal_first_name="Maria", legal_last_name="Garcia", preferred_name="Mari")
    register(north, legal_first_name="Maria", legal_last_name="Lopez")

    assert list(selectors.patient_list(user=counsellor, search="mari garc")) == [maria]
    assert list(selectors.patient_list(user=counsellor, search=maria.mrn.lower())) == [maria]


def test_a_patient_seen_at_two_sites_is_listed_once(north: Site, counsellor: User) -> None:
    patient = register(north)
    for year in (2022, 2023):
        Episode.objects.create(
            patient=patient,
            site=north,
            admission_date=dt.date(year, 1, 10),
            status=Episode.Status.DISCHARGED,
            discharge_date=dt.date(year, 2, 10),
            discharge_reason="1",
        )

    assert list(selectors.patient_list(user=counsellor)) == [patient]
    assert Patient.objects.restrict(counsellor, PATIENT_VIEW).count() == 1
