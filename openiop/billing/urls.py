# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from openiop.billing import views

app_name = "billing"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.workspace, name="workspace"),
    path("charges.csv", views.charges_export, name="export"),
    path("fees/", views.fee_schedules, name="fees"),
    path("authorizations/<int:pk>/review-packet/", views.review_packet, name="review_packet"),
]
