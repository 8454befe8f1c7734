# SPDX-License-Identifier: AGPL-3.0-or-later
"""Calendars, sessions, enrolment, attendance, appointments and availability.
The hours dashboard, the week planner and calendar feeds are in
``views_week.py``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openiop.accounts.access import has_action
from openiop.accounts.models import User
from openiop.accounts.roles import RoleCode
from openiop.audit.services import log_read
from openiop.core.ascii_digits import parse_id
from openiop.core.views import attach_error, get_restricted_or_404, read_restricted_or_404, require_action, staff_user
from openiop.patients.models import Episode, Patient
from openiop.scheduling import group_notes, selectors, services
from openiop.scheduling.forms import (
    AppointmentForm,
    CalendarForm,
    ClinicianAvailabilityEditForm,
    ClinicianAvailabilityForm,
    EnrolForm,
    PatientAvailabilityEditForm,
    PatientAvailabilityForm,
    ReasonForm,
    RescheduleForm,
    SeriesForm,
    SessionForm,
    TrackForm,
    TrackStatusForm,
)
from openiop.scheduling.models import (
    Appointment,
    Attendance,
    ClinicianAvailability,
    Enrolment,
    PatientAvailability,
    Session,
    SessionSeries,
    Track,
)
from openiop.scheduling.permissions import (
    ATTENDANCE_RECORD,
    SCHEDULING_MANAGE,
    SCHEDULING_OPTIMIZE,
    SCHEDULING_VIEW,
    TRACKS_SWITCH,
)
from openiop.sites.models import Site
from openiop.treatment.permissions import COUNSELLING_NOTES

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


# --- One session ----------------------------------------------------------------------------------------------------


def _session(request: HttpRequest, pk: int, action: str) -> Session:
    return get_restricted_or_404(selectors.session_queryset(), request, action, pk=pk)


@require_action(SCHEDULING_VIEW)
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk, SCHEDULING_VIEW)
    participants = selectors.session_attendance(session)
    log_read(session, data={"view": "session", "patients": [p.patient_id for p in participants]})
    return render(
        request,
        "scheduling/session_detail.html",
        {
            "session": session,
            "participants": participants,
            "seats_left": max(0, session.capacity_max - len(participants)),
            "can_manage": has_action(request.user, SCHEDULING_MANAGE),
            "can_record": has_action(request.user, ATTENDANCE_RECORD),
            "history": Session.objects.filter(rescheduled_to=session).first(),
            **_group_note_context(request, session),
        },
    )


def _group_note_context(request: HttpRequest, session: Session) -> dict[str, Any]:
    """The "Write the group note" / "Open the group note" button: only for
    staff who write group notes, and only once attendance is complete."""
    if not has_action(request.user, COUNSELLING_NOTES):
        return {"group_note": None, "can_write_group_note": False}
    existing = group_notes.group_note_for(session)
    return {
        "group_note": existing,
        "can_write_group_note": existing is None and group_notes.open_problem(session) is None,
    }


@require_action(COUNSELLING_NOTES)
@require_http_methods(["GET", "POST"])
def session_group_note(request: HttpRequest, pk: int) -> HttpResponse:
    """Write (or open) the group note of a session from its attendance."""
    session = _session(request, pk, COUNSELLING_NOTES)
    existing = group_notes.group_note_for(session)
    if existing is not None:
        return HttpResponseRedirect(reverse("treatment:group_edit", args=[existing.pk]))
    errors: list[str] = []
    if request.method == "POST":
        try:
            group, created = group_notes.group_note_open(actor=staff_user(request), session=session)
        except ValidationError as error:
            errors = error.messages
        else:
            if created:
                messages.success(
                    request, _("Group note opened with everyone who attended and their minutes from attendance.")
                )
            return HttpResponseRedirect(reverse("treatment:group_edit", args=[group.pk]))
    problem = group_notes.open_problem(session)
    attended = [row for row in selectors.session_attendance(session) if row.attended]
    log_read(session, data={"view": "group_note", "patients": [row.patient_id for row in attended]})
    return render(
        request,
        "scheduling/group_note.html",
        {"session": session, "attended": attended, "problem": problem, "errors": errors},
        status=400 if errors else 200,
    )


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def session_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk, SCHEDULING_MANAGE)
    enrolled = Enrolment.objects.filter(session=session).values("patient_id")
    episodes = (
        Episode.objects.restrict(request.user, SCHEDULING_MANAGE)
        .filter(site=session.site, status=Episode.Status.ACTIVE)
        .exclude(patient_id__in=enrolled)
        .select_related("patient")
        .order_by("patient__legal_last_name", "patient__legal_first_name")
    )
    form = EnrolForm(request.POST or None, episodes=episodes)
    if request.method == "POST" and form.is_valid():
        episode = form.cleaned_data["episode"]
        try:
            services.enrol(actor=staff_user(request), session=session, episode=episode)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s enrolled.") % {"name": episode.patient.display_name})
            return HttpResponseRedirect(reverse("scheduling:session", args=[session.pk]))
    return render(
        request,
        "scheduling/form.html",
        {"form": form, "session": session, "title": _("Enrol a patient"), "submit": _("Enrol")},
    )


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk, SCHEDULING_MANAGE)
    form = ReasonForm(request.POST or None, initial={"version": session.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(
                actor=staff_user(request),
                session=session,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Session cancelled."))
            return HttpResponseRedirect(reverse("scheduling:session", args=[session.pk]))
    return render(
        request,
        "scheduling/form.html",
        {"form": form, "session": session, "title": _("Cancel session"), "submit": _("Cancel session")},
    )


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def session_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk, SCHEDULING_MANAGE)
    local = session.local_start
    form = RescheduleForm(
        request.POST or None,
        site=session.site,
        initial={
            "version": session.version,
            "day": local.date(),
            "start_time": local.time(),
            "end_time": session.local_end.time(),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.session_reschedule(
                actor=staff_user(request),
                session=session,
                start=_aware(session.site, data["day"], data["start_time"]),
                end=_aware(session.site, data["day"], data["end_time"]),
                room=data["room"],
                reason=data["reason"],
                expected_version=data["version"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Session moved; participants moved with it."))
            return HttpResponseRedirect(reverse("scheduling:session", args=[new.pk]))
    return render(
        request,
        "scheduling/form.html",
        {"form": form, "session": session, "title": _("Reschedule session"), "submit": _("Reschedule")},
    )


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def enrolment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = read_restricted_or_404(
        Enrolment.objects.select_related("session__site", "patient"),
        request,
        SCHEDULING_MANAGE,
        view="enrolment_withdraw",
        pk=pk,
    )
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_withdraw(
                actor=staff_user(request), enrolment=enrolment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("%(name)s removed from the session.") % {"name": enrolment.patient.display_name}
            )
            return HttpResponseRedirect(reverse("scheduling:session", args=[enrolment.session_id]))
    return render(
        request,
        "scheduling/form.html",
        {
            "form": form,
            "session": enrolment.session,
            "title": _("Remove %(name)s from the session") % {"name": enrolment.patient.display_name},
            "submit": _("Remove"),
        },
    )


# --- Attendance -----------------------------------------------------------------------------------------------------


def _int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    parsed = parse_id(value)  # 0-9 only: int() would read "٣" as 3
    return -1 if parsed is None else parsed


@require_action(ATTENDANCE_RECORD)
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark everyone at once: one radio group per participant (arrow keys
    move within it), minutes pre-filled with the session's length."""
    session = _session(request, pk, ATTENDANCE_RECORD)
    participants = selectors.session_attendance(session)
    errors: list[str] = []
    posted: dict[int, dict[str, Any]] = {}
    if request.method == "POST" and request.POST.get("all_present"):
        marks = [services.AttendanceMark(row.enrolment_id, Attendance.Status.PRESENT) for row in participants]
        try:
            services.attendance_record(actor=staff_user(request), session=session, marks=marks)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Everyone marked present."))
            return HttpResponseRedirect(reverse("scheduling:session", args=[session.pk]))
    elif request.method == "POST":
        marks = []
        for row in participants:
            status = request.POST.get(f"status-{row.enrolment_id}", "")
            minutes = _int_or_none(request.POST.get(f"minutes-{row.enrolment_id}"))
            note = request.POST.get(f"note-{row.enrolment_id}", "")
            posted[row.enrolment_id] = {"status": status, "minutes": minutes, "note": note}
            if not status:
                errors.append(_("%(name)s: choose an attendance status.") % {"name": row.name})
                continue
            if minutes == -1:
                errors.append(_("%(name)s: minutes must be a whole number.") % {"name": row.name})
                continue
            if status != Attendance.Status.PRESENT or minutes != session.minutes:
                marks.append(services.AttendanceMark(row.enrolment_id, status, minutes, note))
            else:
                marks.append(services.AttendanceMark(row.enrolment_id, status, None, note))
        if not errors:
            try:
                services.attendance_record(actor=staff_user(request), session=session, marks=marks)
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, _("Attendance saved for %(count)d participants.") % {"count": len(marks)})
                return HttpResponseRedirect(reverse("scheduling:session", args=[session.pk]))
    else:
        log_read(session, data={"view": "attendance", "patients": [p.patient_id for p in participants]})
    rows = []
    for row in participants:
        sent = posted.get(row.enrolment_id, {})
        rows.append(
            {
                "participant": row,
                "status": sent.get("status", row.status or ""),
                "minutes": sent.get("minutes")
                if "minutes" in sent
                else (row.minutes_attended if row.status else session.minutes),
                "note": sent.get("note", row.note),
            }
        )
    return render(
        request,
        "scheduling/attendance.html",
        {
            "session": session,
            "rows": rows,
            "errors": errors,
            "statuses": Attendance.Status.choices,
            "not_started": session.start > timezone.now(),
            **_group_note_context(request, session),
        },
        status=400 if errors else 200,
    )


