# SPDX-License-Identifier: AGPL-3.0-or-later
"""Score a completed instrument. Pure functions, no database.

    >>> score("PHQ-9", [0, 0, 0, 0, 0, 0, 0, 0, 1])
    ScoreResult(total=1, band='minimal', subscales={}, flags=['suicidal_ideation'])

Everything instrument-specific (items, allowed answers, bands, flags) lives in
``openiop.assessments.instruments``; this module only applies it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from openiop.assessments.instruments import (
    SEXES,
    Answer,
    Band,
    Instrument,
    Item,
    ItemFlag,
    Response,
    Scoring,
    check_bands,
    get_instrument,
)

__all__ = ["ScoreResult", "every_response", "score"]


@dataclass(frozen=True)
class ScoreResult:
    total: int
    band: str  # the band's name, e.g. "moderately severe"
    subscales: dict[str, int] = field(default_factory=dict)  # empty unless the instrument has subscales
    flags: list[str] = field(default_factory=list)  # empty when nothing needs a clinician's attention


def score(
    code: str,
    answers: Sequence[Response],
    *,
    sex: str | None = None,
    bands: Sequence[Band] | None = None,
) -> ScoreResult:
    """Score ``answers`` (one per item, in form order) for the instrument ``code``.

    ``code`` is matched case-insensitively ("phq-9" is PHQ-9). Each answer is the
    number printed on the form, or True/False for yes/no items (DAST-10); a bool
    is never a number here, nor a number a yes/no. The BAM takes 23 answers:
    items 1-6, 7A-7G, then 8-17.

    ``sex`` ("male" or "female") is required where the cut-off depends on it
    (AUDIT-C) and ignored elsewhere. ``bands`` replaces the default bands of an
    instrument whose bands are CONFIGURABLE (CIWA-Ar); it must cover the whole
    range once and keep every band that raises an alert.

    The BAM has no validated total: its ``total`` is 0, its band "subscales
    only", and its scores are the ``use``, ``risk`` and ``protective`` subscales.

    An item the skip logic leaves unasked (C-SSRS items 3-5 when item 2 is
    no) is answered None, and only such an item may be. The C-SSRS is
    triaged, not summed: its band is the first triage rule that holds and
    its ``total`` that band's rank (0 no risk identified ... 3 high risk).

    Raises ValueError naming the instrument and item for a wrong number of
    answers or an answer the item does not allow, and for a missing or unknown
    ``sex`` or invalid ``bands``.
    """
    instrument = get_instrument(code)
    # None or a string would otherwise fail as a bare TypeError or score each character.
    if answers is None or isinstance(answers, (str, bytes)):
        raise ValueError(f"{instrument.code} expects a list of {len(instrument.items)} answers, got {answers!r}")
    values = list(answers)
    if len(values) != len(instrument.items):
        raise ValueError(
            f"{instrument.code} expects {len(instrument.items)} answers ({_item_list(instrument)}), got {len(values)}"
        )
    skipped = instrument.skipped_by(values)
    points: dict[str, int] = {}
    for item, value in zip(instrument.items, values, strict=True):
        skip = skipped.get(item.key)
        if skip is None:
            points[item.key] = _points(instrument, item, value)
        elif value is not None:
            raise ValueError(
                f"{instrument.code} item {item.key}: not asked when item {skip.item} is {_spoken(skip.answer)}, "
                f"so it has no answer (None), not {value!r}"
            )
        else:
            points[item.key] = 0

    subscales = {subscale.name: sum(points[key] for key in subscale.items) for subscale in instrument.subscales}
    bands_in_force = _bands_in_force(instrument, sex=sex, override=bands)
    if instrument.scoring is Scoring.TRIAGE:
        band = _triage(instrument, values, bands_in_force)
        total = band.min
    else:
        total = 0 if instrument.scoring is Scoring.SUBSCALES else sum(points[i.key] for i in instrument.scored_items)
        band = _band(total, bands_in_force)

    flags: list[str] = []
    for flag in instrument.flags:
        raised = points[flag.item] > flag.above if isinstance(flag, ItemFlag) else band.name == flag.band
        if raised and flag.flag not in flags:
            flags.append(flag.flag)
    return ScoreResult(total=total, band=band.name, subscales=subscales, flags=flags)


def every_response(instrument: Instrument) -> Iterator[list[Response]]:
    """Every complete response the form can produce, skipped items as None,
    each once. For small instruments (the C-SSRS has 54); the larger ones
    have millions."""
    seen: set[tuple[Response, ...]] = set()
    for combination in itertools.product(*(item.values for item in instrument.items)):
        skipped = instrument.skipped_by(combination)
        pairs = zip(instrument.items, combination, strict=True)
        response = tuple(None if item.key in skipped else value for item, value in pairs)
        if response not in seen:
            seen.add(response)
            yield list(response)


def _spoken(answer: Answer) -> str:
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    return str(answer)


def _triage(instrument: Instrument, values: Sequence[Response], bands: Sequence[Band]) -> Band:
    answered_yes = {item.key for item, value in zip(instrument.items, values, strict=True) if value is True}
    by_name = {band.name: band for band in bands}
    for rule in instrument.triage:
        if answered_yes.issuperset(rule.yes):
            return by_name[rule.band]
    return min(bands, key=lambda band: band.min)


def _points(instrument: Instrument, item: Item, value: object) -> int:
    # True == 1 in Python, so a plain ``value in item.values`` would let a checkbox
    # through as a number (and 1 through as "yes"): match the kind of answer first.
    if isinstance(value, bool) == item.is_yes_no and isinstance(value, int):
        for choice in item.choices:
            if choice.value == value:
                return choice.points
    allowed = ", ".join(repr(choice.value) for choice in item.choices)
    raise ValueError(f"{instrument.code} item {item.key}: {value!r} is not an allowed answer ({allowed})")


def _bands_in_force(instrument: Instrument, *, sex: str | None, override: Sequence[Band] | None) -> tuple[Band, ...]:
    if override is not None:
        if not instrument.bands_configurable:
            raise ValueError(f"{instrument.code} bands are not configurable")
        check_bands(instrument, override)
        return tuple(override)
    if not instrument.requires_sex:
        return instrument.bands
    if sex is None:
        raise ValueError(f"{instrument.code} needs the patient's sex ({' or '.join(SEXES)}) to choose its cut-off")
    folded = sex.casefold()
    if folded not in SEXES:
        raise ValueError(f"{instrument.code}: sex must be {' or '.join(SEXES)}, not {sex!r}")
    return instrument.bands_for(folded)


def _band(total: int, bands: Sequence[Band]) -> Band:
    # The bands were checked to cover the range exactly once, so this always finds one.
    return next(band for band in bands if total in band)


def _item_list(instrument: Instrument) -> str:
    """ "items 1-9", or "items 1-6, 7A-7G, 8-17" for the BAM."""
    runs: list[list[str]] = []
    for item in instrument.items:
        if runs and _follows(runs[-1][-1], item.key):
            runs[-1].append(item.key)
        else:
            runs.append([item.key])
    return "items " + ", ".join(run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)


def _follows(previous: str, key: str) -> bool:
    if previous.isdigit():
        return key == str(int(previous) + 1)
    return key == previous[:-1] + chr(ord(previous[-1]) + 1)
