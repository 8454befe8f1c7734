# SPDX-License-Identifier: AGPL-3.0-or-later
"""Safety plans: written through the service with versions and audit, the
pages (start from a C-SSRS result, print, review), and the reminder to review
the plan with the patient when care steps down."""

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
from openiop.assessments import safety_plan, selectors, services
from openiop.assessments.models import SafetyPlan, SafetyPlanVersion
from openiop.audit.models import AuditEvent
from openiop.core.locking import StaleEditError
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode, Patient
from openiop.patients.services import care_team_add, episode_admit, episode_change_level
from openiop.patients.tests.factories import register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db

CONTENT = {
    "warning_signs": "Not sleeping\nStaying in my room",
    "coping_strategies": "Walk the dog",
    "distractions": "Coffee with Ana 617-555-0100",
    "help_contacts": "My sister Rosa 617-555-0101",
    "crisis_contacts": safety_plan.CRISIS_LINES + "\nCounsellor Bob 617-555-0199",
    "environment_safety": "Rosa keeps my medicines",
    "reasons_for_living": "My daughter",
}


@pytest.fixture
def patient(north: Site) -> Patient:
    return register(north)


@pytest.fixture
def episode(patient: Patient, north: Site, bob: User) -> Episode:
    admitted = timezone.localdate() - dt.timedelta(days=30)
    episode = episode_admit(actor=bob, patient=patient, site=north, admission_date=admitted, level_of_care="2.5")
    care_team_add(actor=bob, episode=episode, user=bob)
    return episode


def write(bob: User, patient: Patient, expected: int = 0, **changes: str) -> SafetyPlanVersion:
    return services.safety_plan_write(
        actor=bob, patient=patient, content={**CONTENT, **changes}, expected_version=expected
    )


def step_down(bob: User, episode: Episode, *, days_ago: int = 0, to_level: str = "2.1") -> None:
    episode.refresh_from_db()
    episode_change_level(
        actor=bob,
        episode=episode,
        to_level=to_level,
        effective_date=timezone.localdate() - dt.timedelta(days=days_ago),
        reason="Stable for two weeks.",
    )


# --- The service ----------------------------------------------------------------------------------------------------


def test_writing_a_plan_twice_keeps_both_versions_and_audits_each(bob: User, patient: Patient) -> None:
    first = write(bob, patient)
    second = write(bob, patient, expected=1, coping_strategies="Walk the dog\nListen to music")

    plan = SafetyPlan.objects.get(patient=patient)
    assert (first.number, second.number, plan.version) == (1, 2, 2)
    assert SafetyPlanVersion.objects.get(pk=first.pk).coping_strategies == "Walk the dog"
    events = AuditEvent.objects.filter(action="safety_plan.write").order_by("pk")
    assert [event.data["version"] for event in events] == [1, 2]
    assert all(event.patient_id == str(patient.pk) for event in events)


def test_an_edit_started_from_an_old_version_is_refused_and_saves_nothing(bob: User, patient: Patient) -> None:
    write(bob, patient)
    write(bob, patient, expected=1)

    with pytest.raises(StaleEditError, match="saved version 2 of this plan"):
        write(bob, patient, expected=1, reasons_for_living="Something else")
    assert SafetyPlanVersion.objects.count() == 2


def test_every_empty_step_is_named_and_nothing_is_saved(bob: User, patient: Patient) -> None:
    with pytest.raises(ValidationError) as refused:
        write(bob, patient, environment_safety=" ", reasons_for_living="")

    assert set(refused.value.message_dict) == {"environment_safety", "reasons_for_living"}
    assert not SafetyPlan.objects.exists()


def test_a_review_cannot_be_dated_in_the_future_or_before_the_version(bob: User, patient: Patient) -> None:
    write(bob, patient)
    plan = SafetyPlan.objects.get()
    today = timezone.localdate()

    for day in (today + dt.timedelta(days=1), today - dt.timedelta(days=1)):
        with pytest.raises(ValidationError):
            services.safety_plan_review(actor=bob, plan=plan, reviewed_on=day)
    review = services.safety_plan_review(actor=bob, plan=plan, reviewed_on=today, note="Went through it together.")

    assert review.version.number == 1
    assert AuditEvent.objects.filter(action="safety_plan.review", patient_id=str(patient.pk)).exists()


# --- The reminder at a step-down -------------------------------------------------------------------------------------


