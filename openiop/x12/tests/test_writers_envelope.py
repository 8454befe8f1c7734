# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from openiop.x12.envelope import Envelope, interchange
from openiop.x12.errors import X12Error
from openiop.x12.segments import BuildError, Composite, amount, d8, diagnosis, digits, quantity, segment, text

CREATED = datetime(2026, 3, 9, 14, 5)


def envelope(**overrides: object) -> Envelope:
    values: dict[str, object] = {
        "sender_id": "OPENIOP",
        "receiver_id": "CLEARHOUSE",
        "interchange_control_number": 42,
        "group_control_number": 7,
        "created": CREATED,
    }
    values.update(overrides)
    return Envelope(**values)  # type: ignore[arg-type]


def test_the_isa_is_fixed_width_with_padded_ids_and_a_nine_digit_control_number() -> None:
    out = interchange(
        envelope(),
        functional_code="HS",
        transaction_code="270",
        version="005010X279A1",
        transactions=[["BHT*0022*13*X*20260309*1405"]],
    )
    isa = out.split("\n")[0]
    assert len(isa) == 106
    assert isa == (
        "ISA*00*          *00*          *ZZ*OPENIOP        *ZZ*CLEARHOUSE     *260309*1405*^*00501*000000042*0*P*:~"
    )


def test_group_set_and_trailers_carry_codes_versions_and_counts() -> None:
    out = interchange(
        envelope(usage="T"),
        functional_code="HC",
        transaction_code="837",
        version="005010X222A1",
        transactions=[["BHT*A", "NM1*B", "NM1*C"], ["BHT*D"]],
    )
    lines = out.splitlines()
    assert lines[1] == "GS*HC*OPENIOP*CLEARHOUSE*20260309*1405*7*X*005010X222A1~"
    assert lines[2] == "ST*837*0001*005010X222A1~"
    assert lines[6] == "SE*5*0001~"
    assert lines[7] == "ST*837*0002*005010X222A1~"
    assert lines[9] == "SE*3*0002~"
    assert lines[10] == "GE*2*7~"
    assert lines[11] == "IEA*1*000000042~"
    assert "*T*:~" in lines[0]
    assert out.endswith("~\n")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("interchange_control_number", 0),
        ("interchange_control_number", 1_000_000_000),
        ("group_control_number", -1),
        ("usage", "X"),
        ("sender_id", "A" * 16),
        ("receiver_id", "BAD*ID"),
        ("sender_qualifier", "99"),
    ],
)
def test_a_bad_envelope_is_refused_before_anything_is_written(field: str, value: object) -> None:
    with pytest.raises(X12Error):
        envelope(**{field: value})


def test_values_are_upper_cased_and_lose_their_accents() -> None:
    assert text(" José  Núñez ", "Patient name", max_length=60) == "JOSE NUNEZ"


@pytest.mark.parametrize("delimiter", ["*", "~", ":", "^"])
def test_a_value_with_a_delimiter_is_refused_naming_the_field(delimiter: str) -> None:
    with pytest.raises(BuildError, match="Subscriber last name") as caught:
        text(f"SMITH{delimiter}JONES", "Subscriber last name", max_length=60)
    assert caught.value.field == "Subscriber last name"
    assert isinstance(caught.value, X12Error)


def test_over_long_and_missing_values_are_refused_not_cut() -> None:
    with pytest.raises(BuildError, match="limit is 35"):
        text("A" * 36, "Patient first name", max_length=35)
    with pytest.raises(BuildError, match="required"):
        text("  ", "Member ID", max_length=80)
    assert text("", "Middle name", max_length=25, required=False) == ""
    with pytest.raises(BuildError, match="characters X12 cannot carry"):
        text("名前", "Name", max_length=60)


def test_segment_drops_trailing_empties_and_refuses_raw_delimiters() -> None:
    assert segment("NM1", "IL", "1", "DOE", "JANE", "", "", "", "MI", "X1") == "NM1*IL*1*DOE*JANE****MI*X1"
    assert segment("REF", "G1", "123", "", "") == "REF*G1*123"
    assert segment("SV1", Composite("HC", "90837", "", ""), "150") == "SV1*HC:90837*150"
    with pytest.raises(BuildError, match="NM103"):
        segment("NM1", "IL", "1", "DOE~")
    with pytest.raises(BuildError, match="SV101-2"):
        segment("SV1", Composite("HC", "908:37"))


def test_amounts_quantities_dates_digits_and_diagnoses() -> None:
    assert amount(Decimal("250.00"), "Charge") == "250"
    assert amount(Decimal("12.50"), "Charge") == "12.5"
    assert amount(Decimal("-3.25"), "Adjustment", allow_negative=True) == "-3.25"
    with pytest.raises(BuildError, match="two decimal places"):
        amount(Decimal("1.001"), "Charge")
    with pytest.raises(BuildError, match="negative"):
        amount(Decimal("-1"), "Charge")
    with pytest.raises(BuildError, match="more than zero"):
        amount(0, "Charge", allow_zero=False)
    assert quantity(Decimal("1.0"), "Units") == "1"
    with pytest.raises(BuildError):
        quantity(0, "Units")
    assert d8(date(2026, 1, 2), "Service date") == "20260102"
    with pytest.raises(BuildError, match="Line 3 service date"):
        d8(None, "Line 3 service date")
    assert digits("12-3456789", "Tax ID", lengths=(9,)) == "123456789"
    with pytest.raises(BuildError, match="5 or 9 digits"):
        digits("1234", "ZIP code", lengths=(5, 9))
    assert diagnosis("f11.20", "Principal diagnosis") == "F1120"
    with pytest.raises(BuildError, match="not an ICD-10-CM code"):
        diagnosis("11.20", "Principal diagnosis")
