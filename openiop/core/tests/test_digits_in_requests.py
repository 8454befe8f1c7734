# SPDX-License-Identifier: AGPL-3.0-or-later
"""Digits from other scripts in a ZIP code, an id or a phone: a clear message
or a 404, never a 500 (and never read as if they were 0-9)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import Role, User
from openiop.admissions.permissions import ADMISSIONS_VIEW
from openiop.admissions.services import inquiry_create
from openiop.core.testing import Objects, build_extra_objects
from openiop.directory.importer import import_facilities
from openiop.patients.permissions import PATIENT_EDIT
from openiop.patients.services import patient_register
from openiop.scheduling.models import FeedToken
from openiop.scheduling.permissions import SCHEDULING_MANAGE, SCHEDULING_VIEW, TRACKS_SWITCH
from openiop.sites.models import Site
from openiop.treatment.permissions import COUNSELLING_NOTES, NOTE_WRITE, PLAN_WRITE, TREATMENT_VIEW

pytestmark = pytest.mark.django_db

NON_ASCII_ZIPS = ["٠٢١٠٨", "０２１０８", "0210²"]


@pytest.fixture
def objects(north: Site) -> Objects:
    patient = patient_register(
        site=north, legal_first_name="Test", legal_last_name="Patient", birth_date=dt.date(1990, 1, 1)
    )
    inquiry = inquiry_create(
        actor=None,
        site=north,
        caller_name="Rosa Diaz",
        first_name="Tom",
        last_name="Diaz",
        phone="(617) 555-0142",
        consent_to_contact=True,
    )
    objects = Objects(site=north, patient=patient, inquiry=inquiry)
    build_extra_objects(objects)
    return objects


@pytest.fixture
def signed_in(client: Client, persona: Callable[..., User]) -> Callable[[str], Client]:
    """A client signed in as someone whose role grants ACTION at North."""

    def sign_in(action: str) -> Client:
        role = Role.objects.filter(actions__code=action).order_by("code").first()
        assert role is not None, action
        client.force_login(persona(role.code))
        return client

    return sign_in


# --- ZIP codes: the ZIP library panics on these, so they must never reach it ---


@pytest.mark.parametrize("zip_code", NON_ASCII_ZIPS)
def test_the_locator_answers_a_non_ascii_zip_with_a_message(client: Client, zip_code: str) -> None:
    response = client.get(reverse("directory:search"), {"zip": zip_code})

    assert response.status_code == 200
    assert "zip" in response.context["form"].errors


@pytest.mark.parametrize("zip_code", NON_ASCII_ZIPS)
def test_the_cost_estimator_answers_a_non_ascii_zip_with_a_message(client: Client, zip_code: str) -> None:
    response = client.post(
        reverse("public:cost"),
        {"zip_code": zip_code, "weeks": "8", "days_per_week": "3", "hours_per_day": "3", "months": "6",
         "services": ["group"], "insurance": "none"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "zip_code" in response.context["form"].errors


@pytest.mark.parametrize("digits", ["٣", "３"])
def test_the_cost_estimator_does_not_read_other_scripts_as_numbers(client: Client, digits: str) -> None:
    response = client.post(
        reverse("public:cost"),
        {"weeks": digits, "days_per_week": "3", "hours_per_day": "3", "months": "6", "services": ["group"],
         "insurance": "none"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "weeks" in response.context["form"].errors


@pytest.mark.parametrize("zip_code", NON_ASCII_ZIPS)
def test_the_directory_import_refuses_the_row_and_keeps_going(zip_code: str) -> None:
    content = (
        "name,street1,city,state,zip,phone\n"
        f"Bad Zip Recovery,1 Main St,Boston,MA,{zip_code},617-555-0100\n"
        "Good Recovery,2 Main St,Boston,MA,02108,617-555-0101\n"
    ).encode()

    report = import_facilities(content=content, fmt="csv")

    assert [bad.reason for bad in report.bad] == [f"zip {zip_code!r} is not a ZIP code (five digits, or ZIP+4)"]
    assert report.rows == 2


def test_the_directory_import_refuses_a_phone_with_a_superscript_digit() -> None:
    content = b"name,street1,city,state,zip,phone\nSup Recovery,1 Main St,Boston,MA,02108,617-555-010\xc2\xb2\n"

    report = import_facilities(content=content, fmt="csv")

    assert len(report.bad) == 1
    assert "digits other than 0-9" in report.bad[0].reason


# --- Ids and row numbers in query strings and posts: 404 or a message ----------


def _post(client: Client, url: str, data: dict[str, str]) -> int:
    return client.post(url, data).status_code


@pytest.mark.parametrize("junk", ["²", "٣", "abc", "9" * 30])
def test_junk_ids_on_staff_pages_answer_4xx_or_a_page_never_500(
    signed_in: Callable[[str], Client], objects: Objects, north: Site, junk: str
) -> None:
    extra = objects.extra
    patient = extra["scheduling_patient"]
    checks: list[tuple[str, str, str, dict[str, str]]] = [
        (TRACKS_SWITCH, "post", reverse("scheduling:tracks", args=[north.code]), {"track": junk, "active": "1"}),
        (SCHEDULING_MANAGE, "post", reverse("scheduling:availability", args=[patient.pk]), {"remove": junk}),
        (
            SCHEDULING_MANAGE,
            "post",
            reverse("scheduling:clinician_availability", args=[extra["scheduling_clinician"].pk]),
            {"remove": junk},
        ),
        (SCHEDULING_VIEW, "post", reverse("scheduling:feeds"), {"revoke": junk}),
        (SCHEDULING_MANAGE, "post", reverse("scheduling:patient_feeds", args=[patient.pk]), {"revoke": junk}),
        (COUNSELLING_NOTES, "get", reverse("treatment:group_create"), {"site": junk}),
        # A posted list of ids (ModelMultipleChoiceField) goes to an __in query.
        (COUNSELLING_NOTES, "post", reverse("treatment:group_create"), {"patients": junk, "topic": "x"}),
        (NOTE_WRITE, "get", reverse("treatment:homework_create", args=[objects.patient.pk]), {"note": junk}),
        (
            TREATMENT_VIEW,
            "get",
            reverse("treatment:plan_compare", args=[extra["treatment_signed"].plan_id]),
            {"a": junk},
        ),
        (
            PLAN_WRITE,
            "post",
            reverse(
                "treatment:plan_item_remove",
                args=[extra["treatment_draft"].pk, "problem", extra["treatment_problem"].pk],
            ),
            {"lock_version": junk},
        ),
        (ADMISSIONS_VIEW, "get", reverse("admissions:board"), {"site": junk}),
    ]
    for action, method, url, data in checks:
        client = signed_in(action)
        response = client.post(url, data) if method == "post" else client.get(url, data)
        assert response.status_code < 500, (url, data)
        assert response.status_code in {200, 302, 400, 404, 409}, (url, data, response.status_code)


def test_a_non_numeric_revoke_is_a_404_and_revokes_nothing(
    signed_in: Callable[[str], Client], objects: Objects
) -> None:
    client = signed_in(SCHEDULING_VIEW)
    client.post(reverse("scheduling:feeds"), {"label": "phone"})
    token = FeedToken.objects.get()

    response = client.post(reverse("scheduling:feeds"), {"revoke": f"{token.pk}²"})

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("phone", ["617-555-014²", "６１７-５５５-０１４２"])
def test_registration_refuses_a_phone_in_other_scripts(
    signed_in: Callable[[str], Client], north: Site, phone: str
) -> None:
    response = signed_in(PATIENT_EDIT).post(
        reverse("patients:register"),
        {"site": north.pk, "legal_first_name": "Ana", "legal_last_name": "Ruiz", "birth_date": "1990-02-03",
         "phone": phone, "language": "en"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "phone" in response.context["form"].errors


def test_an_overlong_username_is_a_failed_sign_in_that_never_reaches_the_lockout_table(client: Client) -> None:
    # Django enforces the sign-in username's length only in the browser; the
    # lockout table holds 255 characters, so on PostgreSQL this was a 500.
    username = "\u202e😀" * 200

    response = client.post(reverse("accounts:login"), {"username": username, "password": "x"})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not AccessAttempt.objects.filter(username=username).exists()
