# SPDX-License-Identifier: AGPL-3.0-or-later
"""The hours dashboard and the week planner: build, review, publish, re-plan."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.guards import get_restricted_or_404, require_action
from openiop.audit.reads import read_restricted_or_404
from openiop.audit.services import log_action
from openiop.core.access import has_action
from openiop.core.models import WorkerHeartbeat
from openiop.core.navigation import zone_abbreviation
from openiop.patients.models import Episode, Patient
from openiop.scheduling import hours, planning, selectors
from openiop.scheduling.forms import BuildForm, HoursForm
from openiop.scheduling.models import PatientAvailability, Session, WeekProposal
from openiop.scheduling.permissions import SCHEDULING_OPTIMIZE, SCHEDULING_VIEW
from openiop.scheduling.views.common import default_site, site_for
from openiop.sites.models import Site

# --- Hours dashboard ------------------------------------------------------------------------------------------------


HOURS_ROWS_PER_PAGE = 25


@require_action(SCHEDULING_VIEW)
def hours_dashboard(request: HttpRequest) -> HttpResponse:
    """Per patient for one week: planned, scheduled and attended hours, the
    band, per-diem days (H0015) and flags; falling attendance points to
    reassessment. The counts cover the whole site; the table pages."""
    sites = Site.objects.restrict(request.user, SCHEDULING_VIEW).filter(is_active=True)
    form = HoursForm(request.GET or None, sites=sites)
    data = form.cleaned_data if form.is_valid() else {}
    site = default_site(request, SCHEDULING_VIEW, data.get("site"))
    today = timezone.localdate()
    week = hours.IsoWeek.of(data.get("day") or today)
    if form.is_valid() or not form.is_bound:
        # The filters say what is shown: the site and the week's Monday, also
        # when they were not chosen (the first site, this week).
        form = HoursForm(
            {"site": site.pk if site else "", "day": week.monday.isoformat(), "attention": data.get("attention") or ""},
            sites=sites,
        )
    rows: list[selectors.HoursRow] = []
    if site is not None:
        episodes = list(selectors.active_episodes(request.user, site))
        rows = selectors.hours_rows(site, episodes, week, today=today, with_planned=False)
    counts = {
        "under": sum(1 for r in rows if r.flags and r.flags.under_hours),
        "over": sum(1 for r in rows if r.flags and r.flags.over_hours),
        "missed": sum(1 for r in rows if r.week.missed_days),
        "falling": sum(1 for r in rows if r.falling),
    }
    if data.get("attention"):
        rows = [row for row in rows if row.attention or row.week.missed_days]
    page = Paginator(rows, HOURS_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    selectors.add_planned(shown)  # plans read for the rows shown only
    if site is not None:
        log_action(
            "record.read",
            obj=site,
            data={"view": "hours", "week": str(week), "patients": [row.patient.pk for row in shown]},
        )
    query = {"site": site.pk if site else "", "day": week.monday.isoformat()}
    if data.get("attention"):
        query["attention"] = "on"
    return render(
        request,
        "scheduling/hours.html",
        {
            "form": form,
            "site": site,
            "week": week,
            "rows": shown,
            "page": page,
            "page_query": urlencode(query),
            "zone_abbreviation": zone_abbreviation(site.time_zone) if site else "",
            "rule": hours.H0015,
            "previous": week.shifted(-1).monday,
            "next": week.shifted(1).monday,
            "counts": counts,
        },
    )


# --- Week planner ---------------------------------------------------------------------------------------------------


@require_action(SCHEDULING_OPTIMIZE)
@require_http_methods(["GET", "POST"])
def build_week(request: HttpRequest, code: str) -> HttpResponse:
    """Queue a build of the week; the background worker solves it while the
    proposal page says so and refreshes itself."""
    site = site_for(request, code, SCHEDULING_OPTIMIZE)
    form = BuildForm(request.POST or None, initial={"week_start": planning.next_monday(timezone.localdate())})
    if request.method == "POST" and form.is_valid():
        try:
            proposal, created = planning.week_request(
                actor=staff_user(request), site=site, week_start=form.cleaned_data["week_start"]
            )
        except ValidationError as error:
            form.add_error("week_start", error)
        else:
            if not created:
                messages.warning(
                    request,
                    _(
                        "This week is already being built (requested %(when)s by %(who)s); here is that build. "
                        "No second build was started."
                    )
                    % {
                        "when": timezone.localtime(proposal.created_at).strftime("%H:%M"),
                        "who": proposal.created_by,
                    },
                )
            return HttpResponseRedirect(reverse("scheduling:proposal", args=[proposal.pk]))
    proposals = WeekProposal.objects.filter(site=site).select_related("created_by", "published_by")[:20]
    return render(request, "scheduling/build.html", {"site": site, "form": form, "proposals": proposals})


def _proposal(request: HttpRequest, pk: int) -> WeekProposal:
    return get_restricted_or_404(
        WeekProposal.objects.select_related("site", "created_by", "published_by"), request, SCHEDULING_OPTIMIZE, pk=pk
    )


def _proposal_context(user: Any, proposal: WeekProposal) -> dict[str, object]:
    episodes = {e.pk: e for e in Episode.objects.filter(pk__in=proposal.episode_ids).select_related("patient")}
    plan = proposal.group_plan()
    session_ids = {pk for pks in plan.values() for pk in pks}
    sessions = {s.pk: s for s in Session.objects.filter(pk__in=session_ids).select_related("site", "room")}
    appointments: dict[int, list[dict[str, object]]] = {}
    for row in proposal.appointment_plan():
        start = dt.datetime.fromisoformat(row["start"]).astimezone(selectors.zone(proposal.site))
        appointments.setdefault(int(row["episode"]), []).append({"start": start, "minutes": 0, **row})
    rows = []
    for pk in proposal.episode_ids:
        episode = episodes.get(pk)
        if episode is None:
            continue
        mine = sorted((sessions[s] for s in plan.get(pk, []) if s in sessions), key=lambda s: s.start)
        minutes = sum(s.minutes for s in mine)
        rows.append(
            {
                "episode": episode,
                "sessions": mine,
                "appointments": appointments.get(pk, []),
                "group_hours": minutes / 60,
                "reasons": proposal.explanations.get(str(pk), []),
            }
        )
    rows.sort(key=lambda r: (not r["reasons"], str(r["episode"].patient.legal_last_name)))
    booked = {pk for pk, pks in plan.items() if pks} | {int(row["episode"]) for row in proposal.appointment_plan()}
    return {"proposal": proposal, "rows": rows, **_headline(user, proposal, booked)}


def _headline(user: Any, proposal: WeekProposal, booked: set[int]) -> dict[str, object]:
    """The week in plain words over every active patient the user may see at
    the site, not only those the planner took: how many are booked, and who
    could not be planned because no availability is recorded."""
    active = list(
        Episode.objects.restrict(user, SCHEDULING_OPTIMIZE)
        .filter(site=proposal.site, status=Episode.Status.ACTIVE)
        .select_related("patient")
        .order_by("patient__legal_last_name", "patient__legal_first_name", "pk")
    )
    with_availability = set(
        PatientAvailability.objects.filter(patient__in=[e.patient_id for e in active]).values_list(
            "patient_id", flat=True
        )
    )
    return {
        "active_count": len(active),
        "booked_count": sum(1 for episode in active if episode.pk in booked),
        "no_availability": [episode.patient for episode in active if episode.patient_id not in with_availability],
    }


def _building_context(proposal: WeekProposal) -> dict[str, object]:
    if proposal.is_running:
        planning.expire_stuck(site=proposal.site, week_start=proposal.week_start)
        proposal.refresh_from_db()
    worker_seen = WorkerHeartbeat.objects.filter(
        last_seen__gte=timezone.now() - dt.timedelta(seconds=settings.OPENIOP_WORKER_STALE_SECONDS)
    ).exists()
    return {"proposal": proposal, "solve_seconds": planning.solve_seconds(), "worker_seen": worker_seen}


@require_action(SCHEDULING_OPTIMIZE)
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    # The page lists every patient in the proposal and, once built, the
    # site's active patients with no availability recorded: one read names them all.
    patients = set(Episode.objects.filter(pk__in=proposal.episode_ids).values_list("patient_id", flat=True))
    if proposal.is_running:
        context = _building_context(proposal)  # marks a lost build failed, so check again
        if proposal.is_running:
            log_action("record.read", obj=proposal, data={"view": "proposal", "patients": sorted(patients)})
            return render(request, "scheduling/proposal.html", context)
    context = _proposal_context(request.user, proposal)
    patients |= {patient.pk for patient in context["no_availability"]}  # type: ignore[attr-defined]
    log_action("record.read", obj=proposal, data={"view": "proposal", "patients": sorted(patients)})
    return render(request, "scheduling/proposal.html", context)


@require_action(SCHEDULING_OPTIMIZE)
@require_GET
def proposal_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The "Building the week..." fragment the proposal page polls; once the
    build is over, htmx is told to reload the page, which ends the polling."""
    proposal = _proposal(request, pk)
    response = render(request, "scheduling/_proposal_building.html", _building_context(proposal))
    if not proposal.is_running:
        response["HX-Refresh"] = "true"
    return response


