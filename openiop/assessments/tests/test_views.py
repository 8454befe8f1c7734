# SPDX-License-Identifier: AGPL-3.0-or-later
"""The assessment pages: forms rendered from the definitions, the chart tab,
alerts on the dashboard, placement and the withdrawal flowsheet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from openiop.accounts.models import User
from openiop.assessments import placement, services
from openiop.assessments.instruments import INSTRUMENTS
from openiop.assessments.models import InstrumentResult, PlacementAssessment, SafetyAlert, WithdrawalCheck
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode, Patient
from openiop.patients.services import care_team_add, episode_admit
from openiop.patients.tests.factories import register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(north: Site) -> Patient:
    return register(north)


@pytest.fixture
def episode(patient: Patient, north: Site, bob: User) -> Episode:
    episode = episode_admit(actor=bob, patient=patient, site=north, admission_date=timezone.localdate())
    care_team_add(actor=bob, episode=episode, user=bob)
    return episode


@pytest.fixture
def bob_client(client: Client, bob: User) -> Client:
    client.force_login(bob)
    return client


def form_data(answers: dict[str, Any]) -> dict[str, Any]:
    return {f"item_{key}": value for key, value in answers.items()}


@pytest.mark.parametrize("code", list(INSTRUMENTS))
def test_every_instrument_form_is_rendered_from_its_definition(bob_client: Client, patient: Patient, code: str) -> None:
    response = bob_client.get(reverse("assessments:administer", args=[patient.pk, code]))

    assert response.status_code == 200
    instrument = INSTRUMENTS[code]
    page = response.content.decode()
    for item in instrument.items:
        assert f'name="item_{item.key}"' in page
    assert page.count('type="radio"') >= sum(len(item.choices) for item in instrument.items)


def test_submitting_phq9_scores_stores_and_shows_the_result(bob_client: Client, patient: Patient) -> None:
    answers = dict.fromkeys(map(str, range(1, 10)), "1")
    answers["9"] = "0"

    response = bob_client.post(reverse("assessments:administer", args=[patient.pk, "PHQ-9"]), form_data(answers))

    result = InstrumentResult.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("assessments:result", args=[result.pk])
    assert (result.total, result.band) == (8, "mild")
    page = bob_client.get(response["Location"]).content.decode()
    assert "PHQ-9" in page and "mild" in page and "crisis-guidance" not in page


def test_a_missing_answer_is_named_beside_the_item_and_nothing_is_saved(bob_client: Client, patient: Patient) -> None:
    answers = dict.fromkeys(map(str, range(1, 9)), "0")  # item 9 missing

    response = bob_client.post(reverse("assessments:administer", args=[patient.pk, "PHQ-9"]), form_data(answers))

    assert response.status_code == 200
    assert "Answer item 9." in response.content.decode()
    assert not InstrumentResult.objects.exists()


def test_a_value_the_item_does_not_allow_is_refused(bob_client: Client, patient: Patient) -> None:
    answers = dict.fromkeys(map(str, range(1, 10)), "0")
    answers["3"] = "7"

    response = bob_client.post(reverse("assessments:administer", args=[patient.pk, "PHQ-9"]), form_data(answers))

    assert response.status_code == 200 and not InstrumentResult.objects.exists()
    assert response.context["form"].errors["item_3"]


def test_dast10_takes_yes_and_no(bob_client: Client, patient: Patient) -> None:
    answers = dict.fromkeys(map(str, range(1, 11)), "no")
    answers["1"] = "yes"
    answers["3"] = "yes"  # item 3 is reverse-scored: "yes" scores 0

    bob_client.post(reverse("assessments:administer", args=[patient.pk, "DAST-10"]), form_data(answers))

    result = InstrumentResult.objects.get()
    assert result.answers[0] is True and result.answers[2] is True
    assert result.total == 1


def test_audit_c_asks_for_sex_only_when_the_chart_does_not_say(bob_client: Client, north: Site) -> None:
    unknown = register(north, sex_at_birth="unknown")
    female = register(north, sex_at_birth="female", legal_first_name="Ana")

    assert (
        "sex" in bob_client.get(reverse("assessments:administer", args=[unknown.pk, "AUDIT-C"])).context["form"].fields
    )
    assert (
        "sex"
        not in bob_client.get(reverse("assessments:administer", args=[female.pk, "AUDIT-C"])).context["form"].fields
    )


def test_an_item_9_answer_shows_crisis_guidance_at_once_and_alerts_the_dashboard(
    bob_client: Client, patient: Patient, episode: Episode
) -> None:
    answers = dict.fromkeys(map(str, range(1, 10)), "0")
    answers["9"] = "2"

    response = bob_client.post(
        reverse("assessments:administer", args=[patient.pk, "PHQ-9"]), form_data(answers), follow=True
    )

    page = response.content.decode()
    assert 'class="crisis-guidance" role="alert"' in page and "call 911" in page and "988" in page
    assert "<mark>Suicidal ideation</mark>" in page and "suicidal_ideation" not in page  # the flag in words
    alert = SafetyAlert.objects.get()
    dashboard = bob_client.get(reverse("core:dashboard")).content.decode()
    assert "1 unacknowledged safety alert" in dashboard
    assert reverse("assessments:alert", args=[alert.pk]) in dashboard
    assert dashboard.index('id="section-') == dashboard.index('id="section-safety_alerts"')  # the first section


def test_acknowledging_from_the_page_needs_a_note_then_clears_the_dashboard(
    bob_client: Client, patient: Patient, episode: Episode, bob: User
) -> None:
    alert = services.alert_raise(
        actor=bob, patient=patient, kind=SafetyAlert.Kind.REPORTED_SUICIDAL_THOUGHT, detail="x"
    )
    url = reverse("assessments:alert_acknowledge", args=[alert.pk])

    refused = bob_client.post(url, {"note": ""})
    assert refused.status_code == 200 and refused.context["form"].errors["note"]
    done = bob_client.post(url, {"note": "Safety plan reviewed."})

    assert done.status_code == 302
    alert.refresh_from_db()
    assert not alert.is_open
    assert "unacknowledged safety alert" not in bob_client.get(reverse("core:dashboard")).content.decode()


def test_the_dashboard_lists_care_team_patients_first(
    bob_client: Client, bob: User, patient: Patient, episode: Episode, north: Site
) -> None:
    other = register(north, legal_first_name="Zed", legal_last_name="Other")
    first = services.alert_raise(actor=bob, patient=other, kind=SafetyAlert.Kind.REPORTED_SUICIDAL_THOUGHT, detail="a")
    mine = services.alert_raise(actor=bob, patient=patient, kind=SafetyAlert.Kind.REPORTED_SUICIDAL_THOUGHT, detail="b")

    alerts = bob_client.get(reverse("core:dashboard")).context["sections"][0].context["alerts"]

    assert [a.pk for a in alerts] == [mine.pk, first.pk]


def test_a_front_desk_user_sees_no_alerts_section(
    client: Client, persona: Callable[..., User], bob: User, patient: Patient
) -> None:
    services.alert_raise(actor=bob, patient=patient, kind=SafetyAlert.Kind.REPORTED_SUICIDAL_THOUGHT, detail="x")
    client.force_login(persona(RoleCode.FRONT_DESK))

    assert "safety alert" not in client.get(reverse("core:dashboard")).content.decode()


def test_another_sites_alert_is_a_404_and_audited(
    client: Client, persona: Callable[..., User], south: Site, bob: User, patient: Patient
) -> None:
    alert = services.alert_raise(
        actor=bob, patient=patient, kind=SafetyAlert.Kind.REPORTED_SUICIDAL_THOUGHT, detail="x"
    )
    stranger = persona(RoleCode.CLINICIAN, site=south)
    client.force_login(stranger)

    assert client.get(reverse("assessments:alert", args=[alert.pk])).status_code == 404
    assert client.get(reverse("assessments:administer", args=[patient.pk, "PHQ-9"])).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor_id=stranger.pk).count() == 2
    assert not client.get(reverse("core:dashboard")).context["sections"]


def test_the_chart_tab_lists_and_charts_results_over_time(bob_client: Client, bob: User, patient: Patient) -> None:
    for total in (3, 2, 1):
        services.result_record(actor=bob, patient=patient, code="GAD-7", answers=[total, 0, 0, 0, 0, 0, 0])

    response = bob_client.get(reverse("patients:chart", args=[patient.pk]) + "?tab=assessments")

    page = response.content.decode()
    assert response.status_code == 200
    history = response.context["extra_context"]["histories"][0]
    assert history.instrument.code == "GAD-7" and len(history.results) == 3
    assert len(history.chart.points) == 3
    assert "<svg" in page and "GAD-7 total over time" in page


def test_the_placement_form_pre_suggests_ratings_from_results(bob_client: Client, bob: User, patient: Patient) -> None:
    services.result_record(actor=bob, patient=patient, code="CIWA-Ar", answers=[7, 7, 5, 0, 0, 0, 0, 0, 0, 0])

    response = bob_client.get(reverse("assessments:placement_new", args=[patient.pk]))

    assert int(response.context["form"].fields["d1_rating"].initial) >= 3
    assert "CIWA-Ar" in response.content.decode()


def placement_post(ratings: dict[int, int], fit: str = "good") -> dict[str, Any]:
    data: dict[str, Any] = {f"d{number}_rating": str(value) for number, value in ratings.items()}
    for factor in placement.FIT_FACTORS:
        good = "yes" if factor.favours_iop_when else "no"
        data[f"fit_{factor.code}"] = good if fit == "good" else "unknown"
    return data


def test_placement_recommends_then_the_decision_is_recorded(bob_client: Client, patient: Patient) -> None:
    response = bob_client.post(
        reverse("assessments:placement_new", args=[patient.pk]), placement_post({1: 1, 2: 0, 3: 2, 4: 2, 5: 2, 6: 1})
    )

    run = PlacementAssessment.objects.get()
    assert response["Location"] == reverse("assessments:placement", args=[run.pk])
    page = bob_client.get(response["Location"]).content.decode()
    assert "2.1 Intensive outpatient" in page
    for reason in run.reasons:
        assert escape(reason["text"]) in page
        # The rule's id (e.g. MODERATE-RISK) is for the rule file, not for the screen.
        assert reason["rule_id"] == "default" or reason["rule_id"] not in page

    bob_client.post(reverse("assessments:placement_decide", args=[run.pk]), {"level": "2.1", "reason": ""})

    run.refresh_from_db()
    assert run.decided_level == "2.1" and not run.differs


def test_a_differing_decision_without_reason_is_refused_beside_the_field(bob_client: Client, patient: Patient) -> None:
    bob_client.post(
        reverse("assessments:placement_new", args=[patient.pk]), placement_post({1: 1, 2: 0, 3: 2, 4: 2, 5: 2, 6: 1})
    )
    run = PlacementAssessment.objects.get()

    response = bob_client.post(reverse("assessments:placement_decide", args=[run.pk]), {"level": "2.5", "reason": ""})

    assert response.status_code == 200 and response.context["form"].errors["reason"]
    run.refresh_from_db()
    assert not run.is_decided


def test_an_unrated_dimension_is_named_and_nothing_saved(bob_client: Client, patient: Patient) -> None:
    data = placement_post({1: 1, 2: 0, 3: 2, 4: 2, 5: 2, 6: 1})
    del data["d4_rating"]

    response = bob_client.post(reverse("assessments:placement_new", args=[patient.pk]), data)

    assert response.status_code == 200
    assert "Rate dimension 4 from 0 to 4." in response.content.decode()
    assert not PlacementAssessment.objects.exists()


VITALS = {
    "pulse": "92",
    "systolic": "138",
    "diastolic": "86",
    "temperature": "37.2",
    "temperature_unit": "C",
    "respiratory_rate": "16",
}


def test_the_flowsheet_records_a_check_and_charts_the_trend(
    client: Client, persona: Callable[..., User], patient: Patient, episode: Episode
) -> None:
    client.force_login(persona(RoleCode.NURSE))
    url = reverse("assessments:withdrawal_record", args=[patient.pk]) + "?instrument=CIWA-Ar"
    for value in ("1", "0"):
        data = {**VITALS, **{f"item_{n}": value for n in range(1, 11)}}
        assert client.post(url, data).status_code == 302

    page = client.get(reverse("assessments:flowsheet", args=[patient.pk]))

    sheet = page.context["sheets"][0]
    assert sheet.code == "CIWA-Ar" and [row.result.total for row in sheet.rows] == [10, 0]
    assert len(sheet.chart.points) == 2 and "<svg" in page.content.decode()


def test_impossible_vitals_are_named_and_nothing_saved(
    client: Client, persona: Callable[..., User], patient: Patient
) -> None:
    client.force_login(persona(RoleCode.NURSE))
    data = {**VITALS, "pulse": "400", **{f"item_{n}": "0" for n in range(1, 12)}}

    response = client.post(reverse("assessments:withdrawal_record", args=[patient.pk]) + "?instrument=COWS", data)

    assert response.status_code == 200 and response.context["form"].errors["pulse"]
    assert not WithdrawalCheck.objects.exists() and not InstrumentResult.objects.exists()


def test_an_escalating_check_shows_the_alert_on_the_flowsheet(
    client: Client, persona: Callable[..., User], patient: Patient, episode: Episode
) -> None:
    client.force_login(persona(RoleCode.NURSE))
    answers = dict(zip(map(str, range(1, 11)), ["4", "4", "4", "3", "0", "0", "0", "0", "0", "0"], strict=True))

    response = client.post(
        reverse("assessments:withdrawal_record", args=[patient.pk]) + "?instrument=CIWA-Ar",
        {**VITALS, **form_data(answers)},
        follow=True,
    )

    page = response.content.decode()
    assert SafetyAlert.objects.get().kind == SafetyAlert.Kind.WITHDRAWAL_ESCALATION
    assert "escalation threshold" in page and 'class="crisis-guidance"' in page


def test_chart_dates_stay_inside_the_chart() -> None:
    import datetime as dt

    from openiop.assessments import charts

    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    chart = charts.trend([(start, 3), (start + dt.timedelta(days=7), 9)], y_min=0, y_max=27, lines=[(5, "mild")])

    (first_x, _, first_anchor), (last_x, _, last_anchor) = chart.x_labels
    assert (first_anchor, last_anchor) == ("start", "end")
    assert 0 < first_x < last_x <= chart.width
    assert chart.points[0].y > chart.points[1].y, "higher scores are drawn higher"
    assert [line.label for line in chart.gridlines] == ["mild"]


def test_a_decided_placement_steps_the_episode_to_the_decided_level(
    bob_client: Client, bob: User, patient: Patient, episode: Episode
) -> None:
    from openiop.patients.models import LevelOfCareChange

    bob_client.post(
        reverse("assessments:placement_new", args=[patient.pk]), placement_post({1: 1, 2: 0, 3: 3, 4: 2, 5: 2, 6: 1})
    )
    run = PlacementAssessment.objects.get()
    assert run.recommended_level == "2.5"
    bob_client.post(reverse("assessments:placement_decide", args=[run.pk]), {"level": "2.5", "reason": ""})
    page = bob_client.get(reverse("assessments:placement", args=[run.pk])).content.decode()
    assert reverse("assessments:placement_apply", args=[run.pk]) in page

    response = bob_client.post(
        reverse("assessments:placement_apply", args=[run.pk]),
        {"effective_date": timezone.localdate().isoformat(), "reason": "Placement v1: depression worsening."},
    )

    assert response.status_code == 302
    episode.refresh_from_db()
    change = LevelOfCareChange.objects.get(episode=episode)
    assert (episode.level_of_care, change.to_level, change.placement_decision_id) == ("2.5", "2.5", run.pk)
    page = bob_client.get(reverse("assessments:placement", args=[run.pk])).content.decode()
    assert reverse("assessments:placement_apply", args=[run.pk]) not in page


def test_an_undecided_placement_cannot_change_the_episode(
    bob_client: Client, patient: Patient, episode: Episode
) -> None:
    bob_client.post(
        reverse("assessments:placement_new", args=[patient.pk]), placement_post({1: 1, 2: 0, 3: 3, 4: 2, 5: 2, 6: 1})
    )
    run = PlacementAssessment.objects.get()

    response = bob_client.post(
        reverse("assessments:placement_apply", args=[run.pk]),
        {"effective_date": timezone.localdate().isoformat(), "reason": "x"},
    )

    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.level_of_care == "2.1"


def test_the_flowsheet_asks_in_fahrenheit_by_default_and_stores_celsius(
    client: Client, persona: Callable[..., User], patient: Patient, episode: Episode, bob: User
) -> None:
    nurse = persona(RoleCode.NURSE)
    care_team_add(actor=bob, episode=episode, user=nurse)
    client.force_login(nurse)
    url = reverse("assessments:withdrawal_record", args=[patient.pk]) + "?instrument=CIWA-Ar"
    assert client.get(url).context["form"]["temperature_unit"].value() == "F"
    data = {**VITALS, "temperature": "100.4", "temperature_unit": "F", **{f"item_{n}": "0" for n in range(1, 11)}}

    assert client.post(url, data).status_code == 302

    check = WithdrawalCheck.objects.get()
    assert str(check.temperature_c) == "38.00" and str(check.temperature_f) == "100.4"
    assert "100.4 °F" in client.get(reverse("assessments:flowsheet", args=[patient.pk])).content.decode()


def test_an_impossible_temperature_gets_a_clear_message_and_keeps_what_was_typed(
    client: Client, persona: Callable[..., User], patient: Patient
) -> None:
    client.force_login(persona(RoleCode.NURSE))
    url = reverse("assessments:withdrawal_record", args=[patient.pk]) + "?instrument=CIWA-Ar"
    data = {**VITALS, "temperature": "37.2", "temperature_unit": "F", **{f"item_{n}": "1" for n in range(1, 11)}}

    response = client.post(url, data)

    assert response.status_code == 200 and not WithdrawalCheck.objects.exists()
    (message,) = response.context["form"].errors["temperature"]
    assert "37.2 °F is not a possible body temperature" in message and "It looks like °C" in message
    page = response.content.decode()
    assert 'value="37.2"' in page and "It looks like °C" in page
