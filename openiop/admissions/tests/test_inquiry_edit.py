# SPDX-License-Identifier: AGPL-3.0-or-later
"""Correcting an inquiry's intake details: audited, validated, and never a
silent overwrite of someone else's save."""

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
from openiop.admissions import pipeline, services
from openiop.admissions.models import Inquiry, ReferralSource
from openiop.audit.models import AuditEvent
from openiop.core.locking import StaleEditError
from openiop.core.roles import RoleCode
from openiop.patients.tests.factories import signed_in
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db
MakeInquiry = Callable[..., Inquiry]


def fields_of(inquiry: Inquiry, **overrides: Any) -> dict[str, Any]:
    values = {name: getattr(inquiry, name) for name in services.INQUIRY_FIELDS}
    values.update(overrides)
    return values


def edit_data(inquiry: Inquiry, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": inquiry.channel, "caller_name": inquiry.caller_name, "caller_relation": inquiry.caller_relation,
        "first_name": inquiry.first_name, "last_name": inquiry.last_name,
        "birth_date": inquiry.birth_date.isoformat() if inquiry.birth_date else "", "phone": inquiry.phone,
        "email": inquiry.email, "preferred_contact": inquiry.preferred_contact,
        "consent_to_contact": "on" if inquiry.consent_to_contact else "", "substances": inquiry.substances,
        "urgency": inquiry.urgency, "insurance_payer": inquiry.insurance_payer,
        "insurance_member_id": inquiry.insurance_member_id, "insurance_plan": inquiry.insurance_plan,
        "referral_source": inquiry.referral_source_id or "", "notes": inquiry.notes, "version": inquiry.version,
    }  # fmt: skip
    data.update(overrides)
    return data


def edit_url(inquiry: Inquiry) -> str:
    return reverse("admissions:edit", args=[inquiry.pk])


# --- Service -----------------------------------------------------------------------------------------------------


def test_an_edit_saves_moves_the_version_on_and_audits_the_changed_field_names(
    make_inquiry: MakeInquiry, navigator: User
) -> None:
    inquiry = make_inquiry()
    updated = services.inquiry_update(
        actor=navigator,
        inquiry=inquiry,
        expected_version=1,
        **fields_of(inquiry, phone="(508) 555-0199", insurance_payer="Aetna", substances=["opioids", "alcohol"]),
    )

    inquiry.refresh_from_db()
    assert (inquiry.phone, inquiry.phone_digits, inquiry.insurance_payer) == ("(508) 555-0199", "5085550199", "Aetna")
    assert inquiry.version == updated.version == 2
    event = AuditEvent.objects.get(action="inquiry.update")
    assert event.data == {"fields": ["insurance_payer", "phone", "substances"]}
    assert event.actor_id == navigator.pk
    # Values stay out of the audit trail.
    assert "555-0199" not in str(event.data)


def test_an_edit_that_changes_nothing_saves_nothing(make_inquiry: MakeInquiry, navigator: User) -> None:
    inquiry = make_inquiry()
    services.inquiry_update(actor=navigator, inquiry=inquiry, expected_version=1, **fields_of(inquiry))
    inquiry.refresh_from_db()
    assert inquiry.version == 1
    assert not AuditEvent.objects.filter(action="inquiry.update").exists()


def test_the_second_of_two_edits_from_the_same_version_is_refused_and_the_first_stands(
    make_inquiry: MakeInquiry, navigator: User
) -> None:
    inquiry = make_inquiry()
    first, second = Inquiry.objects.get(pk=inquiry.pk), Inquiry.objects.get(pk=inquiry.pk)
    services.inquiry_update(actor=navigator, inquiry=first, expected_version=1, **fields_of(first, notes="First"))

    with pytest.raises(StaleEditError, match="Someone else saved or moved this inquiry"):
        services.inquiry_update(actor=navigator, inquiry=second, expected_version=1, **fields_of(second, notes="2nd"))
    inquiry.refresh_from_db()
    assert (inquiry.notes, inquiry.version) == ("First", 2)


