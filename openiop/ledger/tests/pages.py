# SPDX-License-Identifier: AGPL-3.0-or-later
"""The ledger's rows in the permission table (see openiop/core/testing.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from openiop.core.testing import Objects, Page
from openiop.ledger.permissions import LEDGER_ADJUST, LEDGER_POST, LEDGER_VIEW


def _patient(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk}


def _payment_form(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk, "form_kind": "payment"}


def _transaction(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk, "pk": objects.extra["ledger_transaction"].pk}


def _statement(objects: Objects) -> dict[str, Any]:
    return {"patient_pk": objects.patient.pk, "year": 2030, "month": 1}


PAGES: list[Page] = [
    Page("ledger:account", LEDGER_VIEW, _patient),
    Page("ledger:transaction_new", LEDGER_POST, _payment_form, form=True),
    Page("ledger:transaction_reverse", LEDGER_ADJUST, _transaction, form=True),
    Page("ledger:statement", LEDGER_VIEW, _statement),
]


def extra_objects(base: Objects) -> dict[str, Any]:
    from openiop.ledger.models import LedgerTransaction, TransactionKind

    # A refund row stands without a balance behind it (made directly, not
    # through the service), which is all the reversal page needs to show.
    transaction = LedgerTransaction.objects.create(
        patient=base.patient,
        site=base.site,
        kind=TransactionKind.REFUND,
        amount=Decimal("10.00"),
        method="check",
        reference="1001",
        posted_on=dt.date(2030, 1, 5),
    )
    return {"ledger_transaction": transaction}
