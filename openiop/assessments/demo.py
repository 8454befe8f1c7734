# SPDX-License-Identifier: AGPL-3.0-or-later
"""Synthetic instrument histories that change over time, withdrawal
flowsheets, placements and a few safety alerts for the demo patients.

Routine histories are scored with the real scoring function and written in
bulk (thousands of rows); everything that should exercise the safety path
(alerts, escalations, placement decisions) goes through the services.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from openiop.accounts.models import User
from openiop.assessments import placement, safety, safety_plan, services
from openiop.assessments.instruments import Answer, Instrument, Response, get_instrument
from openiop.assessments.models import InstrumentResult, PlacementAssessment, SafetyAlert, SafetyPlan
from openiop.assessments.scoring import score
from openiop.audit import bulk as demo_bulk
from openiop.core.roles import RoleCode
from openiop.patients import services as patient_services
from openiop.patients.models import Episode, LevelOfCare, Patient, Sex
from openiop.sites.models import Site

Tick = Callable[[int], None]
REVIEW_EVERY_DAYS = 14
RESULT_BATCH = 10000
COMMITS_IN_BATCHES = True  # the routine histories commit as they go (see openiop.demo.program)


def progress_steps(size: str) -> int:
    return 4


def answers_for(
    instrument: Instrument, target: int, rng: random.Random, *, keep_zero: frozenset[str] = frozenset()
) -> list[Response]:
    """Answers whose points add up to about TARGET: points are handed out one
    at a time to random items that can still take more. Items the skip logic
    leaves unasked are None."""
    chosen: dict[str, Answer] = {}
    levels: dict[str, list[tuple[int, Answer]]] = {
        item.key: sorted((choice.points, choice.value) for choice in item.choices) for item in instrument.items
    }
    position = dict.fromkeys(levels, 0)
    remaining = max(0, target)
    open_keys = [item.key for item in instrument.scored_items if item.key not in keep_zero]
    while remaining > 0 and open_keys:
        key = rng.choice(open_keys)
        if position[key] + 1 >= len(levels[key]):
            open_keys.remove(key)
            continue
        step = levels[key][position[key] + 1][0] - levels[key][position[key]][0]
        if step > remaining:
            open_keys.remove(key)
            continue
        position[key] += 1
        remaining -= step
    for item in instrument.items:
        chosen[item.key] = levels[item.key][position[item.key]][1]
    answers = [chosen[item.key] for item in instrument.items]
    skipped = instrument.skipped_by(answers)
    return [None if item.key in skipped else value for item, value in zip(instrument.items, answers, strict=True)]


def _result(
    patient: Patient,
    episode: Episode | None,
    code: str,
    target: int,
    when: dt.datetime,
    by: User,
    rng: random.Random,
    context: str = InstrumentResult.Context.SCREENING,
) -> InstrumentResult:
    instrument = get_instrument(code)
    keep_zero = frozenset({"9"}) if code == "PHQ-9" else frozenset()
    answers = answers_for(instrument, target, rng, keep_zero=keep_zero)
    sex = patient.sex_at_birth if patient.sex_at_birth in (Sex.MALE, Sex.FEMALE) else "female"
    outcome = score(code, answers, sex=sex)
    return InstrumentResult(
        patient=patient,
        episode=episode,
        instrument_code=instrument.code,
        answers=answers,
        total=outcome.total,
        band=outcome.band,
        subscales=outcome.subscales,
        flags=outcome.flags,
        band_rule=instrument.band_source or str(instrument.citation),
        sex_used=sex if instrument.requires_sex else "",
        context=context,
        administered_at=when,
        administered_by=by,
    )


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def seed_app(*, size: str, sites: list[Site], rng: random.Random, tick: Tick) -> None:
    if InstrumentResult.objects.exists():
        tick(progress_steps(size))
        return
    today = timezone.localdate()
    staff = {
        site.pk: list(User.objects.filter(sites=site, roles__code=RoleCode.CLINICIAN, is_active=True)) for site in sites
    }
    nurses = {
        site.pk: list(User.objects.filter(sites=site, roles__code=RoleCode.NURSE, is_active=True)) for site in sites
    }
    episodes = list(
        Episode.objects.filter(status=Episode.Status.ACTIVE).select_related("patient", "site").order_by("pk")
    )
    rows: list[InstrumentResult] = []
    for episode in episodes:
        clinicians = staff.get(episode.site_id) or list(User.objects.filter(username="clinician"))
        if not clinicians:
            continue
        by = rng.choice(clinicians)
        patient = episode.patient
        start = max(episode.admission_date, today - dt.timedelta(days=120))
        phq, gad = rng.randint(8, 22), rng.randint(6, 18)
        drinker = rng.random() < 0.5
        rows.append(
            _result(
                patient,
                episode,
                "AUDIT" if drinker else "DAST-10",
                rng.randint(10, 28) if drinker else rng.randint(3, 9),
                _at(start, 10),
                by,
                rng,
            )
        )
        rows.append(_result(patient, episode, "BAM", rng.randint(20, 45), _at(start, 10), by, rng))
        day = start
        while day <= today:
            rows.append(
                _result(patient, episode, "PHQ-9", phq, _at(day, 11), by, rng, InstrumentResult.Context.REASSESSMENT)
            )
            rows.append(
                _result(patient, episode, "GAD-7", gad, _at(day, 11), by, rng, InstrumentResult.Context.REASSESSMENT)
            )
            # Most people improve in treatment; some stall or worsen for a while.
            phq = min(27, max(0, phq + rng.choice([-4, -3, -2, -2, -1, 0, 1, 2])))
            gad = min(21, max(0, gad + rng.choice([-3, -2, -2, -1, 0, 1])))
            day += dt.timedelta(days=REVIEW_EVERY_DAYS)
    # Routine history in bulk, committed a few thousand at a time, one audit
    # event per batch (see openiop.audit.bulk).
    for part in demo_bulk.chunks(rows, RESULT_BATCH):
        with demo_bulk.batch("instrument histories") as batch:
            batch.insert_leaves(InstrumentResult, part)
    tick(1)

    main = [episode for episode in episodes if episode.site_id in {site.pk for site in sites[:3]}]
    _seed_withdrawal(main[:6], nurses, today, rng)
    tick(1)
    _seed_alerts(main[6:12], staff, rng)
    tick(1)
    _seed_placements(main[12:40], staff, rng)
    tick(1)


def _seed_withdrawal(
    episodes: list[Episode], nurses: dict[int, list[User]], today: dt.date, rng: random.Random
) -> None:
    for number, episode in enumerate(episodes):
        nurse_list = nurses.get(episode.site_id) or list(User.objects.filter(username="nurse"))
        if not nurse_list:
            return
        code = "COWS" if number % 3 == 2 else "CIWA-Ar"
        # Withdrawal easing over four days; the first patient's day-2 score crosses the escalation threshold.
        targets = (
            [13, 16, 9, 5]
            if number == 0
            else [rng.randint(9, 13), rng.randint(6, 10), rng.randint(3, 7), rng.randint(0, 4)]
        )
        for offset, target in enumerate(targets):
            day = today - dt.timedelta(days=len(targets) - 1 - offset)
            instrument = get_instrument(code)
            services.withdrawal_check_record(
                actor=rng.choice(nurse_list),
                patient=episode.patient,
                code=code,
                answers=answers_for(instrument, target, rng),
                pulse=min(140, 70 + target * 2 + rng.randint(-4, 4)),
                systolic=125 + target + rng.randint(-5, 5),
                diastolic=78 + target // 2 + rng.randint(-3, 3),
                temperature_c=(Decimal("36.8") + Decimal(target) / Decimal(40)).quantize(Decimal("0.1")),
                respiratory_rate=14 + target // 5,
                oxygen_saturation=rng.randint(96, 99),
                administered_at=_at(day, 9) if day < today else timezone.now() - dt.timedelta(minutes=5 * (offset + 1)),
            )


def _seed_alerts(episodes: list[Episode], staff: dict[int, list[User]], rng: random.Random) -> None:
    phq9 = get_instrument("PHQ-9")
    for number, episode in enumerate(episodes):
        clinicians = staff.get(episode.site_id) or list(User.objects.filter(username="clinician"))
        if not clinicians:
            return
        by = rng.choice(clinicians)
        if number % 2 == 0:
            answers = answers_for(phq9, 16, rng, keep_zero=frozenset({"9"}))
            answers[8] = 1
            result = services.result_record(actor=by, patient=episode.patient, code="PHQ-9", answers=answers)
            alert = SafetyAlert.objects.filter(source_result=result).first()
        else:
            alert = services.alert_raise(
                actor=by,
                patient=episode.patient,
                kind=SafetyAlert.Kind.REPORTED_SUICIDAL_THOUGHT,
                detail="Said in group that they had thought about not waking up after a relapse last weekend.",
            )
        if alert is not None and number >= 3:
            services.alert_acknowledge(
                actor=by,
                alert=alert,
                note="Met the same day; safety plan reviewed; no plan or intent; 988 card given; family informed.",
            )
        if number % 2 == 0:
            _seed_follow_up(episode, by, CSSRS_FOLLOW_UPS[(number // 2) % len(CSSRS_FOLLOW_UPS)])


# The C-SSRS after a PHQ-9 item 9: low, moderate (with a safety plan) and high risk (with a plan reviewed, then a
# step-down that waits for the next review).
CSSRS_FOLLOW_UPS: list[list[Response]] = [
    [True, True, True, False, False, False, None],
    [True, False, None, None, None, False, None],
    [True, True, True, True, False, True, False],
]
DEMO_PLAN = {
    "warning_signs": "Not sleeping\nStaying in my room and not answering the phone\nThinking I am a burden",
    "coping_strategies": "Walk the dog round the park\nShower and make tea\nBreathing exercise from group",
    "distractions": "Coffee with Ana at the corner cafe\nThe Tuesday evening meeting",
    "help_contacts": "My sister Rosa 617-555-0101\nMy sponsor Dee 617-555-0102",
    "crisis_contacts": safety_plan.CRISIS_LINES + "\nMy counselor at the program 617-555-0100\n"
    "Nearest emergency department: Boston General, 1 Main Street",
    "environment_safety": "Rosa keeps my medicines and gives me a week at a time\nNo alcohol in the house",
    "reasons_for_living": "My daughter\nGetting my job back",
}


def _seed_follow_up(episode: Episode, by: User, answers: list[Response]) -> None:
    patient = episode.patient
    result = services.result_record(actor=by, patient=patient, code="C-SSRS", answers=answers)
    if not SafetyAlert.objects.filter(source_result=result, kind__in=safety.SAFETY_PLAN_KINDS).exists():
        return
    services.safety_plan_write(actor=by, patient=patient, content=DEMO_PLAN, expected_version=0, source_result=result)
    plan = SafetyPlan.objects.get(patient=patient)
    services.safety_plan_review(actor=by, plan=plan, reviewed_on=timezone.localdate())
    if result.band == "high risk" and episode.level_of_care == LevelOfCare.PHP:
        patient_services.episode_change_level(
            actor=by,
            episode=episode,
            to_level=LevelOfCare.IOP,
            effective_date=timezone.localdate(),
            reason="Safer now, engaged daily; steps down to IOP.",
        )


def _seed_placements(episodes: list[Episode], staff: dict[int, list[User]], rng: random.Random) -> None:
    for episode in episodes:
        clinicians = staff.get(episode.site_id) or list(User.objects.filter(username="clinician"))
        if not clinicians or PlacementAssessment.objects.filter(patient=episode.patient).exists():
            continue
        by = rng.choice(clinicians)
        ratings = {
            1: rng.choice([0, 1, 1]),
            2: rng.choice([0, 1]),
            3: rng.choice([1, 2]),
            4: rng.choice([1, 2]),
            5: rng.choice([2, 2, 3]),
            6: rng.choice([1, 2]),
        }
        # Most answers favour IOP; some do not, and a few were not asked.
        fit: dict[str, bool | None] = {}
        for factor in placement.FIT_FACTORS:
            roll = rng.random()
            fit[factor.code] = (
                factor.favours_iop_when if roll < 0.85 else (None if roll > 0.97 else not factor.favours_iop_when)
            )
        run = services.placement_run(
            actor=by,
            patient=episode.patient,
            ratings=ratings,
            notes={5: "Several relapses after short outpatient stays."},
            fit=fit,
            adolescent=episode.program == Episode.Program.ADOLESCENT_IOP,
        )
        decided = run.recommended_level if rng.random() < 0.85 else LevelOfCare.IOP
        services.placement_decide(
            actor=by,
            run=run,
            level=decided,
            withdrawal_management=run.recommended_withdrawal_management,
            reason=""
            if decided == run.recommended_level
            else "Works full time; evening IOP keeps the job that anchors recovery.",
        )
