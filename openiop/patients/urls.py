# SPDX-License-Identifier: AGPL-3.0-or-later
from django.urls import path

from openiop.patients import allergy_views, views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("new/", views.patient_register, name="register"),
    path("<int:pk>/", views.patient_chart, name="chart"),
    path("<int:pk>/edit/", views.patient_edit, name="edit"),
    path("<int:pk>/admit/", views.episode_admit, name="admit"),
    path("episodes/<int:pk>/level/", views.episode_change_level, name="episode_level"),
    path("episodes/<int:pk>/discharge/", views.episode_discharge, name="episode_discharge"),
    path("<int:pk>/allergies/", allergy_views.allergy_list, name="allergies"),
    path("<int:pk>/allergies/add/", allergy_views.allergy_add, name="allergy_add"),
    path("<int:pk>/allergies/none-known/", allergy_views.allergy_none_known, name="allergy_none_known"),
    path("allergies/<int:pk>/entered-in-error/", allergy_views.allergy_entered_in_error, name="allergy_error"),
]
