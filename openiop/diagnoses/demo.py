# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo problem lists: most people in treatment have a primary substance use
disorder diagnosis matching what they use (their admitted inquiry's
substances, or the medication they take for it), some a co-occurring
depression or anxiety, and a few none yet, so billing has a charge to hold
for "no diagnosis".

Written in bulk, a committed batch per thousand patients with one
``demo.bulk_seed`` audit event each (see ``openiop.audit.bulk``), at
every size: through the services each entry would send
``diagnoses_changed``, and billing would re-sync charges before its own demo
(fee schedules, coverage) exists. Each row is what ``diagnosis_create``
stores: the normalized code, the description copied from the code set.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from openiop.audit import bulk as demo_bulk
from openiop.diagnoses import codes
from openiop.diagnoses.models import Diagnosis
from openiop.patients.models import Episode
from openiop.sites.models import Site

COMMITS_IN_BATCHES = True
BATCH = 1000
# Of the people in treatment: this share has no diagnosis yet, and this share
# of the diagnosed a co-occurring mental-health diagnosis.
WITHOUT_DIAGNOSIS = 0.08
CO_OCCURRING = 0.2
CO_OCCURRING_CODES = ["F321", "F411"]  # major depressive disorder, moderate; generalized anxiety disorder

SUBSTANCE_CODES = {
    "alcohol": "F1020",
    "opioids": "F1120",
    "cannabis": "F1220",
    "benzodiazepines": "F1320",
    "stimulants": "F1520",
    "other": "F1920",
}
# Without a known substance: roughly how often each disorder is the primary one in an IOP.
TYPICAL_CODES = [("F1020", 35), ("F1120", 25), ("F1520", 12), ("F1420", 10), ("F1220", 10), ("F1320", 5)]
# Medications for alcohol use disorder (the rest of the catalogue treat opioid use disorder).
ALCOHOL_MEDICATIONS = ("acamprosate", "disulfiram", "naltrexone_oral")


def progress_steps(size: str) -> int:
    return 1


def _known_substance_codes() -> dict[int, str]:
    """patient id -> the primary code their record already suggests."""
    from openiop.admissions.models import Inquiry
    from openiop.medications.models import Medication

    known: dict[int, str] = {}
    for patient_id, substances in Inquiry.objects.filter(patient__isnull=False).values_list("patient_id", "substances"):
        for substance in substances or []:
            if substance in SUBSTANCE_CODES:
                known.setdefault(patient_id, SUBSTANCE_CODES[substance])
                break
    rows = Medication.objects.exclude(catalogue_code="").values_list("patient_id", "catalogue_code")
    for patient_id, medication in rows:
        known[patient_id] = "F1020" if medication.startswith(ALCOHOL_MEDICATIONS) else "F1120"
    return known


def _typical(rng: random.Random) -> str:
    return rng.choices([code for code, _w in TYPICAL_CODES], [weight for _c, weight in TYPICAL_CODES])[0]


def seed_app(*, size: str, sites: list[Site], rng: random.Random, tick: Callable[[int], None]) -> None:
    """Safe to run again: a site whose episodes already have diagnoses is
    skipped (so those left without one stay without), and so is anyone with
    a diagnosis."""
    seeded = Diagnosis.objects.filter(episode__site__in=sites).values("episode__site_id")
    episodes = list(
        Episode.objects.filter(site__in=sites, status=Episode.Status.ACTIVE)
        .exclude(site__in=seeded)
        .exclude(patient__diagnoses__isnull=False)
        .order_by("pk")
        .values_list("pk", "patient_id", "admission_date")
    )
    known = _known_substance_codes()
    descriptions = {code: codes.describe(code) for code in {*SUBSTANCE_CODES.values(), *CO_OCCURRING_CODES}}
    descriptions.update({code: codes.describe(code) for code, _weight in TYPICAL_CODES})
    for start in range(0, len(episodes), BATCH):
        rows: list[Diagnosis] = []
        for episode_id, patient_id, admitted in episodes[start : start + BATCH]:
            if rng.random() < WITHOUT_DIAGNOSIS:
                continue
            onset = admitted - dt.timedelta(days=rng.randint(90, 3 * 365))
            primary = known.get(patient_id) or _typical(rng)
            rows.append(_row(patient_id, episode_id, primary, descriptions, onset, is_primary=True))
            if rng.random() < CO_OCCURRING:
                other = rng.choice(CO_OCCURRING_CODES)
                rows.append(_row(patient_id, episode_id, other, descriptions, onset, is_primary=False))
        with demo_bulk.batch("diagnoses", data={"patients": len(episodes[start : start + BATCH])}) as batch:
            batch.insert(Diagnosis, rows)
    tick(1)


def _row(
    patient_id: int, episode_id: int, code: str, descriptions: dict[str, str], onset: dt.date, *, is_primary: bool
) -> Diagnosis:
    return Diagnosis(
        patient_id=patient_id,
        episode_id=episode_id,
        code=code,
        description=descriptions.get(code) or codes.describe(code),
        onset_date=onset,
        is_primary=is_primary,
    )
