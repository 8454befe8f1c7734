# SPDX-License-Identifier: AGPL-3.0-or-later
"""Generated: every instrument x every entry path x every safety condition.

The cases come from the instrument definitions, so a new instrument (or a new
flag on one) is covered without touching this file:

- an item flag for suicidal ideation (PHQ-9 item 9 > 0) on every instrument
  that has one;
- a score exactly at the configured escalation threshold (and one below it)
  on every scale the withdrawal flowsheet monitors;
- the lowest score of a severe-withdrawal band on every instrument flagging it;
- a response triaged at each suicide-risk level on every triaged instrument
  (the C-SSRS screener: low, moderate, high);
- and, for every instrument, a quiet score that must raise nothing.

Each is entered by every path that accepts the instrument: the chart's
"Administer an instrument" form, the withdrawal flowsheet (CIWA-Ar, COWS) and
the service called directly, as an import or an API would. Then: the alert is
raised, listed first on the dashboard of a care-team member, and stays until
acknowledged with a note (acknowledging without one is refused).

The last test does the same for a risk a person shares from the public
self-check, by each public form that carries it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.models import User
from openiop.admissions.models import Inquiry, SelfCheckShare
from openiop.assessments import safety, services
from openiop.assessments.instruments import (
    INSTRUMENTS,
    SEVERE_WITHDRAWAL,
    SUICIDAL_IDEATION,
    Answer,
    BandFlag,
    Choice,
    Instrument,
    ItemFlag,
    Response,
    Scoring,
)
from openiop.assessments.models import InstrumentResult, MonitoringThreshold, SafetyAlert
from openiop.assessments.scoring import every_response, score
from openiop.core.roles import RoleCode
from openiop.patients.models import Episode, Patient
from openiop.patients.services import care_team_add, episode_admit
from openiop.patients.tests.factories import register
from openiop.public import selfcheck
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db

FORM, FLOWSHEET, SERVICE = "instrument form", "flowsheet", "service (import/API)"
VITALS = {
    "pulse": "96",
    "systolic": "140",
    "diastolic": "88",
    "temperature": "99.3",
    "temperature_unit": "F",
    "respiratory_rate": "18",
}


# --- The cases, from the definitions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    name: str
    expected_kinds: tuple[str, ...]


def _points(choice: Choice) -> int:
    return choice.points


def _lowest(instrument: Instrument) -> dict[str, Choice]:
    return {item.key: min(item.choices, key=_points) for item in instrument.items}


def answers_totalling(instrument: Instrument, target: int) -> list[Answer]:
    """Answers whose total is exactly TARGET, raising items in form order and
    never the suicide item (so a withdrawal case is only a withdrawal case)."""
    chosen = _lowest(instrument)
    flagged = {flag.item for flag in instrument.flags if isinstance(flag, ItemFlag)}
    remaining = target - sum(chosen[item.key].points for item in instrument.items if item.scored)
    for item in instrument.items:
        if not item.scored or item.key in flagged or remaining <= 0:
            continue
        fits = [c for c in item.choices if 0 <= c.points - chosen[item.key].points <= remaining]
        best = max(fits, key=_points)
        remaining -= best.points - chosen[item.key].points
        chosen[item.key] = best
    assert remaining == 0, f"{instrument.code}: no answers total {target}"
    return [chosen[item.key].value for item in instrument.items]


def without_unasked(instrument: Instrument, answers: list[Answer]) -> list[Response]:
    skipped = instrument.skipped_by(answers)
    return [None if item.key in skipped else value for item, value in zip(instrument.items, answers, strict=True)]


def answers_triaged(instrument: Instrument, band: str) -> list[Response]:
    """The first response the form can produce that the triage puts in BAND."""
    return next(response for response in every_response(instrument) if score(instrument.code, response).band == band)


def answers_flagging_item(instrument: Instrument, flag: ItemFlag) -> list[Answer]:
    chosen = _lowest(instrument)
    item = instrument.item(flag.item)
    chosen[item.key] = min((c for c in item.choices if c.points > flag.above), key=_points)
    return [chosen[i.key].value for i in instrument.items]


def conditions_for(instrument: Instrument) -> Iterator[Condition]:
    yield Condition("quiet score", ())
    for flag in instrument.flags:
        if isinstance(flag, ItemFlag) and flag.flag == SUICIDAL_IDEATION:
            yield Condition(f"item {flag.item} above {flag.above}", (safety.KIND_SUICIDAL_IDEATION,))
        if isinstance(flag, BandFlag) and flag.flag == SEVERE_WITHDRAWAL:
            yield Condition("severe band", (safety.KIND_SEVERE_WITHDRAWAL,))
        if isinstance(flag, BandFlag) and flag.flag in safety.SUICIDE_RISK_KINDS:
            yield Condition(f"triaged {flag.band}", (safety.SUICIDE_RISK_KINDS[flag.flag],))
    if instrument.code in safety.MONITORED_INSTRUMENTS:
        yield Condition("at the escalation threshold", (safety.KIND_WITHDRAWAL_ESCALATION,))
        yield Condition("one below the escalation threshold", ())


def answers_for(instrument: Instrument, condition: Condition) -> list[Response]:
    """Answers meeting CONDITION; thresholds are read as configured now."""
    if condition.name == "quiet score":
        return without_unasked(instrument, [choice.value for choice in _lowest(instrument).values()])
    if condition.name.startswith("triaged "):
        assert instrument.scoring is Scoring.TRIAGE
        return answers_triaged(instrument, condition.name.removeprefix("triaged "))
    if condition.name.startswith("item "):
        flag = next(f for f in instrument.flags if isinstance(f, ItemFlag) and f.flag == SUICIDAL_IDEATION)
        return answers_flagging_item(instrument, flag)
    if condition.name == "severe band":
        band = next(f.band for f in instrument.flags if isinstance(f, BandFlag) and f.flag == SEVERE_WITHDRAWAL)
        return answers_totalling(instrument, min(b.min for b in instrument.bands if b.name == band))
    threshold = MonitoringThreshold.objects.get(instrument_code=instrument.code).escalate_at
    return answers_totalling(instrument, threshold if condition.name.startswith("at ") else threshold - 1)


def paths_for(instrument: Instrument) -> tuple[str, ...]:
    return (FORM, FLOWSHEET, SERVICE) if instrument.code in safety.MONITORED_INSTRUMENTS else (FORM, SERVICE)


CASES = [
    pytest.param(instrument, path, condition, id=f"{code}-{path}-{condition.name}")
    for code, instrument in INSTRUMENTS.items()
    for path in paths_for(instrument)
    for condition in conditions_for(instrument)
]


def test_the_generated_cases_cover_every_instrument_path_and_safety_condition() -> None:
    covered = {(p.values[0].code, p.values[1], p.values[2].expected_kinds) for p in CASES}
    assert {code for code, _path, _kinds in covered} == set(INSTRUMENTS)
    for kind in (
        safety.KIND_SUICIDAL_IDEATION,
        safety.KIND_SEVERE_WITHDRAWAL,
        safety.KIND_WITHDRAWAL_ESCALATION,
        safety.KIND_SUICIDE_RISK_MODERATE,
        safety.KIND_SUICIDE_RISK_HIGH,
    ):
        assert {path for _code, path, kinds in covered if kinds == (kind,)} >= {FORM, SERVICE}, kind
    assert ("CIWA-Ar", FLOWSHEET, (safety.KIND_WITHDRAWAL_ESCALATION,)) in covered
    assert ("PHQ-9", FORM, (safety.KIND_SUICIDAL_IDEATION,)) in covered
    for kind in (safety.KIND_SUICIDAL_IDEATION, safety.KIND_SUICIDE_RISK_MODERATE, safety.KIND_SUICIDE_RISK_HIGH):
        assert ("C-SSRS", FORM, (kind,)) in covered, kind


# --- Entering a result by each path ---------------------------------------------------------------------------


def _encode(value: Answer) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _items(instrument: Instrument, answers: list[Response]) -> dict[str, str]:
    # An item the skip logic left unasked is left blank, as on the page.
    return {
        f"item_{item.key}": _encode(value)
        for item, value in zip(instrument.items, answers, strict=True)
        if value is not None
    }


def enter(path: str, *, client: Client, clinician: User, nurse: User, patient: Patient, instrument: Instrument,
          answers: list[Response]) -> InstrumentResult:  # fmt: skip
    if path == SERVICE:
        sex = "female" if instrument.requires_sex else None
        return services.result_record(actor=nurse, patient=patient, code=instrument.code, answers=answers, sex=sex)
    if path == FORM:
        client.force_login(clinician)
        url = reverse("assessments:administer", args=[patient.pk, instrument.code])
        response = client.post(url, {**_items(instrument, answers), "sex": "female"})
    else:
        client.force_login(nurse)
        url = reverse("assessments:withdrawal_record", args=[patient.pk]) + f"?instrument={instrument.code}"
        response = client.post(url, {**VITALS, **_items(instrument, answers)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return InstrumentResult.objects.get(patient=patient)


# --- The people and the patient -------------------------------------------------------------------------------


@pytest.fixture
def clinician(bob: User) -> User:
    return bob


@pytest.fixture
def nurse(persona: Callable[..., User]) -> User:
    return persona(RoleCode.NURSE)


@pytest.fixture
def patient(north: Site, clinician: User, nurse: User) -> Patient:
    patient = register(north)
    episode: Episode = episode_admit(actor=clinician, patient=patient, site=north, admission_date=timezone.localdate())
    for member in (clinician, nurse):
        care_team_add(actor=clinician, episode=episode, user=member)
    return patient


@pytest.fixture
def older_alert_off_the_team(north: Site, clinician: User) -> SafetyAlert:
    """An older open alert at the same site for someone not on the clinician's
    team: "first" has to mean the care team's own alert, not merely the only one."""
    other = register(north, legal_first_name="Other", legal_last_name="Person")
    return services.alert_raise(actor=clinician, patient=other, kind=SafetyAlert.Kind.REPORTED_SUICIDAL_THOUGHT,
                                detail="Said so in group.")  # fmt: skip


