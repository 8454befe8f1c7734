# SPDX-License-Identifier: AGPL-3.0-or-later
"""National Provider Identifier check digit.

An NPI is 10 digits; the last is a Luhn check digit computed over the first
nine prefixed with "80840" (the card issuer prefix the NPI standard borrows
from ISO 7812). Payers reject a claim whose NPI fails this check, so we refuse
it before it is ever used.
"""

from __future__ import annotations

NPI_PREFIX = "80840"


def is_valid_npi(value: str) -> bool:
    """True when ``value`` is exactly 10 ASCII digits with a correct check digit."""
    if not isinstance(value, str) or len(value) != 10 or not value.isascii() or not value.isdigit():
        return False
    return luhn_check_digit(NPI_PREFIX + value[:9]) == int(value[9])


def luhn_check_digit(payload: str) -> int:
    """The Luhn digit that would follow ``payload``: double every second digit
    from the right (starting with the rightmost), sum the digits, round up."""
    total = 0
    for position, character in enumerate(reversed(payload)):
        digit = int(character)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10
