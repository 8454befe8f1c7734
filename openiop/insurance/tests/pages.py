# SPDX-License-Identifier: AGPL-3.0-or-later
"""This app's rows in the permission table (see openiop/core/testing.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from openiop.core.testing import Objects, Page
from openiop.insurance import services
from openiop.insurance.permissions import AUTHORIZATIONS_EDIT, COVERAGE_EDIT, COVERAGE_VIEW, ELIGIBILITY_CHECK

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _patient(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk}


def _coverage(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk, "pk": objects.extra["insurance_coverage"].pk}


def _card(objects: Objects) -> dict[str, Any]:
    return {**_coverage(objects), "side": "front"}


def _authorization(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk, "pk": objects.extra["insurance_authorization"].pk}


PAGES: list[Page] = [
    Page("insurance:coverage_add", COVERAGE_EDIT, _patient, form=True),
    Page("insurance:coverage_edit", COVERAGE_EDIT, _coverage, form=True),
    Page("insurance:card_upload", COVERAGE_EDIT, _coverage, form=True),
    Page("insurance:card", COVERAGE_VIEW, _card),
    Page("insurance:check_add", ELIGIBILITY_CHECK, _coverage, form=True),
    Page("insurance:check_send", ELIGIBILITY_CHECK, _coverage, form=True),
    Page("insurance:authorization_add", AUTHORIZATIONS_EDIT, _patient, form=True),
    Page("insurance:authorization_edit", AUTHORIZATIONS_EDIT, _authorization, form=True),
]


def extra_objects(base: Objects) -> dict[str, Any]:
    code = re.sub(r"[^A-Za-z0-9]", "", base.site.code).upper()
    payer = services.payer_create(
        actor=None, organization=base.site.organization, name=f"Page Health {code}", payer_id=f"PH{code}"[:80]
    )
    today = timezone.localdate()
    coverage = services.coverage_create(
        actor=None, patient=base.patient, payer=payer, member_id="PAGE123", effective_date=today
    )
    coverage = services.coverage_card_attach(
        actor=None,
        coverage=coverage,
        side="front",
        upload=SimpleUploadedFile("front.png", PNG),
        expected_version=coverage.version,
    )
    authorization = services.authorization_create(
        actor=None,
        patient=base.patient,
        coverage=coverage,
        number="PAGE-AUTH",
        service_code="H0015",
        units_authorized=12,
        start_date=today,
        end_date=today + dt.timedelta(days=20),
    )
    return {"insurance_coverage": coverage, "insurance_authorization": authorization}
