# SPDX-License-Identifier: AGPL-3.0-or-later
"""The demo looks like a running program (issue 14 item 18, issue 15 item 6):
most active patients have a signed plan, a schedule with attendance inside
their hours band, notes for what they attended, instruments over time and
drug tests; a few plans are due for review; inquiries are recent with a few
waiting too long. And it is written in committed batches, each audited once
(issue 16 item 3), with a progress bar whose total is exact."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from openiop.accounts.models import User
from openiop.admissions import pipeline
from openiop.admissions.models import Inquiry
from openiop.assessments.models import InstrumentResult
from openiop.audit.context import acting_as
from openiop.audit.models import AuditEvent
from openiop.claims.models import Claim, ClaimStatus, Posting
from openiop.core.roles import RoleCode
from openiop.demo import program as demo
from openiop.insurance.services_eligibility import eligibility_inbox_import
from openiop.patients import transitions
from openiop.patients.demo import seed_patients
from openiop.patients.models import ContinuingCarePlan, Episode, LevelOfCare, LevelOfCareChange, MrnCounter, Patient
from openiop.scheduling import hours, selectors
from openiop.scheduling.models import Appointment, Attendance, Enrolment
from openiop.sites.models import OpeningHours, Room, Site
from openiop.treatment.models import GroupSession, Note, NoteStatus, PlanVersion
from openiop.x12.reader import read_transactions
from openiop.x12.validate import validate

pytestmark = pytest.mark.django_db


def _seed(size: str) -> list[int]:
    ticks: list[int] = []
    with acting_as(actor_username="seed"):
        demo.seed(size=size, seed_value=7, progress=ticks.append)
    return ticks


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def program_shape_problems(today: dt.date) -> list[str]:
    """Everything that keeps the seeded data from looking like a running
    program (empty when it does)."""
    problems: list[str] = []
    this_monday = today - dt.timedelta(days=today.weekday())
    active = Episode.objects.filter(status=Episode.Status.ACTIVE)

    settled = active.filter(admission_date__lte=today - dt.timedelta(days=2))
    signed = PlanVersion.objects.filter(status=PlanVersion.Status.SIGNED)
    planned = settled.filter(treatment_plan__versions__in=signed).distinct().count()
    if _share(planned, settled.count()) < 0.9:
        problems.append(f"only {planned} of {settled.count()} settled active episodes have a signed plan")
    due = signed.filter(plan__episode__status="active", review_due__lte=today + dt.timedelta(days=7)).count()
    if not 0 < due <= 0.35 * signed.count():
        problems.append(f"{due} of {signed.count()} signed plans due for review: want a few")
    overdue = signed.filter(plan__episode__status="active", review_due__lt=today).count()
    if overdue > 0.1 * signed.count():
        problems.append(f"{overdue} of {signed.count()} signed plans are overdue for review: want a few")

    scheduled = active.filter(admission_date__lt=this_monday, level_of_care__in=["1", "2.1", "2.5"])
    attending = scheduled.filter(enrolments__attendance__isnull=False).distinct().count()
    if _share(attending, scheduled.count()) < 0.9:
        problems.append(f"only {attending} of {scheduled.count()} scheduled episodes have attendance")
    booked = scheduled.filter(enrolments__session__start__gt=timezone.now()).distinct().count()
    if _share(booked, scheduled.count()) < 0.9:
        problems.append(f"only {booked} of {scheduled.count()} scheduled episodes have groups ahead")
    if not Appointment.objects.filter(attendance__isnull=False).exists():
        problems.append("no individual appointments with attendance")

    for mark in Attendance.objects.select_related("enrolment__session", "appointment"):
        owner = mark.enrolment.session if mark.enrolment else mark.appointment
        assert owner is not None
        if hours.attended_minutes(mark.status, mark.minutes_attended, owner.minutes) != mark.minutes_attended:
            problems.append(f"attendance {mark.pk}: {mark.minutes_attended} min is not what {mark.status} counts")

    last_week = hours.IsoWeek.of(this_monday - dt.timedelta(days=7))
    within = total = 0
    for site in Site.objects.all():
        iop = list(
            active.filter(site=site, level_of_care=LevelOfCare.IOP, admission_date__lt=last_week.monday)
            .exclude(level_changes__effective_date__gte=last_week.monday)
            .select_related("patient", "site")
        )
        for row in selectors.hours_rows(site, iop, last_week, today=today, history_weeks=0):
            if row.band is not None:
                total += 1
                within += row.band.position(row.week.attended_minutes) == hours.WITHIN
    if _share(within, total) < 0.6:
        problems.append(f"only {within} of {total} IOP patients attended hours within their band last week")

    for group in GroupSession.objects.filter(scheduled_session_id__isnull=False).prefetch_related("sections"):
        attended = {
            e.patient_id: e.attendance.minutes_attended
            for e in Enrolment.objects.filter(session_id=group.scheduled_session_id).select_related("attendance")
            if hasattr(e, "attendance") and e.attendance.counts_as_attended
        }
        sections = {s.patient_id: s.minutes_attended for s in group.sections.all()}
        if sections != attended or group.status != NoteStatus.SIGNED:
            problems.append(f"group note {group.pk} does not match its session's attendance")
    if not GroupSession.objects.filter(scheduled_session_id__isnull=False).exists():
        problems.append("no group notes for scheduled sessions")
    individual = Note.objects.filter(kind=Note.Kind.INDIVIDUAL, status=NoteStatus.SIGNED)
    if individual.count() < 0.5 * Appointment.objects.filter(attendance__status="present").count():
        problems.append("few individual notes for the individual sessions attended")

    assessed = active.filter(admission_date__lte=today - dt.timedelta(days=14)).annotate(
        phq=Count("patient__instrument_results", filter=Q(patient__instrument_results__instrument_code="PHQ-9"))
    )
    over_time = sum(1 for episode in assessed if episode.phq >= 2)
    if _share(over_time, assessed.count()) < 0.9:
        problems.append(f"only {over_time} of {assessed.count()} episodes have instruments over time")
    tested_pool = active.filter(admission_date__lte=today - dt.timedelta(days=7))
    tested = tested_pool.filter(patient__specimens__isnull=False).distinct().count()
    if _share(tested, tested_pool.count()) < 0.9:
        problems.append(f"only {tested} of {tested_pool.count()} episodes have drug tests")

    now = timezone.now()
    inquiries = Inquiry.objects.all()
    recent = inquiries.filter(created_at__gte=now - dt.timedelta(days=14)).count()
    if _share(recent, inquiries.count()) < 0.7:
        problems.append(f"only {recent} of {inquiries.count()} inquiries came in over the last two weeks")
    waiting = inquiries.filter(stage__in=pipeline.OPEN_STAGES, stage_changed_at__lt=now - dt.timedelta(days=7))
    if not waiting.exists():
        problems.append("no open inquiry has waited too long in its stage")
    return problems


def _seed_command(size: str) -> str:
    out = io.StringIO()
    call_command("seed", "--size", size, "--seed", "7", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _staff_snapshot() -> dict[str, int]:
    return {
        "sites": Site.objects.count(),
        "rooms": Room.objects.count(),
        "hours": OpeningHours.objects.count(),
        "staff": User.objects.count(),
        "role_grants": User.roles.through.objects.count(),
        "site_grants": User.sites.through.objects.count(),
        "patients": Patient.objects.count(),
    }


@pytest.fixture(autouse=True)
def clearinghouse(settings: Any, tmp_path: Path) -> Path:
    """The demo's claim files and answers go to a scratch clearinghouse, never var/."""
    settings.OPENIOP_CLEARINGHOUSE_DIR = tmp_path / "clearinghouse"
    return tmp_path / "clearinghouse"


