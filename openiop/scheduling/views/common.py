# SPDX-License-Identifier: AGPL-3.0-or-later
"""What every scheduling page shares: the site from the URL, staff at a site,
and the restricted lookups of one session, patient or appointment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from openiop.accounts.models import User
from openiop.audit.guards import get_restricted_or_404
from openiop.audit.reads import read_restricted_or_404
from openiop.core.ascii_digits import parse_id
from openiop.core.roles import RoleCode
from openiop.patients.models import Patient
from openiop.scheduling import selectors, services
from openiop.scheduling.models import Appointment, Attendance, Session
from openiop.sites.models import Site

FACILITATOR_ROLES = [RoleCode.CLINICIAN, RoleCode.CLINICAL_DIRECTOR, RoleCode.NURSE, RoleCode.PRESCRIBER]


def site_for(request: HttpRequest, code: str, action: str) -> Site:
    return get_restricted_or_404(Site.objects.all(), request, action, code=code)


def default_site(request: HttpRequest, action: str, chosen: Site | None = None) -> Site | None:
    return chosen or Site.objects.restrict(request.user, action).filter(is_active=True).order_by("name").first()


def staff_at(site: Site) -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, sites=site, roles__code__in=FACILITATOR_ROLES)
        .distinct()
        .order_by("last_name", "first_name")
    )


def _aware(site: Site, day: dt.date, time: dt.time) -> dt.datetime:
    return services.local_datetime(site, day, time)


def _session(request: HttpRequest, pk: int, action: str) -> Session:
    return get_restricted_or_404(selectors.session_queryset(), request, action, pk=pk)


def _pk(request: HttpRequest, name: str) -> int:
    """A posted row id; anything but digits matches no row (404, not 500)."""
    return parse_id(request.POST.get(name)) or 0


def _patient(request: HttpRequest, pk: int, action: str) -> Patient:
    return get_restricted_or_404(Patient.objects.select_related("site"), request, action, pk=pk)


def _appointment(request: HttpRequest, pk: int, action: str, view: str) -> Appointment:
    return read_restricted_or_404(
        Appointment.objects.select_related("patient", "site", "clinician", "room"), request, action, view=view, pk=pk
    )


def held_session_ids(session_ids: list[int]) -> set[int]:
    """Sessions with attendance saved: they took place, and the calendar says
    "Held" in words rather than leaving "Scheduled" on a past meeting."""
    return set(
        Attendance.objects.filter(enrolment__session_id__in=session_ids)
        .values_list("enrolment__session_id", flat=True)
        .distinct()
    )


def mark_held(items: list[Any]) -> None:
    """Set ``held`` on each session or appointment of a calendar (two queries)."""
    sessions = [item for item in items if isinstance(item, Session)]
    appointments = [item for item in items if isinstance(item, Appointment)]
    held = held_session_ids([s.pk for s in sessions])
    attended = set(
        Attendance.objects.filter(appointment__in=[a.pk for a in appointments]).values_list("appointment_id", flat=True)
    )
    for session in sessions:
        session.held = session.pk in held  # type: ignore[attr-defined]
    for appointment in appointments:
        appointment.held = appointment.pk in attended  # type: ignore[attr-defined]