def test_a_step_down_flags_the_plan_until_it_is_reviewed_with_the_patient(
    bob: User, patient: Patient, episode: Episode
) -> None:
    write(bob, patient)
    plan = SafetyPlan.objects.get()
    services.safety_plan_review(actor=bob, plan=plan, reviewed_on=timezone.localdate())
    assert selectors.patient_safety_plan(bob, patient).review_due_since is None  # type: ignore[union-attr]
    assert selectors.plans_due_for_review(bob) == []

    step_down(bob, episode)

    status = selectors.patient_safety_plan(bob, patient)
    assert status is not None and status.review_due_since == timezone.localdate()
    assert [row.patient for row in selectors.plans_due_for_review(bob)] == [patient]

    services.safety_plan_review(actor=bob, plan=plan, reviewed_on=timezone.localdate())

    assert selectors.patient_safety_plan(bob, patient).review_due_since is None  # type: ignore[union-attr]
    assert selectors.plans_due_for_review(bob) == []


def test_a_step_up_asks_for_no_review(bob: User, patient: Patient, episode: Episode) -> None:
    write(bob, patient)

    step_down(bob, episode, to_level="3.1")  # a step-up from 2.5

    assert selectors.patient_safety_plan(bob, patient).review_due_since is None  # type: ignore[union-attr]


def test_a_revised_plan_needs_its_own_review_after_the_step_down(bob: User, patient: Patient, episode: Episode) -> None:
    write(bob, patient)
    step_down(bob, episode)
    services.safety_plan_review(actor=bob, plan=SafetyPlan.objects.get(), reviewed_on=timezone.localdate())

    write(bob, patient, expected=1, help_contacts="My sister Rosa 617-555-0102")

    assert [row.patient for row in selectors.plans_due_for_review(bob)] == [patient]


def test_the_dashboard_and_the_chart_overview_flag_the_unreviewed_plan(
    client: Client, bob: User, patient: Patient, episode: Episode
) -> None:
    write(bob, patient)
    step_down(bob, episode)
    client.force_login(bob)

    dashboard = client.get(reverse("core:dashboard"))
    chart = client.get(reverse("patients:chart", args=[patient.pk]))

    section = next(s for s in dashboard.context["sections"] if s.key == "safety_plans_due")
    assert [row.patient for row in section.context["plans"]] == [patient]
    assert "1 safety plan to review after a step-down" in dashboard.content.decode()
    assert "data-safety-plan-review-due" in chart.content.decode()
    read = AuditEvent.objects.filter(action="record.read", data__view="dashboard").last()
    assert read is not None and patient.pk in read.data["patients"]


def test_the_dashboard_section_needs_a_fixed_number_of_queries(
    bob: User, north: Site, django_assert_max_num_queries: Callable[..., object]
) -> None:
    for number in range(6):
        other = register(north, legal_first_name=f"P{number}")
        episode = episode_admit(
            actor=bob,
            patient=other,
            site=north,
            admission_date=timezone.localdate() - dt.timedelta(days=9),
            level_of_care="2.5",
        )
        write(bob, other)
        step_down(bob, episode)

    with django_assert_max_num_queries(8):  # type: ignore[operator]
        due = selectors.plans_due_for_review(bob)
    assert len(due) == 6


