# SPDX-License-Identifier: AGPL-3.0-or-later
"""Maintaining referral sources in the app: add, rename, deactivate, and
delete only what no inquiry uses; the report lists them with conversion."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import Role, User
from openiop.admissions import services
from openiop.admissions.models import Inquiry, ReferralSource
from openiop.admissions.permissions import ADMISSIONS_SOURCES
from openiop.audit.models import AuditEvent
from openiop.core.locking import StaleEditError
from openiop.core.roles import RoleCode
from openiop.patients.tests.factories import signed_in
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db
MakeInquiry = Callable[..., Inquiry]


def test_navigators_and_clinical_directors_maintain_sources_by_default() -> None:
    holders = set(Role.objects.filter(actions__code=ADMISSIONS_SOURCES).values_list("code", flat=True))
    assert holders == {RoleCode.ADMISSIONS_NAVIGATOR, RoleCode.CLINICAL_DIRECTOR}


# --- Services ----------------------------------------------------------------------------------------------------


def test_a_new_source_is_active_and_audited(navigator: User) -> None:
    source = services.referral_source_create(actor=navigator, name="  Mercy General ED ", kind="hospital")
    assert (source.name, source.kind, source.active, source.version) == ("Mercy General ED", "hospital", True, 1)
    event = AuditEvent.objects.get(action="referral_source.create")
    assert event.data == {"name": "Mercy General ED", "kind": "hospital"}


def test_names_are_unique_regardless_of_capitals(navigator: User) -> None:
    services.referral_source_create(actor=navigator, name="Mercy General", kind="hospital")
    with pytest.raises(ValidationError) as error:
        services.referral_source_create(actor=navigator, name="MERCY general", kind="hospital")
    assert error.value.message_dict == {"name": ["A referral source with this name already exists."]}
    assert ReferralSource.objects.count() == 1


def test_deactivating_keeps_the_inquiries_and_is_audited_as_such(navigator: User, make_inquiry: MakeInquiry) -> None:
    source = services.referral_source_create(actor=navigator, name="County drug court", kind="court")
    inquiry = make_inquiry(referral_source=source)

    services.referral_source_update(
        actor=navigator, source=source, expected_version=1, name=source.name, kind=source.kind, active=False
    )

    source.refresh_from_db()
    inquiry.refresh_from_db()
    assert (source.active, source.version, inquiry.referral_source) == (False, 2, source)
    assert AuditEvent.objects.get(action="referral_source.deactivate").data["fields"] == ["active"]
    services.referral_source_update(
        actor=navigator, source=source, expected_version=2, name="County drug court", kind="court", active=True
    )
    assert AuditEvent.objects.filter(action="referral_source.reactivate").exists()


def test_a_stale_edit_of_a_source_is_refused(navigator: User) -> None:
    source = services.referral_source_create(actor=navigator, name="Harbor clinic", kind="physician")
    services.referral_source_update(
        actor=navigator, source=source, expected_version=1, name="Harbor Family Medicine", kind="physician", active=True
    )
    with pytest.raises(StaleEditError):
        services.referral_source_update(
            actor=navigator, source=source, expected_version=1, name="Harbour", kind="physician", active=True
        )
    source.refresh_from_db()
    assert source.name == "Harbor Family Medicine"


def test_a_source_in_use_is_never_deleted(navigator: User, make_inquiry: MakeInquiry, south: Site) -> None:
    source = services.referral_source_create(actor=navigator, name="Employer EAP", kind="employer")
    make_inquiry(referral_source=source, site=south)  # at a site the navigator does not work at: still counts

    with pytest.raises(ValidationError, match="1 inquiries name this source"):
        services.referral_source_delete(actor=navigator, source=source)
    assert ReferralSource.objects.filter(pk=source.pk).exists()
    assert not AuditEvent.objects.filter(action="referral_source.delete").exists()


def test_an_unused_source_may_be_deleted(navigator: User) -> None:
    source = services.referral_source_create(actor=navigator, name="Typo clinc", kind="physician")
    services.referral_source_delete(actor=navigator, source=source)
    assert not ReferralSource.objects.exists()
    assert AuditEvent.objects.get(action="referral_source.delete").data["name"] == "Typo clinc"


# --- Pages -------------------------------------------------------------------------------------------------------


def test_adding_a_source_from_the_page(client: Client, navigator: User) -> None:
    response = signed_in(client, navigator).post(
        reverse("admissions:source_create"), {"name": "Recovery community center", "kind": "community"}
    )
    assert response.status_code == 302
    assert ReferralSource.objects.get().name == "Recovery community center"


def test_a_duplicate_name_is_refused_beside_the_field(client: Client, navigator: User) -> None:
    ReferralSource.objects.create(name="Recovery community center")
    response = signed_in(client, navigator).post(
        reverse("admissions:source_create"), {"name": "recovery COMMUNITY center", "kind": "community"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["A referral source with this name already exists."]
    assert ReferralSource.objects.count() == 1


def test_deactivating_from_the_edit_page(client: Client, navigator: User, make_inquiry: MakeInquiry) -> None:
    source = ReferralSource.objects.create(name="Online locator", kind="online")
    make_inquiry(referral_source=source)
    client = signed_in(client, navigator)
    page = client.get(reverse("admissions:source_edit", args=[source.pk]))
    assert "1 inquiry names this source" in page.content.decode()
    assert reverse("admissions:source_delete", args=[source.pk]) not in page.content.decode()

    response = client.post(
        reverse("admissions:source_edit", args=[source.pk]), {"name": "Online locator", "kind": "online", "version": 1}
    )

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.active is False
    # No longer offered on new inquiries.
    form = client.get(reverse("admissions:create")).context["form"]
    assert source not in form.fields["referral_source"].queryset


def test_a_stale_edit_page_is_refused_with_a_message(client: Client, navigator: User) -> None:
    source = ReferralSource.objects.create(name="Harbor", kind="physician", version=3)
    response = signed_in(client, navigator).post(
        reverse("admissions:source_edit", args=[source.pk]),
        {"name": "Harbour", "kind": "physician", "active": "on", "version": 2},
    )
    assert response.status_code == 200
    assert "Someone else changed this referral source" in response.content.decode()
    source.refresh_from_db()
    assert source.name == "Harbor"


def test_deleting_from_the_page_only_when_unused(client: Client, navigator: User, make_inquiry: MakeInquiry) -> None:
    used = ReferralSource.objects.create(name="Used")
    make_inquiry(referral_source=used)
    unused = ReferralSource.objects.create(name="Unused")
    client = signed_in(client, navigator)

    page = client.get(reverse("admissions:source_delete", args=[used.pk]))
    assert "cannot be deleted" in page.content.decode()
    refused = client.post(reverse("admissions:source_delete", args=[used.pk]))
    assert refused.status_code == 409
    assert ReferralSource.objects.filter(pk=used.pk).exists()

    deleted = client.post(reverse("admissions:source_delete", args=[unused.pk]))
    assert deleted.status_code == 302
    assert not ReferralSource.objects.filter(pk=unused.pk).exists()


@pytest.mark.parametrize("role", [RoleCode.FRONT_DESK, RoleCode.CLINICIAN, RoleCode.BILLING_SPECIALIST])
def test_other_roles_cannot_change_sources_and_see_no_links(
    client: Client, persona: Callable[..., User], role: str
) -> None:
    source = ReferralSource.objects.create(name="Mercy", kind="hospital")
    client = signed_in(client, persona(role))
    assert client.post(reverse("admissions:source_create"), {"name": "X", "kind": "other"}).status_code == 403
    assert client.post(reverse("admissions:source_delete", args=[source.pk])).status_code == 403
    report = client.get(reverse("admissions:referral_report")).content.decode()
    assert reverse("admissions:source_edit", args=[source.pk]) not in report
    assert reverse("admissions:source_create") not in report
    assert ReferralSource.objects.count() == 1


def test_the_report_lists_inactive_sources_on_request_with_their_status(
    client: Client, navigator: User, make_inquiry: MakeInquiry
) -> None:
    ReferralSource.objects.create(name="Old unused", active=False)
    retired = ReferralSource.objects.create(name="Retired but used", active=False)
    admitted = make_inquiry(referral_source=retired)
    for stage in ("pre_screen", "benefits_check", "assessment_scheduled", "admitted"):
        admitted = services.inquiry_move(actor=navigator, inquiry=admitted, to_stage=stage)
    client = signed_in(client, navigator)

    default = client.get(reverse("admissions:referral_report"), {"period": "all"})
    names = [row.source.name for row in default.context["rows"] if row.source]
    assert names == ["Retired but used"]
    assert default.context["totals"] == {"total": 1, "admitted": 1, "decided": 1}

    everything = client.get(reverse("admissions:referral_report"), {"period": "all", "inactive": "1"})
    rows = {row.source.name: row for row in everything.context["rows"] if row.source}
    assert set(rows) == {"Retired but used", "Old unused"}
    assert rows["Retired but used"].conversion == 1.0
    html = everything.content.decode()
    assert "Inactive" in html
    assert reverse("admissions:source_edit", args=[retired.pk]) in html
    assert reverse("admissions:source_create") in html