def test_the_tiny_demo_looks_like_a_running_program_and_seeding_again_changes_nothing(clearinghouse: Path) -> None:
    # One seed for every check (the program's shape, its claims and the
    # clearinghouse's files), and a second through the command `make demo`
    # runs: seeding is what takes the time.
    ticks = _seed("tiny")

    assert sum(ticks) == demo.progress_total("tiny")
    assert program_shape_problems(timezone.localdate()) == []
    assert InstrumentResult.objects.exists()
    _assert_bulk_history_is_audited_once_per_committed_batch_not_per_row()
    _assert_demo_nurse_and_prescriber_reach_the_clinical_records_of_their_sites_under_need_to_know()
    _assert_claims_in_every_state_in_files_pyx12_accepts_and_answers_waiting_to_import(clearinghouse)
    first = _staff_snapshot()

    output = _seed_command("tiny")

    _assert_the_seed_command_makes_three_sites_with_rooms_and_one_login_per_role(output)
    assert _staff_snapshot() == first


def _assert_claims_in_every_state_in_files_pyx12_accepts_and_answers_waiting_to_import(clearinghouse: Path) -> None:
    """Claims in every state, reached through the real 999, 277CA and 835
    importers; every claim file written (837I and 837P, primary and secondary,
    for each kind of payer billed) passes pyx12; a 999 and an 835 denial wait
    in the inbox, pass pyx12 too, and import cleanly."""
    files = sorted((clearinghouse / "outbox").glob("837*.x12"))
    assert files, [claim.problems for claim in Claim.objects.all()[:5]]
    for path in files:
        text = path.read_text()
        assert read_transactions(text)[0].set_id == "837"
        assert validate(text) == [], path.name
    written = Claim.objects.exclude(file_name="")
    # Every payer kind and claim type the demo bills (claims the scrubber
    # passed) has a file, the same on SQLite and PostgreSQL: the demo orders
    # what it chooses by stable keys.
    stopped = Claim.objects.filter(status=ClaimStatus.SCRUBBER_REJECTED)
    billed = set(Claim.objects.exclude(pk__in=stopped).values_list("payer__kind", "claim_type"))
    why = sorted(
        {
            (kind, claim_type, problems[0])
            for kind, claim_type, problems in stopped.values_list("payer__kind", "claim_type", "problems")
        }
    )
    assert set(written.values_list("payer__kind", "claim_type")) == billed, (billed, why)
    assert {claim_type for _kind, claim_type in billed} == {"837I", "837P"}, billed
    # Each kind of payer gets institutional claims, and those that do not ask
    # for an authorization professional ones too (every insured patient has
    # the subscriber address the 837 needs). The scrubber stops a claim only
    # for what the demo shows on purpose: Medicare's date order, and a line
    # without an authorization in force (a session at an authorizing payer
    # waits for an authorization of its own code; the demo leaves one code
    # without, for the work queue).
    # Which Medicare or Medicaid claims wait (date order, an authorization yet to
    # come) follows the demo's clock, so only the commercial pair is fixed.
    assert {("commercial", "837I"), ("commercial", "837P")} <= billed, billed
    on_purpose = ("Medicare takes claims in date order", "No authorization in force for ")
    assert all(reason.startswith(on_purpose) for _kind, _claim_type, reason in why), why
    sent_kinds = set(written.values_list("payer__kind", flat=True))
    assert sent_kinds == {kind for kind, _claim_type in billed} and {"commercial", "medicare"} <= sent_kinds
    # A claim without a file is one the demo leaves built (not yet sent) or one stopped with its reason.
    assert all(claim.status == ClaimStatus.BUILT or claim.problems for claim in Claim.objects.filter(file_name=""))
    secondary = written.filter(primary_claim__isnull=False).get()
    assert secondary.primary_claim is not None and secondary.primary_claim.status == ClaimStatus.PARTIALLY_PAID
    statuses = set(Claim.objects.values_list("status", flat=True))
    assert {"built", "sent", "accepted", "rejected", "paid", "partial", "denied"} <= statuses, statuses
    assert Claim.objects.get(status=ClaimStatus.REJECTED).problems[0].startswith("277CA: ")
    assert Posting.objects.filter(is_reversal=True).exists()
    for path in sorted((clearinghouse / "inbox").glob("*.x12")):
        assert validate(path.read_text()) == [], path.name
    denied_before = Claim.objects.filter(status=ClaimStatus.DENIED).count()

    outcomes = eligibility_inbox_import()

    assert sorted(o.kind for o in outcomes) == ["835", "999"] and all(o.accepted for o in outcomes), outcomes
    assert Claim.objects.filter(status=ClaimStatus.DENIED).count() == denied_before + 1
    assert [c.problems for c in Claim.objects.filter(status=ClaimStatus.DENIED)].count(["CO-197"]) == 1


