# SPDX-License-Identifier: AGPL-3.0-or-later
"""Charges from attendance at the size of a program, and the draw-down cost
of saving one session's attendance.

    python -m bench.billing --patients 1000 --weeks 4 --json [--database sqlite|postgres]

A fresh scratch database (never the developer's var/) is migrated and filled
in bulk: one site, groups of 12 patients meeting four mornings a week (3 h),
attendance with no-shows and late arrivals, signed group notes, three payers
(one requiring authorization, one with a "9 h over 2 days" rule, one
without authorization) plus self-pay, coverage, authorizations, fee
schedules. Then:

- ``charge_seconds``: ``charges_sync_many`` over every patient and the whole
  period (what a first run, or a re-run after a fee schedule import, does);
  ``charges`` is how many standing charges it made. Target <= 10 s.
- ``claim_build_seconds``: ``claims_build`` over the month's ready charges:
  every claim grouped, scrubbed, written as 837I/837P and validated by pyx12
  (``--workers`` processes, default 2) into a scratch clearinghouse outbox;
  ``claims`` is how many claims went out, ``valid_share`` the share of built
  claims in files pyx12 accepted. Target <= 30 s and 1.0. The load average
  and this process's CPU time (plus the pyx12 workers') are printed beside
  the wall time, since the machine is shared.
- ``authorization_drawdown_ms_p95``: the following week, each group's
  attendance saved day by day through ``attendance_record`` (12 people,
  billing's receiver syncing their week and drawing authorizations down in
  the same transaction). Target <= 150 ms.
Prints one JSON object; exit status 2 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench._common import logger, percentile, run_benchmark

log = logger("bench.billing")
GROUP_SIZE = 12
DAYS = (0, 1, 2, 3)  # Monday to Thursday
TARGET_CHARGE_SECONDS = 10.0
TARGET_DRAWDOWN_MS = 150.0
TARGET_CLAIM_BUILD_SECONDS = 30.0
BENCH_NPI = "1234567893"  # passes the Luhn check over 80840
BENCH_TAX_ID = "043456789"
ADDICTION_COUNSELOR = "101YA0400X"


def build(patients: int, weeks: int, seed: int) -> dict[str, Any]:
    """The program, in bulk. Returns what the measurements need."""
    from django.utils import timezone

    from openiop.accounts.services import staff_create
    from openiop.billing.services import fee_schedule_create
    from openiop.insurance.models import Authorization, Coverage, Payer
    from openiop.patients.models import Episode, Patient
    from openiop.scheduling.models import Attendance, Enrolment, Session
    from openiop.sites.models import OpeningHours, Organization, Room, Site
    from openiop.treatment.models import GroupSession, Note, NoteStatus

    rng = random.Random(seed)
    organization = Organization.objects.create(
        name="Bench Recovery", mrn_prefix="BEN", npi=BENCH_NPI, tax_id=BENCH_TAX_ID
    )
    site = Site.objects.create(
        organization=organization,
        name="Bench Site",
        code="bench",
        street="1 Main St",
        city="Boston",
        state="MA",
        zip_code="02108-1234",
        time_zone="America/New_York",
    )
    for weekday in range(7):
        OpeningHours.objects.create(site=site, weekday=weekday, opens=dt.time(7), closes=dt.time(22))
    facilitator = staff_create(
        username="bench-clinician",
        password=None,
        first_name="Bench",
        last_name="Clinician",
        email="bench@example.invalid",
        role_codes=["clinician"],
        sites=[site],
    )
    from openiop.claims.models import ProviderNumber

    ProviderNumber.objects.create(user=facilitator, npi=BENCH_NPI, taxonomy=ADDICTION_COUNSELOR)
    today = timezone.localdate()
    # The measured month, then the draw-down week, all finished by today.
    first_monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks + 1)
    admission = first_monday - dt.timedelta(days=7)

    people = Patient.objects.bulk_create(
        Patient(
            organization=organization,
            site=site,
            mrn=f"BEN{number:07d}",
            legal_first_name=f"Pat{number}",
            legal_last_name="Bench",
            birth_date=dt.date(1970, 1, 1) + dt.timedelta(days=number * 7),
            sex_at_birth="female" if number % 2 else "male",
            street=f"{number + 1} Elm St",
            city="Boston",
            state="MA",
            zip_code="02108",
        )
        for number in range(patients)
    )
    episodes = Episode.objects.bulk_create(
        Episode(patient=person, site=site, admission_date=admission, primary_counsellor=facilitator)
        for person in people
    )
    payers = [
        Payer.objects.create(organization=organization, name="Acme Commercial", payer_id="ACME1"),
        Payer.objects.create(
            organization=organization,
            name="State Medicaid Plan",
            payer_id="MCD01",
            per_diem_min_minutes_per_day=0,
            per_diem_min_days_per_week=2,
            per_diem_min_minutes_per_week=540,
        ),
        Payer.objects.create(
            organization=organization, name="Open Plan", payer_id="OPEN1", authorization_required=False
        ),
    ]
    for payer in [None, *payers]:
        for code, amount in (("H0015", "250"), ("90834", "140"), ("80305", "30"), ("H0001", "200")):
            fee_schedule_create(
                actor=None,
                organization=organization,
                payer=payer,
                code=code,
                charge_amount=amount,
                expected_amount=str(Decimal(amount) * Decimal("0.7")),
                effective_from=admission,
            )
    coverages = Coverage.objects.bulk_create(
        Coverage(patient=person, payer=payers[number % 3], member_id=f"M{number:08d}", effective_date=admission)
        for number, person in enumerate(people)
        if number % 4 != 3  # every fourth patient self-pay
    )
    Authorization.objects.bulk_create(
        Authorization(
            patient_id=coverage.patient_id,
            coverage=coverage,
            number=f"A{coverage.pk}",
            service_code="H0015",
            units_authorized=rng.choice((12, 16, 24)),
            start_date=admission,
            end_date=today + dt.timedelta(days=30),
        )
        for coverage in coverages
        if coverage.payer_id != payers[2].pk
    )

    # A claim needs a diagnosis: nearly everyone has one (the rest are held).
    from openiop.diagnoses.models import Diagnosis

    Diagnosis.objects.bulk_create(
        Diagnosis(
            patient=episode.patient,
            episode=episode,
            code="F1020",
            description="Alcohol dependence, uncomplicated",
            onset_date=admission,
            is_primary=True,
        )
        for number, episode in enumerate(episodes)
        if number % 25 != 7
    )
    room = Room.objects.create(site=site, name="Group room", capacity=GROUP_SIZE)
    zone = site.zone
    groups = [episodes[start : start + GROUP_SIZE] for start in range(0, len(episodes), GROUP_SIZE)]
    sessions: list[Session] = []
    session_groups: list[list[Any]] = []
    group_of_session: list[int] = []
    for week in range(weeks + 1):
        for day in DAYS:
            date = first_monday + dt.timedelta(weeks=week, days=day)
            for members in groups:
                start = dt.datetime.combine(date, dt.time(9), tzinfo=zone)
                sessions.append(
                    Session(
                        site=site,
                        service="group_relapse_prevention",
                        title="Relapse prevention",
                        room=room,
                        facilitator=facilitator,
                        start=start,
                        end=start + dt.timedelta(hours=3),
                        capacity_min=1,
                        capacity_max=GROUP_SIZE,
                    )
                )
                session_groups.append(members)
                group_of_session.append(len(group_of_session) % len(groups))
    # One room holds one group at a time in real life; the bench only needs rows.
    sessions = Session.objects.bulk_create(sessions)
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(session=session, episode=episode, patient_id=episode.patient_id)
        for session, members in zip(sessions, session_groups, strict=True)
        for episode in members
    )
    month_end = first_monday + dt.timedelta(weeks=weeks) - dt.timedelta(days=1)
    measured = [e for e in enrolments if e.session.start.date() <= month_end]
    # The next week, group by group (Monday to Thursday), so the third day of
    # each makes the week billable and draws its authorization down.
    drawdown_sessions = sorted(
        (
            (group, session)
            for group, session in zip(group_of_session, sessions, strict=True)
            if session.start.date() > month_end
        ),
        key=lambda pair: (pair[0], pair[1].start),
    )
    attendance = []
    for enrolment in measured:
        roll = rng.random()
        status, minutes = ("present", 180) if roll < 0.85 else ("late", 120) if roll < 0.92 else ("no_show", 0)
        attendance.append(Attendance(enrolment=enrolment, status=status, minutes_attended=minutes))
    Attendance.objects.bulk_create(attendance, batch_size=2000)
    # Signed group notes for the measured month (documentation first).
    by_session: dict[int, list[Any]] = {}
    for enrolment in measured:
        by_session.setdefault(enrolment.session_id, []).append(enrolment)
    group_notes = GroupSession.objects.bulk_create(
        GroupSession(
            site=site,
            session_date=session.start.astimezone(zone).date(),
            start_time=dt.time(9),
            end_time=dt.time(12),
            topic="Relapse prevention",
            facilitator=facilitator,
            created_by=facilitator,
            scheduled_session_id=session.pk,
            narrative="Bench",
            status=NoteStatus.SIGNED,
            signed_at=session.end,
        )
        for session in sessions
        if session.pk in by_session
    )
    Note.objects.bulk_create(
        (
            Note(
                patient_id=enrolment.patient_id,
                episode_id=enrolment.episode_id,
                group=group_note,
                kind=Note.Kind.GROUP,
                note_format="GROUP",
                session_date=group_note.session_date,
                start_time=dt.time(9),
                end_time=dt.time(12),
                author=facilitator,
                participation=Note.Participation.ACTIVE,
                minutes_attended=180,
                status=NoteStatus.SIGNED,
                signed_at=group_note.signed_at,
            )
            for group_note in group_notes
            for enrolment in by_session[int(group_note.scheduled_session_id or 0)]
        ),
        batch_size=2000,
    )
    return {
        "patient_ids": [person.pk for person in people],
        "start": first_monday,
        "end": month_end,
        "drawdown_sessions": [session for _, session in drawdown_sessions],
        "actor": facilitator,
    }


class QueryCounter:
    """A database execute wrapper that counts statements."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def measure_claims(through: dt.date, *, workers: int) -> dict[str, Any]:
    """Build, validate and write every claim of the month, timed."""
    from django.conf import settings

    from openiop.billing.models import Charge, ChargeStatus
    from openiop.claims.models import Claim, ClaimStatus
    from openiop.claims.services import claims_build
    from openiop.insurance.clearinghouse import FileDropClearinghouse

    ready = Charge.objects.filter(status=ChargeStatus.READY, payer__isnull=False).count()
    log(f"building and validating the month's claims ({ready} ready charges, {workers} pyx12 workers)")
    connection = FileDropClearinghouse(Path(settings.VAR_DIR) / "bench-clearinghouse")
    load_before = os.getloadavg()[0]
    began, cpu_began = time.perf_counter(), time.process_time()
    children_began = os.times()
    result = claims_build(actor=None, through=through, connection=connection, workers=workers)
    seconds = time.perf_counter() - began
    cpu_seconds = time.process_time() - cpu_began
    children = os.times()
    # The forked pyx12 workers' CPU time, once they have been waited for.
    workers_cpu = (children.children_user - children_began.children_user) + (
        children.children_system - children_began.children_system
    )
    in_files = Claim.objects.exclude(file_name="").filter(status=ClaimStatus.BUILT).count()
    passed_scrubber = len(result.built) + len(result.unwritable)
    segments = sum(path.read_text().count("~") for path in result.files)
    return {
        "claims": in_files,
        "claims_stopped_by_scrubber": len(result.stopped) - len(result.unwritable),
        "claim_files": len(result.files),
        "claim_segments": segments,
        "claim_build_seconds": round(seconds, 2),
        "claim_build_cpu_seconds": round(cpu_seconds, 2),
        "claim_validate_workers_cpu_seconds": round(workers_cpu, 2),
        "claim_build_load_average_before": round(load_before, 2),
        "claim_build_load_average_after": round(os.getloadavg()[0], 2),
        "claim_build_target_seconds": TARGET_CLAIM_BUILD_SECONDS,
        "valid_share": round(len(result.built) / passed_scrubber, 4) if passed_scrubber else 0.0,
    }


