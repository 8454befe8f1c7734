# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo medications and weekly drug tests for patients in active episodes.

A share of patients take buprenorphine (their buprenorphine positives are
expected) or naltrexone; some get methadone from an outside opioid treatment
program; a few take acamprosate or disulfiram. Weekly urine tests over the
last five weeks are mostly negative. A few carry an unexpected positive: one
review stays pending, one is confirmed (the sobriety date resets), the rest
are dismissed after a confirmatory negative. Some buprenorphine doses were
changed (a chain of entries), one medication was entered in error and one
result was corrected. Everything goes through the services, so it is recorded
and audited like real work.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.utils import timezone

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.medications import catalogue, corrections, services
from openiop.medications.models import DrugTestReview, Medication, Route, Specimen, TestResult
from openiop.patients.models import Episode
from openiop.sites.models import Site

# Patients whose medications and tests go through the services (everyone
# else gets weekly tests in bulk, see seed_bulk).
PATIENTS = {"tiny": 12, "small": 45, "medium": 60, "large": 90}
WEEKS = 5
OTPS = ["Harbor Opioid Treatment Program", "Eastside Methadone Clinic", "Bridge Recovery OTP"]
UNEXPECTED_CLASSES = ["cocaine", "cannabinoids", "fentanyl", "methamphetamine", "benzodiazepines"]
OUTSIDE_PRESCRIBERS = ["Dr. L. Osei, Harbor Family Medicine", "Dr. R. Lindqvist, Community Health Center"]


def progress_steps(size: str) -> int:
    return PATIENTS.get(size, PATIENTS["small"])


def _staff(site: Site, role: str) -> list[User]:
    return list(User.objects.filter(sites=site, roles__code=role, is_active=True).order_by("pk"))


# The first patients get one of each, so every demo shows every kind.
FIRST_CODES = ["buprenorphine_naloxone", "methadone_otp", "naltrexone_xr", "buprenorphine_sl", "acamprosate"]


def _medication(
    rng: random.Random, *, number: int, episode: Episode, prescriber: User | None, nurse: User | None
) -> Medication | None:
    draw = rng.random()
    if number < len(FIRST_CODES):
        code = FIRST_CODES[number]
    elif draw < 0.25:
        code = rng.choice(["buprenorphine_naloxone"] * 3 + ["buprenorphine_sl", "buprenorphine_xr"])
    elif draw < 0.37:
        code = rng.choice(["naltrexone_oral", "naltrexone_xr"])
    elif draw < 0.44:
        code = "methadone_otp"
    elif draw < 0.49:
        code = "acamprosate"
    elif draw < 0.52:
        code = "disulfiram"
    else:
        return None
    entry = catalogue.CATALOGUE_BY_CODE[code]
    start = episode.admission_date - dt.timedelta(days=rng.randint(0, 40))
    outside = entry.outside_otp or prescriber is None
    otp = rng.choice(OTPS) if entry.outside_otp else ""
    if entry.outside_otp:
        outside_name = f"{otp} medical director"
    else:
        outside_name = rng.choice(OUTSIDE_PRESCRIBERS) if outside else ""
    return services.medication_add(
        actor=prescriber or nurse,
        patient=episode.patient,
        catalogue_code=code,
        name=str(entry.name),
        dose=entry.usual_dose or f"{rng.choice([60, 80, 90, 100])} mg",
        route=entry.route or Route.ORAL,
        frequency=entry.usual_frequency,
        indication=str(catalogue.INDICATION_LABELS[entry.indication]),
        prescriber=None if outside else prescriber,
        outside_prescriber=outside_name,
        otp_name=otp,
        start_date=start,
    )


def _collection_days(episode: Episode, today: dt.date, rng: random.Random) -> list[dt.date]:
    first = max(episode.admission_date, today - dt.timedelta(weeks=WEEKS))
    days = []
    day = first + dt.timedelta(days=rng.randint(1, 4))
    while day < today:
        days.append(day)
        day += dt.timedelta(days=7 + rng.randint(-1, 1))
    return days