def first_on_the_dashboard(client: Client, user: User) -> Any:
    client.force_login(user)
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(("instrument", "path", "condition"), CASES)
def test_every_alerting_score_is_raised_listed_first_and_stays_until_acknowledged_with_a_note(
    client: Client,
    clinician: User,
    nurse: User,
    patient: Patient,
    older_alert_off_the_team: SafetyAlert,
    instrument: Instrument,
    path: str,
    condition: Condition,
) -> None:
    answers = answers_for(instrument, condition)

    result = enter(path, client=client, clinician=clinician, nurse=nurse, patient=patient, instrument=instrument,
                   answers=answers)  # fmt: skip

    raised = list(SafetyAlert.objects.filter(source_result=result))
    assert tuple(alert.kind for alert in raised) == condition.expected_kinds
    if not raised:
        return
    (alert,) = raised
    for member in (clinician, nurse):
        dashboard = first_on_the_dashboard(client, member)
        first = dashboard.context["sections"][0]
        assert first.key == "safety_alerts" and first.context["alerts"][0] == alert, member
        html = dashboard.content.decode()
        alert_url = reverse("assessments:alert", args=[alert.pk])
        assert html.index(alert_url) < html.index(reverse("assessments:alert", args=[older_alert_off_the_team.pk]))

    client.force_login(clinician)
    acknowledge = reverse("assessments:alert_acknowledge", args=[alert.pk])
    refused = client.post(acknowledge, {"note": "   "})
    assert refused.status_code == 200 and refused.context["form"].errors["note"]
    alert.refresh_from_db()
    assert alert.is_open
    assert first_on_the_dashboard(client, clinician).context["sections"][0].context["alerts"][0] == alert

    client.force_login(clinician)
    assert client.post(acknowledge, {"note": "Seen today; safety plan reviewed; prescriber told."}).status_code == 302
    alert.refresh_from_db()
    assert not alert.is_open and alert.acknowledged_by == clinician
    still_open = first_on_the_dashboard(client, clinician).context["sections"][0].context["alerts"]
    assert alert not in still_open and older_alert_off_the_team in still_open


