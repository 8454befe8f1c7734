# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from openiop.estimates import views

app_name = "estimates"

ESTIMATE = "patients/<int:patient_pk>/<int:pk>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.due_list, name="due"),
    path("patients/<int:patient_pk>/new/", views.estimate_new, name="new"),
    path(ESTIMATE, views.estimate_detail, name="detail"),
    path(f"{ESTIMATE}revise/", views.estimate_edit, name="revise"),
    path(f"{ESTIMATE}issue/", views.estimate_issue, name="issue"),
    path(f"{ESTIMATE}deliver/", views.estimate_deliver, name="deliver"),
    path(f"{ESTIMATE}pdf/", views.estimate_pdf, name="pdf"),
]
