# SPDX-License-Identifier: AGPL-3.0-or-later
"""Standardised instruments, kept as data: items, answer choices, scoring rule,
bands and flags. ``openiop.assessments.scoring`` reads these definitions; it
holds no instrument-specific numbers of its own.

Each instrument cites the rule it follows (name, edition, year). Where the
sources disagree about bands (CIWA-Ar), the bands are CONFIGURABLE: the
default ships here and an administrator may override it at scoring time.

The definitions are checked when this module is imported (bands must cover the
instrument's range without gaps or overlaps; subscales and flags must name
real items and bands), so a typo fails loudly instead of mis-scoring.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

# An answer as printed on the form: a number, or True/False for yes/no items.
Answer = int | bool
# What is stored for one item: its answer, or None for an item the form's skip
# logic did not ask (C-SSRS: "if no to 2, go to 6"). Only a skipped item may be None.
Response = Answer | None

SEXES = ("male", "female")

# Flag names are part of the public vocabulary: alerts and the UI key on them.
SUICIDAL_IDEATION = "suicidal_ideation"
SEVERE_WITHDRAWAL = "severe_withdrawal"
POSITIVE_SCREEN = "positive_screen"
# The C-SSRS screener's triage levels (DOMAIN.md, Suicide risk follow-up).
SUICIDE_RISK_LOW = "suicide_risk_low"
SUICIDE_RISK_MODERATE = "suicide_risk_moderate"
SUICIDE_RISK_HIGH = "suicide_risk_high"


@dataclass(frozen=True)
class Citation:
    name: str
    edition: str
    year: int

    def __str__(self) -> str:
        return f"{self.name}, {self.edition}, {self.year}" if self.edition else f"{self.name}, {self.year}"


@dataclass(frozen=True)
class Choice:
    """One answer on the form. ``value`` is what the person marks (the number
    printed on the form, or True/False for yes/no); ``points`` is what it scores.
    ``label`` is empty where the published form leaves a value unlabelled."""

    value: Answer
    label: str
    points: int


@dataclass(frozen=True)
class Item:
    key: str  # as numbered on the form: "1", "7A", "17"
    text: str
    choices: tuple[Choice, ...]
    scored: bool = True  # unscored items are recorded but count towards nothing

    @property
    def values(self) -> tuple[Answer, ...]:
        return tuple(choice.value for choice in self.choices)

    @property
    def is_yes_no(self) -> bool:
        return all(isinstance(choice.value, bool) for choice in self.choices)

    @property
    def min_points(self) -> int:
        return min(choice.points for choice in self.choices)

    @property
    def max_points(self) -> int:
        return max(choice.points for choice in self.choices)


@dataclass(frozen=True)
class Band:
    """A closed range of totals, ``min`` and ``max`` included. ``sex`` limits the
    band to one sex, for instruments with sex-specific cut-offs (AUDIT-C)."""

    name: str
    min: int
    max: int
    sex: str | None = None

    def __contains__(self, total: object) -> bool:
        return isinstance(total, int) and self.min <= total <= self.max


@dataclass(frozen=True)
class Subscale:
    name: str
    items: tuple[str, ...]  # item keys


@dataclass(frozen=True)
class ItemFlag:
    """Raise ``flag`` when item ``item`` scores more than ``above``, whatever the total."""

    flag: str
    item: str
    above: int = 0


@dataclass(frozen=True)
class BandFlag:
    """Raise ``flag`` when the total lands in the band named ``band``."""

    flag: str
    band: str


@dataclass(frozen=True)
class Skip:
    """The form's "if no, go to ...": when item ``item`` is answered ``answer``,
    the items in ``skip`` are not asked, and are stored as None."""

    item: str
    answer: Answer
    skip: tuple[str, ...]


@dataclass(frozen=True)
class TriageRule:
    """The result lands in band ``band`` when every item in ``yes`` was asked
    and answered yes. Rules are read in order and the first that holds wins,
    so the highest risk comes first; when none holds, the lowest band."""

    band: str
    yes: tuple[str, ...]


class Scoring(enum.Enum):
    SUM = "sum"  # total = sum of the scored items' points
    SUBSCALES = "subscales"  # no validated total: total is 0, read the subscales
    # No sum: the triage rules choose the band, and the total is the band's
    # rank (0 for the lowest), so results still chart over time.
    TRIAGE = "triage"


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    citation: Citation
    prompt: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    scoring: Scoring = Scoring.SUM
    subscales: tuple[Subscale, ...] = ()
    flags: tuple[ItemFlag | BandFlag, ...] = ()
    bands_configurable: bool = False
    # Where the bands come from when that is not the instrument's own citation.
    band_source: str = ""
    skips: tuple[Skip, ...] = ()
    triage: tuple[TriageRule, ...] = ()
    _items_by_key: Mapping[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_items_by_key", MappingProxyType({item.key: item for item in self.items}))

    def item(self, key: str) -> Item:
        return self._items_by_key[key]

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.scored)

    @property
    def min_total(self) -> int:
        if self.scoring in (Scoring.SUBSCALES, Scoring.TRIAGE):
            return 0
        return sum(item.min_points for item in self.scored_items)

    @property
    def max_total(self) -> int:
        if self.scoring is Scoring.SUBSCALES:
            return 0
        if self.scoring is Scoring.TRIAGE:
            return len(self.bands) - 1
        return sum(item.max_points for item in self.scored_items)

    @property
    def is_triaged(self) -> bool:
        return self.scoring is Scoring.TRIAGE

    @property
    def skippable(self) -> frozenset[str]:
        """Keys of the items the skip logic may leave unasked."""
        return frozenset(key for skip in self.skips for key in skip.skip)

    def skipped_by(self, answers: Sequence[object]) -> dict[str, Skip]:
        """The items ANSWERS (one per item, in form order) leave unasked, each
        with the skip that leaves it unasked. A skip whose own item was not
        asked does not fire."""
        given = {item.key: value for item, value in zip(self.items, answers, strict=False)}
        skipped: dict[str, Skip] = {}
        for skip in self.skips:
            value = given.get(skip.item)
            if skip.item in skipped or value is None:
                continue
            if isinstance(value, bool) == isinstance(skip.answer, bool) and value == skip.answer:
                for key in skip.skip:
                    skipped.setdefault(key, skip)
        return skipped

    def subscale_range(self, subscale: Subscale) -> tuple[int, int]:
        items = [self.item(key) for key in subscale.items]
        return sum(item.min_points for item in items), sum(item.max_points for item in items)

    @property
    def requires_sex(self) -> bool:
        return any(band.sex is not None for band in self.bands)

    def bands_for(self, sex: str | None = None) -> tuple[Band, ...]:
        """The bands in force for ``sex`` (ignored unless the cut-offs are sex-specific)."""
        if not self.requires_sex:
            return self.bands
        return tuple(band for band in self.bands if band.sex == sex)

    @property
    def flagged_bands(self) -> frozenset[str]:
        return frozenset(flag.band for flag in self.flags if isinstance(flag, BandFlag))


def check_bands(instrument: Instrument, bands: Sequence[Band]) -> None:
    """Raise ValueError unless ``bands`` cover the instrument's range exactly once
    and keep every band an alert depends on (so an override cannot switch one off)."""
    label = instrument.code
    if not bands:
        raise ValueError(f"{label} bands: at least one band is required")
    names = [band.name for band in bands]
    if len(set(names)) != len(names):
        raise ValueError(f"{label} bands: band names must be unique ({', '.join(names)})")
    missing = sorted(instrument.flagged_bands - set(names))
    if missing:
        raise ValueError(f"{label} bands: a band named {missing[0]!r} is required (it raises an alert)")
    ordered = sorted(bands, key=lambda band: band.min)
    expected = instrument.min_total
    for band in ordered:
        if band.min > band.max:
            raise ValueError(f"{label} band {band.name!r}: min {band.min} is above max {band.max}")
        if band.min != expected:
            problem = "gap" if band.min > expected else "overlap"
            raise ValueError(f"{label} bands: {problem} at {min(band.min, expected)} (band {band.name!r})")
        expected = band.max + 1
    if expected - 1 != instrument.max_total:
        raise ValueError(f"{label} bands: must end at the maximum total {instrument.max_total}, not {expected - 1}")


def _check(instrument: Instrument) -> Instrument:
    """Fail at import, not at a patient's bedside, if a definition is inconsistent."""
    code = instrument.code
    keys = [item.key for item in instrument.items]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{code}: duplicate item keys")
    for item in instrument.items:
        if len(set(item.values)) != len(item.values) or not item.choices:
            raise ValueError(f"{code} item {item.key}: answer values must be unique and not empty")
    for subscale in instrument.subscales:
        for key in subscale.items:
            if key not in keys or not instrument.item(key).scored:
                raise ValueError(f"{code} subscale {subscale.name!r}: item {key} is missing or unscored")
    for flag in instrument.flags:
        if isinstance(flag, ItemFlag) and flag.item not in keys:
            raise ValueError(f"{code} flag {flag.flag!r}: no item {flag.item}")
        if isinstance(flag, BandFlag) and all(band.name != flag.band for band in instrument.bands):
            raise ValueError(f"{code} flag {flag.flag!r}: no band {flag.band!r}")
    position = {key: index for index, key in enumerate(keys)}
    for skip in instrument.skips:
        if skip.item not in position or any(key not in position for key in skip.skip):
            raise ValueError(f"{code} skip after item {skip.item}: names an item that does not exist")
        if any(position[key] <= position[skip.item] for key in skip.skip):
            raise ValueError(f"{code} skip after item {skip.item}: may only skip later items")
        if skip.answer not in instrument.item(skip.item).values:
            raise ValueError(f"{code} skip after item {skip.item}: {skip.answer!r} is not an answer to it")
    if (instrument.scoring is Scoring.TRIAGE) != bool(instrument.triage):
        raise ValueError(f"{code}: triage rules go with triage scoring, and only with it")
    for rule in instrument.triage:
        if all(band.name != rule.band for band in instrument.bands):
            raise ValueError(f"{code} triage rule: no band {rule.band!r}")
        if not rule.yes or any(key not in position or not instrument.item(key).is_yes_no for key in rule.yes):
            raise ValueError(f"{code} triage rule for {rule.band!r}: needs yes/no items of this instrument")
    if instrument.scoring is Scoring.TRIAGE and any(band.min != band.max for band in instrument.bands):
        raise ValueError(f"{code}: a triage band is one rank, its min equal to its max")
    if instrument.requires_sex:
        for sex in SEXES:
            check_bands(instrument, instrument.bands_for(sex))
    else:
        check_bands(instrument, instrument.bands)
    return instrument


