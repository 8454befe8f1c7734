# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from openiop.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_register, name="register"),
    path("<int:pk>/", views.patient_chart, name="chart"),
    path("<int:pk>/edit/", views.patient_edit, name="edit"),
    path("<int:pk>/admit/", views.episode_admit, name="admit"),
    path("episodes/<int:pk>/level/", views.episode_change_level, name="episode_level"),
    path("episodes/<int:pk>/discharge/", views.episode_discharge, name="episode_discharge"),
]
