# SPDX-License-Identifier: AGPL-3.0-or-later
"""Which pages a password alone opens: the public ones, named one by one.
Every other page of the project, walked from the URL configuration, sends a
signed-in person without a verified second factor to the MFA step."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern

from openiop.accounts.models import User
from openiop.core.public_pages import MFA_EXEMPT_URL_NAMES, PUBLIC_SITE_URL_NAMES
from openiop.core.testing import app_pages, app_public_names

pytestmark = pytest.mark.django_db

ENROL_PATH = "/auth/mfa/enrol/"
_PLACEHOLDER = re.compile(r"<(?:(?P<converter>[a-z]+):)?(?P<name>\w+)>")
_SAMPLE = {"int": "1", "uuid": str(uuid.UUID(int=1)), "path": "x/y", "slug": "x", "str": "x"}


def _sample_path(route: str) -> str:
    return "/" + _PLACEHOLDER.sub(lambda match: _SAMPLE.get(match.group("converter") or "str", "x"), route)


def concrete_pages(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(URL name, a path that resolves to it) for every path()-style route,
    with sample values in place of its parameters (the MFA step answers
    before any view looks them up)."""
    for entry in (resolver or get_resolver()).url_patterns:
        if not isinstance(entry.pattern, RoutePattern) and str(entry.pattern) != "":
            continue  # a regular expression (Django admin's catch-alls): covered by its named neighbours
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from concrete_pages(entry, route)
        elif isinstance(entry, URLPattern):
            path = _sample_path(route)
            try:
                match = resolve(path)
            except Resolver404:
                continue
            yield match.view_name, path


@pytest.fixture
def mfa_on(settings: Any) -> None:
    settings.OPENIOP_REQUIRE_MFA = True


@pytest.fixture
def password_only(client: Client, alice: User, mfa_on: None) -> Client:
    """Alice, an administrator, signed in with her password and no device yet."""
    client.force_login(alice)
    return client


def test_an_administrator_without_a_second_factor_is_sent_to_mfa_from_the_directory_import(
    password_only: Client,
) -> None:
    for method in (password_only.get, password_only.post):
        response = method(reverse("directory:import"))

        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == ENROL_PATH


def test_the_directory_import_is_a_staff_address_outside_the_public_site() -> None:
    assert reverse("directory:import") == "/directory/import/"
    with pytest.raises(Resolver404):
        resolve("/help/find/import/")


def test_no_staff_page_lives_under_the_public_sites_address() -> None:
    for name, path in concrete_pages():
        if path.startswith("/help/"):
            assert name in PUBLIC_SITE_URL_NAMES, f"{name} ({path}) is not a public page but sits under /help/"


def test_every_page_but_the_named_public_ones_asks_for_the_second_factor(password_only: Client) -> None:
    pages = list(concrete_pages())
    assert len(pages) > 50  # the walk found the project, not a handful of routes
    checked = 0
    for name, path in pages:
        if name in MFA_EXEMPT_URL_NAMES:
            continue
        response = password_only.get(path)
        assert response.status_code == 302, f"{name} ({path}) answered {response.status_code}"
        assert urlsplit(response["Location"]).path == ENROL_PATH, f"{name} ({path})"
        checked += 1
    assert checked > 50


def test_the_named_public_pages_open_with_a_password_alone(password_only: Client) -> None:
    for name, path in concrete_pages():
        if name in PUBLIC_SITE_URL_NAMES and "/1/" not in path:
            response = password_only.get(path)
            assert response.status_code == 200, f"{name} ({path}) answered {response.status_code}"


def test_the_public_pages_stay_open_to_anyone(client: Client, mfa_on: None) -> None:
    opened = 0
    for name, path in concrete_pages():
        if name in PUBLIC_SITE_URL_NAMES and "/1/" not in path:
            assert client.get(path).status_code == 200, f"{name} ({path})"
            opened += 1
    assert opened >= 5


def test_the_exemptions_name_pages_that_exist_and_no_page_that_needs_an_action() -> None:
    names = {name for name, _path in concrete_pages()}
    assert names >= MFA_EXEMPT_URL_NAMES
    # A page in the permission table is a staff page: never reachable on a password alone.
    assert not {page.name for page in app_pages()} & MFA_EXEMPT_URL_NAMES
    # The public site is among what the apps declare public; the rest of that
    # (the iCalendar feed, opened with its own signed link) carries patient
    # data and stays behind the second factor for a signed-in browser.
    assert app_public_names() >= PUBLIC_SITE_URL_NAMES
    assert "scheduling:feed" not in MFA_EXEMPT_URL_NAMES
