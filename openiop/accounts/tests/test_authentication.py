# SPDX-License-Identifier: AGPL-3.0-or-later
"""Password sign-in, lockout, logout, idle logoff, password reset and hashing,
all through the real views and middleware."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from conftest import PASSWORD
from openiop.accounts.models import User
from openiop.accounts.services import staff_create
from openiop.audit.models import AuditEvent
from openiop.config import settings as project_settings
from openiop.core.roles import RoleCode
from openiop.sites.models import Site

LOGIN_URL = "/auth/login/"
LOGOUT_URL = "/auth/logout/"
RESET_URL = "/auth/password/reset/"
NEW_PASSWORD = "a-brand-new-long-passphrase-42"

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: str) -> Any:
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra})


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- Lockout -----------------------------------------------------------------


def test_it_locks_the_account_after_five_wrong_passwords(client: Client, alice: User) -> None:
    for _ in range(5):
        response = sign_in(client, "alice", "wrong-password")
        assert signed_in_user_id(client) is None

    response = sign_in(client, "alice")

    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_it_refuses_the_right_password_while_the_username_is_locked_from_another_address(alice: User) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        sign_in(attacker, "alice", "wrong-password")

    colleague = Client(REMOTE_ADDR="198.51.100.7")
    response = sign_in(colleague, "alice")

    assert response.status_code == 429
    assert signed_in_user_id(colleague) is None


def test_it_leaves_other_users_able_to_sign_in_when_one_is_locked(client: Client, alice: User, bob: User) -> None:
    for _ in range(5):
        sign_in(client, "alice", "wrong-password")

    response = sign_in(client, "bob")

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(bob.pk)


def test_it_does_not_lock_after_four_wrong_passwords(client: Client, alice: User) -> None:
    for _ in range(4):
        sign_in(client, "alice", "wrong-password")

    response = sign_in(client, "alice")

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(alice.pk)


def test_it_audits_every_failed_sign_in_with_the_username(client: Client, alice: User) -> None:
    for _ in range(5):
        sign_in(client, "alice", "wrong-password")

    failed = events("auth.login_failed")

    assert len(failed) == 5
    assert {event.data["username"] for event in failed} == {"alice"}
    assert all(event.ip == "127.0.0.1" for event in failed)
    # The password tried is never written to the audit log.
    assert all("wrong-password" not in event.canonical() for event in failed)


# --- Sign-in and sign-out ------------------------------------------------------------


def test_it_sends_a_signed_in_user_to_the_dashboard(client: Client, bob: User) -> None:
    response = sign_in(client, "bob")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(bob.pk)
    assert client.get("/").status_code == 200


def test_it_audits_a_successful_sign_in(client: Client, bob: User) -> None:
    sign_in(client, "bob")

    [login] = events("auth.login")
    assert login.actor_id == bob.pk
    assert login.actor_username == "bob"


def test_it_shows_the_form_again_after_a_wrong_password(client: Client, bob: User) -> None:
    response = sign_in(client, "bob", "wrong-password")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert signed_in_user_id(client) is None


def test_it_follows_a_local_next_after_sign_in(client: Client, bob: User) -> None:
    response = sign_in(client, "bob", next="/sites/")

    assert response["Location"] == "/sites/"


def test_it_ignores_an_external_next_after_sign_in(client: Client, bob: User) -> None:
    response = sign_in(client, "bob", next="https://evil.example/steal")

    assert response["Location"] == "/"


def test_it_refuses_to_sign_out_on_get(client: Client, bob: User) -> None:
    client.force_login(bob)

    response = client.get(LOGOUT_URL)

    assert response.status_code == 405
    assert signed_in_user_id(client) == str(bob.pk)
    assert events("auth.logout") == []


def test_it_signs_out_on_post_and_audits_it(client: Client, bob: User) -> None:
    client.force_login(bob)

    response = client.post(LOGOUT_URL)

    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert signed_in_user_id(client) is None
    [logout] = events("auth.logout")
    assert logout.actor_id == bob.pk
    assert logout.data == {"reason": "user"}


def test_it_shows_the_demo_mode_notice_when_mfa_is_off(client: Client, settings: Any) -> None:
    settings.OPENIOP_REQUIRE_MFA = False

    assert "Demo mode" in client.get(LOGIN_URL).content.decode()


def test_it_hides_the_demo_mode_notice_when_mfa_is_on(client: Client, settings: Any) -> None:
    settings.OPENIOP_REQUIRE_MFA = True

    page = client.get(LOGIN_URL).content.decode()

    assert "Demo mode" not in page
    assert "authenticator app" in page


# --- Idle logoff ------------------------------------------------------------------------

# Assertions about the session stay inside the time travel: the session's
# expiry date is frozen time too, and real time is long past it.
START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def test_it_signs_out_after_the_idle_limit_and_sends_the_user_back_to_login(client: Client, bob: User) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, "bob")
        traveller.shift(dt.timedelta(minutes=15, seconds=1))

        response = client.get("/sites/?page=2&sort=name")

        assert response.status_code == 302
        location = urlsplit(response["Location"])
        assert location.path == LOGIN_URL
        # The whole path, query included, survives the round trip through ?next=.
        assert parse_qs(location.query) == {"next": ["/sites/?page=2&sort=name"], "idle": ["1"]}
        assert signed_in_user_id(client) is None
    [logout] = events("auth.logout")
    assert logout.actor_id == bob.pk
    assert logout.data == {"reason": "idle"}
    assert logout.ip == "127.0.0.1"


def test_it_does_not_offer_to_replay_a_form_post_after_an_idle_sign_out(client: Client, bob: User) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, "bob")
        traveller.shift(dt.timedelta(minutes=16))

        response = client.post(LOGOUT_URL)

        assert response["Location"] == f"{LOGIN_URL}?idle=1"
        assert signed_in_user_id(client) is None


def test_it_explains_the_idle_sign_out_on_the_login_page(client: Client, bob: User) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, "bob")
        traveller.shift(dt.timedelta(minutes=16))

        page = client.get("/", follow=True).content.decode()

    assert "signed out because the screen was idle" in page


def test_it_starts_the_idle_clock_at_sign_in(client: Client, bob: User) -> None:
    # No request between sign-in and the idle limit: the session must still expire.
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, "bob")
        traveller.shift(dt.timedelta(minutes=20))

        response = client.get("/")

        assert response.status_code == 302
        assert signed_in_user_id(client) is None


def test_it_keeps_the_session_while_the_user_is_active(client: Client, bob: User) -> None:
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, "bob")
        for _ in range(4):
            traveller.shift(dt.timedelta(minutes=14))
            assert client.get("/").status_code == 200

        assert signed_in_user_id(client) == str(bob.pk)
    assert events("auth.logout") == []


def test_it_takes_the_idle_limit_from_the_setting(client: Client, bob: User, settings: Any) -> None:
    settings.OPENIOP_IDLE_TIMEOUT_MINUTES = 2
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, "bob")
        traveller.shift(dt.timedelta(minutes=1, seconds=59))
        assert client.get("/").status_code == 200
        traveller.shift(dt.timedelta(minutes=2, seconds=1))

        response = client.get("/")

        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_URL)
        assert signed_in_user_id(client) is None


# --- Password reset --------------------------------------------------------------------


def reset_link(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://testserver(/auth/password/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_it_emails_a_reset_link_to_a_known_address(client: Client, bob: User) -> None:
    response = client.post(RESET_URL, {"email": "bob@example.invalid"})

    assert response.status_code == 302
    assert response["Location"] == "/auth/password/reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["bob@example.invalid"]
    assert mail.outbox[0].subject == "OpenIOP password reset"


def test_it_lets_the_reset_link_set_a_new_password(client: Client, bob: User) -> None:
    client.post(RESET_URL, {"email": "bob@example.invalid"})

    form_page = client.get(reset_link(mail.outbox[0]), follow=True)
    assert form_page.context["validlink"] is True
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.status_code == 302
    assert done["Location"] == "/auth/password/reset/complete/"
    bob.refresh_from_db()
    assert bob.check_password(NEW_PASSWORD)
    assert sign_in(Client(), "bob", NEW_PASSWORD).status_code == 302


def test_it_refuses_a_reset_link_a_second_time(client: Client, bob: User) -> None:
    client.post(RESET_URL, {"email": "bob@example.invalid"})
    link = reset_link(mail.outbox[0])
    form_page = client.get(link, follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = Client().get(link, follow=True)

    assert again.context["validlink"] is False


def test_it_answers_an_unknown_address_with_the_same_page_and_no_email(client: Client, bob: User) -> None:
    known = client.post(RESET_URL, {"email": "bob@example.invalid"}, follow=True)
    mail.outbox.clear()

    unknown = client.post(RESET_URL, {"email": "nobody@example.invalid"}, follow=True)

    assert mail.outbox == []
    assert unknown.redirect_chain == known.redirect_chain
    assert [t.name for t in unknown.templates] == [t.name for t in known.templates]


def test_it_emails_a_reset_link_to_staff_created_without_a_password(client: Client, north: Site) -> None:
    # staff_create(password=None) promises the reset link as the way in.
    newcomer = staff_create(
        username="dana",
        password=None,
        first_name="Dana",
        last_name="New",
        email="dana@example.invalid",
        role_codes=[RoleCode.CLINICIAN],
        sites=[north],
    )
    client.post(RESET_URL, {"email": "dana@example.invalid"})

    assert len(mail.outbox) == 1
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)


def test_it_sends_no_reset_link_to_a_deactivated_account(client: Client, bob: User) -> None:
    bob.is_active = False
    bob.save(update_fields=["is_active"])

    client.post(RESET_URL, {"email": "bob@example.invalid"})

    assert mail.outbox == []


def test_it_unlocks_the_account_once_the_password_is_reset(client: Client, alice: User) -> None:
    for _ in range(5):
        sign_in(client, "alice", "wrong-password")
    assert sign_in(client, "alice").status_code == 429

    client.post(RESET_URL, {"email": "alice@example.invalid"})
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    response = sign_in(client, "alice", NEW_PASSWORD)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(alice.pk)


# --- Hashing ----------------------------------------------------------------------------


def test_it_hashes_passwords_with_argon2(settings: Any, north: Site) -> None:
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS

    user = staff_create(
        username="erin",
        password=PASSWORD,
        first_name="Erin",
        last_name="Hash",
        role_codes=[RoleCode.CLINICIAN],
        sites=[north],
    )

    assert user.password.startswith("argon2")
    assert user.check_password(PASSWORD)
