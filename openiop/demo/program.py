# SPDX-License-Identifier: AGPL-3.0-or-later
"""Synthetic demo data: an organization, its sites and rooms, and staff in
every role. Everything here is invented; no real person's data."""

from __future__ import annotations

import datetime as dt
import importlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction

from openiop.accounts.models import User
from openiop.accounts.services import staff_create
from openiop.core.roles import RoleCode
from openiop.sites.models import OpeningHours, Organization, Room, Site

DEMO_PASSWORD = "openiop-demo-2026"  # noqa: S105 - synthetic demo logins, printed by make demo


@dataclass(frozen=True)
class SiteSpec:
    code: str
    name: str
    street: str
    city: str
    state: str
    zip_code: str
    time_zone: str


DEMO_SITES = [
    SiteSpec("boston", "OpenIOP Boston", "120 Tremont Street", "Boston", "MA", "02108", "America/New_York"),
    SiteSpec("chicago", "OpenIOP Chicago", "35 East Wacker Drive", "Chicago", "IL", "60601", "America/Chicago"),
    SiteSpec("denver", "OpenIOP Denver", "1600 Broadway", "Denver", "CO", "80202", "America/Denver"),
]

# (username, role, first, last, credentials) of the logins printed by `make demo`.
DEMO_LOGINS = [
    ("admin", RoleCode.ADMINISTRATOR, "Ada", "Admin", ""),
    ("director", RoleCode.CLINICAL_DIRECTOR, "Diane", "Director", "PhD, LCADC"),
    ("clinician", RoleCode.CLINICIAN, "Carlos", "Clinician", "LCSW"),
    ("nurse", RoleCode.NURSE, "Nadia", "Nurse", "RN"),
    ("prescriber", RoleCode.PRESCRIBER, "Priya", "Prescriber", "MD"),
    ("navigator", RoleCode.ADMISSIONS_NAVIGATOR, "Noah", "Navigator", ""),
    ("billing", RoleCode.BILLING_SPECIALIST, "Bea", "Biller", "CPC"),
    ("frontdesk", RoleCode.FRONT_DESK, "Frank", "Frontdesk", ""),
    ("privacy", RoleCode.PRIVACY_OFFICER, "Petra", "Privacy", "CHPC"),
]

SIZES = {
    # extra sites beyond the three named ones, staff per role per site, patients
    "tiny": (0, 1, 24),  # for tests: every kind of record, seconds to make
    "small": (0, 2, 300),  # two of each role per site: enough group leaders for every cohort
    "medium": (7, 3, 1000),
    "large": (97, 4, 10000),
}

FIRST_NAMES = [
    "Alex",
    "Sam",
    "Jordan",
    "Taylor",
    "Morgan",
    "Casey",
    "Riley",
    "Jamie",
    "Avery",
    "Quinn",
    "Rosa",
    "Luis",
    "Mei",
    "Omar",
    "Grace",
    "Tariq",
]
LAST_NAMES = [
    "Rivera",
    "Nguyen",
    "Okafor",
    "Schmidt",
    "Haddad",
    "Kowalski",
    "Moreno",
    "Patel",
    "Johnson",
    "Lee",
    "Garcia",
    "Brown",
    "Kim",
    "Silva",
]
# Inquiries on the named sites, and per further site at the larger sizes.
INQUIRIES_PER_EXTRA_SITE = 5
ROOM_NAMES = [("Group room A", 14), ("Group room B", 12), ("Family room", 6), ("Office 1", 3), ("Office 2", 3)]

Progress = Callable[[int], None]


def _site(organization: Organization, spec: SiteSpec) -> Site:
    site, created = Site.objects.get_or_create(
        code=spec.code,
        defaults={
            "organization": organization,
            "name": spec.name,
            "street": spec.street,
            "city": spec.city,
            "state": spec.state,
            "zip_code": spec.zip_code,
            "time_zone": spec.time_zone,
            "phone": "555-0100",
        },
    )
    if created:
        for name, capacity in ROOM_NAMES:
            Room.objects.create(site=site, name=name, capacity=capacity)
        for weekday in range(5):
            OpeningHours.objects.create(site=site, weekday=weekday, opens=dt.time(8, 0), closes=dt.time(21, 0))
        OpeningHours.objects.create(site=site, weekday=5, opens=dt.time(9, 0), closes=dt.time(14, 0))
    return site