def test_an_edit_begun_before_a_move_is_refused(make_inquiry: MakeInquiry, navigator: User) -> None:
    inquiry = make_inquiry()
    services.inquiry_move(actor=navigator, inquiry=Inquiry.objects.get(pk=inquiry.pk), to_stage=pipeline.PRE_SCREEN)
    with pytest.raises(StaleEditError):
        services.inquiry_update(actor=navigator, inquiry=inquiry, expected_version=1, **fields_of(inquiry, notes="x"))


def test_bad_input_is_refused_by_field_and_nothing_is_saved(make_inquiry: MakeInquiry, navigator: User) -> None:
    inquiry = make_inquiry()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.inquiry_update(
            actor=navigator, inquiry=inquiry, expected_version=1, **fields_of(inquiry, birth_date=tomorrow, notes="x")
        )
    assert "birth_date" in error.value.message_dict
    inquiry.refresh_from_db()
    assert (inquiry.birth_date, inquiry.notes, inquiry.version) == (dt.date(1998, 4, 2), "", 1)


@pytest.mark.parametrize("final", [pipeline.CLOSED, pipeline.REFERRED])
def test_a_final_inquiry_is_kept_as_it_was(make_inquiry: MakeInquiry, navigator: User, final: str) -> None:
    inquiry = services.inquiry_move(
        actor=navigator, inquiry=make_inquiry(), to_stage=final, reason="declined", referred_to="Lakeside"
    )
    with pytest.raises(services.InquiryFinalError, match="a final stage"):
        services.inquiry_update(
            actor=navigator, inquiry=inquiry, expected_version=inquiry.version, **fields_of(inquiry, notes="late")
        )


def test_unknown_fields_are_a_programming_error(make_inquiry: MakeInquiry, navigator: User) -> None:
    inquiry = make_inquiry()
    with pytest.raises(TypeError):
        services.inquiry_update(actor=navigator, inquiry=inquiry, expected_version=1, stage="admitted")


# --- Page --------------------------------------------------------------------------------------------------------


def test_the_edit_page_shows_every_intake_field_filled_in(
    client: Client, navigator: User, make_inquiry: MakeInquiry
) -> None:
    inquiry = make_inquiry(notes="Called from the ED")
    response = signed_in(client, navigator).get(edit_url(inquiry))

    assert response.status_code == 200
    form = response.context["form"]
    assert set(services.INQUIRY_FIELDS) <= set(form.fields)
    assert "site" not in form.fields
    html = response.content.decode()
    assert 'value="(617) 555-0142"' in html
    assert "Called from the ED" in html
    assert 'name="version" value="1"' in html


