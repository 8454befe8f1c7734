# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from openiop.admissions import views, views_steps

app_name = "admissions"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.inquiry_create, name="create"),
    path("<int:pk>/", views.inquiry_detail, name="detail"),
    path("<int:pk>/move/", views.inquiry_move, name="move"),
    path("<int:pk>/edit/", views.inquiry_edit, name="edit"),
    path("<int:pk>/prescreen/", views_steps.inquiry_prescreen, name="prescreen"),
    path("<int:pk>/benefits/", views_steps.inquiry_benefits, name="benefits"),
    path("<int:pk>/assessment/", views_steps.inquiry_schedule_assessment, name="assessment"),
    path("<int:pk>/admit/", views_steps.inquiry_admit, name="admit"),
    path("<int:pk>/selfcheck/acknowledge/", views.selfcheck_acknowledge, name="selfcheck_acknowledge"),
    path("referral-sources/", views.referral_report, name="referral_report"),
    path("referral-sources/new/", views.referral_source_create, name="source_create"),
    path("referral-sources/<int:pk>/edit/", views.referral_source_edit, name="source_edit"),
    path("referral-sources/<int:pk>/delete/", views.referral_source_delete, name="source_delete"),
]