def extra_site_specs(count: int, rng: random.Random) -> list[SiteSpec]:
    """Further synthetic sites at real ZIP centroids (for benchmark sizes)."""
    import zipcodes

    every_zip = zipcodes.list_all()  # type: ignore[no-untyped-call]
    pool = [z for z in every_zip if z["zip_code_type"] == "STANDARD" and z["timezone"].startswith("America/")]
    chosen = rng.sample(pool, count)
    return [
        SiteSpec(
            f"site-{index:03d}",
            f"OpenIOP {z['city'].title()} {index:03d}",
            f"{rng.randint(1, 999)} Main Street",
            z["city"].title(),
            z["state"],
            z["zip_code"],
            z["timezone"],
        )
        for index, z in enumerate(chosen, start=1)
    ]


def seed_staff(*, size: str = "tiny", rng: random.Random | None = None, tick: Progress | None = None) -> list[Site]:
    """The demo organization, its sites (rooms, opening hours) and staff with
    the demo logins, and nothing else: what a test of signing in needs. Safe to
    run again. Returns the sites, the three named ones first."""
    extra_sites, staff_per_role, _patient_count = SIZES[size]
    rng = rng or random.Random(2026)
    tick = tick or (lambda n: None)
    with transaction.atomic():
        organization = Organization.objects.order_by("pk").first() or Organization.objects.create(
            name="OpenIOP Demo Recovery Services", npi="1234567893", mrn_prefix="OI"
        )
        specs = DEMO_SITES + (extra_site_specs(extra_sites, rng) if extra_sites else [])
        sites = []
        for spec in specs:
            sites.append(_site(organization, spec))
            tick(1)
        main_sites = sites[:3]
        for username, role, first, last, credentials in DEMO_LOGINS:
            if not User.objects.filter(username=username).exists():
                staff_create(
                    username=username,
                    password=DEMO_PASSWORD,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@demo.openiop.invalid",
                    credentials=credentials,
                    role_codes=[role],
                    # The demo's named logins see every site so each dashboard has something in it.
                    sites=sites if role == RoleCode.ADMINISTRATOR else main_sites,
                    is_staff=role == RoleCode.ADMINISTRATOR,
                )
                if role == RoleCode.ADMINISTRATOR:
                    # Site, room and staff maintenance happens in Django's admin for now.
                    User.objects.filter(username=username).update(is_superuser=True)
            tick(1)
        for site in main_sites:
            for role_code in RoleCode.values:
                for number in range(1, staff_per_role + 1):
                    username = f"{site.code}-{role_code.replace('_', '')}-{number}"
                    if not User.objects.filter(username=username).exists():
                        staff_create(
                            username=username,
                            password=None,
                            first_name=rng.choice(FIRST_NAMES),
                            last_name=rng.choice(LAST_NAMES),
                            email=f"{username}@demo.openiop.invalid",
                            role_codes=[role_code],
                            sites=[site],
                            requires_cosignature=role_code == RoleCode.CLINICIAN and number % 2 == 0,
                        )
                tick(1)
    for site in sites[3:]:
        _bulk_staff(site, staff_per_role, rng)
        tick(len(RoleCode.values))
    return sites


def seed(*, size: str = "small", seed_value: int = 2026, progress: Progress | None = None) -> dict[str, int]:
    """Create (or top up) the demo organization. Safe to run again."""
    patient_count = SIZES[size][2]
    rng = random.Random(seed_value)
    tick = progress or (lambda n: None)
    # Committed in steps, never as one transaction: the organization and its
    # staff, then each phase (the bulk phases commit a batch at a time).
    sites = seed_staff(size=size, rng=rng, tick=tick)
    main_sites = sites[:3]
    from openiop.patients.demo import seed_patients

    patients = seed_patients(count=patient_count, sites=sites, rng=rng, tick=tick)
    from openiop.admissions.demo import seed_inquiries
    from openiop.admissions.models import Inquiry

    if not Inquiry.objects.exists():
        with transaction.atomic():
            seed_inquiries(sites=main_sites, rng=rng, count=60)
            if sites[3:]:
                seed_inquiries(sites=sites[3:], rng=rng, count=INQUIRIES_PER_EXTRA_SITE * len(sites[3:]))
    for module in app_demo_modules():
        if getattr(module, "COMMITS_IN_BATCHES", False):
            module.seed_app(size=size, sites=sites, rng=rng, tick=tick)
        else:
            with transaction.atomic():
                module.seed_app(size=size, sites=sites, rng=rng, tick=tick)
        if hasattr(module, "seed_bulk"):
            module.seed_bulk(size=size, sites=sites, rng=rng, tick=tick)
    _demo_logins_join_care_teams()
    return {"sites": len(sites), "staff": User.objects.count(), "patients": patients}