# --- Building blocks -------------------------------------------------------------------------------------------------


def _scale(*pairs: tuple[int, str]) -> tuple[Choice, ...]:
    return tuple(Choice(value=value, label=label, points=value) for value, label in pairs)


def _yes_no(*, yes: int = 1, no: int = 0) -> tuple[Choice, ...]:
    return (Choice(value=True, label="Yes", points=yes), Choice(value=False, label="No", points=no))


def _items(scale: tuple[Choice, ...], texts: Iterable[str], *, first: int = 1) -> tuple[Item, ...]:
    return tuple(Item(key=str(number), text=text, choices=scale) for number, text in enumerate(texts, start=first))


def _bands(*specs: tuple[str, int, int], sex: str | None = None) -> tuple[Band, ...]:
    return tuple(Band(name=name, min=low, max=high, sex=sex) for name, low, high in specs)


def _screen(cut_off: int, maximum: int, *, sex: str | None = None) -> tuple[Band, ...]:
    return _bands(("negative", 0, cut_off - 1), ("positive", cut_off, maximum), sex=sex)


POSITIVE = BandFlag(flag=POSITIVE_SCREEN, band="positive")


# --- PHQ-9, PHQ-2 ----------------------------------------------------------------------------------------------------
# Pfizer released the PHQ family for free use, no permission required.