def test_saving_the_page_corrects_the_inquiry(client: Client, navigator: User, make_inquiry: MakeInquiry) -> None:
    inquiry = make_inquiry()
    response = signed_in(client, navigator).post(
        edit_url(inquiry), edit_data(inquiry, phone="617-555-0111", urgency="urgent")
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admissions:detail", args=[inquiry.pk])
    inquiry.refresh_from_db()
    assert (inquiry.phone, inquiry.urgency, inquiry.version) == ("617-555-0111", "urgent", 2)


def test_a_bad_value_is_shown_beside_its_field_and_nothing_saved(
    client: Client, navigator: User, make_inquiry: MakeInquiry
) -> None:
    inquiry = make_inquiry()
    response = signed_in(client, navigator).post(
        edit_url(inquiry), edit_data(inquiry, preferred_contact="email", email="")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Email is the preferred contact method; give an address."]
    inquiry.refresh_from_db()
    assert (inquiry.preferred_contact, inquiry.version) == ("phone", 1)


def test_a_second_editor_is_refused_sees_the_first_editors_values_and_keeps_their_input(
    client: Client, navigator: User, persona: Callable[..., User], make_inquiry: MakeInquiry
) -> None:
    inquiry = make_inquiry()
    stale = edit_data(inquiry, phone="617-555-0222", notes="Second editor's note")
    signed_in(Client(), persona(RoleCode.CLINICAL_DIRECTOR)).post(
        edit_url(inquiry), edit_data(inquiry, phone="617-555-0111", notes="First editor's note")
    )

    response = signed_in(client, navigator).post(edit_url(inquiry), stale)

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved or moved this inquiry" in html
    assert 'value="617-555-0222"' in html  # their input kept
    assert "Second editor&#x27;s note" in html
    assert dict(response.context["conflicts"]) == {"Phone": "617-555-0111", "Notes": "First editor's note"}
    inquiry.refresh_from_db()
    assert (inquiry.phone, inquiry.version) == ("617-555-0111", 2)
    # Having seen the other version, saving again is a deliberate choice.
    assert 'name="version" value="2"' in html
    again = client.post(edit_url(inquiry), {**stale, "version": 2})
    assert again.status_code == 302
    inquiry.refresh_from_db()
    assert (inquiry.phone, inquiry.version) == ("617-555-0222", 3)


def test_a_deactivated_source_stays_selectable_on_an_inquiry_that_names_it(
    client: Client, navigator: User, make_inquiry: MakeInquiry
) -> None:
    old = ReferralSource.objects.create(name="Closed clinic", active=False)
    ReferralSource.objects.create(name="Open clinic")
    inquiry = make_inquiry(referral_source=old)
    response = signed_in(client, navigator).get(edit_url(inquiry))
    choices = {str(source) for source in response.context["form"].fields["referral_source"].queryset}
    assert choices == {"Closed clinic", "Open clinic"}
    saved = client.post(edit_url(inquiry), edit_data(inquiry, notes="kept source"))
    assert saved.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.referral_source == old


def test_a_final_inquiry_shows_why_it_cannot_be_edited(
    client: Client, navigator: User, make_inquiry: MakeInquiry
) -> None:
    inquiry = services.inquiry_move(actor=navigator, inquiry=make_inquiry(), to_stage="closed", reason="duplicate")
    client = signed_in(client, navigator)
    page = client.get(edit_url(inquiry))
    assert page.status_code == 200
    assert page.context["form"] is None
    assert "a final stage, and is kept as it was" in page.content.decode()
    assert edit_url(inquiry) not in client.get(reverse("admissions:detail", args=[inquiry.pk])).content.decode()
    assert client.post(edit_url(inquiry), edit_data(inquiry, notes="late")).status_code == 409
    inquiry.refresh_from_db()
    assert inquiry.notes == ""


def test_the_detail_page_links_to_the_edit_page_for_those_who_may_edit(
    client: Client, navigator: User, bob: User, make_inquiry: MakeInquiry
) -> None:
    inquiry = make_inquiry()
    detail = reverse("admissions:detail", args=[inquiry.pk])
    assert edit_url(inquiry) in signed_in(client, navigator).get(detail).content.decode()
    assert edit_url(inquiry) not in signed_in(client, bob).get(detail).content.decode()
    assert client.post(edit_url(inquiry), edit_data(inquiry, notes="clinician")).status_code == 403


def test_front_desk_may_correct_intake_details(
    client: Client, persona: Callable[..., User], make_inquiry: MakeInquiry
) -> None:
    inquiry = make_inquiry()
    response = signed_in(client, persona(RoleCode.FRONT_DESK)).post(
        edit_url(inquiry), edit_data(inquiry, phone="617-555-0333")
    )
    assert response.status_code == 302


def test_another_sites_inquiry_cannot_be_edited(
    client: Client, persona: Callable[..., User], south: Site, make_inquiry: MakeInquiry
) -> None:
    inquiry = make_inquiry()
    client = signed_in(client, persona(RoleCode.ADMISSIONS_NAVIGATOR, site=south))
    assert client.get(edit_url(inquiry)).status_code == 404
    assert client.post(edit_url(inquiry), edit_data(inquiry, notes="x")).status_code == 404
    inquiry.refresh_from_db()
    assert inquiry.notes == ""
