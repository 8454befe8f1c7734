# SPDX-License-Identifier: AGPL-3.0-or-later
"""Body temperature in °F or °C: conversion, plausibility and the messages.
No database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openiop.assessments import vitals
from openiop.assessments.vitals import CELSIUS, FAHRENHEIT


def test_98_6_fahrenheit_is_37_celsius_and_100_4_is_38() -> None:
    assert vitals.to_celsius(Decimal("98.6"), FAHRENHEIT) == Decimal("37.00")
    assert vitals.to_celsius(Decimal("100.4"), FAHRENHEIT) == Decimal("38.00")
    assert vitals.to_celsius(Decimal("37.2"), CELSIUS) == Decimal("37.20")


@given(tenths=st.integers(min_value=900, max_value=1100))
def test_every_fahrenheit_reading_to_one_decimal_comes_back_as_entered(tenths: int) -> None:
    reading = Decimal(tenths) / 10

    assert vitals.from_celsius(vitals.to_celsius(reading, FAHRENHEIT), FAHRENHEIT) == reading


@pytest.mark.parametrize(
    ("value", "unit"),
    [("90", FAHRENHEIT), ("110", FAHRENHEIT), ("98.6", FAHRENHEIT), ("32", CELSIUS), ("43", CELSIUS)],
)
def test_readings_inside_the_bounds_are_accepted(value: str, unit: str) -> None:
    assert vitals.problem(Decimal(value), unit) == ""


@pytest.mark.parametrize(
    ("value", "unit"),
    [("89.9", FAHRENHEIT), ("110.1", FAHRENHEIT), ("986", FAHRENHEIT), ("31.9", CELSIUS), ("43.1", CELSIUS)],
)
def test_readings_outside_the_bounds_are_refused_with_the_range(value: str, unit: str) -> None:
    message = vitals.problem(Decimal(value), unit)

    assert "is not a possible body temperature" in message
    low, high = vitals.PLAUSIBLE[unit]
    assert f"between {low} and {high} {vitals.SYMBOL[unit]}" in message
    with pytest.raises(ValueError, match="not a possible body temperature"):
        vitals.celsius_from_reading(Decimal(value), unit)


def test_a_celsius_reading_typed_with_fahrenheit_selected_says_it_looks_like_celsius() -> None:
    message = vitals.problem(Decimal("37.2"), FAHRENHEIT)

    assert message.startswith("37.2 °F is not a possible body temperature")
    assert "It looks like °C: choose °C" in message


def test_a_fahrenheit_reading_typed_with_celsius_selected_says_it_looks_like_fahrenheit() -> None:
    assert "It looks like °F" in vitals.problem(Decimal("99.1"), CELSIUS)


def test_a_number_possible_in_neither_unit_asks_to_check_the_thermometer() -> None:
    assert "Check the thermometer" in vitals.problem(Decimal("370"), FAHRENHEIT)


def test_an_unknown_unit_is_refused() -> None:
    assert vitals.problem(Decimal("37"), "K") == "Choose °F or °C."