PHQ_PROMPT = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
PHQ_SCALE = _scale((0, "Not at all"), (1, "Several days"), (2, "More than half the days"), (3, "Nearly every day"))
PHQ_9_TEXTS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself, or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed; or the opposite, being so fidgety or "
    "restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead, or of hurting yourself in some way",
)

PHQ_9 = Instrument(
    code="PHQ-9",
    name="Patient Health Questionnaire-9",
    citation=Citation("Kroenke, Spitzer & Williams, The PHQ-9, J Gen Intern Med 16:606-613", "original", 2001),
    prompt=PHQ_PROMPT,
    items=_items(PHQ_SCALE, PHQ_9_TEXTS),
    bands=_bands(
        ("minimal", 0, 4), ("mild", 5, 9), ("moderate", 10, 14), ("moderately severe", 15, 19), ("severe", 20, 27)
    ),
    # Item 9 asks about thoughts of death or self-harm: any answer above "not at all" needs a clinician now.
    flags=(ItemFlag(flag=SUICIDAL_IDEATION, item="9", above=0),),
)

PHQ_2 = Instrument(
    code="PHQ-2",
    name="Patient Health Questionnaire-2",
    citation=Citation("Kroenke, Spitzer & Williams, The PHQ-2, Med Care 41:1284-1292", "original", 2003),
    prompt=PHQ_PROMPT,
    items=_items(PHQ_SCALE, PHQ_9_TEXTS[:2]),
    bands=_screen(3, 6),
    flags=(POSITIVE,),
)

# --- GAD-7, GAD-2 ----------------------------------------------------------------------------------------------------

GAD_PROMPT = "Over the last 2 weeks, how often have you been bothered by the following problems?"
GAD_7_TEXTS = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
)

GAD_7 = Instrument(
    code="GAD-7",
    name="Generalized Anxiety Disorder-7",
    citation=Citation("Spitzer, Kroenke, Williams & Löwe, The GAD-7, Arch Intern Med 166:1092-1097", "original", 2006),
    prompt=GAD_PROMPT,
    items=_items(PHQ_SCALE, GAD_7_TEXTS),
    bands=_bands(("minimal", 0, 4), ("mild", 5, 9), ("moderate", 10, 14), ("severe", 15, 21)),
)

GAD_2 = Instrument(
    code="GAD-2",
    name="Generalized Anxiety Disorder-2",
    citation=Citation(
        "Kroenke et al., Anxiety disorders in primary care, Ann Intern Med 146:317-325", "original", 2007
    ),
    prompt=GAD_PROMPT,
    items=_items(PHQ_SCALE, GAD_7_TEXTS[:2]),
    bands=_screen(3, 6),
    flags=(POSITIVE,),
)

