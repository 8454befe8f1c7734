# SPDX-License-Identifier: AGPL-3.0-or-later
"""Billing's rows in the permission table (see openiop/core/testing.py)."""

from __future__ import annotations

from typing import Any

from openiop.billing.permissions import BILLING_EXPORT, BILLING_MANAGE, BILLING_REVIEW_PACKET, BILLING_VIEW
from openiop.billing.tests.workspace.conftest import make_authorization, make_coverage, make_payer
from openiop.core.testing import Objects, Page


def _authorization(objects: Objects) -> dict[str, Any]:
    return {"pk": objects.extra["billing_authorization"].pk}


PAGES = [
    Page("billing:workspace", BILLING_VIEW),
    Page("billing:export", BILLING_EXPORT),
    Page("billing:fees", BILLING_MANAGE, form=True),
    Page("billing:review_packet", BILLING_REVIEW_PACKET, _authorization, form=True),
]


def extra_objects(base: Objects) -> dict[str, Any]:
    payer = make_payer(base.site, name=f"Payer {base.site.code}", payer_id=f"P{base.site.code}".replace("-", ""))
    coverage = make_coverage(base.patient, payer)
    return {"billing_payer": payer, "billing_authorization": make_authorization(coverage)}
