# SPDX-License-Identifier: AGPL-3.0-or-later
"""Good Faith Estimates' rows in the permission table (see openiop/core/testing.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from openiop.core.testing import Objects, Page
from openiop.estimates.permissions import ESTIMATES_ISSUE, ESTIMATES_VIEW

# Stands in for a rendered PDF: the table checks who reaches it, not WeasyPrint.
TABLE_PDF = b"%PDF-1.4 permission table estimate"


def _patient(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk}


def _issued(objects: Objects) -> dict[str, Any]:
    estimate = objects.extra["estimates_issued"]
    return {"patient_pk": estimate.patient_id, "pk": estimate.pk}


def _draft(objects: Objects) -> dict[str, Any]:
    estimate = objects.extra["estimates_draft"]
    return {"patient_pk": estimate.patient_id, "pk": estimate.pk}


PAGES = [
    Page("estimates:due", ESTIMATES_VIEW),
    Page("estimates:new", ESTIMATES_ISSUE, _patient, form=True),
    Page("estimates:detail", ESTIMATES_VIEW, _issued),
    Page("estimates:pdf", ESTIMATES_VIEW, _issued),
    Page("estimates:revise", ESTIMATES_ISSUE, _issued, form=True),
    Page("estimates:deliver", ESTIMATES_ISSUE, _issued, form=True),
    Page("estimates:issue", ESTIMATES_ISSUE, _draft, form=True),
]


def extra_objects(base: Objects) -> dict[str, Any]:
    from django.utils import timezone

    from openiop.estimates import documents
    from openiop.estimates.models import EstimateLine, EstimateStatus, GoodFaithEstimate

    def estimate(version: int) -> GoodFaithEstimate:
        row = GoodFaithEstimate.objects.create(
            patient=base.patient,
            organization=base.site.organization,
            site=base.site,
            version=version,
            self_pay_reason="uninsured",
            level_of_care="2.1",
            primary_service="Intensive outpatient substance use treatment",
            period_start=dt.date(2030, 1, 7),
            period_end=dt.date(2030, 1, 13),
            weeks=1,
            total=Decimal("750.00"),
        )
        EstimateLine.objects.create(
            estimate=row,
            code="H0015",
            description="Alcohol and/or drug services; intensive outpatient, per diem",
            quantity=3,
            unit_charge=Decimal("250.00"),
            total=Decimal("750.00"),
            first_day=dt.date(2030, 1, 7),
            last_day=dt.date(2030, 1, 11),
        )
        return row

    issued = estimate(1)
    issued.content = documents.content(issued, issued_on=dt.date(2030, 1, 2))
    issued.pdf = TABLE_PDF
    issued.pdf_sha256 = documents.sha256_hex(TABLE_PDF)
    issued.status = EstimateStatus.ISSUED
    issued.issued_at = timezone.now()
    issued.save()
    return {"estimates_issued": issued, "estimates_draft": estimate(2)}
