# SPDX-License-Identifier: AGPL-3.0-or-later
"""Throttles in front of the lockout: failed sign-ins per client address, and
password-reset requests per address and per e-mail address."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from conftest import PASSWORD
from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode

LOGIN_URL = "/auth/login/"
RESET_URL = "/auth/password/reset/"
RESET_SENT_URL = "/auth/password/reset/sent/"
ATTACKER = "203.0.113.7"
CLINIC = "198.51.100.20"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_window() -> Iterator[None]:
    # Counters live in fixed windows; frozen time keeps a test inside one.
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def sign_in(client: Client, username: str, password: str, address: str) -> Any:
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address)


def failures_recorded_for(username: str) -> int:
    return sum(AccessAttempt.objects.filter(username=username).values_list("failures_since_start", flat=True))


# --- Failed sign-ins per address ---------------------------------------------------


def test_an_address_failing_across_many_accounts_is_told_to_wait(client: Client, settings: Any, persona: Any) -> None:
    settings.OPENIOP_LOGIN_ADDRESS_FAILURES = 3
    users = [persona(RoleCode.CLINICIAN) for _ in range(4)]
    for user in users[:3]:
        assert sign_in(client, user.username, "wrong-password", ATTACKER).status_code == 200

    response = sign_in(client, users[3].username, PASSWORD, ATTACKER)

    assert response.status_code == 429
    assert "Too many failed sign-ins from your network" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert SESSION_KEY not in client.session
    # The refused attempt never reached the account: it counts towards no lockout.
    assert failures_recorded_for(users[3].username) == 0
    assert AuditEvent.objects.filter(action="auth.login_throttled").count() == 1


def test_one_address_cannot_lock_out_account_after_account(client: Client, persona: Any, settings: Any) -> None:
    # The defaults: five failures lock an account, ten from one address slow the address.
    assert settings.AXES_FAILURE_LIMIT == 5 and settings.OPENIOP_LOGIN_ADDRESS_FAILURES == 10
    victims = [persona(RoleCode.CLINICIAN) for _ in range(4)]
    for victim in victims:
        for _attempt in range(5):
            sign_in(client, victim.username, "wrong-password", ATTACKER)

    locked = [victim for victim in victims if failures_recorded_for(victim.username) >= 5]
    assert len(locked) == 2  # the third and fourth victims' attempts were turned away
    for victim in victims[2:]:
        assert sign_in(Client(), victim.username, PASSWORD, CLINIC).status_code == 302


def test_other_addresses_still_sign_in_while_one_address_waits(
    client: Client, settings: Any, bob: User, alice: User
) -> None:
    settings.OPENIOP_LOGIN_ADDRESS_FAILURES = 2
    sign_in(client, "alice", "wrong-password", ATTACKER)
    sign_in(client, "nobody", "wrong-password", ATTACKER)
    assert sign_in(client, "bob", PASSWORD, ATTACKER).status_code == 429

    assert sign_in(Client(), "bob", PASSWORD, CLINIC).status_code == 302


def test_a_blank_password_is_not_counted_as_a_failed_guess(client: Client, settings: Any, bob: User) -> None:
    settings.OPENIOP_LOGIN_ADDRESS_FAILURES = 2
    for _attempt in range(3):
        sign_in(client, "bob", "", CLINIC)

    assert sign_in(client, "bob", PASSWORD, CLINIC).status_code == 302


def test_the_address_may_try_again_once_its_window_has_passed(client: Client, settings: Any, bob: User) -> None:
    settings.OPENIOP_LOGIN_ADDRESS_FAILURES = 2
    settings.OPENIOP_LOGIN_ADDRESS_MINUTES = 15
    sign_in(client, "bob", "wrong-password", ATTACKER)
    sign_in(client, "bob", "wrong-password", ATTACKER)
    assert sign_in(client, "bob", PASSWORD, ATTACKER).status_code == 429

    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 31, tzinfo=dt.UTC), tick=False):
        assert sign_in(client, "bob", PASSWORD, ATTACKER).status_code == 302


# --- Password reset ---------------------------------------------------------------


def ask_for_reset(client: Client, email: str, address: str) -> Any:
    return client.post(RESET_URL, {"email": email}, REMOTE_ADDR=address)


def test_an_address_asking_for_too_many_resets_is_told_to_wait(client: Client, settings: Any, bob: User) -> None:
    settings.OPENIOP_RESET_PER_ADDRESS_HOURLY = 2
    for number in range(2):
        assert ask_for_reset(client, f"someone{number}@example.invalid", ATTACKER)["Location"] == RESET_SENT_URL

    response = ask_for_reset(client, bob.email, ATTACKER)

    assert response.status_code == 429
    assert "Too many password-reset requests from your network" in response.content.decode()
    assert mail.outbox == []
    assert ask_for_reset(Client(), bob.email, CLINIC)["Location"] == RESET_SENT_URL
    assert len(mail.outbox) == 1


def test_one_account_gets_only_so_many_reset_emails_whoever_asks(client: Client, settings: Any, bob: User) -> None:
    settings.OPENIOP_RESET_PER_ACCOUNT_HOURLY = 2
    answers = [ask_for_reset(Client(), bob.email, f"198.51.100.{number}") for number in range(1, 5)]

    # The same neutral answer every time: nothing tells the asker what happened.
    assert [(answer.status_code, answer["Location"]) for answer in answers] == [(302, RESET_SENT_URL)] * 4
    assert len(mail.outbox) == 2


def test_the_per_account_count_ignores_case_and_look_alike_spellings(client: Client, settings: Any, bob: User) -> None:
    settings.OPENIOP_RESET_PER_ACCOUNT_HOURLY = 1
    ask_for_reset(Client(), bob.email, "198.51.100.1")
    ask_for_reset(Client(), bob.email.upper(), "198.51.100.2")

    assert len(mail.outbox) == 1


def test_an_unknown_address_is_answered_like_a_known_one_past_the_limit(client: Client, settings: Any) -> None:
    settings.OPENIOP_RESET_PER_ACCOUNT_HOURLY = 1
    answers = [ask_for_reset(Client(), "nobody@example.invalid", f"198.51.100.{n}") for n in (1, 2)]

    assert [(answer.status_code, answer["Location"]) for answer in answers] == [(302, RESET_SENT_URL)] * 2
    assert mail.outbox == []
