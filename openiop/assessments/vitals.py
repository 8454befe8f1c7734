# SPDX-License-Identifier: AGPL-3.0-or-later
"""Body temperature in °F or °C. Plain Python, no database.

US clinics read thermometers in °F, so the flowsheet asks in °F unless the
nurse picks °C; the database keeps °C (``WithdrawalCheck.temperature_c``),
with two decimals so that a reading entered in °F to one decimal comes back
exactly as it was entered.

    >>> to_celsius(Decimal("98.6"), FAHRENHEIT)
    Decimal('37.00')
    >>> from_celsius(Decimal("37.00"), FAHRENHEIT)
    Decimal('98.6')
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

FAHRENHEIT = "F"
CELSIUS = "C"
UNITS = (FAHRENHEIT, CELSIUS)
SYMBOL = {FAHRENHEIT: "°F", CELSIUS: "°C"}

# Readings outside these are a typing or unit slip, not a patient: the
# extremes seen in survivors of hypothermia and heat stroke lie beyond them,
# but nobody in those states is filling in an outpatient flowsheet.
PLAUSIBLE: dict[str, tuple[Decimal, Decimal]] = {
    FAHRENHEIT: (Decimal("90"), Decimal("110")),
    CELSIUS: (Decimal("32"), Decimal("43")),
}

_STORED = Decimal("0.01")
_SHOWN = Decimal("0.1")


def to_celsius(value: Decimal, unit: str) -> Decimal:
    if unit == CELSIUS:
        return value.quantize(_STORED)
    if unit == FAHRENHEIT:
        return ((value - 32) * 5 / 9).quantize(_STORED)
    raise ValueError(f"unknown temperature unit {unit!r}")


def from_celsius(value: Decimal, unit: str) -> Decimal:
    if unit == CELSIUS:
        return value.quantize(_SHOWN)
    if unit == FAHRENHEIT:
        return (value * 9 / 5 + 32).quantize(_SHOWN)
    raise ValueError(f"unknown temperature unit {unit!r}")


def _is_plausible(value: Decimal, unit: str) -> bool:
    low, high = PLAUSIBLE[unit]
    return low <= value <= high


def problem(value: Decimal, unit: str) -> str:
    """Why VALUE in UNIT cannot be a body temperature, or "" when it can.
    When the number would be plausible in the other unit, say so: that is
    the usual slip (37.2 typed with °F selected)."""
    if unit not in UNITS:
        return _("Choose °F or °C.")
    if _is_plausible(value, unit):
        return ""
    low, high = PLAUSIBLE[unit]
    message = _(
        "%(value)s %(unit)s is not a possible body temperature: a reading is between %(low)s and %(high)s %(unit)s."
    ) % {
        "value": value,
        "unit": SYMBOL[unit],
        "low": low,
        "high": high,
    }
    other = CELSIUS if unit == FAHRENHEIT else FAHRENHEIT
    if _is_plausible(value, other):
        message += " " + _("It looks like %(unit)s: choose %(unit)s, or re-enter the reading.") % {
            "unit": SYMBOL[other]
        }
    else:
        message += " " + _("Check the thermometer and re-enter the reading.")
    return message


def celsius_from_reading(value: Decimal, unit: str) -> Decimal:
    """The reading as stored (°C), or ValueError with the sentence to show."""
    message = problem(value, unit)
    if message:
        raise ValueError(message)
    return to_celsius(value, unit)
