# SPDX-License-Identifier: AGPL-3.0-or-later
"""A patient's account as arithmetic: entries in, balances out (pure).

No Django model is imported here: the selectors turn charges, 835 postings and
ledger transactions into ``Entry`` values and ``build_ledger`` puts them in
date order with a running balance per responsible party.

Signs: a positive amount means the party owes more (a charge, a refund paid
out to the patient), a negative one that it owes less (a payment, a write-off,
a discount). A party is a payer's id, or ``None`` for the patient (guarantor).
Moving patient responsibility (835 group PR) from a payer to the patient is
two entries of opposite sign, one per party, so every party's balance is
always the plain sum of its entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

PATIENT: None = None
ZERO = Decimal("0.00")

# Order within one day: what was charged comes before what paid it.
SOURCE_ORDER = {"charge": 0, "posting": 1, "transaction": 2}


@dataclass(frozen=True)
class Entry:
    """One line on the account: a charge, a payer's payment or adjustment, a
    move to patient responsibility or a ledger transaction."""

    on: dt.date
    party: int | None
    amount: Decimal
    description: str
    source: str = "transaction"  # "charge", "posting" or "transaction"
    source_id: int = 0
    kind: str = ""
    reference: str = ""
    running_balance: Decimal = ZERO

    @property
    def charge(self) -> Decimal:
        """The amount in the "charges" column (what adds to a balance)."""
        return self.amount if self.amount > 0 else ZERO

    @property
    def credit(self) -> Decimal:
        """The amount in the "credits" column (what takes off a balance), positive."""
        return -self.amount if self.amount < 0 else ZERO

    @property
    def is_patient(self) -> bool:
        return self.party is None


@dataclass(frozen=True)
class Ledger:
    entries: list[Entry] = field(default_factory=list)
    balances: dict[int | None, Decimal] = field(default_factory=dict)

    @property
    def patient_balance(self) -> Decimal:
        """What the patient owes (negative: a credit on the account)."""
        return self.balances.get(PATIENT, ZERO)

    @property
    def insurance_balance(self) -> Decimal:
        """What the payers together still owe."""
        return sum((amount for party, amount in self.balances.items() if party is not None), ZERO)

    @property
    def total_balance(self) -> Decimal:
        return sum(self.balances.values(), ZERO)

    @property
    def payer_balances(self) -> dict[int, Decimal]:
        return {party: amount for party, amount in self.balances.items() if party is not None}

    def between(self, start: dt.date, end: dt.date) -> list[Entry]:
        """The entries dated START to END inclusive (a statement's period)."""
        return [entry for entry in self.entries if start <= entry.on <= end]

    def balances_before(self, day: dt.date) -> dict[int | None, Decimal]:
        """Each party's balance at the end of the day before DAY."""
        return balances_of(entry for entry in self.entries if entry.on < day)


def _sort_key(entry: Entry) -> tuple[dt.date, int, int]:
    return (entry.on, SOURCE_ORDER.get(entry.source, 3), entry.source_id)


def balances_of(entries: Iterable[Entry]) -> dict[int | None, Decimal]:
    balances: dict[int | None, Decimal] = {}
    for entry in entries:
        balances[entry.party] = balances.get(entry.party, ZERO) + entry.amount
    return balances


def build_ledger(entries: Iterable[Entry]) -> Ledger:
    """Put ENTRIES in date order (charges before credits on a day, then by
    source id; the sort is stable, so a PR move's two halves stay together)
    and give each its party's running balance."""
    ordered = sorted(entries, key=_sort_key)
    running: dict[int | None, Decimal] = {}
    placed: list[Entry] = []
    for entry in ordered:
        running[entry.party] = running.get(entry.party, ZERO) + entry.amount
        placed.append(replace(entry, running_balance=running[entry.party]))
    return Ledger(entries=placed, balances=running)


# How each transaction kind moves its party's balance (a reversal flips it).
# Values are the TransactionKind values of openiop.ledger.models, kept as
# plain strings so this module stays free of Django.
TRANSACTION_SIGN: dict[str, int] = {
    "payment": -1,
    "refund": 1,
    "financing": -1,
    "scholarship": -1,
    "sliding_fee": -1,
    "adjustment": -1,
}


def transaction_amount(kind: str, amount: Decimal, *, is_reversal: bool = False) -> Decimal:
    """The signed effect of a ledger transaction of KIND and positive AMOUNT."""
    sign = TRANSACTION_SIGN[kind]
    return amount * sign * (-1 if is_reversal else 1)


def posting_entries(
    *,
    on: dt.date,
    payer: int,
    paid: Decimal,
    written_off: Decimal,
    other_adjustment: Decimal,
    patient_responsibility: Decimal,
    description: str,
    source_id: int = 0,
    reference: str = "",
    secondary: bool = False,
) -> list[Entry]:
    """The entries one 835 posting makes. Paid, CO (written off) and OA/PI
    take off the payer's balance; PR moves from the payer to the patient. A
    reversal's amounts are negative, so the same arithmetic undoes it.

    A secondary payer's claim bills what the primary left to the patient: its
    payments and adjustments take off the patient's balance, and its PR leaves
    that share with the patient (nothing moves)."""
    entries: list[Entry] = []

    def add(party: int | None, amount: Decimal, kind: str) -> None:
        if amount:
            entries.append(Entry(on, party, amount, description, "posting", source_id, kind, reference))

    if secondary:
        add(PATIENT, -(paid + written_off + other_adjustment), "secondary")
        return entries
    add(payer, -paid, "paid")
    add(payer, -(written_off + other_adjustment), "adjusted")
    add(payer, -patient_responsibility, "to_patient")
    add(PATIENT, patient_responsibility, "from_payer")
    return entries
