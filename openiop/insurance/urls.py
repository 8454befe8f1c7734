# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from openiop.insurance import views

app_name = "insurance"

PATIENT = "patients/<int:patient_pk>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{PATIENT}coverage/new/", views.coverage_add, name="coverage_add"),
    path(f"{PATIENT}coverage/<int:pk>/", views.coverage_edit, name="coverage_edit"),
    path(f"{PATIENT}coverage/<int:pk>/card/", views.card_upload, name="card_upload"),
    path(f"{PATIENT}coverage/<int:pk>/card/<str:side>/", views.coverage_card, name="card"),
    path(f"{PATIENT}coverage/<int:pk>/check/", views.check_add, name="check_add"),
    path(f"{PATIENT}coverage/<int:pk>/check/electronic/", views.check_send, name="check_send"),
    path(f"{PATIENT}authorizations/new/", views.authorization_add, name="authorization_add"),
    path(f"{PATIENT}authorizations/<int:pk>/", views.authorization_edit, name="authorization_edit"),
]