@require_action(SCHEDULING_OPTIMIZE)
@require_http_methods(["GET", "POST"])
def proposal_publish(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(request, pk)
    if request.method == "POST":
        try:
            planning.publish(actor=staff_user(request), proposal=proposal)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            messages.error(request, _("Nothing was published; the schedule is as it was."))
        else:
            messages.success(request, _("Published: the week's bookings are in the calendar."))
        return HttpResponseRedirect(reverse("scheduling:proposal", args=[proposal.pk]))
    emptied = planning.emptied_sessions(proposal) if proposal.status == WeekProposal.Status.DRAFT else []
    return render(request, "scheduling/publish_confirm.html", {"proposal": proposal, "emptied": emptied})


@require_action(SCHEDULING_OPTIMIZE)
@require_http_methods(["GET", "POST"])
def replan(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-plan one patient's next week, everyone else fixed."""
    patient = read_restricted_or_404(Patient.objects.all(), request, SCHEDULING_OPTIMIZE, view="replan", pk=pk)
    episode = (
        Episode.objects.restrict(request.user, SCHEDULING_OPTIMIZE)
        .filter(patient=patient, status=Episode.Status.ACTIVE)
        .select_related("site", "patient")
        .first()
    )
    form = BuildForm(request.POST or None, initial={"week_start": planning.next_monday(timezone.localdate())})
    if request.method == "POST" and form.is_valid() and episode is not None:
        proposal = planning.propose_replan(
            actor=staff_user(request), site=episode.site, week_start=form.cleaned_data["week_start"], episode=episode
        )
        return HttpResponseRedirect(reverse("scheduling:proposal", args=[proposal.pk]))
    return render(request, "scheduling/replan.html", {"patient": patient, "episode": episode, "form": form})


def can_replan(request: HttpRequest) -> bool:
    return has_action(request.user, SCHEDULING_OPTIMIZE)
