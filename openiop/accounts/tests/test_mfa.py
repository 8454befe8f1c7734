# SPDX-License-Identifier: AGPL-3.0-or-later
"""Two-step sign-in with an authenticator app (TOTP), through the real views
and middleware with OPENIOP_REQUIRE_MFA switched on."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from openiop.accounts.models import User
from openiop.audit.models import AuditEvent

LOGIN_URL = "/auth/login/"
ENROL_URL = "/auth/mfa/enrol/"
VERIFY_URL = "/auth/mfa/verify/"
# Frozen, so the "current" code and the codes around it are fixed for a test.
NOW = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mfa_required(settings: Any) -> None:
    settings.OPENIOP_REQUIRE_MFA = True


@pytest.fixture(autouse=True)
def _frozen_time() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    # Not the current code, nor one the tolerance window would accept.
    near = {
        f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + d):06d}"
        for d in range(-device.tolerance, device.tolerance + 1)
    }
    return next(code for code in ("000000", "111111", "222222") if code not in near)


def confirmed_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def pending_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


def password_sign_in(client: Client, user: User, next_url: str | None = None) -> Any:
    data = {"username": user.username, "password": PASSWORD}
    if next_url is not None:
        data["next"] = next_url
    response = client.post(LOGIN_URL, data)
    assert response.status_code == 302
    return response


def redirect_target(response: Any) -> tuple[str, dict[str, list[str]]]:
    location = urlsplit(response["Location"])
    return location.path, parse_qs(location.query)


# --- Before the second step -------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/sites/", "/staff/", "/django-admin/"])
def test_it_sends_a_user_without_a_device_to_enrol_from_any_page(client: Client, alice: User, path: str) -> None:
    password_sign_in(client, alice)

    response = client.get(path)

    assert response.status_code == 302
    assert redirect_target(response) == (ENROL_URL, {"next": [path]})


@pytest.mark.parametrize("path", ["/", "/sites/"])
def test_it_sends_a_user_with_a_device_to_verify_from_any_page(client: Client, alice: User, path: str) -> None:
    confirmed_device(alice)
    password_sign_in(client, alice)

    response = client.get(path)

    assert response.status_code == 302
    assert redirect_target(response) == (VERIFY_URL, {"next": [path]})


def test_it_treats_a_half_finished_enrolment_as_no_device(client: Client, alice: User) -> None:
    TOTPDevice.objects.create(user=alice, name="Authenticator app", confirmed=False)
    password_sign_in(client, alice)

    assert redirect_target(client.get("/"))[0] == ENROL_URL


def test_it_keeps_the_query_string_of_the_page_asked_for(client: Client, alice: User) -> None:
    password_sign_in(client, alice)

    response = client.get("/sites/?page=2&sort=name")

    assert redirect_target(response) == (ENROL_URL, {"next": ["/sites/?page=2&sort=name"]})


def test_it_lets_an_unverified_user_sign_out(client: Client, alice: User) -> None:
    password_sign_in(client, alice)

    response = client.post("/auth/logout/")

    assert response["Location"] == LOGIN_URL
    assert client.get("/")["Location"].startswith(LOGIN_URL)


def test_it_sends_an_anonymous_visitor_to_sign_in_not_to_enrol(client: Client) -> None:
    response = client.get("/sites/")

    assert redirect_target(response)[0] == LOGIN_URL


def test_it_does_not_ask_for_a_second_step_when_mfa_is_switched_off(client: Client, alice: User, settings: Any) -> None:
    settings.OPENIOP_REQUIRE_MFA = False
    password_sign_in(client, alice)

    assert client.get("/sites/").status_code == 200


# --- Enrolment -----------------------------------------------------------------------------


def test_it_shows_an_inline_qr_code_and_the_secret_on_enrolment(client: Client, alice: User) -> None:
    password_sign_in(client, alice)

    response = client.get(ENROL_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page
    # Inline in HTML: an XML declaration has no place in the middle of a page.
    assert "<?xml" not in page
    device = pending_device(alice)
    secret = response.context["secret"]
    assert secret.replace(" ", "") == device.config_url.split("secret=")[1].split("&")[0]
    assert secret in page


def test_it_shows_the_same_secret_until_enrolment_is_finished(client: Client, alice: User) -> None:
    password_sign_in(client, alice)

    first = client.get(ENROL_URL).context["secret"]
    second = client.get(ENROL_URL).context["secret"]

    assert first == second
    assert TOTPDevice.objects.filter(user=alice).count() == 1


def test_it_refuses_a_wrong_code_on_enrolment(client: Client, alice: User) -> None:
    password_sign_in(client, alice)
    client.get(ENROL_URL)
    device = pending_device(alice)

    response = client.post(ENROL_URL, {"token": wrong_code_for(device)})

    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert redirect_target(client.get("/"))[0] == ENROL_URL


def test_it_confirms_the_device_with_the_right_code_and_lets_the_user_in(client: Client, alice: User) -> None:
    password_sign_in(client, alice)
    client.get(ENROL_URL)
    device = pending_device(alice)

    response = client.post(ENROL_URL, {"token": code_for(device)})

    assert response.status_code == 302
    assert response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200
    assert client.get("/sites/").status_code == 200


def test_it_accepts_a_code_typed_with_the_space_the_app_shows(client: Client, alice: User) -> None:
    password_sign_in(client, alice)
    client.get(ENROL_URL)
    device = pending_device(alice)
    code = code_for(device)

    response = client.post(ENROL_URL, {"token": f"{code[:3]} {code[3:]}"})

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_it_returns_to_the_page_asked_for_after_enrolment(client: Client, alice: User) -> None:
    password_sign_in(client, alice, next_url="/sites/")
    enrol = client.get("/sites/", follow=True)
    device = pending_device(alice)

    response = client.post(enrol.redirect_chain[-1][0], {"token": code_for(device), "next": enrol.context["next"]})

    assert response["Location"] == "/sites/"


def test_it_ignores_an_external_next_after_enrolment(client: Client, alice: User) -> None:
    password_sign_in(client, alice)
    client.get(ENROL_URL)
    device = pending_device(alice)

    response = client.post(f"{ENROL_URL}?next=https://evil.example/", {"token": code_for(device)})

    assert response["Location"] == "/"


def test_it_asks_for_the_existing_device_before_enrolling_another(client: Client, alice: User) -> None:
    confirmed_device(alice)
    password_sign_in(client, alice)

    response = client.get(ENROL_URL, {"next": "/sites/?page=2&sort=name"})

    back_to_enrol = "/auth/mfa/enrol/?next=%2Fsites%2F%3Fpage%3D2%26sort%3Dname"
    assert redirect_target(response) == (VERIFY_URL, {"next": [back_to_enrol]})
    assert TOTPDevice.objects.filter(user=alice, confirmed=False).count() == 0


def test_it_audits_the_new_device(client: Client, alice: User) -> None:
    password_sign_in(client, alice)
    client.get(ENROL_URL)
    device = pending_device(alice)

    client.post(ENROL_URL, {"token": code_for(device)})

    updates = AuditEvent.objects.filter(action="record.update", object_type="otp_totp.totpdevice", actor=alice)
    assert any(event.data.get("fields") == ["confirmed"] for event in updates)


# --- Verification --------------------------------------------------------------------------


def test_it_refuses_a_wrong_code_on_verification(client: Client, alice: User) -> None:
    device = confirmed_device(alice)
    password_sign_in(client, alice)

    response = client.post(VERIFY_URL, {"token": wrong_code_for(device)})

    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert redirect_target(client.get("/"))[0] == VERIFY_URL


def test_it_lets_the_user_in_with_the_right_code(client: Client, alice: User) -> None:
    device = confirmed_device(alice)
    password_sign_in(client, alice)

    response = client.post(VERIFY_URL, {"token": code_for(device)})

    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/sites/").status_code == 200


def test_it_returns_to_the_page_asked_for_after_verification(client: Client, alice: User) -> None:
    device = confirmed_device(alice)
    password_sign_in(client, alice)
    verify = client.get("/sites/?page=2", follow=True)

    response = client.post(verify.redirect_chain[-1][0], {"token": code_for(device), "next": verify.context["next"]})

    assert response["Location"] == "/sites/?page=2"


def test_it_ignores_an_external_next_after_verification(client: Client, alice: User) -> None:
    device = confirmed_device(alice)
    password_sign_in(client, alice)

    response = client.post(VERIFY_URL, {"token": code_for(device), "next": "//evil.example/"})

    assert response["Location"] == "/"


def test_it_does_not_accept_the_same_code_twice(client: Client, alice: User) -> None:
    device = confirmed_device(alice)
    code = code_for(device)
    password_sign_in(client, alice)
    client.post(VERIFY_URL, {"token": code})
    other = Client()
    password_sign_in(other, alice)

    response = other.post(VERIFY_URL, {"token": code})

    assert response.status_code == 200
    assert response.context["form"].errors["token"]


def test_it_slows_down_guessing_after_a_wrong_code(client: Client, alice: User, _frozen_time: Any) -> None:
    device = confirmed_device(alice)
    password_sign_in(client, alice)
    client.post(VERIFY_URL, {"token": wrong_code_for(device)})

    too_soon = client.post(VERIFY_URL, {"token": code_for(device)})
    assert "Too many wrong codes" in too_soon.content.decode()
    _frozen_time.shift(dt.timedelta(seconds=2))
    later = client.post(VERIFY_URL, {"token": code_for(device)})

    assert later.status_code == 302


def test_it_sends_a_user_without_a_device_from_verify_to_enrol(client: Client, alice: User) -> None:
    password_sign_in(client, alice)

    response = client.get(VERIFY_URL, {"next": "/sites/?page=2&sort=name"})

    assert redirect_target(response) == (ENROL_URL, {"next": ["/sites/?page=2&sort=name"]})


def test_it_asks_for_a_code_again_after_signing_in_again(client: Client, alice: User) -> None:
    device = confirmed_device(alice)
    password_sign_in(client, alice)
    client.post(VERIFY_URL, {"token": code_for(device)})
    client.post("/auth/logout/")

    password_sign_in(client, alice)

    assert redirect_target(client.get("/"))[0] == VERIFY_URL


# --- Login page ----------------------------------------------------------------------------


def test_it_hides_the_demo_notice_when_mfa_is_required(client: Client) -> None:
    page = client.get(LOGIN_URL).content.decode()

    assert "Demo mode" not in page
    assert "code from your authenticator app" in page


def test_it_shows_the_demo_notice_when_mfa_is_off(client: Client, settings: Any) -> None:
    settings.OPENIOP_REQUIRE_MFA = False

    assert "Demo mode" in client.get(LOGIN_URL).content.decode()
