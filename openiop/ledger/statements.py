# SPDX-License-Identifier: AGPL-3.0-or-later
"""The monthly patient statement (PDF, English or Spanish).

A statement may be opened by someone other than the patient (a family member
at the mailbox), so under 42 CFR Part 2 it carries no diagnosis, no service
code and no clinical word: a charge reads "Services" with its date, and
staff memos are left off. It says what was charged in the month, what
insurance paid, adjusted or moved to the patient, the patient's payments and
credits, the previous balance and what the patient owes now, how to pay and
whom to call.

A payment-plan note comes from whichever app keeps payment plans: it
registers a function with ``register_statement_note`` (the ledger reads
nothing from apps above it).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openiop.ledger.accounts import ZERO, Entry, Ledger
from openiop.patients.models import Patient

LANGUAGES = ("en", "es")
TEMPLATE = "ledger/documents/statement.html"  # documents/: rendered only into the PDF

# Functions (patient, period start, period end) -> a sentence or None, called
# in the statement's language. The assistance app adds the payment plan's.
StatementNote = Callable[[Patient, dt.date, dt.date], "str | None"]
STATEMENT_NOTES: list[StatementNote] = []


def register_statement_note(note: StatementNote) -> None:
    if note not in STATEMENT_NOTES:
        STATEMENT_NOTES.append(note)


def statement_months(ledger: Ledger) -> list[dt.date]:
    """The first day of each month with activity on the account, newest first."""
    return sorted({entry.on.replace(day=1) for entry in ledger.entries}, reverse=True)


def period_of(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the month; ValueError for a month that is not one."""
    start = dt.date(year, month, 1)
    return start, start.replace(day=calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class StatementLine:
    on: dt.date
    description: str
    charge: Decimal = ZERO
    insurance: Decimal = ZERO  # paid or adjusted by a payer (positive)
    patient_share: Decimal = ZERO  # moved to the patient, or a refund (positive)
    credit: Decimal = ZERO  # the patient's payments and credits (positive)
    self_pay: bool = False  # a charge billed to the patient, not to a payer


def _date(day: dt.date) -> str:
    return f"{day:%m/%d/%Y}"


def _line(entry: Entry, payer_names: dict[int, str]) -> StatementLine | None:
    """ENTRY as the patient reads it, in the active language; None for the
    payer half of a move to the patient (its other half is the line)."""
    payer = payer_names.get(entry.party or 0, "")
    if entry.source == "charge":
        who = payer or _("you (self-pay)")
        return StatementLine(
            entry.on,
            _("Services on %(date)s, billed to %(who)s") % {"date": _date(entry.on), "who": who},
            charge=entry.amount,
            self_pay=entry.party is None,
        )
    if entry.source == "posting":
        reference = _(" (reference %(reference)s)") % {"reference": entry.reference} if entry.reference else ""
        if entry.kind == "paid":
            text = _("%(payer)s paid") % {"payer": payer}
            return StatementLine(entry.on, text + reference, insurance=-entry.amount)
        if entry.kind == "adjusted":
            text = _("%(payer)s adjustment (amount you do not owe)") % {"payer": payer}
            return StatementLine(entry.on, text + reference, insurance=-entry.amount)
        if entry.kind == "from_payer":
            return StatementLine(
                entry.on,
                _("Your share after insurance (deductible, copay or coinsurance)") + reference,
                patient_share=entry.amount,
            )
        if entry.kind == "secondary":
            return StatementLine(entry.on, _("Secondary insurance paid or adjusted") + reference, credit=-entry.amount)
        return None  # "to_patient": the payer's half of the move above
    if entry.party is not None:
        return None  # an adjustment to a payer's balance is not the patient's business
    labels = {
        "payment": _("Payment, thank you"),
        "refund": _("Refund to you"),
        "financing": _("Payment from your financing lender"),
        "scholarship": _("Scholarship or grant"),
        "sliding_fee": _("Sliding fee discount"),
        "adjustment": _("Adjustment"),
    }
    text = labels.get(entry.kind, _("Adjustment"))
    if entry.reference:
        text += _(" (reference %(reference)s)") % {"reference": entry.reference}
    if entry.amount > 0:
        if entry.kind != "refund":
            text = _("Reversal: %(what)s") % {"what": text}
        return StatementLine(entry.on, text, patient_share=entry.amount)
    if entry.kind == "refund":
        text = _("Reversal: %(what)s") % {"what": text}
    return StatementLine(entry.on, text, credit=-entry.amount)


def statement_context(
    patient: Patient, ledger: Ledger, payer_names: dict[int, str], year: int, month: int, language: str
) -> dict[str, Any]:
    """Everything the statement template shows, worded in LANGUAGE."""
    start, end = period_of(year, month)
    today = timezone.localdate()
    with translation.override(language):
        lines = [line for entry in ledger.between(start, end) if (line := _line(entry, payer_names))]
        before = ledger.balances_before(start)
        after = ledger.balances_before(end + dt.timedelta(days=1))
        previous = before.get(None, ZERO)
        owed = after.get(None, ZERO)
        notes = [text for note in STATEMENT_NOTES if (text := note(patient, start, end))]
        site = patient.site
        return {
            "language": language,
            "patient": patient,
            "site": site,
            "organization": site.organization,
            "period_start": start,
            "period_end": end,
            "statement_date": min(today, end) if start <= today else end,
            "lines": lines,
            "previous_balance": previous,
            "new_patient_charges": sum(
                (line.patient_share + (line.charge if line.self_pay else ZERO) for line in lines), ZERO
            ),
            "payments_and_credits": sum((line.credit for line in lines), ZERO),
            "total_charges": sum((line.charge for line in lines), ZERO),
            "insurance_paid_or_adjusted": sum((line.insurance for line in lines), ZERO),
            "insurance_pending": sum((amount for party, amount in after.items() if party is not None), ZERO),
            "amount_due": owed,
            "notes": notes,
        }
