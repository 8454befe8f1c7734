# SPDX-License-Identifier: AGPL-3.0-or-later
"""How the national treatment locator's service entries map onto our
attributes. No Django here.

A locator export row lists its services as entries of a category code and a
value text, e.g. ``{"f1": "Service Setting", "f2": "SET", "f3": "Intensive
outpatient treatment"}``; we also accept ``{"category_code": ..., "value":
...}``. One value text may hold several values joined by semicolons.

Matching is on the value text, lower-cased with whitespace collapsed:

1. ``EXACT_VALUES``: the setting and payment texts the locator uses, e.g.
   "Intensive outpatient treatment" -> intensive outpatient, "Medicaid" ->
   Medicaid. Exact, because "State-financed health insurance plan other than
   Medicaid" must not count as Medicaid.
2. ``CONTAINS``: words that mean one thing wherever they appear, e.g. any
   value naming buprenorphine or methadone -> MOUD; naltrexone -> MOUD and
   MAUD (it treats both); acamprosate or disulfiram -> MAUD; "matrix model";
   "tricare"; "sliding fee"; "no charge"; "evening"/"weekend" (our own
   extension, category ``HRS``: the locator publishes no hours).
3. Ages and languages only from their categories (``AGE``; ``SL``, ``OL``,
   ``LANG``), since words like "Spanish" or "Adolescents" appear in other
   categories' texts too. Every locator facility is taken to serve people in
   English; the locator lists only the *other* languages.

Anything else is kept in ``unmapped`` (reported, never an error: the locator
publishes many services we do not filter on).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openiop.directory.vocab import Age, Language, Payment, Service

AGE_CATEGORIES = {"AGE"}
LANGUAGE_CATEGORIES = {"SL", "OL", "LANG"}

EXACT_VALUES: dict[str, Service | Payment] = {
    "intensive outpatient treatment": Service.IOP,
    "intensive outpatient": Service.IOP,
    "partial hospitalization/day treatment": Service.PHP,
    "partial hospitalization": Service.PHP,
    "day treatment": Service.PHP,
    "regular outpatient treatment": Service.OUTPATIENT,
    "outpatient": Service.OUTPATIENT,
    "outpatient detoxification": Service.DETOX,
    "hospital inpatient detoxification": Service.DETOX,
    "residential detoxification": Service.DETOX,
    "detoxification": Service.DETOX,
    "detox": Service.DETOX,
    "medications for opioid use disorder": Service.MOUD,
    "medication for opioid use disorder": Service.MOUD,
    "moud": Service.MOUD,
    "medications for alcohol use disorder": Service.MAUD,
    "medication for alcohol use disorder": Service.MAUD,
    "maud": Service.MAUD,
    "private health insurance": Payment.PRIVATE,
    "private insurance": Payment.PRIVATE,
    "medicare": Payment.MEDICARE,
    "medicaid": Payment.MEDICAID,
    "free": Payment.FREE,
}

# (word, what it means); checked in order, all that match apply.
CONTAINS: list[tuple[str, Service | Payment | str]] = [
    ("buprenorphine", Service.MOUD),
    ("methadone", Service.MOUD),
    ("naltrexone", Service.MOUD),
    ("naltrexone", Service.MAUD),
    ("acamprosate", Service.MAUD),
    ("disulfiram", Service.MAUD),
    ("matrix model", Service.MATRIX),
    ("tricare", Payment.TRICARE),
    ("sliding fee", Payment.SLIDING_FEE),
    ("no charge", Payment.FREE),
    ("evening", "evening"),
    ("weekend", "weekend"),
]

AGE_VALUES: dict[str, Age] = {
    "adults": Age.ADULTS,
    "young adults": Age.ADULTS,
    "seniors": Age.ADULTS,
    "adolescents": Age.ADOLESCENTS,
    "children/adolescents": Age.ADOLESCENTS,
    "adolescents (12-17)": Age.ADOLESCENTS,
}

LANGUAGE_WORDS: list[tuple[str, Language]] = [
    ("english", Language.EN),
    ("spanish", Language.ES),
    ("chinese", Language.ZH),
    ("mandarin", Language.ZH),
    ("cantonese", Language.ZH),
    ("vietnamese", Language.VI),
    ("arabic", Language.AR),
    ("haitian", Language.HT),
    ("creole", Language.HT),
    ("portuguese", Language.PT),
    ("russian", Language.RU),
    ("french", Language.FR),
    ("korean", Language.KO),
    ("tagalog", Language.TL),
    ("filipino", Language.TL),
    ("polish", Language.PL),
    ("somali", Language.SO),
    ("hmong", Language.HMN),
    ("sign language", Language.ASL),
    ("asl", Language.ASL),
    ("hearing impaired", Language.ASL),
]

_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[a-z]+")


def normalize(text: str) -> str:
    return _SPACES.sub(" ", text).strip().lower()


@dataclass
class Mapped:
    services: int = 0
    payment: int = 0
    ages: int = 0
    languages: int = int(Language.EN)
    evening_hours: bool = False
    weekend_hours: bool = False
    unmapped: list[str] = field(default_factory=list)

    def add(self, meaning: Service | Payment | str) -> None:
        if isinstance(meaning, Service):
            self.services |= int(meaning)
        elif isinstance(meaning, Payment):
            self.payment |= int(meaning)
        elif meaning == "evening":
            self.evening_hours = True
        elif meaning == "weekend":
            self.weekend_hours = True


def entry_parts(entry: Mapping[str, Any]) -> tuple[str, str]:
    """(category code, value text) of one service entry, in either shape.
    Raises ValueError when the entry has no value text."""
    category = entry.get("f2", entry.get("category_code", entry.get("code", "")))
    value = entry.get("f3", entry.get("value", entry.get("value_text")))
    if not isinstance(value, str) or not isinstance(category, str | None):
        raise ValueError("each service needs a category code and a value text")
    return (category or "").strip().upper(), value


def map_value(category: str, value: str, into: Mapped) -> None:
    text = normalize(value)
    if not text:
        return
    if category in AGE_CATEGORIES:
        if text in AGE_VALUES:
            into.ages |= int(AGE_VALUES[text])
        else:
            into.unmapped.append(value.strip())
        return
    if category in LANGUAGE_CATEGORIES:
        words = set(_WORD.findall(text))
        found = [lang for word, lang in LANGUAGE_WORDS if (word in words if " " not in word else word in text)]
        for language in found:
            into.languages |= int(language)
        if not found:
            into.unmapped.append(value.strip())
        return
    matched = False
    if text in EXACT_VALUES:
        into.add(EXACT_VALUES[text])
        matched = True
    for word, meaning in CONTAINS:
        if word in text:
            into.add(meaning)
            matched = True
    if not matched:
        into.unmapped.append(value.strip())


def map_services(entries: Iterable[Mapping[str, Any]]) -> Mapped:
    """Our attributes for a locator row's service entries."""
    mapped = Mapped()
    for entry in entries:
        category, value = entry_parts(entry)
        for part in value.split(";"):
            map_value(category, part, mapped)
    return mapped
