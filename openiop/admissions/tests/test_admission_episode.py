# SPDX-License-Identifier: AGPL-3.0-or-later
"""Admitting opens the episode of care in the same transaction, carrying the
inquiry's data over; any refusal saves nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.models import User
from openiop.admissions import pipeline, services, signals
from openiop.admissions.models import Inquiry, ReferralSource
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode, Patient
from openiop.patients.services import episode_admit, patient_register
from openiop.scheduling.models import Track
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db
MakeInquiry = Callable[..., Inquiry]


def ready_to_admit(inquiry: Inquiry, actor: User) -> Inquiry:
    for stage in (pipeline.PRE_SCREEN, pipeline.BENEFITS_CHECK, pipeline.ASSESSMENT_SCHEDULED):
        inquiry = services.inquiry_move(actor=actor, inquiry=inquiry, to_stage=stage)
    return inquiry


@pytest.fixture
def counsellor(persona: Callable[..., User]) -> User:
    return persona(RoleCode.CLINICIAN, username="carla")


@pytest.fixture
def nurse(persona: Callable[..., User]) -> User:
    return persona(RoleCode.NURSE, username="nate")


def test_admitting_opens_the_episode_with_its_team_and_track_and_links_it(
    make_inquiry: MakeInquiry, navigator: User, counsellor: User, nurse: User, north: Site
) -> None:
    track = Track.objects.create(site=north, kind="evening", name="Evening IOP")
    source = ReferralSource.objects.create(name="Mercy General", kind="hospital")
    inquiry = ready_to_admit(
        make_inquiry(insurance_payer="Aetna", insurance_member_id="W123-45", referral_source=source), navigator
    )
    today = timezone.localdate()
    admitted = services.inquiry_move(
        actor=navigator,
        inquiry=inquiry,
        to_stage=pipeline.ADMITTED,
        episode=services.EpisodeDetails(
            admission_date=today,
            level_of_care="2.5",
            program="matrix",
            primary_counsellor=counsellor,
            care_team=(nurse,),
            track=track,
        ),
    )
    episode = Episode.objects.get()
    assert admitted.episode == episode
    assert admitted.track == track
    assert episode.patient == admitted.patient == Patient.objects.get()
    assert (episode.status, episode.site, episode.admission_date) == ("active", north, today)
    assert (episode.level_of_care, episode.program, episode.primary_counsellor) == ("2.5", "matrix", counsellor)
    assert set(episode.care_team.all()) == {counsellor, nurse}
    # The inquiry's data stays with the episode through the link.
    assert episode.admitted_from.substances == ["alcohol"]  # type: ignore[attr-defined]
    assert episode.admitted_from.referral_source == source  # type: ignore[attr-defined]
    assert episode.admitted_from.insurance_member_id == "W123-45"  # type: ignore[attr-defined]
    assert episode.admitted_from.consent_to_contact is True  # type: ignore[attr-defined]
    event = AuditEvent.objects.filter(action="inquiry.move").latest("id")
    assert event.data["episode"] == episode.pk
    assert AuditEvent.objects.filter(action="episode.admit", object_id=str(episode.pk)).exists()


def test_the_admitted_signal_is_sent_once_the_episode_exists(make_inquiry: MakeInquiry, navigator: User) -> None:
    seen: list[tuple[Any, Any]] = []

    def receiver(sender: Any, inquiry: Inquiry, actor: User | None, **kwargs: Any) -> None:
        seen.append((inquiry.patient_id, Episode.objects.filter(patient_id=inquiry.patient_id).first()))

    signals.inquiry_admitted.connect(receiver, dispatch_uid="test-admitted")
    try:
        services.inquiry_move(
            actor=navigator, inquiry=ready_to_admit(make_inquiry(), navigator), to_stage=pipeline.ADMITTED
        )
    finally:
        signals.inquiry_admitted.disconnect(dispatch_uid="test-admitted")
    [(patient_id, episode)] = seen
    assert episode is not None and episode.patient_id == patient_id


def test_a_failing_receiver_undoes_the_whole_admission(make_inquiry: MakeInquiry, navigator: User) -> None:
    def refuse(**kwargs: Any) -> None:
        raise ValidationError("The coverage could not be created.")

    inquiry = ready_to_admit(make_inquiry(), navigator)
    signals.inquiry_admitted.connect(refuse, dispatch_uid="test-refuse")
    try:
        with pytest.raises(ValidationError):
            services.inquiry_move(actor=navigator, inquiry=inquiry, to_stage=pipeline.ADMITTED)
    finally:
        signals.inquiry_admitted.disconnect(dispatch_uid="test-refuse")
    inquiry.refresh_from_db()
    assert (inquiry.stage, inquiry.patient, inquiry.episode) == (pipeline.ASSESSMENT_SCHEDULED, None, None)
    assert not Patient.objects.exists() and not Episode.objects.exists()


def test_linking_a_chart_with_an_active_episode_is_refused_and_saves_nothing(
    make_inquiry: MakeInquiry, navigator: User, north: Site
) -> None:
    existing = patient_register(
        site=north, legal_first_name="Tom", legal_last_name="Diaz", birth_date=dt.date(1998, 4, 2)
    )
    episode_admit(actor=None, patient=existing, site=north, admission_date=timezone.localdate())
    inquiry = ready_to_admit(make_inquiry(), navigator)
    with pytest.raises(ValidationError, match="already has an active episode"):
        services.inquiry_move(actor=navigator, inquiry=inquiry, to_stage=pipeline.ADMITTED, existing_patient=existing)
    inquiry.refresh_from_db()
    assert inquiry.stage == pipeline.ASSESSMENT_SCHEDULED
    assert Episode.objects.count() == 1


def test_linking_a_discharged_persons_chart_opens_a_new_episode_on_it(
    make_inquiry: MakeInquiry, navigator: User, north: Site
) -> None:
    existing = patient_register(
        site=north, legal_first_name="Tom", legal_last_name="Diaz", birth_date=dt.date(1998, 4, 2)
    )
    admitted = services.inquiry_move(
        actor=navigator,
        inquiry=ready_to_admit(make_inquiry(), navigator),
        to_stage=pipeline.ADMITTED,
        existing_patient=existing,
    )
    assert admitted.patient == existing
    assert admitted.episode is not None and admitted.episode.patient == existing
    assert Patient.objects.count() == 1


@pytest.mark.parametrize(
    ("details", "field"),
    [
        ({"admission_date": dt.date.today() + dt.timedelta(days=2)}, "admission_date"),
        ({"admission_date": dt.date(2000, 1, 1)}, "admission_date"),
    ],
)
def test_bad_episode_details_are_refused_before_anything_is_saved(
    make_inquiry: MakeInquiry, navigator: User, details: dict[str, Any], field: str
) -> None:
    inquiry = ready_to_admit(make_inquiry(), navigator)
    with pytest.raises(ValidationError) as error:
        services.inquiry_move(
            actor=navigator, inquiry=inquiry, to_stage=pipeline.ADMITTED, episode=services.EpisodeDetails(**details)
        )
    assert field in error.value.message_dict
    assert not Patient.objects.exists()


def test_a_track_or_team_member_from_another_site_is_refused(
    make_inquiry: MakeInquiry, navigator: User, south: Site, persona: Callable[..., User]
) -> None:
    inquiry = ready_to_admit(make_inquiry(), navigator)
    elsewhere = Track.objects.create(site=south, kind="morning", name="South mornings")
    with pytest.raises(ValidationError) as error:
        services.inquiry_move(
            actor=navigator, inquiry=inquiry, to_stage=pipeline.ADMITTED,
            episode=services.EpisodeDetails(admission_date=timezone.localdate(), track=elsewhere),
        )  # fmt: skip
    assert "track" in error.value.message_dict
    south_nurse = persona(RoleCode.NURSE, site=south)
    with pytest.raises(ValidationError) as error:
        services.inquiry_move(
            actor=navigator, inquiry=inquiry, to_stage=pipeline.ADMITTED,
            episode=services.EpisodeDetails(admission_date=timezone.localdate(), care_team=(south_nurse,)),
        )  # fmt: skip
    assert "care_team" in error.value.message_dict
    assert not Patient.objects.exists()


# --- The admit page ------------------------------------------------------------------------------------------------


def admit_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "version": 4, "admission_date": timezone.localdate().isoformat(), "level_of_care": "2.1",
        "program": "adult_iop", "primary_counsellor": "", "note": "",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_the_admit_page_opens_the_episode_and_lands_on_the_chart(
    client: Client, make_inquiry: MakeInquiry, navigator: User, counsellor: User, nurse: User
) -> None:
    inquiry = ready_to_admit(make_inquiry(insurance_payer="Aetna", insurance_member_id="W123"), navigator)
    client.force_login(navigator)
    page = client.get(reverse("admissions:admit", args=[inquiry.pk]))
    assert page.status_code == 200
    assert "Carried over from the inquiry" in page.content.decode()
    response = client.post(
        reverse("admissions:admit", args=[inquiry.pk]),
        admit_data(primary_counsellor=counsellor.pk, care_team=[nurse.pk]),
    )
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:chart", args=[patient.pk])
    episode = Episode.objects.get(patient=patient, status="active")
    assert set(episode.care_team.all()) == {counsellor, nurse}
    chart = client.get(response["Location"]).content.decode()
    assert 'data-testid="chart-admission"' in chart
    assert "W123" in chart and "Alcohol" in chart


def test_the_admit_page_shows_a_refusal_and_keeps_everything_unsaved(
    client: Client, make_inquiry: MakeInquiry, navigator: User
) -> None:
    inquiry = ready_to_admit(make_inquiry(), navigator)
    client.force_login(navigator)
    future = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = client.post(reverse("admissions:admit", args=[inquiry.pk]), admit_data(admission_date=future))
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert response.context["form"].errors["admission_date"]
    assert not Patient.objects.exists()
    inquiry.refresh_from_db()
    assert inquiry.stage == pipeline.ASSESSMENT_SCHEDULED


def test_the_admit_page_sends_back_an_inquiry_not_ready_for_admission(
    client: Client, make_inquiry: MakeInquiry, navigator: User
) -> None:
    inquiry = make_inquiry()
    client.force_login(navigator)
    response = client.post(reverse("admissions:admit", args=[inquiry.pk]), admit_data(version=1), follow=True)
    assert "Cannot skip from New to Admitted" in response.content.decode()
    assert not Patient.objects.exists()


def test_the_general_move_form_refuses_to_admit_without_the_episode_form(
    client: Client, make_inquiry: MakeInquiry, navigator: User
) -> None:
    inquiry = ready_to_admit(make_inquiry(), navigator)
    client.force_login(navigator)
    response = client.post(reverse("admissions:move", args=[inquiry.pk]), {"to_stage": "admitted", "version": 4})
    assert response.status_code == 200
    assert response.context["form"].errors["to_stage"]
    assert not Patient.objects.exists()


def test_who_may_not_admit_gets_403_and_another_site_404(
    client: Client, make_inquiry: MakeInquiry, navigator: User, persona: Callable[..., User], south: Site
) -> None:
    inquiry = ready_to_admit(make_inquiry(), navigator)
    client.force_login(persona(RoleCode.FRONT_DESK))
    assert client.post(reverse("admissions:admit", args=[inquiry.pk]), admit_data()).status_code == 403
    client.force_login(persona(RoleCode.ADMISSIONS_NAVIGATOR, site=south))
    assert client.post(reverse("admissions:admit", args=[inquiry.pk]), admit_data()).status_code == 404
    assert not Patient.objects.exists()


def test_the_admit_page_may_link_the_existing_chart_it_found(
    client: Client, make_inquiry: MakeInquiry, navigator: User, north: Site
) -> None:
    existing = patient_register(
        site=north, legal_first_name="Tom", legal_last_name="Diaz", birth_date=dt.date(1998, 4, 2)
    )
    inquiry = ready_to_admit(make_inquiry(), navigator)
    client.force_login(navigator)
    page = client.get(reverse("admissions:admit", args=[inquiry.pk]))
    assert list(page.context["form"].fields["existing_patient"].queryset) == [existing]
    response = client.post(reverse("admissions:admit", args=[inquiry.pk]), admit_data(existing_patient=existing.pk))
    assert response.status_code == 302
    assert Patient.objects.count() == 1
    assert Episode.objects.get().patient == existing
