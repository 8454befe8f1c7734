# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import pytest

from openiop.x12.npi import is_valid_npi, luhn_check_digit


@pytest.mark.parametrize("npi", ["1234567893", "1245319599", "1679576722", "1000000004"])
def test_known_valid_npis_pass(npi: str) -> None:
    assert is_valid_npi(npi)


@pytest.mark.parametrize(
    "npi",
    [
        "1234567890",  # wrong check digit
        "1234567894",
        "1245319590",
        "123456789",  # nine digits
        "12345678930",  # eleven digits
        "12345678a3",
        "123456789 ",
        "",
        "１２３４５６７８９３",  # full-width digits are digits to str.isdigit, not to payers
    ],
)
def test_invalid_npis_fail(npi: str) -> None:
    assert not is_valid_npi(npi)


def test_the_check_digit_is_computed_over_the_80840_prefix() -> None:
    # Worked example from the CMS NPI check-digit paper: 123456789 -> 3.
    assert luhn_check_digit("80840123456789") == 3
    # Without the prefix the digit differs, so the prefix really matters.
    assert luhn_check_digit("123456789") != 3
