# SPDX-License-Identifier: AGPL-3.0-or-later
"""Bad input to the ledger's services: a clear message on the right field,
nothing posted; the same submission twice posts once; who may adjust."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.ledger.models import LedgerTransaction, TransactionKind
from openiop.ledger.selectors import patient_balance
from openiop.ledger.services import transaction_post, transaction_reverse
from openiop.ledger.tests.builders import Account, january, self_pay_account, self_pay_charge
from openiop.sites.models import Site


@pytest.fixture
def account(north: Site) -> Account:
    return self_pay_account(north)


@pytest.fixture
def billing(persona: Callable[..., User]) -> User:
    return persona(RoleCode.BILLING_SPECIALIST)


def post(account: Account, actor: User, **fields: Any) -> LedgerTransaction:
    values: dict[str, Any] = {"kind": TransactionKind.PATIENT_PAYMENT, "amount": Decimal("10.00"), "method": "cash"}
    values.update(fields)
    return transaction_post(actor=actor, patient=account.episode.patient, **values)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"amount": Decimal(0)}, "amount", "more than $0.00"),
        ({"amount": Decimal("-5")}, "amount", "more than $0.00"),
        ({"amount": Decimal("10.005")}, "amount", "dollars and cents"),
        ({"amount": "ten"}, "amount", "dollars and cents"),
        ({"amount": Decimal("100000.01")}, "amount", "at most $100,000.00"),
        ({"amount": Decimal("295.01")}, "amount", "$295.01 is more than the patient's balance of $295.00"),
        ({"kind": TransactionKind.SCHOLARSHIP, "amount": Decimal(300)}, "amount", "balance of $295.00"),
        ({"kind": TransactionKind.REFUND, "amount": Decimal(5)}, "amount", "at most the credit on the account, $0.00"),
        ({"method": "card", "reference": "4111-1111-1111-1111"}, "reference", "looks like a card number"),
        ({"memo": "card 5500 0000 0000 0004"}, "memo", "looks like a card number"),
        ({"posted_on": dt.date(2026, 3, 21)}, "posted_on", "future"),
        ({"kind": TransactionKind.FINANCING, "method": "lender"}, "reference", "loan reference"),
        ({"method": "bitcoin"}, "method", "how it was paid"),
        ({"kind": "gift"}, "kind", "what kind"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_posted(
    account: Account, billing: User, fields: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        post(account, billing, **fields)

    assert words in " ".join(refused.value.message_dict[field])
    assert not LedgerTransaction.objects.exists()
    assert patient_balance(account.episode.patient.pk) == Decimal("295.00")


def test_the_same_submission_twice_posts_once(account: Account, billing: User) -> None:
    key = uuid.uuid4()
    first = post(account, billing, submission_key=key)
    second = post(account, billing, submission_key=str(key), amount=Decimal("20.00"))

    assert first.pk == second.pk
    assert LedgerTransaction.objects.count() == 1
    assert patient_balance(account.episode.patient.pk) == Decimal("285.00")


def test_a_payment_of_the_whole_balance_is_taken_and_then_nothing_more(account: Account, billing: User) -> None:
    post(account, billing, amount=Decimal("295.00"))
    with pytest.raises(ValidationError, match="Nothing is owed"):
        post(account, billing, amount=Decimal("0.01"))


def test_the_front_desk_takes_payments_but_may_not_adjust_refund_or_reverse(
    account: Account, persona: Callable[..., User], billing: User
) -> None:
    front_desk = persona(RoleCode.FRONT_DESK)
    taken = post(account, front_desk)
    for kind in (TransactionKind.ADJUSTMENT, TransactionKind.REFUND):
        with pytest.raises(PermissionDenied):
            post(account, front_desk, kind=kind, method="")
    with pytest.raises(PermissionDenied):
        transaction_reverse(actor=front_desk, transaction=taken, reason="Mistake")
    with pytest.raises(PermissionDenied):
        post(account, persona(RoleCode.CLINICIAN))
    assert LedgerTransaction.objects.count() == 1


def test_a_reversal_needs_a_reason_and_happens_once(account: Account, billing: User) -> None:
    taken = post(account, billing)
    with pytest.raises(ValidationError, match="why"):
        transaction_reverse(actor=billing, transaction=taken, reason=" ")
    reversal = transaction_reverse(actor=billing, transaction=taken, reason="Check returned")
    with pytest.raises(ValidationError, match="reversed already"):
        transaction_reverse(actor=billing, transaction=taken, reason="Again")
    with pytest.raises(ValidationError, match="cannot itself be reversed"):
        transaction_reverse(actor=billing, transaction=reversal, reason="Undo the undo")
    assert patient_balance(account.episode.patient.pk) == Decimal("295.00")


def test_an_adjustment_may_clear_a_payers_balance_up_to_what_it_owes(account: Account, billing: User) -> None:
    with pytest.raises(ValidationError, match="Sunrise Health Plan's balance"):
        post(account, billing, kind=TransactionKind.ADJUSTMENT, method="", payer=account.payer, memo="Small balance")


def test_the_assistance_app_reverses_its_awards_itself_but_not_payments(account: Account, billing: User) -> None:
    award = post(account, None, kind=TransactionKind.SCHOLARSHIP, method="fund", amount=Decimal("50.00"))
    reversal = transaction_reverse(actor=None, transaction=award, reason="The fund withdrew the award")
    assert reversal.reverses_id == award.pk
    taken = post(account, billing)
    with pytest.raises(PermissionDenied):
        transaction_reverse(actor=None, transaction=taken, reason="Nobody may")
    assert patient_balance(account.episode.patient.pk) == Decimal("285.00")


def test_a_form_key_that_already_posted_elsewhere_is_refused_not_a_server_error(
    account: Account, billing: User, north: Site
) -> None:
    # A replayed or tampered hidden key: another patient's payment, or a reversal's.
    from openiop.scheduling.tests.pages import admitted

    other = admitted(north, "Olive", "Other")
    self_pay_charge(other, january(10)[0], "50.00")
    key = uuid.uuid4()
    transaction_post(actor=billing, patient=other.patient, kind=TransactionKind.PATIENT_PAYMENT,
                     amount=Decimal("10.00"), method="cash", submission_key=key)  # fmt: skip
    with pytest.raises(ValidationError, match="already used for another entry"):
        post(account, billing, submission_key=key)
    taken = post(account, billing)
    with pytest.raises(ValidationError, match="already used for another entry"):
        transaction_reverse(actor=billing, transaction=taken, reason="Check returned", submission_key=key)
    reversal = transaction_reverse(actor=billing, transaction=taken, reason="Returned", submission_key=uuid.uuid4())
    with pytest.raises(ValidationError, match="already used for another entry"):
        post(account, billing, submission_key=reversal.submission_key)
    assert LedgerTransaction.objects.filter(patient=account.episode.patient).count() == 2
    assert patient_balance(account.episode.patient.pk) == Decimal("295.00")
