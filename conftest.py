# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shared test personas, as in healthchecks' hc/test.py.

Alice and Bob work at the North site; Charlie works at the South site only.
``persona(role, site)`` makes a staff member with one role at one site.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any

import pytest
from django.test.utils import override_settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from openiop.accounts.models import User
from openiop.accounts.services import staff_create
from openiop.core.roles import RoleCode
from openiop.sites.models import OpeningHours, Organization, Room, Site

# No per-example deadline: on a shared 2-core CI machine a slow example is load,
# not a bug. Property tests still run their full number of examples.
hypothesis_settings.register_profile("openiop", deadline=None)
hypothesis_settings.load_profile("openiop")

_DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With OPENIOP_DB_TESTS_ONLY set (the PostgreSQL run of `make test`), keep
    only tests that touch the database: pure tests (scoring, rules, the
    optimizer) cannot behave differently on another database and already ran."""
    if not os.environ.get("OPENIOP_DB_TESTS_ONLY"):
        return
    keep, skip = [], []
    for item in items:
        uses_db = item.get_closest_marker("django_db") is not None or bool(
            _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        (keep if uses_db else skip).append(item)
    if skip:
        config.hook.pytest_deselected(items=skip)
        items[:] = keep


PASSWORD = "correct-horse-battery-staple"  # noqa: S105 - test personas only


@pytest.fixture(scope="session", autouse=True)
def _plain_http_for_tests() -> Any:
    # Production defaults are HTTPS-only cookies and redirects; the test client
    # and the live server speak plain HTTP on loopback. Session-wide, so the
    # live server's middleware is built with it.
    with override_settings(
        SECURE_SSL_REDIRECT=False, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False, SECURE_HSTS_SECONDS=0
    ):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """The test database as migrations leave it, with their audit events sealed.

    Data migrations write audit events; in production the worker seals them
    within a minute. Without a worker here, a test that runs audit_verify more
    than a minute after the database was built would report them late."""
    from openiop.audit.sealing import seal_pending

    with django_db_blocker.unblock():
        seal_pending()


@pytest.fixture(autouse=True)
def _fast_hashing_and_mfa_off(settings: Any) -> None:
    # Argon2 is deliberately slow; tests that check hashing ask for it explicitly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.OPENIOP_REQUIRE_MFA = False
    settings.OPENIOP_AUDIT_STRICT_ACTIONS = True  # an unregistered audit action name fails the test
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _site_language_per_test() -> Any:
    # A request in Spanish leaves Spanish active in its thread (LocaleMiddleware
    # activates per request and never resets), and the next test on that
    # worker would read Spanish weekday names. Every test starts and ends in
    # the site's language.
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def organization(db: None) -> Organization:
    return Organization.objects.create(name="Test Recovery Services", mrn_prefix="TR")


def make_site(organization: Organization, code: str, name: str, zip_code: str = "02108") -> Site:
    site = Site.objects.create(
        organization=organization,
        code=code,
        name=name,
        street="1 Main Street",
        city="Boston",
        state="MA",
        zip_code=zip_code,
        time_zone="America/New_York",
    )
    Room.objects.create(site=site, name="Group room", capacity=12)
    OpeningHours.objects.create(site=site, weekday=0, opens=dt.time(8), closes=dt.time(20))
    return site


@pytest.fixture
def north(organization: Organization) -> Site:
    return make_site(organization, "north", "North Site")


@pytest.fixture
def south(organization: Organization) -> Site:
    return make_site(organization, "south", "South Site", zip_code="60601")


@pytest.fixture
def persona(north: Site) -> Callable[..., User]:
    counter = {"n": 0}

    def make(role: str = RoleCode.CLINICIAN, site: Site | None = None, **extra: Any) -> User:
        counter["n"] += 1
        username = extra.pop("username", f"{role}-{counter['n']}")
        return staff_create(
            username=username,
            password=PASSWORD,
            first_name=role.title(),
            last_name=f"Tester{counter['n']}",
            email=f"{username}@example.invalid",
            role_codes=[role],
            sites=[site or north],
            **extra,
        )

    return make


@pytest.fixture
def alice(persona: Callable[..., User]) -> User:
    """Administrator at North."""
    return persona(RoleCode.ADMINISTRATOR, username="alice")


@pytest.fixture
def bob(persona: Callable[..., User]) -> User:
    """Clinician at North, like Alice's site."""
    return persona(RoleCode.CLINICIAN, username="bob")


@pytest.fixture
def charlie(persona: Callable[..., User], south: Site) -> User:
    """Administrator at South only: reaches nothing of North's."""
    return persona(RoleCode.ADMINISTRATOR, site=south, username="charlie")
