# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def dollars(value: Decimal | int | None) -> str:
    """US dollars as people in the US write them, in any page language:
    $1,234.56 (whole amounts without cents: $1,234)."""
    if value is None:
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    text = f"{amount:,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    return f"{sign}${text}"


@register.filter
def number(value: Decimal | int | None) -> str:
    """A quantity without trailing zeros: 24, 2.5."""
    if value is None:
        return ""
    normalized = Decimal(value).normalize()
    return f"{normalized:f}" if normalized == normalized.to_integral() else str(normalized)
