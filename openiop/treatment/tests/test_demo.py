# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import pytest

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.patients.models import SupportPerson
from openiop.patients.tests.factories import TODAY
from openiop.sites.models import Site
from openiop.treatment import demo
from openiop.treatment.models import GroupSession, Homework, Note, NoteStatus, PlanVersion
from openiop.treatment.tests import factories

pytestmark = pytest.mark.django_db


def test_the_demo_writes_signed_plans_notes_groups_and_homework_and_runs_twice(
    north: Site, persona: Callable[..., User]
) -> None:
    counsellor = persona(RoleCode.CLINICIAN)
    persona(RoleCode.CLINICIAN, requires_cosignature=True)
    for number in range(10):
        episode = factories.episode(
            north, counsellor, person=factories.patient(north, f"Pat{number}", "Demo"),
            admission_date=TODAY - dt.timedelta(days=40 - number),
        )  # fmt: skip
        SupportPerson.objects.create(patient=episode.patient, name="Sam Demo", relation="spouse",
                                     may_join_family_therapy=True)  # fmt: skip
    ticks: list[int] = []

    demo.seed_app(size="small", sites=[north], rng=random.Random(1), tick=ticks.append)
    counts = (PlanVersion.objects.count(), Note.objects.count(), GroupSession.objects.count(), Homework.objects.count())
    demo.seed_app(size="small", sites=[north], rng=random.Random(1), tick=ticks.append)

    assert counts == (
        PlanVersion.objects.count(), Note.objects.count(), GroupSession.objects.count(), Homework.objects.count()
    )  # fmt: skip
    assert PlanVersion.objects.filter(status="signed").count() == 9  # the newest admission waits for its plan
    assert GroupSession.objects.filter(status=NoteStatus.SIGNED).count() == demo.GROUPS_PER_SITE
    sections = Note.objects.filter(group__isnull=False)
    assert sections.count() == demo.GROUPS_PER_SITE * 8
    assert sections.filter(status=NoteStatus.SIGNED).count() == sections.count()
    assert Note.objects.filter(kind=Note.Kind.FAMILY, attendee_links__isnull=False).exists()
    assert Note.objects.filter(late_entry=True).exists()
    assert Note.objects.filter(status=NoteStatus.DRAFT).exists()
    assert Homework.objects.filter(completed_on__isnull=False).exists()
    assert sum(ticks) == 2 * demo.progress_steps("small") // 3  # one site of three, twice
