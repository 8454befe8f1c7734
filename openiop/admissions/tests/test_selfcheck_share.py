# SPDX-License-Identifier: AGPL-3.0-or-later
"""A risk shared from the public self-check: kept as data on the inquiry, a
red banner with the crisis guidance for navigators and clinical staff only,
on their dashboards until acknowledged with a note."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.admissions import services
from openiop.admissions.models import RISK_OUTCOMES, Inquiry, SelfCheckOutcome, SelfCheckShare
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.public import selfcheck
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db

REQUEST = {
    "site": "north", "name": "Maria Lopez Garcia", "phone": "(617) 555-0199", "email": "", "best_time": "evening",
    "insurer": "Blue Cross", "member_id": "XJ12345", "consent": "on",
}  # fmt: skip

SUICIDE_LABEL = "Possible suicide or self-harm risk"


@pytest.fixture(autouse=True)
def _fresh_ratelimit(settings: Any) -> Any:
    # Several requests from one test address: each test starts with fresh counters.
    settings.RATELIMIT_USE_CACHE = "default"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    caches["default"].clear()
    yield
    caches["default"].clear()


def shared(client: Client, summary: str, north: Site) -> Inquiry:
    response = client.post(reverse("public:call_back"), {**REQUEST, "selfcheck": summary, "share_selfcheck": "on"})
    assert response.status_code == 302
    client.logout()
    return Inquiry.objects.get()


def page_for(client: Client, user: User, inquiry: Inquiry) -> str:
    client.force_login(user)
    response = client.get(reverse("admissions:detail", args=[inquiry.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_self_checks_codes_and_the_stored_outcomes_are_the_same() -> None:
    assert set(selfcheck.OUTCOMES) == set(SelfCheckOutcome.values)
    assert tuple(str(code) for code in RISK_OUTCOMES) == selfcheck.RISK_OUTCOMES
    assert selfcheck.risks_in(["withdrawal", "good_fit", "crisis"]) == ["crisis", "withdrawal"]


def test_a_shared_risk_is_kept_as_data_and_never_written_in_the_notes(client: Client, north: Site) -> None:
    inquiry = shared(client, "withdrawal+crisis", north)

    share = SelfCheckShare.objects.get(inquiry=inquiry)
    assert (share.outcomes, share.risk, share.is_open) == (["crisis", "withdrawal"], True, True)
    assert "risk" not in inquiry.notes.lower() and "self-check" not in inquiry.notes
    event = AuditEvent.objects.get(action="inquiry.selfcheck_shared")
    assert event.data == {"inquiry": inquiry.pk, "risk": True}


@pytest.mark.parametrize("role", [RoleCode.ADMISSIONS_NAVIGATOR, RoleCode.CLINICAL_DIRECTOR, RoleCode.CLINICIAN])
def test_navigators_and_clinical_staff_see_a_red_banner_with_the_crisis_guidance(
    client: Client, persona: Callable[..., User], north: Site, role: str
) -> None:
    inquiry = shared(client, "crisis", north)

    page = page_for(client, persona(role), inquiry)

    banner = page[page.index('data-testid="selfcheck-risk"') :]
    banner = banner[: banner.index("</section>")]
    assert SUICIDE_LABEL in banner and "988" in banner and "911" in banner
    assert 'class="crisis-guidance" role="alert"' in banner
    assert page.index('data-testid="selfcheck-risk"') < page.index('id="details-heading"'), "before the details"


@pytest.mark.parametrize("role", [RoleCode.BILLING_SPECIALIST, RoleCode.FRONT_DESK])
def test_billing_and_the_front_desk_see_that_a_risk_was_shared_not_what(
    client: Client, persona: Callable[..., User], north: Site, role: str
) -> None:
    inquiry = shared(client, "crisis+withdrawal", north)

    page = page_for(client, persona(role), inquiry)

    assert "A safety risk was shared with this request. Ask a clinician or an admissions navigator" in page
    assert SUICIDE_LABEL not in page and "withdrawal" not in page.lower()
    assert 'data-testid="selfcheck-risk"' not in page


def test_a_result_without_a_risk_is_shown_only_to_the_roles_granted_it(
    client: Client, persona: Callable[..., User], north: Site
) -> None:
    inquiry = shared(client, "good_fit", north)

    navigator_page = page_for(client, persona(RoleCode.ADMISSIONS_NAVIGATOR), inquiry)
    billing_page = page_for(client, persona(RoleCode.BILLING_SPECIALIST), inquiry)

    assert "IOP looks like a good fit" in navigator_page and 'data-testid="selfcheck-risk"' not in navigator_page
    assert "IOP looks like a good fit" not in billing_page and "A safety risk was shared" not in billing_page


def test_a_shared_risk_waits_on_the_dashboard_until_acknowledged_with_a_note(
    client: Client, persona: Callable[..., User], north: Site
) -> None:
    inquiry = shared(client, "withdrawal", north)
    navigator = persona(RoleCode.ADMISSIONS_NAVIGATOR)
    client.force_login(navigator)
    first = client.get(reverse("core:dashboard")).context["sections"][0]
    assert first.key == "selfcheck_risks" and [r.inquiry for r in first.context["risks"]] == [inquiry]
    acknowledge = reverse("admissions:selfcheck_acknowledge", args=[inquiry.pk])

    refused = client.post(acknowledge, {"selfcheck-note": "  "})

    assert refused.status_code == 400 and "a shared risk is acknowledged with a note" in refused.content.decode()
    assert SelfCheckShare.objects.get().is_open
    assert client.get(reverse("core:dashboard")).context["sections"][0].key == "selfcheck_risks"

    done = client.post(acknowledge, {"selfcheck-note": "Called back at once; same-day medical assessment booked."})

    assert done.status_code == 302
    share = SelfCheckShare.objects.get()
    assert not share.is_open and share.acknowledged_by == navigator
    sections = client.get(reverse("core:dashboard")).context["sections"]
    assert "selfcheck_risks" not in [section.key for section in sections]
    page = page_for(client, navigator, inquiry)
    assert "same-day medical assessment booked" in page and "Acknowledge with a note" not in page


def test_a_risk_is_acknowledged_once(persona: Callable[..., User], north: Site, client: Client) -> None:
    inquiry = shared(client, "emergency", north)
    share = SelfCheckShare.objects.get(inquiry=inquiry)
    navigator = persona(RoleCode.ADMISSIONS_NAVIGATOR)
    services.selfcheck_risk_acknowledge(actor=navigator, share=share, note="Called; 911 had been called.")

    with pytest.raises(ValidationError, match="already acknowledged"):
        services.selfcheck_risk_acknowledge(actor=navigator, share=share, note="again")


def test_unknown_outcome_codes_are_refused(client: Client, north: Site) -> None:
    client.post(reverse("public:call_back"), REQUEST)
    inquiry = Inquiry.objects.get()

    with pytest.raises(ValidationError):
        services.selfcheck_share_record(inquiry=inquiry, outcomes=["<script>"])
    assert services.selfcheck_share_record(inquiry=inquiry, outcomes=[]) is None
    assert not SelfCheckShare.objects.exists()


def test_billing_cannot_acknowledge_or_open_the_acknowledgement(
    client: Client, persona: Callable[..., User], north: Site
) -> None:
    inquiry = shared(client, "crisis", north)
    client.force_login(persona(RoleCode.BILLING_SPECIALIST))

    response = client.post(reverse("admissions:selfcheck_acknowledge", args=[inquiry.pk]), {"selfcheck-note": "x"})

    assert response.status_code == 403 and SelfCheckShare.objects.get().is_open


def test_results_written_in_old_notes_move_into_the_guarded_record(
    make_inquiry: Callable[..., Inquiry], navigator: User
) -> None:
    old_line = (
        "They chose to share their self-check result: possible suicide or self-harm risk (shown 988), "
        "IOP may fit, with extra support."
    )
    open_one = make_inquiry(channel="website", notes=f"Call back requested on the public website.\n{old_line}")
    closed = make_inquiry(channel="website", notes=old_line, phone="(617) 555-0100")
    Inquiry.objects.filter(pk=closed.pk).update(stage="closed", closed_reason="unreachable")
    untouched = make_inquiry(channel="website", notes="Best time to reach them: Morning.", phone="(617) 555-0101")

    migration = importlib.import_module("openiop.admissions.migrations.0004_selfcheck_out_of_the_notes")
    migration.move_out_of_notes(django_apps, None)

    open_one.refresh_from_db()
    assert open_one.notes == "Call back requested on the public website."
    share = SelfCheckShare.objects.get(inquiry=open_one)
    assert (share.outcomes, share.risk, share.is_open) == (["crisis", "possible_fit"], True, True)
    closed_share = SelfCheckShare.objects.get(inquiry=closed)
    assert not closed_share.is_open and "already reached a final stage" in closed_share.acknowledgement_note
    untouched.refresh_from_db()
    assert untouched.notes == "Best time to reach them: Morning." and not hasattr(untouched, "selfcheck_share")
