# SPDX-License-Identifier: AGPL-3.0-or-later
"""Attendance feeds the group note.

Once attendance is saved for a group session, a clinician opens its group
note from the session: date, times, topic (the session's title) and
facilitator come from the schedule, the participants are exactly those who
attended (present, late, left early) with their minutes. Absent and no-show
participants never get a section, so their names never reach anyone's chart.

One session has at most one group note: opening it twice (a double click, two
clinicians at once) returns the first, because the session row is locked
while we look for it. Corrected attendance later flows into the unsigned
sections (``follow``); signed sections are never changed, and the group note
page says when attendance changed after signing (``attendance_notices``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.core.access import has_action
from openiop.patients.models import Patient
from openiop.scheduling import catalog, hours, selectors
from openiop.scheduling.models import Attendance, Enrolment, Session, SessionStatus
from openiop.treatment.models import Curriculum, GroupSession
from openiop.treatment.permissions import COUNSELLING_NOTES
from openiop.treatment.services import groups as group_services

ATTENDED = sorted(hours.ATTENDED_STATUSES)

# The group note's curriculum from the session's service topic (others: general).
CURRICULUM_FOR_TOPIC = {
    catalog.Topic.RELAPSE_PREVENTION: Curriculum.RELAPSE_PREVENTION,
    catalog.Topic.COPING_SKILLS: Curriculum.COPING_SKILLS,
    catalog.Topic.LIFE_SKILLS: Curriculum.COPING_SKILLS,
    catalog.Topic.ADDICTION_EDUCATION: Curriculum.ADDICTION_EDUCATION,
    catalog.Topic.EARLY_RECOVERY_SKILLS: Curriculum.MATRIX_EARLY_RECOVERY,
    catalog.Topic.FAMILY_EDUCATION: Curriculum.MATRIX_FAMILY_EDUCATION,
    catalog.Topic.SOCIAL_SUPPORT: Curriculum.MATRIX_SOCIAL_SUPPORT,
}


def curriculum_for(service_key: str) -> str:
    service = catalog.SERVICES.get(service_key)
    topic = service.topic if service else None
    return str(CURRICULUM_FOR_TOPIC.get(topic, Curriculum.GENERAL)) if topic else str(Curriculum.GENERAL)


def attendees(session: Session) -> list[group_services.Attendee]:
    """Who attended SESSION (present, late, left early) with their minutes."""
    rows = (
        Enrolment.objects.filter(session=session, attendance__status__in=ATTENDED)
        .select_related("episode__patient", "attendance")
        .order_by("patient__legal_last_name", "patient__legal_first_name")
    )
    return [
        group_services.Attendee(
            episode=row.episode,
            minutes=row.attendance.minutes_attended,
            left_early=row.attendance.status == Attendance.Status.LEFT_EARLY,
        )
        for row in rows
    ]


def group_note_for(session: Session) -> GroupSession | None:
    """The group note already written for SESSION, if any."""
    return GroupSession.objects.filter(scheduled_session_id=session.pk).order_by("pk").first()


def open_problem(session: Session) -> str | None:
    """Why the group note cannot be written yet (None when it can)."""
    if session.status != SessionStatus.SCHEDULED:
        return _("This session is %(status)s; there is no group note to write.") % {
            "status": session.get_status_display()
        }
    participants = selectors.session_attendance(session)
    if not participants:
        return _("Nobody is enrolled in this session.")
    missing = sum(1 for row in participants if row.status is None)
    if missing:
        return _("Save attendance for everyone first (%(count)d not recorded yet).") % {"count": missing}
    if not any(row.attended for row in participants):
        return _("Nobody attended this session, so there is no group note to write.")
    return None


@transaction.atomic
def group_note_open(*, actor: User, session: Session) -> tuple[GroupSession, bool]:
    """The session's group note, created from attendance if it does not
    exist yet; returns (note, created). Never creates a second note."""
    if not has_action(actor, COUNSELLING_NOTES):
        raise PermissionDenied(COUNSELLING_NOTES)
    # The lock makes a second, simultaneous request wait here and then find
    # the note the first one created.
    locked = Session.objects.select_for_update(of=("self",)).select_related("site", "facilitator").get(pk=session.pk)
    existing = group_note_for(locked)
    if existing is not None:
        return existing, False
    problem = open_problem(locked)
    if problem is not None:
        raise ValidationError(problem)
    start, end = locked.local_start, locked.local_end
    group = group_services.group_create_from_attendance(
        actor=actor,
        site=locked.site,
        session_date=start.date(),
        start_time=start.time().replace(tzinfo=None),
        end_time=end.time().replace(tzinfo=None),
        topic=locked.title,
        facilitator=locked.facilitator,
        scheduled_session_id=locked.pk,
        attendees=attendees(locked),
        curriculum=curriculum_for(locked.service),
    )
    return group, True


def follow(*, actor: User | None, session: Session) -> list[str]:
    """After attendance for SESSION was saved: bring its group note's
    unsigned sections in line (no-op without a group note)."""
    group = group_note_for(session)
    if group is None:
        return []
    return group_services.group_follow_attendance(actor=actor, group=group, attendees=attendees(session))


def roster(group: GroupSession) -> list[Patient]:
    """Everyone enrolled in the group note's scheduled session, whatever
    their attendance: the name check keeps all of them out of the shared
    narrative and out of each other's sections."""
    if group.scheduled_session_id is None:
        return []
    return list(Patient.objects.filter(enrolments__session_id=group.scheduled_session_id).distinct())


def attendance_notices(group: GroupSession) -> list[str]:
    """Notice source for the group note page (registered in apps.py)."""
    if group.scheduled_session_id is None:
        return []
    session = Session.objects.filter(pk=group.scheduled_session_id).first()
    if session is None:
        return []
    return group_services.attendance_mismatches(group, attendees(session))
