# SPDX-License-Identifier: AGPL-3.0-or-later
"""The demo problem lists: a primary substance use diagnosis matching what the
record says the person uses, some co-occurring ones, a few people without."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from openiop.accounts.models import User
from openiop.admissions.models import Inquiry
from openiop.audit.models import AuditEvent
from openiop.diagnoses import demo
from openiop.diagnoses.models import Diagnosis
from openiop.diagnoses.selectors import claim_diagnoses
from openiop.medications.models import Medication
from openiop.patients.models import Patient
from openiop.patients.services import episode_admit
from openiop.patients.tests.factories import TODAY, register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


def _in_treatment(site: Site, count: int) -> list[Patient]:
    people = []
    for number in range(count):
        patient = register(site, legal_first_name=f"Demo{number}", phone="")
        episode_admit(actor=None, patient=patient, site=site, admission_date=TODAY - dt.timedelta(days=10))
        people.append(patient)
    return people


def test_most_people_in_treatment_get_one_primary_matching_their_substance_and_reruns_add_nothing(
    north: Site, bob: User
) -> None:
    people = _in_treatment(north, 40)
    drinkers, opioid_users = people[:10], people[10:15]
    for drinker in drinkers:
        Inquiry.objects.create(
            site=north, caller_name="Self", first_name="D", last_name="Zero", substances=["alcohol"], patient=drinker
        )
    for opioid_user in opioid_users:
        Medication.objects.create(
            patient=opioid_user, catalogue_code="buprenorphine_naloxone", name="Buprenorphine/naloxone",
            dose="8 mg/2 mg", frequency="once daily", indication="Opioid use disorder", start_date=TODAY,
            outside_prescriber="Dr. L. Osei",
        )  # fmt: skip
    not_in_treatment = register(north, legal_first_name="Waiting", phone="")

    demo.seed_app(size="tiny", sites=[north], rng=random.Random(3), tick=lambda n: None)

    primaries = Counter(Diagnosis.objects.filter(is_primary=True).values_list("patient_id", flat=True))
    assert set(primaries.values()) == {1}
    assert 30 <= len(primaries) < 40  # a few left without, for billing's "no diagnosis" hold
    assert not Diagnosis.objects.filter(patient=not_in_treatment).exists()
    found = claim_diagnoses([p.pk for p in people], TODAY)
    # What the record says they use decides the primary code (of those diagnosed).
    assert {found[p.pk][0] for p in drinkers if found[p.pk]} == {"F1020"}
    assert {found[p.pk][0] for p in opioid_users if found[p.pk]} == {"F1120"}
    assert all(codes[0].startswith("F1") for codes in found.values() if codes)
    assert Diagnosis.objects.filter(code__in=demo.CO_OCCURRING_CODES, is_primary=False).exists()
    assert all(d.description for d in Diagnosis.objects.all())
    assert AuditEvent.objects.filter(action="demo.bulk_seed", data__batch="diagnoses").count() == 1

    before = Diagnosis.objects.count()
    demo.seed_app(size="tiny", sites=[north], rng=random.Random(4), tick=lambda n: None)
    assert Diagnosis.objects.count() == before
