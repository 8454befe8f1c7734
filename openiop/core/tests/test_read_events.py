# SPDX-License-Identifier: AGPL-3.0-or-later
"""Every page that shows patient data leaves a read event, generated from the
permission table (openiop/core/testing.py and each app's tests/pages.py).

Every page in the table is requested (GET) as a role the matrix lets in. The
patients and inquiries it must name are those its URL takes (the table's
kwargs are run against recording objects to learn which records the URL is
built from: a patient, an inquiry, or anything of one such as an episode, a
note or an alert) and those the page was handed to show (its template
context: lists, search results, dashboards). A ``record.read`` event by that
user must name each, by ``patient_id`` or ``data["patients"]``, and an
inquiry by its object or ``data["inquiries"]``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any, cast

import pytest
from django.core.paginator import Page as PaginatorPage
from django.db import models, transaction
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from openiop.accounts.models import Role, User
from openiop.accounts.services import staff_create
from openiop.admissions.models import Channel, Inquiry
from openiop.admissions.services import inquiry_create
from openiop.audit.context import acting_as
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.core.testing import Objects, Page, build_extra_objects
from openiop.core.tests.test_permission_matrix import PAGES
from openiop.patients.models import Patient
from openiop.patients.services import patient_register
from openiop.sites.models import OpeningHours, Organization, Room, Site

Subject = tuple[str, str]  # ("patient", id) or ("inquiry", id)


# --- What a page is about ---------------------------------------------------------------------------------------


def subject_of(record: Any) -> Subject | None:
    """The patient or inquiry a record is, or belongs to (None: neither)."""
    if isinstance(record, AuditEvent):
        # The audit log's own pages list events by patient id; whether reading
        # the log is itself a read of each patient is the audit app's call.
        return None
    if isinstance(record, Patient):
        return ("patient", str(record.pk))
    if isinstance(record, Inquiry):
        return ("inquiry", str(record.pk))
    if not isinstance(record, models.Model):
        return None
    patient_id = getattr(record, "audit_patient_id", None) or getattr(record, "patient_id", None)
    return ("patient", str(patient_id)) if patient_id else None


class _RecordingExtras(dict[str, Any]):
    def __init__(self, source: dict[str, Any], used: list[Any]) -> None:
        super().__init__()
        self._source, self._used = source, used

    def __getitem__(self, key: str) -> Any:
        value = self._source[key]
        self._used.append(value)
        return value


class _RecordingObjects:
    """Stands in for Objects while a page's kwargs are computed, noting which
    records the URL is built from."""

    def __init__(self, objects: Objects) -> None:
        self.used: list[Any] = []
        self._objects = objects
        self.extra = _RecordingExtras(objects.extra, self.used)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._objects, name)
        self.used.append(value)
        return value


def url_and_subjects(page: Page, objects: Objects) -> tuple[str, set[Subject]]:
    recorder = _RecordingObjects(objects)
    url = page.url(cast(Objects, recorder))
    return url, {subject for record in recorder.used if (subject := subject_of(record)) is not None}


def shown_in(context: Any) -> set[Subject]:
    """Patients and inquiries in a page's context: records, lists of them,
    dicts and dataclasses holding them, paginator pages (a few levels deep)."""
    found: set[Subject] = set()

    def walk(value: Any, depth: int) -> None:
        if depth > 4 or value is None or isinstance(value, str | bytes | int | float | bool | dt.date):
            return
        if isinstance(value, models.Model):
            subject = subject_of(value)
            if subject is not None:
                found.add(subject)
            return
        if isinstance(value, PaginatorPage):
            walk(list(value.object_list), depth + 1)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item, depth + 1)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for item in dataclasses.fields(value):
                walk(getattr(value, item.name), depth + 1)
        elif isinstance(value, list | tuple | set | models.QuerySet):
            for item in value:
                walk(item, depth + 1)

    # One template: a RequestContext; several (includes): a ContextList.
    flat = context.flatten() if hasattr(context, "flatten") else {key: context[key] for key in context.keys()}  # noqa: SIM118
    for key, value in flat.items():
        if key not in {"user", "request", "perms", "messages", "nav_items", "view"}:
            walk(value, 0)
    return found


def named_by(events: Iterable[AuditEvent]) -> set[Subject]:
    named: set[Subject] = set()
    for event in events:
        if event.patient_id:
            named.add(("patient", event.patient_id))
        if event.object_type == "admissions.inquiry":
            named.add(("inquiry", event.object_id))
        named |= {("patient", str(pk)) for pk in event.data.get("patients", [])}
        named |= {("inquiry", str(pk)) for pk in event.data.get("inquiries", [])}
    return named


def reads_by(user: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="record.read", actor_id=user.pk))


# --- One world for the module ------------------------------------------------------------------------------------


@dataclasses.dataclass
class World:
    objects: Objects  # every app's objects, at one site where every role's user works
    users: dict[str, User]
    clients: dict[str, Client]  # each signed in as that role's user
    grants: frozenset[tuple[str, str]]  # (role, action) as the database matrix held it

    def role_for(self, action: str) -> str:
        """A role the matrix grants ACTION."""
        roles = [role for role in RoleCode.values if (role, action) in self.grants]
        assert roles, f"no role is granted {action}"
        return str(roles[0])


def reader(role: str, site: Site) -> User:
    return staff_create(
        username=f"reads-{role}",
        password=None,  # signed in with force_login: no password to hash
        first_name=role.title(),
        last_name="Reader",
        email=f"reads-{role}@example.invalid",
        role_codes=[role],
        sites=[site],
    )


# Every test here reads the one `world` below: xdist (run with --dist loadgroup) keeps them on one
# worker so the world is built once per run, not once per worker.
pytestmark = pytest.mark.xdist_group("read-events")


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    # Built once and rolled back at the end: each test runs in its own
    # savepoint inside, so its read events go with it.
    with django_db_blocker.unblock(), transaction.atomic():
        organization = Organization.objects.create(name="Read Events Services", mrn_prefix="RE")
        site = Site.objects.create(
            organization=organization, code="reads", name="Reads Site", street="1 Main Street", city="Boston",
            state="MA", zip_code="02108", time_zone="America/New_York",
        )  # fmt: skip
        Room.objects.create(site=site, name="Group room", capacity=12)
        OpeningHours.objects.create(site=site, weekday=0, opens=dt.time(8), closes=dt.time(20))
        patient = patient_register(
            site=site, legal_first_name="Test", legal_last_name="Patient", birth_date=dt.date(1990, 1, 1)
        )
        inquiry = inquiry_create(
            actor=None, site=site, caller_name="Rosa Diaz", caller_relation="parent", first_name="Tom",
            last_name="Diaz", birth_date=dt.date(1998, 4, 2), phone="(617) 555-0142", consent_to_contact=True,
        )  # fmt: skip
        # A request from the public website: the admissions dashboard lists those.
        inquiry_create(
            actor=None, site=site, channel=Channel.WEBSITE, caller_name="Web Caller", first_name="Web",
            last_name="Caller", phone="(617) 555-0199", consent_to_contact=True,
        )  # fmt: skip
        objects = Objects(site=site, patient=patient, inquiry=inquiry, extra={})
        build_extra_objects(objects)  # every app's, now: lists and dashboards show them
        users = {role: reader(role, site) for role in RoleCode.values}
        clients = {role: Client() for role in RoleCode.values}
        with acting_as():
            for role, client in clients.items():
                client.force_login(users[role])
        grants = frozenset(Role.objects.filter(actions__isnull=False).values_list("code", "actions__code"))
        yield World(objects=objects, users=users, clients=clients, grants=grants)
        transaction.set_rollback(True)


# --- Generated: every page in the table -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_page_names_each_patient_and_inquiry_it_takes_or_shows_in_a_read_event(world: World, page: Page) -> None:
    url, taken = url_and_subjects(page, world.objects)
    role = world.role_for(page.action)

    response = world.clients[role].get(url)

    assert response.status_code == 200, url
    expected = taken | (shown_in(response.context) if response.context is not None else set())
    if not expected:
        pytest.skip("takes and shows no patient or inquiry")
    missing = expected - named_by(reads_by(world.users[role]))
    assert not missing, f"{page.name} takes or shows {sorted(missing)} without a read event naming them"


@pytest.mark.django_db
def test_the_generated_test_covers_the_pages_the_finding_names(world: World) -> None:
    # Guards the generated test against passing by skipping: each of these
    # takes a patient, an inquiry or an episode.
    taking = {page.name for page in PAGES if url_and_subjects(page, world.objects)[1]}
    assert taking >= {
        "assessments:alert_acknowledge",
        "assessments:placement_decide",
        "medications:sobriety",
        "treatment:plan_item_edit",
        "treatment:homework_create",
        "treatment:homework_complete",
        "patients:edit",
        "patients:chart",
        "admissions:detail",
        "patients:episode_level",
    }


# --- Lists: one event naming everyone shown ---------------------------------------------------------------------

LIST_PAGES = [
    ("patients:list", {}, RoleCode.CLINICIAN),
    ("patients:list", {"q": "Patient"}, RoleCode.CLINICIAN),
    ("assessments:alerts", {}, RoleCode.CLINICAL_DIRECTOR),
    ("admissions:board", {}, RoleCode.ADMISSIONS_NAVIGATOR),
    ("core:dashboard", {}, RoleCode.CLINICAL_DIRECTOR),
    ("core:dashboard", {}, RoleCode.NURSE),
    ("core:dashboard", {}, RoleCode.ADMISSIONS_NAVIGATOR),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "query", "role"), LIST_PAGES, ids=lambda value: str(value))
def test_a_list_page_logs_one_read_naming_every_patient_and_inquiry_it_shows(
    world: World, name: str, query: dict[str, str], role: str
) -> None:
    response = world.clients[role].get(reverse(name), query)

    assert response.status_code == 200
    shown = shown_in(response.context)
    assert shown, f"{name} showed {role} no patient or inquiry: the test would prove nothing"
    reads = reads_by(world.users[role])
    assert len(reads) == 1, "one event per page view, not one per row"
    assert shown <= named_by(reads)
    assert reads[0].data["view"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", RoleCode.values)
def test_each_roles_dashboard_names_every_patient_and_inquiry_it_shows(world: World, role: str) -> None:
    response = world.clients[role].get(reverse("core:dashboard"))

    if response.status_code == 403:
        pytest.skip(f"{role} has no dashboard")
    assert shown_in(response.context) <= named_by(reads_by(world.users[role]))


@pytest.mark.django_db
def test_the_dashboards_show_patients_and_inquiries_so_the_dashboard_tests_prove_something(world: World) -> None:
    kinds: set[str] = set()
    for role in (RoleCode.CLINICAL_DIRECTOR, RoleCode.NURSE, RoleCode.ADMISSIONS_NAVIGATOR):
        kinds |= {kind for kind, _pk in shown_in(world.clients[role].get(reverse("core:dashboard")).context)}
    assert kinds == {"patient", "inquiry"}


@pytest.mark.django_db
def test_a_list_that_shows_nobody_writes_no_event(world: World) -> None:
    response = world.clients[RoleCode.CLINICIAN].get(reverse("patients:list"), {"q": "nobody by this name"})

    assert response.status_code == 200
    assert reads_by(world.users[RoleCode.CLINICIAN]) == []
