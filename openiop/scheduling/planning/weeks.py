# SPDX-License-Identifier: AGPL-3.0-or-later
"""Asking for a week: solve it in the background job (or at once for the demo
and tests), store the proposal, expire lost builds, re-plan one patient."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.core.jobs import enqueue_on_commit
from openiop.patients.models import Episode
from openiop.scheduling import catalog, optimizer, selectors
from openiop.scheduling.models import WeekProposal
from openiop.scheduling.optimizer.parallel import default_processes
from openiop.scheduling.planning.problem import Built, build_problem
from openiop.scheduling.planning.warm import published_last_week
from openiop.sites.models import Site


def _plan_json(built: Built, schedule: optimizer.Schedule, episode_ids: Iterable[str]) -> dict[str, Any]:
    tz = selectors.zone(built.site)
    wanted = set(episode_ids)
    groups = {
        key: sorted(built.sessions[slot].pk for slot in schedule.sessions_of(key))
        for key in sorted(wanted)
        if schedule.sessions_of(key)
    }
    appointments = []
    for slot in schedule.individual:
        if slot.patient not in wanted:
            continue
        day = built.week_start + dt.timedelta(days=slot.day)
        start = dt.datetime.combine(day, dt.time(slot.start // 60, slot.start % 60), tzinfo=tz)
        appointments.append(
            {
                "episode": int(slot.patient),
                "clinician": int(slot.clinician),
                "start": start.isoformat(),
                "end": (start + dt.timedelta(minutes=slot.minutes)).isoformat(),
                "service": catalog.INDIVIDUAL_THERAPY.key,
            }
        )
    return {"groups": groups, "appointments": appointments}


def _new_proposal(built: Built, actor: User, kind: str) -> WeekProposal:
    return WeekProposal(
        site=built.site,
        week_start=built.week_start,
        kind=kind,
        created_by=actor,
        session_versions={str(s.pk): s.version for s in built.sessions.values()},
    )


# Stop a site once proven within 0.1% of its bound (the program's target is 1%).
GAP_LIMIT = 0.001


def next_monday(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=7 - today.weekday())


def solve_seconds(time_limit: float | None = None) -> float:
    """The solver's time limit for a whole week (OPENIOP_SCHEDULE_SOLVE_SECONDS)."""
    if time_limit is not None:
        return time_limit
    return float(getattr(settings, "OPENIOP_SCHEDULE_SOLVE_SECONDS", 10))


def stuck_after() -> dt.timedelta:
    """How long a build may wait for the worker or run before it counts as
    lost (no worker running, or the worker was killed mid-solve)."""
    return dt.timedelta(seconds=max(15 * 60, 10 * solve_seconds()))


def solve_processes(processes: int | None = None) -> int:
    """Sites solved at once when several are built together
    (OPENIOP_SCHEDULE_PROCESSES, default one per pair of cores: see
    ``optimizer.parallel.default_processes``)."""
    if processes is None:
        processes = getattr(settings, "OPENIOP_SCHEDULE_PROCESSES", None) or default_processes()
    return max(1, int(processes))


def _build(site: Site, week_start: dt.date) -> Built:
    built = build_problem(site, week_start)
    built.last_week = published_last_week(built)
    return built


def _solve_weeks(
    builts: Sequence[Built], limit: float, processes: int
) -> list[optimizer.Result | optimizer.ProblemError]:
    """The solves themselves: no database, so no transaction held open
    meanwhile. Each site keeps its own time limit and starts from its last
    published week; several sites run in parallel processes."""
    hints = [built.last_week for built in builts if built.last_week is not None]
    options = optimizer.SolveOptions(
        time_limit=limit,
        relative_gap_limit=GAP_LIMIT,
        hint=optimizer.combine(hints) if hints else None,
        processes=processes if len(builts) > 1 else 1,
    )
    return optimizer.solve_each([built.problem for built in builts], options)


def _solve_week(built: Built, limit: float) -> optimizer.Result | optimizer.ProblemError:
    (outcome,) = _solve_weeks([built], limit, 1)
    return outcome


