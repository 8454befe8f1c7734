# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.accounts.models import Role, User
from openiop.admissions import pipeline, services
from openiop.admissions.models import Inquiry, ReferralSource, StageChange
from openiop.admissions.permissions import ADMISSIONS_CREATE, ADMISSIONS_MANAGE, ADMISSIONS_VIEW
from openiop.core.roles import RoleCode
from openiop.patients.models import Patient
from openiop.patients.services import patient_register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db
MakeInquiry = Callable[..., Inquiry]

# (url name, needs an inquiry, action the page requires)
PAGES = [
    ("admissions:board", False, ADMISSIONS_VIEW),
    ("admissions:create", False, ADMISSIONS_CREATE),
    ("admissions:detail", True, ADMISSIONS_VIEW),
    ("admissions:move", True, ADMISSIONS_MANAGE),
    ("admissions:referral_report", False, ADMISSIONS_VIEW),
]


def url(name: str, inquiry: Inquiry | None = None) -> str:
    return reverse(name, args=[inquiry.pk] if inquiry is not None else [])


def granted(role: str, action: str) -> bool:
    return Role.objects.filter(code=role, actions__code=action).exists()


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "site": "", "channel": "helpline", "caller_name": "Rosa Diaz", "caller_relation": "parent",
        "first_name": "Tom", "last_name": "Diaz", "birth_date": "1998-04-02", "phone": "617-555-0142",
        "email": "", "preferred_contact": "phone", "consent_to_contact": "on", "substances": ["alcohol", "opioids"],
        "urgency": "soon", "insurance_payer": "Aetna", "insurance_member_id": "W123", "insurance_plan": "HMO",
        "referral_source": "", "notes": "Called after ED visit.",
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.fixture
def logged_in(client: Client) -> Callable[[User], Client]:
    def login(user: User) -> Client:
        client.force_login(user)
        return client

    return login


@pytest.mark.parametrize(("name", "needs_inquiry", "action"), PAGES, ids=[page[0] for page in PAGES])
@pytest.mark.parametrize("role", RoleCode.values)
def test_each_role_reaches_exactly_what_the_matrix_grants(
    logged_in: Callable[[User], Client], persona: Callable[..., User], make_inquiry: MakeInquiry,
    role: str, name: str, needs_inquiry: bool, action: str,
) -> None:  # fmt: skip
    inquiry = make_inquiry()
    response = logged_in(persona(role)).get(url(name, inquiry if needs_inquiry else None))
    assert response.status_code == (200 if granted(role, action) else 403)


def test_the_default_grants_are_the_documented_ones() -> None:
    def holders(action: str) -> set[str]:
        return set(Role.objects.filter(actions__code=action).values_list("code", flat=True))

    assert holders(ADMISSIONS_MANAGE) == {RoleCode.ADMISSIONS_NAVIGATOR, RoleCode.CLINICAL_DIRECTOR}
    assert holders(ADMISSIONS_CREATE) == {
        RoleCode.ADMISSIONS_NAVIGATOR,
        RoleCode.CLINICAL_DIRECTOR,
        RoleCode.FRONT_DESK,
    }
    assert RoleCode.CLINICIAN in holders(ADMISSIONS_VIEW)
    assert RoleCode.ADMINISTRATOR not in holders(ADMISSIONS_VIEW)


def test_administrators_and_clinicians_get_what_their_roles_grant(
    logged_in: Callable[[User], Client], alice: User, bob: User, make_inquiry: MakeInquiry
) -> None:
    inquiry = make_inquiry()
    assert logged_in(alice).get(url("admissions:board")).status_code == 403
    client = logged_in(bob)
    assert client.get(url("admissions:detail", inquiry)).status_code == 200
    assert client.post(url("admissions:move", inquiry), {"to_stage": "pre_screen", "version": 1}).status_code == 403
    inquiry.refresh_from_db()
    assert inquiry.stage == pipeline.NEW


@pytest.mark.parametrize("name", ["admissions:board", "admissions:referral_report", "admissions:create"])
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, name: str) -> None:
    response = client.get(url(name))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_another_sites_inquiry_is_not_found(
    logged_in: Callable[[User], Client], persona: Callable[..., User], south: Site, make_inquiry: MakeInquiry
) -> None:
    inquiry = make_inquiry()
    client = logged_in(persona(RoleCode.ADMISSIONS_NAVIGATOR, site=south))
    assert client.get(url("admissions:detail", inquiry)).status_code == 404
    assert client.get(url("admissions:move", inquiry)).status_code == 404
    assert client.post(url("admissions:move", inquiry), {"to_stage": "pre_screen", "version": 1}).status_code == 404
    board = client.get(url("admissions:board"))
    assert inquiry.person_name not in board.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.stage == pipeline.NEW


