# SPDX-License-Identifier: AGPL-3.0-or-later
"""The public pages through the test client: no sign-in, nothing stored
except a request to be contacted, and bad input answered beside the field."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.admissions.models import Channel, Inquiry, SelfCheckShare, Urgency
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.public.models import RateCard
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db

COST = {
    "weeks": "8",
    "days_per_week": "3",
    "hours_per_day": "3",
    "services": ["group"],
    "insurance": "none",
    "deductible": "unknown",
    "months": "6",
}


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def field_errors(response: Any, field: str) -> list[str]:
    return [str(error) for error in response.context["form"].errors.get(field, [])]


@pytest.mark.parametrize(
    "name",
    ["public:home", "public:self_check", "public:cost", "public:call_back", "public:coverage_check",
     "public:call_back_sent", "public:coverage_check_sent"],
)  # fmt: skip
def test_every_public_page_opens_without_signing_in_and_starts_with_the_crisis_line(
    client: Client, north: Site, name: str
) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 200
    body = response.content.decode()
    banner = body.index('class="crisis-banner"')
    assert banner < body.index("<main")
    assert 'href="tel:988"' in body[banner:] and 'href="tel:911"' in body[banner:]


def test_the_home_page_explains_iop_and_links_every_step(client: Client) -> None:
    body = text(client.get(reverse("public:home")))
    assert "9 to 19 hours a week" in body
    for url in ["/help/find/", reverse("public:self_check"), reverse("public:cost"), reverse("public:call_back")]:
        assert f'href="{url}"' in body


# --- Self-check ---------------------------------------------------------------

ANSWERS = {
    "suicide": "no", "emergency": "no", "seizures": "no", "withdrawal_signs": "no",
    "support": "yes", "stable_home": "yes", "previous_iop": "no", "groups": "yes", "schedule": "yes",
}  # fmt: skip


def test_the_self_check_gives_a_result_in_words_and_stores_nothing(client: Client, north: Site) -> None:
    events = AuditEvent.objects.count()
    response = client.post(reverse("public:self_check"), ANSWERS)
    body = text(response)
    assert response.status_code == 200
    assert "IOP looks like a good fit for you" in body
    assert 'role="alert"' not in body
    assert Inquiry.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_an_at_risk_answer_puts_988_first_in_an_alert(client: Client) -> None:
    body = text(client.post(reverse("public:self_check"), {**ANSWERS, "suicide": "yes"}))
    main = body[body.index("<main") :]
    alert = main.index('role="alert"')
    assert alert < main.index("<h1")
    assert 'href="tel:988"' in main[alert : main.index("<h1")]
    assert "Get help for your safety first" in main


def test_withdrawal_signs_suggest_a_higher_level_of_care_and_911_for_seizures(client: Client) -> None:
    body = text(client.post(reverse("public:self_check"), {**ANSWERS, "withdrawal_signs": "yes"}))
    assert "A medical check first, then maybe a higher level of care" in body
    assert "withdrawal management (detox)" in body
    main = body[body.index("<main") :]
    assert main.index('role="alert"') < main.index("<h1")
    assert 'href="tel:911"' in main[: main.index("<h1")]


def test_an_unanswered_question_is_marked_beside_it_and_a_yes_keeps_its_guidance(client: Client) -> None:
    answers = {**ANSWERS, "suicide": "yes"}
    del answers["groups"]
    response = client.post(reverse("public:self_check"), answers)
    assert field_errors(response, "groups") == ['Choose an answer ("Not sure" is fine).']
    body = text(response)
    assert 'data-safety-alert="suicide" role="alert"' in body


def test_the_result_offers_a_call_back_carrying_only_the_outcome(client: Client, north: Site) -> None:
    body = text(client.post(reverse("public:self_check"), {**ANSWERS, "seizures": "yes"}))
    assert f'action="{reverse("public:call_back")}"' in body
    assert 'name="selfcheck" value="withdrawal"' in body
    response = client.post(reverse("public:call_back"), {"prefill": "selfcheck", "selfcheck": "withdrawal"})
    assert response.status_code == 200
    assert response.context["form"].initial["selfcheck"] == "withdrawal"
    assert not response.context["form"].is_bound
    assert "Send my self-check result with this request" in text(response)
    assert Inquiry.objects.count() == 0


# --- Cost estimator -----------------------------------------------------------


def test_the_estimate_is_itemized_with_a_range_and_ways_to_pay(client: Client, north: Site) -> None:
    response = client.post(reverse("public:cost"), COST)
    assert response.status_code == 200
    result = response.context["result"]
    assert str(result.total) == "7090.00"
    body = text(response)
    assert "$6,027 – $8,154" in body  # a range, in whole dollars
    assert "Group counseling, per hour" in body
    assert "Payment plan" in body and "Financing" in body and "Scholarships" in body
    ways = response.context["ways"]
    assert str(ways.plan_low) == "1004.42"  # 6026.50 / 6, rounded up


def test_a_site_or_state_card_is_used_before_the_default(client: Client, north: Site) -> None:
    RateCard.objects.create(
        name="Massachusetts", state="MA", intake_assessment=0, group_hour=100, individual_session=0,
        family_session=0, drug_test=0, medication_visit=0, variation_percent=0,
    )  # fmt: skip
    by_zip = client.post(reverse("public:cost"), {**COST, "zip_code": "02139"})
    assert by_zip.context["card"].name == "Massachusetts"
    assert str(by_zip.context["result"].total) == "7200.00"
    by_site = client.post(reverse("public:cost"), {**COST, "site": "north"})
    assert by_site.context["card"].name == "Massachusetts"
    elsewhere = client.post(reverse("public:cost"), {**COST, "zip_code": "60601"})
    assert elsewhere.context["card"].is_default


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("weeks", "-3", "Enter at least 1 week."),
        ("weeks", "53", "Enter 52 weeks or fewer."),
        ("hours_per_day", "30", "Enter 12 hours a day or fewer."),
        ("days_per_week", "8", "A week has 7 days: enter 7 or fewer."),
        ("weeks", "lots", "Enter a whole number of weeks."),
        ("coinsurance_percent", "120", "Coinsurance is a percentage from 0 to 100."),
        ("zip_code", "00000", "We don't know the ZIP code 00000. Check it, or choose a location."),
        ("zip_code", "abc", "Enter a 5-digit US ZIP code, such as 02108."),
        ("income", "-5", "Income cannot be negative."),
        ("household_size", "0", "A household has at least 1 person."),
    ],
)
def test_absurd_estimator_input_is_refused_beside_the_field(
    client: Client, field: str, value: str, message: str
) -> None:
    response = client.post(reverse("public:cost"), {**COST, field: value})
    assert response.status_code == 400
    assert field_errors(response, field) == [message]
    assert "result" not in response.context
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    assert re.search(rf'aria-invalid="true"[^>]*aria-describedby="[^"]*id_{field}_error', body)


def test_no_service_chosen_is_refused(client: Client) -> None:
    response = client.post(reverse("public:cost"), {**COST, "services": []})
    assert field_errors(response, "services") == ["Choose at least one service."]


@time_machine.travel("2026-03-05 12:00:00-05:00", tick=False)
def test_the_sliding_scale_uses_this_years_guideline_and_the_persons_state(client: Client) -> None:
    # 2026, household of 2 in the 48 states: 15,960 + 5,680 = 21,640; exactly 150%.
    response = client.post(
        reverse("public:cost"), {**COST, "zip_code": "02108", "household_size": "2", "income": "32460"}
    )
    ways = response.context["ways"]
    assert ways.sliding.guideline.year == 2026
    assert ways.sliding.discount_percent == 75
    assert "Your income is 150% of the HHS poverty guideline for a household of 2 (2026 guidelines)." in text(response)
    # The same household in Alaska (2026: 19,950 + 7,100 = 27,050) is at 120%.
    alaska = client.post(
        reverse("public:cost"), {**COST, "zip_code": "99501", "household_size": "2", "income": "32460"}
    )
    assert alaska.context["ways"].sliding.percent_of_guideline == 120
    assert alaska.context["ways"].sliding.guideline.region == "AK"


def test_insurance_figures_narrow_the_share(client: Client) -> None:
    response = client.post(
        reverse("public:cost"),
        {**COST, "insurance": "private", "deductible": "met", "coinsurance_percent": "20", "oop_max_remaining": "1500"},
    )
    result = response.context["result"]
    assert (str(result.share_low), str(result.share_high)) == ("1205.30", "1500.00")
    missing = client.post(reverse("public:cost"), {**COST, "insurance": "private", "deductible": "remaining"})
    assert field_errors(missing, "deductible_remaining") == ['Enter the amount left, or choose "I don\'t know".']


# --- Call-back and coverage-check requests ---------------------------------------

REQUEST = {
    "site": "north", "name": "Maria Lopez Garcia", "phone": "(617) 555-0199", "email": "", "best_time": "evening",
    "insurer": "Blue Cross", "member_id": "XJ12345", "consent": "on",
}  # fmt: skip


@pytest.fixture
def immediate_jobs(settings: Any, django_capture_on_commit_callbacks: Callable[..., Any]) -> Any:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    return django_capture_on_commit_callbacks


def test_a_call_back_request_becomes_a_website_inquiry_and_mails_the_sites_navigators(
    client: Client, north: Site, south: Site, persona: Callable[..., User], immediate_jobs: Any
) -> None:
    navigator = persona(RoleCode.ADMISSIONS_NAVIGATOR, username="nina")
    persona(RoleCode.ADMISSIONS_NAVIGATOR, site=south, username="sam")
    persona(RoleCode.CLINICIAN, username="carl")
    with immediate_jobs(execute=True):
        response = client.post(reverse("public:call_back"), REQUEST)
    assert response.status_code == 302
    assert response["Location"] == reverse("public:call_back_sent")
    inquiry = Inquiry.objects.get()
    assert (inquiry.site, inquiry.channel, inquiry.stage) == (north, Channel.WEBSITE, "new")
    assert (inquiry.first_name, inquiry.last_name, inquiry.caller_name) == (
        "Maria",
        "Lopez Garcia",
        "Maria Lopez Garcia",
    )
    assert inquiry.consent_to_contact and inquiry.created_by is None
    assert (inquiry.insurance_payer, inquiry.insurance_member_id) == ("Blue Cross", "XJ12345")
    assert "Call back requested on the public website." in inquiry.notes
    assert "Best time to reach them: Evening (5 pm to 8 pm)." in inquiry.notes
    assert AuditEvent.objects.filter(action="inquiry.create", object_id=str(inquiry.pk)).exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [navigator.email]
    assert "North Site" in message.subject
    assert f"/admissions/{inquiry.pk}/" in message.body
    # Nothing about the person travels by email.
    for detail in ("Maria", "555-0199", "Blue Cross", "XJ12345"):
        assert detail not in message.body and detail not in message.subject


def test_the_confirmation_shows_nothing_back(client: Client, north: Site) -> None:
    response = client.post(reverse("public:call_back"), REQUEST, follow=True)
    body = text(response)
    assert "Thank you. We have your request." in body
    for detail in ("Maria", "555-0199", "Blue Cross", "XJ12345", "North Site"):
        assert detail not in body


def test_a_coverage_check_needs_the_insurer_and_says_so_in_the_inquiry(client: Client, north: Site) -> None:
    refused = client.post(reverse("public:coverage_check"), {**REQUEST, "insurer": ""})
    assert field_errors(refused, "insurer") == ["Tell us your insurance company so we can check."]
    response = client.post(reverse("public:coverage_check"), REQUEST)
    assert response["Location"] == reverse("public:coverage_check_sent")
    assert "They asked us to check their insurance coverage" in Inquiry.objects.get().notes


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"consent": ""}, "consent", "We can only contact you if you agree to it."),
        ({"phone": "", "email": ""}, "phone", "Give a phone number or an email address (or both) so we can reach you."),
        ({"phone": "555"}, "phone", "Enter a phone number with area code, such as 617-555-0142."),
        ({"email": "not-an-email"}, "email", "Enter an email address such as name@example.com."),
        ({"name": "  "}, "name", "Tell us what to call you."),
        ({"site": "nowhere"}, "site", "Select a valid choice. That choice is not one of the available choices."),
    ],
)
def test_an_incomplete_request_is_refused_beside_the_field_and_creates_nothing(
    client: Client, north: Site, changes: dict[str, str], field: str, message: str
) -> None:
    data = {key: value for key, value in {**REQUEST, **changes}.items() if value != ""}
    response = client.post(reverse("public:call_back"), data)
    assert response.status_code == 400
    assert field_errors(response, field) == [message]
    assert Inquiry.objects.count() == 0


def test_an_email_alone_is_enough(client: Client, north: Site) -> None:
    client.post(reverse("public:call_back"), {**REQUEST, "phone": "", "email": "maria@example.org"})
    inquiry = Inquiry.objects.get()
    assert (inquiry.phone, inquiry.email, inquiry.preferred_contact) == ("", "maria@example.org", "email")


def test_a_filled_honeypot_is_thanked_and_dropped(client: Client, north: Site, immediate_jobs: Any) -> None:
    with immediate_jobs(execute=True):
        response = client.post(reverse("public:call_back"), {**REQUEST, "fax_number": "555-1234"})
    assert response.status_code == 302
    assert response["Location"] == reverse("public:call_back_sent")
    assert Inquiry.objects.count() == 0
    assert mail.outbox == []


def test_the_honeypot_is_hidden_from_people(client: Client, north: Site) -> None:
    body = client.get(reverse("public:call_back")).content.decode()
    assert re.search(r'<div class="hp-field" aria-hidden="true">\s*<label for="id_fax_number"', body)
    assert 'tabindex="-1"' in body


def test_requests_need_the_csrf_token(north: Site) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("public:call_back"), REQUEST)
    assert response.status_code == 403
    assert Inquiry.objects.count() == 0
    page = client.get(reverse("public:call_back"))
    token = page.cookies["csrftoken"].value
    accepted = client.post(reverse("public:call_back"), {**REQUEST, "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    assert Inquiry.objects.count() == 1


def test_a_site_code_in_the_address_preselects_the_site(client: Client, north: Site, south: Site) -> None:
    response = client.get(reverse("public:call_back") + "?site=south")
    assert response.context["form"].initial["site"] == south
    assert re.search(r'<option value="south" selected>', response.content.decode())
    unknown = client.get(reverse("public:call_back") + "?site=nowhere")
    assert "site" not in unknown.context["form"].initial


def test_a_shared_self_check_result_marks_the_inquiry_urgent(client: Client, north: Site) -> None:
    client.post(reverse("public:call_back"), {**REQUEST, "selfcheck": "crisis+withdrawal", "share_selfcheck": "on"})
    inquiry = Inquiry.objects.get()
    assert inquiry.urgency == Urgency.URGENT
    # Kept as data behind the matrix, never in the notes billing and the front desk read.
    assert (inquiry.selfcheck_share.outcomes, inquiry.selfcheck_share.risk) == (["crisis", "withdrawal"], True)
    assert "suicide" not in inquiry.notes and "self-check" not in inquiry.notes


def test_a_self_check_result_not_agreed_to_is_not_sent(client: Client, north: Site) -> None:
    client.post(reverse("public:call_back"), {**REQUEST, "selfcheck": "crisis"})
    inquiry = Inquiry.objects.get()
    assert inquiry.urgency == Urgency.ROUTINE
    assert "self-check" not in inquiry.notes
    assert not SelfCheckShare.objects.exists()


# --- Rate limiting -------------------------------------------------------------


def test_five_requests_an_hour_from_one_address_then_a_friendly_429_with_the_phone_number(
    client: Client, north: Site
) -> None:
    Site.objects.filter(pk=north.pk).update(phone="617-555-0100")
    with time_machine.travel("2026-03-05 10:00:00-05:00", tick=False):
        for _ in range(5):
            assert client.post(reverse("public:call_back"), REQUEST).status_code == 302
        limited = client.post(reverse("public:call_back"), REQUEST)
    assert limited.status_code == 429
    body = text(limited)
    assert 'href="tel:617-555-0100"' in body and 'href="tel:988"' in body
    assert Inquiry.objects.count() == 5
    # Another address is not held back, nor is the other form.
    other = client.post(reverse("public:call_back"), REQUEST, REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 302
    assert client.post(reverse("public:coverage_check"), REQUEST).status_code == 302
    # An hour later the form opens again.
    with time_machine.travel("2026-03-05 11:00:01-05:00", tick=False):
        assert client.post(reverse("public:call_back"), REQUEST).status_code == 302
    assert Inquiry.objects.count() == 8


def test_any_post_counts_against_a_looser_limit_so_the_form_cannot_be_probed(client: Client, north: Site) -> None:
    with time_machine.travel("2026-03-05 10:00:00-05:00", tick=False):
        for _ in range(30):
            assert client.post(reverse("public:call_back"), {"name": "x"}).status_code == 400
        assert client.post(reverse("public:call_back"), REQUEST).status_code == 429
    assert Inquiry.objects.count() == 0


# --- Navigators' dashboard -------------------------------------------------------


def test_navigators_see_uncontacted_web_requests_at_their_sites_on_the_dashboard(
    client: Client, north: Site, south: Site, persona: Callable[..., User]
) -> None:
    client.post(reverse("public:call_back"), REQUEST)
    client.post(reverse("public:call_back"), {**REQUEST, "site": "south", "name": "Sam South"})
    navigator = persona(RoleCode.ADMISSIONS_NAVIGATOR)
    client.force_login(navigator)
    body = text(client.get(reverse("core:dashboard")))
    assert "New requests from the public site" in body
    assert "Maria Lopez Garcia" in body and "Sam South" not in body
    # Once someone moves it on, it is no longer waiting.
    from openiop.admissions.services import inquiry_move

    inquiry_move(actor=navigator, inquiry=Inquiry.objects.get(site=north), to_stage="pre_screen")
    assert "New requests from the public site" not in text(client.get(reverse("core:dashboard")))


def test_staff_without_admissions_access_do_not_see_the_section(
    client: Client, north: Site, persona: Callable[..., User]
) -> None:
    client.post(reverse("public:call_back"), REQUEST)
    client.force_login(persona(RoleCode.NURSE))
    assert "New requests from the public site" not in text(client.get(reverse("core:dashboard")))


# --- Spanish -----------------------------------------------------------------------


def test_a_spanish_browser_gets_spanish_pages_and_the_crisis_line_in_spanish(client: Client) -> None:
    body = text(client.get(reverse("public:home"), HTTP_ACCEPT_LANGUAGE="es"))
    assert '<html lang="es"' in body
    assert "¿En crisis o pensando en el suicidio?" in body
    assert "Llame o envíe un mensaje de texto al" in body
    assert "Encontrar un IOP cerca de mí" in body


def test_the_language_switch_turns_the_site_spanish(client: Client) -> None:
    response = client.post(
        reverse("set_language"), {"language": "es", "next": reverse("public:self_check")}, follow=True
    )
    body = text(response)
    assert "¿Es el IOP adecuado para mí?" in body
    assert "¿En crisis o pensando en el suicidio?" in body


def test_spanish_error_messages_beside_the_field(client: Client) -> None:
    response = client.post(reverse("public:cost"), {**COST, "hours_per_day": "30"}, HTTP_ACCEPT_LANGUAGE="es")
    assert field_errors(response, "hours_per_day") == ["Indique 12 horas al día o menos."]


def test_a_spanish_request_tells_the_navigator_the_language_in_english_notes(client: Client, north: Site) -> None:
    client.post(reverse("public:call_back"), REQUEST, HTTP_ACCEPT_LANGUAGE="es")
    notes = Inquiry.objects.get().notes
    assert "The form was filled in in Español." in notes
    assert "Call back requested on the public website." in notes
