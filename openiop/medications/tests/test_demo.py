# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import pytest

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.medications import demo, selectors
from openiop.medications.interpretation import Verdict
from openiop.medications.models import DrugTestReview, Medication, SobrietyDate, Specimen, TestResult
from openiop.patients.services import episode_admit
from openiop.patients.tests.factories import TODAY, register
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def staffed_sites(persona: Callable[..., User], north: Site, south: Site) -> list[Site]:
    for site in (north, south):
        for role in (RoleCode.NURSE, RoleCode.PRESCRIBER, RoleCode.CLINICIAN):
            persona(role, site=site)
    clinician = User.objects.filter(roles__code=RoleCode.CLINICIAN).first()
    for number in range(30):
        site = north if number % 3 else south
        patient = register(site, legal_first_name=f"Demo{number}", legal_last_name="Person")
        episode_admit(actor=clinician, patient=patient, site=site, admission_date=TODAY - dt.timedelta(days=45))
    return [north, south]


def test_the_demo_seeds_medications_weekly_tests_and_one_review_of_each_kind(staffed_sites: list[Site]) -> None:
    ticks: list[int] = []

    demo.seed_app(size="small", sites=staffed_sites, rng=random.Random(7), tick=ticks.append)

    assert sum(ticks) == demo.progress_steps("small")
    codes = set(Medication.objects.values_list("catalogue_code", flat=True))
    assert {"buprenorphine_naloxone", "methadone_otp", "naltrexone_xr"} <= codes
    assert all(m.otp_name for m in Medication.objects.filter(catalogue_code="methadone_otp"))
    assert Specimen.objects.count() >= 30 * 4
    # Mostly negatives; buprenorphine positives for people on it are expected.
    results = TestResult.objects.filter(method="presumptive")
    assert results.filter(result="negative").count() > 0.8 * results.count()
    verdicts = [
        finding.verdict
        for specimen in Specimen.objects.prefetch_related("results")
        for finding in selectors.specimen_interpretation(specimen).findings
        if finding.drug_class == "buprenorphine" and finding.presumptive == "positive"
    ]
    assert verdicts and set(verdicts) == {Verdict.EXPECTED}
    assert DrugTestReview.objects.filter(status="pending").count() == 1
    confirmed = DrugTestReview.objects.get(status="confirmed")
    reset = SobrietyDate.objects.get(source=SobrietyDate.Source.REVIEW)
    assert (reset.review, reset.date) == (confirmed, confirmed.specimen.collected_on)
    assert selectors.current_sobriety_date(confirmed.patient) == reset
    for dismissed in DrugTestReview.objects.filter(status="dismissed"):
        assert selectors.specimen_interpretation(dismissed.specimen).unexpected == []
    # Changes, an entry in error and a corrected result, as a chart has them.
    changed = Medication.objects.filter(replaces__isnull=False)
    assert changed.exists() and all(m.replaces.stop_date == m.start_date for m in changed)  # type: ignore[union-attr]
    assert Medication.objects.filter(entered_in_error_at__isnull=False).count() == 1
    corrected = TestResult.objects.get(supersedes__isnull=False)
    assert corrected.supersedes.superseded_at is not None and corrected.result == "invalid"  # type: ignore[union-attr]


def test_the_demo_is_safe_to_run_twice(staffed_sites: list[Site]) -> None:
    demo.seed_app(size="small", sites=staffed_sites, rng=random.Random(7), tick=lambda n: None)
    counts = (Medication.objects.count(), Specimen.objects.count(), DrugTestReview.objects.count())

    demo.seed_app(size="small", sites=staffed_sites, rng=random.Random(8), tick=lambda n: None)

    assert (Medication.objects.count(), Specimen.objects.count(), DrugTestReview.objects.count()) == counts
