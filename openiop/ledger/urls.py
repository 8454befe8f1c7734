# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from openiop.ledger import views

app_name = "ledger"

PATIENT = "patients/<int:patient_pk>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(f"{PATIENT}", views.account, name="account"),
    path(f"{PATIENT}new/<slug:form_kind>/", views.transaction_new, name="transaction_new"),
    path(f"{PATIENT}transactions/<int:pk>/reverse/", views.transaction_reverse, name="transaction_reverse"),
    path(f"{PATIENT}statements/<int:year>/<int:month>/", views.statement, name="statement"),
]
