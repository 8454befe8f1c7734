# SPDX-License-Identifier: AGPL-3.0-or-later
"""Plans, notes and groups for the treatment tests (and the permission table)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count
from typing import Any

from django.utils import timezone

from openiop.accounts.models import User
from openiop.patients import services as patient_services
from openiop.patients.models import Episode, Patient
from openiop.sites.models import Site
from openiop.treatment.models import Goal, Intervention, Objective, PlanVersion, Problem, ServiceType
from openiop.treatment.services import plans

_phones = count(200)


def patient(site: Site, first: str = "Maria", last: str = "Garcia", **fields: Any) -> Patient:
    values: dict[str, Any] = {
        "legal_first_name": first,
        "legal_last_name": last,
        "birth_date": dt.date(1985, 6, 1),
        "phone": f"617-555-{next(_phones):04d}",
    }
    values.update(fields)
    return patient_services.patient_register(site=site, **values)


def episode(site: Site, actor: User | None = None, person: Patient | None = None, **fields: Any) -> Episode:
    return patient_services.episode_admit(
        actor=actor,
        patient=person or patient(site),
        site=site,
        admission_date=fields.pop("admission_date", timezone.localdate() - dt.timedelta(days=10)),
        primary_counsellor=actor,
        **fields,
    )


def draft_plan(
    actor: User,
    on: Episode,
    *,
    sessions: tuple[tuple[str, str, int], ...] = ((ServiceType.GROUP, "3", 180), (ServiceType.INDIVIDUAL, "1", 50)),
) -> PlanVersion:
    version = plans.plan_start(actor=actor, episode=on)
    problem = plans.draft_item_save(
        actor=actor, version=version, expected_lock_version=None,
        item=Problem(description="Alcohol use disorder, moderate", icd10_code="F10.20"),
    )  # fmt: skip
    goal = plans.draft_item_save(
        actor=actor, version=version, expected_lock_version=None,
        item=Goal(problem=problem, statement="Stop drinking", patient_words="I want my mornings back"),
    )  # fmt: skip
    for text in ("Attend mutual-help meetings", "Use a craving plan"):
        plans.draft_item_save(
            actor=actor, version=version, expected_lock_version=None,
            item=Objective(
                goal=goal, description=text, measurable_target="3 times a week for 4 weeks",
                target_date=timezone.localdate() + dt.timedelta(days=30),
            ),
        )  # fmt: skip
    for service, per_week, minutes in sessions:
        plans.draft_item_save(
            actor=actor, version=version, expected_lock_version=None,
            item=Intervention(
                problem=problem, service_type=service, sessions_per_week=Decimal(per_week), minutes=minutes,
                responsible=actor,
            ),
        )  # fmt: skip
    version.refresh_from_db()
    return version


def signed_plan(actor: User, on: Episode, **kwargs: Any) -> PlanVersion:
    version = draft_plan(actor, on, **kwargs)
    return plans.plan_sign(actor=actor, version=version, acknowledgement="signed")