# --- AUDIT, AUDIT-C --------------------------------------------------------------------------------------------------

AUDIT_PROMPT = "Questions about your use of alcoholic beverages during the past year."
AUDIT_OFTEN = _scale(
    (0, "Never"), (1, "Less than monthly"), (2, "Monthly"), (3, "Weekly"), (4, "Daily or almost daily")
)
AUDIT_INJURY = _scale((0, "No"), (2, "Yes, but not in the last year"), (4, "Yes, during the last year"))
AUDIT_1 = Item(
    "1",
    "How often do you have a drink containing alcohol?",
    _scale(
        (0, "Never"),
        (1, "Monthly or less"),
        (2, "2 to 4 times a month"),
        (3, "2 to 3 times a week"),
        (4, "4 or more times a week"),
    ),
)
AUDIT_2 = Item(
    "2",
    "How many drinks containing alcohol do you have on a typical day when you are drinking?",
    _scale((0, "1 or 2"), (1, "3 or 4"), (2, "5 or 6"), (3, "7, 8 or 9"), (4, "10 or more")),
)
AUDIT_3 = Item("3", "How often do you have six or more drinks on one occasion?", AUDIT_OFTEN)

AUDIT = Instrument(
    code="AUDIT",
    name="Alcohol Use Disorders Identification Test",
    citation=Citation(
        "Babor et al., AUDIT: Guidelines for Use in Primary Care, World Health Organization", "2nd", 2001
    ),
    prompt=AUDIT_PROMPT,
    items=(
        AUDIT_1,
        AUDIT_2,
        AUDIT_3,
        *_items(
            AUDIT_OFTEN,
            (
                "How often during the last year have you found that you were not able to stop drinking once you had "
                "started?",
                "How often during the last year have you failed to do what was normally expected from you because "
                "of drinking?",
                "How often during the last year have you needed a first drink in the morning to get yourself going "
                "after a heavy drinking session?",
                "How often during the last year have you had a feeling of guilt or remorse after drinking?",
                "How often during the last year have you been unable to remember what happened the night before "
                "because you had been drinking?",
            ),
            first=4,
        ),
        Item("9", "Have you or someone else been injured as a result of your drinking?", AUDIT_INJURY),
        Item(
            "10",
            "Has a relative or friend, or a doctor or other health worker, been concerned about your drinking or "
            "suggested you cut down?",
            AUDIT_INJURY,
        ),
    ),
    bands=_bands(("zone I", 0, 7), ("zone II", 8, 15), ("zone III", 16, 19), ("zone IV", 20, 40)),
)

AUDIT_C = Instrument(
    code="AUDIT-C",
    name="AUDIT-Consumption (AUDIT items 1-3)",
    citation=Citation("Bush et al., The AUDIT alcohol consumption questions, Arch Intern Med 158:1789-1795", "", 1998),
    prompt=AUDIT_PROMPT,
    items=(AUDIT_1, AUDIT_2, AUDIT_3),
    bands=_screen(4, 12, sex="male") + _screen(3, 12, sex="female"),
    flags=(POSITIVE,),
    band_source="Bradley et al., AUDIT-C as a brief screen for alcohol misuse in primary care, "
    "Alcohol Clin Exp Res 31:1208-1217, 2007 (positive >= 4 men, >= 3 women)",
)

# --- DAST-10 ---------------------------------------------------------------------------------------------------------

DAST_10 = Instrument(
    code="DAST-10",
    name="Drug Abuse Screening Test-10",
    citation=Citation("Skinner, The Drug Abuse Screening Test, Addict Behav 7:363-371", "10-item", 1982),
    prompt="These questions refer to the past 12 months. Drug use means the use of prescribed or over-the-counter "
    "drugs in excess of the directions, and any non-medical use of drugs. The questions do not include alcoholic "
    "beverages.",
    items=(
        Item("1", "Have you used drugs other than those required for medical reasons?", _yes_no()),
        Item("2", "Do you abuse more than one drug at a time?", _yes_no()),
        # The one reversed item: being unable to stop is the problem answer.
        Item("3", "Are you always able to stop using drugs when you want to?", _yes_no(yes=0, no=1)),
        Item("4", "Have you had blackouts or flashbacks as a result of drug use?", _yes_no()),
        Item("5", "Do you ever feel bad or guilty about your drug use?", _yes_no()),
        Item("6", "Does your spouse (or do your parents) ever complain about your involvement with drugs?", _yes_no()),
        Item("7", "Have you neglected your family because of your use of drugs?", _yes_no()),
        Item("8", "Have you engaged in illegal activities in order to obtain drugs?", _yes_no()),
        Item(
            "9", "Have you ever experienced withdrawal symptoms (felt sick) when you stopped taking drugs?", _yes_no()
        ),
        Item(
            "10",
            "Have you had medical problems as a result of your drug use (e.g. memory loss, hepatitis, convulsions, "
            "bleeding)?",
            _yes_no(),
        ),
    ),
    bands=_bands(("none", 0, 0), ("low", 1, 2), ("moderate", 3, 5), ("substantial", 6, 8), ("severe", 9, 10)),
)

