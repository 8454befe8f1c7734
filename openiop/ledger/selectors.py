# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reads of patients' accounts.

``patient_ledger`` is what a page shows: restricted to ``ledger.view`` and
audited. ``patient_balance`` and ``patient_balances`` are for services and
reports (payment plans, the A/R report): unrestricted, by id, and computed in
the database with a handful of aggregate queries, so a patient with a year of
charges costs no more than one with a week.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.audit.services import log_read
from openiop.billing.models import Charge
from openiop.claims.models import Posting
from openiop.core.access import has_action
from openiop.insurance.models import CoveragePriority
from openiop.ledger.accounts import ZERO, Entry, Ledger, build_ledger, posting_entries, transaction_amount
from openiop.ledger.models import LedgerTransaction, TransactionKind
from openiop.ledger.permissions import LEDGER_VIEW
from openiop.patients.models import Patient

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


def _date(day: dt.date) -> str:
    return f"{day:%m/%d/%Y}"


# --- Entries from the three sources -----------------------------------------------------------------------------------


def _charge_entries(patient_id: int, payer_names: dict[int, str]) -> list[Entry]:
    entries = []
    charges = (
        Charge.objects.live()
        .filter(patient_id=patient_id)
        .select_related("payer")
        .only("pk", "service_date", "code", "units", "amount", "payer__name")
    )
    for charge in charges:
        if charge.payer_id is not None:
            payer_names[charge.payer_id] = charge.payer.name  # type: ignore[union-attr]
            billed_to = _("billed to %(payer)s") % {"payer": charge.payer.name}  # type: ignore[union-attr]
        else:
            billed_to = _("self-pay")
        units = f" x{charge.units}" if charge.units != 1 else ""
        entries.append(
            Entry(
                on=charge.service_date,
                party=charge.payer_id,
                amount=charge.amount,
                description=_("Service %(code)s%(units)s on %(date)s, %(billed_to)s")
                % {"code": charge.code, "units": units, "date": _date(charge.service_date), "billed_to": billed_to},
                source="charge",
                source_id=charge.pk,
                kind="charge",
                reference=charge.code,
            )
        )
    return entries


def _posting_date(posting: Posting) -> dt.date:
    if posting.payment.paid_on:
        return posting.payment.paid_on
    return timezone.localtime(posting.created_at).date()  # as TruncDate reads it in patient_balance


def _posting_entries(patient_id: int, payer_names: dict[int, str]) -> list[Entry]:
    entries: list[Entry] = []
    postings = (
        Posting.objects.filter(claim__patient_id=patient_id)
        .select_related("payment", "claim__payer", "claim__coverage")
        .order_by("created_at", "pk")
    )
    for posting in postings:
        claim = posting.claim
        payer_names[claim.payer_id] = claim.payer.name
        trace = posting.payment.trace_number
        what = _("reversal") if posting.is_reversal else _("remittance")
        description = _("%(payer)s %(what)s for claim %(claim)s (%(start)s to %(end)s), check/EFT %(trace)s") % {
            "payer": claim.payer.name,
            "what": what,
            "claim": claim.patient_control_number,
            "start": _date(claim.statement_start),
            "end": _date(claim.statement_end),
            "trace": trace,
        }
        entries.extend(
            posting_entries(
                on=_posting_date(posting),
                payer=claim.payer_id,
                # The claim-level posting carries the claim's whole payment;
                # a line's posting repeats its share of it, so only the
                # claim-level one counts. Adjustments are per level and add up.
                paid=posting.paid if posting.line_id is None else ZERO,
                written_off=posting.written_off,
                other_adjustment=posting.other_adjustment,
                patient_responsibility=posting.patient_responsibility,
                description=description,
                source_id=posting.pk,
                reference=trace,
                secondary=claim.coverage.priority != CoveragePriority.PRIMARY,
            )
        )
    return entries


def _transaction_description(row: LedgerTransaction) -> str:
    kind = row.get_kind_display()
    if row.reverses is not None:
        kind = _("Reversal of %(kind)s of %(date)s") % {"kind": kind, "date": _date(row.reverses.posted_on)}
    parts = [str(kind)]
    if row.method:
        parts.append(str(row.get_method_display()))
    if row.reference:
        parts.append(_("reference %(reference)s") % {"reference": row.reference})
    if row.memo:
        parts.append(row.memo)
    return ", ".join(parts)


def _transaction_entries(rows: Iterable[LedgerTransaction], payer_names: dict[int, str]) -> list[Entry]:
    entries = []
    for row in rows:
        if row.payer_id is not None:
            payer_names[row.payer_id] = row.payer.name  # type: ignore[union-attr]
        entries.append(
            Entry(
                on=row.posted_on,
                party=row.payer_id,
                amount=transaction_amount(row.kind, row.amount, is_reversal=row.reverses_id is not None),
                description=_transaction_description(row),
                source="transaction",
                source_id=row.pk,
                kind=row.kind,
                reference=row.reference,
            )
        )
    return entries


