# SPDX-License-Identifier: AGPL-3.0-or-later
"""The patient banner and the chart's tab line as a clinician sees them: on a
1366x768 screen every fact in view and the tabs on one line (the rest in a
"More" menu that works without script); on a phone the banner folds to name,
MRN, age, alerts and allergies with a "More" disclosure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from conftest import PASSWORD
from openiop.accounts.models import User
from openiop.assessments.models import SafetyAlert
from openiop.assessments.services import alert_raise
from openiop.core.roles import RoleCode
from openiop.patients import services
from openiop.patients.models import AllergySeverity, Patient
from openiop.patients.tests.factories import register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db(transaction=True)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def sign_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=f"Sign out {username}").wait_for()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


@pytest.fixture
def patient(north: Site, persona: Callable[..., User]) -> Patient:
    clinician = persona(RoleCode.CLINICIAN, username="carla")
    person = register(north, legal_first_name="Roberta", legal_last_name="Quinn", preferred_name="Bobbie")
    services.episode_admit(
        actor=clinician, patient=person, site=north, admission_date=timezone.localdate() - dt.timedelta(days=12),
        primary_counsellor=clinician,
    )  # fmt: skip
    services.allergy_record(
        actor=clinician, patient=person, substance="Penicillin", reaction="hives", severity=AllergySeverity.SEVERE
    )
    alert_raise(actor=clinician, patient=person, kind=SafetyAlert.Kind.SEVERE_WITHDRAWAL, detail="CIWA-Ar 21")
    return person


def test_at_1366_the_banner_shows_everything_and_the_tabs_fit_one_line(
    browser: Any, live_server: Any, patient: Patient
) -> None:
    from django.conf import settings

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_init_script(path=str(settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"))
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    try:
        sign_in(page, live_server.url, "carla")
        page.goto(f"{live_server.url}/patients/{patient.pk}/")
        banner = page.get_by_test_id("patient-banner")
        for text in (
            "Bobbie Quinn",
            patient.mrn,
            "Penicillin",
            "1 open safety alert",
            "day 13 of episode",
            "Care team",
        ):
            assert banner.get_by_text(text, exact=False).first.is_visible(), text
        assert not banner.get_by_text("More about this patient").is_visible()  # the disclosure is for phones

        boxes = page.eval_on_selector_all(
            ".chart-tabs > ul > li",
            "items => items.map(item => [item.getBoundingClientRect().top, item.getBoundingClientRect().bottom])",
        )
        # One line: every tab's box overlaps every other's vertically.
        assert len(boxes) > 3 and max(top for top, _ in boxes) < min(bottom for _, bottom in boxes), boxes
        nav_width = page.eval_on_selector(".chart-tabs > ul", "ul => ul.scrollWidth <= ul.clientWidth")
        assert nav_width

        more = page.locator(".chart-tabs details summary")
        more.click()  # a <details>: no script involved
        last = page.locator(".chart-tabs details a").last
        key = last.get_attribute("href")
        last.click()
        page.wait_for_url(f"**{key}")
        assert "More:" in page.locator(".chart-tabs details summary").inner_text()
        assert axe_violations(page) == []
    finally:
        context.close()
    assert refused == []


def test_on_a_phone_the_banner_folds_to_name_mrn_age_alerts_and_allergies(
    browser: Any, live_server: Any, patient: Patient
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "carla")
        page.goto(f"{live_server.url}/patients/{patient.pk}/")
        banner = page.get_by_test_id("patient-banner")
        for text in ("Bobbie Quinn", patient.mrn, "years", "1 open safety alert", "Penicillin"):
            assert banner.get_by_text(text, exact=False).first.is_visible(), text
        assert not banner.get_by_text("Care team").is_visible()
        assert not banner.get_by_text("day 13 of episode").is_visible()

        banner.get_by_text("More about this patient").click()

        assert banner.get_by_text("Care team").is_visible()
        assert banner.get_by_text("day 13 of episode").is_visible()
        # The tabs wrap rather than widen the page: nothing scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