def _assert_the_seed_command_makes_three_sites_with_rooms_and_one_login_per_role(output: str) -> None:
    sites = list(Site.objects.order_by("code"))
    assert [site.code for site in sites] == ["boston", "chicago", "denver"]
    assert all(site.rooms.count() == len(demo.ROOM_NAMES) for site in sites)
    assert all(site.opening_hours.exists() for site in sites)
    logins = {username: role for username, role, *_ in demo.DEMO_LOGINS}
    assert sorted(logins.values()) == sorted(RoleCode.values)
    for username, role in logins.items():
        user = User.objects.get(username=username)
        assert user.role_codes() == [role]
        assert user.check_password(demo.DEMO_PASSWORD)
        assert username in output
    assert AuditEvent.objects.filter(action="staff.create", actor_username="seed").count() == User.objects.count()


# `make demo` loads the small demo into SQLite, so its shape is checked there; on
# PostgreSQL the tiny demo's test above runs the same seeding code.
@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the small demo is what make demo loads, on SQLite; tiny covers PostgreSQL"
)
def test_the_small_demo_looks_like_a_running_program() -> None:
    _seed("small")

    assert program_shape_problems(timezone.localdate()) == []
    assert Patient.objects.filter(site__code__in=["boston", "chicago", "denver"]).count() >= 300


