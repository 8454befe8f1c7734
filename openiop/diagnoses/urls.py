# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from openiop.diagnoses import views

app_name = "diagnoses"

urlpatterns: list[URLPattern | URLResolver] = [
    path("search/", views.code_search, name="search"),
    path("patients/<int:pk>/add/", views.diagnosis_add, name="add"),
    path("<int:pk>/edit/", views.diagnosis_edit, name="edit"),
    path("<int:pk>/resolve/", views.diagnosis_resolve, name="resolve"),
    path("<int:pk>/primary/", views.diagnosis_mark_primary, name="primary"),
    path("<int:pk>/entered-in-error/", views.diagnosis_entered_in_error, name="error"),
]