# --- CIWA-Ar ---------------------------------------------------------------------------------------------------------
# Not copyrighted; may be reproduced freely. Items 1-9 score 0-7, but the form labels only some values.

HALLUCINATIONS = {
    4: "Moderately severe hallucinations",
    5: "Severe hallucinations",
    6: "Extremely severe hallucinations",
    7: "Continuous hallucinations",
}


def _ciwa(key: str, text: str, anchors: Mapping[int, str]) -> Item:
    return Item(key, text, tuple(Choice(value=v, label=anchors.get(v, ""), points=v) for v in range(8)))


CIWA_AR = Instrument(
    code="CIWA-Ar",
    name="Clinical Institute Withdrawal Assessment for Alcohol, revised",
    citation=Citation(
        "Sullivan et al., Assessment of alcohol withdrawal: the CIWA-Ar, Br J Addict 84:1353-1357", "", 1989
    ),
    prompt="Rate each sign or symptom from observation and from the patient's answers.",
    items=(
        _ciwa(
            "1",
            'Nausea and vomiting. Ask "Do you feel sick to your stomach? Have you vomited?"',
            {
                0: "No nausea and no vomiting",
                1: "Mild nausea with no vomiting",
                4: "Intermittent nausea with dry heaves",
                7: "Constant nausea, frequent dry heaves and vomiting",
            },
        ),
        _ciwa(
            "2",
            "Tremor. Arms extended and fingers spread apart.",
            {
                0: "No tremor",
                1: "Not visible, but can be felt fingertip to fingertip",
                4: "Moderate, with patient's arms extended",
                7: "Severe, even with arms not extended",
            },
        ),
        _ciwa(
            "3",
            "Paroxysmal sweats.",
            {
                0: "No sweat visible",
                1: "Barely perceptible sweating, palms moist",
                4: "Beads of sweat obvious on forehead",
                7: "Drenching sweats",
            },
        ),
        _ciwa(
            "4",
            'Anxiety. Ask "Do you feel nervous?"',
            {
                0: "No anxiety, at ease",
                1: "Mildly anxious",
                4: "Moderately anxious, or guarded, so anxiety is inferred",
                7: "Equivalent to acute panic states as seen in severe delirium or acute schizophrenic reactions",
            },
        ),
        _ciwa(
            "5",
            "Agitation.",
            {
                0: "Normal activity",
                1: "Somewhat more than normal activity",
                4: "Moderately fidgety and restless",
                7: "Paces back and forth during most of the interview, or constantly thrashes about",
            },
        ),
        _ciwa(
            "6",
            'Tactile disturbances. Ask "Have you any itching, pins and needles sensations, any burning, any '
            'numbness, or do you feel bugs crawling on or under your skin?"',
            {
                0: "None",
                1: "Very mild itching, pins and needles, burning or numbness",
                2: "Mild itching, pins and needles, burning or numbness",
                3: "Moderate itching, pins and needles, burning or numbness",
                **HALLUCINATIONS,
            },
        ),
        _ciwa(
            "7",
            'Auditory disturbances. Ask "Are you more aware of sounds around you? Are they harsh? Do they frighten '
            'you? Are you hearing anything that is disturbing to you? Are you hearing things you know are not there?"',
            {
                0: "Not present",
                1: "Very mild harshness or ability to frighten",
                2: "Mild harshness or ability to frighten",
                3: "Moderate harshness or ability to frighten",
                **HALLUCINATIONS,
            },
        ),
        _ciwa(
            "8",
            'Visual disturbances. Ask "Does the light appear to be too bright? Is its color different? Does it hurt '
            "your eyes? Are you seeing anything that is disturbing to you? Are you seeing things you know are not "
            'there?"',
            {
                0: "Not present",
                1: "Very mild sensitivity",
                2: "Mild sensitivity",
                3: "Moderate sensitivity",
                **HALLUCINATIONS,
            },
        ),
        _ciwa(
            "9",
            'Headache, fullness in head. Ask "Does your head feel different? Does it feel like there is a band '
            'around your head?" Do not rate for dizziness or lightheadedness.',
            dict(
                enumerate(
                    (
                        "Not present",
                        "Very mild",
                        "Mild",
                        "Moderate",
                        "Moderately severe",
                        "Severe",
                        "Very severe",
                        "Extremely severe",
                    )
                )
            ),
        ),
        Item(
            "10",
            'Orientation and clouding of sensorium. Ask "What day is this? Where are you? Who am I?"',
            _scale(
                (0, "Oriented and can do serial additions"),
                (1, "Cannot do serial additions or is uncertain about date"),
                (2, "Disoriented for date by no more than 2 calendar days"),
                (3, "Disoriented for date by more than 2 calendar days"),
                (4, "Disoriented for place and/or person"),
            ),
        ),
    ),
    # Sources disagree on the cut-offs (8, 10, 15, 20 all appear), so these are CONFIGURABLE.
    bands=_bands(("minimal/mild", 0, 9), ("moderate", 10, 18), ("severe", 19, 67)),
    bands_configurable=True,
    band_source="OpenIOP default, an administrator may change it: < 10 minimal/mild, 10-18 moderate, >= 19 severe",
    flags=(BandFlag(flag=SEVERE_WITHDRAWAL, band="severe"),),
)

