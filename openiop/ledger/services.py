# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes to patients' accounts: post a transaction, reverse one.

A transaction is never edited or deleted; a mistake is reversed. Every write
is audited. Who may post what:

- patient payments and financing: ``ledger.post`` (front desk, billing);
- adjustments, refunds and reversals: ``ledger.adjust`` (billing only);
- scholarships and sliding fee discounts: the assistance app posts them
  under its own permission checks (the actor may be None for the system).

A credit larger than what its party owes is refused with the balance named,
and so is a refund larger than the credit on the account. The check and the
write run under a lock on the patient's row, so two payments taken at two
windows at once cannot together pay more than the balance.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openiop.audit.services import log_action
from openiop.core.access import has_action
from openiop.insurance.models import Payer
from openiop.ledger.accounts import ZERO, transaction_amount
from openiop.ledger.card_data import looks_like_card_number
from openiop.ledger.models import LedgerTransaction, PaymentMethod, TransactionKind
from openiop.ledger.permissions import LEDGER_ADJUST, LEDGER_POST
from openiop.ledger.selectors import party_balance
from openiop.patients.models import Episode, Patient

MAX_AMOUNT = Decimal("100000.00")
CENT = Decimal("0.01")

# Kinds only the billing specialist posts (they change what is owed without money coming in).
ADJUSTING_KINDS = frozenset({TransactionKind.ADJUSTMENT, TransactionKind.REFUND})
# Kinds taken at the window.
PAYMENT_KINDS = frozenset({TransactionKind.PATIENT_PAYMENT, TransactionKind.FINANCING})
# Kinds the assistance app posts and reverses (it keeps the award or discount beside them).
ASSISTANCE_KINDS = frozenset({TransactionKind.SCHOLARSHIP, TransactionKind.SLIDING_FEE})


def money(value: Any) -> str:
    return f"${Decimal(value):,.2f}".replace("$-", "-$")


def _clean_amount(amount: Any) -> Decimal:
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"amount": _("Enter an amount in dollars and cents, such as 25.00.")}) from None
    if not value.is_finite() or value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValidationError({"amount": _("Enter an amount in dollars and cents, such as 25.00.")})
    if value <= 0:
        raise ValidationError({"amount": _("The amount must be more than $0.00.")})
    if value > MAX_AMOUNT:
        raise ValidationError({"amount": _("The amount may be at most %(max)s.") % {"max": money(MAX_AMOUNT)}})
    return value.quantize(CENT)


def _check_text(field: str, value: str, max_length: int) -> str:
    value = (value or "").strip()
    if looks_like_card_number(value):
        raise ValidationError(
            {
                field: _(
                    "This looks like a card number. Record only the terminal's authorization or reference "
                    "number; card numbers are never stored."
                )
            }
        )
    if len(value) > max_length:
        raise ValidationError({field: _("At most %(count)d characters.") % {"count": max_length}})
    return value


def _check_permission(actor: Any, kind: str) -> None:
    if actor is None:
        return  # the system (e.g. an award the assistance app posts from a job)
    if kind in ADJUSTING_KINDS and not has_action(actor, LEDGER_ADJUST):
        raise PermissionDenied(_("Only the billing specialist may post adjustments and refunds."))
    if kind in PAYMENT_KINDS and not has_action(actor, LEDGER_POST):
        raise PermissionDenied(_("You may not record payments."))


def _check_against_balance(patient: Patient, payer: Payer | None, kind: str, amount: Decimal) -> None:
    balance = party_balance(patient.pk, payer.pk if payer else None)
    effect = transaction_amount(kind, amount)
    whose = _("the patient's balance") if payer is None else _("%(payer)s's balance") % {"payer": payer.name}
    if effect < 0 and amount > balance:
        if balance <= ZERO:
            message = _("Nothing is owed: %(whose)s is %(balance)s.")
        else:
            message = _("%(amount)s is more than %(whose)s of %(balance)s.")
        raise ValidationError(
            {"amount": message % {"amount": money(amount), "whose": whose, "balance": money(balance)}}
        )
    if effect > 0 and amount > -balance:
        credit = max(-balance, ZERO)
        raise ValidationError(
            {
                "amount": _("A refund may be at most the credit on the account, %(credit)s (%(whose)s is %(balance)s).")
                % {"credit": money(credit), "whose": whose, "balance": money(balance)}
            }
        )