# --- A risk shared from the public self-check -----------------------------------------------------------------

PUBLIC_REQUEST = {
    "site": "north", "name": "Maria Lopez Garcia", "phone": "(617) 555-0199", "email": "", "best_time": "",
    "insurer": "Blue Cross", "member_id": "XJ12345", "consent": "on",
}  # fmt: skip
PUBLIC_FORMS = ("public:call_back", "public:coverage_check")


@pytest.fixture
def fresh_ratelimit(settings: Any) -> Iterator[None]:
    settings.RATELIMIT_USE_CACHE = "default"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.mark.parametrize("form", PUBLIC_FORMS)
@pytest.mark.parametrize("outcome", [*selfcheck.RISK_OUTCOMES, selfcheck.GOOD_FIT])
def test_every_shared_self_check_risk_is_raised_listed_first_and_stays_until_acknowledged_with_a_note(
    client: Client, persona: Callable[..., User], north: Site, fresh_ratelimit: None, form: str, outcome: str
) -> None:
    navigator = persona(RoleCode.ADMISSIONS_NAVIGATOR)
    clinician = persona(RoleCode.CLINICIAN)

    response = client.post(reverse(form), {**PUBLIC_REQUEST, "selfcheck": outcome, "share_selfcheck": "on"})

    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    share = SelfCheckShare.objects.get(inquiry=inquiry)
    assert share.risk == (outcome in selfcheck.RISK_OUTCOMES)
    if not share.risk:
        sections = first_on_the_dashboard(client, navigator).context["sections"]
        assert "selfcheck_risks" not in [section.key for section in sections]
        return
    for member in (navigator, clinician):
        first = first_on_the_dashboard(client, member).context["sections"][0]
        assert first.key == "selfcheck_risks" and first.context["risks"][0] == share, member

    client.force_login(navigator)
    acknowledge = reverse("admissions:selfcheck_acknowledge", args=[inquiry.pk])
    assert client.post(acknowledge, {"selfcheck-note": ""}).status_code == 400
    assert SelfCheckShare.objects.get().is_open
    assert first_on_the_dashboard(client, clinician).context["sections"][0].key == "selfcheck_risks"

    client.force_login(navigator)
    done = client.post(acknowledge, {"selfcheck-note": "Called at once; gave 988; booked an assessment."})
    assert done.status_code == 302
    assert not SelfCheckShare.objects.get().is_open
    sections = first_on_the_dashboard(client, clinician).context["sections"]
    assert "selfcheck_risks" not in [section.key for section in sections]
