# SPDX-License-Identifier: AGPL-3.0-or-later
"""Keeping card data out of the ledger (pure).

Card payments are taken on a terminal; the ledger records only the terminal's
authorization or reference number. A reference or memo that holds something
shaped like a card number (13 to 19 digits, perhaps grouped by spaces or
dashes) is refused rather than stored, whether or not its check digit is
right: a mistyped card number is still card data.
"""

from __future__ import annotations

import re

# Digits with at most one space or dash between them, 13 or more digits long.
_DIGIT_RUN = re.compile(r"\d(?:[ -]?\d){12,}")


def looks_like_card_number(text: str) -> bool:
    return _DIGIT_RUN.search(text) is not None
