# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from openiop.scheduling.views import availability, catalogue, feeds, marking, sessions, timegrid, weeks

app_name = "scheduling"

urlpatterns = [
    path("", catalogue.calendar, name="calendar"),
    path("calendar/move/", timegrid.calendar_move, name="calendar_move"),
    path("sites/<slug:code>/setup/", catalogue.setup, name="setup"),
    path("sites/<slug:code>/tracks/", catalogue.tracks, name="tracks"),
    path("sites/<slug:code>/series/new/", catalogue.series_create, name="series_create"),
    path("sites/<slug:code>/sessions/new/", catalogue.session_create, name="session_create"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session"),
    path("sessions/<int:pk>/enrol/", sessions.session_enrol, name="enrol"),
    path("sessions/<int:pk>/cancel/", sessions.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/reschedule/", sessions.session_reschedule, name="session_reschedule"),
    path("sessions/<int:pk>/attendance/", marking.attendance, name="attendance"),
    path("sessions/<int:pk>/group-note/", sessions.session_group_note, name="group_note"),
    path("enrolments/<int:pk>/withdraw/", sessions.enrolment_withdraw, name="withdraw"),
    path("patients/<int:pk>/availability/", availability.patient_availability, name="availability"),
    path("patients/<int:pk>/appointments/new/", sessions.appointment_create, name="appointment_create"),
    path("appointments/<int:pk>/cancel/", sessions.appointment_cancel, name="appointment_cancel"),
    path("appointments/<int:pk>/reschedule/", sessions.appointment_reschedule, name="appointment_reschedule"),
    path("appointments/<int:pk>/attendance/", marking.appointment_attendance, name="appointment_attendance"),
    path("staff/<int:pk>/availability/", availability.clinician_availability, name="clinician_availability"),
    path("availability/<int:pk>/edit/", availability.patient_availability_edit, name="availability_edit"),
    path(
        "staff-availability/<int:pk>/edit/",
        availability.clinician_availability_edit,
        name="clinician_availability_edit",
    ),
    path("hours/", weeks.hours_dashboard, name="hours"),
    path("sites/<slug:code>/build/", weeks.build_week, name="build"),
    path("proposals/<int:pk>/", weeks.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/publish/", weeks.proposal_publish, name="publish"),
    path("proposals/<int:pk>/status/", weeks.proposal_status, name="proposal_status"),
    path("patients/<int:pk>/replan/", weeks.replan, name="replan"),
    path("feeds/", feeds.staff_feeds, name="feeds"),
    path("patients/<int:pk>/feeds/", feeds.patient_feeds, name="patient_feeds"),
    path("feed/<str:signed>.ics", feeds.feed, name="feed"),
]