@transaction.atomic
def _store_week(
    proposal: WeekProposal, built: Built, outcome: optimizer.Result | optimizer.ProblemError, actor: User
) -> WeekProposal:
    """Fill PROPOSAL in from the solve: a draft for review, or failed with the reason."""
    proposal.session_versions = {str(s.pk): s.version for s in built.sessions.values()}
    proposal.warnings = list(built.skipped)
    site, week_start = built.site, built.week_start
    if isinstance(outcome, optimizer.ProblemError):
        proposal.status = WeekProposal.Status.FAILED
        proposal.message = "\n".join(outcome.messages)
        proposal.save()
        log_action("scheduling.week.build_failed", obj=proposal, actor=actor, data={"messages": outcome.messages})
        return proposal
    result = outcome
    proposal.shortfalls = [shortfall.text for shortfall in result.shortfalls]
    proposal.solver_status = result.status
    proposal.solve_seconds = round(result.solve_seconds, 3)
    if result.schedule is None:
        proposal.status = WeekProposal.Status.FAILED
        proposal.message = result.message or _("No week could be built.")
        proposal.save()
        log_action("scheduling.week.build_failed", obj=proposal, actor=actor, data={"status": result.status})
        return proposal
    proposal.status = WeekProposal.Status.DRAFT
    proposal.episode_ids = sorted(int(p.id) for p in built.problem.patients)
    proposal.plan = _plan_json(built, result.schedule, (p.id for p in built.problem.patients))
    proposal.explanations = {key: reasons for key, reasons in result.explanations.items() if reasons}
    proposal.objective, proposal.bound = result.objective, result.bound
    proposal.meeting = len(result.meeting)
    members = result.schedule.members()
    proposal.warnings += [
        _("%(session)s would have no one from this plan.") % {"session": built.sessions[key]}
        for key in sorted(built.sessions)
        if members.get(key, 0) == 0
    ]
    others = WeekProposal.objects.filter(site=site, week_start=week_start, status=WeekProposal.Status.DRAFT)
    if proposal.pk is not None:
        others = others.exclude(pk=proposal.pk)
    others.update(status=WeekProposal.Status.SUPERSEDED)
    proposal.save()
    log_action(
        "scheduling.week.propose",
        obj=proposal,
        actor=actor,
        data={"status": result.status, "patients": len(proposal.episode_ids), "meeting": proposal.meeting},
    )
    return proposal


@transaction.atomic
def propose_week(*, actor: User, site: Site, week_start: dt.date, time_limit: float | None = None) -> WeekProposal:
    """Build, check seats, solve and store a proposal (never applied here),
    all at once: for the demo seed and tests. Staff use ``week_request``."""
    if week_start.weekday() != 0:
        raise ValidationError(_("A week starts on a Monday."))
    built = _build(site, week_start)
    proposal = _new_proposal(built, actor, WeekProposal.Kind.WEEK)
    return _store_week(proposal, built, _solve_week(built, solve_seconds(time_limit)), actor)


def propose_weeks(
    *,
    actor: User,
    sites: Sequence[Site],
    week_start: dt.date,
    time_limit: float | None = None,
    processes: int | None = None,
) -> list[WeekProposal]:
    """Build several sites' weeks at once, one proposal each (in SITES'
    order): every problem is read first, then the sites are solved in
    parallel processes (``solve_processes``), each with its own time limit,
    and each stored as ``propose_week`` stores it. No transaction stays open
    during the solve."""
    if week_start.weekday() != 0:
        raise ValidationError(_("A week starts on a Monday."))
    builts = [_build(site, week_start) for site in sites]
    outcomes = _solve_weeks(builts, solve_seconds(time_limit), solve_processes(processes))
    return [
        _store_week(_new_proposal(built, actor, WeekProposal.Kind.WEEK), built, outcome, actor)
        for built, outcome in zip(builts, outcomes, strict=True)
    ]


def expire_stuck(*, site: Site, week_start: dt.date, now: dt.datetime | None = None) -> int:
    """Mark builds of SITE's week that waited or ran too long as failed, so a
    lost build never blocks the next one. Returns how many."""
    now = now or timezone.now()
    deadline = now - stuck_after()
    running = WeekProposal.objects.filter(site=site, week_start=week_start)
    waited = running.filter(status=WeekProposal.Status.QUEUED, created_at__lt=deadline).update(
        status=WeekProposal.Status.FAILED,
        message=_(
            "No background worker picked this build up in time; check that the worker runs, then build the week again."
        ),
    )
    ran = running.filter(status=WeekProposal.Status.BUILDING, started_at__lt=deadline).update(
        status=WeekProposal.Status.FAILED,
        message=_("The planner stopped before it finished (the worker may have restarted); build the week again."),
    )
    return waited + ran