def measure(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from openiop.billing.models import Charge, ChargeStatus
    from openiop.billing.receivers import on_attendance_saved
    from openiop.billing.services import charges_sync_many
    from openiop.insurance.models import Authorization
    from openiop.scheduling.models import Enrolment
    from openiop.scheduling.services import AttendanceMark, attendance_record
    from openiop.scheduling.signals import attendance_saved

    log(f"migrating a fresh {connection.vendor} database")
    call_command("migrate", verbosity=0, interactive=False)
    log(f"building {args.patients} patients, {args.weeks} weeks")
    built = build(args.patients, args.weeks, args.seed)

    log("charging the month")
    began = time.perf_counter()
    cpu_began = time.process_time()
    ids = built["patient_ids"]
    for offset in range(0, len(ids), args.chunk):
        charges_sync_many(
            patient_ids=ids[offset : offset + args.chunk], start=built["start"], end=built["end"], actor=None
        )
    charge_seconds = time.perf_counter() - began
    # CPU time of this process (SQLite runs in it): what the work costs
    # whatever else the machine is doing at the time.
    charge_cpu_seconds = time.process_time() - cpu_began
    standing = Charge.objects.exclude(status=ChargeStatus.VOIDED)
    charges = standing.count()
    held = standing.filter(status=ChargeStatus.HELD).count()

    claims = measure_claims(built["end"], workers=args.workers)

    log("saving the next week's attendance session by session")
    rng = random.Random(args.seed + 1)

    def save_all(sessions: list[Any]) -> tuple[list[float], list[int], list[float]]:
        timings: list[float] = []
        queries: list[int] = []
        cpu: list[float] = []
        for session in sessions:
            marks = [
                AttendanceMark(enrolment.pk, "present" if rng.random() < 0.9 else "no_show")
                for enrolment in Enrolment.objects.filter(session=session)
            ]
            counter = QueryCounter()
            # A plain counter: Django's query log would format every statement
            # and slow down what is being timed.
            with connection.execute_wrapper(counter):
                began, cpu_began = time.perf_counter(), time.process_time()
                attendance_record(actor=built["actor"], session=session, marks=marks)
                timings.append((time.perf_counter() - began) * 1000)
                cpu.append((time.process_time() - cpu_began) * 1000)
            queries.append(counter.count)
        return timings, queries, cpu

    count = args.drawdown_sessions
    timings, queries, cpu = save_all(built["drawdown_sessions"][:count])
    drawn = sum(Authorization.objects.values_list("units_used", flat=True))
    # The same saves for other groups with billing's receiver disconnected:
    # what recording attendance costs on this machine without billing.
    attendance_saved.disconnect(dispatch_uid="billing.attendance_saved")
    try:
        baseline, _, baseline_cpu = save_all(built["drawdown_sessions"][count : 2 * count])
    finally:
        attendance_saved.connect(on_attendance_saved, dispatch_uid="billing.attendance_saved")
    result = {
        "database": connection.vendor,
        "patients": args.patients,
        "weeks": args.weeks,
        "charges": charges,
        "charges_held": held,
        "charge_seconds": round(charge_seconds, 2),
        "charge_cpu_seconds": round(charge_cpu_seconds, 2),
        "charge_target_seconds": TARGET_CHARGE_SECONDS,
        **claims,
        "attendance_saves": len(timings),
        "people_per_session": GROUP_SIZE,
        "authorization_drawdown_ms_p50": round(percentile(timings, 0.50), 1),
        "authorization_drawdown_ms_p95": round(percentile(timings, 0.95), 1),
        "authorization_drawdown_cpu_ms_p95": round(percentile(cpu, 0.95), 1),
        "authorization_drawdown_target_ms": TARGET_DRAWDOWN_MS,
        "authorization_units_drawn": drawn,
        "queries_per_save_max": max(queries) if queries else 0,
        "attendance_save_without_billing_ms_p50": round(percentile(baseline, 0.50), 1),
        "attendance_save_without_billing_ms_p95": round(percentile(baseline, 0.95), 1),
        "attendance_save_without_billing_cpu_ms_p95": round(percentile(baseline_cpu, 0.95), 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    result["ok"] = (
        result["charge_seconds"] <= TARGET_CHARGE_SECONDS
        and result["claim_build_seconds"] <= TARGET_CLAIM_BUILD_SECONDS
        and result["valid_share"] == 1.0
        and result["authorization_drawdown_ms_p95"] <= TARGET_DRAWDOWN_MS
    )
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.billing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--chunk", type=int, default=250, help="patients per charges_sync_many call")
    parser.add_argument("--drawdown-sessions", type=int, default=40, help="attendance saves to time")
    parser.add_argument("--workers", type=int, default=2, help="pyx12 processes validating the claim files")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object (the default)")
    args = parser.parse_args(argv)
    if not 12 <= args.patients <= 20000 or not 1 <= args.weeks <= 12 or args.chunk < 1 or args.drawdown_sessions < 1:
        parser.error("--patients 12-20000, --weeks 1-12, --chunk and --drawdown-sessions at least 1")
    if not 1 <= args.workers <= 16:
        parser.error("--workers 1-16")
    return run_benchmark("bench.billing", argv, args.database, lambda: measure(args), ok=lambda result: result["ok"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