def test_the_board_shows_each_inquiry_in_its_stage_column(
    logged_in: Callable[[User], Client], navigator: User, make_inquiry: MakeInquiry
) -> None:
    waiting = make_inquiry(first_name="Wendy")
    screening = services.inquiry_move(actor=navigator, inquiry=make_inquiry(first_name="Sam"), to_stage="pre_screen")
    response = logged_in(navigator).get(url("admissions:board"))
    columns = {column.stage: column for column in response.context["columns"]}
    assert [card.pk for card in columns[pipeline.NEW].cards] == [waiting.pk]
    assert [card.pk for card in columns[pipeline.PRE_SCREEN].cards] == [screening.pk]
    assert columns[pipeline.NEW].count == 1
    assert url("admissions:detail", waiting) in response.content.decode()


def test_the_board_query_count_does_not_grow_with_the_number_of_inquiries(
    logged_in: Callable[[User], Client], navigator: User, make_inquiry: MakeInquiry
) -> None:
    source = ReferralSource.objects.create(name="Mercy General", kind="hospital")
    client = logged_in(navigator)
    make_inquiry(referral_source=source)
    client.get(url("admissions:board"))  # warm the per-user caches
    with CaptureQueriesContext(connection) as few:
        client.get(url("admissions:board"))
    for number in range(5):
        services.inquiry_move(
            actor=navigator,
            inquiry=make_inquiry(first_name=f"P{number}", referral_source=source),
            to_stage="pre_screen",
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url("admissions:board"))
    assert len(many) == len(few)


def test_create_shows_possible_duplicates_and_saves_only_after_confirmation(
    logged_in: Callable[[User], Client], navigator: User, north: Site, make_inquiry: MakeInquiry, south: Site
) -> None:
    existing = make_inquiry()
    elsewhere = patient_register(
        site=south, legal_first_name="Tom", legal_last_name="Diaz", birth_date=dt.date(1998, 4, 2)
    )
    client = logged_in(navigator)
    response = client.post(url("admissions:create"), form_data(site=north.pk))
    assert response.status_code == 200
    assert Inquiry.objects.count() == 1
    body = response.content.decode()
    assert "Possible matches" in body
    assert url("admissions:detail", existing) in body
    # A chart at a site the navigator does not work at: the site to ask, no MRN, no link.
    assert "A record at another site (South Site) that you cannot open" in body
    assert elsewhere.mrn not in body
    assert reverse("patients:chart", args=[elsewhere.pk]) not in body
    assert "confirm_not_duplicate" in response.context["form"].errors

    response = client.post(url("admissions:create"), form_data(site=north.pk, confirm_not_duplicate="on"))
    created = Inquiry.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == url("admissions:detail", created)
    assert created.substances == ["alcohol", "opioids"]
    assert created.created_by == navigator


def test_create_without_matches_saves_at_once(
    logged_in: Callable[[User], Client], persona: Callable[..., User], north: Site
) -> None:
    front_desk = persona(RoleCode.FRONT_DESK)
    response = logged_in(front_desk).post(url("admissions:create"), form_data(site=north.pk))
    assert response.status_code == 302
    assert Inquiry.objects.get().stage == pipeline.NEW


def test_create_shows_errors_beside_the_fields(
    logged_in: Callable[[User], Client], navigator: User, north: Site
) -> None:
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = logged_in(navigator).post(url("admissions:create"), form_data(site=north.pk, birth_date=future))
    assert response.status_code == 200
    assert "birth_date" in response.context["form"].errors
    assert 'id="id_birth_date_error"' in response.content.decode()
    assert not Inquiry.objects.exists()


def test_create_refuses_a_site_the_user_does_not_work_at(
    logged_in: Callable[[User], Client], navigator: User, south: Site
) -> None:
    response = logged_in(navigator).post(url("admissions:create"), form_data(site=south.pk))
    assert "site" in response.context["form"].errors
    assert not Inquiry.objects.exists()


def test_the_detail_page_shows_the_history_with_who_moved_it(
    logged_in: Callable[[User], Client], navigator: User, make_inquiry: MakeInquiry
) -> None:
    inquiry = services.inquiry_move(actor=navigator, inquiry=make_inquiry(actor=navigator), to_stage="pre_screen")
    body = logged_in(navigator).get(url("admissions:detail", inquiry)).content.decode()
    assert "Stage history" in body
    assert navigator.get_full_name() in body
    assert "Pre-screen" in body


