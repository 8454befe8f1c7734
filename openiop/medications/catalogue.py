# SPDX-License-Identifier: AGPL-3.0-or-later
"""Vocabularies kept as data: drug classes on test panels, and the
medications for opioid and alcohol use disorder (MOUD/MAUD) with the drug
classes each one makes *expected* in a drug test.

Sources: SAMHSA TIP 63, Medications for Opioid Use Disorder (2021 update);
SAMHSA/NIAAA TIP 49, Incorporating Alcohol Pharmacotherapies Into Medical
Practice (2009); ASAM, Appropriate Use of Drug Testing in Clinical Addiction
Medicine (2017). Labels are translated at display time; codes are what the
database stores and what ``interpretation`` compares.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from django.utils.translation import gettext_lazy as _

MOUD_CITATION = "SAMHSA TIP 63, Medications for Opioid Use Disorder, 2021 update"
MAUD_CITATION = "SAMHSA/NIAAA TIP 49, Incorporating Alcohol Pharmacotherapies Into Medical Practice, 2009"
TESTING_CITATION = "ASAM, Appropriate Use of Drug Testing in Clinical Addiction Medicine, 2017"


@dataclass(frozen=True)
class DrugClass:
    code: str
    label: Any  # lazy translation
    detail: Any = ""  # what the panel actually measures


DRUG_CLASSES: tuple[DrugClass, ...] = (
    DrugClass("alcohol", _("Alcohol"), _("EtG/EtS in urine; breath or blood alcohol")),
    DrugClass("amphetamines", _("Amphetamines")),
    DrugClass("methamphetamine", _("Methamphetamine")),
    DrugClass("mdma", _("MDMA (ecstasy)")),
    DrugClass("cocaine", _("Cocaine"), _("benzoylecgonine")),
    DrugClass("opiates", _("Opiates"), _("morphine, codeine; heroin (6-MAM) on confirmation")),
    DrugClass("oxycodone", _("Oxycodone")),
    DrugClass("fentanyl", _("Fentanyl"), _("fentanyl and norfentanyl")),
    DrugClass("buprenorphine", _("Buprenorphine"), _("buprenorphine and norbuprenorphine")),
    DrugClass("methadone", _("Methadone"), _("methadone and EDDP")),
    DrugClass("tramadol", _("Tramadol")),
    DrugClass("benzodiazepines", _("Benzodiazepines")),
    DrugClass("barbiturates", _("Barbiturates")),
    DrugClass("cannabinoids", _("Cannabinoids (THC)"), _("THC-COOH")),
    DrugClass("pcp", _("Phencyclidine (PCP)")),
    DrugClass("xylazine", _("Xylazine")),
)
DRUG_CLASS_BY_CODE: MappingProxyType[str, DrugClass] = MappingProxyType({c.code: c for c in DRUG_CLASSES})
DRUG_CLASS_CHOICES: list[tuple[str, Any]] = [(c.code, c.label) for c in DRUG_CLASSES]

# The panel a point-of-care urine cup typically covers; the recording form
# shows these first. A program with another cup changes this list.
DEFAULT_PANEL: tuple[str, ...] = (
    "amphetamines",
    "methamphetamine",
    "cocaine",
    "opiates",
    "oxycodone",
    "fentanyl",
    "buprenorphine",
    "methadone",
    "benzodiazepines",
    "cannabinoids",
)


def drug_class_label(code: str) -> str:
    entry = DRUG_CLASS_BY_CODE.get(code)
    return str(entry.label) if entry else code


class Indication:
    OUD = "oud"
    AUD = "aud"


INDICATION_LABELS: MappingProxyType[str, Any] = MappingProxyType(
    {Indication.OUD: _("Opioid use disorder"), Indication.AUD: _("Alcohol use disorder")}
)


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    name: Any
    indication: str  # Indication.*
    route: str  # a Route value (models.Route)
    usual_dose: str
    usual_frequency: str
    expected_classes: tuple[str, ...]
    note: Any = ""
    # Methadone for OUD is dispensed only by a certified opioid treatment
    # program (42 CFR 8.12); we record it, the OTP's name, and that we do not dispense.
    outside_otp: bool = False
    citation: str = MOUD_CITATION


MEDICATION_CATALOGUE: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(
        "buprenorphine_sl",
        _("Buprenorphine (sublingual)"),
        Indication.OUD,
        "sublingual",
        "8 mg",
        "once daily",
        ("buprenorphine",),
        _("Partial opioid agonist."),
    ),
    CatalogueEntry(
        "buprenorphine_naloxone",
        _("Buprenorphine/naloxone (sublingual film or tablet)"),
        Indication.OUD,
        "sublingual",
        "8 mg/2 mg",
        "once daily",
        ("buprenorphine",),
        _("Naloxone is not absorbed sublingually and is not on standard panels."),
    ),
    CatalogueEntry(
        "buprenorphine_xr",
        _("Buprenorphine extended-release injection"),
        Indication.OUD,
        "subcutaneous",
        "300 mg",
        "monthly",
        ("buprenorphine",),
        _("Given by a clinician; detectable for weeks."),
    ),
    CatalogueEntry(
        "methadone_otp",
        _("Methadone (opioid treatment program)"),
        Indication.OUD,
        "oral",
        "",
        "once daily",
        ("methadone",),
        _("Dispensed by an outside opioid treatment program; this program does not dispense it."),
        outside_otp=True,
    ),
    CatalogueEntry(
        "naltrexone_oral",
        _("Naltrexone (oral)"),
        Indication.AUD,
        "oral",
        "50 mg",
        "once daily",
        (),
        _("Opioid antagonist; produces no expected positive on standard panels."),
        citation=MAUD_CITATION,
    ),
    CatalogueEntry(
        "naltrexone_xr",
        _("Naltrexone extended-release injectable"),
        Indication.OUD,
        "intramuscular",
        "380 mg",
        "every 4 weeks",
        (),
        _("Opioid antagonist, also used for alcohol use disorder; no expected positive."),
    ),
    CatalogueEntry(
        "acamprosate",
        _("Acamprosate"),
        Indication.AUD,
        "oral",
        "666 mg",
        "three times daily",
        (),
        citation=MAUD_CITATION,
    ),
    CatalogueEntry(
        "disulfiram",
        _("Disulfiram"),
        Indication.AUD,
        "oral",
        "250 mg",
        "once daily",
        (),
        _("Any alcohol, including in foods and hand sanitizer, can cause a reaction."),
        citation=MAUD_CITATION,
    ),
)
CATALOGUE_BY_CODE: MappingProxyType[str, CatalogueEntry] = MappingProxyType(
    {entry.code: entry for entry in MEDICATION_CATALOGUE}
)
CATALOGUE_CHOICES: list[tuple[str, Any]] = [(entry.code, entry.name) for entry in MEDICATION_CATALOGUE]


def _check() -> None:
    codes = [c.code for c in DRUG_CLASSES]
    if len(set(codes)) != len(codes):
        raise ValueError("duplicate drug class code")
    for entry in MEDICATION_CATALOGUE:
        unknown = set(entry.expected_classes) - set(codes)
        if unknown:
            raise ValueError(f"{entry.code}: unknown drug classes {sorted(unknown)}")
    unknown_panel = set(DEFAULT_PANEL) - set(codes)
    if unknown_panel:
        raise ValueError(f"default panel: unknown drug classes {sorted(unknown_panel)}")


_check()
