# SPDX-License-Identifier: AGPL-3.0-or-later
"""Need to know (Organization.need_to_know, on by default): clinical notes,
instruments, drug tests and medications reach the patient's care team, their
clinical supervisors and the clinical director; everyone else at the site
sees demographics and the schedule, and the rest only through emergency
access, for as long as the grant runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.assessments import services as assessments
from openiop.assessments.models import InstrumentResult
from openiop.assessments.permissions import ASSESSMENT_VIEW
from openiop.core.roles import RoleCode
from openiop.medications import services as medications
from openiop.medications.models import Medication, Specimen
from openiop.medications.permissions import DRUGTESTS_VIEW, MEDICATIONS_VIEW
from openiop.patients.models import Episode
from openiop.patients.scopes import RECENT_DISCHARGE_DAYS, reaches_clinical_record
from openiop.patients.services import care_team_add
from openiop.patients.tests.factories import NOW, TODAY
from openiop.privacy.services import emergency_access_open
from openiop.sites.models import Organization, Site
from openiop.treatment import selectors
from openiop.treatment.models import Note, TreatmentPlan
from openiop.treatment.permissions import TREATMENT_VIEW
from openiop.treatment.services import notes
from openiop.treatment.tests import factories

pytestmark = pytest.mark.django_db

DAP = {"data": "Talked about the relapse at the wedding.", "assessment": "Shaken, engaged.", "plan": "Weekly."}


def therapy_note(author: User, episode: Episode) -> Note:
    return notes.note_create(
        actor=author, episode=episode, kind=Note.Kind.INDIVIDUAL, note_format="DAP", session_date=TODAY,
        start_time=dt.time(9), end_time=dt.time(9, 50), sections=DAP,
    )  # fmt: skip


@pytest.fixture
def episode(north: Site, bob: User) -> Episode:
    """Bob (clinician) is the primary counsellor, so on the care team."""
    return factories.episode(north, bob)


@pytest.fixture
def clinical_record(episode: Episode, bob: User, persona: Callable[..., User]) -> dict[str, Any]:
    """A therapy note, a PHQ-9, a medication and a drug test of Bob's patient."""
    prescriber = persona(RoleCode.PRESCRIBER, username="pat")
    care_team_add(actor=bob, episode=episode, user=prescriber, role_label="Prescriber")
    patient = episode.patient
    return {
        "note": therapy_note(bob, episode),
        "result": assessments.result_record(actor=bob, patient=patient, code="PHQ-9", answers=[1] * 9),
        "medication": medications.medication_add(
            actor=prescriber, patient=patient, catalogue_code="naltrexone_oral", name="Naltrexone", dose="50 mg",
            route="oral", frequency="once daily", indication="Alcohol use disorder", prescriber=prescriber,
            start_date=TODAY - dt.timedelta(days=5),
        ),
        "specimen": medications.specimen_record(
            actor=prescriber, patient=patient, site=episode.site, specimen_type="urine",
            collected_at=NOW - dt.timedelta(days=1), observed=True, collected_by=prescriber,
            presumptive=[medications.ResultEntry("opiates", "negative")],
        ),
    }  # fmt: skip


def what_user_reaches(user: User, record: dict[str, Any]) -> dict[str, bool]:
    return {
        "note": Note.objects.restrict(user, TREATMENT_VIEW).filter(pk=record["note"].pk).exists(),
        "result": InstrumentResult.objects.restrict(user, ASSESSMENT_VIEW).filter(pk=record["result"].pk).exists(),
        "medication": Medication.objects.restrict(user, MEDICATIONS_VIEW).filter(pk=record["medication"].pk).exists(),
        "specimen": Specimen.objects.restrict(user, DRUGTESTS_VIEW).filter(pk=record["specimen"].pk).exists(),
    }


NOTHING = {"note": False, "result": False, "medication": False, "specimen": False}
EVERYTHING = {"note": True, "result": True, "medication": True, "specimen": True}


def set_need_to_know(site: Site, on: bool) -> None:
    Organization.objects.filter(pk=site.organization_id).update(need_to_know=on)


def test_it_is_on_for_a_new_organization() -> None:
    assert Organization.objects.create(name="New Install", mrn_prefix="NI").need_to_know is True


def test_a_nurse_at_the_site_off_the_care_team_cannot_open_a_therapy_note(
    client: Client, persona: Callable[..., User], clinical_record: dict[str, Any], episode: Episode
) -> None:
    nurse = persona(RoleCode.NURSE, username="nina")
    client.force_login(nurse)

    detail = client.get(reverse("treatment:note_detail", args=[clinical_record["note"].pk]))
    tab = client.get(reverse("patients:chart", args=[episode.patient_id]) + "?tab=notes")
    chart = client.get(reverse("patients:chart", args=[episode.patient_id]))

    assert detail.status_code == 404
    assert tab.status_code == 200
    assert "relapse at the wedding" not in tab.content.decode()
    # Demographics stay with everyone at the site.
    assert chart.status_code == 200
    assert episode.patient.legal_last_name in chart.content.decode()


