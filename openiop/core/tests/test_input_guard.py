# SPDX-License-Identifier: AGPL-3.0-or-later
"""A NUL character in any query or form value is a 400 with a message, never a
500 from PostgreSQL (which cannot store NUL in text)."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.core.input_guard import carries_nul


def test_carries_nul_looks_at_keys_and_every_value() -> None:
    assert not carries_nul(QueryDict("q=plain&q=text"))
    assert carries_nul(QueryDict("q=plain&q=te%00xt"))
    assert carries_nul(QueryDict("q%00=x"))


@pytest.mark.django_db
def test_a_search_with_nul_is_refused_with_a_message(client: Client, alice: User) -> None:
    client.force_login(alice)

    response = client.get(reverse("patients:list"), {"q": "Ana\x00"})

    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@pytest.mark.django_db
def test_a_post_with_nul_is_refused_and_changes_nothing(client: Client, alice: User) -> None:
    client.force_login(alice)

    response = client.post(reverse("accounts:permission_matrix"), {"role": "\x00", "action": "x", "granted": "1"})

    assert response.status_code == 400


@pytest.mark.django_db
def test_ordinary_requests_pass(client: Client, alice: User) -> None:
    client.force_login(alice)

    assert client.get(reverse("patients:list"), {"q": "Ana"}).status_code == 200
