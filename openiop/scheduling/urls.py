# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from openiop.scheduling import views, views_week

app_name = "scheduling"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("sites/<slug:code>/setup/", views.setup, name="setup"),
    path("sites/<slug:code>/tracks/", views.tracks, name="tracks"),
    path("sites/<slug:code>/series/new/", views.series_create, name="series_create"),
    path("sites/<slug:code>/sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/enrol/", views.session_enrol, name="enrol"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/reschedule/", views.session_reschedule, name="session_reschedule"),
    path("sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("sessions/<int:pk>/group-note/", views.session_group_note, name="group_note"),
    path("enrolments/<int:pk>/withdraw/", views.enrolment_withdraw, name="withdraw"),
    path("patients/<int:pk>/availability/", views.patient_availability, name="availability"),
    path("patients/<int:pk>/appointments/new/", views.appointment_create, name="appointment_create"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment_cancel"),
    path("appointments/<int:pk>/reschedule/", views.appointment_reschedule, name="appointment_reschedule"),
    path("appointments/<int:pk>/attendance/", views.appointment_attendance, name="appointment_attendance"),
    path("staff/<int:pk>/availability/", views.clinician_availability, name="clinician_availability"),
    path("availability/<int:pk>/edit/", views.patient_availability_edit, name="availability_edit"),
    path("staff-availability/<int:pk>/edit/", views.clinician_availability_edit, name="clinician_availability_edit"),
    path("hours/", views_week.hours_dashboard, name="hours"),
    path("sites/<slug:code>/build/", views_week.build_week, name="build"),
    path("proposals/<int:pk>/", views_week.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/publish/", views_week.proposal_publish, name="publish"),
    path("proposals/<int:pk>/status/", views_week.proposal_status, name="proposal_status"),
    path("patients/<int:pk>/replan/", views_week.replan, name="replan"),
    path("feeds/", views_week.staff_feeds, name="feeds"),
    path("patients/<int:pk>/feeds/", views_week.patient_feeds, name="patient_feeds"),
    path("feed/<str:signed>.ics", views_week.feed, name="feed"),
]
