# SPDX-License-Identifier: AGPL-3.0-or-later
"""What a call-back or coverage-check request asks beyond a way to reach the
person, and how the answers reach the admissions inquiry: who it is for,
whether a voicemail or a text is safe, a free-text message, the date of birth
and the insurance subscriber; and the location chosen before a self-check."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from openiop.admissions.models import CallerRelation, ContactMethod, Inquiry
from openiop.directory.models import Facility
from openiop.public.tests.test_views import ANSWERS, REQUEST, field_errors, text
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


def test_the_call_back_form_asks_who_it_is_for_about_messages_and_for_a_note(client: Client, north: Site) -> None:
    body = text(client.get(reverse("public:call_back")))
    for question in ("Who is this for?", "May we leave a voicemail or send a text?", "Anything you would like us"):
        assert question in body
    assert "Date of birth" not in body and "Whose name is the insurance in?" not in body


def test_a_request_for_someone_else_names_them_and_keeps_the_caller(client: Client, north: Site) -> None:
    response = client.post(
        reverse("public:call_back"),
        {**REQUEST, "for_whom": "someone_else", "their_name": "Luis", "leave_messages": "text",
         "message": "He works nights; please text first."},
    )  # fmt: skip
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert (inquiry.caller_name, inquiry.caller_relation) == ("Maria Lopez Garcia", CallerRelation.OTHER)
    assert (inquiry.first_name, inquiry.last_name) == ("Luis", "-")
    assert inquiry.preferred_contact == ContactMethod.TEXT
    assert "Maria Lopez Garcia asked on behalf of someone else (Luis)." in inquiry.notes
    assert "Voicemail: do NOT leave one. Text messages: may be sent." in inquiry.notes
    assert "Their message: He works nights; please text first." in inquiry.notes


def test_someone_else_needs_their_first_name(client: Client, north: Site) -> None:
    response = client.post(reverse("public:call_back"), {**REQUEST, "for_whom": "someone_else"})
    assert response.status_code == 400
    assert field_errors(response, "their_name") == ["Tell us the first name of the person you are asking for."]
    assert Inquiry.objects.count() == 0


def test_without_an_answer_about_messages_the_team_is_told_to_leave_none(client: Client, north: Site) -> None:
    assert client.post(reverse("public:call_back"), REQUEST).status_code == 302
    inquiry = Inquiry.objects.get()
    assert "do neither until they agree" in inquiry.notes
    assert inquiry.preferred_contact == ContactMethod.PHONE


def test_a_coverage_check_carries_the_date_of_birth_and_the_subscriber(client: Client, north: Site) -> None:
    body = text(client.get(reverse("public:coverage_check")))
    assert "Date of birth of the person the treatment is for" in body and "Whose name is the insurance in?" in body
    refused = client.post(reverse("public:coverage_check"), {**REQUEST, "subscriber_relation": "01"})
    assert field_errors(refused, "subscriber_name") == ["Give the policyholder's name, as on the insurance card."]
    future = client.post(reverse("public:coverage_check"), {**REQUEST, "birth_date": "2999-01-01"})
    assert field_errors(future, "birth_date") == ["The date of birth is in the future."]

    response = client.post(
        reverse("public:coverage_check"),
        {**REQUEST, "birth_date": "1990-05-17", "subscriber_relation": "01", "subscriber_name": "Ana Lopez",
         "leave_messages": "both"},
    )  # fmt: skip
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.birth_date == dt.date(1990, 5, 17)
    assert "Insurance subscriber: Ana Lopez (the person is the subscriber's spouse or partner)." in inquiry.notes
    assert "Voicemail: may be left. Text messages: may be sent." in inquiry.notes


def test_ask_us_to_contact_you_after_the_self_check_keeps_the_chosen_location(
    client: Client, north: Site, south: Site
) -> None:
    start = text(client.get(reverse("public:self_check"), {"site": "south"}))
    assert 'name="site" value="south"' in start
    result = text(client.post(reverse("public:self_check"), {**ANSWERS, "site": "south"}))
    next_steps = result[result.index('action="/help/call-back/"') :]
    assert 'name="site" value="south"' in next_steps[: next_steps.index("</form>")]
    response = client.post(reverse("public:call_back"), {"prefill": "selfcheck", "selfcheck": "fit", "site": "south"})
    assert response.context["form"].initial["site"] == south


def test_a_program_page_links_to_the_self_check_for_that_location(client: Client, north: Site) -> None:
    facility = Facility.objects.get(site=north)
    body = text(client.get(reverse("directory:facility", args=[facility.pk])))
    assert f"{reverse('public:self_check')}?site=north" in body
