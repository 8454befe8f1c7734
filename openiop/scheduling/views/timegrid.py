# SPDX-License-Identifier: AGPL-3.0-or-later
"""The time-grid calendar drawn over the schedule table: its events (site
wall-clock times, colour per track with the track named in the text) and the
drag-to-reschedule endpoint, which goes through the same reschedule services
and rules as the forms."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.guards import require_action
from openiop.core.locking import StaleEditError
from openiop.scheduling import services
from openiop.scheduling.models import Appointment, Session
from openiop.scheduling.permissions import SCHEDULING_MANAGE
from openiop.scheduling.views.common import _appointment, _aware, _session
from openiop.sites.models import OpeningHours, Site

# Dark enough for white text at WCAG AA (4.5:1 and more); the track's name is
# always in the event's text too, so colour never carries meaning alone.
TRACK_COLOURS = ["#1d5b8f", "#6a3d9a", "#2e6b30", "#9a4400", "#8a1c4a", "#00616b", "#5b4a00"]
NO_TRACK_COLOUR = "#3f4b55"
# Another app's booking (an intake assessment): its own colour, white text at
# AA, and a "Booked elsewhere, read-only" word in the text besides.
BUSY_COLOUR = "#5c5c5c"
WALL_CLOCK = "%Y-%m-%dT%H:%M:%S"


def _wall(moment: dt.datetime, site: Site) -> str:
    """The site's local wall-clock time without an offset: the calendar runs
    in "UTC" so that it shows exactly these times whatever the browser's zone."""
    return moment.astimezone(zoneinfo.ZoneInfo(site.time_zone)).strftime(WALL_CLOCK)


def track_colour(track_id: int | None) -> str:
    return NO_TRACK_COLOUR if track_id is None else TRACK_COLOURS[track_id % len(TRACK_COLOURS)]


def calendar_events(items: list[Any], site: Site, *, row_of: dict[int, str], can_manage: bool) -> list[dict[str, Any]]:
    """Sessions and appointments as FullCalendar events. ``row_of`` maps an
    item's id() to its table row key so the room/clinician/track filter works."""
    events = []
    for item in items:
        if getattr(item, "is_busy_block", False):
            events.append(_busy_event(item, site, row_of))
            continue
        status_word = _("Held") if getattr(item, "held", False) else ""
        if item.status != "scheduled":
            status_word = item.get_status_display()
        movable = can_manage and item.status == "scheduled" and not getattr(item, "held", False)
        if isinstance(item, Session):
            track = item.track.name if item.track else _("No track")
            # "enrolled" is the Count annotation of selectors.session_queryset().
            enrolled = getattr(item, "enrolled", 0)
            booked = _("%(n)d/%(max)d booked") % {"n": enrolled, "max": item.capacity_max}
            parts = [item.title, track, item.room.name, booked]
            url = reverse("scheduling:session", args=[item.pk])
            colour = track_colour(item.track_id)
            kind, version = "session", item.version
        else:
            track = _("Individual")
            parts = [item.service_name, track, str(item.clinician)]
            url = ""  # the calendar never links staff to a chart they may not open
            colour = NO_TRACK_COLOUR
            kind, version = "appointment", 0
        if status_word:
            parts.append(status_word)
        events.append(
            {
                "id": f"{kind}-{item.pk}",
                "title": " · ".join(parts),
                "start": _wall(item.start, site),
                "end": _wall(item.end, site),
                "url": url or None,
                "backgroundColor": colour,
                "borderColor": colour,
                "textColor": "#ffffff",
                "editable": movable,
                "classNames": ["fc-off"] if item.status != "scheduled" else [],
                "extendedProps": {"kind": kind, "pk": item.pk, "version": version, "row": row_of.get(id(item), "")},
            }
        )
    return events


def _busy_event(item: Any, site: Site, row_of: dict[int, str]) -> dict[str, Any]:
    """A block booked by another app: shown, never dragged (its app moves it)."""
    return {
        "id": f"busy-{item.block.key}",
        "title": " · ".join([item.label, _("booked elsewhere, read-only")]),
        "start": _wall(item.block.start, site),
        "end": _wall(item.block.end, site),
        "url": item.url or None,
        "backgroundColor": BUSY_COLOUR,
        "borderColor": BUSY_COLOUR,
        "textColor": "#ffffff",
        "editable": False,
        "startEditable": False,
        "durationEditable": False,
        "classNames": ["fc-busy"],
        "extendedProps": {"kind": item.block.kind, "pk": item.block.key, "version": 0, "row": row_of.get(id(item), "")},
    }


def business_hours(site: Site) -> list[dict[str, Any]]:
    """Opening hours, so open-but-free time shows as free slots and closed
    time is shaded (FullCalendar counts days from Sunday = 0)."""
    return [
        {"daysOfWeek": [(row.weekday + 1) % 7], "startTime": f"{row.opens:%H:%M}", "endTime": f"{row.closes:%H:%M}"}
        for row in OpeningHours.objects.filter(site=site)
    ]


def _refusal(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message}, status=status)


def _parse_wall(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(str(value)[:19], WALL_CLOCK)
    except ValueError:
        return None


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def calendar_move(request: HttpRequest) -> HttpResponse:
    """Drag to reschedule: {kind, pk, version, start, end, reason} with the
    site's wall-clock times. Refusals come back as the service's own words
    (400), a stale version as 409; the calendar then snaps the event back.
    A GET only describes what to post."""
    if request.method == "GET":
        return JsonResponse({"accepts": "POST", "fields": ["kind", "pk", "version", "start", "end", "reason"]})
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _refusal(_("The move could not be read; reload the page and try again."))
    if not isinstance(body, dict):
        return _refusal(_("The move could not be read; reload the page and try again."))
    kind, pk = body.get("kind"), body.get("pk")
    start, end = _parse_wall(body.get("start")), _parse_wall(body.get("end"))
    reason = str(body.get("reason") or "").strip()[:500]
    if kind not in {"session", "appointment"} or not isinstance(pk, int) or start is None or end is None:
        return _refusal(_("The move could not be read; reload the page and try again."))
    if start.date() != end.date():
        return _refusal(_("A session must start and end on the same day."))
    item: Session | Appointment
    try:
        if kind == "session":
            version = body.get("version")
            if not isinstance(version, int):
                return _refusal(_("The move could not be read; reload the page and try again."))
            session = _session(request, pk, SCHEDULING_MANAGE)
            item = services.session_reschedule(
                actor=staff_user(request),
                session=session,
                start=_aware(session.site, start.date(), start.time()),
                end=_aware(session.site, end.date(), end.time()),
                reason=reason,
                expected_version=version,
            )
            url = reverse("scheduling:session", args=[item.pk])
            new_version = item.version
        else:
            appointment = _appointment(request, pk, SCHEDULING_MANAGE, "calendar_move")
            item = services.appointment_reschedule(
                actor=staff_user(request),
                appointment=appointment,
                start=_aware(appointment.site, start.date(), start.time()),
                end=_aware(appointment.site, end.date(), end.time()),
                reason=reason,
            )
            url, new_version = "", 0
    except StaleEditError as error:
        return _refusal(" ".join(error.messages), status=409)
    except ValidationError as error:
        return _refusal(" ".join(error.messages))
    return JsonResponse(
        {
            "ok": True,
            "id": f"{kind}-{item.pk}",
            "pk": item.pk,
            "version": new_version,
            "url": url,
            "message": _("Moved to %(when)s.") % {"when": f"{item.local_start:%a %H:%M}–{item.local_end:%H:%M}"},
        }
    )
