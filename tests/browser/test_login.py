# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import base64
from typing import Any

import pytest
from django_otp.oath import totp

from openiop.demo import program as demo

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_data(transactional_db: None) -> None:
    # The demo's sites and logins are all signing in needs; no patients.
    demo.seed_staff(size="tiny")


def sign_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize(("username", "first_name"), [("clinician", "Carlos"), ("navigator", "Noah")])
def test_a_staff_member_signs_in_reaches_their_dashboard_and_signs_out(
    page: Any, live_server: Any, demo_data: None, username: str, first_name: str
) -> None:
    sign_in(page, live_server.url, username)
    page.get_by_role("heading", name=f"Welcome, {first_name}").wait_for()
    page.get_by_role("button", name=f"Sign out {username}").click()
    page.get_by_role("heading", name="Sign in to OpenIOP").wait_for()
    page.goto(f"{live_server.url}/sites/")
    assert "/auth/login/" in page.url


def test_with_mfa_required_a_new_staff_member_enrols_an_authenticator_and_gets_in(
    page: Any, live_server: Any, demo_data: None, settings: Any
) -> None:
    settings.OPENIOP_REQUIRE_MFA = True
    sign_in(page, live_server.url, "admin")
    page.get_by_role("heading", name="Set up two-step sign-in").wait_for()
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Six-digit code from your authenticator app").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Confirm and continue").click()
    page.get_by_role("heading", name="Welcome, Ada").wait_for()
