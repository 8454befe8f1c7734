# SPDX-License-Identifier: AGPL-3.0-or-later
"""One session (detail, group note, enrolment, cancel, reschedule) and
individual appointments (book, cancel, reschedule)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.guards import require_action
from openiop.audit.reads import read_restricted_or_404
from openiop.audit.services import log_read
from openiop.core.access import has_action
from openiop.core.views import attach_error
from openiop.patients.models import Episode, Patient
from openiop.scheduling import group_notes, selectors, services
from openiop.scheduling.forms import AppointmentForm, EnrolForm, ReasonForm, RescheduleForm
from openiop.scheduling.models import Enrolment, Session
from openiop.scheduling.permissions import ATTENDANCE_RECORD, SCHEDULING_MANAGE, SCHEDULING_VIEW
from openiop.scheduling.views.common import _appointment, _aware, _session, staff_at
from openiop.treatment.permissions import COUNSELLING_NOTES

# --- One session ----------------------------------------------------------------------------------------------------


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
            "held": session.is_scheduled and any(row.status for row in participants),
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
    # An empty POST (nobody ticked) is still a submission, to be told to choose someone.
    form = EnrolForm(request.POST if request.method == "POST" else None, episodes=episodes)
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["episodes"])
        try:
            services.enrol_many(actor=staff_user(request), session=session, episodes=chosen)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            names = ", ".join(episode.patient.display_name for episode in chosen)
            messages.success(
                request,
                ngettext("%(names)s enrolled.", "%(count)d patients enrolled: %(names)s.", len(chosen))
                % {"names": names, "count": len(chosen)},
            )
            return HttpResponseRedirect(reverse("scheduling:session", args=[session.pk]))
    return render(
        request,
        "scheduling/enrol.html",
        {
            "form": form,
            "session": session,
            "seats_left": max(0, session.capacity_max - Enrolment.objects.filter(session=session).count()),
        },
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
            messages.success(request, _("Session canceled."))
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
            messages.success(request, _("Appointment canceled."))
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