# --- COWS ------------------------------------------------------------------------------------------------------------
# The answer is the item score printed on the form (pulse 101-120 bpm is 2), not the measurement itself.

COWS = Instrument(
    code="COWS",
    name="Clinical Opiate Withdrawal Scale",
    citation=Citation("Wesson & Ling, The Clinical Opiate Withdrawal Scale, J Psychoactive Drugs 35:253-259", "", 2003),
    prompt="For each item, mark the number that best describes the patient's sign or symptom. Rate only the "
    "apparent relationship to opiate withdrawal.",
    items=(
        Item(
            "1",
            "Resting pulse rate, measured after the patient is sitting or lying for one minute.",
            _scale((0, "80 or below"), (1, "81-100"), (2, "101-120"), (4, "Greater than 120")),
        ),
        Item(
            "2",
            "Sweating over the past half hour, not accounted for by room temperature or patient activity.",
            _scale(
                (0, "No report of chills or flushing"),
                (1, "Subjective report of chills or flushing"),
                (2, "Flushed or observable moistness on face"),
                (3, "Beads of sweat on brow or face"),
                (4, "Sweat streaming off face"),
            ),
        ),
        Item(
            "3",
            "Restlessness, observed during assessment.",
            _scale(
                (0, "Able to sit still"),
                (1, "Reports difficulty sitting still, but is able to do so"),
                (3, "Frequent shifting or extraneous movements of legs/arms"),
                (5, "Unable to sit still for more than a few seconds"),
            ),
        ),
        Item(
            "4",
            "Pupil size.",
            _scale(
                (0, "Pupils pinned or normal size for room light"),
                (1, "Pupils possibly larger than normal for room light"),
                (2, "Pupils moderately dilated"),
                (5, "Pupils so dilated that only the rim of the iris is visible"),
            ),
        ),
        Item(
            "5",
            "Bone or joint aches. If the patient had pain before, score only the part attributed to opiate withdrawal.",
            _scale(
                (0, "Not present"),
                (1, "Mild diffuse discomfort"),
                (2, "Patient reports severe diffuse aching of joints/muscles"),
                (4, "Patient is rubbing joints or muscles and is unable to sit still because of discomfort"),
            ),
        ),
        Item(
            "6",
            "Runny nose or tearing, not accounted for by cold symptoms or allergies.",
            _scale(
                (0, "Not present"),
                (1, "Nasal stuffiness or unusually moist eyes"),
                (2, "Nose running or tearing"),
                (4, "Nose constantly running or tears streaming down cheeks"),
            ),
        ),
        Item(
            "7",
            "GI upset over the last half hour.",
            _scale(
                (0, "No GI symptoms"),
                (1, "Stomach cramps"),
                (2, "Nausea or loose stool"),
                (3, "Vomiting or diarrhea"),
                (5, "Multiple episodes of diarrhea or vomiting"),
            ),
        ),
        Item(
            "8",
            "Tremor, observing outstretched hands.",
            _scale(
                (0, "No tremor"),
                (1, "Tremor can be felt, but not observed"),
                (2, "Slight tremor observable"),
                (4, "Gross tremor or muscle twitching"),
            ),
        ),
        Item(
            "9",
            "Yawning, observed during assessment.",
            _scale(
                (0, "No yawning"),
                (1, "Yawning once or twice during assessment"),
                (2, "Yawning three or more times during assessment"),
                (4, "Yawning several times a minute"),
            ),
        ),
        Item(
            "10",
            "Anxiety or irritability.",
            _scale(
                (0, "None"),
                (1, "Patient reports increasing irritability or anxiousness"),
                (2, "Patient obviously irritable or anxious"),
                (4, "Patient so irritable or anxious that participation in the assessment is difficult"),
            ),
        ),
        Item(
            "11",
            "Gooseflesh skin.",
            _scale(
                (0, "Skin is smooth"),
                (3, "Piloerection of skin can be felt or hairs standing up on arms"),
                (5, "Prominent piloerection"),
            ),
        ),
    ),
    # The published form names no band below 5; "none" is ours.
    bands=_bands(
        ("none", 0, 4), ("mild", 5, 12), ("moderate", 13, 24), ("moderately severe", 25, 36), ("severe", 37, 48)
    ),
    flags=(BandFlag(flag=SEVERE_WITHDRAWAL, band="severe"),),
)

