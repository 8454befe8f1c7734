# SPDX-License-Identifier: AGPL-3.0-or-later
"""Claims' rows in the permission table (see openiop/core/testing.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from openiop.claims.permissions import CLAIMS_VIEW, CLAIMS_WORK
from openiop.core.testing import Objects, Page


def _claim(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.extra["claims_claim"].pk}


PAGES = [
    Page("claims:list", CLAIMS_VIEW),
    Page("claims:denials", CLAIMS_VIEW),
    Page("claims:detail", CLAIMS_VIEW, _claim),
    Page("claims:replace", CLAIMS_WORK, _claim, form=True),
    Page("claims:build", CLAIMS_WORK, form=True),
    Page("claims:import", CLAIMS_WORK, form=True),
]


def extra_objects(base: Objects) -> dict[str, Any]:
    from openiop.claims.models import Claim, ClaimStatus
    from openiop.insurance.models import Coverage, Payer

    payer = Payer.objects.create(
        organization=base.site.organization, name=f"Claims payer {base.site.code}", payer_id=f"CP{base.site.code}"
    )
    coverage = Coverage.objects.create(
        patient=base.patient, payer=payer, member_id=f"CM{base.patient.pk}", effective_date=dt.date(2030, 1, 1)
    )
    claim = Claim.objects.create(
        patient=base.patient,
        site=base.site,
        payer=payer,
        coverage=coverage,
        claim_type="837I",
        patient_control_number=f"PM{base.site.code}"[:20],
        statement_start=dt.date(2030, 1, 5),
        statement_end=dt.date(2030, 1, 5),
        total=Decimal("250.00"),
        status=ClaimStatus.DENIED,
        problems=["CO-197"],
    )
    return {"claims_claim": claim}
