# SPDX-License-Identifier: AGPL-3.0-or-later
"""Segments for the files we write, and the checks every value passes first.

X12 has no escaping: a value holding a delimiter would split the segment and
make the file say something else. So a value containing ``* : ^ ~`` is
refused with an error naming the field, never written. Values are upper-cased
(payers' systems compare names and IDs in upper case), accented letters lose
their accents ("Núñez" -> "NUNEZ"), and anything else outside printable ASCII
is refused too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from openiop.x12.errors import X12Error
from openiop.x12.npi import is_valid_npi

ELEMENT_SEPARATOR = "*"
COMPONENT_SEPARATOR = ":"
REPETITION_SEPARATOR = "^"
SEGMENT_TERMINATOR = "~"
DELIMITERS = frozenset(ELEMENT_SEPARATOR + COMPONENT_SEPARATOR + REPETITION_SEPARATOR + SEGMENT_TERMINATOR)

_PRINTABLE_ASCII = re.compile(r"[ -~]*")
_ICD10_CM = re.compile(r"[A-Z][0-9][0-9A-Z]{1,5}")
_IDENTIFIER = re.compile(r"[A-Z0-9-]+")


class BuildError(X12Error):
    """Input we refuse to put in a file; the message names the field to fix."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")

    def for_claim(self, patient_control_number: str) -> BuildError:
        """The same problem, saying which claim it stops."""
        return BuildError(
            f"Claim {patient_control_number.strip()} {self.field[:1].lower()}{self.field[1:]}", self.problem
        )


class Composite(tuple[str, ...]):
    """Components of one composite element, written joined by ``:``.

    A tuple subclass so that :func:`segment` knows not to refuse the ``:``
    it puts between the components itself.
    """

    __slots__ = ()

    def __new__(cls, *components: str) -> Composite:
        return super().__new__(cls, components)


Element = str | Composite


def text(value: str | None, field: str, *, max_length: int, min_length: int = 1, required: bool = True) -> str:
    """A free-text or identifier value, cleaned and checked.

    Returns "" for an empty optional value. Over-long values are refused
    rather than cut: a truncated member ID or name is a denial later.
    """
    raw = (value or "").strip()
    if not raw:
        if required:
            raise BuildError(field, "is required and is empty.")
        return ""
    folded = unicodedata.normalize("NFKD", raw)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    cleaned = " ".join(folded.upper().split())
    bad = sorted({ch for ch in cleaned if ch in DELIMITERS})
    if bad:
        shown = " ".join(repr(ch) for ch in bad)
        raise BuildError(field, f"contains {shown}, which X12 uses as a delimiter; remove it.")
    if not _PRINTABLE_ASCII.fullmatch(cleaned):
        odd = sorted({ch for ch in cleaned if not _PRINTABLE_ASCII.fullmatch(ch)})
        raise BuildError(field, f"contains characters X12 cannot carry ({' '.join(odd)}).")
    if len(cleaned) > max_length:
        raise BuildError(field, f"is {len(cleaned)} characters long; the limit is {max_length}.")
    if len(cleaned) < min_length:
        raise BuildError(field, f"must be at least {min_length} characters long.")
    return cleaned


def identifier(value: str | None, field: str, *, max_length: int = 80, min_length: int = 2) -> str:
    """A member ID, payer ID, authorization or claim number: letters, digits
    and hyphens only, since payers reject spaces and punctuation in IDs."""
    cleaned = text(value, field, max_length=max_length, min_length=min_length)
    if not _IDENTIFIER.fullmatch(cleaned):
        raise BuildError(field, f"{cleaned!r} may hold only letters, digits and hyphens.")
    return cleaned


def npi(value: str | None, field: str) -> str:
    """A National Provider Identifier that passes its check digit."""
    cleaned = (value or "").strip()
    if not is_valid_npi(cleaned):
        raise BuildError(field, f"{value!r} is not a valid NPI (10 digits with a correct check digit).")
    return cleaned