def transaction_post(
    *,
    actor: Any,
    patient: Patient,
    kind: TransactionKind | str,
    amount: Decimal,
    posted_on: dt.date | None = None,
    method: str = "",
    reference: str = "",
    memo: str = "",
    payer: Payer | None = None,
    episode: Episode | None = None,
    submission_key: uuid.UUID | str | None = None,
) -> LedgerTransaction:
    """Post one transaction to PATIENT's account (see the module's rules).

    SUBMISSION_KEY, when given, makes the call idempotent: a second call with
    the same key returns the first transaction and posts nothing."""
    if kind not in TransactionKind.values:
        raise ValidationError({"kind": _("Choose what kind of transaction this is.")})
    kind = TransactionKind(kind)
    _check_permission(actor, kind)
    key = _clean_key(submission_key)
    earlier = _submitted_before(key)
    if earlier is not None:
        if earlier.patient_id == patient.pk and earlier.reverses_id is None:
            return earlier
        raise ValidationError(KEY_USED_ELSEWHERE)
    value = _clean_amount(amount)
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Choose how it was paid.")})
    reference = _check_text("reference", reference, 60)
    memo = _check_text("memo", memo, 300)
    today = timezone.localdate()
    posted_on = posted_on or today
    if posted_on > today:
        raise ValidationError({"posted_on": _("The date may not be in the future.")})
    if episode is not None and episode.patient_id != patient.pk:
        raise ValidationError({"episode": _("That episode is another patient's.")})
    if kind == TransactionKind.FINANCING and not reference:
        raise ValidationError({"reference": _("Enter the lender's loan reference.")})
    try:
        with transaction.atomic():
            Patient.objects.select_for_update().filter(pk=patient.pk).first()  # one write at a time per account
            _check_against_balance(patient, payer, kind, value)
            row = LedgerTransaction.objects.create(
                patient=patient,
                episode=episode,
                site_id=episode.site_id if episode is not None else patient.site_id,
                payer=payer,
                kind=kind,
                amount=value,
                method=method,
                reference=reference,
                memo=memo,
                posted_on=posted_on,
                created_by=actor,
                submission_key=key,
            )
            log_action(
                "ledger.post",
                obj=row,
                actor=actor,
                data={"kind": kind.value, "amount": str(value), "method": method, "payer": payer.pk if payer else None},
            )
    except IntegrityError:
        # The same form submitted twice at the same moment: the other request won.
        earlier = LedgerTransaction.objects.filter(submission_key=key, patient=patient).first() if key else None
        if earlier is None:
            raise
        return earlier
    return row


# A form's one-time key that already posted something else: another patient's
# form, or a reversal's (a key is unique, so saving would fail in the database).
KEY_USED_ELSEWHERE = gettext_lazy("This form was already used for another entry; open it again.")


def _submitted_before(key: uuid.UUID | None) -> LedgerTransaction | None:
    return LedgerTransaction.objects.filter(submission_key=key).first() if key is not None else None


def _clean_key(value: uuid.UUID | str | None) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise ValidationError(_("The form expired; open it again.")) from None


def transaction_reverse(
    *, actor: Any, transaction: LedgerTransaction, reason: str, submission_key: uuid.UUID | str | None = None
) -> LedgerTransaction:
    """Undo TRANSACTION with a reversing one of the same kind and amount
    (both stay on the record); a reason is required. Billing specialist only,
    except awards and sliding fee discounts, which the assistance app reverses
    under its own checks (the actor may be None for the system)."""
    if transaction.kind not in ASSISTANCE_KINDS and (actor is None or not has_action(actor, LEDGER_ADJUST)):
        raise PermissionDenied(_("Only the billing specialist may reverse a transaction."))
    key = _clean_key(submission_key)
    earlier = _submitted_before(key)
    if earlier is not None:
        if earlier.reverses_id == transaction.pk:
            return earlier
        raise ValidationError(KEY_USED_ELSEWHERE)
    reason = _check_text("reason", reason, 300)
    if not reason:
        raise ValidationError({"reason": _("Say why the transaction is reversed.")})
    return _reverse(actor, transaction, reason, key)


def _reverse(actor: Any, original: LedgerTransaction, reason: str, key: uuid.UUID | None) -> LedgerTransaction:
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=original.patient_id).first()
        original = LedgerTransaction.objects.select_for_update().get(pk=original.pk)
        if original.reverses_id is not None:
            raise ValidationError(_("A reversal cannot itself be reversed; post a new transaction instead."))
        if LedgerTransaction.objects.filter(reverses=original).exists():
            raise ValidationError(_("This transaction was reversed already."))
        row = LedgerTransaction.objects.create(
            patient_id=original.patient_id,
            episode_id=original.episode_id,
            site_id=original.site_id,
            payer_id=original.payer_id,
            kind=original.kind,
            amount=original.amount,
            method=original.method,
            reference=original.reference,
            memo=reason,
            posted_on=timezone.localdate(),
            reverses=original,
            created_by=actor,
            submission_key=key,
        )
        log_action(
            "ledger.reverse",
            obj=row,
            actor=actor,
            data={"reverses": original.pk, "kind": original.kind, "amount": str(original.amount)},
        )
    return row
