# SPDX-License-Identifier: AGPL-3.0-or-later
"""The patient banner on every chart page, with what each app adds to it, who
sees which part, what it costs in queries, and the chart's tab line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.accounts.models import User
from openiop.assessments.models import SafetyAlert
from openiop.assessments.services import alert_raise
from openiop.core.roles import RoleCode
from openiop.diagnoses.services import diagnosis_create
from openiop.insurance.models import Coverage, Payer
from openiop.medications.models import SobrietyDate
from openiop.patients import chart, services
from openiop.patients.models import AllergySeverity, Episode, Patient
from openiop.patients.tests.factories import NOW, TODAY, register
from openiop.patients.tests.test_episode_views import discharge_data
from openiop.privacy.information import ConsentKind, NoticeAcknowledgementKind
from openiop.privacy.models import NoticeAcknowledgement
from openiop.privacy.services import consent_record
from openiop.privacy.tests.conftest import consent_fields
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db
ADMITTED = TODAY - dt.timedelta(days=9)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def episode(north: Site, bob: User) -> Episode:
    patient = register(
        north, legal_first_name="Roberta", legal_last_name="Quinn", preferred_name="Bobbie", pronouns="she/her"
    )
    patient.birth_date = dt.date(1990, 6, 1)
    patient.save(update_fields=["birth_date"])
    return services.episode_admit(
        actor=bob, patient=patient, site=north, admission_date=ADMITTED, primary_counsellor=bob
    )


def banner_of(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode().split('class="patient-banner"')[1].split("</section>")[0]


def chart_url(patient: Patient, tab: str = "overview") -> str:
    return reverse("patients:chart", args=[patient.pk]) + f"?tab={tab}"


def fill_the_chart(patient: Patient, actor: User, *, extra: int = 0, first: int = 0) -> None:
    """An allergy, an open alert, a sobriety date, a primary diagnosis, a
    coverage, the notice and a TPO consent; EXTRA more allergies, alerts and
    consents besides."""
    for number in range(first, first + 1 + extra):
        services.allergy_record(
            actor=actor, patient=patient, substance=f"Penicillin {number}", reaction="hives",
            severity=AllergySeverity.SEVERE,
        )  # fmt: skip
        alert_raise(
            actor=actor, patient=patient, kind=SafetyAlert.Kind.REPORTED_SUICIDAL_THOUGHT, detail=f"Said so {number}"
        )
        consent_record(actor=actor, patient=patient, **consent_fields(ConsentKind.TPO))
    if not SobrietyDate.objects.filter(patient=patient).exists():
        SobrietyDate.objects.create(patient=patient, date=dt.date(2026, 1, 20), note="Intake", set_by=actor)
        diagnosis_create(actor=None, patient=patient, code="F11.20", onset_date=None, is_primary=True)
        payer = Payer.objects.create(organization=patient.site.organization, name="Harbor Health Plan", payer_id="HHP")
        Coverage.objects.create(patient=patient, payer=payer, member_id="HH123456", effective_date=dt.date(2026, 1, 1))
        NoticeAcknowledgement.objects.create(
            patient=patient, given_on=dt.date(2026, 2, 25), how=NoticeAcknowledgementKind.values[0],
            heading="Notice", text="Notice text", recorded_by=actor,
        )  # fmt: skip


def test_the_banner_shows_who_the_patient_is_where_they_are_in_treatment_and_what_not_to_miss(
    client: Client, bob: User, episode: Episode
) -> None:
    fill_the_chart(episode.patient, bob)
    client.force_login(bob)

    banner = banner_of(client, chart_url(episode.patient))

    assert '<h1 class="banner-name">Bobbie Quinn</h1>' in banner
    assert "legal name Roberta Quinn" in banner and "she/her" in banner
    assert episode.patient.mrn in banner
    assert "35 years" in banner  # born 1990-06-01, today 2026-03-05
    assert "North" in banner
    assert "English" in banner.split("Language")[1]  # the preferred language, once on the header line
    assert "Intensive outpatient" in banner or episode.get_level_of_care_display() in banner
    assert "day 10 of episode" in banner
    assert str(bob) in banner.split("Care team")[1]
    assert "Penicillin 0" in banner and "banner-warning" in banner
    assert "1 open safety alert" in banner and "Reported suicidal thought" in banner
    assert "2026-01-20" in banner.split("Sobriety date")[1] and "44 days" in banner
    assert "<strong>F11.20</strong>" in banner.split("Primary diagnosis")[1]
    assert "Harbor Health Plan" in banner.split("Payer")[1]
    assert "notice acknowledged 2026-02-25" in banner
    assert (
        "Treatment, payment" in banner.split("Part 2")[1]
        or "TPO" in banner.split("Part 2")[1]
        or (str(dict(ConsentKind.choices)[ConsentKind.TPO]) in banner.split("Part 2")[1])
    )


def test_without_coverage_consent_or_notice_the_banner_says_self_pay_and_what_is_missing(
    client: Client, bob: User, episode: Episode
) -> None:
    client.force_login(bob)

    banner = banner_of(client, chart_url(episode.patient))

    assert "Self-pay" in banner.split("Payer")[1]
    assert "notice not acknowledged" in banner and "no consent in force" in banner
    assert "open safety alert" not in banner and "Sobriety date" not in banner
    assert "Allergies not recorded" in banner


def test_an_acknowledged_alert_leaves_the_banner(client: Client, bob: User, episode: Episode) -> None:
    alert = alert_raise(actor=bob, patient=episode.patient, kind=SafetyAlert.Kind.SEVERE_WITHDRAWAL, detail="CIWA 21")
    alert.acknowledged_at, alert.acknowledged_by = NOW, bob
    alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    client.force_login(bob)

    assert "open safety alert" not in banner_of(client, chart_url(episode.patient))


@pytest.mark.parametrize(
    ("role", "hidden", "shown"),
    [
        # The billing specialist sees diagnoses and the payer, not clinical content.
        (RoleCode.BILLING_SPECIALIST, ["open safety alert", "Sobriety date", "Penicillin"], ["F11.20", "Payer"]),
        # The administrator opens charts but holds none of the clinical items' actions.
        (RoleCode.ADMINISTRATOR, ["open safety alert", "Sobriety date", "F11.20"], []),
    ],
)
def test_each_item_shows_only_to_those_holding_its_action(
    client: Client, persona: Callable[..., User], bob: User, episode: Episode, role: str, hidden: list[str],
    shown: list[str],
) -> None:  # fmt: skip
    fill_the_chart(episode.patient, bob)
    user = persona(role)
    client.force_login(user)
    response = client.get(chart_url(episode.patient))
    if response.status_code == 404:
        pytest.skip(f"{role} does not open charts")

    banner = banner_of(client, chart_url(episode.patient))

    assert episode.patient.mrn in banner
    for text in hidden:
        assert text not in banner, text
    for text in shown:
        assert text in banner, text


def test_an_item_registered_for_an_action_is_left_out_for_users_without_it(rf: Any, bob: User) -> None:
    calls: list[int] = []

    def count(request: Any, patient: Any) -> dict[str, Any]:
        calls.append(1)
        return {"value": "42"}

    item = chart.BannerItem("test_only", "no.such.action", count, label="Answer")
    chart.register_banner_item(item)
    try:
        request = rf.get("/")
        request.user = bob
        assert [rendered.key for rendered in chart.banner_items(request, None, {"no.such.action"})] == ["test_only"]  # type: ignore[arg-type]
        assert chart.banner_items(request, None, {"patients.view"}) == []  # type: ignore[arg-type]
        assert calls == [1]  # never computed for those who may not see it
    finally:
        chart.BANNER_ITEMS.remove(item)


def test_the_banners_queries_do_not_grow_with_allergies_alerts_or_consents(
    client: Client, bob: User, episode: Episode
) -> None:
    client.force_login(bob)
    url = chart_url(episode.patient, "contacts")  # a tab with few queries of its own
    client.get(url)  # warm the session and the action cache
    with CaptureQueriesContext(connection) as bare:
        client.get(url)
    fill_the_chart(episode.patient, bob)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    fill_the_chart(episode.patient, bob, extra=5, first=1)
    with CaptureQueriesContext(connection) as seven:
        client.get(url)

    assert len(seven) == len(one)
    # Banner and its items together add a handful: episode and team, allergies,
    # alerts, sobriety, diagnosis, payer, notice, end of treatment, consents.
    assert len(one) - len(bare) <= 3
    from openiop.patients.banner import patient_banner

    request = client.get(url).wsgi_request
    with CaptureQueriesContext(connection) as banner_only:
        patient_banner(request, episode.patient)
    assert len(banner_only) <= 12, [query["sql"] for query in banner_only]


def test_pages_acting_on_the_patient_show_the_banner_too(client: Client, bob: User, episode: Episode) -> None:
    fill_the_chart(episode.patient, bob)
    client.force_login(bob)

    banner = banner_of(client, reverse("medications:sobriety", kwargs={"patient_pk": episode.patient.pk}))

    assert "1 open safety alert" in banner and episode.patient.mrn in banner


# --- Tabs -------------------------------------------------------------------------------------------------------


def test_tabs_beyond_one_line_go_into_the_more_menu_in_order() -> None:
    tabs = [chart.TabLink(f"tab{number}", "Twelve chars") for number in range(12)]

    line, more = chart.split_tabs(tabs, budget=60)

    assert [tab.key for tab in line + more] == [tab.key for tab in tabs]
    assert sum(len(str(tab.label)) + chart.TAB_GAP_CHARACTERS for tab in line) <= 60 - chart.MORE_TAB_CHARACTERS
    assert more and line
    assert chart.split_tabs(tabs[:3], budget=60) == (tabs[:3], [])


def test_the_clinicians_chart_puts_the_last_tabs_in_a_more_menu_that_keeps_the_tab_in_the_url(
    client: Client, bob: User, episode: Episode
) -> None:
    client.force_login(bob)
    page = client.get(chart_url(episode.patient)).content.decode()
    nav = page.split('class="tabs chart-tabs"')[1].split("</nav>")[0]
    assert '<details class="dropdown-menu">' in nav
    overflowed = nav.split('<details class="dropdown-menu">')[1]
    last_key = overflowed.split('href="?tab=')[-1].split('"')[0]

    opened = client.get(chart_url(episode.patient, last_key)).content.decode()
    menu = opened.split('class="tabs chart-tabs"')[1].split("</nav>")[0].split('<details class="dropdown-menu">')[1]

    assert 'class="tabs-more-current"' in menu
    assert f'href="?tab={last_key}" aria-current="page"' in menu


def test_a_form_on_a_tab_returns_to_that_tab(client: Client, bob: User, episode: Episode) -> None:
    client.force_login(bob)

    response = client.post(reverse("patients:episode_discharge", args=[episode.pk]), discharge_data(), follow=True)

    assert response.redirect_chain[-1][0].endswith("?tab=episodes")
    nav = response.content.decode().split('class="tabs chart-tabs"')[1].split("</nav>")[0]
    assert 'href="?tab=episodes" aria-current="page"' in nav
