# SPDX-License-Identifier: AGPL-3.0-or-later
"""Whatever people type into names, IDs and addresses, a claim file either
comes out valid or the builder refuses it by field: never a damaged file."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import event, given, settings
from hypothesis import strategies as st

from openiop.x12.institutional import build_837i
from openiop.x12.segments import BuildError
from openiop.x12.tests.writers_factories import (
    ENVELOPE,
    RECEIVER,
    SUBMITTER,
    institutional_claim,
    member,
    policy,
)
from openiop.x12.validate import validate

# Letters people really type, the delimiters, accents, other scripts, controls.
typed = st.text(alphabet=st.sampled_from(list("abcXYZ019 -'.,&/#*~:^\nÁéñÜ名\t\x00")), max_size=70)


def claim_with(field: str, value: str) -> object:
    subscriber = member(0)
    if field == "street":
        subscriber = replace(subscriber, address=replace(subscriber.address, line1=value))  # type: ignore[type-var]
    elif field != "authorization":
        subscriber = replace(subscriber, **{field: value})
    authorization = value if field == "authorization" else "AUTH-1"
    return institutional_claim(days=1, policy=policy(subscriber=subscriber), prior_authorization=authorization)


@settings(max_examples=120)
@given(field=st.sampled_from(["last_name", "first_name", "member_id", "street", "authorization"]), value=typed)
def test_typed_values_give_a_valid_file_or_a_refusal_naming_the_field(field: str, value: str) -> None:
    try:
        out = build_837i(submitter=SUBMITTER, receiver=RECEIVER, claims=[claim_with(field, value)], envelope=ENVELOPE)  # type: ignore[list-item]
    except BuildError as refusal:
        event("refused")
        assert refusal.field.startswith("Claim PCN0") and refusal.problem
        return
    event("written")
    assert validate(out) == []
    assert all(line.endswith("~") and line.count("~") == 1 and "\t" not in line for line in out.splitlines())


@settings(max_examples=40)
@given(cents=st.integers(min_value=1, max_value=10**9), units=st.integers(min_value=1, max_value=99))
def test_any_positive_charge_and_unit_count_is_written_as_x12_numbers(cents: int, units: int) -> None:
    claim = institutional_claim(days=1)
    line = replace(claim.lines[0], charge=Decimal(cents) / 100, units=Decimal(units))
    out = build_837i(submitter=SUBMITTER, receiver=RECEIVER, claims=[replace(claim, lines=(line,))], envelope=ENVELOPE)
    assert validate(out) == []
    written = next(segment for segment in out.splitlines() if segment.startswith("SV2*"))
    charge = written.removesuffix("~").split("*")[3]
    assert Decimal(charge) == Decimal(cents) / 100
    assert "E" not in charge and not charge.endswith(".")
