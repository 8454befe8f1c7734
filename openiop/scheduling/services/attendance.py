# SPDX-License-Identifier: AGPL-3.0-or-later
"""Recording attendance at sessions and appointments, with the minutes the
hours engine counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.scheduling import group_notes, signals
from openiop.scheduling.hours import AttendanceMinutesError, attended_minutes
from openiop.scheduling.models import Appointment, Attendance, Enrolment, Session, SessionStatus
from openiop.scheduling.services.common import _raise
from openiop.scheduling.services.sessions import _lock_session

# --- Attendance -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceMark:
    enrolment_id: int
    status: str
    minutes: int | None = None  # None: the whole session for present, 0 for absent/no-show
    note: str = ""


def _minutes_for(status: str, minutes: int | None, length: int, who: str) -> int:
    """The hours engine's attendance-minutes rule, its refusals worded for WHO."""
    try:
        return attended_minutes(status, minutes, length)
    except AttendanceMinutesError as error:
        problem = error.problem
    if problem == AttendanceMinutesError.ZERO_MINUTES_ONLY:
        message = _("%(name)s: %(status)s means 0 minutes attended, not %(minutes)d.") % {
            "name": who,
            "status": Attendance.Status(status).label,
            "minutes": minutes,
        }
    elif problem == AttendanceMinutesError.MINUTES_NEEDED:
        message = _("%(name)s: enter the minutes attended when late or leaving early.") % {"name": who}
    elif problem == AttendanceMinutesError.OUT_OF_RANGE:
        message = _("%(name)s: minutes attended must be between 1 and %(length)d (the session's length).") % {
            "name": who,
            "length": length,
        }
    elif problem == AttendanceMinutesError.PARTIAL_BUT_WHOLE:
        message = _(
            "%(name)s: late or left early, yet all %(length)d minutes? Correct the minutes or mark present."
        ) % {"name": who, "length": length}
    else:
        message = _("%(name)s: choose an attendance status.") % {"name": who}
    raise ValidationError(message)


@transaction.atomic
def attendance_record(*, actor: User, session: Session, marks: Sequence[AttendanceMark]) -> list[Attendance]:
    """Record (or correct) attendance for a session's participants. Every
    mark is checked before anything is written; one bad mark saves none."""
    locked = _lock_session(session)
    if locked.status != SessionStatus.SCHEDULED:
        raise ValidationError(
            _("Attendance cannot be taken for a %(status)s session.") % {"status": locked.get_status_display()}
        )
    if locked.start > timezone.now():
        raise ValidationError(_("Attendance can be recorded once the session has started."))
    enrolments = {e.pk: e for e in locked.enrolments.select_related("patient")}
    length = locked.minutes
    resolved: list[tuple[Enrolment, AttendanceMark, int]] = []
    problems: list[str] = []
    for mark in marks:
        enrolment = enrolments.get(mark.enrolment_id)
        if enrolment is None:
            problems.append(_("One of the participants is no longer enrolled in this session; reload the page."))
            continue
        if mark.status not in Attendance.Status.values:
            problems.append(_("%(name)s: choose an attendance status.") % {"name": enrolment.patient.display_name})
            continue
        try:
            minutes = _minutes_for(mark.status, mark.minutes, length, enrolment.patient.display_name)
        except ValidationError as error:
            problems += error.messages
            continue
        resolved.append((enrolment, mark, minutes))
    _raise(problems)
    saved = []
    now = timezone.now()
    for enrolment, mark, minutes in resolved:
        attendance, created = Attendance.objects.update_or_create(
            enrolment=enrolment,
            defaults={
                "status": mark.status,
                "minutes_attended": minutes,
                "note": mark.note.strip(),
                "recorded_by": actor,
                "recorded_at": now,
            },
        )
        saved.append(attendance)
        log_action(
            "scheduling.attendance.record" if created else "scheduling.attendance.correct",
            obj=attendance,
            actor=actor,
            patient_id=enrolment.patient_id,
            site_id=locked.site_id,
            data={"session": locked.pk, "status": mark.status, "minutes": minutes},
        )
    # Corrected attendance flows into the group note's unsigned sections.
    group_notes.follow(actor=actor, session=locked)
    signals.attendance_saved.send(sender=Attendance, attendances=saved, actor=actor)
    return saved


@transaction.atomic
def appointment_attendance_record(
    *, actor: User, appointment: Appointment, status: str, minutes: int | None = None, note: str = ""
) -> Attendance:
    locked = Appointment.objects.select_for_update().select_related("patient").get(pk=appointment.pk)
    if locked.status != SessionStatus.SCHEDULED:
        raise ValidationError(
            _("Attendance cannot be taken for a %(status)s appointment.") % {"status": locked.get_status_display()}
        )
    if status not in Attendance.Status.values:
        raise ValidationError(_("Choose an attendance status."))
    value = _minutes_for(status, minutes, locked.minutes, locked.patient.display_name)
    attendance, _created = Attendance.objects.update_or_create(
        appointment=locked,
        defaults={"status": status, "minutes_attended": value, "note": note.strip(), "recorded_by": actor},
    )
    log_action(
        "scheduling.attendance.record",
        obj=attendance,
        actor=actor,
        patient_id=locked.patient_id,
        site_id=locked.site_id,
    )
    signals.attendance_saved.send(sender=Attendance, attendances=[attendance], actor=actor)
    return attendance