def test_only_plans_whose_patient_changed_level_are_read_for_the_dashboard(
    bob: User, patient: Patient, episode: Episode, north: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(bob, patient)
    steady = register(north, legal_first_name="Steady")
    episode_admit(actor=bob, patient=steady, site=north, admission_date=timezone.localdate(), level_of_care="2.5")
    write(bob, steady)
    step_down(bob, episode)
    asked: list[list[int]] = []
    step_downs = selectors._active_step_downs

    def recorded(ids: list[int]) -> Any:
        asked.append(ids)
        return step_downs(ids)

    monkeypatch.setattr(selectors, "_active_step_downs", recorded)

    assert [row.patient for row in selectors.plans_due_for_review(bob)] == [patient]
    assert asked == [[patient.pk]]  # the steady patient's plan never left the database


def test_staff_of_another_site_see_no_plan_of_this_one(
    bob: User, patient: Patient, episode: Episode, persona: Callable[..., User], south: Site
) -> None:
    write(bob, patient)
    step_down(bob, episode)
    elsewhere = persona(RoleCode.CLINICIAN, site=south)

    assert selectors.patient_safety_plan(elsewhere, patient) is None
    assert selectors.plans_due_for_review(elsewhere) == []


# --- The pages --------------------------------------------------------------------------------------------------------


def test_a_moderate_or_high_c_ssrs_result_links_to_start_a_safety_plan_prefilled_with_988(
    client: Client, bob: User, patient: Patient, episode: Episode
) -> None:
    result = services.result_record(
        actor=bob, patient=patient, code="C-SSRS", answers=[True, True, True, False, False, False, None]
    )
    client.force_login(bob)

    page = client.get(reverse("assessments:result", args=[result.pk])).content.decode()
    start = reverse("assessments:safety_plan_edit", args=[patient.pk]) + f"?result={result.pk}"
    assert "Start a safety plan" in page and start in page

    form = client.get(start)
    assert "988" in form.context["form"]["crisis_contacts"].value()
    response = client.post(start, {**CONTENT, "version": "0"})

    assert response.status_code == 302
    assert SafetyPlanVersion.objects.get().source_result == result
    after = client.get(reverse("assessments:result", args=[result.pk])).content.decode()
    assert "Review the safety plan" in after and "Start a safety plan" not in after


def test_a_low_risk_or_quiet_result_does_not_push_a_plan(
    client: Client, bob: User, patient: Patient, episode: Episode
) -> None:
    low = services.result_record(
        actor=bob, patient=patient, code="C-SSRS", answers=[True, False, None, None, None, False, None]
    )
    client.force_login(bob)

    assert "Start a safety plan" not in client.get(reverse("assessments:result", args=[low.pk])).content.decode()


def test_a_phq9_suicide_item_links_to_the_c_ssrs_screener(
    client: Client, bob: User, patient: Patient, episode: Episode
) -> None:
    result = services.result_record(actor=bob, patient=patient, code="PHQ-9", answers=[0] * 8 + [1])
    client.force_login(bob)

    page = client.get(reverse("assessments:result", args=[result.pk])).content.decode()

    assert reverse("assessments:administer", args=[patient.pk, "C-SSRS"]) in page


def test_the_printable_plan_is_in_plain_large_type_with_988_and_911_and_every_step(
    client: Client, bob: User, patient: Patient
) -> None:
    write(bob, patient)
    client.force_login(bob)

    response = client.get(reverse("assessments:safety_plan_print", args=[patient.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "safety_plan_print.css" in page and "data-print" in page
    assert "Call or text 988" in page and "call 911" in page
    for line in ("Not sleeping", "Walk the dog", "My sister Rosa 617-555-0101", "Rosa keeps my medicines"):
        assert f"<li>{line}</li>" in page
    assert "The things most worth living for" in page and "My daughter" in page
    assert AuditEvent.objects.filter(action="record.read", data__view="safety_plan_print").exists()


def test_reviewing_from_the_page_records_the_date_and_clears_the_flag(
    client: Client, bob: User, patient: Patient, episode: Episode
) -> None:
    write(bob, patient)
    step_down(bob, episode)
    client.force_login(bob)
    url = reverse("assessments:safety_plan_review", args=[patient.pk])

    refused = client.post(url, {"reviewed_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat()})
    assert refused.status_code == 200 and refused.context["form"].errors["reviewed_on"]
    done = client.post(url, {"reviewed_on": timezone.localdate().isoformat(), "note": "At the step-down."})

    assert done.status_code == 302
    page = client.get(reverse("assessments:safety_plan", args=[patient.pk])).content.decode()
    assert "At the step-down." in page and "data-safety-plan-review-due" not in page


def test_a_stale_edit_on_the_page_keeps_what_was_typed(client: Client, bob: User, patient: Patient) -> None:
    write(bob, patient)
    write(bob, patient, expected=1)
    client.force_login(bob)

    response = client.post(
        reverse("assessments:safety_plan_edit", args=[patient.pk]),
        {**CONTENT, "reasons_for_living": "My garden", "version": "1"},
    )

    assert response.status_code == 200 and "saved version 2 of this plan" in response.content.decode()
    assert "My garden" in response.content.decode()
    assert SafetyPlanVersion.objects.count() == 2


def test_an_old_version_is_shown_as_it_was_written(client: Client, bob: User, patient: Patient) -> None:
    write(bob, patient)
    write(bob, patient, expected=1, reasons_for_living="My garden")
    client.force_login(bob)

    page = client.get(reverse("assessments:safety_plan", args=[patient.pk]) + "?version=1").content.decode()

    assert "My daughter" in page and "My garden" not in page and "An earlier version" in page


def test_front_desk_cannot_open_a_safety_plan(
    client: Client, bob: User, patient: Patient, persona: Callable[..., User]
) -> None:
    write(bob, patient)
    client.force_login(persona(RoleCode.FRONT_DESK))

    assert client.get(reverse("assessments:safety_plan", args=[patient.pk])).status_code == 403
