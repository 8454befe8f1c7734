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

from openiop.accounts.access import has_action
from openiop.core.views import attach_error, get_restricted_or_404, require_action, staff_user
from openiop.scheduling import selectors, services
from openiop.scheduling.forms import CalendarForm, SeriesForm, SessionForm, TrackForm, TrackStatusForm
from openiop.scheduling.models import SessionSeries, Track
from openiop.scheduling.permissions import SCHEDULING_MANAGE, SCHEDULING_OPTIMIZE, SCHEDULING_VIEW, TRACKS_SWITCH
from openiop.scheduling.views.common import _aware, _pk, default_site, mark_held, site_for, staff_at
from openiop.sites.models import Site

# --- Calendar -------------------------------------------------------------------------------------------------------


@require_action(SCHEDULING_VIEW)
def calendar(request: HttpRequest) -> HttpResponse:
    """Sessions by room, clinician or track for a day or a week."""
    sites = Site.objects.restrict(request.user, SCHEDULING_VIEW).filter(is_active=True)
    form = CalendarForm(request.GET or None, sites=sites)
    data = form.cleaned_data if form.is_valid() else {}
    site = default_site(request, SCHEDULING_VIEW, data.get("site"))
    by = data.get("by") or "room"
    span = data.get("span") or "week"
    day = data.get("day") or timezone.localdate()
    first = day - dt.timedelta(days=day.weekday()) if span == "week" else day
    grid = selectors.calendar(request.user, site, first=first, days=7 if span == "week" else 1, by=by) if site else None
    if grid is not None:
        mark_held([item for row in grid.rows for cell in row.cells for item in cell])
    step = dt.timedelta(days=7 if span == "week" else 1)
    return render(
        request,
        "scheduling/calendar.html",
        {
            "form": form,
            "site": site,
            "grid": grid,
            "by": by,
            "span": span,
            "first": first,
            "previous": first - step,
            "next": first + step,
            "can_manage": has_action(request.user, SCHEDULING_MANAGE),
            "can_optimize": has_action(request.user, SCHEDULING_OPTIMIZE),
        },
    )


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
