# SPDX-License-Identifier: AGPL-3.0-or-later
"""Permission tests generated from the matrix, as in NetBox's
utilities/testing/views.py.

``PAGES`` lists every page with the action it requires. For every role, each
page must answer exactly what that role's row in the database matrix says:
200 when granted, 403 when not, and the login page for anyone signed out.
Every page with an object answers 404 to staff of another site, and every
form refuses a POST from a role without the action (and from anyone signed
out) without changing a row. A guard walks the URL configuration so a new
page cannot arrive without a row here (or a deliberate place on the public
allowlist).

Speed: the objects (a full set at each of two sites), one user per role and
a signed-in client per role are built once for the module (``world``), in a
transaction rolled back when the module ends; each test runs in a savepoint
inside it (pytest-django's TestCase), so whatever a test writes is undone
before the next one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from pytest_django import DjangoDbBlocker

from openiop.accounts.models import Action, Role, User
from openiop.accounts.permissions import DASHBOARD_VIEW, MATRIX_VIEW, STAFF_VIEW
from openiop.accounts.services import matrix_set_grant, staff_create
from openiop.admissions.permissions import ADMISSIONS_CREATE, ADMISSIONS_MANAGE, ADMISSIONS_VIEW
from openiop.audit.context import acting_as
from openiop.audit.models import AuditEvent
from openiop.audit.permissions import AUDIT_EXPORT, AUDIT_VIEW
from openiop.core.navigation import NAV_ITEMS, nav_items
from openiop.core.roles import RoleCode
from openiop.core.testing import (
    FormData,
    Objects,
    Page,
    app_pages,
    app_public_names,
    build_objects,
    offered_form,
    the_inquiry,
    the_patient,
    the_site,
)
from openiop.patients.models import CareTeamMember, Episode
from openiop.patients.permissions import EPISODE_MANAGE, PATIENT_EDIT, PATIENT_VIEW
from openiop.sites.models import OpeningHours, Organization, Room, Site
from openiop.sites.permissions import SITE_VIEW

# Every page behind the permission matrix; ``form=True`` where its GET shows
# a form that posts back to it.
PAGES = [
    Page("core:dashboard", DASHBOARD_VIEW),
    Page("sites:list", SITE_VIEW),
    Page("sites:detail", SITE_VIEW, the_site),
    Page("sites:staff", STAFF_VIEW),
    Page("accounts:permission_matrix", MATRIX_VIEW, form=True),
    Page("audit:events", AUDIT_VIEW),
    Page("audit:export", AUDIT_EXPORT),
    Page("patients:list", PATIENT_VIEW),
    Page("patients:register", PATIENT_EDIT, form=True),
    Page("patients:chart", PATIENT_VIEW, the_patient),
    Page("patients:edit", PATIENT_EDIT, the_patient, form=True),
    Page("patients:admit", EPISODE_MANAGE, the_patient, form=True),
    Page("admissions:board", ADMISSIONS_VIEW),
    Page("admissions:create", ADMISSIONS_CREATE, form=True),
    Page("admissions:detail", ADMISSIONS_VIEW, the_inquiry),
    Page("admissions:move", ADMISSIONS_MANAGE, the_inquiry, form=True),
    Page("admissions:referral_report", ADMISSIONS_VIEW),
    # Apps that arrived later list their pages in openiop/<app>/tests/pages.py.
    *app_pages(),
]
SITE_BOUND_PAGES = [page for page in PAGES if page.takes_object and not page.organization_wide]

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


# --- The shared world: built once per module -------------------------------


# A staff member at Site A whose account has no role: refused everything.
NO_ROLE = "no role"


@dataclass
class World:
    here: Objects  # Site A, where every role's user works
    there: Objects  # Site B, where nobody signed in here works
    users: dict[str, User]  # one per role (and one with none, NO_ROLE), at Site A only
    clients: dict[str, Client]  # each signed in as that role's user
    grants: frozenset[tuple[str, str]]  # (role, action): the matrix as the database held it
    tables: list[str]  # every table but the audit log's, for counting rows
    _offered: dict[str, FormData] = field(default_factory=dict)

    def granted(self, role: str, action: str) -> bool:
        return (role, action) in self.grants

    def roles_with(self, action: str) -> list[str]:
        return [role for role in RoleCode.values if self.granted(role, action)]

    def roles_without(self, action: str) -> list[str]:
        """Every role the matrix does not grant ACTION, and NO_ROLE, so a page
        open to every role still has someone to refuse."""
        return [*(role for role in RoleCode.values if not self.granted(role, action)), NO_ROLE]

    def offered(self, page: Page) -> FormData:
        """The page's form at Site A as someone granted its action is offered
        it (what a POST with nothing typed would send); nothing for a page
        without a form."""
        if not page.form:
            return {}
        if page.name not in self._offered:
            url = page.url(self.here)
            response = self.clients[self.roles_with(page.action)[0]].get(url)
            assert response.status_code == 200, page.name
            data = offered_form(response.content.decode(), url)
            assert data is not None, f"{page.name} is marked form=True but shows no form posting to {url}"
            self._offered[page.name] = data
        return self._offered[page.name]

    def row_counts(self) -> tuple[int, ...]:
        # One query for every table: a per-table COUNT would cost more than the request.
        quote = connection.ops.quote_name
        # Table names from Django's own introspection, quoted: nothing from outside.
        counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in self.tables)  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {counts}")
            return tuple(cursor.fetchone())


def table_site(organization: Organization, code: str, name: str) -> Site:
    site = Site.objects.create(
        organization=organization,
        code=code,
        name=name,
        street="1 Main Street",
        city="Boston",
        state="MA",
        zip_code="02108",
        time_zone="America/New_York",
    )
    Room.objects.create(site=site, name="Group room", capacity=12)
    OpeningHours.objects.create(site=site, weekday=0, opens=dt.time(8), closes=dt.time(20))
    return site


# Every test here reads the one `world` below: xdist (run with --dist loadgroup) keeps them on one
# worker so the world is built once per run, not once per worker.
pytestmark = pytest.mark.xdist_group("permission-matrix")


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    # Site codes and usernames differ from the personas' (north, alice, ...),
    # which the tests at the end of this module still make per test.
    with django_db_blocker.unblock(), transaction.atomic():
        organization = Organization.objects.create(name="Permission Table Services", mrn_prefix="PT")
        here = build_objects(table_site(organization, "table-a", "Site A"))
        there = build_objects(table_site(organization, "table-b", "Site B"))
        users = {
            role: staff_create(
                username=f"table-{role}".replace(" ", "-"),
                password=None,  # signed in with force_login: no password to hash
                first_name=role.title(),
                last_name="Table",
                email=f"table-{role}@example.invalid".replace(" ", "-"),
                role_codes=[] if role == NO_ROLE else [role],
                sites=[here.site],
            )
            for role in [*RoleCode.values, NO_ROLE]
        }
        # Everyone at Site A is on every care team there, so a clinical
        # record's need-to-know rule refuses no one and a refusal comes from
        # the matrix (or, for Site B's objects, the site) alone.
        CareTeamMember.objects.bulk_create(
            CareTeamMember(episode=episode, user=user, role_label="Permission table")
            for episode in Episode.objects.filter(site=here.site)
            for user in users.values()
        )
        clients = {role: Client() for role in users}
        # Signing in sets the audit actor; it must not outlive the sign-in.
        with acting_as():
            for role, client in clients.items():
                client.force_login(users[role])
        grants = frozenset(Role.objects.filter(actions__isnull=False).values_list("code", "actions__code"))
        tables = sorted(
            table
            for table in connection.introspection.django_table_names(only_existing=True)
            if not table.startswith("audit_")
        )
        yield World(here=here, there=there, users=users, clients=clients, grants=grants, tables=tables)
        transaction.set_rollback(True)


@contextmanager
def changes_nothing(world: World) -> Iterator[list[tuple[str, int | None]]]:
    """Asserts no row was added or removed anywhere and no audit event but
    refusals was written (every create, update and delete of OpenIOP data is
    audited, so an update shows here too). Yields the new events as
    (action, actor id), for the caller to check the refusals."""
    counts = world.row_counts()
    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    events: list[tuple[str, int | None]] = []
    yield events
    events.extend(AuditEvent.objects.filter(pk__gt=last_event).order_by("pk").values_list("action", "actor_id"))
    assert world.row_counts() == counts
    assert {action for action, _actor in events} <= {"access.denied"}, events


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


@pytest.mark.django_db
def test_each_page_requires_the_action_the_table_says(world: World) -> None:
    # The decorator marks the view; the table and the code cannot drift apart.
    for page in PAGES:
        assert getattr(resolve(page.url(world.here)).func, "required_action", None) == page.action, page.name


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


@pytest.mark.django_db
def test_the_shared_world_is_the_matrix_in_the_database(world: World) -> None:
    # The generated tests read grants from the world; it must hold what the database holds.
    for role in RoleCode.values:
        for page in PAGES:
            assert world.granted(role, page.action) == granted(role, page.action), (role, page.action)


# --- Generated: every role against every page ------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
@pytest.mark.parametrize("role", RoleCode.values)
def test_each_role_reaches_exactly_what_the_matrix_grants(world: World, role: str, page: Page) -> None:
    user = world.users[role]
    expected = 200 if world.granted(role, page.action) else 403
    url = page.url(world.here)

    response = world.clients[role].get(url)

    assert response.status_code == expected
    denied = AuditEvent.objects.filter(action="access.denied", actor_id=user.pk, data__action=page.action)
    assert denied.exists() == (expected == 403)
    if expected == 200:
        # Keeps form=True honest: a page that offers a form is POSTed below.
        shows_form = not response.streaming and offered_form(response.content.decode(), url) is not None
        assert shows_form == page.form, f"{page.name}: set form={shows_form} in its Page"


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_signed_out_visitors_are_sent_to_the_login_page(client: Client, world: World, page: Page) -> None:
    response = client.get(page.url(world.here))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


# --- Generated: every page against a POST without the action -------------
# Forms are sent as offered to someone granted them: were the refusal
# missing, many would save (a confirmation, a prefilled edit). Pages without
# a form get an empty POST: some views take one in a state the shared
# objects do not show (a plan to start, a group note to co-sign).


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_page_refuses_a_post_from_each_role_without_its_action(world: World, page: Page) -> None:
    url, data = page.url(world.here), world.offered(page)

    for role in world.roles_without(page.action):
        with changes_nothing(world) as events:
            response = world.clients[role].post(url, data)

        assert response.status_code == 403, role
        assert events == [("access.denied", world.users[role].pk)], role


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_a_signed_out_post_goes_to_the_login_page_and_changes_nothing(client: Client, world: World, page: Page) -> None:
    url, data = page.url(world.here), world.offered(page)

    with changes_nothing(world) as events:
        response = client.post(url, data)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert events == []


# --- Generated: every object page against staff of another site -----------


@pytest.mark.django_db
@pytest.mark.parametrize("page", SITE_BOUND_PAGES, ids=lambda page: page.name)
def test_staff_of_one_site_get_404_for_another_sites_object(world: World, page: Page) -> None:
    role = world.roles_with(page.action)[0]
    client, user = world.clients[role], world.users[role]
    # The same user reaches the same page for their own site's object, so
    # the 404 below comes from the site alone.
    assert client.get(page.url(world.here)).status_code == 200
    there = page.url(world.there)

    response = client.get(there)

    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor_id=user.pk, data__path=there).exists()
    if page.form:
        # The offered form is read (a GET at Site A, itself audited) before
        # counting, whichever test happened to ask for it first.
        data = world.offered(page)
        with changes_nothing(world) as events:
            response = client.post(there, data)
        assert response.status_code == 404
        assert events and all(actor == user.pk for _action, actor in events)


@pytest.mark.django_db
def test_the_other_site_holds_a_full_set_of_objects(world: World) -> None:
    # Keeps the site test from passing on objects that all sit at one site.
    assert world.there.site != world.here.site
    for key, value in world.there.extra.items():
        assert value != world.here.extra[key], key
    assert not any(world.there.site in user.sites.all() for user in world.users.values())


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
    # The first request after signing in stamps the session's idle clock (written
    # at most once a minute), so compare two requests that both come after it.
    queries()
    few = queries()
    for _ in range(10):
        persona(RoleCode.FRONT_DESK)
    assert queries() == few