# --- BAM -------------------------------------------------------------------------------------------------------------
# Developed by the US Department of Veterans Affairs (public domain). Likert (categorical) version.

BAM_DAYS = _scale((0, "0 days"), (1, "1-3 days"), (2, "4-8 days"), (3, "9-15 days"), (4, "16-30 days"))
BAM_EXTENT = _scale((0, "Not at all"), (1, "Slightly"), (2, "Moderately"), (3, "Considerably"), (4, "Extremely"))
BAM_DRUGS = (
    ("7A", "Marijuana (cannabis, pot, weed)"),
    ("7B", "Sedatives/tranquilizers (e.g. benzos, Valium, Xanax, Ativan, Ambien, barbs, phenobarbital, downers)"),
    ("7C", "Cocaine/crack"),
    ("7D", "Other stimulants (e.g. amphetamine, methamphetamine, Dexedrine, Ritalin, Adderall, speed, crystal meth)"),
    ("7E", "Opiates (e.g. heroin, morphine, Dilaudid, Demerol, OxyContin, codeine, Percocet, Vicodin, fentanyl)"),
    ("7F", "Inhalants (glues, adhesives, nail polish remover, paint thinner)"),
    ("7G", "Other drugs (steroids, non-prescription sleep/diet pills, Benadryl, ephedra, other OTC/unknown medicines)"),
)

BAM = Instrument(
    code="BAM",
    name="Brief Addiction Monitor",
    citation=Citation(
        "Cacciola et al., Development and initial evaluation of the Brief Addiction Monitor, "
        "J Subst Abuse Treat 44:256-263",
        "17-item categorical",
        2013,
    ),
    prompt="The questions ask about the past 30 days. Answer questions 7A-7G about each kind of drug.",
    items=(
        Item(
            "1",
            "In the past 30 days, would you say your physical health has been:",
            _scale((0, "Excellent"), (1, "Very good"), (2, "Good"), (3, "Fair"), (4, "Poor")),
        ),
        Item(
            "2", "In the past 30 days, how many nights did you have trouble falling asleep or staying asleep?", BAM_DAYS
        ),
        Item(
            "3",
            "In the past 30 days, how many days have you felt depressed, anxious, angry or very upset throughout most "
            "of the day?",
            BAM_DAYS,
        ),
        Item("4", "In the past 30 days, how many days did you drink ANY alcohol?", BAM_DAYS),
        Item(
            "5",
            "In the past 30 days, how many days did you have at least 5 drinks (if you are a man) or at least 4 "
            "drinks (if you are a woman)? One drink is one shot of hard liquor (1.5 oz), one 12-ounce can or bottle "
            "of beer, or one 5-ounce glass of wine.",
            BAM_DAYS,
        ),
        Item(
            "6",
            "In the past 30 days, how many days did you use any illegal/street drugs or abuse any prescription "
            "medications?",
            BAM_DAYS,
        ),
        *(
            Item(key, f"In the past 30 days, how many days did you use: {drug}", BAM_DAYS, scored=False)
            for key, drug in BAM_DRUGS
        ),
        Item(
            "8",
            "In the past 30 days, how much were you bothered by cravings or urges to drink alcohol or use drugs?",
            BAM_EXTENT,
        ),
        Item(
            "9",
            "How confident are you in your ability to be completely abstinent (clean) from alcohol and drugs in the "
            "next 30 days?",
            BAM_EXTENT,
        ),
        Item(
            "10",
            "In the past 30 days, how many days did you attend self-help meetings like AA or NA to support your "
            "recovery?",
            BAM_DAYS,
        ),
        Item(
            "11",
            "In the past 30 days, how many days were you in any situations or with any people that might put you at "
            "an increased risk for using alcohol or drugs (i.e. around risky people, places or things)?",
            BAM_DAYS,
        ),
        Item("12", "Does your religion or spirituality help support your recovery?", BAM_EXTENT),
        Item(
            "13",
            "In the past 30 days, how many days did you spend much of the time at work, school, or doing volunteer "
            "work?",
            BAM_DAYS,
        ),
        Item(
            "14",
            "Do you have enough income (from legal sources) to pay for necessities such as housing, transportation, "
            "food and clothing for yourself and your dependents?",
            _scale((0, "No"), (4, "Yes")),
        ),
        Item(
            "15",
            "In the past 30 days, how much have you been bothered by arguments or problems getting along with any "
            "family members or friends?",
            BAM_EXTENT,
        ),
        Item(
            "16",
            "In the past 30 days, how many days were you in contact or spent time with any family members or friends "
            "who are supportive of your recovery?",
            BAM_DAYS,
        ),
        # An overall progress rating, read on its own: it belongs to no subscale.
        Item(
            "17",
            "How satisfied are you with your progress toward achieving your recovery goals?",
            BAM_EXTENT,
            scored=False,
        ),
    ),
    # The BAM has no validated single score (summing Risk with Protective would be meaningless: they point
    # opposite ways), so the total is 0 and the band says to read the subscales.
    scoring=Scoring.SUBSCALES,
    subscales=(
        Subscale("use", ("4", "5", "6")),
        Subscale("risk", ("1", "2", "3", "8", "11", "15")),
        Subscale("protective", ("9", "10", "12", "13", "14", "16")),
    ),
    bands=_bands(("subscales only", 0, 0)),
)

