# SPDX-License-Identifier: AGPL-3.0-or-later
"""The calendar, a site's setup and tracks, new series and new sessions."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.guards import get_restricted_or_404, require_action
from openiop.audit.services import log_read
from openiop.core.access import has_action
from openiop.core.views import attach_error
from openiop.patients.models import Episode, Patient
from openiop.scheduling import selectors, services
from openiop.scheduling.forms import CalendarForm, SeriesForm, SessionForm, TrackForm, TrackStatusForm
from openiop.scheduling.models import Enrolment, Session, SessionSeries, Track
from openiop.scheduling.permissions import SCHEDULING_MANAGE, SCHEDULING_OPTIMIZE, SCHEDULING_VIEW, TRACKS_SWITCH
from openiop.scheduling.views import timegrid
from openiop.scheduling.views.common import _aware, _pk, default_site, mark_held, site_for, staff_at
from openiop.sites.models import Site

# --- Calendar -------------------------------------------------------------------------------------------------------


@require_action(SCHEDULING_VIEW)
def calendar(request: HttpRequest) -> HttpResponse:
    """Sessions by room, clinician, track or patient for a day or a week: a
    table (the no-script and print view) with the time-grid drawn over it."""
    sites = Site.objects.restrict(request.user, SCHEDULING_VIEW).filter(is_active=True)
    patients = (
        Patient.objects.restrict(request.user, SCHEDULING_VIEW)
        .filter(episodes__status=Episode.Status.ACTIVE)
        .distinct()
        .order_by("legal_last_name", "legal_first_name")
    )
    form = CalendarForm(request.GET or None, sites=sites, patients=patients)
    data = form.cleaned_data if form.is_valid() else {}
    site = default_site(request, SCHEDULING_VIEW, data.get("site"))
    by = data.get("by") or "room"
    patient: Patient | None = data.get("patient") if by == "patient" else None
    if by != "patient":
        # Patient names appear only once "Patient" is chosen: a calendar on a
        # shared screen shows none otherwise.
        del form.fields["patient"]
    span = data.get("span") or "week"
    day = data.get("day") or timezone.localdate()
    first = day - dt.timedelta(days=day.weekday()) if span == "week" else day
    days = 7 if span == "week" else 1
    grid = None
    if site is not None and (by != "patient" or patient is not None):
        grid = selectors.calendar(
            request.user, site, first=first, days=days, by="clinician" if patient else by, with_busy=patient is None
        )
        if patient is not None:
            log_read(patient, data={"view": "calendar", "first": str(first)})
            _only_patient(grid, patient)
    items = [item for row in grid.rows for cell in row.cells for item in cell] if grid else []
    mark_held(items)
    can_manage = has_action(request.user, SCHEDULING_MANAGE)
    row_of = {id(item): row.key for row in grid.rows for cell in row.cells for item in cell} if grid else {}
    step = dt.timedelta(days=days)
    return render(
        request,
        "scheduling/calendar.html",
        {
            "form": form,
            "site": site,
            "grid": grid,
            "by": by,
            "patient": patient,
            "span": span,
            "first": first,
            "previous": first - step,
            "next": first + step,
            "can_manage": can_manage,
            "can_optimize": has_action(request.user, SCHEDULING_OPTIMIZE),
            "timegrid": {
                "events": timegrid.calendar_events(items, site, row_of=row_of, can_manage=can_manage) if site else [],
                "rows": [{"key": row.key, "label": row.label} for row in grid.rows] if grid else [],
                "businessHours": timegrid.business_hours(site) if site else [],
                "first": first.isoformat(),
                "view": "timeGridWeek" if span == "week" else "timeGridDay",
                "moveUrl": reverse("scheduling:calendar_move") if can_manage else "",
                "zone": site.time_zone if site else "",
            },
        },
    )


def _only_patient(grid: selectors.Calendar, patient: Patient) -> None:
    """Keep the patient's own sessions and appointments (rows by clinician)."""
    sessions = {i.pk for row in grid.rows for cell in row.cells for i in cell if isinstance(i, Session)}
    enrolled = set(
        Enrolment.objects.filter(patient=patient, session_id__in=sessions).values_list("session_id", flat=True)
    )
    for row in grid.rows:
        row.cells = [
            [i for i in cell if (i.pk in enrolled if isinstance(i, Session) else i.patient_id == patient.pk)]
            for cell in row.cells
        ]
    grid.rows = [row for row in grid.rows if any(row.cells)]