# --- Patients: availability and appointments ------------------------------------------------------------------------


def _pk(request: HttpRequest, name: str) -> int:
    """A posted row id; anything but digits matches no row (404, not 500)."""
    return parse_id(request.POST.get(name)) or 0


def _patient(request: HttpRequest, pk: int, action: str) -> Patient:
    return get_restricted_or_404(Patient.objects.select_related("site"), request, action, pk=pk)


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def patient_availability(request: HttpRequest, pk: int) -> HttpResponse:
    """Add or remove the patient's weekly windows (free, work, school)."""
    patient = _patient(request, pk, SCHEDULING_MANAGE)
    form = PatientAvailabilityForm(request.POST or None if "remove" not in request.POST else None)
    if request.method == "POST" and "remove" in request.POST:
        window = get_restricted_or_404(
            PatientAvailability.objects.filter(patient=patient), request, SCHEDULING_MANAGE, pk=_pk(request, "remove")
        )
        services.patient_availability_remove(actor=staff_user(request), window=window)
        messages.success(request, _("Window removed."))
        return HttpResponseRedirect(reverse("scheduling:availability", args=[patient.pk]))
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_availability_add(actor=staff_user(request), patient=patient, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Window added."))
            return HttpResponseRedirect(reverse("scheduling:availability", args=[patient.pk]))
    log_read(patient, data={"view": "availability"})
    return render(
        request,
        "scheduling/availability.html",
        {"patient": patient, "form": form, "windows": PatientAvailability.objects.filter(patient=patient)},
    )


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def appointment_create(request: HttpRequest, pk: int) -> HttpResponse:
    patient = read_restricted_or_404(
        Patient.objects.select_related("site"), request, SCHEDULING_MANAGE, view="appointment_create", pk=pk
    )
    episode = (
        Episode.objects.restrict(request.user, SCHEDULING_MANAGE)
        .filter(patient=patient, status=Episode.Status.ACTIVE)
        .select_related("site")
        .first()
    )
    if episode is None:
        messages.error(request, _("%(name)s has no active episode at your sites.") % {"name": patient.display_name})
        return render(
            request, "scheduling/form.html", {"form": None, "patient": patient, "title": _("New appointment")}
        )
    form = AppointmentForm(
        request.POST or None,
        site=episode.site,
        clinicians=staff_at(episode.site),
        initial={"clinician": episode.primary_counsellor_id, "service": "individual_therapy"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.appointment_create(
                actor=staff_user(request),
                episode=episode,
                clinician=data["clinician"],
                service=data["service"],
                start=_aware(episode.site, data["day"], data["start_time"]),
                end=_aware(episode.site, data["day"], data["end_time"]),
                room=data["room"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Appointment booked."))
            return HttpResponseRedirect(reverse("patients:chart", args=[patient.pk]) + "?tab=schedule")
    return render(
        request,
        "scheduling/form.html",
        {"form": form, "patient": patient, "title": _("New appointment"), "submit": _("Book")},
    )


def _appointment(request: HttpRequest, pk: int, action: str, view: str) -> Appointment:
    return read_restricted_or_404(
        Appointment.objects.select_related("patient", "site", "clinician", "room"), request, action, view=view, pk=pk
    )


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment(request, pk, SCHEDULING_MANAGE, "appointment_cancel")
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_cancel(
                actor=staff_user(request), appointment=appointment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Appointment cancelled."))
            return HttpResponseRedirect(reverse("patients:chart", args=[appointment.patient_id]) + "?tab=schedule")
    return render(
        request,
        "scheduling/form.html",
        {
            "form": form,
            "appointment": appointment,
            "patient": appointment.patient,
            "title": _("Cancel appointment"),
            "submit": _("Cancel appointment"),
        },
    )


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def appointment_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an appointment to another time (and room), with a reason; the old
    one stays in the history, marked rescheduled."""
    appointment = _appointment(request, pk, SCHEDULING_MANAGE, "appointment_reschedule")
    local = appointment.local_start
    form = RescheduleForm(
        request.POST or None,
        site=appointment.site,
        initial={"day": local.date(), "start_time": local.time(), "end_time": appointment.local_end.time()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.appointment_reschedule(
                actor=staff_user(request),
                appointment=appointment,
                start=_aware(appointment.site, data["day"], data["start_time"]),
                end=_aware(appointment.site, data["day"], data["end_time"]),
                room=data["room"],
                reason=data["reason"],
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("Appointment moved; the old time stays in the history as rescheduled."))
            return HttpResponseRedirect(reverse("patients:chart", args=[appointment.patient_id]) + "?tab=schedule")
    return render(
        request,
        "scheduling/form.html",
        {
            "form": form,
            "appointment": appointment,
            "patient": appointment.patient,
            "title": _("Reschedule appointment"),
            "submit": _("Reschedule"),
        },
    )


@require_action(ATTENDANCE_RECORD)
@require_http_methods(["GET", "POST"])
def appointment_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment(request, pk, ATTENDANCE_RECORD, "appointment_attendance")
    errors: list[str] = []
    if request.method == "POST":
        minutes = _int_or_none(request.POST.get("minutes"))
        try:
            if minutes == -1:
                raise ValidationError(_("Minutes must be a whole number."))
            status = request.POST.get("status", "")
            services.appointment_attendance_record(
                actor=staff_user(request),
                appointment=appointment,
                status=status,
                minutes=None if status == Attendance.Status.PRESENT and minutes == appointment.minutes else minutes,
                note=request.POST.get("note", ""),
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Attendance saved."))
            return HttpResponseRedirect(reverse("patients:chart", args=[appointment.patient_id]) + "?tab=schedule")
    current = getattr(appointment, "attendance", None)
    return render(
        request,
        "scheduling/appointment_attendance.html",
        {
            "appointment": appointment,
            "errors": errors,
            "statuses": Attendance.Status.choices,
            "current": current,
            "minutes": current.minutes_attended if current else appointment.minutes,
        },
        status=400 if errors else 200,
    )


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def clinician_availability(request: HttpRequest, pk: int) -> HttpResponse:
    """A staff member's weekly windows for individual appointments."""
    staff = get_restricted_or_404(User.objects.filter(is_active=True).distinct(), request, SCHEDULING_MANAGE, pk=pk)
    sites = Site.objects.restrict(request.user, SCHEDULING_MANAGE).filter(pk__in=staff.site_ids())
    if request.method == "POST" and "remove" in request.POST:
        window = get_restricted_or_404(
            ClinicianAvailability.objects.filter(user=staff), request, SCHEDULING_MANAGE, pk=_pk(request, "remove")
        )
        services.clinician_availability_remove(actor=staff_user(request), window=window)
        messages.success(request, _("Window removed."))
        return HttpResponseRedirect(reverse("scheduling:clinician_availability", args=[staff.pk]))
    form = ClinicianAvailabilityForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        try:
            services.clinician_availability_add(actor=staff_user(request), user=staff, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Window added."))
            return HttpResponseRedirect(reverse("scheduling:clinician_availability", args=[staff.pk]))
    return render(
        request,
        "scheduling/clinician_availability.html",
        {
            "staff": staff,
            "form": form,
            "windows": ClinicianAvailability.objects.restrict(request.user, SCHEDULING_MANAGE)
            .filter(user=staff)
            .select_related("site"),
        },
    )


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def patient_availability_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change one of a patient's weekly windows."""
    window = get_restricted_or_404(
        PatientAvailability.objects.select_related("patient"), request, SCHEDULING_MANAGE, pk=pk
    )
    patient = window.patient
    form = PatientAvailabilityEditForm(
        request.POST or None,
        initial={
            "kind": window.kind,
            "weekday": window.weekday,
            "start_time": window.start_time,
            "end_time": window.end_time,
            "note": window.note,
            "fingerprint": services.window_fingerprint(window),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.patient_availability_update(
                actor=staff_user(request),
                window=window,
                kind=data["kind"],
                weekday=data["weekday"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                note=data["note"],
                expected=data["fingerprint"],
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("Window changed."))
            return HttpResponseRedirect(reverse("scheduling:availability", args=[patient.pk]))
    log_read(patient, data={"view": "availability_edit", "window": window.pk})
    return render(
        request,
        "scheduling/window_form.html",
        {
            "form": form,
            "title": _("Change a window: %(name)s") % {"name": patient.display_name},
            "back": reverse("scheduling:availability", args=[patient.pk]),
            "back_label": patient.display_name,
        },
    )


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def clinician_availability_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change one of a staff member's weekly windows."""
    window = get_restricted_or_404(
        ClinicianAvailability.objects.select_related("user", "site"), request, SCHEDULING_MANAGE, pk=pk
    )
    staff = window.user
    sites = Site.objects.restrict(request.user, SCHEDULING_MANAGE).filter(pk__in=staff.site_ids())
    form = ClinicianAvailabilityEditForm(
        request.POST or None,
        sites=sites,
        initial={
            "site": window.site_id,
            "weekday": window.weekday,
            "start_time": window.start_time,
            "end_time": window.end_time,
            "weekly_caseload": window.weekly_caseload,
            "fingerprint": services.window_fingerprint(window),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.clinician_availability_update(
                actor=staff_user(request),
                window=window,
                site=data["site"],
                weekday=data["weekday"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                weekly_caseload=data["weekly_caseload"],
                expected=data["fingerprint"],
            )
        except ValidationError as error:
            attach_error(request, form, error)
        else:
            messages.success(request, _("Window changed."))
            return HttpResponseRedirect(reverse("scheduling:clinician_availability", args=[staff.pk]))
    return render(
        request,
        "scheduling/window_form.html",
        {
            "form": form,
            "title": _("Change a window: %(name)s") % {"name": staff},
            "back": reverse("scheduling:clinician_availability", args=[staff.pk]),
            "back_label": str(staff),
        },
    )
