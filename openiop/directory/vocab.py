# SPDX-License-Identifier: AGPL-3.0-or-later
"""The directory's attribute vocabulary as bit flags. No Django here.

Each facility stores one integer per family (services, payment, ages,
languages); a search for "all of these" is ``column & mask == mask`` and for
"any of these" ``column & mask != 0``, which both databases evaluate on the
few rows the location prefilter leaves. The codes (the lower-case member
names) are what the CSV import and the search URL use; they are part of the
public interface, so members are only ever added, never renumbered.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Service(enum.IntFlag):
    IOP = 1  # intensive outpatient
    PHP = 2  # partial hospitalization / day treatment
    OUTPATIENT = 4  # regular (non-intensive) outpatient
    DETOX = 8  # withdrawal management (detox)
    MOUD = 16  # medications for opioid use disorder
    MAUD = 32  # medications for alcohol use disorder
    MATRIX = 64  # Matrix Model (stimulant use)


class Payment(enum.IntFlag):
    PRIVATE = 1
    MEDICARE = 2
    MEDICAID = 4
    TRICARE = 8
    SLIDING_FEE = 16
    FREE = 32  # free, or no charge for those who cannot pay


class Age(enum.IntFlag):
    ADULTS = 1
    ADOLESCENTS = 2


class Language(enum.IntFlag):
    EN = 1  # English
    ES = 2  # Spanish
    ZH = 4  # Chinese
    VI = 8  # Vietnamese
    AR = 16  # Arabic
    HT = 32  # Haitian Creole
    PT = 64  # Portuguese
    RU = 128  # Russian
    FR = 256  # French
    KO = 512  # Korean
    TL = 1024  # Tagalog
    PL = 2048  # Polish
    SO = 4096  # Somali
    HMN = 8192  # Hmong
    ASL = 16384  # American Sign Language


Flag = Service | Payment | Age | Language
FAMILIES: dict[str, type[enum.IntFlag]] = {
    "services": Service,
    "payment": Payment,
    "ages": Age,
    "languages": Language,
}


def code(member: enum.IntFlag) -> str:
    return (member.name or "").lower()


def members(family: type[enum.IntFlag]) -> list[enum.IntFlag]:
    return list(family.__members__.values())


def from_codes(family: type[enum.IntFlag], codes: Iterable[str]) -> int:
    """OR together the members named by CODES (case-insensitive). Raises
    ValueError naming every unknown code."""
    value = 0
    unknown = []
    for raw in codes:
        name = raw.strip().upper()
        if not name:
            continue
        member = family.__members__.get(name)
        if member is None:
            unknown.append(raw.strip())
        else:
            value |= int(member)
    if unknown:
        known = ", ".join(code(member) for member in members(family))
        raise ValueError(f"unknown {family.__name__.lower()} code(s) {', '.join(unknown)} (known: {known})")
    return value


def to_codes(family: type[enum.IntFlag], value: int) -> list[str]:
    return [code(member) for member in members(family) if value & int(member)]