def _assert_bulk_history_is_audited_once_per_committed_batch_not_per_row() -> None:
    batches = AuditEvent.objects.filter(action="demo.bulk_seed")
    schedule = batches.filter(data__batch="schedule")
    assert sorted(schedule.values_list("site_id", flat=True)) == sorted(Site.objects.values_list("pk", flat=True))
    counted = sum(event.data["rows"].get("scheduling.attendance", 0) for event in schedule)
    assert counted == Attendance.objects.count() > 0
    assert not AuditEvent.objects.filter(object_type="scheduling.attendance").exists()
    assert batches.filter(data__batch="treatment plans").exists()
    assert batches.filter(data__batch="drug tests").exists()
    # The showcase still goes through the services, audited like real work.
    assert AuditEvent.objects.filter(action="plan.sign", actor_username__gt="").exists()


def _patients_snapshot() -> list[tuple[object, ...]]:
    return list(
        Episode.objects.order_by("patient__mrn", "admission_date").values_list(
            "patient__mrn", "patient__legal_first_name", "patient__birth_date", "admission_date", "level_of_care",
            "status", "discharge_date",
        )
    )  # fmt: skip


def test_bulk_patients_follow_the_transition_rules_and_repeat_by_seed(north: Site, south: Site) -> None:
    today = timezone.localdate()
    seed_patients(count=150, sites=[north, south], rng=random.Random(4), tick=lambda n: None, through_services=0)

    assert Patient.objects.count() == 150
    assert MrnCounter.objects.get().last_number == 150
    assert Patient.objects.values("mrn").distinct().count() == 150
    assert {transitions.direction(c.from_level, c.to_level) for c in LevelOfCareChange.objects.all()} == {
        "step_up",
        "step_down",
    }
    history: dict[int, list[LevelOfCareChange]] = defaultdict(list)
    for change in LevelOfCareChange.objects.order_by("effective_date", "pk"):
        history[change.episode_id].append(change)
    for episode in Episode.objects.all():
        changes = history[episode.pk]
        for before, after in itertools.pairwise(changes):
            assert before.to_level == after.from_level and before.effective_date <= after.effective_date
        if changes:
            assert changes[-1].to_level == episode.level_of_care
            assert episode.admission_date <= changes[0].effective_date and changes[-1].effective_date <= today
        if episode.status == Episode.Status.DISCHARGED:
            assert episode.discharge_reason and ContinuingCarePlan.objects.filter(episode=episode).exists()
            assert not changes or episode.discharge_date >= changes[-1].effective_date  # type: ignore[operator]
    assert (
        Episode.objects.filter(status="active").values("patient").distinct().count()
        == Episode.objects.filter(status="active").count()
    )
    first = _patients_snapshot()

    Episode.objects.all().delete()
    Patient.objects.all().delete()
    MrnCounter.objects.update(last_number=0)
    seed_patients(count=150, sites=[north, south], rng=random.Random(4), tick=lambda n: None, through_services=0)

    assert _patients_snapshot() == first


def _assert_demo_nurse_and_prescriber_reach_the_clinical_records_of_their_sites_under_need_to_know() -> None:
    from openiop.accounts.models import User
    from openiop.medications.models import Specimen
    from openiop.patients.models import Episode

    nurse = User.objects.get(username="nurse")
    in_treatment = Episode.objects.filter(site__in=nurse.sites.all()).exclude(status=Episode.Status.DISCHARGED)
    assert in_treatment.exists()
    assert in_treatment.exclude(care_team=nurse).count() == 0
    assert Specimen.objects.restrict(nurse, "drugtests.view").exists()
    assert User.objects.get(username="clinician").clinical_supervisor == User.objects.get(username="director")