def test_a_valid_move_is_saved_with_who_and_when(
    logged_in: Callable[[User], Client], navigator: User, make_inquiry: MakeInquiry
) -> None:
    inquiry = make_inquiry()
    response = logged_in(navigator).post(
        url("admissions:move", inquiry), {"to_stage": "pre_screen", "version": 1, "note": "Left a message"}
    )
    assert response.status_code == 302
    change = StageChange.objects.filter(inquiry=inquiry).latest("pk")
    assert (change.to_stage, change.by, change.note) == ("pre_screen", navigator, "Left a message")


def test_an_invalid_move_shows_the_reason_and_saves_nothing(
    logged_in: Callable[[User], Client], navigator: User, make_inquiry: MakeInquiry
) -> None:
    inquiry = make_inquiry()
    response = logged_in(navigator).post(url("admissions:move", inquiry), {"to_stage": "benefits_check", "version": 1})
    assert response.status_code == 200
    assert "Cannot skip from New to Benefits check" in response.content.decode()
    assert response.context["form"].errors["to_stage"]
    inquiry.refresh_from_db()
    assert (inquiry.stage, inquiry.version) == (pipeline.NEW, 1)
    assert StageChange.objects.filter(inquiry=inquiry).count() == 1


def test_closing_without_a_reason_puts_the_message_beside_the_reason_field(
    logged_in: Callable[[User], Client], navigator: User, make_inquiry: MakeInquiry
) -> None:
    inquiry = make_inquiry()
    response = logged_in(navigator).post(url("admissions:move", inquiry), {"to_stage": "closed", "version": 1})
    assert response.context["form"].errors["closed_reason"] == ["Say why the inquiry is being closed."]
    inquiry.refresh_from_db()
    assert inquiry.stage == pipeline.NEW


def test_a_move_from_a_stale_page_is_refused(
    logged_in: Callable[[User], Client], navigator: User, make_inquiry: MakeInquiry
) -> None:
    inquiry = services.inquiry_move(actor=navigator, inquiry=make_inquiry(), to_stage="pre_screen")
    response = logged_in(navigator).post(
        url("admissions:move", inquiry), {"to_stage": "closed", "closed_reason": "declined", "version": 1}
    )
    assert "Someone else moved this inquiry" in response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.stage == pipeline.PRE_SCREEN


def test_admitting_from_the_page_registers_the_patient(
    logged_in: Callable[[User], Client], navigator: User, make_inquiry: MakeInquiry
) -> None:
    inquiry = make_inquiry()
    for stage in ("pre_screen", "benefits_check", "assessment_scheduled"):
        inquiry = services.inquiry_move(actor=navigator, inquiry=inquiry, to_stage=stage)
    response = logged_in(navigator).post(
        url("admissions:admit", inquiry),
        {"version": 4, "admission_date": dt.date.today().isoformat(), "level_of_care": "2.1", "program": "adult_iop"},
    )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.patient == Patient.objects.get()
    assert inquiry.stage == pipeline.ADMITTED


def test_the_referral_report_counts_inquiries_and_admissions_per_source(
    logged_in: Callable[[User], Client], navigator: User, make_inquiry: MakeInquiry, south: Site
) -> None:
    mercy = ReferralSource.objects.create(name="Mercy General", kind="hospital")
    court = ReferralSource.objects.create(name="County drug court", kind="court")
    admitted = make_inquiry(referral_source=mercy)
    for stage in ("pre_screen", "benefits_check", "assessment_scheduled", "admitted"):
        admitted = services.inquiry_move(actor=navigator, inquiry=admitted, to_stage=stage)
    make_inquiry(referral_source=mercy, first_name="Open")
    closed = make_inquiry(referral_source=court, first_name="Gone")
    services.inquiry_move(actor=navigator, inquiry=closed, to_stage="closed", reason="declined")
    make_inquiry(referral_source=court, site=south, first_name="Elsewhere")  # not counted: another site

    response = logged_in(navigator).get(url("admissions:referral_report"), {"period": "all"})
    rows = {row.source.name: row for row in response.context["rows"] if row.source}
    assert (rows["Mercy General"].total, rows["Mercy General"].admitted, rows["Mercy General"].open) == (2, 1, 1)
    assert rows["Mercy General"].admitted_share == 0.5
    assert rows["Mercy General"].conversion == 1.0
    assert (rows["County drug court"].total, rows["County drug court"].closed) == (1, 1)
    assert rows["County drug court"].conversion == 0.0
    assert "50%" in response.content.decode()
