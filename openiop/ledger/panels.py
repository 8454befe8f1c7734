# SPDX-License-Identifier: AGPL-3.0-or-later
"""The chart tabs ledger adds to a patient's chart: each tab's context, given the request and the patient."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from openiop.core.access import has_action
from openiop.insurance.models import Payer
from openiop.ledger import services
from openiop.ledger.models import LedgerTransaction
from openiop.ledger.permissions import LEDGER_ADJUST, LEDGER_POST, LEDGER_VIEW
from openiop.ledger.selectors import patient_ledger
from openiop.ledger.statements import statement_months
from openiop.patients.models import Patient


def account_tab(request: HttpRequest, patient: Patient) -> dict[str, Any]:
    """The Account tab's context (the chart registers it; ``ledger.view``)."""
    ledger = patient_ledger(request.user, patient)
    payer_ids = [party for party in ledger.balances if party is not None]
    payers = dict(Payer.objects.filter(pk__in=payer_ids).values_list("pk", "name"))
    # Awards and discounts are reversed from Ways to pay, which keeps the fund's budget beside them.
    reversible = (
        LedgerTransaction.objects.restrict(request.user, LEDGER_VIEW)
        .filter(patient=patient, reverses__isnull=True, reversed_by__isnull=True)
        .exclude(kind__in=services.ASSISTANCE_KINDS)
    )
    return {
        "ledger": ledger,
        # Newest first, as people look for the latest; each with its party's name.
        "rows": [(entry, payers.get(entry.party or 0, "")) for entry in reversed(ledger.entries)],
        "payer_balances": [(payers.get(pk, "?"), amount) for pk, amount in ledger.payer_balances.items()],
        "months": statement_months(ledger),
        "reversible": set(reversible.values_list("pk", flat=True)),
        "can_post": has_action(request.user, LEDGER_POST),
        "can_adjust": has_action(request.user, LEDGER_ADJUST),
        "spanish": patient.language.strip().lower() in {"spanish", "español", "espanol", "es"},
    }