def code(value: str | None, field: str, allowed: Iterable[str]) -> str:
    """A value from a fixed code list (relationship, sex, frequency...)."""
    cleaned = (value or "").strip().upper()
    options = tuple(allowed)
    if cleaned not in options:
        raise BuildError(field, f"must be one of {', '.join(options)}, not {value!r}.")
    return cleaned


def digits(value: str | None, field: str, *, lengths: Sequence[int]) -> str:
    """A number written as digits (ZIP code, tax ID, phone): separators dropped."""
    cleaned = re.sub(r"[\s\-().]", "", value or "")
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) not in lengths:
        wanted = " or ".join(str(n) for n in lengths)
        raise BuildError(field, f"must be {wanted} digits, not {value!r}.")
    return cleaned


def diagnosis(value: str | None, field: str) -> str:
    """An ICD-10-CM code as claims carry it: upper case, without the dot."""
    cleaned = (value or "").strip().upper().replace(".", "")
    if not _ICD10_CM.fullmatch(cleaned):
        raise BuildError(field, f"{value!r} is not an ICD-10-CM code (a letter, a digit, then 1 to 5 more).")
    return cleaned


def amount(value: Decimal | int | str, field: str, *, allow_zero: bool = True, allow_negative: bool = False) -> str:
    """Money as X12 writes it: no trailing zeros, no plus sign, at most cents."""
    try:
        number = Decimal(value)
    except ArithmeticError as error:
        raise BuildError(field, f"{value!r} is not an amount.") from error
    if not number.is_finite():
        raise BuildError(field, f"{value!r} is not an amount.")
    if number != number.quantize(Decimal("0.01")):
        raise BuildError(field, f"{value} has more than two decimal places.")
    if number < 0 and not allow_negative:
        raise BuildError(field, f"{value} is negative.")
    if number == 0 and not allow_zero:
        raise BuildError(field, "must be more than zero.")
    return decimal_text(number)


def quantity(value: Decimal | int | str, field: str) -> str:
    """A unit count (R data type): positive, up to three decimal places."""
    try:
        number = Decimal(value)
    except ArithmeticError as error:
        raise BuildError(field, f"{value!r} is not a number.") from error
    if not number.is_finite() or number <= 0:
        raise BuildError(field, f"must be more than zero, not {value}.")
    if number != number.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP):
        raise BuildError(field, f"{value} has more than three decimal places.")
    return decimal_text(number)


def decimal_text(number: Decimal) -> str:
    """The shortest X12 ``R`` form of a number: 250.00 -> 250, 12.50 -> 12.5."""
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def d8(day: date | None, field: str) -> str:
    """A date as CCYYMMDD; a missing date is refused by name."""
    if day is None:
        raise BuildError(field, "is required and is missing.")
    if isinstance(day, datetime):
        day = day.date()
    return day.strftime("%Y%m%d")


def segment(tag: str, *elements: Element) -> str:
    """One segment without its terminator; trailing empty elements dropped.

    Every element is checked again for delimiters, as a backstop for values
    that did not pass through :func:`text`; the error then names the element
    position (e.g. ``NM103``).
    """
    written: list[str] = []
    for position, element in enumerate(elements, start=1):
        name = f"{tag}{position:02d}"
        if isinstance(element, Composite):
            parts = list(element)
            for index, part in enumerate(parts, start=1):
                _refuse_delimiters(part, f"{name}-{index}")
            while parts and not parts[-1]:
                parts.pop()
            written.append(COMPONENT_SEPARATOR.join(parts))
        else:
            _refuse_delimiters(element, name)
            written.append(element)
    while written and not written[-1]:
        written.pop()
    return ELEMENT_SEPARATOR.join([tag, *written])


def _refuse_delimiters(value: str, name: str) -> None:
    if any(ch in DELIMITERS for ch in value):
        raise BuildError(name, f"{value!r} contains an X12 delimiter.")