@transaction.atomic
def week_request(*, actor: User, site: Site, week_start: dt.date) -> tuple[WeekProposal, bool]:
    """Queue a build of SITE's week for the background worker: a proposal
    waiting for the planner now, filled in by ``week_run`` later. While one
    build of that week is waiting or running, no second one starts: returns
    (that build, False) instead of (the new one, True)."""
    from openiop.scheduling import tasks  # the task module imports this one

    if week_start.weekday() != 0:
        raise ValidationError(_("A week starts on a Monday."))
    expire_stuck(site=site, week_start=week_start)
    running = WeekProposal.objects.filter(site=site, week_start=week_start, status__in=WeekProposal.RUNNING)
    current = running.first()
    if current is not None:
        return current, False
    try:
        with transaction.atomic():
            proposal = WeekProposal.objects.create(
                site=site,
                week_start=week_start,
                kind=WeekProposal.Kind.WEEK,
                status=WeekProposal.Status.QUEUED,
                created_by=actor,
            )
    except IntegrityError:  # another request queued the same week a moment ago
        current = running.first()
        if current is None:
            raise
        return current, False
    log_action("scheduling.week.queue", obj=proposal, actor=actor, data={"week": week_start.isoformat()})
    enqueue_on_commit(tasks.build_week, proposal.pk)
    return proposal, True


def week_run(proposal_id: int, *, time_limit: float | None = None) -> WeekProposal | None:
    """The worker's half of ``week_request``: claim the queued proposal, build
    the problem, solve and store. Anything that goes wrong marks the proposal
    failed with the reason before the error is raised again, so it never
    stays "being built". None when there is nothing to claim (already run)."""
    claimed = WeekProposal.objects.filter(pk=proposal_id, status=WeekProposal.Status.QUEUED).update(
        status=WeekProposal.Status.BUILDING, started_at=timezone.now()
    )
    if not claimed:
        return None
    proposal = WeekProposal.objects.select_related("site", "created_by").get(pk=proposal_id)
    try:
        built = _build(proposal.site, proposal.week_start)
        outcome = _solve_week(built, solve_seconds(time_limit))
        with transaction.atomic():
            # A build that ran past its deadline was marked failed meanwhile
            # (``expire_stuck``) and a newer one may own the week: drop ours.
            status = WeekProposal.objects.select_for_update().filter(pk=proposal_id).values_list("status", flat=True)
            if status.first() != WeekProposal.Status.BUILDING:
                return None
            return _store_week(proposal, built, outcome, proposal.created_by)
    except Exception as error:
        WeekProposal.objects.filter(pk=proposal_id, status__in=WeekProposal.RUNNING).update(
            status=WeekProposal.Status.FAILED,
            message=_(
                "The planner stopped with an error (%(error)s); the published schedule is unchanged. "
                "Build the week again, and tell your administrator if it happens again."
            )
            % {"error": type(error).__name__},
        )
        log_action(
            "scheduling.week.build_failed",
            obj=proposal,
            actor=proposal.created_by,
            data={"error": type(error).__name__},
        )
        raise


@transaction.atomic
def propose_replan(*, actor: User, site: Site, week_start: dt.date, episode: Episode) -> WeekProposal:
    """Re-plan one patient's week with everyone else's left as published."""
    built = build_problem(site, week_start)
    key = str(episode.pk)
    proposal = _new_proposal(built, actor, WeekProposal.Kind.REPLAN)
    if key not in built.episodes:
        proposal.status = WeekProposal.Status.FAILED
        proposal.message = _("%(name)s has no active episode here with availability recorded.") % {
            "name": episode.patient.display_name
        }
        proposal.save()
        return proposal
    try:
        result = optimizer.replan_patient(built.problem, built.current, built.problem.patient(key), time_limit=2.0)
    except optimizer.ProblemError as error:
        proposal.status = WeekProposal.Status.FAILED
        proposal.message = "\n".join(error.messages)
        proposal.save()
        log_action("scheduling.week.replan_failed", obj=proposal, actor=actor, patient_id=episode.patient_id)
        return proposal
    assert result.schedule is not None  # replan_patient raises rather than return no week
    proposal.solver_status = result.status
    proposal.solve_seconds = round(result.seconds, 3)
    proposal.episode_ids = [episode.pk]
    proposal.plan = _plan_json(built, result.schedule, [key])
    proposal.explanations = {key: result.explanation} if result.explanation else {}
    proposal.meeting = 1 if result.meets_plan else 0
    proposal.warnings = list(result.warnings)
    proposal.save()
    log_action("scheduling.week.replan", obj=proposal, actor=actor, patient_id=episode.patient_id)
    return proposal