# --- Set-up: tracks, series, one-off sessions -----------------------------------------------------------------------


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest, code: str) -> HttpResponse:
    """A site's tracks (add one here) and recurring groups."""
    site = site_for(request, code, SCHEDULING_MANAGE)
    form = TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            track = services.track_create(actor=staff_user(request), site=site, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Track %(name)s added.") % {"name": track.name})
            return HttpResponseRedirect(reverse("scheduling:setup", args=[site.code]))
    return render(
        request,
        "scheduling/setup.html",
        {
            "site": site,
            "form": form,
            "tracks": Track.objects.filter(site=site),
            "series": SessionSeries.objects.filter(site=site).select_related("track", "room", "facilitator"),
            "can_switch_tracks": has_action(request.user, TRACKS_SWITCH),
        },
    )


@require_action(TRACKS_SWITCH)
@require_http_methods(["GET", "POST"])
def tracks(request: HttpRequest, code: str) -> HttpResponse:
    """Switch a site's tracks on or off, each with a reason."""
    site = site_for(request, code, TRACKS_SWITCH)
    rows = list(Track.objects.restrict(request.user, TRACKS_SWITCH).filter(site=site))
    status_forms = {track.pk: TrackStatusForm(prefix=f"t{track.pk}") for track in rows}
    if request.method == "POST":
        track = get_restricted_or_404(Track.objects.filter(site=site), request, TRACKS_SWITCH, pk=_pk(request, "track"))
        form = TrackStatusForm(request.POST, prefix=f"t{track.pk}")
        status_forms[track.pk] = form
        if form.is_valid():
            try:
                services.track_set_active(
                    actor=staff_user(request),
                    track=track,
                    active=request.POST.get("active") == "1",
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                attach_error(request, form, error)
            else:
                track.refresh_from_db()
                done = _("%(track)s switched on.") if track.is_active else _("%(track)s switched off.")
                messages.success(request, done % {"track": track.name})
                return HttpResponseRedirect(reverse("scheduling:tracks", args=[site.code]))
    return render(
        request,
        "scheduling/tracks.html",
        {
            "site": site,
            "rows": [
                (track, status_forms[track.pk], SessionSeries.objects.filter(track=track, is_active=True).count())
                for track in rows
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def series_create(request: HttpRequest, code: str) -> HttpResponse:
    site = site_for(request, code, SCHEDULING_MANAGE)
    form = SeriesForm(
        request.POST or None, site=site, staff=staff_at(site), initial={"starts_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series, sessions = services.series_create(
                actor=staff_user(request),
                site=site,
                track=data["track"],
                service=data["service"],
                title=data["title"],
                room=data["room"],
                facilitator=data["facilitator"],
                capacity_min=data["capacity_min"],
                capacity_max=data["capacity_max"],
                starts_on=data["starts_on"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                rrule=data["rrule"],
                generate_until=data["starts_on"] + dt.timedelta(weeks=data["weeks"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("%(title)s: %(count)d sessions created.") % {"title": series.title, "count": len(sessions)}
            )
            return HttpResponseRedirect(reverse("scheduling:setup", args=[site.code]))
    return render(request, "scheduling/form.html", {"form": form, "site": site, "title": _("New recurring group")})


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, code: str) -> HttpResponse:
    site = site_for(request, code, SCHEDULING_MANAGE)
    form = SessionForm(request.POST or None, site=site, staff=staff_at(site))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.session_create(
                actor=staff_user(request),
                site=site,
                service=data["service"],
                title=data["title"],
                room=data["room"],
                facilitator=data["facilitator"],
                start=_aware(site, data["day"], data["start_time"]),
                end=_aware(site, data["day"], data["end_time"]),
                capacity_min=data["capacity_min"],
                capacity_max=data["capacity_max"],
                track=data["track"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Session created."))
            return HttpResponseRedirect(reverse("scheduling:session", args=[session.pk]))
    return render(request, "scheduling/form.html", {"form": form, "site": site, "title": _("New group session")})