def test_a_clinician_off_the_care_team_sees_no_instrument_drug_test_or_medication(
    client: Client, persona: Callable[..., User], clinical_record: dict[str, Any], episode: Episode
) -> None:
    other = persona(RoleCode.CLINICIAN, username="olga")

    assert what_user_reaches(other, clinical_record) == NOTHING
    client.force_login(other)
    page = client.get(reverse("patients:chart", args=[episode.patient_id]) + "?tab=medications")
    assert page.status_code == 200
    assert "Naltrexone" not in page.content.decode()


def test_the_care_team_their_supervisors_and_the_clinical_director_reach_it(
    persona: Callable[..., User], bob: User, clinical_record: dict[str, Any]
) -> None:
    supervisor = persona(RoleCode.CLINICIAN, username="sue")
    bob.clinical_supervisor = supervisor
    bob.save(update_fields=["clinical_supervisor"])
    director = persona(RoleCode.CLINICAL_DIRECTOR, username="dora")

    assert what_user_reaches(bob, clinical_record) == EVERYTHING
    assert what_user_reaches(User.objects.get(username="pat"), clinical_record) == EVERYTHING
    assert what_user_reaches(supervisor, clinical_record) == EVERYTHING
    assert what_user_reaches(director, clinical_record) == EVERYTHING


def test_with_the_setting_off_everyone_clinical_at_the_site_reaches_it(
    client: Client, persona: Callable[..., User], clinical_record: dict[str, Any], north: Site
) -> None:
    set_need_to_know(north, False)
    nurse = persona(RoleCode.NURSE, username="nina")
    other = persona(RoleCode.CLINICIAN, username="olga")

    assert what_user_reaches(nurse, clinical_record) == EVERYTHING
    assert what_user_reaches(other, clinical_record) == EVERYTHING
    client.force_login(nurse)
    assert client.get(reverse("treatment:note_detail", args=[clinical_record["note"].pk])).status_code == 200


def test_other_sites_stay_out_whatever_the_setting(
    persona: Callable[..., User], clinical_record: dict[str, Any], north: Site, south: Site
) -> None:
    set_need_to_know(north, False)
    elsewhere = persona(RoleCode.CLINICAL_DIRECTOR, site=south, username="sam")

    assert what_user_reaches(elsewhere, clinical_record) == NOTHING


def test_break_the_glass_opens_it_for_the_grants_duration(
    client: Client, _clock: Any, persona: Callable[..., User], clinical_record: dict[str, Any], episode: Episode
) -> None:
    nurse = persona(RoleCode.NURSE, username="nina")
    assert not reaches_clinical_record(nurse, episode.patient)

    emergency_access_open(actor=nurse, patient=episode.patient, reason="Found unresponsive in the lobby; need meds.")

    assert what_user_reaches(nurse, clinical_record) == EVERYTHING
    client.force_login(nurse)
    assert client.get(reverse("treatment:note_detail", args=[clinical_record["note"].pk])).status_code == 200
    _clock.move_to(NOW + dt.timedelta(hours=4, minutes=1), tick=False)
    assert what_user_reaches(nurse, clinical_record) == NOTHING


def test_emergency_access_is_refused_to_the_care_team_which_already_reaches_the_record(
    bob: User, episode: Episode
) -> None:
    with pytest.raises(ValidationError, match="already have access"):
        emergency_access_open(actor=bob, patient=episode.patient, reason="Checking something urgent here.")


def test_the_care_team_keeps_the_record_for_a_while_after_discharge(
    _clock: Any, bob: User, clinical_record: dict[str, Any], episode: Episode
) -> None:
    Episode.objects.filter(pk=episode.pk).update(status=Episode.Status.DISCHARGED, discharge_date=TODAY)

    assert what_user_reaches(bob, clinical_record) == EVERYTHING
    _clock.move_to(NOW + dt.timedelta(days=RECENT_DISCHARGE_DAYS + 1), tick=False)
    reached = what_user_reaches(bob, clinical_record)
    # Bob wrote the note and scored the PHQ-9 and still reads them; the rest has left his reach.
    assert reached == {"note": True, "result": True, "medication": False, "specimen": False}


def test_a_plan_is_the_care_teams_too(persona: Callable[..., User], bob: User, episode: Episode) -> None:
    factories.signed_plan(bob, episode)
    nurse = persona(RoleCode.NURSE, username="nina")

    assert TreatmentPlan.objects.restrict(bob, TREATMENT_VIEW).count() == 1
    assert TreatmentPlan.objects.restrict(nurse, TREATMENT_VIEW).count() == 0
    assert selectors.chart_notes(episode.patient, nurse) == []