# The demo's clinical logins, put on the care team of every episode in
# treatment at their sites: need to know (on by default) otherwise leaves the
# demo nurse and prescriber looking at empty medication and drug-test tabs.
_CARE_TEAM_LOGINS = ("clinician", "nurse", "prescriber")


def _demo_logins_join_care_teams() -> None:
    from openiop.patients.models import CareTeamMember, Episode

    logins = {user.username: user for user in User.objects.filter(username__in=_CARE_TEAM_LOGINS)}
    director = User.objects.filter(username="director").first()
    clinician = logins.get("clinician")
    if clinician is not None and director is not None and clinician.clinical_supervisor_id is None:
        User.objects.filter(pk=clinician.pk).update(clinical_supervisor=director)
    with transaction.atomic():
        for user in logins.values():
            episodes = Episode.objects.filter(site__in=user.sites.all()).exclude(status=Episode.Status.DISCHARGED)
            CareTeamMember.objects.bulk_create(
                [
                    CareTeamMember(episode_id=episode_id, user=user)
                    for episode_id in episodes.values_list("pk", flat=True)
                ],
                ignore_conflicts=True,
                batch_size=2000,
            )


def _bulk_staff(site: Site, staff_per_role: int, rng: random.Random) -> None:
    """The further sites' staff (the benchmark sizes have thousands), written
    in one committed batch per site as ``staff_create`` would make them:
    no usable password until a reset, one role, one site. The named sites'
    staff go through ``staff_create`` one by one."""
    from openiop.accounts.models import Role
    from openiop.audit import bulk as demo_bulk

    roles = {role.code: role for role in Role.objects.all()}
    wanted = [
        (f"{site.code}-{code.replace('_', '')}-{number}", code, number)
        for code in RoleCode.values
        for number in range(1, staff_per_role + 1)
    ]
    have = set(User.objects.filter(username__in=[name for name, _c, _n in wanted]).values_list("username", flat=True))
    people = []
    for username, code, number in wanted:
        if username in have:
            continue
        user = User(
            username=username,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            email=f"{username}@demo.openiop.invalid",
            requires_cosignature=code == RoleCode.CLINICIAN and number % 2 == 0,
        )
        user.set_unusable_password()
        people.append((user, code))
    if not people:
        return
    with demo_bulk.batch("staff", site_id=site.pk) as rows:
        users = rows.insert(User, [user for user, _code in people])
        grants = [
            User.roles.through(user_id=user.pk, role=roles[code])
            for user, (_unsaved, code) in zip(users, people, strict=True)
        ]
        rows.insert_leaves(User.roles.through, grants)
        rows.insert_leaves(User.sites.through, [User.sites.through(user_id=u.pk, site_id=site.pk) for u in users])


def app_demo_modules() -> list[Any]:
    """Demo seeders of the apps that come after patients and admissions, in
    INSTALLED_APPS order. Each app's ``demo.py`` may define
    ``seed_app(*, size, sites, rng, tick)`` (safe to run again; run in one
    transaction unless the module sets ``COMMITS_IN_BATCHES``) and
    ``progress_steps(size) -> int`` (how many ticks it will report), and
    ``seed_bulk`` with ``bulk_steps``: the bulk history that follows the
    showcase, committing its own batches (see ``openiop.audit.bulk``)."""
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("openiop.") or config.label in {"core", "patients", "admissions", "demo"}:
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.demo":
                raise
            continue
        if hasattr(module, "seed_app"):
            modules.append(module)
    return modules


def progress_total(size: str) -> int:
    extra_sites, _staff, patients = SIZES[size]
    sites = len(DEMO_SITES) + extra_sites
    steps = sites + len(DEMO_LOGINS) + sites * len(RoleCode.values) + patients
    for module in app_demo_modules():
        steps += int(module.progress_steps(size)) if hasattr(module, "progress_steps") else 0
        steps += int(module.bulk_steps(size)) if hasattr(module, "bulk_steps") else 0
    return steps
