# SPDX-License-Identifier: AGPL-3.0-or-later
"""Marking attendance at a group session or an appointment."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.guards import require_action
from openiop.audit.services import log_read
from openiop.core.ascii_digits import parse_id
from openiop.scheduling import selectors, services
from openiop.scheduling.models import Attendance
from openiop.scheduling.permissions import ATTENDANCE_RECORD
from openiop.scheduling.views.common import _appointment, _session
from openiop.scheduling.views.sessions import _group_note_context

PARTIAL_STATUSES = {Attendance.Status.LATE, Attendance.Status.LEFT_EARLY}

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
                # Late or left early: the minutes field asks for the minutes actually attended.
                "partial": sent.get("status", row.status or "") in PARTIAL_STATUSES,
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
