# SPDX-License-Identifier: AGPL-3.0-or-later
"""Solving sites in parallel processes.

Sites share no patients, rooms or clinicians, so each is its own problem: the
driver hands each site's plain data (a ``SiteTask``: the site's instance,
the program's weights, the options, its time budget) to a pool of worker
processes and collects one ``SiteOutcome`` per task, in task order. The
entry point (``solve_site_task``) is a module-level function of plain,
picklable data and touches no database, so it works under "spawn" (the
default here: the Django process may hold threads and connections that a
fork would copy) as well as "fork".

A site whose worker raises, or whose process dies, comes back as an outcome
with status ``error`` and the reason; the other sites' outcomes stand. Each
site's own time limit is enforced inside CP-SAT, which always returns (the
greedy week when it found nothing better), so a slow site says so in its
status instead of holding up the rest.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from openiop.scheduling.optimizer.instance import SiteInstance, Weights
from openiop.scheduling.optimizer.model import Schedule

ERROR = "error"


@dataclass(frozen=True)
class SiteTask:
    """Everything one site's solve needs, as plain data (picklable)."""

    instance: SiteInstance
    weights: Weights
    workers: int
    relative_gap_limit: float
    require_all_in_band: bool
    seed: int
    budget: float  # seconds for this site (both phases)
    hint: Schedule | None = None  # last week's published week carried over to this one (``warmstart``)


@dataclass(frozen=True)
class SiteOutcome:
    site: str
    status: str
    schedule: Schedule | None
    objective: int
    bound: int
    seconds: float
    greedy_objective: int
    used_greedy: bool
    hinted: bool = False  # the solver started from last week's published week
    message: str = ""


def solve_site_task(task: SiteTask) -> SiteOutcome:
    """The worker's entry point: solve one site from plain data."""
    from openiop.scheduling.optimizer.solve import solve_site  # solve imports this module

    return solve_site(task)


# CP-SAT search workers a site gets when the cores allow: the clique-strengthened LP (max_lp), which proves
# these models' bounds, beside the default LP search, which finds their solutions.
PAIR = 2


def cores() -> int:
    return max(1, os.cpu_count() or 1)


def default_processes(available: int | None = None) -> int:
    """Sites solved at once by default: one per pair of cores (1 on a 2-core
    machine, so the sites then run one after another in this process).

    Measured on this 2-core machine (1,000 patients / 10 sites, CPU seconds
    for one site to reach the 0.1% gap, machine shared, load 10-17): 1 process
    x 2 workers took 2.2-3.5 CPU s (phase one 1.0-1.6, proven); 1 worker took
    4.0-6.0 (phase one 2.9-5.1), and a single worker with the LP of max_lp
    (linearization_level 2) or with the two interleaved on one thread did not
    prove phase one within 3-4 CPU s at all. So 2 processes x 1 worker needs
    about twice the CPU for the same gap and is the slower way to use two
    cores; the pool pays off from 4 cores up (2 processes x 2 workers)."""
    return max(1, (available or cores()) // PAIR)


def workers_per_site(processes: int, available: int | None = None) -> int:
    """CP-SAT search workers for each site so the pool fills the cores without
    oversubscribing them: processes x workers <= cores, at least one."""
    return max(1, (available or cores()) // max(1, processes))


def _failed(task: SiteTask, started: float, error: BaseException) -> SiteOutcome:
    site = task.instance.problem.sites[0]
    return SiteOutcome(
        site=site.id,
        status=ERROR,
        schedule=None,
        objective=0,
        bound=0,
        seconds=time.perf_counter() - started,
        greedy_objective=0,
        used_greedy=False,
        message=f"The planner stopped with an error at {site.name} ({type(error).__name__}: {error}).",
    )


def run_tasks(
    tasks: Sequence[SiteTask],
    processes: int,
    *,
    entry: Callable[[SiteTask], SiteOutcome] = solve_site_task,
    start_method: str = "spawn",
    prepare: Callable[[SiteTask], SiteTask] | None = None,
) -> list[SiteOutcome]:
    """One outcome per task, in task order. With one process (or one task)
    everything runs here, one site after another; ``prepare`` then adjusts
    each task just before it runs (the serial solve hands time a fast site
    left over to the next). Otherwise a pool of ``processes`` workers, the
    largest sites first so the last to finish is a small one."""
    started = time.perf_counter()
    if processes <= 1 or len(tasks) <= 1:
        outcomes: list[SiteOutcome] = []
        for task in tasks:
            ready = prepare(task) if prepare is not None else task
            try:
                outcomes.append(entry(ready))
            except Exception as error:  # one site's failure is reported, the others still run
                outcomes.append(_failed(ready, started, error))
        return outcomes
    order = sorted(range(len(tasks)), key=lambda i: -_size(tasks[i]))
    results: dict[int, SiteOutcome] = {}
    context = multiprocessing.get_context(start_method)
    with ProcessPoolExecutor(max_workers=min(processes, len(tasks)), mp_context=context) as pool:
        futures: dict[int, Future[SiteOutcome]] = {i: pool.submit(entry, tasks[i]) for i in order}
        for index, future in futures.items():
            try:
                results[index] = future.result()
            except Exception as error:  # raised in the worker, or the worker process died (BrokenProcessPool)
                results[index] = _failed(tasks[index], started, error)
    return [results[i] for i in range(len(tasks))]


def _size(task: SiteTask) -> int:
    return sum(len(o.sessions) + len(o.slots) for o in task.instance.options.values()) + 1