# --- C-SSRS screener --------------------------------------------------------------------------------------------------
# Columbia Lighthouse Project: free for clinical use. Screen version, "since last contact/recent": items 1-5 ask about
# the past month, item 6 about the lifetime with a follow-up on the past 3 months. Triage as in DOMAIN.md.

CSSRS_PAST_MONTH = "In the past month: "
CSSRS = Instrument(
    code="C-SSRS",
    name="Columbia-Suicide Severity Rating Scale, screener",
    citation=Citation(
        "Posner et al., The Columbia-Suicide Severity Rating Scale, Am J Psychiatry 168:1266-1277; "
        "Columbia Lighthouse Project",
        "Screen version, recent",
        2011,
    ),
    prompt="Ask questions 1 and 2. If the answer to 2 is yes, ask questions 3, 4, 5 and 6. If the answer to 2 is no, "
    "go straight to question 6. Ask 6b only when the answer to 6 is yes.",
    items=(
        Item(
            "1",
            CSSRS_PAST_MONTH + "Have you wished you were dead or wished you could go to sleep and not wake up?",
            _yes_no(),
        ),
        Item("2", CSSRS_PAST_MONTH + "Have you actually had any thoughts about killing yourself?", _yes_no()),
        Item("3", CSSRS_PAST_MONTH + "Have you thought about how you might do this?", _yes_no()),
        Item(
            "4",
            CSSRS_PAST_MONTH + "Have you had any intention of acting on these thoughts of killing yourself, as "
            "opposed to you have the thoughts but you definitely would not act on them?",
            _yes_no(),
        ),
        Item(
            "5",
            CSSRS_PAST_MONTH + "Have you started to work out or worked out the details of how to kill yourself? "
            "Do you intend to carry out this plan?",
            _yes_no(),
        ),
        Item(
            "6",
            "Have you ever done anything, started to do anything, or prepared to do anything to end your life?",
            _yes_no(),
        ),
        Item("6b", "If yes to 6: was this within the past 3 months?", _yes_no()),
    ),
    scoring=Scoring.TRIAGE,
    skips=(Skip(item="2", answer=False, skip=("3", "4", "5")), Skip(item="6", answer=False, skip=("6b",))),
    triage=(
        TriageRule("high risk", ("4",)),
        TriageRule("high risk", ("5",)),
        TriageRule("high risk", ("6", "6b")),
        TriageRule("moderate risk", ("3",)),
        TriageRule("moderate risk", ("6",)),  # behaviour longer ago than 3 months
        TriageRule("low risk", ("1",)),
        TriageRule("low risk", ("2",)),
    ),
    bands=_bands(("no risk identified", 0, 0), ("low risk", 1, 1), ("moderate risk", 2, 2), ("high risk", 3, 3)),
    flags=(
        BandFlag(flag=SUICIDE_RISK_LOW, band="low risk"),
        BandFlag(flag=SUICIDE_RISK_MODERATE, band="moderate risk"),
        BandFlag(flag=SUICIDE_RISK_HIGH, band="high risk"),
    ),
    band_source="Triage (DOMAIN.md): yes to 1 or 2 only = low risk; yes to 3 = moderate; yes to 4 or 5 = high; "
    "6 yes within 3 months = high, longer ago = moderate",
)

INSTRUMENTS: Mapping[str, Instrument] = MappingProxyType(
    {
        instrument.code: _check(instrument)
        for instrument in (PHQ_9, PHQ_2, GAD_7, GAD_2, AUDIT, AUDIT_C, DAST_10, CIWA_AR, COWS, BAM, CSSRS)
    }
)
_BY_FOLDED_CODE = MappingProxyType({code.casefold(): instrument for code, instrument in INSTRUMENTS.items()})


def get_instrument(code: str) -> Instrument:
    """The instrument with this code, matched case-insensitively ("phq-9", "CIWA-AR")."""
    try:
        return _BY_FOLDED_CODE[code.casefold()]
    except (KeyError, AttributeError):
        raise ValueError(f"Unknown instrument {code!r}; known: {', '.join(INSTRUMENTS)}") from None
