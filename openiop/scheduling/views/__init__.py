# SPDX-License-Identifier: AGPL-3.0-or-later
"""Scheduling pages: calendars, sessions, enrolment, attendance, appointments,
availability, the hours dashboard, the week planner and calendar feeds."""

from openiop.scheduling.views.availability import (
    clinician_availability,
    clinician_availability_edit,
    patient_availability,
    patient_availability_edit,
)
from openiop.scheduling.views.catalogue import calendar, series_create, session_create, setup, tracks
from openiop.scheduling.views.common import FACILITATOR_ROLES, default_site, site_for, staff_at
from openiop.scheduling.views.feeds import feed, patient_feeds, staff_feeds
from openiop.scheduling.views.marking import appointment_attendance, attendance
from openiop.scheduling.views.sessions import (
    appointment_cancel,
    appointment_create,
    appointment_reschedule,
    enrolment_withdraw,
    session_cancel,
    session_detail,
    session_enrol,
    session_group_note,
    session_reschedule,
)
from openiop.scheduling.views.weeks import (
    build_week,
    can_replan,
    hours_dashboard,
    proposal_detail,
    proposal_publish,
    proposal_status,
    replan,
)

__all__ = [
    "FACILITATOR_ROLES",
    "appointment_attendance",
    "appointment_cancel",
    "appointment_create",
    "appointment_reschedule",
    "attendance",
    "build_week",
    "calendar",
    "can_replan",
    "clinician_availability",
    "clinician_availability_edit",
    "default_site",
    "enrolment_withdraw",
    "feed",
    "hours_dashboard",
    "patient_availability",
    "patient_availability_edit",
    "patient_feeds",
    "proposal_detail",
    "proposal_publish",
    "proposal_status",
    "replan",
    "series_create",
    "session_cancel",
    "session_create",
    "session_detail",
    "session_enrol",
    "session_group_note",
    "session_reschedule",
    "setup",
    "site_for",
    "staff_at",
    "staff_feeds",
    "tracks",
]
