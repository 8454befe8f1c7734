# SPDX-License-Identifier: AGPL-3.0-or-later
"""Plain tests: numbers, ZIP codes and phones are read in ASCII digits only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms as django_forms
from hypothesis import given
from hypothesis import strategies as st

from openiop.core import ascii_digits
from openiop.core.forms import AsciiDecimalField, AsciiFloatField, AsciiIntegerField, validate_phone

# Digits Python's isdigit()/int()/\d accept that are not 0-9.
FOREIGN = ["٣", "۳", "３", "²", "³", "१", "߃", "𝟑"]


@pytest.mark.parametrize("digit", FOREIGN)
def test_a_digit_from_another_script_is_no_id(digit: str) -> None:
    assert ascii_digits.parse_id(digit) is None
    assert ascii_digits.parse_id(f"1{digit}") is None
    assert not ascii_digits.is_ascii_digits(digit)


def test_an_id_is_a_positive_run_of_ascii_digits_that_fits_a_column() -> None:
    assert ascii_digits.parse_id("42") == 42
    assert ascii_digits.parse_id(" 7 ") == 7
    assert ascii_digits.parse_id("9" * 18) == int("9" * 18)
    for text in ("", None, "-1", "+1", "1.0", "1_000", "abc", "9" * 19, "1 2"):
        assert ascii_digits.parse_id(text) is None, text


@pytest.mark.parametrize("zip_code", ["٠٢١٠٨", "０２１０８", "0210²", "02108-４３０７", "02108\n", "2108"])
def test_a_zip_code_is_five_ascii_digits_or_zip_plus_four(zip_code: str) -> None:
    assert not ascii_digits.is_us_zip(zip_code)


def test_ordinary_zip_codes_pass() -> None:
    assert ascii_digits.is_us_zip("02108")
    assert ascii_digits.is_us_zip("02139-4307")


def test_phone_digits_keep_only_ascii_digits() -> None:
    assert ascii_digits.digits_of("(617) 555-0142") == "6175550142"
    assert ascii_digits.digits_of("６１７５５５０１４２") == ""


def test_a_phone_with_a_superscript_digit_is_refused_even_with_enough_ascii_digits() -> None:
    assert ascii_digits.is_phone("617-555-0142")
    assert not ascii_digits.is_phone("617-555-0142²")
    assert not ascii_digits.is_phone("٦١٧٥٥٥٠١٤٢")
    assert not ascii_digits.is_phone("555-01")


@given(st.text())
def test_nothing_but_0_to_9_ever_counts_as_a_digit(text: str) -> None:
    assert set(ascii_digits.digits_of(text)) <= set("0123456789")
    parsed = ascii_digits.parse_id(text)
    if parsed is not None:
        assert text.strip().isascii()
        assert parsed == int(text.strip())


@pytest.mark.parametrize(
    ("field", "good", "expected"),
    [
        (AsciiIntegerField(), "12", 12),
        (AsciiIntegerField(), "12.0", 12),
        (AsciiDecimalField(), "1500.50", Decimal("1500.50")),
        (AsciiFloatField(), "-71.06", -71.06),
        (AsciiFloatField(), "1e-7", 1e-7),
    ],
)
def test_the_fields_read_ascii_numbers_as_django_does(field: django_forms.Field, good: str, expected: object) -> None:
    assert field.clean(good) == expected


@pytest.mark.parametrize("field_class", [AsciiIntegerField, AsciiDecimalField, AsciiFloatField])
@pytest.mark.parametrize("text", [*FOREIGN, "1_000", "٣.5", "9" * 50, "NaN", "∞"])
def test_the_fields_refuse_other_scripts_with_their_invalid_message(
    field_class: type[django_forms.Field], text: str
) -> None:
    field = field_class(required=False)
    with pytest.raises(django_forms.ValidationError) as raised:
        field.clean(text)
    assert raised.value.code == "invalid"


def test_validate_phone_explains_what_to_type() -> None:
    validate_phone("")
    validate_phone("(617) 555-0142")
    with pytest.raises(django_forms.ValidationError, match="0-9"):
        validate_phone("617 555 014²")
