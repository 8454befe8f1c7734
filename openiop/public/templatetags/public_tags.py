# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()
CENT = Decimal("0.01")


def _dollar_text(amount: Decimal, decimal_pos: int) -> str:
    sign = "-" if amount < 0 else ""
    digits = number_format(abs(amount), decimal_pos, use_l10n=True, force_grouping=True)
    return f"{sign}${digits}"


@register.filter
def dollars(value: Decimal | int | None) -> str:
    """US dollars with the active language's separators: $1,234.56 in
    English, $1 234,56 in Spanish; whole amounts without cents ($1,234)."""
    if value is None:
        return ""
    amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return _dollar_text(amount, 0 if amount == amount.to_integral_value() else 2)


@register.filter
def whole_dollars(value: Decimal | int | None) -> str:
    """Rounded to the dollar, for the ends of a range: an estimate's cents
    claim a precision it does not have."""
    if value is None:
        return ""
    return _dollar_text(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP), 0)


@register.filter
def number(value: Decimal | int | None) -> str:
    """A quantity without trailing zeros, with the active language's decimal
    separator: 24, 2.5 (2,5 in Spanish)."""
    if value is None:
        return ""
    normalized = Decimal(value).normalize()
    if normalized == normalized.to_integral():
        return number_format(normalized.quantize(Decimal(1)), 0, use_l10n=True, force_grouping=True)
    exponent = normalized.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else None  # finite amounts only reach here
    return number_format(normalized, places, use_l10n=True, force_grouping=True)
