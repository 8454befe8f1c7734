# SPDX-License-Identifier: AGPL-3.0-or-later
"""This app's rows in the permission table (see openiop/core/testing.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openiop.accounts.models import User
from openiop.assessments import placement, services
from openiop.assessments.models import SafetyAlert
from openiop.assessments.permissions import (
    ALERT_ACKNOWLEDGE,
    ALERT_RAISE,
    ASSESSMENT_ADMINISTER,
    ASSESSMENT_VIEW,
    PLACEMENT_DECIDE,
    SAFETY_PLAN_WRITE,
    WITHDRAWAL_RECORD,
)
from openiop.assessments.safety_plan import STEP_KEYS as SAFETY_PLAN_STEPS
from openiop.core.testing import Objects, Page
from openiop.patients.permissions import EPISODE_MANAGE
from openiop.patients.services import episode_admit, patient_register


def extra_objects(base: Objects) -> dict[str, Any]:
    author, _created = User.objects.get_or_create(username="pages-author", defaults={"email": "a@example.invalid"})
    result = services.result_record(actor=author, patient=base.patient, code="PHQ-9", answers=[0] * 8 + [1])
    run = services.placement_run(
        actor=author,
        patient=base.patient,
        ratings={1: 1, 2: 0, 3: 2, 4: 2, 5: 2, 6: 1},
        notes={},
        fit={factor.code: factor.favours_iop_when for factor in placement.FIT_FACTORS},
    )
    # A patient of its own with an active episode and a decided placement that
    # differs from the episode's level (other apps may admit the shared patient).
    other = patient_register(
        site=base.site, legal_first_name="Apply", legal_last_name="Placement", birth_date=dt.date(1980, 2, 2)
    )
    episode_admit(actor=author, patient=other, site=base.site, admission_date=dt.date.today(), level_of_care="2.5")
    decided = services.placement_run(
        actor=author,
        patient=other,
        ratings={1: 1, 2: 0, 3: 2, 4: 2, 5: 2, 6: 1},
        notes={},
        fit={factor.code: factor.favours_iop_when for factor in placement.FIT_FACTORS},
    )
    services.placement_decide(actor=author, run=decided, level="2.1", withdrawal_management=False, reason="x")
    services.safety_plan_write(
        actor=author, patient=base.patient, content=dict.fromkeys(SAFETY_PLAN_STEPS, "A line."), expected_version=0
    )
    return {
        "result": result,
        "alert": SafetyAlert.objects.get(source_result=result),
        "placement": run,
        "decided_placement": decided,
    }


def _patient(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk}


def _pk(key: str) -> Any:
    return lambda objects: {"pk": objects.extra[key].pk}


PAGES = [
    Page(
        "assessments:administer",
        ASSESSMENT_ADMINISTER,
        lambda o: {"patient_pk": o.patient.pk, "code": "PHQ-9"},
        form=True,
    ),
    Page("assessments:result", ASSESSMENT_VIEW, _pk("result")),
    Page("assessments:result_error", ASSESSMENT_ADMINISTER, _pk("result"), form=True),
    Page("assessments:alerts", ASSESSMENT_VIEW),
    Page("assessments:alert", ASSESSMENT_VIEW, _pk("alert")),
    Page("assessments:alert_acknowledge", ALERT_ACKNOWLEDGE, _pk("alert"), form=True),
    Page("assessments:safety_concern", ALERT_RAISE, _patient, form=True),
    Page("assessments:placement_new", PLACEMENT_DECIDE, _patient, form=True),
    Page("assessments:placement", ASSESSMENT_VIEW, _pk("placement")),
    Page("assessments:placement_decide", PLACEMENT_DECIDE, _pk("placement"), form=True),
    Page("assessments:placement_apply", EPISODE_MANAGE, _pk("decided_placement"), form=True),
    Page("assessments:flowsheet", ASSESSMENT_VIEW, _patient),
    Page("assessments:withdrawal_record", WITHDRAWAL_RECORD, _patient, form=True),
    Page("assessments:safety_plan", ASSESSMENT_VIEW, _patient),
    Page("assessments:safety_plan_edit", SAFETY_PLAN_WRITE, _patient, form=True),
    Page("assessments:safety_plan_print", ASSESSMENT_VIEW, _patient),
    Page("assessments:safety_plan_review", SAFETY_PLAN_WRITE, _patient, form=True),
]
