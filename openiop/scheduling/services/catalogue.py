# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes for the catalogue: tracks, one-off sessions and series expanded into sessions."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.scheduling import catalog
from openiop.scheduling.models import Session, SessionSeries, Track, parse_rrule
from openiop.scheduling.services.common import (
    _lock_rows,
    _raise,
    capacity_problem,
    opening_hours_problem,
    room_conflicts,
    staff_conflicts,
)
from openiop.sites.models import Room, Site

# How far ahead a new series is expanded into sessions by default.
DEFAULT_HORIZON_DAYS = 56


# --- Tracks, series and sessions ------------------------------------------------------------------------------------


@transaction.atomic
def track_create(*, actor: User, site: Site, kind: str, name: str) -> Track:
    name = name.strip()
    if Track.objects.filter(site=site, name__iexact=name).exists():
        raise ValidationError(
            {"name": _("%(site)s already has a track called %(name)s.") % {"site": site, "name": name}}
        )
    track = Track.objects.create(site=site, kind=kind, name=name)
    log_action("scheduling.track.create", obj=track, actor=actor, data={"kind": kind})
    return track


@transaction.atomic
def track_set_active(*, actor: User, track: Track, active: bool, reason: str) -> Track:
    """Switch a track on or off, with a reason. An inactive track is not
    offered for new recurring groups; groups and sessions already on it stay
    as they are (cancel or move them separately)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the track is switched on or off.")})
    locked = Track.objects.select_for_update().select_related("site").get(pk=track.pk)
    if locked.is_active == active:
        state = _("on") if active else _("off")
        raise ValidationError(
            _("%(track)s is already switched %(state)s; nothing changed.") % {"track": locked.name, "state": state}
        )
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    log_action(
        "scheduling.track.activate" if active else "scheduling.track.deactivate",
        obj=locked,
        actor=actor,
        site_id=locked.site_id,
        data={"reason": reason, "kind": locked.kind},
    )
    return locked


def _session_problems(
    *,
    site: Site,
    room: Room,
    facilitator: User,
    start: dt.datetime,
    end: dt.datetime,
    capacity_min: int,
    capacity_max: int,
    exclude: Session | None = None,
) -> list[str]:
    problems: list[str] = []
    if end <= start:
        return [_("The session must end after it starts.")]
    if room.site_id != site.pk:
        problems.append(_("%(room)s is not a room at %(site)s.") % {"room": room.name, "site": site.name})
    if (issue := capacity_problem(capacity_min, capacity_max)) is not None:
        problems.append(issue)
    elif capacity_max > room.capacity:
        problems.append(
            _("%(room)s seats %(seats)d; a group of up to %(max)d does not fit.")
            % {"room": room.name, "seats": room.capacity, "max": capacity_max}
        )
    if (issue := opening_hours_problem(site, start, end)) is not None:
        problems.append(issue)
    problems += room_conflicts(room, start, end, exclude_session=exclude)
    problems += staff_conflicts(facilitator, start, end, exclude_session=exclude)
    return problems


def _check_service(service: str, *, group: bool) -> None:
    found = catalog.SERVICES.get(service)
    if found is None or (found.kind is catalog.Kind.GROUP) != group:
        raise ValidationError({"service": _("Choose a service from the catalog.")})


@transaction.atomic
def session_create(
    *,
    actor: User | None,
    site: Site,
    service: str,
    title: str,
    room: Room,
    facilitator: User,
    start: dt.datetime,
    end: dt.datetime,
    capacity_min: int,
    capacity_max: int,
    track: Track | None = None,
    series: SessionSeries | None = None,
) -> Session:
    """One group session after every rule passed (see the module docstring)."""
    _check_service(service, group=True)
    _lock_rows(room=room, users=[facilitator])
    _raise(
        _session_problems(
            site=site,
            room=room,
            facilitator=facilitator,
            start=start,
            end=end,
            capacity_min=capacity_min,
            capacity_max=capacity_max,
        )
    )
    session = Session.objects.create(
        site=site,
        series=series,
        track=track,
        service=service,
        title=title.strip() or catalog.SERVICES[service].name,
        room=room,
        facilitator=facilitator,
        start=start,
        end=end,
        capacity_min=capacity_min,
        capacity_max=capacity_max,
    )
    if series is None:
        log_action("scheduling.session.create", obj=session, actor=actor)
    return session


@transaction.atomic
def series_create(
    *,
    actor: User,
    site: Site,
    track: Track,
    service: str,
    title: str,
    room: Room,
    facilitator: User,
    capacity_min: int,
    capacity_max: int,
    starts_on: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    rrule: str,
    generate_until: dt.date | None = None,
) -> tuple[SessionSeries, list[Session]]:
    """A recurring group and its sessions up to GENERATE_UNTIL (default 8
    weeks). Any occurrence that breaks a rule refuses the whole series, with
    one message per occurrence."""
    _check_service(service, group=True)
    problems: list[str] = []
    if track.site_id != site.pk:
        problems.append(_("The track belongs to another site."))
    if not Track.objects.filter(pk=track.pk, is_active=True).exists():  # as stored now, not as the form saw it
        problems.append(_("The %(track)s track is switched off; switch it on first.") % {"track": track.name})
    if end_time <= start_time:
        problems.append(_("The session must end after it starts."))
    if (issue := capacity_problem(capacity_min, capacity_max)) is not None:
        problems.append(issue)
    try:
        parse_rrule(rrule, dt.datetime.combine(starts_on, start_time))
    except ValidationError as error:
        problems += error.messages
    _raise(problems)
    series = SessionSeries.objects.create(
        site=site,
        track=track,
        service=service,
        title=title.strip() or catalog.SERVICES[service].name,
        room=room,
        facilitator=facilitator,
        capacity_min=capacity_min,
        capacity_max=capacity_max,
        starts_on=starts_on,
        start_time=start_time,
        end_time=end_time,
        rrule=rrule.strip().removeprefix("RRULE:"),
    )
    sessions = series_generate(
        actor=actor, series=series, until=generate_until or starts_on + dt.timedelta(DEFAULT_HORIZON_DAYS)
    )
    log_action(
        "scheduling.series.create", obj=series, actor=actor, data={"rrule": series.rrule, "sessions": len(sessions)}
    )
    return series, sessions


@transaction.atomic
def series_generate(*, actor: User | None, series: SessionSeries, until: dt.date) -> list[Session]:
    """Create the series' missing sessions up to UNTIL. All or nothing."""
    existing = set(series.sessions.values_list("start", flat=True))
    created: list[Session] = []
    problems: list[str] = []
    for start, end in series.occurrences(series.starts_on, until):
        if start in existing:
            continue
        try:
            created.append(
                session_create(
                    actor=actor,
                    site=series.site,
                    service=series.service,
                    title=series.title,
                    room=series.room,
                    facilitator=series.facilitator,
                    start=start,
                    end=end,
                    capacity_min=series.capacity_min,
                    capacity_max=series.capacity_max,
                    track=series.track,
                    series=series,
                )
            )
        except ValidationError as error:
            problems += [f"{start:%a %Y-%m-%d}: {message}" for message in error.messages]
    _raise(problems)
    return created
