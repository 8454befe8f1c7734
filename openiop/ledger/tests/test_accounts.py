# SPDX-License-Identifier: AGPL-3.0-or-later
"""The account arithmetic without a database: for any charges, 835 postings
(paid, CO, OA/PI, PR, reversals) and ledger transactions, every party's
balance is the sum of its entries, each entry's running balance is its
party's sum so far, and a posting with its reversal changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from openiop.ledger.accounts import (
    TRANSACTION_SIGN,
    Entry,
    build_ledger,
    posting_entries,
    transaction_amount,
)
from openiop.ledger.card_data import looks_like_card_number

PAYERS = st.sampled_from([None, 1, 2])
DAYS = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 12, 31))
CENTS = st.integers(min_value=0, max_value=500_000).map(lambda cents: Decimal(cents) / 100)


@st.composite
def charges(draw: st.DrawFn) -> list[Entry]:
    return [Entry(draw(DAYS), draw(PAYERS), draw(CENTS), "charge", "charge", draw(st.integers(1, 99)))]


@st.composite
def postings(draw: st.DrawFn) -> list[Entry]:
    fields = {
        "paid": draw(CENTS),
        "written_off": draw(CENTS),
        "other_adjustment": draw(CENTS),
        "patient_responsibility": draw(CENTS),
    }
    common = {"on": draw(DAYS), "payer": draw(st.sampled_from([1, 2])), "description": "835"}
    secondary = draw(st.booleans())
    entries = posting_entries(**common, **fields, secondary=secondary)  # type: ignore[arg-type]
    if draw(st.booleans()):  # the payer reverses it (status 22: the same amounts, negative)
        negative = {key: -value for key, value in fields.items()}
        entries += posting_entries(**common, **negative, secondary=secondary)  # type: ignore[arg-type]
    return entries


@st.composite
def transactions(draw: st.DrawFn) -> list[Entry]:
    kind = draw(st.sampled_from(sorted(TRANSACTION_SIGN)))
    amount = draw(CENTS.filter(lambda value: value > 0))
    reversal = draw(st.booleans())
    return [Entry(draw(DAYS), draw(PAYERS), transaction_amount(kind, amount, is_reversal=reversal), kind)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(charges(), postings(), transactions()), max_size=30))
def test_balances_are_the_sums_of_their_entries(groups: list[list[Entry]]) -> None:
    entries = [entry for group in groups for entry in group]

    ledger = build_ledger(entries)

    parties = {entry.party for entry in entries}
    for party in parties:
        assert ledger.balances[party] == sum((e.amount for e in entries if e.party == party), Decimal(0))
    assert ledger.patient_balance == ledger.balances.get(None, Decimal(0))
    assert ledger.total_balance == sum((e.amount for e in entries), Decimal(0))
    assert [e.on for e in ledger.entries] == sorted(e.on for e in entries)
    running: dict[int | None, Decimal] = {}
    for entry in ledger.entries:
        running[entry.party] = running.get(entry.party, Decimal(0)) + entry.amount
        assert entry.running_balance == running[entry.party]
        assert entry.charge - entry.credit == entry.amount


@settings(max_examples=30)
@given(CENTS, CENTS, CENTS, CENTS)
def test_pr_moves_from_the_payer_to_the_patient_and_a_reversal_undoes_it(
    paid: Decimal, off: Decimal, other: Decimal, pr: Decimal
) -> None:
    day = dt.date(2026, 2, 1)
    posted = posting_entries(
        on=day, payer=7, paid=paid, written_off=off, other_adjustment=other, patient_responsibility=pr, description=""
    )
    reversed_ = posting_entries(
        on=day,
        payer=7,
        paid=-paid,
        written_off=-off,
        other_adjustment=-other,
        patient_responsibility=-pr,
        description="",
    )
    ledger = build_ledger(posted)
    assert ledger.balances.get(7, Decimal(0)) == -(paid + off + other + pr)
    assert ledger.patient_balance == pr
    assert all(amount == 0 for amount in build_ledger(posted + reversed_).balances.values())


def test_each_kind_moves_the_balance_its_way() -> None:
    ten = Decimal(10)
    assert transaction_amount("payment", ten) == -ten
    assert transaction_amount("refund", ten) == ten
    assert transaction_amount("refund", ten, is_reversal=True) == -ten
    assert {kind for kind, sign in TRANSACTION_SIGN.items() if sign < 0} == {
        "payment",
        "financing",
        "scholarship",
        "sliding_fee",
        "adjustment",
    }


def test_a_statement_period_and_the_balance_before_it() -> None:
    entries = [
        Entry(dt.date(2026, 1, 5), None, Decimal(100), "charge", "charge", 1),
        Entry(dt.date(2026, 2, 5), None, Decimal(-40), "payment"),
        Entry(dt.date(2026, 2, 5), None, Decimal(60), "charge", "charge", 2),
    ]
    ledger = build_ledger(entries)
    assert ledger.balances_before(dt.date(2026, 2, 1)) == {None: Decimal(100)}
    february = ledger.between(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    # On one day the charge comes before the payment that pays it.
    assert [entry.source for entry in february] == ["charge", "transaction"]
    assert [entry.running_balance for entry in february] == [Decimal(160), Decimal(120)]


def test_card_numbers_are_recognized_and_references_are_not() -> None:
    for card in (
        "4111111111111111",
        "4111 1111 1111 1111",
        "5500-0000-0000-0004",
        "ref 378282246310005",
        "4111111111111112",
    ):
        assert looks_like_card_number(card), card
    for reference in ("", "1042", "AUTH 834201", "LN-2026-0042", "chk 000123456789", "2026-03-20"):
        assert not looks_like_card_number(reference), reference
