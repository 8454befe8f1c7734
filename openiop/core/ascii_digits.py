# SPDX-License-Identifier: AGPL-3.0-or-later
"""Numbers, ZIP codes and phone numbers typed by people: ASCII digits only.

Python's ``str.isdigit()``, ``int()``, ``Decimal()`` and the regex ``\\d``
all accept digits from every script: ``"²".isdigit()`` is true yet
``int("²")`` raises, ``int("٣")`` is 3, and a ZIP library written in Rust
panics on a full-width ZIP code. Every parser in OpenIOP goes through
this module instead, so "a number" means 0-9 everywhere. No Django here.
"""

from __future__ import annotations

import re

ASCII_DIGITS = "0123456789"

# An id in a URL or a form: a positive whole number that fits a 64-bit
# column (18 digits cannot overflow one; more would reach the database).
MAX_ID_DIGITS = 18

_ID = re.compile(rf"[0-9]{{1,{MAX_ID_DIGITS}}}")
# What Django's IntegerField accepts, in ASCII: an optional sign, digits, and
# a trailing ".0" some browsers send for number inputs.
_INTEGER = re.compile(r"[+-]?[0-9]+(?:\.0*)?")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# Floats (coordinates a browser computed) may come in exponent form.
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
US_ZIP = re.compile(r"[0-9]{5}(?:-[0-9]{4})?")
# A regex string for RegexValidator (which uses re.search, so anchored).
US_ZIP_REGEX = r"^[0-9]{5}(-[0-9]{4})?\Z"


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty run of 0-9 and nothing else."""
    return bool(text) and text.isascii() and text.isdigit()


def parse_id(text: str | None) -> int | None:
    """A row id typed in a query string or posted in a form, or None for
    anything else (empty, a sign, "²", "٣", a number too long for a column)."""
    text = (text or "").strip()
    return int(text) if _ID.fullmatch(text) else None


def is_ascii_integer(text: str) -> bool:
    return bool(_INTEGER.fullmatch(text.strip()))


def is_ascii_decimal(text: str) -> bool:
    return bool(_DECIMAL.fullmatch(text.strip()))


def is_ascii_float(text: str) -> bool:
    return bool(_FLOAT.fullmatch(text.strip()))


def digits_of(text: str) -> str:
    """The ASCII digits of TEXT, in order ("(617) 555-0142" -> "6175550142");
    other scripts' digits are dropped, never converted."""
    return "".join(ch for ch in text if ch in ASCII_DIGITS)


def has_foreign_digits(text: str) -> bool:
    """True when TEXT holds a numeric character other than 0-9 (Arabic-Indic,
    full-width, superscript, fractions, Roman numerals...)."""
    return any(ch.isnumeric() and ch not in ASCII_DIGITS for ch in text)


def is_us_zip(text: str) -> bool:
    """Five ASCII digits, or ZIP+4 ("02139-4307")."""
    return bool(US_ZIP.fullmatch(text))


def is_phone(text: str, *, min_digits: int = 7, max_digits: int = 15) -> bool:
    """A phone number as people write it: MIN_DIGITS to MAX_DIGITS ASCII
    digits among separators, and no digit from another script (a superscript
    "²" is not a 2 and must not be counted or silently dropped)."""
    return not has_foreign_digits(text) and min_digits <= len(digits_of(text)) <= max_digits
