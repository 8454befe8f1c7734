# SPDX-License-Identifier: AGPL-3.0-or-later
"""``dollars``: an amount as US money ("$1,234.56", "-$30.00"), the same in
English and Spanish (Spanish-language bills in the US write dollars this way)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def dollars(value: Any) -> str:
    if value in (None, ""):
        return ""
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"
