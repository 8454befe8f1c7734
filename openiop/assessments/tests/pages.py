# SPDX-License-Identifier: AGPL-3.0-or-later
"""This app's rows in the permission table (see openiop/core/testing.py)."""

from __future__ import annotations

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
    WITHDRAWAL_RECORD,
)
from openiop.core.testing import Objects, Page


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
    return {"result": result, "alert": SafetyAlert.objects.get(source_result=result), "placement": run}


def _patient(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk}


def _pk(key: str) -> Any:
    return lambda objects: {"pk": objects.extra[key].pk}


PAGES = [
    Page("assessments:administer", ASSESSMENT_ADMINISTER, lambda o: {"patient_pk": o.patient.pk, "code": "PHQ-9"}),
    Page("assessments:result", ASSESSMENT_VIEW, _pk("result")),
    Page("assessments:result_error", ASSESSMENT_ADMINISTER, _pk("result")),
    Page("assessments:alerts", ASSESSMENT_VIEW),
    Page("assessments:alert", ASSESSMENT_VIEW, _pk("alert")),
    Page("assessments:alert_acknowledge", ALERT_ACKNOWLEDGE, _pk("alert")),
    Page("assessments:safety_concern", ALERT_RAISE, _patient),
    Page("assessments:placement_new", PLACEMENT_DECIDE, _patient),
    Page("assessments:placement", ASSESSMENT_VIEW, _pk("placement")),
    Page("assessments:placement_decide", PLACEMENT_DECIDE, _pk("placement")),
    Page("assessments:flowsheet", ASSESSMENT_VIEW, _patient),
    Page("assessments:withdrawal_record", WITHDRAWAL_RECORD, _patient),
]
