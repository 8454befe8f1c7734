# SPDX-License-Identifier: AGPL-3.0-or-later
"""Permission tests generated from the matrix, as in NetBox's
utilities/testing/views.py.

``PAGES`` lists every page with the action it requires. For every role, each
page must answer exactly what that role's row in the database matrix says:
200 when granted, 403 when not, and the login page for anyone signed out. A
guard walks the URL configuration so a new page cannot arrive without a row
here (or a deliberate place on the public allowlist).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from openiop.accounts.models import Action, Role, User
from openiop.accounts.permissions import DASHBOARD_VIEW, MATRIX_VIEW, STAFF_VIEW
from openiop.accounts.roles import RoleCode
from openiop.accounts.services import matrix_set_grant
from openiop.admissions.permissions import ADMISSIONS_CREATE, ADMISSIONS_MANAGE, ADMISSIONS_VIEW
from openiop.admissions.services import inquiry_create
from openiop.audit.models import AuditEvent
from openiop.audit.permissions import AUDIT_EXPORT, AUDIT_VIEW
from openiop.core.navigation import NAV_ITEMS, nav_items
from openiop.core.testing import (
    Objects,
    Page,
    app_pages,
    app_public_names,
    build_extra_objects,
    the_inquiry,
    the_patient,
    the_site,
)
from openiop.patients.permissions import EPISODE_MANAGE, PATIENT_EDIT, PATIENT_VIEW
from openiop.patients.services import patient_register
from openiop.sites.models import Site
from openiop.sites.permissions import SITE_VIEW

# Every page behind the permission matrix (GET; forms answer with the form).
PAGES = [
    Page("core:dashboard", DASHBOARD_VIEW),
    Page("sites:list", SITE_VIEW),
    Page("sites:detail", SITE_VIEW, the_site),
    Page("sites:staff", STAFF_VIEW),
    Page("accounts:permission_matrix", MATRIX_VIEW),
    Page("audit:events", AUDIT_VIEW),
    Page("audit:export", AUDIT_EXPORT),
    Page("patients:list", PATIENT_VIEW),
    Page("patients:register", PATIENT_EDIT),
    Page("patients:chart", PATIENT_VIEW, the_patient),
    Page("patients:edit", PATIENT_EDIT, the_patient),
    Page("patients:admit", EPISODE_MANAGE, the_patient),
    Page("admissions:board", ADMISSIONS_VIEW),
    Page("admissions:create", ADMISSIONS_CREATE),
    Page("admissions:detail", ADMISSIONS_VIEW, the_inquiry),
    Page("admissions:move", ADMISSIONS_MANAGE, the_inquiry),
    Page("admissions:referral_report", ADMISSIONS_VIEW),
    # Apps that arrived later list their pages in openiop/<app>/tests/pages.py.
    *app_pages(),
]

# Pages anyone may reach, each for a reason: signing in and out, recovering a
# password, the MFA steps between password and session, the language switch,
# the load balancer's probe. Django's admin guards itself (is_staff).
PUBLIC_NAMES = {
    "core:healthz",
    "accounts:login",
    "accounts:logout",
    "accounts:mfa_enrol",
    "accounts:mfa_verify",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "set_language",
    *app_public_names(),
}
PUBLIC_NAMESPACES = {"admin"}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or "" for an unnamed pattern
    namespace: str
    route: str


def all_routes(resolver: URLResolver | None = None, namespace: str = "", prefix: str = "") -> Iterator[Route]:
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from all_routes(entry, inner or "", prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            yield Route(name=name, namespace=namespace, route=prefix + str(entry.pattern))


def granted(role: str, action: str) -> bool:
    """What the matrix in the database says, not what the defaults said."""
    return Role.objects.filter(code=role, actions__code=action).exists()


@pytest.fixture
def objects(north: Site) -> Objects:
    patient = patient_register(
        site=north, legal_first_name="Test", legal_last_name="Patient", birth_date=dt.date(1990, 1, 1)
    )
    inquiry = inquiry_create(
        actor=None,
        site=north,
        caller_name="Rosa Diaz",
        caller_relation="parent",
        first_name="Tom",
        last_name="Diaz",
        birth_date=dt.date(1998, 4, 2),
        phone="(617) 555-0142",
        consent_to_contact=True,
    )
    objects = Objects(site=north, patient=patient, inquiry=inquiry)
    build_extra_objects(objects)
    return objects


@pytest.fixture
def login_as(client: Client) -> Callable[[User], Client]:
    def login(user: User) -> Client:
        client.force_login(user)
        return client

    return login


# --- Guards: the table covers the project ----------------------------------


def test_every_url_is_in_the_permission_table_or_on_the_public_allowlist() -> None:
    covered = {page.name for page in PAGES} | PUBLIC_NAMES
    uncovered = [
        route.route or "/"
        for route in all_routes()
        if route.namespace.split(":")[0] not in PUBLIC_NAMESPACES and (not route.name or route.name not in covered)
    ]
    assert uncovered == [], f"add these to PAGES (with their action) or, if truly public, to PUBLIC_NAMES: {uncovered}"


def test_the_allowlists_name_only_urls_that_exist() -> None:
    names = {route.name for route in all_routes()}
    assert {page.name for page in PAGES} <= names
    assert names >= PUBLIC_NAMES
    assert not {page.name for page in PAGES} & PUBLIC_NAMES


def test_each_page_requires_the_action_the_table_says(objects: Objects) -> None:
    # The decorator marks the view; the table and the code cannot drift apart.
    for page in PAGES:
        assert getattr(resolve(page.url(objects)).func, "required_action", None) == page.action, page.name


def test_no_public_page_asks_for_an_action() -> None:
    # A view that checks an action belongs in PAGES, where each role is tested.
    for route in all_routes():
        if route.name in PUBLIC_NAMES and "<" not in route.route:
            assert not hasattr(resolve(reverse(route.name)).func, "required_action"), route.name


@pytest.mark.django_db
def test_every_action_in_the_table_is_in_the_database_matrix() -> None:
    assert {page.action for page in PAGES} <= set(Action.objects.values_list("code", flat=True))


@pytest.mark.django_db
def test_every_role_is_in_the_database_matrix() -> None:
    assert set(Role.objects.values_list("code", flat=True)) == set(RoleCode.values)


def test_each_menu_entry_asks_for_the_action_of_the_page_it_opens() -> None:
    for item in NAV_ITEMS:
        assert getattr(resolve(item.url).func, "required_action", None) == item.action, item.url_name


# --- Generated: every role against every page ------------------------------


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
@pytest.mark.parametrize("role", RoleCode.values)
def test_each_role_reaches_exactly_what_the_matrix_grants(
    login_as: Callable[[User], Client], persona: Callable[..., User], objects: Objects, role: str, page: Page
) -> None:
    user = persona(role)
    expected = 200 if granted(role, page.action) else 403

    response = login_as(user).get(page.url(objects))

    assert response.status_code == expected
    denied = AuditEvent.objects.filter(action="access.denied", actor_id=user.pk, data__action=page.action)
    assert denied.exists() == (expected == 403)


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_signed_out_visitors_are_sent_to_the_login_page(client: Client, objects: Objects, page: Page) -> None:
    response = client.get(page.url(objects))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


@pytest.mark.django_db
def test_the_default_matrix_opens_every_page_to_some_role_and_no_role_reaches_every_page() -> None:
    # Keeps the generated test from passing vacuously on an empty (or full) matrix.
    for page in PAGES:
        assert any(granted(role, page.action) for role in RoleCode.values), page.name
    for role in RoleCode.values:
        assert not all(granted(role, page.action) for page in PAGES), role


def test_changing_the_matrix_changes_access(login_as: Callable[[User], Client], alice: User, bob: User) -> None:
    clinician = Role.objects.get(code=RoleCode.CLINICIAN)
    client = login_as(bob)
    assert client.get(reverse("sites:list")).status_code == 200
    assert client.get(reverse("core:dashboard")).status_code == 200
    assert client.get(reverse("audit:events")).status_code == 403

    for code in (SITE_VIEW, DASHBOARD_VIEW):
        matrix_set_grant(actor=alice, role=clinician, action=Action.objects.get(code=code), granted=False)
    matrix_set_grant(actor=alice, role=clinician, action=Action.objects.get(code=AUDIT_VIEW), granted=True)

    assert client.get(reverse("sites:list")).status_code == 403
    assert client.get(reverse("sites:detail", kwargs={"code": "north"})).status_code == 403
    assert client.get(reverse("core:dashboard")).status_code == 403
    response = client.get(reverse("audit:events"))
    assert response.status_code == 200
    menu = {item.url_name for item in response.context["nav_items"]}
    assert "audit:events" in menu
    assert not menu & {"core:dashboard", "sites:list"}


def test_a_grant_changed_on_the_matrix_page_takes_effect_at_once(
    login_as: Callable[[User], Client], alice: User, bob: User
) -> None:
    # Alice's own cached actions must not outlive her change either.
    client = login_as(alice)
    response = client.post(
        reverse("accounts:permission_matrix"),
        {"role": RoleCode.ADMINISTRATOR, "action": AUDIT_VIEW, "granted": "0"},
    )
    assert response.status_code == 302
    assert not granted(RoleCode.ADMINISTRATOR, AUDIT_VIEW)
    assert client.get(reverse("audit:events")).status_code == 403
    assert AUDIT_VIEW not in {item.action for item in nav_items(User.objects.get(pk=alice.pk))}


# --- Personas: same site, other site ---------------------------------------


def test_charlie_gets_404_for_another_sites_page_and_the_attempt_is_audited(
    login_as: Callable[[User], Client], charlie: User, north: Site
) -> None:
    response = login_as(charlie).get(reverse("sites:detail", kwargs={"code": "north"}))

    assert response.status_code == 404
    event = AuditEvent.objects.get(action="access.denied", actor_id=charlie.pk)
    assert (event.object_type, event.object_id) == ("sites.site", str(north.pk))
    assert event.site_id == north.pk
    assert event.data == {"action": SITE_VIEW, "path": "/sites/north/"}
    assert event.actor_username == "charlie"


def test_charlie_reaches_his_own_site(login_as: Callable[[User], Client], charlie: User, south: Site) -> None:
    response = login_as(charlie).get(reverse("sites:detail", kwargs={"code": "south"}))

    assert response.status_code == 200
    assert response.context["site"] == south


def test_a_site_that_does_not_exist_is_a_plain_404(login_as: Callable[[User], Client], alice: User) -> None:
    response = login_as(alice).get(reverse("sites:detail", kwargs={"code": "nowhere"}))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="access.denied").exists()


def test_alice_sees_her_own_site(login_as: Callable[[User], Client], alice: User, north: Site, south: Site) -> None:
    client = login_as(alice)

    detail = client.get(reverse("sites:detail", kwargs={"code": "north"}))
    listing = client.get(reverse("sites:list"))

    assert detail.status_code == 200
    assert detail.context["site"] == north
    assert [site.code for site in listing.context["sites"]] == ["north"]
    assert not AuditEvent.objects.filter(action="access.denied").exists()


def test_the_staff_list_shows_only_staff_of_alices_sites(
    login_as: Callable[[User], Client],
    persona: Callable[..., User],
    alice: User,
    bob: User,
    charlie: User,
    north: Site,
    south: Site,
) -> None:
    # Someone at both sites shows once, not once per shared site.
    persona(RoleCode.NURSE, username="dana").sites.add(south)

    response = login_as(alice).get(reverse("sites:staff"))

    assert response.status_code == 200
    assert sorted(person.username for person in response.context["staff"]) == ["alice", "bob", "dana"]
    assert "charlie" not in response.content.decode()


def test_the_staff_list_shows_charlie_only_the_south_site(
    login_as: Callable[[User], Client], alice: User, bob: User, charlie: User
) -> None:
    response = login_as(charlie).get(reverse("sites:staff"))

    assert [person.username for person in response.context["staff"]] == ["charlie"]


def test_the_staff_list_needs_the_same_queries_for_3_or_13_staff(
    login_as: Callable[[User], Client], persona: Callable[..., User], alice: User
) -> None:
    client = login_as(alice)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("sites:staff")).status_code == 200
        return len(captured.captured_queries)

    persona(RoleCode.CLINICIAN)
    persona(RoleCode.NURSE)
    few = queries()
    for _ in range(10):
        persona(RoleCode.FRONT_DESK)
    assert queries() == few