def ledger_for(patient_id: int) -> tuple[Ledger, dict[int, str]]:
    """The ledger of PATIENT_ID and the names of its payers, unrestricted (for
    the statement renderer and the selectors below; pages go through
    ``patient_ledger``)."""
    payer_names: dict[int, str] = {}
    transactions = LedgerTransaction.objects.filter(patient_id=patient_id).select_related("payer", "reverses")
    entries = [
        *_charge_entries(patient_id, payer_names),
        *_posting_entries(patient_id, payer_names),
        *_transaction_entries(transactions, payer_names),
    ]
    return build_ledger(entries), payer_names


def can_view_account(user: Any, patient: Patient) -> bool:
    return has_action(user, LEDGER_VIEW) and Patient.objects.restrict(user, LEDGER_VIEW).filter(pk=patient.pk).exists()


def patient_ledger(user: Any, patient: Patient) -> Ledger:
    """PATIENT's account for USER (``ledger.view`` at the patient's sites, or
    PermissionDenied); the read is audited."""
    if not can_view_account(user, patient):
        raise PermissionDenied
    ledger, _names = ledger_for(patient.pk)
    log_read(patient, actor=user, data={"view": "ledger.account"})
    return ledger


# --- Balances in the database -----------------------------------------------------------------------------------------


def _sum(expression: Any) -> Any:
    return Coalesce(Sum(expression, output_field=MONEY), Value(ZERO), output_field=MONEY)


_REDUCING = [kind for kind in TransactionKind.values if kind != TransactionKind.REFUND]


def _patient_parts(patient_ids: list[int], on: dt.date | None) -> dict[int, Decimal]:
    """What each patient owes, from three aggregate queries (charges,
    postings, transactions), grouped by patient."""
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)

    charges = Charge.objects.live().filter(patient_id__in=patient_ids, payer__isnull=True)
    if on is not None:
        charges = charges.filter(service_date__lte=on)
    for row in charges.values("patient_id").annotate(total=_sum("amount")):
        totals[row["patient_id"]] += row["total"]

    postings = Posting.objects.filter(claim__patient_id__in=patient_ids)
    if on is not None:
        postings = postings.annotate(day=Coalesce("payment__paid_on", TruncDate("created_at"))).filter(day__lte=on)
    primary = Q(claim__coverage__priority=CoveragePriority.PRIMARY)
    paid_here = Case(When(line__isnull=True, then=F("paid")), default=Value(ZERO), output_field=MONEY)
    secondary_off = ExpressionWrapper(paid_here + F("written_off") + F("other_adjustment"), output_field=MONEY)
    for row in postings.values("claim__patient_id").annotate(
        moved=_sum(Case(When(primary, then=F("patient_responsibility")), default=Value(ZERO), output_field=MONEY)),
        secondary=_sum(Case(When(~primary, then=secondary_off), default=Value(ZERO), output_field=MONEY)),
    ):
        totals[row["claim__patient_id"]] += row["moved"] - row["secondary"]

    transactions = LedgerTransaction.objects.filter(patient_id__in=patient_ids, payer__isnull=True)
    if on is not None:
        transactions = transactions.filter(posted_on__lte=on)
    # A refund adds, every other kind takes off; a reversal flips the sign.
    adds = Q(kind=TransactionKind.REFUND, reverses__isnull=True) | Q(kind__in=_REDUCING, reverses__isnull=False)
    signed = Case(When(adds, then=F("amount")), default=-F("amount"), output_field=MONEY)
    for row in transactions.values("patient_id").annotate(total=_sum(signed)):
        totals[row["patient_id"]] += row["total"]
    return totals


def patient_balance(patient_id: int, *, on: dt.date | None = None) -> Decimal:
    """What the patient owes (the guarantor's balance) at the end of ON, or
    now; negative is a credit. Unrestricted: for services."""
    return _patient_parts([patient_id], on).get(patient_id, ZERO)


def patient_balances(patient_ids: Iterable[int]) -> dict[int, Decimal]:
    """What each patient owes now, every id answered (0 when nothing)."""
    ids = list(dict.fromkeys(patient_ids))
    totals = _patient_parts(ids, None) if ids else {}
    return {patient_id: totals.get(patient_id, ZERO) for patient_id in ids}


def party_balance(patient_id: int, payer_id: int | None) -> Decimal:
    """One responsible party's balance on the patient's account (for the
    services' checks against a payer's balance); the patient's is
    ``patient_balance``."""
    if payer_id is None:
        return patient_balance(patient_id)
    ledger, _names = ledger_for(patient_id)
    return ledger.balances.get(payer_id, ZERO)