def seed_app(*, size: str, sites: list[Site], rng: random.Random, tick: Callable[[int], None]) -> None:
    limit = progress_steps(size)
    if Medication.objects.exists() or Specimen.objects.exists():
        tick(limit)
        return
    today = timezone.localdate()
    episodes = list(
        Episode.objects.filter(status=Episode.Status.ACTIVE, site__in=sites)
        .select_related("patient", "site")
        .order_by("site_id", "pk")[:limit]
    )
    staff = {
        site.pk: {role: _staff(site, role) for role in (RoleCode.PRESCRIBER, RoleCode.NURSE, RoleCode.CLINICIAN)}
        for site in sites
    }
    unexpected: list[Specimen] = []
    wanted_unexpected = max(4, len(episodes) // 25)
    for number, episode in enumerate(episodes):
        site_staff = staff[episode.site_id]
        prescriber = rng.choice(site_staff[RoleCode.PRESCRIBER]) if site_staff[RoleCode.PRESCRIBER] else None
        nurse = rng.choice(site_staff[RoleCode.NURSE]) if site_staff[RoleCode.NURSE] else None
        clinician = rng.choice(site_staff[RoleCode.CLINICIAN]) if site_staff[RoleCode.CLINICIAN] else None
        medication = _medication(rng, number=number, episode=episode, prescriber=prescriber, nurse=nurse)
        if clinician is not None:
            services.sobriety_date_set(
                actor=clinician,
                patient=episode.patient,
                date=episode.admission_date - dt.timedelta(days=rng.randint(2, 60)),
                note="Reported by the patient at intake.",
            )
        if nurse is None:
            tick(1)
            continue
        days = _collection_days(episode, today, rng)
        # Spread the unexpected positives over the patient list.
        surprise_day = days[-1] if days and len(unexpected) < wanted_unexpected and number % 9 == 4 else None
        for day in days:
            expected = set(medication.expected_classes) if medication and medication.active_on(day) else set()
            results = []
            for code in catalogue.DEFAULT_PANEL:
                # Now and then a patient on buprenorphine tests negative for it
                # (missed doses): the reading flags it for an adherence talk.
                positive = code in expected and rng.random() > 0.08
                results.append(services.ResultEntry(code, TestResult.Outcome.POSITIVE if positive else "negative"))
            surprise = rng.choice(UNEXPECTED_CLASSES) if day == surprise_day else None
            if surprise:
                results = [
                    services.ResultEntry(e.drug_class, TestResult.Outcome.POSITIVE) if e.drug_class == surprise else e
                    for e in results
                ]
            local = dt.datetime.combine(
                day, dt.time(rng.randint(8, 16), rng.choice([0, 15, 30, 45])), tzinfo=ZoneInfo(episode.site.time_zone)
            )
            specimen = services.specimen_record(
                actor=nurse,
                patient=episode.patient,
                site=episode.site,
                specimen_type=Specimen.Type.URINE,
                collected_at=local,
                observed=rng.random() < 0.3,
                collected_by=nurse,
                presumptive=results,
            )
            if surprise:
                unexpected.append(specimen)
        tick(1)
    tick(limit - len(episodes))
    _decide(unexpected, staff)
    _corrections(rng, today, {s.pk for s in unexpected})


def _decide(unexpected: list[Specimen], staff: dict[int, dict[RoleCode, list[User]]]) -> None:
    """First unexpected positive: left pending. Second: confirmed, the
    sobriety date resets. The rest: a confirmatory negative, then dismissed."""
    for index, specimen in enumerate(unexpected):
        review = DrugTestReview.objects.filter(specimen=specimen, status=DrugTestReview.Status.PENDING).first()
        clinicians = staff[specimen.site_id][RoleCode.CLINICIAN]
        if review is None or index == 0 or not clinicians:
            continue
        if index == 1:
            services.review_confirm(
                actor=clinicians[0],
                review=review,
                note="Patient disclosed use at the weekend; relapse-prevention plan updated.",
            )
            continue
        services.results_record(
            actor=specimen.collected_by,
            specimen=specimen,
            method=TestResult.Method.CONFIRMATORY,
            results=[services.ResultEntry(code, "negative", None) for code in review.drug_classes],
        )
        services.review_dismiss(
            actor=clinicians[0], review=review, note="Confirmatory LC-MS/MS negative: presumptive false positive."
        )


def _corrections(rng: random.Random, today: dt.date, unexpected: set[int]) -> None:
    """A few dose increases, one entry entered in error, one corrected result."""
    buprenorphine = Medication.objects.filter(
        catalogue_code="buprenorphine_naloxone", stop_date__isnull=True, prescriber__isnull=False
    ).select_related("prescriber")
    for index, medication in enumerate(buprenorphine.order_by("pk")):
        if index % 3 or medication.prescriber is None:
            continue
        corrections.medication_change(
            actor=medication.prescriber,
            medication=medication,
            expected_version=medication.version,
            dose="12 mg/3 mg",
            route=medication.route,
            frequency=medication.frequency,
            indication=medication.indication,
            prescriber=medication.prescriber,
            start_date=max(medication.start_date, today - dt.timedelta(days=rng.randint(7, 20))),
            reason="Cravings in the evenings at 8 mg.",
        )
    first = Medication.objects.filter(prescriber__isnull=False).select_related("prescriber").order_by("pk").first()
    if first is not None and first.prescriber is not None:
        wrong = services.medication_add(
            actor=first.prescriber,
            patient=first.patient,
            name="Gabapentin",
            dose="300 mg",
            route=Route.ORAL,
            frequency="three times daily",
            indication="Neuropathic pain",
            prescriber=first.prescriber,
            start_date=today - dt.timedelta(days=3),
        )
        corrections.medication_mark_in_error(
            actor=first.prescriber,
            medication=wrong,
            reason="Recorded in the wrong patient's chart.",
            expected_version=wrong.version,
        )
    misread = (
        TestResult.objects.filter(method=TestResult.Method.PRESUMPTIVE, drug_class="opiates", result="negative")
        .exclude(specimen__in=unexpected)
        .select_related("specimen__collected_by")
        .order_by("pk")
        .first()
    )
    if misread is not None:
        corrections.result_correct(
            actor=misread.specimen.collected_by,
            result=misread,
            new_result=TestResult.Outcome.INVALID,
            cutoff=None,
            reason="Cup re-read: the opiates line was too faint to read; recollection requested.",
        )


# --- Weekly tests for everyone else, in bulk ----------------------------------------------------------------------


def bulk_steps(size: str) -> int:
    return 50


def seed_bulk(*, size: str, sites: list[Site], rng: random.Random, tick: Callable[[int], None]) -> None:
    """Weekly urine tests over the last WEEKS weeks for every active patient
    the showcase above left without any: a negative presumptive panel (they
    take no medication here, so nothing is expected and no review opens, as
    ``results_record`` would decide). One committed batch per site, one audit
    event each (see ``openiop.audit.bulk``)."""
    from openiop.audit import bulk as demo_bulk

    budget = demo_bulk.StepBudget(bulk_steps(size), tick)
    today, now = timezone.localdate(), timezone.now()
    for position, site in enumerate(sites, start=1):
        nurses = _staff(site, RoleCode.NURSE)
        episodes = list(
            Episode.objects.filter(site=site, status=Episode.Status.ACTIVE)
            .exclude(patient__specimens__isnull=False)
            .order_by("pk")
        )
        if nurses and episodes:
            zone = ZoneInfo(site.time_zone)
            with demo_bulk.batch("drug tests", site_id=site.pk) as rows:
                specimens = []
                for episode in episodes:
                    nurse = nurses[episode.pk % len(nurses)]
                    # Random testing, about every ten days (the showcase tests weekly).
                    for day in _collection_days(episode, today, rng)[::-1][::2]:
                        local = dt.datetime.combine(day, dt.time(rng.randint(8, 16), rng.choice([0, 15, 30, 45])),
                                                    tzinfo=zone)  # fmt: skip
                        specimens.append(
                            Specimen(patient_id=episode.patient_id, episode=episode, site=site,
                                     specimen_type=Specimen.Type.URINE, collected_at=local, collected_on=day,
                                     observed=rng.random() < 0.3, collected_by=nurse, recorded_by=nurse,
                                     recorded_at=min(local + dt.timedelta(minutes=10), now))
                        )  # fmt: skip
                specimens = rows.insert(Specimen, specimens)
                rows.insert_leaves(
                    TestResult,
                    [TestResult(specimen=specimen, method=TestResult.Method.PRESUMPTIVE, drug_class=code,
                                result=TestResult.Outcome.NEGATIVE, cutoff_unit="",
                                recorded_by_id=specimen.recorded_by_id, recorded_at=specimen.recorded_at)
                     for specimen in specimens for code in catalogue.DEFAULT_PANEL],
                )  # fmt: skip
        budget.reach(position / len(sites))
    budget.finish()
